package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	wire "skyport/gateway/api/stream"
	"skyport/gateway/stream"
	"skyport/queue"
)

// tokenFile is the bearer token of the TCP listener, in the state directory.
const tokenFile = "stream.token"

// events is the daemon's side of the event stream: the service, the
// handler on the Unix socket, and the optional TCP listener.
type events struct {
	svc  *stream.Service
	log  *queue.EventLog
	live atomic.Bool // past recovery: new jobs are announced

	mu  sync.Mutex // guards tcp
	tcp net.Addr   // the TCP listener's address, nil when none
}

// openEvents opens the event log and makes the stream service; the
// caller holds the open store.
func (s *Server) openEvents() error {
	el, err := s.store.OpenEventLog()
	if err != nil {
		return err
	}
	c := s.cfg.Stream
	s.events = &events{log: el, svc: stream.New(stream.Options{
		Log: el, Logger: s.log, Now: s.now,
		KeepEvents: c.KeepEvents, KeepAge: time.Duration(c.KeepAge),
		Hub: stream.HubOptions{ClientEvents: c.ClientBuffer},
	})}
	return nil
}

// startEvents runs the stream service and, when configured, the TCP
// listener; from now on new jobs are announced. stop ends both.
func (s *Server) startEvents(ctx context.Context) (stop func(), err error) {
	ev := s.events
	var srv *http.Server
	if addr := s.cfg.Stream.TCP; addr != "" {
		tok, err := stream.LoadToken(filepath.Join(s.stateDir, tokenFile))
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("stream.tcp: %w", err)
		}
		guard, err := stream.NewGuard(tok, ln.Addr(), s.cfg.Stream.Origins)
		if err != nil {
			_ = ln.Close()
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+wire.Path, guard.Wrap(s.streamHandler(s.ownerIdentity)))
		s.mountDashboard(mux, guard, ln.Addr().String()) // dashboard.go
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
		go func() { _ = srv.Serve(ln) }()
		ev.mu.Lock()
		ev.tcp = ln.Addr()
		ev.mu.Unlock()
		s.log.Info("event stream on TCP", "addr", ln.Addr().String())
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); ev.svc.Run(runCtx) }()
	s.mu.Lock()
	for _, e := range s.live {
		if e.job.State == queue.Running && len(e.job.Handle) > 0 {
			files := s.outputFiles(e.job)
			ev.svc.Emit(stream.Change{Event: s.jobEvent(e, ""), Follow: &files})
		}
	}
	ev.live.Store(true)
	s.mu.Unlock()
	return func() {
		if srv != nil {
			shut, c := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = srv.Shutdown(shut)
			c()
		}
		cancel()
		<-done
	}, nil
}

// tcpAddr returns the TCP listener's address, nil when there is none.
func (ev *events) tcpAddr() net.Addr {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return ev.tcp
}

// streamHandler is the websocket endpoint with the given way to identify
// callers.
func (s *Server) streamHandler(identify func(*http.Request) (stream.Identity, error)) http.Handler {
	return s.events.svc.Handler(stream.HandlerOptions{Identify: identify, Jobs: streamJobs{s}})
}

// peerIdentity identifies a caller on the Unix socket by its credentials.
func (s *Server) peerIdentity(r *http.Request) (stream.Identity, error) {
	p, ok := peerOf(r.Context())
	if !ok {
		return stream.Identity{}, errors.New("caller credentials unavailable")
	}
	return stream.Identity{UID: p.UID, All: p.UID == 0 || s.cfg.Stream.AllUsers}, nil
}

// ownerIdentity is who a TCP client with the token is: the daemon's user,
// since only that user can read the token.
func (s *Server) ownerIdentity(*http.Request) (stream.Identity, error) {
	uid := uint32(os.Getuid())
	return stream.Identity{UID: uid, All: uid == 0 || s.cfg.Stream.AllUsers}, nil
}

// noteChange reports the change of a job from old (nil: new to the live
// set) to e to the stream; the caller holds s.mu, and publish calls it on
// every change of a job in the live set.
func (s *Server) noteChange(old, e *entry) {
	ev := s.events
	if ev == nil || (old == nil && !ev.live.Load()) {
		return // recovery rebuilds the live set: nothing happened
	}
	j := e.job
	var prev queue.State
	if old != nil {
		prev = old.job.State
		if prev == j.State && old.shownReason() == e.shownReason() {
			if old.job.CostMicros != j.CostMicros || old.job.CostCurrency != j.CostCurrency {
				ev.svc.Emit(stream.Change{Event: s.costEvent(e)})
			}
			return
		}
	}
	c := stream.Change{}
	switch {
	case old == nil && j.State == queue.Pending:
		c.Event = s.jobEvent(e, wire.Submitted)
		c.Event.Name = j.Name
	case j.State == queue.Running && prev != queue.Running:
		c.Event = s.jobEvent(e, wire.Started)
		c.Event.Gate, c.Event.Node = j.Gate, j.NodeList
		if prev == queue.Suspended {
			c.Event.Type = wire.State // resumed: it was followed all along
		}
		files := s.outputFiles(e.job)
		c.Follow = &files
	case j.State.Terminal() && !prev.Terminal():
		c.Event = s.jobEvent(e, wire.Finished)
		c.Event.Exit = exitOf(j)
		if len(j.Handle) > 0 {
			files := s.outputFiles(e.job)
			c.Follow = &files
		}
	case j.State == queue.Requeued && prev != queue.Requeued,
		j.State == queue.Pending && (prev == queue.Configuring || prev == queue.Running):
		c.Event = s.jobEvent(e, wire.Requeued)
	default:
		c.Event = s.jobEvent(e, wire.State)
	}
	ev.svc.Emit(c)
}

// jobEvent is an event of type t about the job of e, at its current state.
func (s *Server) jobEvent(e *entry, t wire.Type) wire.Event {
	j := e.job
	return wire.Event{
		Type: t, Time: s.now().UTC(), JobID: j.ID, ArrayJobID: j.ArrayJobID,
		User: j.User, UID: j.UID, Partition: j.Partition,
		State: string(j.State), Reason: e.shownReason(),
	}
}

// costEvent is the cost event of the job of e: its cost so far and, while
// it runs, the rate of its current run.
func (s *Server) costEvent(e *entry) wire.Event {
	j := e.job
	ev := s.jobEvent(e, wire.CostUpdate)
	c := &wire.Cost{Currency: j.CostCurrency, Total: float64(j.CostMicros) / 1e6}
	if run := s.now().Sub(j.StartTime); !j.State.Terminal() && !j.StartTime.IsZero() && run > time.Minute {
		c.PerHour = float64(j.CostMicros-j.CostPastMicros) / 1e6 / run.Hours()
	}
	ev.Cost = c
	return ev
}

// exitOf is how j ended: its ExitCode as sacct shows it, or the batch
// step's signal when the job's has none (a cancelled or timed-out job).
func exitOf(j *queue.Job) *wire.Exit {
	x := &wire.Exit{Code: j.ExitCode, Signal: j.ExitSignal}
	if x.Code == 0 && x.Signal == 0 {
		x.Signal = j.BatchSignal
	}
	return x
}

// outputFiles are the output files of job j; Stderr is "" when it is the
// stdout file.
func (s *Server) outputFiles(j *queue.Job) stream.Files {
	stdout, stderr, _ := s.outputPaths(j) // view.go
	f := stream.Files{Stdout: stdout}
	if stderr != stdout {
		f.Stderr = stderr
	}
	return f
}

// streamJobs answers the stream handler's questions about jobs.
type streamJobs struct{ s *Server }

// lookup returns a job and its view from the live set or the queue.
func (x streamJobs) lookup(id uint32) (*entry, bool) {
	x.s.mu.RLock()
	e, ok := x.s.live[id]
	x.s.mu.RUnlock()
	if ok {
		return e, true
	}
	j, err := x.s.store.Get(id)
	if err != nil {
		return nil, false
	}
	return &entry{job: j, reason: j.Reason}, true
}

// OutputFiles implements stream.Jobs: the files of a job its gate started.
func (x streamJobs) OutputFiles(id uint32) (stream.Files, uint32, bool) {
	e, ok := x.lookup(id)
	if !ok || len(e.job.Handle) == 0 {
		return stream.Files{}, 0, false
	}
	return x.s.outputFiles(e.job), e.job.UID, true
}

// Snapshot implements stream.Jobs.
func (x streamJobs) Snapshot(id uint32) (wire.Event, bool) {
	e, ok := x.lookup(id)
	if !ok {
		return wire.Event{}, false
	}
	if !e.job.State.Terminal() {
		return x.s.jobEvent(e, wire.State), true
	}
	ev := x.s.jobEvent(e, wire.Finished)
	ev.Exit = exitOf(e.job)
	if len(e.job.Handle) > 0 {
		files := x.s.outputFiles(e.job)
		ev.Exit.StdoutSize = fileSize(files.Stdout)
		ev.Exit.StderrSize = fileSize(files.Stderr)
	}
	return ev, true
}

// fileSize is the size of a regular file, 0 for anything else.
func fileSize(path string) int64 {
	if path == "" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	return fi.Size()
}
