package compat

import (
	"bufio"
	"io"
	"time"
)

// Squeue writes squeue's output for the options o to w, choosing among
// jobs (every job the daemon still reports: live ones and those finished
// less than MinJobAge ago). myUID is the caller's uid (for --me); now
// dates the output and its Location is used for timestamps.
//
// It returns an *Error when Slurm fails: "slurm_load_jobs error: Invalid
// job id specified" (exit 1, nothing on stdout) when a single -j id is not
// known at all, and "squeue: error: Invalid sort specification: X" (exit
// 1, after the header) for a bad -S. Write errors are returned as is.
func Squeue(w io.Writer, o SqueueOptions, jobs []*Job, myUID uint32, now time.Time) error {
	return SqueueFrom(w, o, JobList(jobs), myUID, now)
}

// SqueueFrom is Squeue over a JobSource. It reads each job's view once
// (twice with a single -j id, to tell an unknown id): it renders the
// lines of a job as it selects it, and keeps only the text and small
// pointer-free records for sorting, never a view of every job.
func SqueueFrom(w io.Writer, o SqueueOptions, src JobSource, myUID uint32, now time.Time) error {
	if o.Show != "" {
		_, err := io.WriteString(w, o.Show)
		return err
	}
	if o.Jobs != nil && len(*o.Jobs) == 1 && !o.Steps && !sourceHasJob(src, (*o.Jobs)[0].JobID) {
		if o.Clusters != "" && !o.NoHeader {
			if _, err := io.WriteString(w, o.clusterLine()); err != nil {
				return err
			}
		}
		return Errorf(1, "slurm_load_jobs error: Invalid job id specified")
	}
	items, _ := o.compileFormat()
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	if o.Long && !o.NoHeader {
		line = append(line, ctimeLine(now)...)
	}
	if o.Clusters != "" && !o.NoHeader {
		line = append(line, o.clusterLine()...)
	}
	if !o.NoHeader {
		line = appendSqueueHeader(line, items, o.Steps)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	keys, err := parseSqueueSort(o.Sort)
	if err != nil {
		if ferr := bw.Flush(); ferr != nil {
			return ferr
		}
		return err
	}
	if o.Steps {
		return bw.Flush()
	}
	sel := squeueSelectionPool.Get().(*squeueSelection)
	defer func() {
		sel.release()
		squeueSelectionPool.Put(sel)
	}()
	row := squeueRow{now: now, loc: now.Location()}
	selectSqueueJobs(sel, &o, src, keys, items, &row, myUID)
	sortSqueueRecords(sel, keys)
	for _, i := range sel.order {
		rec := &sel.recs[i]
		if _, err := bw.Write(sel.text[rec.off:rec.end]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// sourceHasJob reports whether src holds job id or a task of array id.
func sourceHasJob(src JobSource, id uint32) bool {
	var scratch Job
	for i := range src.Len() {
		if j := src.View(i, &scratch, 0); j.JobID == id || j.ArrayJobID == id {
			return true
		}
	}
	return false
}

// clusterLine is the line -M puts before the header: "CLUSTER: NAME".
func (o *SqueueOptions) clusterLine() string {
	name := o.ClusterName
	if name == "" {
		name = o.Clusters
	}
	return "CLUSTER: " + name + "\n"
}

// appendSqueueHeader appends the header line of items; in step mode
// (squeue -s) the id column is called STEPID.
func appendSqueueHeader(b []byte, items []fmtItem, steps bool) []byte {
	for _, it := range items {
		if it.col >= 0 {
			h := squeueFields()[it.col].header
			if steps && squeueFields()[it.col].letter == 'i' {
				h = "STEPID"
			}
			b = appendField(b, h, it.width, it.right, true)
		}
		b = append(b, it.suffix...)
	}
	return append(b, '\n')
}

// appendSqueueLine appends one output line for r; scratch is reused to
// format values and returned for the next call.
func appendSqueueLine(b, scratch []byte, items []fmtItem, r *squeueRow) ([]byte, []byte) {
	fields := squeueFields()
	for _, it := range items {
		if it.col >= 0 {
			var cut bool
			scratch, cut = fields[it.col].value(scratch[:0], r)
			b = appendField(b, scratch, it.width, it.right, cut)
		}
		b = append(b, it.suffix...)
	}
	return append(b, '\n'), scratch
}
