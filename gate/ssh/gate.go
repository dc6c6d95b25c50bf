package ssh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"skyport/gate"
	"skyport/gate/internal/keylock"
	"skyport/gate/internal/runname"
)

// errClosed is returned by every method of a closed gate.
var errClosed = errors.New("ssh: gate closed")

// Gate runs jobs on SSH hosts, each under a supervisor of its own on the
// host (see the package documentation). All methods are safe for
// concurrent use. Gates over one state directory may be opened in turn (a
// daemon restart), not at once.
type Gate struct {
	name  string
	id    string // the gateway id: names this gateway's directory on hosts
	opts  Options
	store *store
	hosts []*conn
	log   *slog.Logger

	ctx    context.Context // the followers' lifetime, ended by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool

	binOnce sync.Once
	bin     *binary
	binErr  error

	mu        sync.Mutex
	locks     keylock.Map // per run: what changes one run, one at a time
	followers map[string]*follower
}

var (
	_ gate.Gate      = (*Gate)(nil)
	_ gate.Lister    = (*Gate)(nil)
	_ gate.Collector = (*Gate)(nil)
)

// New opens the SSH gate name over stateDir. It dials nothing: hosts are
// connected when first needed.
func New(name, stateDir string, opts Options) (*Gate, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	st, id, err := openStore(stateDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Gate{
		name: name, id: id, opts: opts, store: st,
		log:       opts.Logger.With("gate", name),
		ctx:       ctx,
		cancel:    cancel,
		followers: map[string]*follower{},
	}
	g.opts.Logger = g.log
	for _, h := range opts.Hosts {
		g.hosts = append(g.hosts, newConn(h, &g.opts))
	}
	return g, nil
}

// host returns the connection of the host called name.
func (g *Gate) host(name string) (*conn, error) {
	for _, c := range g.hosts {
		if c.host.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("ssh: no host %q in gate %s", name, g.name)
}

// binary loads the supervisor binary once.
func (g *Gate) binary() (*binary, error) {
	g.binOnce.Do(func() { g.bin, g.binErr = loadBinary(g.opts.Supervisor) })
	return g.bin, g.binErr
}

// jobsDir is the directory of this gateway's runs on a host.
func (g *Gate) jobsDir(inf *hostInfo) string {
	return path.Join(inf.Base, g.id, "jobs")
}

// Nodes returns one node per host. A host that cannot be reached (now, or
// at the last try within its backoff) is down, with a short Reason.
func (g *Gate) Nodes(ctx context.Context) ([]gate.Node, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	nodes := make([]gate.Node, len(g.hosts))
	var wg sync.WaitGroup
	for i, c := range g.hosts {
		wg.Go(func() {
			n := gate.Node{Name: c.host.Name, CPUs: c.host.CPUs, MemMB: c.host.MemMB, Containers: c.host.Containers, GPUs: c.host.GPUs}
			err := c.ping(ctx)
			var inf *hostInfo
			if err == nil {
				inf, err = c.info(ctx, nil)
			}
			if inf == nil {
				c.mu.Lock()
				inf = c.cached
				c.mu.Unlock()
			}
			if inf != nil {
				if n.CPUs == 0 {
					n.CPUs = inf.CPUs
				}
				if n.MemMB == 0 {
					n.MemMB = inf.MemMB
				}
			}
			if err != nil {
				n.Reason = reasonOf(err)
				g.log.Debug("node down", "host", c.host.Name, "err", err)
			} else {
				n.Up = true
			}
			nodes[i] = n
		})
	}
	wg.Wait()
	return nodes, nil
}

// reasonOf words why a host is down, briefly, as sinfo and squeue show it.
func reasonOf(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, errHostKey) && strings.Contains(msg, "CHANGED"):
		return "Host key changed"
	case errors.Is(err, errHostKey):
		return "Host key refused"
	case strings.Contains(msg, "unable to authenticate"):
		return "Login refused"
	case errors.Is(err, errUnreachable):
		return "Not responding"
	}
	if len(msg) > 40 {
		msg = msg[:40]
	}
	return msg
}

// List returns the handles of every run the gate holds: those recorded
// here, and those found on the hosts it reaches (a run launched just
// before a crash may exist only there).
func (g *Gate) List(ctx context.Context) ([]gate.Handle, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	runs, err := g.store.runs()
	if err != nil {
		return nil, fmt.Errorf("ssh: list: %w", err)
	}
	var hs []gate.Handle
	add := func(h gate.Handle) {
		for _, x := range hs {
			if bytes.Equal(x, h) {
				return
			}
		}
		hs = append(hs, h)
	}
	for _, run := range runs {
		rec, err := g.store.load(run)
		if err != nil {
			return nil, fmt.Errorf("ssh: list: %w", err)
		}
		if rec != nil && rec.Handle != nil {
			add(rec.Handle.encode())
		}
	}
	for _, c := range g.hosts {
		inf, err := c.info(ctx, nil)
		if err != nil {
			continue // a host down holds nothing we can reach now
		}
		out, err := c.output(ctx, scriptArgs(listScript, g.jobsDir(inf)), nil)
		if err != nil {
			g.log.Warn("list runs", "host", c.host.Name, "err", err)
			continue
		}
		for line := range strings.Lines(string(out)) {
			run, js, _ := strings.Cut(strings.TrimSpace(line), " ")
			var sr superRecord
			if !runname.Valid(run) || json.Unmarshal([]byte(js), &sr) != nil || sr.PID <= 0 {
				continue
			}
			add(handle{Gateway: g.id, Host: c.host.Name, Run: run,
				Dir: path.Join(g.jobsDir(inf), run), PID: sr.PID, Ticks: sr.Ticks}.encode())
		}
	}
	return hs, nil
}

// Close stops following jobs, closes the connections and marks the gate
// closed. Jobs keep running on their hosts; a new Gate over the same state
// directory reaches them.
func (g *Gate) Close() error {
	if g.closed.Swap(true) {
		return nil
	}
	g.cancel()
	g.wg.Wait()
	for _, c := range g.hosts {
		c.close()
	}
	return nil
}
