package gateway

import (
	"errors"
	"time"

	"skyport/gate"
	"skyport/queue"
)

// startRetry is what the gateway keeps of a job its gate could not start
// (gate.ErrUnavailable): when to try again and the gate's reason, which
// the job shows until then (squeue %R, scontrol's Reason=).
type startRetry struct {
	at     time.Time
	reason string
	tries  int
}

// retryFirst and retryMax bound the wait before a job whose gate could
// not start it is tried again: it doubles with each try.
const (
	retryFirst = 2 * time.Second
	retryMax   = 30 * time.Second
)

// startReason is the reason a Start error gives (an error with a Reason()
// method, e.g. a cloud quota), else Slurm's "Resources".
func startReason(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) && r.Reason() != "" {
		return r.Reason()
	}
	return "Resources"
}

// noteStartFailure records that j's gate could not start it and returns
// how long it waits before the next try; the caller holds s.mu.
func (s *Server) noteStartFailure(id uint32, reason string) time.Duration {
	if s.retries == nil {
		s.retries = map[uint32]*startRetry{}
	}
	r := s.retries[id]
	if r == nil {
		r = &startRetry{}
		s.retries[id] = r
	}
	wait := retryFirst << min(r.tries, 5)
	wait = min(wait, retryMax)
	r.tries++
	r.at, r.reason = s.now().Add(wait), reason
	return wait
}

// waitReason returns the reason a pending job has to wait before the
// scheduler may place it, "" when it may be placed: its gate failed to
// start it a moment ago, or its partition's gate cannot start any job now
// (gate.Reasoner, e.g. a refused cloud credential). gateReasons caches the
// latter for one pass. The caller holds s.mu.
func (s *Server) waitReason(j *queue.Job, p *partition, now time.Time, gateReasons map[string]string) string {
	if r := s.retries[j.ID]; r != nil && now.Before(r.at) {
		return r.reason
	}
	if p == nil {
		return ""
	}
	why, ok := gateReasons[p.gateName]
	if !ok {
		if g, isR := s.gates[p.gateName].(gate.Reasoner); isR {
			why = g.Reason()
		}
		gateReasons[p.gateName] = why
	}
	return why
}
