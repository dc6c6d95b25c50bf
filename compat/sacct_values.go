package compat

import "time"

// stepFinished reports whether a step has ended.
func stepFinished(s *Step) bool {
	return !s.End.IsZero() || jobFinished(s.State)
}

// rowCPUs is the CPU count of a row.
func rowCPUs(r *sacctRow) int64 {
	if r.step != nil && r.step.NumCPUs > 0 {
		return int64(r.step.NumCPUs)
	}
	return int64(max(r.j.NumCPUs, 1))
}

// rowNodeList is the node list of a row (a step inherits its job's).
func rowNodeList(r *sacctRow) string {
	if r.step != nil && r.step.NodeList != "" {
		return r.step.NodeList
	}
	return r.j.NodeList
}

// rowElapsed is a row's run time in seconds: 0 before it starts, up to now
// while it runs.
func rowElapsed(r *sacctRow) int64 {
	start, end := r.j.StartTime, r.j.EndTime
	if r.step != nil {
		start, end = r.step.Start, r.step.End
		if end.IsZero() && jobFinished(r.j.State) {
			end = r.j.EndTime
		}
	}
	if start.IsZero() {
		return 0
	}
	if end.IsZero() {
		end = r.now
	}
	return max(0, int64(end.Sub(start)/time.Second))
}

// jobReserved is sacct's Reserved: how long the job waited from eligible
// to start (up to now while pending).
func jobReserved(r *sacctRow) int64 {
	j := r.j
	if j.EligibleTime.IsZero() {
		return 0
	}
	start := effectiveStart(j)
	if start.IsZero() || j.State == "PENDING" {
		start = r.now
	}
	return max(0, int64(start.Sub(j.EligibleTime)/time.Second))
}

// cpuValue prints a CPU time: a step's own once it has finished, the sum
// over the job's finished steps on the job row.
func cpuValue(get func(*Step) time.Duration) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		var d time.Duration
		if s := r.step; s != nil {
			if stepFinished(s) {
				d = get(s)
			}
			return appendCPUTime(b, d), true
		}
		// The job row: the sum over its finished steps.
		if s := r.j.Batch; s != nil && stepFinished(s) {
			d += get(s)
		}
		for _, s := range r.j.Steps {
			if stepFinished(s) {
				d += get(s)
			}
		}
		return appendCPUTime(b, d), true
	}
}

// appendSacctJobID prints JobID ("45_2", "57_[0-1,3]", "93.batch") or,
// with raw, JobIDRaw ("50", "50.batch").
func appendSacctJobID(b []byte, r *sacctRow, raw bool) []byte {
	j := r.j
	switch {
	case raw:
		b = appendUint(b, uint64(j.JobID))
	case j.ArrayTasks != "":
		b = appendUint(b, uint64(arrayMaster(j)))
		b = append(b, "_["...)
		b = append(b, j.ArrayTasks...)
		b = append(b, ']')
	case j.ArrayTaskID >= 0:
		b = appendUint(b, uint64(arrayMaster(j)))
		b = append(b, '_')
		b = appendInt(b, j.ArrayTaskID)
	default:
		b = appendUint(b, uint64(j.JobID))
	}
	if r.step != nil {
		b = append(b, '.')
		b = append(b, r.step.stepID()...)
	}
	return b
}

// stepID is what follows the dot in the step's JobID.
func (s *Step) stepID() string {
	if s.ID != "" {
		return s.ID
	}
	return s.Name
}

// derivedExitCode is the job row's DerivedExitCode: the highest exit
// status (as a wait status, code<<8 | signal) of its srun steps.
func derivedExitCode(j *Job) (code, sig int) {
	best := -1
	for _, s := range j.Steps {
		if !stepFinished(s) {
			continue
		}
		if w := s.ExitCode<<8 | s.Signal; w > best {
			best, code, sig = w, s.ExitCode, s.Signal
		}
	}
	return code, sig
}
