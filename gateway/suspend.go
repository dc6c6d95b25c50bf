package gateway

import (
	"context"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/queue"
)

// suspendOp is scontrol suspend (resume: scontrol resume), for root only
// as in Slurm: every process of the running job gets SIGSTOP (SIGCONT)
// through its gate and the job shows SUSPENDED. The time a job spends
// suspended is recorded (SuspendTime, SecsPreSuspend) and left out of its
// run time.
func (s *Server) suspendOp(who peer, resume bool) jobOp {
	return func(ctx context.Context, id uint32) string {
		now := s.now().UTC()
		upd, err := s.updateMaster(ctx, id, false, func(r *queue.Job) error {
			switch {
			case who.UID != 0:
				return refuse(compat.ReasonAccessDenied)
			case r.State == queue.Pending:
				return refuse(compat.ReasonJobPending)
			case r.State.Terminal() || r.State == queue.Completing || r.CancelRequested:
				return refuse(compat.ReasonJobFinished)
			case resume && r.State != queue.Suspended:
				return refuse(compat.ReasonJobNotSuspended)
			case !resume && r.State == queue.Suspended:
				return errSkip // already suspended: Slurm says nothing
			case !resume && (r.State != queue.Running || len(r.Handle) == 0):
				return refuse(compat.ReasonJobPending)
			}
			if resume {
				r.State = queue.Running
				r.SuspendedSecs += int64(now.Sub(r.SuspendTime) / time.Second)
			} else {
				r.State = queue.Suspended
				r.PreSuspendSecs = int64(now.Sub(r.StartTime)/time.Second) - r.SuspendedSecs
			}
			r.SuspendTime = now
			return nil
		})
		if reason := s.reasonOf("suspend", id, err); reason != "" || err != nil {
			if reason == compat.ReasonInvalidJobID {
				reason = compat.ReasonUnexpectedMessage // as scontrol suspend says it
			}
			return reason
		}
		sig := syscall.SIGSTOP
		if resume {
			sig = syscall.SIGCONT
		}
		if g, ok := s.gates[upd.Gate]; ok {
			if err := g.Signal(ctx, upd.Handle, sig); err != nil {
				s.log.Warn("suspend signal failed", "job_id", id, "signal", sig.String(), "err", err)
			}
		}
		return ""
	}
}
