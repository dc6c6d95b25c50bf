package gateway

import (
	"context"
	"time"

	"skyport/gate"
	"skyport/queue"
)

// Bounds of the retries of a gate's Collect.
const (
	collectFirstRetry = time.Second
	collectMaxRetry   = 30 * time.Second
)

// collect shows a job whose run ended as COMPLETING and has its gate bring
// the results back (gate.Collector) before the job is reported finished:
// every Slurm client reads the output files as soon as the job leaves
// squeue. A failing Collect is retried with backoff until it succeeds, the
// job is cancelled meanwhile, or ctx ends (daemon shutdown: recovery finds
// the job COMPLETING and collects again). It reports whether the caller
// may record the end now.
func (s *Server) collect(ctx context.Context, j *queue.Job, c gate.Collector) bool {
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		if r.State != queue.Running && r.State != queue.Suspended && r.State != queue.Completing {
			return errSkip
		}
		r.State = queue.Completing
		return nil
	})
	switch {
	case err == nil:
		s.mu.Lock()
		s.publish(upd, "")
		s.mu.Unlock()
	case ctx.Err() != nil:
		return false
	}
	wait := collectFirstRetry
	for {
		err := c.Collect(ctx, j.Handle)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if cur, gerr := s.store.Get(j.ID); gerr == nil && cur.CancelRequested {
			s.log.Warn("results not collected: job cancelled", "job_id", j.ID, "gate", j.Gate, "err", err)
			return true
		}
		s.log.Warn("collect failed, retrying", "job_id", j.ID, "gate", j.Gate, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, collectMaxRetry)
	}
}
