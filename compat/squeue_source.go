package compat

import "sync"

// JobSource is the list of jobs SqueueFrom chooses among, read one job at
// a time, so that a caller keeping its jobs in another form (the daemon's
// live set) never holds a view of every job at once.
type JobSource interface {
	// Len is the number of jobs.
	Len() int
	// View returns the view of job i (0 ≤ i < Len). It may fill scratch,
	// which the caller owns, and return it; the view it returns is only
	// read until the next call. The view holds the core fields (see
	// CoreOf) and the parts need names; the others may be left empty.
	View(i int, scratch *Job, need ViewNeed) *Job
}

// ViewNeed is a set of the parts of a job's view beyond its core fields.
type ViewNeed uint8

const (
	// NeedDetail is every field CoreOf leaves out, but the paths and the
	// steps.
	NeedDetail ViewNeed = 1 << iota
	// NeedPaths is StdOut, StdErr and StdIn (the output patterns resolved).
	NeedPaths
	// NeedSteps is Batch, Steps and PastRuns.
	NeedSteps
)

// CoreOf returns the core fields of v, the others empty: what a JobSource
// must always fill. They are what squeue selects and sorts on and what
// its default and long formats print.
func CoreOf(v *Job) Job {
	return Job{
		JobID: v.JobID, ArrayJobID: v.ArrayJobID, ArrayTaskID: v.ArrayTaskID, ArrayTasks: v.ArrayTasks,
		Name: v.Name, User: v.User, UID: v.UID, Group: v.Group, GID: v.GID,
		Account: v.Account, QOS: v.QOS, Cluster: v.Cluster, Partition: v.Partition,
		State: v.State, Reason: v.Reason, Priority: v.Priority,
		SubmitTime: v.SubmitTime, StartTime: v.StartTime, EndTime: v.EndTime, TimeLimit: v.TimeLimit,
		NumNodes: v.NumNodes, NumCPUs: v.NumCPUs, MinMemoryMB: v.MinMemoryMB, MemPerCPU: v.MemPerCPU,
		NodeList: v.NodeList,
	}
}

// JobList is a JobSource over views already built.
type JobList []*Job

// Len implements JobSource.
func (l JobList) Len() int { return len(l) }

// View implements JobSource: the i-th view itself.
func (l JobList) View(i int, _ *Job, _ ViewNeed) *Job { return l[i] }

// squeueColumnNeed is what squeue's columns read beyond the core fields,
// by header; the other columns read core fields only.
var squeueColumnNeed = sync.OnceValue(func() map[string]ViewNeed {
	return map[string]ViewNeed{
		"TRES_PER_NODE": NeedDetail, "MIN_CPUS": NeedDetail, "COMMENT": NeedDetail, "COMMAND": NeedDetail,
		"NICE": NeedDetail, "DEPENDENCY": NeedDetail, "SCHEDNODES": NeedDetail, "WORK_DIR": NeedDetail,
		"TASKS": NeedDetail, "CPUS_PER_TASK": NeedDetail, "ELIGIBLE_TIME": NeedDetail, "ACCRUE_TIME": NeedDetail,
		"EXIT_CODE": NeedDetail, "RESTART_COUNT": NeedDetail, "ALLOC_NODES": NeedDetail,
		"TRES_ALLOC": NeedDetail, "TRES_PER_JOB": NeedDetail, "TRES_PER_SOCKET": NeedDetail, "TRES_PER_TASK": NeedDetail,
		"CPUS_PER_TRES": NeedDetail, "MEM_PER_TRES": NeedDetail,
		"STDOUT": NeedPaths, "STDERR": NeedPaths, "STDIN": NeedPaths,
	}
})

// squeueNeed is what the columns of items read beyond the core fields
// (selecting and sorting read core fields only).
func squeueNeed(items []fmtItem) ViewNeed {
	var need ViewNeed
	for _, it := range items {
		if it.col >= 0 {
			need |= squeueColumnNeed()[squeueFields()[it.col].header]
		}
	}
	return need
}
