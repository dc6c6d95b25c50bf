package compat

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"time"
)

// Sacct writes sacct's output for the options o to w. jobs are the
// candidates (the daemon may pass every job it keeps, or only those its
// indexes pre-select with o's selection fields); Sacct applies the whole
// selection itself: job ids, the -S/-E window (with -s semantics), users,
// names, partitions, accounts and groups. now ends an open window, runs
// the clock of running jobs, and its Location is used for dates.
func Sacct(w io.Writer, o SacctOptions, jobs []*Job, now time.Time) error {
	if o.Show != "" {
		_, err := io.WriteString(w, o.Show)
		return err
	}
	cols := o.Columns
	if len(cols) == 0 {
		var err error
		if cols, err = parseSacctFields(sacctDefaultFields + ","); err != nil {
			return err
		}
	}
	fields := make([]*sacctField, len(cols))
	for i, c := range cols {
		idx, ok := sacctFieldIndex()[c.Name]
		if !ok {
			return Errorf(1, "sacct: error: Invalid field requested: \"%s\"", c.Name)
		}
		fields[i] = sacctFieldAt(idx)
	}
	delim := o.Delimiter
	if delim == "" {
		delim = "|"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	if !o.NoHeader {
		line = appendSacctHeader(line, cols, o.Parsable, delim)
	}

	selected := make([]sacctPick, 0, len(jobs))
	for _, j := range jobs {
		if p, ok := o.pick(j, now); ok {
			selected = append(selected, p)
		}
	}
	sortSacct(selected)

	row := sacctRow{now: now, loc: now.Location()}
	var scratch []byte
	emit := func() error {
		for i, f := range fields {
			last := i == len(fields)-1
			scratch = scratch[:0]
			var ok bool
			scratch, ok = f.value(scratch, &row)
			line = appendSacctValue(line, scratch, ok, f.kind, cols[i].Width, o.Parsable, delim, last)
		}
		line = append(line, '\n')
		if len(line) >= 32<<10 {
			if _, err := bw.Write(line); err != nil {
				return err
			}
			line = line[:0]
		}
		return nil
	}
	// run emits the rows of one run of a picked job.
	run := func(p *sacctPick, j *Job) error {
		row.j, row.step = j, nil
		if p.full || o.Allocations {
			if err := emit(); err != nil {
				return err
			}
		}
		if o.Allocations {
			return nil
		}
		if j.Batch != nil && p.batch {
			row.step = j.Batch
			if err := emit(); err != nil {
				return err
			}
		}
		for _, st := range j.Steps {
			if !p.showsStep(st.stepID()) {
				continue
			}
			row.step = st
			if err := emit(); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range selected {
		p := &selected[i]
		if o.Duplicates { // -D: the runs before a requeue first, oldest first
			for _, past := range p.j.PastRuns {
				if err := run(p, past); err != nil {
					return err
				}
			}
		}
		if err := run(p, p.j); err != nil {
			return err
		}
	}
	if _, err := bw.Write(line); err != nil {
		return err
	}
	return bw.Flush()
}

// appendSacctHeader appends the header (and, unless parsable, the dashes).
func appendSacctHeader(b []byte, cols []SacctColumn, parsable int, delim string) []byte {
	if parsable != 0 {
		for i, c := range cols {
			b = append(b, c.Name...)
			if parsable == 1 || i < len(cols)-1 {
				b = append(b, delim...)
			}
		}
		return append(b, '\n')
	}
	for _, c := range cols {
		width, right := sacctWidth(c.Width)
		name := c.Name
		if len(name) > width {
			name = name[:width]
		}
		b = appendField(b, name, width, right, false)
		b = append(b, ' ')
	}
	b = append(b, '\n')
	for _, c := range cols {
		width, _ := sacctWidth(c.Width)
		for range width {
			b = append(b, '-')
		}
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// sacctWidth splits a signed sacct width into its size and justification.
func sacctWidth(w int) (int, bool) {
	if w < 0 {
		return -w, false
	}
	return w, true
}

// appendSacctValue appends one field as Slurm's print_fields does: in
// parsable mode the value and the delimiter (none after the last field
// with -P); otherwise padded to the width and followed by a space, with
// strings longer than the width cut and ending in '+', dates cut short
// and numbers never cut. A missing value prints blank.
func appendSacctValue(b, v []byte, ok bool, kind sacctKind, w, parsable int, delim string, last bool) []byte {
	if parsable != 0 {
		if ok {
			b = append(b, v...)
		}
		if parsable == 1 || !last {
			b = append(b, delim...)
		}
		return b
	}
	width, right := sacctWidth(w)
	switch {
	case !ok:
		v = v[:0]
	case kind == sacctStr && len(v) > width:
		if width > 0 {
			v = v[:width]
			v[width-1] = '+'
		} else {
			v = v[:0]
		}
	case kind == sacctDate && len(v) > width:
		v = v[:width]
	}
	b = appendField(b, v, width, right, false)
	return append(b, ' ')
}

// sacctPick is a selected job: whether its own line prints (full),
// whether its batch step does, and which numbered steps do (all when
// allSteps, else those named in steps).
type sacctPick struct {
	j        *Job
	full     bool
	batch    bool
	allSteps bool
	steps    []string
}

// showsStep reports whether the numbered step named id prints.
func (p *sacctPick) showsStep(id string) bool {
	return p.allSteps || slices.Contains(p.steps, id)
}

// pick applies the selection of o to j.
func (o *SacctOptions) pick(j *Job, now time.Time) (sacctPick, bool) {
	p := sacctPick{j: j, full: true, batch: true, allSteps: true}
	if o.Jobs != nil {
		matched := false
		p.full, p.batch, p.allSteps = false, false, false
		for _, s := range *o.Jobs {
			if !sacctSelects(s, j) {
				continue
			}
			matched = true
			switch s.Step {
			case "":
				p.full, p.batch, p.allSteps = true, true, true
			case "batch":
				p.batch = true
			case "extern", "interactive":
			default:
				p.steps = append(p.steps, s.Step)
			}
		}
		if !matched {
			return p, false
		}
	}
	if o.Users != nil && !slices.Contains(*o.Users, j.UID) && !o.AllUsers {
		return p, false
	}
	if o.Names != nil && !slices.Contains(*o.Names, j.Name) {
		return p, false
	}
	if o.Partitions != nil && !slices.Contains(*o.Partitions, j.Partition) {
		return p, false
	}
	if o.Accounts != nil && !containsFold(*o.Accounts, j.Account) {
		return p, false
	}
	if o.QOS != nil && !containsFold(*o.QOS, j.QOS) {
		return p, false
	}
	if o.Nodes != nil {
		hosts := expandHostlist(j.NodeList)
		if !slices.ContainsFunc(*o.Nodes, func(n string) bool { return slices.Contains(hosts, n) }) {
			return p, false
		}
	}
	if o.Groups != nil && !containsFold(*o.Groups, j.Group) &&
		!slices.Contains(*o.Groups, strconv.FormatUint(uint64(j.GID), 10)) {
		return p, false
	}
	return p, o.inWindow(j, now)
}

// sacctSelects reports whether the -j selector s names job j: its id, its
// array, or one task of its array (id 0 names every job, as in Slurm).
func sacctSelects(s SacctJobSelector, j *Job) bool {
	if s.None {
		return false
	}
	if s.JobID == 0 {
		return true
	}
	if s.Task >= 0 {
		return j.ArrayTasks == "" && j.ArrayTaskID == s.Task && arrayMaster(j) == s.JobID
	}
	return j.JobID == s.JobID || (j.ArrayJobID != 0 && j.ArrayJobID == s.JobID)
}

// inWindow applies -S/-E and -s as slurmdbd does. Without states a job is
// in the window when it was eligible before its end and had not ended
// before its start; with states it must have been in one of them during
// the window (ended in it, for final states).
func (o *SacctOptions) inWindow(j *Job, now time.Time) bool {
	start, end := o.Start, o.End
	if o.States == nil {
		switch {
		case !start.IsZero():
			if end.IsZero() {
				end = now
			}
			return !j.EligibleTime.IsZero() && j.EligibleTime.Before(end) &&
				(j.EndTime.IsZero() || !j.EndTime.Before(start))
		case !end.IsZero():
			return !j.EligibleTime.IsZero() && j.EligibleTime.Before(end)
		}
		return true
	}
	for _, s := range *o.States {
		if j.State != s {
			continue
		}
		if start.IsZero() && end.IsZero() {
			return true
		}
		if stateDuring(j, s, start, end) {
			return true
		}
	}
	return false
}

// stateDuring reports whether j, now in state, was in it during [start,
// end] (either bound may be zero: open).
func stateDuring(j *Job, state string, start, end time.Time) bool {
	between := func(t, a, b time.Time) bool { return !t.Before(a) && !t.After(b) }
	jobStart := j.StartTime
	switch state {
	case "PENDING":
		elig := j.EligibleTime
		if elig.IsZero() {
			return false
		}
		switch {
		case !start.IsZero() && !end.IsZero():
			return (!jobStart.IsZero() && between(start, elig, jobStart)) || between(elig, start, end) ||
				(!elig.After(end) && jobStart.IsZero())
		case !start.IsZero():
			return (!jobStart.IsZero() && between(start, elig, jobStart)) || (!elig.After(start) && jobStart.IsZero())
		}
		return elig.Before(end)
	case "RUNNING", "SUSPENDED":
		if jobStart.IsZero() {
			return false
		}
		jobEnd := j.EndTime
		switch {
		case !start.IsZero() && !end.IsZero():
			return (!jobEnd.IsZero() && between(start, jobStart, jobEnd)) || between(jobStart, start, end) ||
				(!jobStart.After(end) && jobEnd.IsZero())
		case !start.IsZero():
			return (!jobEnd.IsZero() && between(start, jobStart, jobEnd)) || (!jobStart.After(start) && jobEnd.IsZero())
		}
		return jobStart.Before(end)
	}
	jobEnd := j.EndTime
	if jobEnd.IsZero() {
		return false
	}
	switch {
	case !start.IsZero() && !end.IsZero():
		return between(jobEnd, start, end)
	case !start.IsZero():
		return !jobEnd.Before(start)
	}
	return jobEnd.Before(end)
}

// sortSacct orders jobs as sacct lists them: by submit time; at equal
// submit times plain jobs before arrays, arrays by id then task.
func sortSacct(picks []sacctPick) {
	slices.SortStableFunc(picks, func(x, y sacctPick) int {
		a, b := x.j, y.j
		if c := a.SubmitTime.Compare(b.SubmitTime); c != 0 {
			return c
		}
		aArr, bArr := a.ArrayJobID != 0 || a.ArrayTasks != "", b.ArrayJobID != 0 || b.ArrayTasks != ""
		if aArr != bArr {
			if aArr {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(arrayMaster(a), arrayMaster(b)); c != 0 {
			return c
		}
		return cmp.Compare(sacctTaskKey(a), sacctTaskKey(b))
	})
}

// sacctTaskKey orders the rows of one array: tasks by id, the pending
// remainder last.
func sacctTaskKey(j *Job) int64 {
	if j.ArrayTasks != "" {
		return 1 << 40
	}
	return j.ArrayTaskID
}
