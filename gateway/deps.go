package gateway

import (
	"context"
	"errors"
	"strings"
	"time"

	"skyport/compat"
	"skyport/queue"
)

// Dependencies (sbatch -d) are evaluated by compat.DependencyStatus
// against the live set, which holds exactly the jobs Slurm's controller
// still knows (unfinished, or ended within MinJobAge): a job it has
// forgotten lifts the items on it, as in Slurm. The job record keeps the
// dependency with each item's state (Job.Dependency, the text squeue %E
// prints), so a failed item stays failed across a daemon restart.

// depIndex is what dependency evaluation reads of the live set, built at
// most once per scheduling pass; the builder holds s.mu while it is used.
type depIndex struct {
	live    map[uint32]*entry
	byArray map[uint32][]*queue.Job
	byName  map[depName][]*queue.Job
}

// depName keys singleton's lookup.
type depName struct {
	uid  uint32
	name string
}

// newDepIndex indexes the live set; the caller holds s.mu.
func (s *Server) newDepIndex() *depIndex {
	x := &depIndex{live: s.live, byArray: map[uint32][]*queue.Job{}, byName: map[depName][]*queue.Job{}}
	for _, e := range s.live {
		j := e.job
		if j.ArrayJobID != 0 {
			x.byArray[j.ArrayJobID] = append(x.byArray[j.ArrayJobID], j)
		}
		if !j.State.Terminal() {
			k := depName{j.UID, j.Name}
			x.byName[k] = append(x.byName[k], j)
		}
	}
	return x
}

// depJobOf is dependency evaluation's view of one record.
func depJobOf(j *queue.Job) compat.DepJob {
	d := compat.DepJob{
		JobID: j.ID, ArrayJobID: j.ArrayJobID, ArrayTaskID: j.ArrayTaskID,
		UID: j.UID, Name: j.Name, State: string(j.State), StartTime: j.StartTime,
	}
	if d.StartTime.IsZero() && j.State.Terminal() {
		d.StartTime = j.EndTime // cancelled before it started
	}
	return d
}

// lookup is the index as compat.DependencyLookup: an array's master id
// names every task, those not started yet included.
func (x *depIndex) lookup() compat.DependencyLookup {
	return compat.DependencyLookup{
		Job: func(id uint32) []compat.DepJob {
			if recs, ok := x.byArray[id]; ok {
				var out []compat.DepJob
				for _, j := range recs {
					if !isMaster(j) {
						out = append(out, depJobOf(j))
						continue
					}
					parseTaskSet(j.ArrayPending).Each(func(t int64) bool {
						d := depJobOf(j)
						d.ArrayTaskID = t
						out = append(out, d)
						return true
					})
				}
				return out
			}
			if e, ok := x.live[id]; ok {
				return []compat.DepJob{depJobOf(e.job)}
			}
			return nil
		},
		Named: func(uid uint32, name string) []compat.DepJob {
			recs := x.byName[depName{uid, name}]
			out := make([]compat.DepJob, 0, len(recs))
			for _, j := range recs {
				out = append(out, depJobOf(j))
			}
			return out
		},
	}
}

// evalDep evaluates j's dependency at now, for array task task of j
// (queue.NoArrayTask: for the job, or an array's pending tasks, as a whole).
func (s *Server) evalDep(j *queue.Job, x *depIndex, task int64, now time.Time) compat.DependencyResult {
	dep, err := compat.ParseDependency(j.Dependency, s.maxArraySize())
	if err != nil {
		// Only the daemon writes the field; a value it cannot read again
		// would keep the job waiting forever, so say so.
		s.log.Error("stored dependency does not parse", "job_id", j.ID, "dependency", j.Dependency)
		return compat.DependencyResult{Satisfied: true}
	}
	self := compat.DepJob{
		JobID: j.ID, ArrayJobID: j.ArrayJobID, ArrayTaskID: task,
		UID: j.UID, Name: j.Name, State: string(queue.Pending),
	}
	return compat.DependencyStatus(dep, self, x.lookup(), now)
}

// depChange is a dependency whose state a pass changed, to be stored.
type depChange struct {
	id       uint32
	old, new string
	// kill: the dependency can never be satisfied and the job asked to be
	// cancelled then (--kill-on-invalid-dep=yes).
	kill bool
}

// applyDepChanges stores what a pass found: the new item states, an empty
// dependency once satisfied, or the cancellation of a job whose dependency
// failed. A change the job no longer matches (updated meanwhile) is
// dropped; the next pass looks again.
func (s *Server) applyDepChanges(ctx context.Context, changes []depChange) {
	for _, c := range changes {
		now := s.now().UTC()
		upd, err := s.updateMaster(ctx, c.id, !c.kill, func(r *queue.Job) error {
			if r.Dependency != c.old {
				return errSkip
			}
			if c.kill {
				if r.State != queue.Pending {
					return errSkip
				}
				r.State, r.Reason, r.EndTime = queue.Cancelled, compat.ReasonNeverSatisfied, now
				r.Dependency = c.new
				return nil
			}
			r.Dependency = c.new
			if c.new == "" && r.EligibleTime.IsZero() && !r.Held {
				r.EligibleTime = maxTime(now, r.BeginTime)
			}
			return nil
		})
		switch {
		case err == nil && upd.State.Terminal():
			s.log.Debug("cancelled: dependency never satisfied", "job_id", c.id)
			s.jobEnded()
		case err != nil && !errors.Is(err, errSkip):
			s.log.Error("cannot record dependency state", "job_id", c.id, "err", err)
		}
	}
}

// initialDependency parses and checks --dependency at submission for job
// id and evaluates it once, as Slurm's controller does: unknown jobs are
// dropped, an already satisfied dependency is forgotten. It returns the
// text to store.
func (s *Server) initialDependency(spec string, j *queue.Job, now time.Time) (string, error) {
	dep, err := compat.ParseDependency(spec, s.maxArraySize())
	if err != nil {
		return "", err
	}
	if len(dep.Items) == 0 {
		return "", nil
	}
	if dep.DependsOn(j.ID) {
		return "", sbatchFail(compat.ReasonDependency)
	}
	self := compat.DepJob{
		JobID: j.ID, ArrayJobID: j.ArrayJobID, ArrayTaskID: queue.NoArrayTask,
		UID: j.UID, Name: j.Name, State: string(queue.Pending),
	}
	s.mu.RLock()
	res := compat.DependencyStatus(dep, self, s.newDepIndex().lookup(), now)
	s.mu.RUnlock()
	if res.Satisfied {
		return "", nil
	}
	return res.Rendered, nil
}

// maxCorrTries bounds the tasks of an array a pass tries against their
// aftercorr items, so that a large array costs a pass little.
const maxCorrTries = 64

// corrTasks returns, for an array master whose dependency has aftercorr
// items and is not satisfied as a whole, which of its pending tasks may
// start now (Slurm judges aftercorr task by task); nil when the
// dependency has no such items or can never be satisfied.
func (s *Server) corrTasks(j *queue.Job, x *depIndex, res compat.DependencyResult, now time.Time) func(int64) bool {
	if !isMaster(j) || res.NeverSatisfied || !strings.Contains(j.Dependency, string(compat.DepAfterCorr)) {
		return nil
	}
	return func(t int64) bool { return s.evalDep(j, x, t, now).Satisfied }
}

// maxTime is the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
