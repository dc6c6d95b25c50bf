package gateway

import (
	"bytes"
	"context"
	"errors"
	"math"
	"time"

	"skyport/gate"
	"skyport/queue"
)

// costRefresh is how often the running jobs of paid gates (gate.Coster)
// have their cost so far asked again and recorded.
const costRefresh = 30 * time.Second

// costTimeout bounds one gate's Cost call.
const costTimeout = 10 * time.Second

// watchCosts records the running cost of every job on a paid gate every
// costRefresh until ctx ends, so that scontrol show job, sacct and the
// stream's cost events follow it while it runs. It returns at once when
// no gate is paid.
func (s *Server) watchCosts(ctx context.Context) {
	paid := false
	for _, g := range s.gates {
		if _, ok := g.(gate.Coster); ok {
			paid = true
		}
	}
	if !paid {
		return
	}
	t := time.NewTicker(costRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.refreshCosts(ctx)
		}
	}
}

// refreshCosts records the cost so far of each job that holds a run on
// a paid gate.
func (s *Server) refreshCosts(ctx context.Context) {
	var jobs []*queue.Job
	s.mu.Lock()
	for _, e := range s.live {
		j := e.job
		switch j.State {
		case queue.Configuring, queue.Running, queue.Completing, queue.Suspended:
		default:
			continue
		}
		if _, ok := s.gates[j.Gate].(gate.Coster); ok && len(j.Handle) > 0 {
			jobs = append(jobs, j)
		}
	}
	s.mu.Unlock()
	for _, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		s.recordCost(ctx, j)
	}
}

// runCost asks j's gate what the run of j.Handle has cost so far, in
// millionths of the currency; ok is false when the gate has no cost for it.
func (s *Server) runCost(ctx context.Context, j *queue.Job) (micros int64, currency string, ok bool) {
	c, isPaid := s.gates[j.Gate].(gate.Coster)
	if !isPaid || len(j.Handle) == 0 {
		return 0, "", false
	}
	cctx, cancel := context.WithTimeout(ctx, costTimeout)
	defer cancel()
	amount, currency, err := c.Cost(cctx, j.Handle)
	if err != nil {
		if !errors.Is(err, gate.ErrNotFound) && ctx.Err() == nil {
			s.log.Warn("cannot read job cost", "job_id", j.ID, "gate", j.Gate, "err", err)
		}
		return 0, "", false
	}
	return int64(math.Round(amount * 1e6)), currency, true
}

// recordCost stores the cost so far of j's current run (added to what its
// earlier runs cost) when it changed, and publishes it.
func (s *Server) recordCost(ctx context.Context, j *queue.Job) {
	micros, currency, ok := s.runCost(ctx, j)
	if !ok {
		return
	}
	upd, err := s.store.Update(ctx, j.ID, func(r *queue.Job) error {
		if r.State.Terminal() || !bytes.Equal(r.Handle, j.Handle) {
			return errSkip // ended or started again meanwhile: finish records it
		}
		if !setCost(r, micros, currency) {
			return errSkip
		}
		return nil
	})
	if err != nil {
		if !errors.Is(err, errSkip) {
			s.log.Error("cannot record job cost", "job_id", j.ID, "err", err)
		}
		return
	}
	s.mu.Lock()
	s.publish(upd, "")
	s.mu.Unlock()
}

// setCost sets r's cost to its earlier runs' plus micros of the current
// run and reports whether that changed anything.
func setCost(r *queue.Job, micros int64, currency string) bool {
	total := r.CostPastMicros + micros
	if total == r.CostMicros && currency == r.CostCurrency {
		return false
	}
	r.CostMicros, r.CostCurrency = total, currency
	return true
}
