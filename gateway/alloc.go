package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"skyport/compat"
	"skyport/gate"
	"skyport/gateway/api"
	"skyport/queue"
)

// Allocations: srun outside a job asks for an allocation, a job with no
// batch script (Interactive), waits until the scheduler starts it, runs
// its command as step 0 itself and releases the allocation with the
// step's exit status. The daemon holds the allocation meanwhile: no gate
// runs anything, the resources stay taken. The holder renews a lease; an
// allocation whose lease runs out (srun was killed) ends as CANCELLED, so
// nothing leaks. scancel and the time limit end it through the holder:
// its next heartbeat says so, it stops its step and releases.

// defaultLease is how long an allocation lives without a heartbeat.
const defaultLease = 30 * time.Second

// allocTable holds the leases of the allocations this daemon holds. The
// zero value is ready to use.
type allocTable struct {
	mu  sync.Mutex
	m   map[uint32]*allocLease
	ttl time.Duration // 0: defaultLease
}

// allocLease is one allocation's lease and its end.
type allocLease struct {
	beat   time.Time
	end    string // why the holder must end its step: "cancelled", "timeout"
	result *api.AllocReleaseRequest
	done   chan struct{} // closed by release
}

// lease returns (making it when absent) the lease of job id, renewed at now.
func (t *allocTable) lease(id uint32, now time.Time) *allocLease {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[uint32]*allocLease{}
	}
	l, ok := t.m[id]
	if !ok {
		l = &allocLease{done: make(chan struct{})}
		t.m[id] = l
	}
	l.beat = now
	return l
}

func (t *allocTable) lifetime() time.Duration {
	if t.ttl > 0 {
		return t.ttl
	}
	return defaultLease
}

func (s *Server) handleAlloc(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.AllocRequest
	if !decode(w, r, &req) {
		return
	}
	id, err := s.alloc(r.Context(), &req, who)
	if err != nil {
		s.logErr(r.Context(), "alloc", err)
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	writeJSON(w, api.AllocResponse{JobID: id, LeaseSeconds: int(s.allocs.lifetime() / time.Second)})
}

// alloc stores a new allocation job and returns its id once it is on disk.
func (s *Server) alloc(ctx context.Context, req *api.AllocRequest, who peer) (uint32, error) {
	o := req.Options
	if o.Given == nil {
		o.Given = map[string]bool{}
	}
	if !o.Given["job-name"] && len(req.Command) > 0 {
		o.JobName = req.Command[0][strings.LastIndexByte(req.Command[0], '/')+1:]
		o.Given["job-name"] = true
	}
	sub := api.SubmitRequest{Options: o, Cwd: req.Cwd, Env: req.Env}
	j, _, err := s.newJob(&sub, who)
	if err != nil {
		var ce *compat.Error
		if errors.As(err, &ce) {
			ce.Msg = strings.ReplaceAll(ce.Msg, "sbatch: error: Batch job submission failed:", "srun: error: Unable to allocate resources:")
			ce.Msg = strings.ReplaceAll(ce.Msg, "sbatch: error:", "srun: error:")
		}
		return 0, err
	}
	j.Interactive = true
	j.Command = strings.Join(req.Command, " ")
	now := s.now()
	j.SubmitTime = now.UTC()
	j.EligibleTime = maxTime(now, j.BeginTime).UTC()
	optJSON, err := json.Marshal(o)
	if err != nil {
		return 0, fmt.Errorf("encode options: %w", err)
	}
	id, err := s.store.ReserveIDs(1)
	if err != nil {
		return 0, fmt.Errorf("reserve job id: %w", err)
	}
	j.ID = id
	s.allocs.lease(id, now)
	if err := s.store.Insert(ctx, j, queue.Blobs{Env: req.Env, Options: optJSON}); err != nil {
		return 0, fmt.Errorf("store job: %w", err)
	}
	s.mu.Lock()
	s.publish(j, "")
	if !j.Held {
		s.pending = append(s.pending, id)
	}
	s.mu.Unlock()
	s.poke()
	s.log.Debug("allocation submitted", "job_id", id, "user", j.User)
	return id, nil
}

// holdAlloc is launch for an allocation: it moves the job to RUNNING
// without a gate and holds it until the holder releases it, its lease
// runs out, or ctx ends (shutdown: recovery holds it again).
func (s *Server) holdAlloc(ctx context.Context, j *queue.Job) {
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		if r.State == queue.Configuring {
			r.State = queue.Running
		}
		return nil
	})
	if err != nil {
		s.log.Error("cannot record allocation start", "job_id", j.ID, "err", err)
		return
	}
	s.mu.Lock()
	s.publish(upd, "None")
	s.mu.Unlock()
	l := s.allocs.lease(j.ID, s.now()) // a fresh lease after a restart, too
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var deadline time.Time
	if upd.TimeLimit > 0 {
		deadline = upd.StartTime.Add(time.Duration(upd.TimeLimit) * time.Minute)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.done:
			s.endAlloc(ctx, upd, l)
			return
		case <-tick.C:
		}
		now := s.now()
		s.allocs.mu.Lock()
		expired := now.Sub(l.beat) > s.allocs.lifetime()
		if l.end == "" {
			switch {
			case s.cancelWanted(j.ID):
				l.end = "cancelled"
			case !deadline.IsZero() && now.After(deadline):
				l.end = "timeout"
			}
		}
		s.allocs.mu.Unlock()
		if expired {
			s.log.Warn("allocation lease expired: its srun is gone", "job_id", j.ID)
			s.endAlloc(ctx, upd, l)
			return
		}
	}
}

// cancelWanted reports whether scancel asked to end job id.
func (s *Server) cancelWanted(id uint32) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.live[id]
	return ok && e.job.CancelRequested
}

// endAlloc records the end of an allocation from its release (or its
// lost lease) and forgets the lease.
func (s *Server) endAlloc(ctx context.Context, j *queue.Job, l *allocLease) {
	s.allocs.mu.Lock()
	res, why := l.result, l.end
	delete(s.allocs.m, j.ID)
	s.allocs.mu.Unlock()
	ex := gate.Exit{End: s.now()}
	switch {
	case why == "timeout":
		ex.Cause = gate.CauseTimeout
	case why == "cancelled" || res == nil:
		ex.Cause = gate.CauseCancelled
	case res.Cancel:
		ex.Cause = gate.CauseCancelled
		if _, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
			r.CancelRequested, r.CancelledBy, r.CancelTime = true, r.UID, s.now().UTC()
			return nil
		}); err != nil {
			s.log.Warn("cannot record allocation cancel", "job_id", j.ID, "err", err)
		}
	}
	if res != nil {
		ex.Code, ex.Signal = res.ExitCode, res.Signal
	}
	s.finish(ctx, j, ex)
}

// allocOf returns the lease of a held allocation of the caller, or
// answers with an error.
func (s *Server) allocJob(w http.ResponseWriter, id uint32, who peer) (*queue.Job, bool) {
	s.mu.RLock()
	e, ok := s.live[id]
	s.mu.RUnlock()
	if !ok || !e.job.Interactive {
		writeError(w, http.StatusNotFound, srunNoJob(id, "Invalid job id specified"))
		return nil, false
	}
	if who.UID != 0 && who.UID != e.job.UID {
		writeError(w, http.StatusForbidden, srunNoJob(id, "Access/permission denied"))
		return nil, false
	}
	return e.job, true
}

func (s *Server) handleAllocWait(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.AllocWaitRequest
	if !decode(w, r, &req) {
		return
	}
	wait := time.Duration(req.TimeoutMS) * time.Millisecond
	if wait <= 0 || wait > 10*time.Second {
		wait = 5 * time.Second
	}
	until := time.Now().Add(wait)
	for {
		j, ok := s.allocJob(w, req.JobID, who)
		if !ok {
			return
		}
		s.allocs.lease(j.ID, s.now())
		switch {
		case j.State == queue.Running:
			spec, err := s.spec(j)
			if err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			env := compat.AllocEnv(spec.Env, s.memPerCPUGiven(j))
			writeJSON(w, api.AllocWaitResponse{Running: true, State: string(j.State), Env: env})
			return
		case j.State.Terminal():
			writeJSON(w, api.AllocWaitResponse{Ended: true, State: string(j.State)})
			return
		case time.Now().After(until):
			writeJSON(w, api.AllocWaitResponse{State: string(j.State)})
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) handleAllocBeat(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.AllocBeatRequest
	if !decode(w, r, &req) {
		return
	}
	j, ok := s.allocJob(w, req.JobID, who)
	if !ok {
		return
	}
	if j.State.Terminal() {
		writeJSON(w, api.AllocBeatResponse{End: true, Reason: "cancelled"})
		return
	}
	l := s.allocs.lease(j.ID, s.now())
	s.allocs.mu.Lock()
	why := l.end
	s.allocs.mu.Unlock()
	writeJSON(w, api.AllocBeatResponse{End: why != "", Reason: why})
}

func (s *Server) handleAllocRelease(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.AllocReleaseRequest
	if !decode(w, r, &req) {
		return
	}
	j, ok := s.allocJob(w, req.JobID, who)
	if !ok {
		return
	}
	if j.State == queue.Pending {
		// Released before it started (srun interrupted while waiting).
		s.cancelOne(r.Context(), j.ID, compat.ScancelOptions{}, who)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	l := s.allocs.lease(j.ID, s.now())
	s.allocs.mu.Lock()
	if l.result == nil {
		l.result = &req
		close(l.done)
	}
	s.allocs.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// memPerCPUGiven reports whether j's submission gave --mem-per-cpu.
func (s *Server) memPerCPUGiven(j *queue.Job) bool {
	b, err := s.store.Blobs(blobsOwner(j))
	if err != nil {
		return false
	}
	var o compat.SubmitOptions
	return json.Unmarshal(b.Options, &o) == nil && o.Given["mem-per-cpu"]
}
