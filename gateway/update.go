package gateway

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// updatableJobKeys are the keys of "scontrol update job" the daemon acts
// on; Slurm knows more (compat.ScontrolJobKeys), which are refused with a
// message saying Sky Port does not support them.
var updatableJobKeys = []string{"JobId", "TimeLimit", "Partition", "JobName", "Dependency", "Nice", "Comment"}

// scontrolUpdateJob is "scontrol update job": the job list of JobId=, or
// the caller's jobs named JobName= when there is no JobId.
func (s *Server) scontrolUpdateJob(ctx context.Context, u *compat.ScontrolUpdateRequest, who peer) api.ScontrolResponse {
	for k := range u.Values {
		if !slices.Contains(updatableJobKeys, k) {
			return api.ScontrolResponse{Exit: 1,
				Stderr: "scontrol: error: updating " + k + " is not supported by Sky Port\n"}
		}
	}
	if u.ResetAccrueTime {
		return api.ScontrolResponse{Exit: 1, Stderr: "scontrol: error: updating ResetAccrueTime is not supported by Sky Port\n"}
	}
	args := []compat.ScontrolJobArg{}
	values := u.Values
	if u.Job != nil {
		args = append(args, *u.Job)
	} else {
		name := values["JobName"]
		values = without(values, "JobName")
		ids := s.namedJobs(name, who)
		if len(ids) == 0 {
			return api.ScontrolResponse{Exit: 1, Stderr: compat.ScontrolNoJobsWithName(name)}
		}
		a := compat.ScontrolJobArg{Arg: name}
		for _, id := range ids {
			spec := strconv.FormatUint(uint64(id), 10)
			a.Targets = append(a.Targets, compat.ScontrolJobTarget{Spec: spec, JobID: id})
		}
		args = append(args, a)
	}
	return s.runJobOp(ctx, args, opFlags{split: true, unknown: compat.ReasonInvalidJobID}, who,
		s.updateOp(who, values, u.TimeLimit))
}

// without returns m without key.
func without(m map[string]string, key string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// namedJobs lists the unfinished jobs of the caller (anyone's for root)
// called name.
func (s *Server) namedJobs(name string, who peer) []uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []uint32
	for id, e := range s.live {
		if !e.job.State.Terminal() && e.job.Name == name && owns(who, e.job) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// updateOp changes one job as the update asks, all or nothing, with
// Slurm's rules: Partition and Dependency only while the job is pending;
// JobName, Nice, Comment and TimeLimit also while it runs; a user may
// lower the time limit but not raise it, and not set a negative nice.
func (s *Server) updateOp(who peer, values map[string]string, tl *compat.ScontrolTimeLimit) jobOp {
	return func(ctx context.Context, id uint32) string {
		cur, err := s.store.Get(id)
		if err != nil {
			return s.reasonOf("update", id, err)
		}
		dep, hasDep := values["Dependency"]
		if hasDep && cur.State == queue.Pending {
			if dep, err = s.initialDependency(dep, cur, s.now()); err != nil {
				return compat.ReasonDependency
			}
		}
		upd, err := s.updateMaster(ctx, id, true, func(r *queue.Job) error {
			switch {
			case !owns(who, r):
				return refuse(compat.ReasonInvalidUser)
			case r.State.Terminal():
				return refuse(compat.ReasonJobFinished)
			}
			pending := r.State == queue.Pending
			if v, ok := values["Partition"]; ok {
				if !pending {
					return refuse(compat.ReasonJobNotPending)
				}
				if _, known := s.byName[v]; !known {
					return refuse(compat.ReasonInvalidPartition)
				}
				r.Partition = v
			}
			if hasDep {
				if !pending {
					return refuse(compat.ReasonJobNotPending)
				}
				r.Dependency = dep
			}
			if v, ok := values["JobName"]; ok {
				r.Name = v
			}
			if v, ok := values["Comment"]; ok {
				r.Comment = v
			}
			if v, ok := values["Nice"]; ok {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				if n < 0 && who.UID != 0 {
					return refuse(compat.ReasonAccessDenied)
				}
				r.Nice = n
			}
			if tl != nil {
				limit, msg := newTimeLimit(r.TimeLimit, tl)
				switch {
				case msg != "":
					return refuse(msg)
				case who.UID != 0 && (limit == queue.InfiniteTime || (r.TimeLimit != queue.InfiniteTime && limit > r.TimeLimit)):
					return refuse(compat.ReasonAccessDenied)
				}
				r.TimeLimit = limit
			}
			return nil
		})
		if reason := s.reasonOf("update", id, err); reason != "" || err != nil {
			return reason
		}
		if upd.State == queue.Pending {
			s.poke()
		}
		return ""
	}
}

// newTimeLimit applies an update of the time limit to limit (minutes,
// queue.InfiniteTime for none), with C's uint32 arithmetic as Slurm: it
// returns the new limit, or scontrol's whole message for a decrement
// larger than the limit.
func newTimeLimit(limit int64, tl *compat.ScontrolTimeLimit) (int64, string) {
	cur := uint32(limit) //nolint:gosec // InfiniteTime is Slurm's INFINITE, 0xffffffff
	amount := uint32(tl.Minutes)
	var v uint32
	switch tl.Op {
	case "+":
		v = cur + amount
	case "-":
		if amount > cur {
			return 0, strings.TrimSuffix(compat.ScontrolTimeLimitDecrementError(int64(amount), int64(cur)), "\n") + "\n"
		}
		v = cur - amount
	default:
		v = amount
	}
	if v == 0xffffffff {
		return queue.InfiniteTime, ""
	}
	return int64(v), ""
}
