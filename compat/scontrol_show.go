package compat

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"time"
)

// ScontrolData is what the daemon hands to ScontrolRender for a "show"
// request: the jobs it still reports (live ones and those finished less
// than MinJobAge ago), the partitions, the nodes and the configuration.
// Only the part the entity needs must be filled.
type ScontrolData struct {
	Jobs       []*Job
	Partitions []Partition
	Nodes      []Node
	Config     ConfigView
	// TaskView builds the view of one task of a pending array record for
	// "show job ID_TASK" (paths expanded for that task); nil copies the
	// record with the task set. See ScontrolSelectJobs.
	TaskView func(meta *Job, task int64) *Job
}

// parseScontrolShow parses "show ENTITY [ID]" (or "show ENTITY=ID").
func parseScontrolShow(r ScontrolRequest, words []string, env []string) (ScontrolRequest, error) {
	r.Command = ScontrolCmdShow
	if len(words) < 2 {
		return r, r.quietError(1, "too few arguments for keyword:%s", words[0])
	}
	allowOpt := kwPrefix(words[1], "as") || kwPrefix(words[1], "bb") || kwPrefix(words[1], "dw")
	if len(words) > 3 && !allowOpt {
		return r, r.quietError(1, "too many arguments for keyword:%s", words[0])
	}
	tag, val, hasVal := strings.Cut(words[1], "=")
	if !hasVal && len(words) == 3 {
		val, hasVal = words[2], true
	}
	r.Name, r.HasName = val, hasVal
	switch {
	case kwMatch(tag, "aliases", 1), kwMatch(tag, "bbstat", 2), kwMatch(tag, "dwstat", 2),
		kwMatch(tag, "burstbuffer", 2), kwMatch(tag, "assoc_mgr", 2), kwMatch(tag, "cache", 2):
		return r, unsupportedKeyword(words[0] + " " + tag)
	case kwMatch(tag, "config", 1):
		r.Entity = "config"
	case kwMatch(tag, "daemons", 1), kwMatch(tag, "Federations", 1), kwMatch(tag, "FrontendName", 1):
		return r, unsupportedKeyword(words[0] + " " + tag)
	case kwMatch(tag, "hostnames", 5):
		r.Entity = "hostnames"
		list := val
		if !hasVal {
			var ok bool
			if list, ok = envLookup(env, "SLURM_NODELIST"); !ok {
				r.ShowErr = "scontrol: error: host list is empty\n"
				return r, nil
			}
		}
		var b strings.Builder
		for _, h := range expandHostlist(list) {
			b.WriteString(h + "\n")
		}
		r.Show = b.String()
	case kwMatch(tag, "hostlist", 5):
		return r, unsupportedKeyword(words[0] + " " + tag)
	case kwMatch(tag, "hostlistsorted", 9):
		r.Entity = "hostlistsorted"
		if !hasVal {
			return r, &UsageError{Stdout: scontrolHelpText, Err: Errorf(1, "invalid encode argument")}
		}
		r.Show = compressHostlist(expandHostlist(val)) + "\n"
	case kwMatch(tag, "jobs", 1), kwMatch(tag, "jobid", 1):
		r.Entity = "job"
		return parseShowJobID(r, val, hasVal)
	case kwMatch(tag, "licenses", 2):
		r.Entity = "licenses"
	case kwMatch(tag, "nodes", 1):
		r.Entity = "node"
	case kwMatch(tag, "partitions", 2), kwMatch(tag, "partitionname", 2):
		r.Entity = "partition"
	case kwMatch(tag, "reservations", 1), kwMatch(tag, "reservationname", 1):
		r.Entity = "reservation"
	case kwMatch(tag, "slurmd", 2), kwMatch(tag, "steps", 2):
		return r, unsupportedKeyword(words[0] + " " + tag)
	case kwMatch(tag, "topology", 1):
		r.Entity = "topology"
		r.ShowErr = "scontrol: error: No topology information available\n"
	default:
		return r, r.quietError(1, "invalid entity:%s for keyword:%s ", tag, words[0])
	}
	return r, nil
}

// parseShowJobID parses the id of "show job": digits with an optional
// "_TASK" and "+OFFSET" (Slurm's scontrol_print_job checks the
// characters, then reads the numbers with strtol).
func parseShowJobID(r ScontrolRequest, val string, hasVal bool) (ScontrolRequest, error) {
	q := ScontrolJobQuery{All: true, Task: -1, HetOffset: -1}
	if hasVal {
		q.Spec = val
		for i := 0; i < len(val); i++ {
			if c := val[i]; (c < '0' || c > '9') && c != '_' && c != '+' {
				return r, r.quietError(1, "scontrol_print_job error: %s", ReasonInvalidJobID)
			}
		}
		id, rest, _ := strtolC(val)
		q.JobID = uint32(id) //nolint:gosec // C's (uint32_t) conversion
		q.All = q.JobID == 0
		if strings.HasPrefix(rest, "_") {
			var t int64
			t, rest, _ = strtolC(rest[1:])
			q.Task = int64(uint32(t)) //nolint:gosec // stored in a uint32
		}
		if strings.HasPrefix(rest, "+") {
			h, _, _ := strtolC(rest[1:])
			q.HetOffset = int64(uint32(h)) //nolint:gosec // stored in a uint32
		}
	}
	r.ShowJob = q
	return r, nil
}

// ScontrolRender writes the output of a "show" or "ping" request from the
// daemon's data: stdout to w, and returns the *Error (stderr text and
// exit code) Slurm ends with, or nil for exit 0. Messages Slurm prints on
// stdout ("Partition x not found") are written to w, with an *Error of
// empty text carrying the exit code. -Q silences them as in Slurm.
func ScontrolRender(w io.Writer, r ScontrolRequest, d ScontrolData, now time.Time) error {
	if r.Command == ScontrolCmdPing {
		host := d.Config.ControlHost
		if host == "" {
			host = "vm"
		}
		if _, err := io.WriteString(w, ScontrolPingLine(host, d.Config.Up, false)); err != nil {
			return err
		}
		if !d.Config.Up {
			return &Error{Code: 1}
		}
		return nil
	}
	switch r.Entity {
	case "job":
		return ScontrolShowJobs(w, r, d, now)
	case "partition":
		return ScontrolShowPartition(w, d.Partitions, r.Name, r.HasName, r.OneLiner, r.Quiet)
	case "node":
		return ScontrolShowNode(w, d.Nodes, r.Name, r.HasName, r.OneLiner, r.Quiet, r.Details, now)
	case "config":
		return ScontrolShowConfig(w, d.Config, now)
	case "reservation":
		if r.HasName {
			return scontrolNotFound(w, r, "Reservation "+r.Name+" not found\n")
		}
		_, err := io.WriteString(w, "No reservations in the system\n")
		return err
	case "licenses":
		if r.HasName {
			return scontrolNotFound(w, r, "License "+r.Name+" not found\n")
		}
		_, err := io.WriteString(w, "No licenses configured in Slurm.\n")
		return err
	}
	if _, err := io.WriteString(w, r.Show); err != nil {
		return err
	}
	if r.ShowErr != "" || r.ShowCode != 0 {
		return &Error{Msg: r.ShowErr, Code: r.ShowCode}
	}
	return nil
}

// scontrolNotFound writes a "not found" line (unless -Q) and returns exit
// 1; an empty line means success.
func scontrolNotFound(w io.Writer, r ScontrolRequest, line string) error {
	if line == "" {
		return nil
	}
	if !r.Quiet {
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
	return &Error{Code: 1}
}

// ScontrolShowJobs writes "show job [ID]": the records ScontrolSelectJobs
// picks. An id the daemon does not know at all is ScontrolLoadJobsError
// (exit 1); a known id without the asked task prints "Job 45_9 not
// found" on stdout (exit 1); no jobs at all prints "No jobs in the
// system" (exit 0).
func ScontrolShowJobs(w io.Writer, r ScontrolRequest, d ScontrolData, now time.Time) error {
	q := r.ShowJob
	if !q.All && !slices.ContainsFunc(d.Jobs, func(j *Job) bool { return j.JobID == q.JobID || j.ArrayJobID == q.JobID }) {
		if r.Quiet {
			return &Error{Code: 1}
		}
		return &Error{Msg: ScontrolLoadJobsError, Code: 1}
	}
	recs := ScontrolSelectJobs(d.Jobs, q, d.TaskView)
	if len(recs) == 0 {
		switch {
		case q.Spec == "" && q.All:
			if r.Quiet {
				return nil
			}
			_, err := io.WriteString(w, "No jobs in the system\n")
			return err
		case q.Task >= 0:
			return scontrolNotFound(w, r, "Job "+itoa(int64(q.JobID))+"_"+itoa(q.Task)+" not found\n")
		case q.HetOffset >= 0:
			return scontrolNotFound(w, r, "Job "+itoa(int64(q.JobID))+"+"+itoa(q.HetOffset)+" not found\n")
		}
		return scontrolNotFound(w, r, "Job "+itoa(int64(q.JobID))+" not found\n")
	}
	return ScontrolShowJob(w, recs, r.OneLiner, r.Details, now)
}

// ScontrolSelectJobs returns the records "show job" prints for q, in
// Slurm's order: every job by increasing id for All; for an id, the job
// with that id, or every record of the array with that master id (the
// pending array record first, then tasks by decreasing task id). A task
// (q.Task) selects the task's record, or the pending array record that
// still holds it, through taskView (nil: a copy with ArrayTaskID set,
// ArrayTasks cleared and the throttle kept). Sky Port has no
// heterogeneous jobs, so a HetOffset selects nothing.
func ScontrolSelectJobs(jobs []*Job, q ScontrolJobQuery, taskView func(meta *Job, task int64) *Job) []*Job {
	if q.HetOffset >= 0 {
		return nil
	}
	var out []*Job
	for _, j := range jobs {
		if !q.All && j.JobID != q.JobID && j.ArrayJobID != q.JobID {
			continue
		}
		if q.Task < 0 {
			out = append(out, j)
			continue
		}
		switch {
		case j.ArrayTasks != "" && slices.Contains(expandArrayTasks(j.ArrayTasks), q.Task):
			out = append(out, scontrolTaskView(j, q.Task, taskView))
		case j.ArrayTasks == "" && j.ArrayJobID != 0 && j.ArrayTaskID == q.Task:
			out = append(out, j)
		}
	}
	slices.SortStableFunc(out, func(a, b *Job) int {
		if c := cmp.Compare(arrayMaster(a), arrayMaster(b)); c != 0 || a.ArrayJobID == 0 {
			return c
		}
		if (a.ArrayTasks != "") != (b.ArrayTasks != "") {
			if a.ArrayTasks != "" {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.ArrayTaskID, a.ArrayTaskID)
	})
	return out
}

// scontrolTaskView is the record of one task of a pending array record.
func scontrolTaskView(meta *Job, task int64, taskView func(*Job, int64) *Job) *Job {
	if taskView != nil {
		return taskView(meta, task)
	}
	v := *meta
	v.ArrayThrottle = arrayThrottle(meta)
	v.ArrayTasks, v.ArrayTaskID = "", task
	return &v
}
