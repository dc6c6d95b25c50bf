package gatetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// timeout bounds every wait of the suite. It only matters when a gate is
// broken; nothing asserts how long a step took.
const timeout = 20 * time.Second

// stampRE matches a line's time as gates write it (2006-01-02T15:04:05).
const stampRE = `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`

// harness is one subtest's gate, its state directory and a scratch
// directory for the jobs' files.
type harness struct {
	t     *testing.T
	open  Opener
	state string // the gate's state directory
	dir   string // job files: scripts' markers, outputs
	node  string

	mu      sync.Mutex
	gates   []gate.Gate
	live    gate.Gate // the latest gate opened
	handles []gate.Handle
}

// newHarness opens a gate over a new state directory. At the end of the
// test it kills and waits for every job it started (before the
// directories go) and closes every gate it opened.
func newHarness(t *testing.T, open Opener) *harness {
	t.Helper()
	h := &harness{t: t, open: open, state: t.TempDir(), dir: t.TempDir()}
	t.Cleanup(h.cleanup)
	g := h.reopen()
	nodes, err := g.Nodes(h.ctx())
	if err != nil || len(nodes) == 0 {
		t.Fatalf("Nodes = %v, %v; want at least one node", nodes, err)
	}
	h.node = nodes[0].Name
	return h
}

// gate returns the latest gate opened.
func (h *harness) gate() gate.Gate {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.live
}

// reopen opens another gate over the same state directory, as a restarted
// daemon does, and makes it the harness's gate.
func (h *harness) reopen() gate.Gate {
	h.t.Helper()
	g := h.open(h.t, h.state)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gates = append(h.gates, g)
	h.live = g
	return g
}

func (h *harness) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	g := h.gate()
	h.mu.Lock()
	handles := h.handles
	h.mu.Unlock()
	for _, hd := range handles {
		_ = g.Kill(ctx, hd, gate.KillRequest{Signal: unix.SIGKILL, Cause: gate.CauseCancelled})
		_, _ = g.Wait(ctx, hd)
	}
	for _, g := range h.gates {
		_ = g.Close()
	}
}

// ctx returns a context bounded by the suite's timeout.
func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(h.t.Context(), timeout)
	h.t.Cleanup(cancel)
	return ctx
}

// spec returns the spec of job id running the /bin/sh script body in the
// scratch directory, output to slurm-<id>.out there, with PATH and WD (the
// scratch directory) as its whole environment. A one-minute time limit
// keeps a broken test from leaving jobs behind.
func (h *harness) spec(id uint32, body string) gate.Spec {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return gate.Spec{
		JobID:     id,
		Name:      fmt.Sprintf("job%d", id),
		User:      name,
		UID:       uint32(os.Getuid()),
		GID:       uint32(os.Getgid()),
		Node:      h.node,
		Script:    []byte("#!/bin/sh\n" + body + "\n"),
		Env:       []string{"PATH=/usr/local/bin:/usr/bin:/bin", "WD=" + h.dir},
		WorkDir:   h.dir,
		StdOut:    h.path(fmt.Sprintf("slurm-%d.out", id)),
		CPUs:      1,
		MemMB:     64,
		TimeLimit: time.Minute,
		KillWait:  10 * time.Second,
	}
}

// path returns name in the scratch directory.
func (h *harness) path(name string) string { return filepath.Join(h.dir, name) }

// start starts spec on the harness's gate.
func (h *harness) start(spec gate.Spec) gate.Handle {
	h.t.Helper()
	hd, err := h.gate().Start(h.ctx(), spec)
	if err != nil {
		h.t.Fatalf("Start(job %d): %v", spec.JobID, err)
	}
	h.mu.Lock()
	h.handles = append(h.handles, hd)
	h.mu.Unlock()
	return hd
}

// wait waits for the job's exit.
func (h *harness) wait(hd gate.Handle) gate.Exit {
	h.t.Helper()
	e, err := h.gate().Wait(h.ctx(), hd)
	if err != nil {
		h.t.Fatalf("Wait: %v", err)
	}
	return e
}

// run starts spec and waits for its exit.
func (h *harness) run(spec gate.Spec) (gate.Handle, gate.Exit) {
	h.t.Helper()
	hd := h.start(spec)
	return hd, h.wait(hd)
}

// read returns the content of a file, "" when it does not exist.
func (h *harness) read(path string) string {
	h.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		h.t.Fatal(err)
	}
	return string(b)
}

// waitFile waits until a job creates the file name in the scratch
// directory.
func (h *harness) waitFile(name string) {
	h.t.Helper()
	ctx := h.ctx()
	for {
		if _, err := os.Stat(h.path(name)); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			h.t.Fatalf("file %s never appeared: %v", name, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// touch creates the file name in the scratch directory.
func (h *harness) touch(name string) {
	h.t.Helper()
	if err := os.WriteFile(h.path(name), nil, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// checkExit compares the status fields of an exit and checks its times
// are set and ordered.
func checkExit(t *testing.T, got gate.Exit, code, signal int, cause gate.Cause) {
	t.Helper()
	if got.Code != code || got.Signal != signal || got.Cause != cause {
		t.Errorf("exit = code %d signal %d cause %q (%s); want code %d signal %d cause %q",
			got.Code, got.Signal, got.Cause, got.Detail, code, signal, cause)
	}
	if got.Start.IsZero() || got.End.Before(got.Start) {
		t.Errorf("exit times: start %v, end %v; want a start, and an end not before it", got.Start, got.End)
	}
}

// sameExit reports whether two records of one exit agree.
func sameExit(a, b gate.Exit) bool {
	return a.Code == b.Code && a.Signal == b.Signal && a.Cause == b.Cause &&
		a.Detail == b.Detail && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.MaxRSSKB == b.MaxRSSKB && a.UserCPU == b.UserCPU && a.SystemCPU == b.SystemCPU
}

// hasLine reports whether text has a whole line matching the regexp re.
func hasLine(text, re string) bool {
	return regexp.MustCompile(`(?m)^` + re + `$`).MatchString(text)
}

// countLines counts the lines of text.
func countLines(text string) int {
	return strings.Count(text, "\n")
}

// wantNotFound checks that err is gate.ErrNotFound.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("%s = %v; want gate.ErrNotFound", what, err)
	}
}
