package gateway

import (
	"context"
	"errors"
	"time"

	"skyport/compat"
	"skyport/queue"
)

// Reasons of a held job, as squeue %r prints them.
const (
	reasonHeldUser    = "JobHeldUser"
	reasonHeldAdmin   = "JobHeldAdmin"
	reasonRequeueHold = "job requeued in held state"
)

// reasonFinished is hold's and release's reason for a job that ended.
const reasonFinished = "Job has already finished"

// errRefused carries Slurm's reason out of an Update function.
type errRefused struct{ reason string }

func (e *errRefused) Error() string { return e.reason }

// refuse returns an error carrying reason.
func refuse(reason string) error { return &errRefused{reason} }

// reasonOf maps an error of a job change to Slurm's reason: "" for none
// (or a change that was not needed), the carried reason, or the
// reason for an unknown job.
func (s *Server) reasonOf(op string, id uint32, err error) string {
	var r *errRefused
	switch {
	case err == nil, errors.Is(err, errSkip):
		return ""
	case errors.As(err, &r):
		return r.reason
	case errors.Is(err, queue.ErrNotFound):
		return compat.ReasonInvalidJobID
	}
	s.log.Error("scontrol "+op+" failed", "job_id", id, "err", err)
	return compat.ReasonUnexpectedMessage
}

// owns reports whether who may change j: root, or j's owner.
func owns(who peer, j *queue.Job) bool { return who.UID == 0 || who.UID == j.UID }

// holdOp is scontrol hold (admin is set for root: JobHeldAdmin) and uhold
// (JobHeldUser): a pending job gets priority 0 and waits; a running job
// keeps running, held for when it is requeued.
func (s *Server) holdOp(who peer, admin bool) jobOp {
	reason := reasonHeldUser
	if admin && who.UID == 0 {
		reason = reasonHeldAdmin
	}
	return func(ctx context.Context, id uint32) string {
		_, err := s.updateMaster(ctx, id, false, func(r *queue.Job) error {
			switch {
			case !owns(who, r):
				return refuse(compat.ReasonInvalidUser)
			case r.State.Terminal():
				return refuse(reasonFinished)
			}
			r.Held, r.Reason = true, reason
			if r.State == queue.Pending {
				r.EligibleTime = time.Time{}
			}
			return nil
		})
		return s.reasonOf("hold", id, err)
	}
}

// releaseOp is scontrol release: a held job becomes eligible again. A
// user may not release a hold an administrator set.
func (s *Server) releaseOp(who peer) jobOp {
	return func(ctx context.Context, id uint32) string {
		now := s.now().UTC()
		upd, err := s.updateMaster(ctx, id, false, func(r *queue.Job) error {
			switch {
			case !owns(who, r):
				return refuse(compat.ReasonInvalidUser)
			case r.State.Terminal():
				return refuse(reasonFinished)
			case !r.Held:
				return errSkip
			case r.Reason == reasonHeldAdmin && who.UID != 0:
				return refuse(compat.ReasonAccessDenied)
			}
			r.Held, r.Reason = false, "None"
			if r.State == queue.Pending && r.EligibleTime.IsZero() && r.Dependency == "" {
				r.EligibleTime = maxTime(now, r.BeginTime)
			}
			return nil
		})
		if err == nil && upd.State == queue.Pending {
			s.toPending(id)
		}
		return s.reasonOf("release", id, err)
	}
}
