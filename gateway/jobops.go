package gateway

import (
	"context"
	"slices"
	"strings"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// jobOp changes one job record for an scontrol command and returns "" or
// Slurm's reason for refusing (compat.Reason*).
type jobOp func(ctx context.Context, id uint32) string

// opTarget is what one scontrol job id names: records, and tasks still
// pending in an array master's record.
type opTarget struct {
	ids    []uint32
	master uint32
	tasks  taskSet
}

// resolveTarget finds the records t names: the job, every record of an
// array for its master id, or the array tasks of "45_2" and "45_[1-3]".
func (s *Server) resolveTarget(ctx context.Context, t compat.ScontrolJobTarget) opTarget {
	var out opTarget
	if t.JobID == 0 {
		return out
	}
	j, err := s.store.Get(t.JobID)
	if err != nil {
		return out
	}
	whole := !t.HasTasks() && j.ArrayJobID == j.ID
	if j.ArrayJobID == 0 || (!t.HasTasks() && !whole) {
		if !t.HasTasks() {
			out.ids = []uint32{j.ID}
		}
		return out
	}
	_ = s.store.Scan(ctx, queue.Query{IDs: []uint32{j.ArrayJobID}}, func(x *queue.Job) bool {
		switch {
		case x.ArrayJobID != j.ArrayJobID:
		case whole:
			out.ids = append(out.ids, x.ID)
		case isMaster(x):
			var named []int64
			parseTaskSet(x.ArrayPending).Each(func(n int64) bool {
				if t.IncludesTask(n) {
					named = append(named, n)
				}
				return true
			})
			if len(named) > 0 {
				out.master, out.tasks = x.ID, taskSetOf(named)
			}
		case t.IncludesTask(x.ArrayTaskID):
			out.ids = append(out.ids, x.ID)
		}
		return true
	})
	return out
}

// opFlags say how runJobOp treats an scontrol command.
type opFlags struct {
	// split: a pending task named on its own is split off its master
	// first (hold, release, update); otherwise the op sees the master.
	split bool
	// holdLine: add "slurm_suspend error: <reason>" after a failed operand.
	holdLine bool
	// unknown is the reason for an id the daemon does not know.
	unknown string
}

// runJobOp applies op to every record the operands name, in order, and
// returns scontrol's answer: nothing on success, Slurm's line per refused
// id and exit 1 otherwise.
func (s *Server) runJobOp(ctx context.Context, args []compat.ScontrolJobArg, f opFlags, who peer, op jobOp) api.ScontrolResponse {
	var resp api.ScontrolResponse
	var errs strings.Builder
	fail := func(reason, spec string) {
		if strings.HasSuffix(reason, "\n") {
			errs.WriteString(reason) // a whole message of its own
		} else {
			errs.WriteString(compat.ScontrolJobError(reason, spec))
		}
		resp.Exit = 1
	}
	for _, a := range args {
		worst := ""
		switch {
		case a.Invalid:
			worst = compat.ReasonInvalidJobID
			fail(worst, a.Arg)
		case a.HasName:
			for _, id := range s.pendingNamed(a.Name, who) {
				if r := op(ctx, id); r != "" {
					worst = r
					fail(r, a.Arg)
				}
			}
		}
		for _, t := range a.Targets {
			tg := s.resolveTarget(ctx, t)
			if len(tg.ids) == 0 && tg.master == 0 {
				worst = f.unknown
				fail(f.unknown, t.Spec)
				continue
			}
			ids := tg.ids
			if tg.master != 0 {
				if f.split {
					ids = append(ids, s.splitForOp(ctx, tg.master, tg.tasks)...)
				} else {
					ids = append(ids, tg.master)
				}
			}
			slices.Sort(ids)
			for _, id := range slices.Compact(ids) {
				if r := op(ctx, id); r != "" {
					worst = r
					fail(r, t.Spec)
					break
				}
			}
		}
		if worst != "" && f.holdLine {
			errs.WriteString(compat.ScontrolHoldError(worst))
		}
		errs.WriteString(a.Warning)
	}
	resp.Stderr = errs.String()
	return resp
}

// splitForOp splits the pending tasks of master id off into records of
// their own and returns their IDs; the master itself when tasks are all
// that is left of it.
func (s *Server) splitForOp(ctx context.Context, id uint32, tasks taskSet) []uint32 {
	var out []uint32
	tasks.Each(func(t int64) bool {
		rec, err := s.splitTask(ctx, id, t, false, 0)
		if err != nil {
			return true // started or cancelled meanwhile
		}
		out = append(out, rec.ID)
		if rec.State == queue.Pending && !rec.Held {
			s.mu.Lock()
			if !slices.Contains(s.pending, rec.ID) {
				s.pending = insertSorted(s.pending, rec.ID)
			}
			s.mu.Unlock()
		}
		return true
	})
	return out
}

// pendingNamed lists the pending jobs of the caller (of anyone for root)
// called name.
func (s *Server) pendingNamed(name string, who peer) []uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []uint32
	for id, e := range s.live {
		if e.job.State == queue.Pending && e.job.Name == name && (who.UID == 0 || who.UID == e.job.UID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// toPending puts job id back in the scheduling list; callers publish first.
func (s *Server) toPending(id uint32) {
	s.mu.Lock()
	if !slices.Contains(s.pending, id) {
		s.pending = insertSorted(s.pending, id)
	}
	s.mu.Unlock()
	s.poke()
}
