package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"skyport/gate"
	"skyport/queue"
)

// recoverParallel bounds how many jobs are re-attached at once.
const recoverParallel = 8

// recoverTimeout bounds one gate's Recover call.
const recoverTimeout = 30 * time.Second

// recover rebuilds the live set from the queue and re-attaches every job
// that was running when the daemon stopped, before the API is served. A job
// its gate no longer knows is marked NODE_FAIL: never COMPLETED, never lost.
func (s *Server) recover(ctx context.Context) error {
	now := s.now()
	jobs, err := s.store.Recent(now.Add(-time.Duration(s.cfg.Daemon.MinJobAge)))
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	slices.SortFunc(jobs, func(a, b *queue.Job) int { return int(int64(a.ID) - int64(b.ID)) })
	var attach []*queue.Job
	s.mu.Lock()
	for _, j := range jobs {
		s.publish(j, "")
		switch j.State {
		case queue.Pending:
			if !j.Held {
				s.pending = append(s.pending, j.ID)
			}
		case queue.Configuring, queue.Running, queue.Completing, queue.Suspended:
			attach = append(attach, j)
		}
	}
	s.mu.Unlock()

	sem := make(chan struct{}, recoverParallel)
	var wg sync.WaitGroup
	for _, j := range attach {
		s.hold(j)
		if j.State == queue.Configuring {
			s.runners.Add(1)
			go func() { defer s.runners.Done(); s.launch(s.runCtx, j) }()
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.reattach(ctx, j)
		}()
	}
	wg.Wait()
	s.recoverControl(ctx, jobs) // arrays, requeues: requeue.go
	if n := len(attach); n > 0 {
		s.log.Info("recovered jobs", "count", n)
	}
	return nil
}

// reattach re-attaches one running job, or records it as NODE_FAIL.
func (s *Server) reattach(ctx context.Context, j *queue.Job) {
	if j.Interactive {
		// srun's allocation: hold it again under a fresh lease (alloc.go).
		s.runners.Add(1)
		go func() { defer s.runners.Done(); s.holdAlloc(s.runCtx, j) }()
		return
	}
	g, ok := s.gates[j.Gate]
	var err error
	if !ok {
		err = fmt.Errorf("gate %q is not configured any more: %w", j.Gate, gate.ErrNotFound)
	} else {
		rctx, cancel := context.WithTimeout(ctx, recoverTimeout)
		err = g.Recover(rctx, j.Handle)
		cancel()
	}
	if err != nil {
		if !errors.Is(err, gate.ErrNotFound) {
			// The gate could not tell: keep watching, Wait will decide.
			s.log.Warn("recover failed, will keep trying through wait", "job_id", j.ID, "gate", j.Gate, "err", err)
		} else {
			s.log.Warn("job gone after restart", "job_id", j.ID, "gate", j.Gate, "err", err)
			s.finish(s.runCtx, j, gate.Exit{Cause: causeNodeFail, End: s.now()})
			return
		}
	}
	if j.CancelRequested {
		// scancel was recorded, but the daemon may have died before the
		// gate heard of it: ask again (Kill of an ended job is a no-op).
		s.kill(s.runCtx, j)
	}
	s.runners.Add(1)
	go func() { defer s.runners.Done(); s.watch(s.runCtx, j) }()
}
