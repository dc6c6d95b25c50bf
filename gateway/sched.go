package gateway

import (
	"context"
	"errors"
	"slices"
	"time"

	"skyport/queue"
)

// reasonBadConstraints is the reason of a job no node can ever hold
// (recorded: a released held job asking for 3 GPUs of 2; Priority=0).
const reasonBadConstraints = "BadConstraints"

// schedule is the scheduler loop: it runs a pass whenever a job is
// submitted or ends (poke), and once a second for time-based changes.
func (s *Server) schedule(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		s.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// start is one run a pass decided: job carries the allocation; task >= 0
// means "task task of the array master job", split off before it runs.
type start struct {
	job  *queue.Job
	task int64
}

// pass walks the pending jobs in priority order (submission order), starts
// every job that fits its partition and node, and gives the others Slurm's
// reason: the first job a gate cannot take waits for "Resources", the jobs
// behind it for "Priority". Jobs waiting for a dependency or their begin
// time say so and block nobody; an array starts as many tasks as fit and
// its throttle allows. Dependency changes are stored before the jobs
// start, so a started job never shows an old dependency.
func (s *Server) pass(ctx context.Context) {
	now := s.now()
	var starts []start
	var deps []depChange
	s.mu.Lock()
	blocked := map[string]bool{} // gate name → an earlier job is waiting for it
	var idx *depIndex
	var running map[uint32]int // array → tasks holding resources, built when needed
	keep := s.pending[:0]
	gateReasons := map[string]string{}
	for _, id := range s.pending {
		e, ok := s.live[id]
		if !ok || e.job.State != queue.Pending || e.job.Held {
			if !ok || e.job.State.Terminal() {
				delete(s.retries, id) // gatereason.go
			}
			continue // started, cancelled, held or gone: drop from the list
		}
		j := e.job
		var taskOK func(int64) bool // aftercorr: which tasks may start
		if j.Dependency != "" {
			if idx == nil {
				idx = s.newDepIndex()
			}
			res := s.evalDep(j, idx, j.ArrayTaskID, now)
			kill := res.NeverSatisfied && j.KillOnInvalidDep
			if res.Rendered != j.Dependency {
				deps = append(deps, depChange{id: id, old: j.Dependency, new: res.Rendered, kill: kill})
			}
			if !res.Satisfied {
				taskOK = s.corrTasks(j, idx, res, now)
				if taskOK == nil {
					s.setReason(e, res.Reason)
					if !kill {
						keep = append(keep, id)
					}
					continue
				}
			}
		}
		if !j.BeginTime.IsZero() && now.Before(j.BeginTime) {
			s.setReason(e, "BeginTime")
			keep = append(keep, id)
			continue
		}
		p := s.byName[j.Partition]
		if why := s.waitReason(j, p, now, gateReasons); why != "" {
			s.setReason(e, why) // gatereason.go
			keep = append(keep, id)
			continue
		}
		if isMaster(j) {
			if running == nil && j.ArrayThrottle > 0 {
				running = s.arrayRunning()
			}
			if s.placeTasks(e, p, blocked, running, taskOK, &starts) {
				keep = append(keep, id)
			}
			continue
		}
		reason, n := s.place(j, p, blocked)
		if n == nil {
			s.setReason(e, reason)
			keep = append(keep, id)
			continue
		}
		starts = append(starts, start{job: s.allocate(j, p, n), task: queue.NoArrayTask})
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	s.mu.Unlock()
	s.applyDepChanges(ctx, deps)
	for _, st := range starts {
		j := st.job
		if st.task >= 0 {
			// Split here, in order: tasks get their IDs as they start,
			// lowest task first, and the last one keeps the array's ID.
			if j = s.splitForRun(ctx, st); j == nil {
				continue
			}
		}
		s.runners.Add(1)
		go func() {
			defer s.runners.Done()
			s.run(s.runCtx, j)
		}()
	}
}

// allocate takes j's resources on node n of p and returns the copy of j
// that carries the allocation; the caller holds s.mu.
func (s *Server) allocate(j *queue.Job, p *partition, n *node) *queue.Job {
	cpus, mem := needCPUs(j), needMem(j)
	n.usedCPUs += cpus
	n.usedMem += mem
	p.usedCPUs += cpus
	p.usedMem += mem
	c := j.Clone()
	c.NodeList = n.name
	c.AllocCPUs = cpus
	c.AllocMemMB = mem
	c.GPUIDs = n.takeGPUs(j.GPUs) // gpu.go
	c.Gate = p.gateName
	return c
}

// placeTasks starts as many pending tasks of array master e as fit, the
// throttle allows and taskOK (nil: all) accepts, lowest task id first. It
// publishes the master without them at once, so that the next pass does
// not pick them again, and reports whether tasks are left; the caller
// holds s.mu.
func (s *Server) placeTasks(e *entry, p *partition, blocked map[string]bool, running map[uint32]int,
	taskOK func(int64) bool, starts *[]start) bool {
	j := e.job
	pending := parseTaskSet(j.ArrayPending)
	reason := ""
	took := false
	for pending.Len() > 0 {
		if j.ArrayThrottle > 0 && running[j.ID] >= j.ArrayThrottle {
			reason = "JobArrayTaskLimit"
			break
		}
		t, tried := int64(-1), 0
		pending.Each(func(x int64) bool {
			if taskOK == nil || taskOK(x) {
				t = x
				return false
			}
			tried++
			return tried < maxCorrTries
		})
		if t < 0 {
			reason = "Dependency"
			break
		}
		var n *node
		if reason, n = s.place(j, p, blocked); n == nil {
			break
		}
		pending = pending.Remove(t)
		*starts = append(*starts, start{job: s.allocate(j, p, n), task: t})
		if running != nil {
			running[j.ID]++
		}
		took = true
	}
	if pending.Len() == 0 {
		return false // the last task takes over the master record
	}
	if took {
		c := j.Clone()
		c.ArrayPending = pending.String()
		s.publish(c, reason)
		return true
	}
	s.setReason(e, reason)
	return true
}

// splitForRun splits the task a pass started off its master and returns
// its record with the allocation, or nil (resources given back) when the
// task is no longer pending.
func (s *Server) splitForRun(ctx context.Context, st start) *queue.Job {
	j := st.job
	rec, err := s.takeTask(ctx, j.ID, st.task)
	if err != nil {
		s.release(j)
		if !errors.Is(err, errSkip) {
			s.log.Error("cannot start array task", "job_id", j.ID, "task", st.task, "err", err)
			s.reloadLive(ctx, j.ID)
		}
		s.poke()
		return nil
	}
	c := rec.Clone()
	c.NodeList, c.AllocCPUs, c.AllocMemMB, c.Gate = j.NodeList, j.AllocCPUs, j.AllocMemMB, j.Gate
	c.GPUIDs = j.GPUIDs
	return c
}

// reloadLive publishes job id as stored and puts it back in the
// scheduling list when it is pending: the way back after a change that
// failed half-way.
func (s *Server) reloadLive(ctx context.Context, id uint32) {
	_, _ = s.updateMaster(ctx, id, false, func(*queue.Job) error { return nil })
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live[id]; ok && e.job.State == queue.Pending && !e.job.Held && !slices.Contains(s.pending, id) {
		s.pending = insertSorted(s.pending, id)
	}
}

// place decides where j can run now. It returns the node, or nil and the
// reason j has to wait; the caller holds s.mu. A job that waits only for
// GPUs blocks the GPU jobs behind it, not the others (gpu.go).
func (s *Server) place(j *queue.Job, p *partition, blocked map[string]bool) (string, *node) {
	switch {
	case j.Held:
		return heldReason(j), nil
	case p == nil:
		return "PartitionConfig", nil
	case p.cfg.State == "down":
		return "PartitionDown", nil
	case j.MinNodes > 1 && j.MinNodes > len(p.nodes):
		return "PartitionNodeLimit", nil
	case needCPUs(j) > p.maxNode:
		return "PartitionConfig", nil
	case int64(p.cfg.MaxTime) >= 0 && (j.TimeLimit < 0 || j.TimeLimit > int64(p.cfg.MaxTime)):
		return "PartitionTimeLimit", nil
	case j.GRES != "" && !p.offersGPUs(j.GPUs):
		return reasonBadConstraints, nil // a released held job asking for more GPUs than a node has
	case blocked[p.gateName] || (j.GRES != "" && blocked[gpuBlock(p.gateName)]):
		return "Priority", nil
	}
	cpus, mem := needCPUs(j), needMem(j)
	onlyGPUs := false // a node has the CPUs and memory, not the GPUs
	if p.usedCPUs+cpus <= p.cpus && p.usedMem+mem <= p.memMB {
		for _, n := range p.nodes {
			if n.up && n.usedCPUs+cpus <= n.cpus && n.usedMem+mem <= n.memMB {
				if n.fitsGPUs(j) {
					return "", n
				}
				onlyGPUs = true
			}
		}
	}
	if !anyUpFits(p, j, cpus, mem) {
		return reasonNodesDown, nil // no node that could take it answers
	}
	if onlyGPUs {
		blocked[gpuBlock(p.gateName)] = true
	} else {
		blocked[p.gateName] = true
	}
	return "Resources", nil
}

// anyUpFits reports whether a node of p that is up could hold job j of
// cpus and mem when empty.
func anyUpFits(p *partition, j *queue.Job, cpus int, mem int64) bool {
	for _, n := range p.nodes {
		if n.up && cpus <= n.cpus && mem <= n.memMB && n.holdsGPUs(j) {
			return true
		}
	}
	return false
}

// heldReason is the reason of a held job.
func heldReason(j *queue.Job) string {
	if j.Reason == "JobHeldAdmin" {
		return j.Reason
	}
	return "JobHeldUser"
}

// release gives back what a finished job held on its node and partition.
func (s *Server) release(j *queue.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.nodes[nodeKey(j.Gate, j.NodeList)]; ok {
		n.usedCPUs -= j.AllocCPUs
		n.usedMem -= j.AllocMemMB
		n.markGPUs(j.GPUIDs, false)
		n.lastBusy = s.now()
	}
	if p, ok := s.byName[j.Partition]; ok {
		p.usedCPUs -= j.AllocCPUs
		p.usedMem -= j.AllocMemMB
	}
}

// hold takes resources for a job found running at recovery, its GPUs
// included.
func (s *Server) hold(j *queue.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.nodes[nodeKey(j.Gate, j.NodeList)]; ok {
		n.usedCPUs += j.AllocCPUs
		n.usedMem += j.AllocMemMB
		n.markGPUs(j.GPUIDs, true)
	}
	if p, ok := s.byName[j.Partition]; ok {
		p.usedCPUs += j.AllocCPUs
		p.usedMem += j.AllocMemMB
	}
}
