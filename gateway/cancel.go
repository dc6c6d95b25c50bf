package gateway

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"skyport/compat"
	"skyport/gate"
	"skyport/gateway/api"
	"skyport/queue"
)

// Slurm's scancel exit status for "Access/permission denied"
// (ESLURM_ACCESS_DENIED 2002 & 0xff).
const exitAccessDenied = 210

func (s *Server) handleScancel(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.ScancelRequest
	if !decode(w, r, &req) {
		return
	}
	writeJSON(w, s.scancel(r.Context(), req.Options, who))
}

// scancel records the cancel (or sends the signal) for every job the
// options select and returns at once: running jobs end asynchronously.
// As Slurm 22.05 does, unknown and finished jobs are silent unless -v.
func (s *Server) scancel(ctx context.Context, o compat.ScancelOptions, who peer) api.ScancelResponse {
	var resp api.ScancelResponse
	var errs strings.Builder
	verbose := o.Verbose > 0
	filtered := o.Name != "" || o.User != "" || o.Me || o.State != "" || o.Partition != "" || o.Account != ""
	if len(o.Targets) == 0 {
		// Filters alone: every active job that matches all of them.
		var ids []uint32
		s.mu.RLock()
		for id, e := range s.live {
			if !e.job.State.Terminal() && s.matches(e.job, o, who) {
				ids = append(ids, id)
			}
		}
		s.mu.RUnlock()
		slices.Sort(ids)
		if len(ids) == 0 && verbose {
			errs.WriteString(compat.ScancelNoMatch(o))
		}
		for _, id := range ids {
			spec := strconv.FormatUint(uint64(id), 10)
			if verbose {
				errs.WriteString(compat.ScancelVerboseTerminating(spec, o.Full))
			}
			if msg, code := s.cancelOne(ctx, id, o, who); msg != "" {
				resp.Exit = max(resp.Exit, code)
				if code != 0 || verbose {
					errs.WriteString(compat.ScancelKillError(spec, msg))
				}
			}
		}
		resp.Stderr = errs.String()
		return resp
	}
	for _, t := range o.Targets {
		if verbose {
			errs.WriteString(compat.ScancelVerboseTerminating(t.Spec, o.Full))
		}
		ids, master, tasks := s.targetIDs(ctx, t)
		if len(ids) == 0 && len(tasks) == 0 {
			if verbose {
				errs.WriteString(compat.ScancelKillError(t.Spec, "Invalid job id specified"))
			}
			continue
		}
		if len(tasks) > 0 {
			if msg, code := s.cancelPendingTasks(ctx, master, tasks, o, who, filtered); msg != "" {
				resp.Exit = max(resp.Exit, code)
				if code != 0 || verbose {
					errs.WriteString(compat.ScancelKillError(t.Spec, msg))
				}
			}
		}
		for _, id := range ids {
			if filtered {
				j, err := s.store.Get(id)
				if err != nil || !s.matches(j, o, who) {
					continue
				}
			}
			msg, code := s.cancelOne(ctx, id, o, who)
			if msg == "" {
				continue
			}
			resp.Exit = max(resp.Exit, code)
			if code != 0 || verbose {
				errs.WriteString(compat.ScancelKillError(t.Spec, msg))
			}
		}
	}
	resp.Stderr = errs.String()
	return resp
}

// targetIDs are the records one scancel target names: the job itself,
// or for an array the records of the tasks it names (all of them without
// a task list; the master included, which cancels every task not started
// yet). tasks are the named tasks still pending in master's record.
func (s *Server) targetIDs(ctx context.Context, t compat.ScancelTarget) (ids []uint32, master uint32, tasks taskSet) {
	j, err := s.store.Get(t.JobID)
	if err != nil {
		return nil, 0, nil
	}
	whole := len(t.Tasks) == 0 && (t.AllTasks || j.ArrayJobID == j.ID)
	if j.ArrayJobID == 0 && len(t.Tasks) > 0 {
		return nil, 0, nil // ID_N of a job that is no array names nothing (ID_* names the job)
	}
	if j.ArrayJobID == 0 || (len(t.Tasks) == 0 && !whole) {
		return []uint32{j.ID}, 0, nil
	}
	named := taskSetOf(t.Tasks)
	_ = s.store.Scan(ctx, queue.Query{IDs: []uint32{j.ArrayJobID}}, func(x *queue.Job) bool {
		switch {
		case x.ArrayJobID != j.ArrayJobID:
		case isMaster(x) && !x.State.Terminal() && !whole:
			master, tasks = x.ID, parseTaskSet(x.ArrayPending).Intersect(named)
		case whole || (!isMaster(x) && named.Contains(x.ArrayTaskID)):
			ids = append(ids, x.ID)
		}
		return true
	})
	return ids, master, tasks
}

// cancelPendingTasks cancels tasks of array master id that have not
// started: they leave its pending list, and when none is left the master
// record ends CANCELLED, standing for the tasks it held. It returns what
// cancelOne returns.
func (s *Server) cancelPendingTasks(ctx context.Context, id uint32, tasks taskSet, o compat.ScancelOptions,
	who peer, filtered bool) (string, int) {
	if o.Signal != 0 && o.Signal != int(syscall.SIGKILL) {
		return "Job is pending execution", 0
	}
	upd, err := s.updateMaster(ctx, id, true, func(r *queue.Job) error {
		if who.UID != 0 && who.UID != r.UID {
			return errAccess
		}
		if filtered && !s.matches(r, o, who) {
			return errSkip
		}
		pending := parseTaskSet(r.ArrayPending)
		if r.State != queue.Pending || pending.Intersect(tasks).Len() == 0 {
			return errDone
		}
		if left := pending.Minus(tasks); left.Len() > 0 {
			r.ArrayPending = left.String()
			return nil
		}
		r.State, r.Reason = queue.Cancelled, cancelledReason(r)
		r.CancelledBy, r.EndTime = who.UID, s.now().UTC()
		return nil
	})
	switch {
	case errors.Is(err, errAccess):
		return "Access/permission denied", exitAccessDenied
	case errors.Is(err, errDone):
		return "Job/step already completing or completed", 0
	case errors.Is(err, errSkip):
		return "", 0
	case err != nil:
		s.log.Error("scancel failed", "job_id", id, "err", err)
		return "Unexpected error", 1
	}
	if upd.State.Terminal() {
		s.jobEnded()
	}
	s.poke()
	return "", 0
}

// matches reports whether j passes scancel's filters (-n, -u, --me, -t, -p, -A).
func (s *Server) matches(j *queue.Job, o compat.ScancelOptions, who peer) bool {
	switch {
	case o.Name != "" && j.Name != o.Name:
		return false
	case o.Me && j.UID != who.UID:
		return false
	case o.User != "" && !o.Me && j.UID != o.UID:
		return false
	case o.Partition != "" && !slices.Contains(strings.Split(o.Partition, ","), j.Partition):
		return false
	case o.Account != "" && !strings.EqualFold(j.Account, o.Account):
		return false
	case o.State != "":
		st, ok := compat.ParseJobState(o.State)
		if !ok || string(j.State) != st {
			return false
		}
	}
	return true
}

// cancelOne cancels or signals one job. It returns "" on success, else
// Slurm's reason and scancel's exit status for it (0 for the reasons
// Slurm reports only with -v).
func (s *Server) cancelOne(ctx context.Context, id uint32, o compat.ScancelOptions, who peer) (string, int) {
	var running *queue.Job
	upd, err := s.updateMaster(ctx, id, false, func(r *queue.Job) error {
		if who.UID != 0 && who.UID != r.UID {
			return errAccess
		}
		if r.State.Terminal() {
			return errDone
		}
		if o.Signal != 0 && o.Signal != int(syscall.SIGKILL) {
			if r.State == queue.Pending {
				return errPendingSignal
			}
			running = r.Clone()
			return errSkip
		}
		if r.State == queue.Pending {
			r.State = queue.Cancelled
			r.CancelledBy = who.UID
			r.EndTime = s.now().UTC() // StartTime stays zero: it never ran
			r.Reason = cancelledReason(r)
			return nil
		}
		if r.CancelRequested {
			running = r.Clone()
			return errSkip
		}
		r.CancelRequested = true
		r.CancelledBy = who.UID
		r.CancelTime = s.now().UTC()
		running = r.Clone()
		return nil
	})
	switch {
	case errors.Is(err, errAccess):
		return "Access/permission denied", exitAccessDenied
	case errors.Is(err, errDone):
		return "Job/step already completing or completed", 0
	case errors.Is(err, errPendingSignal):
		return "Job is pending execution", 0
	case errors.Is(err, queue.ErrNotFound):
		return "Invalid job id specified", 0
	case err != nil && !errors.Is(err, errSkip):
		s.log.Error("scancel failed", "job_id", id, "err", err)
		return "Unexpected error", 1
	}
	if upd != nil && upd.State == queue.Cancelled {
		s.jobEnded()
		s.poke()
		return "", 0
	}
	if running == nil || len(running.Handle) == 0 {
		return "", 0 // CONFIGURING: launch kills it once started
	}
	bg := context.WithoutCancel(ctx)
	if o.Signal != 0 && o.Signal != int(syscall.SIGKILL) {
		go func() {
			if err := s.signalJob(bg, running, syscall.Signal(o.Signal), o); err != nil {
				s.log.Warn("signal failed", "job_id", id, "err", err)
			}
		}()
		return "", 0
	}
	go s.kill(bg, running)
	return "", 0
}

var (
	errAccess        = errors.New("access denied")
	errDone          = errors.New("already done")
	errPendingSignal = errors.New("pending")
)

// cancelledReason is the reason a pending job keeps once cancelled: a held
// job's hold reason stays, as in Slurm; any other shows "None".
func cancelledReason(r *queue.Job) string {
	if r.Held {
		return heldReason(r)
	}
	return "None"
}

// partSignaler is a gate that can signal part of a job (gate/local):
// the batch script alone, or only the processes of its srun steps.
type partSignaler interface {
	SignalPart(ctx context.Context, h gate.Handle, sig syscall.Signal, batch bool) error
}

// signalJob delivers scancel --signal to running job j as Slurm does:
// with --full to every process of the job, with --batch to the script
// only, else to its srun steps only (the script and what it runs itself
// are left alone). A gate that cannot tell them apart gets the signal to
// the whole job.
func (s *Server) signalJob(ctx context.Context, j *queue.Job, sig syscall.Signal, o compat.ScancelOptions) error {
	g := s.gates[j.Gate]
	if ps, ok := g.(partSignaler); ok && !o.Full {
		return ps.SignalPart(ctx, j.Handle, sig, o.Batch)
	}
	return g.Signal(ctx, j.Handle, sig)
}
