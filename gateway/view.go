package gateway

import (
	"time"

	"skyport/compat"
	"skyport/queue"
)

// entry is one job in the live set: its record and, while it is
// pending, the scheduler's reason. Its Slurm-facing view is built when
// asked for (viewOf, fillView), never kept: a view is as large as the
// record, and keeping both doubled the daemon's memory per queued job. job
// is replaced, never changed in place, so a reader may keep the pointer it
// took under s.mu after releasing the lock.
type entry struct {
	job *queue.Job
	// reason is the scheduler's current reason for a pending job; it is
	// not persisted (it changes on every pass).
	reason string
}

// shownReason is the reason Slurm shows for the job of e ("None" for none).
func (e *entry) shownReason() string {
	if e.reason == "" {
		return "None"
	}
	return e.reason
}

// publish stores j in the live set; the caller holds s.mu.
func (s *Server) publish(j *queue.Job, reason string) *entry {
	if reason == "" {
		reason = j.Reason
	}
	e := &entry{job: j, reason: reason}
	old := s.live[j.ID]
	s.live[j.ID] = e
	s.order.put(j.ID, e)
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

// viewOf builds the whole Slurm-facing view of a job.
func (s *Server) viewOf(j *queue.Job, reason string) *compat.Job {
	v := new(compat.Job)
	s.fillView(v, j, reason, compat.NeedDetail|compat.NeedPaths|compat.NeedSteps)
	return v
}

// fillView sets every field of v to the view of job j with reason: the
// core fields (compat.CoreOf) always, the parts need names, the others
// empty. Without paths and steps it allocates nothing for a plain job;
// without the details it reads fewer of the record's fields, which is what
// squeue over a large queue spends its time on (one view per job).
func (s *Server) fillView(v *compat.Job, j *queue.Job, reason string, need compat.ViewNeed) {
	if reason == "" {
		reason = "None"
	}
	prio := priorityOf(j)
	if reason == reasonBadConstraints {
		prio = 0 // a job that can never run, as slurmctld shows it
	}
	*v = compat.Job{
		JobID: j.ID, ArrayJobID: j.ArrayJobID, ArrayTaskID: j.ArrayTaskID, ArrayTasks: arrayTasksView(j),
		Name: j.Name, User: j.User, UID: j.UID, Group: j.Group, GID: j.GID,
		Account: j.Account, QOS: j.QOS, Cluster: j.Cluster,
		Partition: j.Partition, State: string(j.State), Reason: reason, Priority: prio,
		SubmitTime: j.SubmitTime, StartTime: j.StartTime, EndTime: j.EndTime,
		TimeLimit: j.TimeLimit, NumNodes: max(j.MinNodes, 1), NumCPUs: jobCPUs(j),
		NodeList: j.NodeList,
	}
	if j.MemPerNodeMB > 0 {
		v.MinMemoryMB = j.MemPerNodeMB
	} else {
		v.MinMemoryMB, v.MemPerCPU = j.MemPerCPUMB, true
	}
	if j.AllocCPUs > 0 {
		v.NumCPUs = j.AllocCPUs
	}
	if need&compat.NeedDetail != 0 {
		v.CancelledBy, v.EligibleTime = j.CancelledBy, j.EligibleTime
		v.NumTasks, v.CPUsPerTask = max(j.NTasks, 1), max(j.CPUsPerTask, 1)
		v.WorkDir, v.Command, v.Comment, v.SubmitHost = j.WorkDir, j.Command, j.Comment, j.SubmitHost
		v.ExitCode, v.ExitSignal, v.Restarts = j.ExitCode, j.ExitSignal, j.Restarts
		v.CostMicros, v.CostCurrency = j.CostMicros, j.CostCurrency
		controlView(j, v)
		gpuView(j, v) // gpu.go
	}
	if need&compat.NeedPaths != 0 {
		v.StdOut, v.StdErr, v.StdIn = s.outputPaths(j)
	}
	if need&compat.NeedSteps != 0 {
		if j.BatchState != "" {
			v.Batch = &compat.Step{
				Name: "batch", State: string(j.BatchState), ExitCode: j.BatchExitCode, Signal: j.BatchSignal,
				Start: j.StartTime, End: j.EndTime, MaxRSSKB: j.MaxRSSKB,
				TotalCPU: time.Duration(j.TotalCPU), UserCPU: time.Duration(j.UserCPU), SystemCPU: time.Duration(j.SystemCPU),
				NodeList: j.NodeList, NumCPUs: v.NumCPUs,
			}
		}
		v.Steps = stepViews(j) // steps.go
		for i := range j.PastRuns {
			pv := new(compat.Job)
			s.fillView(pv, &j.PastRuns[i], "", compat.NeedDetail|compat.NeedSteps)
			v.PastRuns = append(v.PastRuns, pv)
		}
	}
}

// outputPaths are the files job j's output patterns name: stdout, stderr
// (stdout's when they are joined) and stdin.
func (s *Server) outputPaths(j *queue.Job) (stdout, stderr, stdin string) {
	node := j.NodeList
	if node == "" {
		node = s.host
	}
	stdout = s.outputPath(j, j.StdOut, node)
	stdin = s.outputPath(j, j.StdIn, node)
	stderr = stdout
	if j.StdErr != "" {
		stderr = s.outputPath(j, j.StdErr, node)
	}
	return stdout, stderr, stdin
}

// jobCPUs is the number of CPUs a job asks for: tasks × CPUs per task.
func jobCPUs(j *queue.Job) int {
	if j.Overcommit { // --overcommit: as if one task per node
		return max(j.MinNodes, 1) * max(j.CPUsPerTask, 1)
	}
	return max(j.NTasks, 1) * max(j.CPUsPerTask, 1)
}

// jobMem is the memory in MiB a job holds on its node.
func jobMem(j *queue.Job) int64 { return memFor(j, jobCPUs(j)) }

// memFor is j's memory in MiB on a node where it holds cpus CPUs: per
// node, else per CPU.
func memFor(j *queue.Job, cpus int) int64 {
	if j.MemPerNodeMB > 0 {
		return j.MemPerNodeMB
	}
	return j.MemPerCPUMB * int64(cpus)
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
