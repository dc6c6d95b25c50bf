package gateway

import (
	"time"

	"skyport/compat"
	"skyport/queue"
)

// entry is one job in the live set. job and view are replaced, never
// changed in place, so a reader may keep the pointers it took under s.mu
// after releasing the lock.
type entry struct {
	job  *queue.Job
	view *compat.Job
	// reason is the scheduler's current reason for a pending job; it is
	// not persisted (it changes on every pass).
	reason string
}

// publish stores j in the live set with a fresh view; the caller holds s.mu.
func (s *Server) publish(j *queue.Job, reason string) *entry {
	if reason == "" {
		reason = j.Reason
	}
	e := &entry{job: j, reason: reason}
	e.view = s.viewOf(j, reason)
	old := s.live[j.ID]
	s.live[j.ID] = e
	s.noteChange(old, e) // events.go
	return e
}

// setReason changes a pending job's reason; the caller holds s.mu.
func (s *Server) setReason(e *entry, reason string) {
	if e.reason == reason {
		return
	}
	s.publish(e.job, reason)
}

// viewOf builds the Slurm-facing view of a job.
func (s *Server) viewOf(j *queue.Job, reason string) *compat.Job {
	if reason == "" {
		reason = "None"
	}
	v := &compat.Job{
		JobID: j.ID, ArrayJobID: j.ArrayJobID, ArrayTaskID: j.ArrayTaskID,
		Name: j.Name, User: j.User, UID: j.UID, Group: j.Group, GID: j.GID,
		Account: j.Account, QOS: j.QOS, Cluster: j.Cluster,
		Partition: j.Partition, State: string(j.State), Reason: reason, Priority: priorityOf(j),
		CancelledBy: j.CancelledBy,
		SubmitTime:  j.SubmitTime, EligibleTime: j.EligibleTime, StartTime: j.StartTime, EndTime: j.EndTime,
		TimeLimit: j.TimeLimit,
		NumNodes:  max(j.MinNodes, 1), NumCPUs: jobCPUs(j), NumTasks: max(j.NTasks, 1),
		CPUsPerTask: max(j.CPUsPerTask, 1),
		NodeList:    j.NodeList,
		WorkDir:     j.WorkDir, Command: j.Command, StdIn: j.StdIn, Comment: j.Comment,
		SubmitHost: j.SubmitHost,
		ExitCode:   j.ExitCode, ExitSignal: j.ExitSignal, Restarts: j.Restarts,
		CostMicros: j.CostMicros, CostCurrency: j.CostCurrency,
	}
	controlView(j, v)
	if j.MemPerNodeMB > 0 {
		v.MinMemoryMB = j.MemPerNodeMB
	} else {
		v.MinMemoryMB, v.MemPerCPU = j.MemPerCPUMB, true
	}
	if j.AllocCPUs > 0 {
		v.NumCPUs = j.AllocCPUs
	}
	node := j.NodeList
	if node == "" {
		node = s.host
	}
	v.StdOut = s.outputPath(j, j.StdOut, node)
	v.StdIn = s.outputPath(j, j.StdIn, node)
	v.StdErr = v.StdOut
	if j.StdErr != "" {
		v.StdErr = s.outputPath(j, j.StdErr, node)
	}
	if j.BatchState != "" {
		v.Batch = &compat.Step{
			Name: "batch", State: string(j.BatchState), ExitCode: j.BatchExitCode, Signal: j.BatchSignal,
			Start: j.StartTime, End: j.EndTime, MaxRSSKB: j.MaxRSSKB,
			TotalCPU: time.Duration(j.TotalCPU), UserCPU: time.Duration(j.UserCPU), SystemCPU: time.Duration(j.SystemCPU),
			NodeList: j.NodeList, NumCPUs: v.NumCPUs,
		}
	}
	v.Steps = stepViews(j) // steps.go
	return v
}

// jobCPUs is the number of CPUs a job asks for: tasks × CPUs per task.
func jobCPUs(j *queue.Job) int { return max(j.NTasks, 1) * max(j.CPUsPerTask, 1) }

// jobMem is the memory in MiB a job holds on its node.
func jobMem(j *queue.Job) int64 {
	if j.MemPerNodeMB > 0 {
		return j.MemPerNodeMB
	}
	return j.MemPerCPUMB * int64(jobCPUs(j))
}

// outputPath is the file an output pattern of job j names on node.
func (s *Server) outputPath(j *queue.Job, pattern, node string) string {
	arrayID := j.ID
	if j.ArrayJobID != 0 {
		arrayID = j.ArrayJobID
	}
	return compat.ResolveOutput(pattern, j.WorkDir, compat.PatternVars{
		JobID: j.ID, ArrayJobID: arrayID, ArrayTaskID: j.ArrayTaskID,
		JobName: j.Name, User: j.User, Node: node,
	})
}
