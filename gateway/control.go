package gateway

import (
	"sync"
	"sync/atomic"
	"time"

	"skyport/compat"
)

// defaultRequeueDelay is how long a requeued job waits before it is
// eligible again: Slurm gives it a BeginTime about two minutes later
// (REFERENCE.md §5.2).
const defaultRequeueDelay = 120 * time.Second

// control is the daemon's state for job control beyond the plain queue:
// array masters, the sbatch --wait callers and the requeue delay. Its zero
// value is ready to use.
type control struct {
	// arrayMu serializes the changes of array masters with their
	// publication in the live set, so that the view of a master is
	// always the last stored one (see updateMaster).
	arrayMu sync.Mutex

	endMu sync.Mutex
	ended chan struct{} // closed (and replaced) whenever a job ends

	// requeueDelay in nanoseconds; 0 means defaultRequeueDelay.
	requeueDelay atomic.Int64
}

// jobEnded wakes everyone waiting in endedChan. It is called after a job
// reached a final state and was published.
func (s *Server) jobEnded() {
	s.ctl.endMu.Lock()
	defer s.ctl.endMu.Unlock()
	if s.ctl.ended != nil {
		close(s.ctl.ended)
		s.ctl.ended = nil
	}
}

// endedChan returns a channel closed when the next job ends. Take it
// before checking the jobs waited for, so that no end is missed.
func (s *Server) endedChan() <-chan struct{} {
	s.ctl.endMu.Lock()
	defer s.ctl.endMu.Unlock()
	if s.ctl.ended == nil {
		s.ctl.ended = make(chan struct{})
	}
	return s.ctl.ended
}

// requeueDelay is how long a requeued job waits before it may run again.
func (s *Server) requeueDelay() time.Duration {
	if d := s.ctl.requeueDelay.Load(); d > 0 {
		return time.Duration(d)
	}
	return defaultRequeueDelay
}

// maxArraySize is MaxArraySize: array task ids run below it.
func (s *Server) maxArraySize() int {
	if n := s.cfg.Daemon.MaxArraySize; n > 0 {
		return n
	}
	return compat.DefaultMaxArraySize
}
