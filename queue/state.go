package queue

import "fmt"

// State is a job state, spelled as Slurm spells it (squeue %T, sacct State).
type State string

// The job states Sky Port uses; the names are Slurm's.
const (
	Pending     State = "PENDING"
	Configuring State = "CONFIGURING"
	Running     State = "RUNNING"
	Completing  State = "COMPLETING"
	Completed   State = "COMPLETED"
	Failed      State = "FAILED"
	Cancelled   State = "CANCELLED"
	Timeout     State = "TIMEOUT"
	NodeFail    State = "NODE_FAIL"
	OutOfMemory State = "OUT_OF_MEMORY"
	Preempted   State = "PREEMPTED"
	BootFail    State = "BOOT_FAIL"
	Requeued    State = "REQUEUED"
	Suspended   State = "SUSPENDED"
)

// AllStates lists every state, in the order Slurm lists them.
var AllStates = []State{Pending, Running, Suspended, Completed, Cancelled, Failed, Timeout,
	NodeFail, Preempted, BootFail, OutOfMemory, Completing, Configuring, Requeued}

// Terminal reports whether s is a final state: the job no longer runs and
// holds no resources.
func (s State) Terminal() bool {
	switch s {
	case Completed, Failed, Cancelled, Timeout, NodeFail, OutOfMemory, Preempted, BootFail:
		return true
	}
	return false
}

// Valid reports whether s is one of the states above.
func (s State) Valid() bool {
	for _, v := range AllStates {
		if v == s {
			return true
		}
	}
	return false
}

// terminals are the final states a started job may end in.
var terminals = []State{Completed, Failed, Cancelled, Timeout, NodeFail, OutOfMemory, Preempted, BootFail}

// legal is the one table of allowed state changes. A job in a final state
// may only be requeued (REQUEUED, then PENDING with Restarts+1).
var legal = map[State][]State{
	Pending:     {Configuring, Running, Cancelled, Failed},
	Configuring: append([]State{Running, Pending, Requeued}, terminals...),
	Running:     append([]State{Completing, Suspended, Requeued}, terminals...),
	Completing:  append([]State{Requeued}, terminals...),
	Suspended:   append([]State{Running, Completing, Requeued}, terminals...),
	Requeued:    {Pending},
	Completed:   {Requeued},
	Failed:      {Requeued},
	Cancelled:   {Requeued},
	Timeout:     {Requeued},
	NodeFail:    {Requeued},
	OutOfMemory: {Requeued},
	Preempted:   {Requeued},
	BootFail:    {Requeued},
}

// CanTransition reports whether a job may move from one state to another.
// Staying in the same state is always allowed (a reason may change).
func CanTransition(from, to State) bool {
	if from == to {
		return from.Valid()
	}
	for _, s := range legal[from] {
		if s == to {
			return true
		}
	}
	return false
}

// checkTransition returns ErrIllegalTransition, wrapped with the states,
// when from→to is not allowed.
func checkTransition(id uint32, from, to State) error {
	if CanTransition(from, to) {
		return nil
	}
	return fmt.Errorf("queue: job %d: %s -> %s: %w", id, from, to, ErrIllegalTransition)
}
