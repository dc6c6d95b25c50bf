package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"skyport/gate"
	"skyport/gate/internal/keylock"
	"skyport/gate/internal/runname"
)

// errClosed is returned by every method of a closed gate.
var errClosed = errors.New("local: gate closed")

// Gate runs jobs on this machine, each under its own supervisor (see the
// package documentation). All methods are safe for concurrent use. Several
// Gate values may be open over one state directory in turn (a daemon
// restart); two daemons using one state directory at once are not
// supported.
type Gate struct {
	name string
	jobs string // <StateDir>/jobs
	node gate.Node
	cmd  []string // the supervisor command
	log  *slog.Logger

	closed atomic.Bool

	mu        sync.Mutex
	starting  keylock.Map // per run name, so one run starts once
	spares    []*spare    // idle reusable supervisors
	refilling bool        // a spare is being started

	endMu sync.Mutex
	ended chan struct{} // closed when a reusable supervisor ends a run
}

var (
	_ gate.Gate   = (*Gate)(nil)
	_ gate.Lister = (*Gate)(nil)
)

// LeanSupervisor is the name of the stand-alone supervisor binary
// (cmd/skyport-supervise) that New prefers when it lies beside the
// running program.
const LeanSupervisor = "skyport-supervise"

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// New opens the local gate name over stateDir, creating <stateDir>/jobs.
// Jobs started by an earlier Gate over the same directory are reached
// through their handles.
func New(name, stateDir string, opts Options) (*Gate, error) {
	if stateDir == "" {
		return nil, errors.New("local: no state directory")
	}
	// Absolute, as supervisors run in "/".
	jobs, err := filepath.Abs(filepath.Join(stateDir, "jobs"))
	if err != nil {
		return nil, fmt.Errorf("local: state directory: %w", err)
	}
	// 0711: a job running as its user must reach its script, not list others.
	if err := os.MkdirAll(jobs, 0o711); err != nil {
		return nil, fmt.Errorf("local: state directory: %w", err)
	}
	host, err := shortHostname()
	if err != nil {
		return nil, fmt.Errorf("local: host name: %w", err)
	}
	if opts.Containers != "" && !slices.Contains(gate.ContainerRuntimes, opts.Containers) {
		return nil, fmt.Errorf("local: containers %q: want one of %q", opts.Containers, gate.ContainerRuntimes)
	}
	n := gate.Node{Name: host, CPUs: opts.CPUs, MemMB: opts.MemMB, Up: true, Containers: opts.Containers, GPUs: opts.GPUs}
	if n.CPUs == 0 {
		n.CPUs = runtime.NumCPU()
	}
	if n.MemMB == 0 {
		if n.MemMB, err = memTotalMB(); err != nil {
			return nil, fmt.Errorf("local: memory size: %w", err)
		}
	}
	cmd := opts.SupervisorCmd
	if len(cmd) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("local: supervisor command: %w", err)
		}
		cmd = []string{exe, "supervise"}
		// The lean supervisor binary, when installed beside this program,
		// starts faster than re-executing the whole daemon.
		if lean := filepath.Join(filepath.Dir(exe), LeanSupervisor); isExecutable(lean) {
			cmd = []string{lean, "supervise"}
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	g := &Gate{
		name: name,
		jobs: jobs,
		node: n,
		cmd:  append([]string(nil), cmd...),
		log:  log.With("gate", name),
	}
	g.sweep()
	return g, nil
}

// sweep removes directories a Start left half-prepared when the daemon
// died; an hour old means no Start of this process is still using them.
func (g *Gate) sweep() {
	ents, err := os.ReadDir(g.jobs)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".new-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			_ = os.RemoveAll(filepath.Join(g.jobs, e.Name()))
		}
	}
}

// Nodes returns the one node of this machine: its short host name, CPUs
// and memory (from Options or the machine), always up.
func (g *Gate) Nodes(_ context.Context) ([]gate.Node, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	return []gate.Node{g.node}, nil
}

// List returns the handles of every run the state directory holds, ended
// or not, in no particular order.
func (g *Gate) List(_ context.Context) ([]gate.Handle, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	ents, err := os.ReadDir(g.jobs)
	if err != nil {
		return nil, fmt.Errorf("local: list: %w", err)
	}
	var hs []gate.Handle
	for _, e := range ents {
		if e.IsDir() && runname.Valid(e.Name()) {
			hs = append(hs, encodeHandle(e.Name()))
		}
	}
	return hs, nil
}

// Close marks the gate closed (later calls fail) and lets its idle
// supervisors go. Jobs and their supervisors keep running, and a new Gate
// over the same state directory reaches them.
func (g *Gate) Close() error {
	g.closed.Store(true)
	g.dropSpares()
	return nil
}

// dirOf returns the run directory a handle names.
func (g *Gate) dirOf(h gate.Handle) (string, error) {
	if g.closed.Load() {
		return "", errClosed
	}
	name, err := parseHandle(h)
	if err != nil {
		return "", err
	}
	return filepath.Join(g.jobs, name), nil
}
