package gateway

import (
	"context"
	"time"

	"skyport/queue"
)

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

// pass walks the pending jobs in priority order (submission order), starts
// every job that fits its partition and node, and gives the others Slurm's
// reason: the first job a gate cannot take waits for "Resources", the jobs
// behind it for "Priority".
func (s *Server) pass(_ context.Context) {
	var starts []*queue.Job
	s.mu.Lock()
	blocked := map[string]bool{} // gate name → an earlier job is waiting for it
	keep := s.pending[:0]
	for _, id := range s.pending {
		e, ok := s.live[id]
		if !ok || e.job.State != queue.Pending {
			continue // started, cancelled or gone: drop from the list
		}
		j := e.job
		p := s.byName[j.Partition]
		reason, n := s.place(j, p, blocked)
		if n == nil {
			s.setReason(e, reason)
			keep = append(keep, id)
			continue
		}
		// Allocate now, under the lock, so the next job sees it.
		cpus, mem := jobCPUs(j), jobMem(j)
		n.usedCPUs += cpus
		n.usedMem += mem
		p.usedCPUs += cpus
		p.usedMem += mem
		c := j.Clone()
		c.NodeList = n.name
		c.AllocCPUs = cpus
		c.AllocMemMB = mem
		c.Gate = p.gateName
		starts = append(starts, c)
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	s.mu.Unlock()
	for _, j := range starts {
		s.runners.Add(1)
		go func() {
			defer s.runners.Done()
			s.run(s.runCtx, j)
		}()
	}
}

// place decides where j can run now. It returns the node, or nil and the
// reason j has to wait; the caller holds s.mu.
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
	case jobCPUs(j) > p.maxNode:
		return "PartitionConfig", nil
	case int64(p.cfg.MaxTime) >= 0 && (j.TimeLimit < 0 || j.TimeLimit > int64(p.cfg.MaxTime)):
		return "PartitionTimeLimit", nil
	case blocked[p.gateName]:
		return "Priority", nil
	}
	cpus, mem := jobCPUs(j), jobMem(j)
	if p.usedCPUs+cpus <= p.cpus && p.usedMem+mem <= p.memMB {
		for _, n := range p.nodes {
			if n.up && n.usedCPUs+cpus <= n.cpus && n.usedMem+mem <= n.memMB {
				return "", n
			}
		}
	}
	blocked[p.gateName] = true
	return "Resources", nil
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
	}
	if p, ok := s.byName[j.Partition]; ok {
		p.usedCPUs -= j.AllocCPUs
		p.usedMem -= j.AllocMemMB
	}
}

// hold takes resources for a job found running at recovery.
func (s *Server) hold(j *queue.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.nodes[nodeKey(j.Gate, j.NodeList)]; ok {
		n.usedCPUs += j.AllocCPUs
		n.usedMem += j.AllocMemMB
	}
	if p, ok := s.byName[j.Partition]; ok {
		p.usedCPUs += j.AllocCPUs
		p.usedMem += j.AllocMemMB
	}
}
