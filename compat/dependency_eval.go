package compat

import "time"

// Reasons a pending job waits for its dependency (squeue %r).
const (
	ReasonWaitDependency = "Dependency"
	ReasonNeverSatisfied = "DependencyNeverSatisfied"
)

// DepJob is what dependency evaluation reads of one job or array task,
// and of the dependent job itself.
type DepJob struct {
	JobID       uint32 // the raw job id
	ArrayJobID  uint32 // the array's master id; 0 when not an array task
	ArrayTaskID int64  // -1 when not an array task
	UID         uint32
	Name        string
	// State is the full Slurm state name ("PENDING", "RUNNING",
	// "COMPLETED", "FAILED", ...); an array task not started yet is
	// "PENDING".
	State string
	// StartTime is when the job started, or when it was cancelled before
	// it started; zero while it is pending.
	StartTime time.Time
}

// DependencyLookup is dependency evaluation's view of the queue. The
// functions are called synchronously, any number of times, and must not
// change the queue.
type DependencyLookup struct {
	// Job returns the jobs id names: the job or array task whose raw id
	// is id and, when id is an array's master id, every task of that
	// array (tasks not started yet included, as PENDING). It returns
	// nothing for an unknown id. Slurm forgets a job MinJobAge after it
	// ended, so returning nothing for such jobs too is exact: an item on
	// one is then lifted, even an afterok on a job that failed.
	Job func(id uint32) []DepJob
	// Named returns the jobs of user uid called name (for singleton); the
	// unfinished ones are enough.
	Named func(uid uint32, name string) []DepJob
}

// DependencyResult is the outcome of DependencyStatus.
type DependencyResult struct {
	// Dep is the dependency with the items' new states; the daemon stores
	// it in place of the old one. It is empty once the dependency is
	// satisfied, as Slurm then forgets it.
	Dep Dependency
	// Satisfied means the job may run; NeverSatisfied that it never will
	// (it stays pending: Sky Port, like this Slurm, does not cancel it).
	Satisfied, NeverSatisfied bool
	// Rendered is what squeue %E and scontrol's Dependency= print
	// (Job.Dependency): "afterok:81(unfulfilled)", "" once satisfied.
	Rendered string
	// Reason is the pending reason: ReasonWaitDependency,
	// ReasonNeverSatisfied, or "" when satisfied.
	Reason string
}

// DependencyStatus evaluates dep for the pending job self as Slurm 22.05's
// controller does at submission and at each scheduling pass, and returns
// the new states. Only unfulfilled items are looked at again; fulfilled
// and failed ones are final. An item whose job (or task) is unknown is
// fulfilled ("job is gone, dependency lifted"), which is how an unknown
// id at submission disappears from squeue. An item naming an array's
// master id without a task becomes "_*" and waits for the whole array.
// With '?' one fulfilled item satisfies all; otherwise one failed item
// means the dependency is never satisfied. now is the current time (for
// "after:id+minutes").
//
// For aftercorr the daemon should evaluate each task of a dependent array
// on its own (self.ArrayTaskID set), as Slurm splits such arrays; for the
// array's still-collapsed record (ArrayJobID set, ArrayTaskID -1) a
// failure only keeps it waiting.
func DependencyStatus(dep Dependency, self DepJob, look DependencyLookup, now time.Time) DependencyResult {
	out := Dependency{Any: dep.Any, Items: make([]DepItem, 0, len(dep.Items))}
	seen := make(map[depKey]bool, len(dep.Items))
	for _, it := range dep.Items {
		if it.State == DepUnfulfilled {
			it = evalDepItem(it, self, look, now)
		}
		k := depKey{it.Type, it.JobID, it.Task}
		if seen[k] {
			continue // "afterok:45:45_*" once 45 is known to be an array
		}
		seen[k] = true
		out.Items = append(out.Items, it)
	}
	var orSatisfied, andFailed, unfulfilled bool
	for _, it := range out.Items {
		switch {
		case it.State == DepUnfulfilled:
			unfulfilled = true
		case dep.Any && it.State == DepFulfilled:
			orSatisfied = true
		case !dep.Any && it.State == DepFailed:
			andFailed = true
		}
	}
	if orSatisfied || (!dep.Any && !andFailed && !unfulfilled) {
		return DependencyResult{Satisfied: true}
	}
	r := DependencyResult{Dep: out, Rendered: out.String(), Reason: ReasonWaitDependency}
	if andFailed || (dep.Any && !unfulfilled) {
		r.NeverSatisfied, r.Reason = true, ReasonNeverSatisfied
	}
	return r
}

// evalDepItem gives an unfulfilled item its new state.
func evalDepItem(it DepItem, self DepJob, look DependencyLookup, now time.Time) DepItem {
	if it.Type == DepSingleton {
		if !singletonBlocked(self, look) {
			it.State = DepFulfilled
		}
		return it
	}
	var jobs []DepJob
	if look.Job != nil {
		jobs = look.Job(it.JobID)
	}
	if it.Task == DepNoTask && isArrayOf(jobs, it.JobID) {
		it.Task = DepAllTasks
	}
	target, ok := depTarget(jobs, it)
	if !ok {
		it.State = DepFulfilled // the job is gone
		return it
	}
	if it.Type == DepAfterCorr && self.ArrayTaskID >= 0 {
		// The task of the same id, when there is one, must end COMPLETED.
		for _, j := range jobs {
			if j.ArrayJobID == it.JobID && j.ArrayTaskID == self.ArrayTaskID {
				it.State = judgeDep(DepAfterOK, 0, depOutcomeOf([]DepJob{j}), now)
				return it
			}
		}
	}
	it.State = judgeDep(it.Type, it.Delay, target, now)
	if it.Type == DepAfterCorr && it.State == DepFailed && self.ArrayJobID != 0 && self.ArrayTaskID < 0 {
		it.State = DepUnfulfilled // the array's collapsed record keeps waiting
	}
	return it
}

// isArrayOf reports whether jobs hold tasks of array id.
func isArrayOf(jobs []DepJob, id uint32) bool {
	for _, j := range jobs {
		if j.ArrayJobID == id && j.ArrayTaskID >= 0 {
			return true
		}
	}
	return false
}

// depOutcome is what the conditions test of a job, task or whole array.
type depOutcome struct {
	complete  bool // ended COMPLETED (every task, for an array)
	completed bool // ended, however (every task)
	pending   bool // not started (any task)
	special   bool // in SPECIAL_EXIT
	start     time.Time
}

// depTarget finds what item names among jobs; ok is false when it is gone.
func depTarget(jobs []DepJob, it DepItem) (depOutcome, bool) {
	var match []DepJob
	for _, j := range jobs {
		switch {
		case it.Task == DepAllTasks && j.ArrayJobID == it.JobID && j.ArrayTaskID >= 0,
			it.Task == DepNoTask && j.JobID == it.JobID,
			it.Task >= 0 && j.ArrayJobID == it.JobID && j.ArrayTaskID == it.Task:
			match = append(match, j)
		}
	}
	if len(match) == 0 {
		return depOutcome{}, false
	}
	if it.Task != DepAllTasks {
		match = match[:1]
	}
	return depOutcomeOf(match), true
}

// depOutcomeOf sums up jobs (one job, or the tasks of an array).
func depOutcomeOf(jobs []DepJob) depOutcome {
	o := depOutcome{complete: true, completed: true}
	for _, j := range jobs {
		o.complete = o.complete && j.State == "COMPLETED"
		o.completed = o.completed && depEnded(j.State)
		o.pending = o.pending || depPending(j.State)
		o.special = o.special || j.State == "SPECIAL_EXIT"
		if j.StartTime.After(o.start) {
			o.start = j.StartTime
		}
	}
	return o
}

// judgeDep applies condition typ (with its "+time" delay in seconds) to
// its target.
func judgeDep(typ DepType, delay uint32, o depOutcome, now time.Time) DepState {
	switch typ {
	case DepAfter:
		if !o.pending && (delay == 0 ||
			(!o.start.IsZero() && now.Sub(o.start) >= time.Duration(delay)*time.Second)) {
			return DepFulfilled
		}
	case DepAfterAny, DepAfterBurstBuffer:
		if o.completed {
			return DepFulfilled
		}
	case DepAfterNotOK:
		switch {
		case o.special:
			return DepFulfilled
		case !o.completed:
		case !o.complete:
			return DepFulfilled
		default:
			return DepFailed
		}
	case DepAfterOK, DepAfterCorr:
		switch {
		case !o.completed:
		case o.complete:
			return DepFulfilled
		default:
			return DepFailed
		}
	}
	return DepUnfulfilled
}

// singletonBlocked reports whether another job of self's user and name is
// running or suspended, or pending with a lower id (tasks of self's own
// array do not count).
func singletonBlocked(self DepJob, look DependencyLookup) bool {
	if look.Named == nil {
		return false
	}
	for _, j := range look.Named(self.UID, self.Name) {
		if j.UID != self.UID || j.Name != self.Name || j.JobID == self.JobID ||
			(self.ArrayJobID != 0 && j.ArrayJobID == self.ArrayJobID) {
			continue
		}
		switch {
		case depRunning(j.State), j.State == "SUSPENDED",
			depPending(j.State) && j.JobID < self.JobID:
			return true
		}
	}
	return false
}

// depPending reports whether state is a pending one (Slurm's base state
// JOB_PENDING).
func depPending(state string) bool {
	switch state {
	case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT":
		return true
	}
	return false
}

// depRunning reports whether state has Slurm's base state JOB_RUNNING.
func depRunning(state string) bool {
	switch state {
	case "RUNNING", "CONFIGURING", "RESIZING", "SIGNALING", "STOPPED":
		return true
	}
	return false
}

// depEnded reports whether a job in state has ended and is no longer
// completing (Slurm's IS_JOB_COMPLETED).
func depEnded(state string) bool {
	switch state {
	case "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL",
		"PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY":
		return true
	}
	return false
}
