package stream

import (
	"context"
	"log/slog"
	"sync"
	"time"

	wire "skyport/gateway/api/stream"
	"skyport/queue"
)

// Log is the durable event log the service numbers and keeps events in;
// *queue.EventLog is one.
type Log interface {
	Reserve(n int) (uint64, error)
	Append(recs []queue.EventRecord) error
	Read(ctx context.Context, from uint64, fn func(queue.EventRecord) bool) error
	Trim(ctx context.Context, keep int, before time.Time) (int, error)
	Floor() uint64
}

// Options configure a Service.
type Options struct {
	// Log numbers and keeps the events; required.
	Log    Log
	Logger *slog.Logger
	Hub    HubOptions
	// KeepEvents and KeepAge are the log's window: at most that many
	// events, none older than that (0: no bound).
	KeepEvents int
	KeepAge    time.Duration
	// Poll is how often followed output files are checked when inotify
	// cannot tell (files that do not exist yet, file systems without
	// inotify); 0 means DefaultPoll.
	Poll time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// DefaultPoll is the default Options.Poll: it bounds the delay of output
// that inotify does not report.
const DefaultPoll = 250 * time.Millisecond

// trimEvery is how often the log's window is enforced.
const trimEvery = time.Minute

// Change is what the daemon reports to the service: an event (Type ""
// for none) and, for a job that runs or ran, its output files.
type Change struct {
	Event wire.Event
	// Follow names the job's output files. With a Started event (or no
	// event, for a job found running at start-up) the service follows
	// them; with a Finished or Requeued one it reads them to their end
	// first, so that every Output event of a job comes before its end.
	Follow *Files
}

// Service numbers events, keeps them in the log, follows the output of
// running jobs and publishes everything to its Hub, in one goroutine
// (Run), so that the sequence numbers follow the order of the changes.
type Service struct {
	opts Options
	hub  *Hub
	log  *slog.Logger
	fol  *follower // Run's own

	mu    sync.Mutex // guards queue
	queue []Change
	wake  chan struct{}
	done  chan struct{}
}

// New returns a service; Run starts it.
func New(opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	s := &Service{
		opts: opts, hub: NewHub(opts.Hub), log: opts.Logger,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	return s
}

// Hub returns the service's hub.
func (s *Service) Hub() *Hub { return s.hub }

// Emit queues a change. It never blocks and may be called under the
// caller's locks; changes are processed in the order of the calls.
func (s *Service) Emit(c Change) {
	s.mu.Lock()
	s.queue = append(s.queue, c)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Done is closed when Run has returned.
func (s *Service) Done() <-chan struct{} { return s.done }

// Run processes changes and output until ctx ends, then processes what is
// queued and returns. Call it once.
func (s *Service) Run(ctx context.Context) {
	defer close(s.done)
	s.fol = newFollower(s.hub.WantsOutput, s.opts.Now)
	defer s.fol.stop()
	trimDone := make(chan struct{})
	go func() { defer close(trimDone); s.trimLoop(ctx) }()
	defer func() { <-trimDone }()
	poll := time.NewTicker(s.opts.Poll)
	defer poll.Stop()
	for {
		pollFiles := false
		select {
		case <-ctx.Done():
			s.step(false)
			return
		case <-s.wake:
		case <-s.fol.signal:
		case <-poll.C:
			pollFiles = s.hub.WantsOutput()
		}
		s.step(pollFiles)
		for s.fol.pending() && ctx.Err() == nil {
			s.step(false)
		}
	}
}

// step processes the queued changes and the output files' news.
func (s *Service) step(poll bool) {
	s.mu.Lock()
	changes := s.queue
	s.queue = nil
	s.mu.Unlock()
	var out []wire.Event
	for _, c := range changes {
		ev := c.Event
		_, following := s.fol.jobs[ev.JobID]
		switch ev.Type {
		case wire.Finished, wire.Requeued:
			if !following && c.Follow != nil {
				s.fol.add(ev, *c.Follow)
			}
			var so, se int64
			out, so, se = s.fol.drain(ev.JobID, out)
			if ev.Type == wire.Finished {
				x := wire.Exit{}
				if ev.Exit != nil {
					x = *ev.Exit
				}
				x.StdoutSize, x.StderrSize = so, se
				ev.Exit = &x
			}
		default:
			if c.Follow != nil && !following {
				s.fol.add(ev, *c.Follow)
			}
		}
		if ev.Type != "" {
			out = append(out, ev)
		}
	}
	out = s.fol.pass(poll, out)
	s.publish(out)
}

// publish numbers evs, appends all but Output to the log (output is kept
// in the jobs' files, and resumed by offset) and hands them to the hub.
func (s *Service) publish(evs []wire.Event) {
	if len(evs) == 0 {
		return
	}
	first, err := s.opts.Log.Reserve(len(evs))
	if err != nil {
		s.log.Error("events lost: cannot number them", "events", len(evs), "err", err)
		return
	}
	items := make([]item, len(evs))
	recs := make([]queue.EventRecord, 0, len(evs))
	for i := range evs {
		evs[i].Seq = first + uint64(i)
		items[i] = encode(&evs[i])
		if evs[i].Type != wire.Output {
			recs = append(recs, queue.EventRecord{Seq: evs[i].Seq, Time: evs[i].Time, Data: items[i].raw})
		}
	}
	if err := s.opts.Log.Append(recs); err != nil {
		s.log.Warn("events not kept for resuming clients", "events", len(recs), "err", err)
	}
	s.hub.publish(items)
}

// trimLoop enforces the log's window now and then until ctx ends.
func (s *Service) trimLoop(ctx context.Context) {
	if s.opts.KeepEvents <= 0 && s.opts.KeepAge <= 0 {
		return
	}
	t := time.NewTicker(trimEvery)
	defer t.Stop()
	for {
		var before time.Time
		if s.opts.KeepAge > 0 {
			before = s.opts.Now().Add(-s.opts.KeepAge)
		}
		if n, err := s.opts.Log.Trim(ctx, s.opts.KeepEvents, before); err != nil && ctx.Err() == nil {
			s.log.Warn("event log trim failed", "err", err)
		} else if n > 0 {
			s.log.Debug("event log trimmed", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
