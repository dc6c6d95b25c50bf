// Package gateway is the daemon: the local API server on a Unix socket,
// the scheduler loop, the runners that drive jobs through gates, recovery
// at start-up and the periodic housekeeping. It owns the only open queue.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"skyport/gate"
	"skyport/queue"
)

// Server is one running skyportd. Create it with New, run it with Run.
type Server struct {
	cfg    Config
	log    *slog.Logger
	store  *queue.Store
	gates  map[string]gate.Gate
	parts  []*partition
	byName map[string]*partition
	host   string // this machine's short name: SLURM_SUBMIT_HOST
	// started is when this daemon started (scontrol's BOOT_TIME).
	started time.Time
	now     func() time.Time

	stateDir string
	socket   string
	lock     *os.File

	mu      sync.RWMutex
	live    map[uint32]*entry // jobs squeue can see
	order   liveOrder         // live's entries in ID order (liveorder.go)
	pending []uint32          // pending job IDs in scheduling order
	nodes   map[string]*node  // "gate/node" → allocation
	users   userCache
	// retries holds the jobs whose gate could not start them (gatereason.go).
	retries map[uint32]*startRetry

	kick    chan struct{}
	ctl     control // arrays, sbatch --wait, requeue (control.go)
	events  *events // the event stream (events.go)
	allocs  allocTable
	runners sync.WaitGroup
	// runCtx bounds the runners' gate calls; cancelled on shutdown.
	runCtx context.Context
}

// Options tune a Server beyond its Config; the zero value is fine.
type Options struct {
	Logger *slog.Logger
	// Now replaces the clock (tests).
	Now func() time.Time
}

// New validates cfg, takes the state directory's lock and opens the queue
// and the gates. A second daemon on the same state fails here with a clear
// message. Close releases everything New took.
func New(cfg Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	stateDir := cfg.Daemon.StateDir
	if stateDir == "" {
		stateDir = defaultStateDir()
	}
	s := &Server{
		cfg: cfg, log: log, now: now, stateDir: stateDir,
		gates: map[string]gate.Gate{}, byName: map[string]*partition{},
		live: map[uint32]*entry{}, nodes: map[string]*node{},
		kick: make(chan struct{}, 1),
	}
	s.host = shortHostname()
	s.started = now()
	s.socket = cfg.Daemon.Socket
	if s.socket == "" {
		s.socket = defaultSocket(stateDir)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", stateDir, err)
	}
	lock, err := lockState(stateDir)
	if err != nil {
		return nil, err
	}
	s.lock = lock
	st, err := queue.Open(filepath.Join(stateDir, "queue"), queue.Options{Logger: log})
	if err != nil {
		_ = s.Close() // err is the one to report
		return nil, fmt.Errorf("open queue in %s: %w", stateDir, err)
	}
	s.store = st
	if err := s.openEvents(); err != nil {
		_ = s.Close() // err is the one to report
		return nil, fmt.Errorf("open event log in %s: %w", stateDir, err)
	}
	for name, gc := range cfg.Gates {
		g, err := gate.Open(gc.Kind, gate.Config{
			Name:     name,
			StateDir: filepath.Join(stateDir, "gates", name),
			Options:  gc.options(),
		})
		if err != nil {
			_ = s.Close() // err is the one to report
			return nil, err
		}
		s.gates[name] = g
	}
	if err := s.loadPartitions(context.Background()); err != nil {
		_ = s.Close() // err is the one to report
		return nil, err
	}
	return s, nil
}

// Socket returns the path of the API socket.
func (s *Server) Socket() string { return s.socket }

// Run recovers every unfinished job, then serves the API and schedules jobs
// until ctx is cancelled. Jobs keep running after Run returns.
func (s *Server) Run(ctx context.Context) error {
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRun()
	s.runCtx = runCtx
	if err := s.recover(ctx); err != nil {
		return err
	}
	stopEvents, err := s.startEvents(ctx)
	if err != nil {
		return err
	}
	defer stopEvents()
	ln, err := listenUnix(s.socket)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ConnContext:       withPeer,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); s.schedule(ctx) }()
	go func() { defer wg.Done(); s.housekeep(ctx) }()
	go func() { defer wg.Done(); s.watchNodes(ctx) }()
	go func() { defer wg.Done(); s.watchCosts(ctx) }() // cost.go
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s.log.Info("serving", "socket", s.socket, "state_dir", s.stateDir)
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	_ = os.Remove(s.socket)
	wg.Wait()
	cancelRun()
	s.runners.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the queue, the gates and the state lock. Running jobs go on.
func (s *Server) Close() error {
	var errs []error
	for _, g := range s.gates {
		errs = append(errs, g.Close())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// poke wakes the scheduler without blocking.
func (s *Server) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// housekeep drops finished jobs from squeue's view after MinJobAge and
// applies the retention policy to the queue.
func (s *Server) housekeep(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	lastPurge := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.now()
		s.forgetOld(now)
		if r := time.Duration(s.cfg.Daemon.Retention); r > 0 && now.Sub(lastPurge) > time.Hour {
			lastPurge = now
			n, err := s.store.Purge(ctx, now.Add(-r))
			if err != nil {
				s.log.Warn("retention purge failed", "err", err)
			} else if n > 0 {
				s.log.Info("retention purge", "jobs", n)
			}
		}
	}
}

// forgetOld removes jobs that ended more than MinJobAge ago from the live set.
func (s *Server) forgetOld(now time.Time) {
	cut := now.Add(-time.Duration(s.cfg.Daemon.MinJobAge))
	s.mu.Lock()
	defer s.mu.Unlock()
	gone := false
	for id, e := range s.live {
		if e.job.State.Terminal() && e.job.EndTime.Before(cut) {
			delete(s.live, id)
			gone = true
		}
	}
	if gone {
		s.order.removeFunc(func(id uint32) bool { return s.live[id] == nil })
	}
}

// clusterName is SLURM_CLUSTER_NAME.
func (s *Server) clusterName() string { return s.cfg.Daemon.ClusterName }

// nodeKey names a node of a gate in s.nodes.
func nodeKey(gateName, nodeName string) string { return gateName + "/" + nodeName }
