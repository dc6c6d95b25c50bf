package gateway

import (
	"context"
	"errors"
	"time"

	"skyport/compat"
	"skyport/gate"
	"skyport/queue"
)

// reasonRequeueDisabled is Slurm's refusal to requeue a --no-requeue job.
const reasonRequeueDisabled = "Requested operation is presently disabled"

// requeueOp is scontrol requeue (hold: requeuehold). A running job is
// killed with slurmstepd's "DUE TO JOB REQUEUE" line and, once its run
// has ended, goes back to PENDING under the same ID with Restarts+1; a
// finished job (still known, within MinJobAge) goes back at once.
// requeue waits about two minutes (reason BeginTime), requeuehold holds
// the job ("job requeued in held state"). A job held while it ran stays
// held.
func (s *Server) requeueOp(who peer, hold bool) jobOp {
	return func(ctx context.Context, id uint32) string {
		var kill *queue.Job
		upd, err := s.updateMaster(ctx, id, false, func(r *queue.Job) error {
			kill = nil
			switch {
			case !owns(who, r):
				return refuse(compat.ReasonInvalidUser)
			case r.NoRequeue:
				return refuse(reasonRequeueDisabled)
			case r.State == queue.Pending || r.State == queue.Requeued:
				return refuse(compat.ReasonJobPending)
			case r.State.Terminal():
				r.State = queue.Requeued
				r.RequeueHold = hold
				return nil
			}
			if r.CancelRequested {
				return refuse(compat.ReasonJobFinished)
			}
			r.RequeueRequested, r.RequeueHold = true, hold
			kill = r.Clone()
			return nil
		})
		if reason := s.reasonOf("requeue", id, err); reason != "" || err != nil {
			return reason
		}
		if upd.State == queue.Requeued {
			s.requeued(ctx, upd)
			return ""
		}
		if kill != nil && len(kill.Handle) > 0 {
			go s.killForRequeue(context.WithoutCancel(ctx), kill)
		}
		return ""
	}
}

// killForRequeue ends a running job that is requeued; finish then puts
// it back in the queue (RequeueRequested).
func (s *Server) killForRequeue(ctx context.Context, j *queue.Job) {
	s.endRun(ctx, j, compat.RequeueLine(j.ID, j.NodeList, s.now()))
}

// requeued takes a job in REQUEUED (its run over) back to PENDING for its
// next run, publishes it and, unless held, lists it for the scheduler.
// It returns the stored job (j itself when that fails, which is logged).
func (s *Server) requeued(ctx context.Context, j *queue.Job) *queue.Job {
	now := s.now().UTC()
	delay := s.requeueDelay()
	upd, err := s.updateMaster(ctx, j.ID, false, func(r *queue.Job) error {
		if r.State != queue.Requeued {
			return errSkip
		}
		resetRun(r)
		r.State = queue.Pending
		r.Restarts++
		switch {
		case r.RequeueHold && r.Reason != reasonHeldAdmin:
			r.Held, r.Reason = true, reasonRequeueHold
		case r.Held:
			// held while it ran: it stays held with its reason
		default:
			r.Reason = "BeginTime"
			r.BeginTime = now.Add(delay)
			r.EligibleTime = r.BeginTime
		}
		r.RequeueRequested, r.RequeueHold = false, false
		return nil
	})
	if err != nil {
		if !errors.Is(err, errSkip) {
			s.log.Error("cannot requeue job", "job_id", j.ID, "err", err)
		}
		return j
	}
	s.log.Debug("requeued", "job_id", j.ID, "restarts", upd.Restarts)
	if !upd.Held {
		s.toPending(upd.ID)
		time.AfterFunc(delay, s.poke)
	}
	return upd
}

// pastRun is the record of job r's run that ended with ex (out) at end
// and is requeued, as sacct -D lists it: REQUEUED 0:0 (NODE_FAIL or
// PREEMPTED when the node was lost), its batch step as the run ended, its
// steps closed.
func pastRun(r *queue.Job, out outcome, ex gate.Exit, end time.Time) queue.Job {
	p := *r.Clone()
	p.PastRuns, p.Handle, p.GPUIDs = nil, nil, nil
	p.State, p.Reason = queue.Requeued, "None"
	if out.state == queue.NodeFail || out.state == queue.Preempted {
		p.State = out.state
	}
	p.ExitCode, p.ExitSignal = 0, 0
	recordRunEnd(&p, out, ex, end) // runner.go
	return p
}

// resetRun clears what a job's last run recorded, for its next run.
func resetRun(r *queue.Job) {
	r.StartTime, r.EndTime = time.Time{}, time.Time{}
	r.NodeList, r.AllocCPUs, r.AllocMemMB, r.Gate, r.Handle = "", 0, 0, "", nil
	r.GPUIDs = nil
	r.Steps = nil // the next run numbers its steps from 0 again, as Slurm does
	r.ExitCode, r.ExitSignal = 0, 0
	r.BatchState, r.BatchExitCode, r.BatchSignal = "", 0, 0
	r.MaxRSSKB, r.TotalCPU, r.UserCPU, r.SystemCPU = 0, 0, 0, 0
	r.CancelRequested, r.CancelledBy, r.CancelTime = false, 0, time.Time{}
	r.SuspendTime, r.PreSuspendSecs, r.SuspendedSecs = time.Time{}, 0, 0
	r.CostPastMicros = r.CostMicros // what the ended run cost stays on the job
}

// recoverControl finishes, at start-up, what job control left half done
// when the daemon stopped: array tasks being split off, requeued jobs not
// yet back in the queue, and requeue kills the gate may not have heard.
func (s *Server) recoverControl(ctx context.Context, jobs []*queue.Job) {
	for _, t := range s.recoverSplits(ctx, jobs) {
		s.mu.Lock()
		s.publish(t, "")
		s.mu.Unlock()
		if t.State == queue.Pending && !t.Held {
			s.toPending(t.ID)
		}
	}
	for _, j := range jobs {
		switch {
		case j.State == queue.Requeued:
			s.requeued(ctx, j)
		case j.RequeueRequested && len(j.Handle) > 0 && !j.State.Terminal():
			s.killForRequeue(ctx, j)
		}
	}
}
