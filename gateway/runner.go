package gateway

import (
	"context"
	"errors"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gate"
	"skyport/queue"
)

// errSkip aborts an Update without error: the job changed meanwhile.
var errSkip = errors.New("skip")

// run starts a job the scheduler placed (j carries the allocation): it
// persists the intent (PENDING→CONFIGURING), starts the job through its
// gate, persists the handle (→RUNNING) and then watches it to the end.
func (s *Server) run(ctx context.Context, j *queue.Job) {
	now := s.now().UTC()
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		if r.State != queue.Pending || r.Held {
			return errSkip
		}
		r.State = queue.Configuring
		r.Dependency = "" // satisfied, or the job would not start
		r.Reason = "None"
		r.NodeList, r.AllocCPUs, r.AllocMemMB, r.Gate = j.NodeList, j.AllocCPUs, j.AllocMemMB, j.Gate
		r.GPUIDs = j.GPUIDs
		r.StartTime = now
		return nil
	})
	if err != nil {
		s.release(j)
		if !errors.Is(err, errSkip) {
			s.log.Error("cannot start job", "job_id", j.ID, "err", err)
		}
		s.poke()
		return
	}
	s.mu.Lock()
	s.publish(upd, "None")
	s.mu.Unlock()
	s.launch(ctx, upd)
}

// launch takes a CONFIGURING job through gate.Start to RUNNING and
// watches it. Start is idempotent, so recovery calls launch again for a
// job found CONFIGURING after a crash.
func (s *Server) launch(ctx context.Context, j *queue.Job) {
	if j.Interactive {
		s.holdAlloc(ctx, j) // alloc.go: srun runs its step itself
		return
	}
	g, ok := s.gates[j.Gate]
	if !ok {
		s.finish(ctx, j, gate.Exit{Cause: gate.CauseLaunchFailed, Detail: "unknown gate " + j.Gate, Signal: 53})
		return
	}
	spec, err := s.spec(j)
	if err != nil {
		s.log.Error("cannot build job spec", "job_id", j.ID, "err", err)
		s.finish(ctx, j, gate.Exit{Cause: gate.CauseLaunchFailed, Detail: err.Error(), Signal: 53})
		return
	}
	h, err := g.Start(ctx, spec)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down; recovery starts it again
		}
		if errors.Is(err, gate.ErrUnavailable) {
			s.log.Warn("gate unavailable, job back to pending", "job_id", j.ID, "gate", j.Gate, "err", err)
			s.requeuePending(ctx, j, startReason(err))
			return
		}
		s.log.Error("job launch failed", "job_id", j.ID, "gate", j.Gate, "err", err)
		s.finish(ctx, j, gate.Exit{Cause: gate.CauseLaunchFailed, Detail: err.Error(), Signal: 53})
		return
	}
	s.mu.Lock()
	delete(s.retries, j.ID)
	s.mu.Unlock()
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		r.Handle = h
		if r.State == queue.Configuring {
			r.State = queue.Running
		}
		return nil
	})
	if err != nil {
		s.log.Error("cannot record job start", "job_id", j.ID, "err", err)
		return
	}
	s.mu.Lock()
	s.publish(upd, "None")
	s.mu.Unlock()
	s.log.Debug("started", "job_id", j.ID, "gate", j.Gate, "node", j.NodeList)
	if upd.CancelRequested {
		s.kill(ctx, upd)
	}
	s.watch(ctx, upd)
}

// requeuePending puts a job that certainly did not start back in the
// queue: it shows reason until it is tried again, a little later each time
// (gatereason.go).
func (s *Server) requeuePending(ctx context.Context, j *queue.Job, reason string) {
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		r.State = queue.Pending
		r.NodeList, r.AllocCPUs, r.AllocMemMB, r.Gate, r.GPUIDs = "", 0, 0, "", nil
		r.StartTime = time.Time{}
		return nil
	})
	s.release(j)
	if err != nil {
		s.log.Error("cannot requeue job", "job_id", j.ID, "err", err)
		return
	}
	s.mu.Lock()
	wait := s.noteStartFailure(j.ID, reason)
	s.publish(upd, reason)
	s.pending = insertSorted(s.pending, j.ID)
	s.mu.Unlock()
	time.AfterFunc(wait, s.poke)
}

// insertSorted inserts id into the ascending list ids.
func insertSorted(ids []uint32, id uint32) []uint32 {
	i := len(ids)
	for i > 0 && ids[i-1] > id {
		i--
	}
	ids = append(ids, 0)
	copy(ids[i+1:], ids[i:])
	ids[i] = id
	return ids
}

// watch waits for a running job to end and records how it ended. It
// returns early, leaving the job alone, when ctx ends (daemon shutdown).
func (s *Server) watch(ctx context.Context, j *queue.Job) {
	g := s.gates[j.Gate]
	ex, err := g.Wait(ctx, j.Handle)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		s.log.Warn("job lost by its gate", "job_id", j.ID, "gate", j.Gate, "err", err)
		ex = gate.Exit{Cause: causeNodeFail, End: s.now()}
	}
	if c, ok := g.(gate.Collector); ok && ex.Cause != causeNodeFail && ex.Cause != gate.CausePreempted {
		if !s.collect(ctx, j, c) {
			return // shutting down: recovery collects again
		}
	}
	s.finish(ctx, j, ex)
}

// recordRunEnd records on r how its run ended (ex, as out, at end): the
// batch step, the end and start times, its steps closed, its usage.
func recordRunEnd(r *queue.Job, out outcome, ex gate.Exit, end time.Time) {
	r.BatchState, r.BatchExitCode, r.BatchSignal = out.batch, out.batchCode, out.batchSignal
	if r.Interactive {
		r.BatchState = "" // srun's allocation has no batch step
	}
	r.EndTime = end.UTC()
	closeSteps(r, r.EndTime) // steps.go
	if !ex.Start.IsZero() {
		r.StartTime = ex.Start.UTC()
	}
	if r.StartTime.IsZero() || r.StartTime.After(r.EndTime) {
		r.StartTime = r.EndTime
	}
	r.MaxRSSKB = ex.MaxRSSKB
	r.UserCPU, r.SystemCPU = int64(ex.UserCPU), int64(ex.SystemCPU)
	r.TotalCPU = r.UserCPU + r.SystemCPU
}

// causeNodeFail marks an Exit the gate could not report: the node is gone.
const causeNodeFail = gate.CauseNodeFail

// finish records the end of a job's run, releases its resources and
// cleans up after it in the gate.
func (s *Server) finish(ctx context.Context, j *queue.Job, ex gate.Exit) {
	end := ex.End
	if end.IsZero() {
		end = s.now()
	}
	out := outcomeOf(ex)
	micros, currency, paid := s.runCost(ctx, j) // cost.go: before Remove forgets it
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		if r.State.Terminal() || r.State == queue.Requeued {
			return errSkip // recorded already (a repeated finish after recovery)
		}
		if paid {
			setCost(r, micros, currency)
		}
		lost := out.state == queue.NodeFail || out.state == queue.Preempted
		if r.RequeueRequested || (lost && !r.NoRequeue) {
			// requeue.go takes it back to PENDING. A job whose node
			// failed or was taken back (spot eviction) is requeued
			// unless --no-requeue, as Slurm does with its default
			// JobRequeue=1.
			r.PastRuns = append(r.PastRuns, pastRun(r, out, ex, end)) // requeue.go
			r.State = queue.Requeued
			return nil
		}
		r.State = out.state
		r.Reason = out.reason
		r.ExitCode, r.ExitSignal = out.code, out.signal
		recordRunEnd(r, out, ex, end)
		return nil
	})
	if err != nil && !errors.Is(err, errSkip) {
		s.log.Error("cannot record job end", "job_id", j.ID, "err", err)
		return
	}
	s.release(j)
	if err == nil && upd.State == queue.Requeued {
		upd = s.requeued(ctx, upd)
	}
	if err == nil {
		s.mu.Lock()
		delete(s.retries, j.ID)
		s.publish(upd, "")
		s.mu.Unlock()
		s.log.Debug("finished", "job_id", j.ID, "state", upd.State)
		if upd.State.Terminal() {
			s.jobEnded()
		}
	}
	s.poke()
	if g, ok := s.gates[j.Gate]; ok && len(j.Handle) > 0 {
		if err := g.Remove(context.WithoutCancel(ctx), j.Handle); err != nil && !errors.Is(err, gate.ErrNotFound) {
			s.log.Warn("gate cleanup failed", "job_id", j.ID, "gate", j.Gate, "err", err)
		}
	}
}

// outcome is how a run ended, in Slurm's terms, for the job and its .batch step.
type outcome struct {
	state                  queue.State
	reason                 string
	code, signal           int
	batch                  queue.State
	batchCode, batchSignal int
}

// outcomeOf maps a gate's Exit to Slurm's states and exit codes, as the
// reference cluster records them (REFERENCE.md §4.4).
func outcomeOf(ex gate.Exit) outcome {
	// The batch step: killed by a signal → CANCELLED 0:sig; else its status.
	step := func() (queue.State, int, int) {
		switch {
		case ex.Signal != 0:
			return queue.Cancelled, 0, ex.Signal
		case ex.Code != 0:
			return queue.Failed, ex.Code, 0
		}
		return queue.Completed, 0, 0
	}
	bs, bc, bsig := step()
	switch ex.Cause {
	case gate.CauseTimeout:
		return outcome{queue.Timeout, "TimeLimit", 0, 0, bs, bc, bsig}
	case gate.CauseCancelled:
		return outcome{queue.Cancelled, "None", 0, 0, bs, bc, bsig}
	case gate.CauseLaunchFailed:
		return outcome{queue.Failed, "JobLaunchFailure", 0, 53, queue.Cancelled, 0, 53}
	case gate.CauseOutOfMemory:
		return outcome{queue.OutOfMemory, "OutOfMemory", 0, 125, queue.OutOfMemory, 0, 125}
	case causeNodeFail:
		return outcome{queue.NodeFail, "NodeDown", 0, 0, queue.Cancelled, 0, 0}
	case gate.CausePreempted:
		return outcome{queue.Preempted, "None", 0, 0, queue.Cancelled, 0, 0}
	}
	switch {
	case ex.Signal != 0:
		return outcome{queue.Failed, "NonZeroExitCode", 0, ex.Signal, bs, bc, bsig}
	case ex.Code != 0:
		return outcome{queue.Failed, "NonZeroExitCode", ex.Code, 0, bs, bc, bsig}
	}
	return outcome{queue.Completed, "None", 0, 0, bs, bc, bsig}
}

// kill asks the job's gate to end a running job as scancel does: Slurm's
// CANCELLED line in its output, SIGTERM, SIGKILL after KillWait.
func (s *Server) kill(ctx context.Context, j *queue.Job) {
	s.endRun(ctx, j, compat.CancelLine(j.ID, j.NodeList, s.now()))
}

// endRun asks the job's gate to end its run: line in its output, SIGTERM,
// SIGKILL after KillWait. The run's end is then reported through Wait.
func (s *Server) endRun(ctx context.Context, j *queue.Job, line string) {
	g, ok := s.gates[j.Gate]
	if !ok || len(j.Handle) == 0 {
		return
	}
	req := gate.KillRequest{
		Signal: syscall.SIGTERM,
		Grace:  time.Duration(s.cfg.Daemon.KillWait),
		Line:   line,
		Cause:  gate.CauseCancelled,
	}
	if err := g.Kill(ctx, j.Handle, req); err != nil && !errors.Is(err, gate.ErrNotFound) {
		s.log.Warn("kill failed", "job_id", j.ID, "gate", j.Gate, "err", err)
	}
}
