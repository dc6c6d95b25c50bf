package gatetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skyport/gate"
)

// testNodes: every node has a name, CPUs and memory, and is up.
func testNodes(t *testing.T, open Opener) {
	h := newHarness(t, open)
	nodes, err := h.gate().Nodes(h.ctx())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Name == "" || n.CPUs <= 0 || n.MemMB <= 0 || !n.Up {
			t.Errorf("node %+v: want a name, CPUs, memory and up", n)
		}
	}
}

// testExitStatus: Wait and Reap report how the script ended.
func testExitStatus(t *testing.T, open Opener) {
	tests := []struct {
		name, body   string
		code, signal int
	}{
		{"true", "true", 0, 0},
		{"exit 3", "exit 3", 3, 0},
		{"killed by SIGKILL", "kill -9 $$", 0, 9},
		{"killed by SIGTERM", "kill -TERM $$", 0, 15},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, open)
			hd, e := h.run(h.spec(uint32(i+1), tc.body))
			checkExit(t, e, tc.code, tc.signal, gate.CauseNone)
			r, err := h.gate().Reap(h.ctx(), hd)
			if err != nil {
				t.Fatal(err)
			}
			if !sameExit(r, e) {
				t.Errorf("Reap = %+v; Wait said %+v", r, e)
			}
		})
	}
}

// testOutput: the script's output lands in the spec's files, joined or
// separate, truncated or appended; stdin, arguments and the shebang are
// the spec's.
func testOutput(t *testing.T, open Opener) {
	const body = "echo out; echo err >&2"
	tests := []struct {
		name      string
		edit      func(h *harness, s *gate.Spec)
		old       string // content of the output files before the job
		out, errs string // want; errs is the separate error file's
	}{
		{name: "joined", out: "out\nerr\n"},
		{
			name: "separate",
			edit: func(h *harness, s *gate.Spec) { s.StdErr = h.path("err") },
			out:  "out\n", errs: "err\n",
		},
		{
			name: "same file named twice",
			edit: func(_ *harness, s *gate.Spec) { s.StdErr = s.StdOut },
			out:  "out\nerr\n",
		},
		{name: "truncate", old: "old\n", out: "out\nerr\n"},
		{
			name: "append",
			edit: func(h *harness, s *gate.Spec) { s.Append = true; s.StdErr = h.path("err") },
			old:  "old\n", out: "old\nout\n", errs: "old\nerr\n",
		},
		{
			name: "stdin from a file",
			edit: func(h *harness, s *gate.Spec) {
				s.StdIn = h.path("in")
				s.Script = []byte("#!/bin/sh\ncat\n")
				if err := os.WriteFile(s.StdIn, []byte("input\n"), 0o644); err != nil {
					h.t.Fatal(err)
				}
			},
			out: "input\n",
		},
		{
			name: "stdin empty by default",
			edit: func(_ *harness, s *gate.Spec) { s.Script = []byte("#!/bin/sh\ncat\necho end\n") },
			out:  "end\n",
		},
		{
			name: "arguments",
			edit: func(_ *harness, s *gate.Spec) {
				s.Args = []string{"a b", "c"}
				s.Script = []byte("#!/bin/sh\nprintf '[%s]' \"$@\"; echo\n")
			},
			out: "[a b][c]\n",
		},
		{
			name: "shebang",
			edit: func(_ *harness, s *gate.Spec) {
				s.Script = []byte("#!/bin/bash\necho \"${BASH_VERSION:+bash}\"\n")
			},
			out: "bash\n",
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, open)
			s := h.spec(uint32(i+1), body)
			if tc.edit != nil {
				tc.edit(h, &s)
			}
			for _, p := range []string{s.StdOut, s.StdErr} {
				if p != "" && tc.old != "" {
					if err := os.WriteFile(p, []byte(tc.old), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			_, e := h.run(s)
			checkExit(t, e, 0, 0, gate.CauseNone)
			if got := h.read(s.StdOut); got != tc.out {
				t.Errorf("output file = %q; want %q", got, tc.out)
			}
			if s.StdErr != "" && s.StdErr != s.StdOut {
				if got := h.read(s.StdErr); got != tc.errs {
					t.Errorf("error file = %q; want %q", got, tc.errs)
				}
			}
		})
	}
}

// testEnvironment: the environment is exactly the spec's plus
// SLURM_TASK_PID (the script's pid, replacing a stale one), and the
// script runs in the work directory.
func testEnvironment(t *testing.T, open Opener) {
	h := newHarness(t, open)
	wd := h.path("work dir")
	if err := os.Mkdir(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	s := h.spec(1, `echo "foo=$FOO"
echo "home=${HOME-unset}"
[ "$SLURM_TASK_PID" = "$$" ] && echo task-pid-ok
pwd -P`)
	s.WorkDir = wd
	s.Env = append(s.Env, "FOO=bar baz", "SLURM_TASK_PID=1")
	_, e := h.run(s)
	checkExit(t, e, 0, 0, gate.CauseNone)
	resolved, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	want := "foo=bar baz\nhome=unset\ntask-pid-ok\n" + resolved + "\n"
	if got := h.read(s.StdOut); got != want {
		t.Errorf("output = %q; want %q", got, want)
	}
}

// testNoStragglers: a background process of the job does not outlive it.
func testNoStragglers(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, `sleep 300 & echo $! > "$WD/bg"`)
	_, e := h.run(s)
	checkExit(t, e, 0, 0, gate.CauseNone)
	pid, err := strconv.Atoi(strings.TrimSpace(h.read(h.path("bg"))))
	if err != nil {
		t.Fatalf("background pid: %v", err)
	}
	ctx := h.ctx()
	for sleepAlive(pid) {
		select {
		case <-ctx.Done():
			t.Fatalf("background process %d of the job still runs after the job ended", pid)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sleepAlive reports whether pid is a live (not zombie) sleep process.
func sleepAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || !strings.Contains(s[:i], "(sleep") {
		return false
	}
	return !strings.HasPrefix(s[i+1:], " Z") && !strings.HasPrefix(s[i+1:], " X")
}

// testManyJobs: jobs started and waited for concurrently keep apart.
func testManyJobs(t *testing.T, open Opener) {
	h := newHarness(t, open)
	const n = 8
	var wg sync.WaitGroup
	exits := make([]gate.Exit, n)
	hds := make([]gate.Handle, n)
	for i := range n {
		hds[i] = h.start(h.spec(uint32(100+i), fmt.Sprintf("echo job %d; exit %d", i, i)))
	}
	for i := range n {
		wg.Go(func() {
			e, err := h.gate().Wait(h.ctx(), hds[i])
			if err != nil {
				t.Errorf("Wait job %d: %v", 100+i, err)
			}
			exits[i] = e
		})
	}
	wg.Wait()
	for i, e := range exits {
		checkExit(t, e, i, 0, gate.CauseNone)
		if got, want := h.read(h.path(fmt.Sprintf("slurm-%d.out", 100+i))), fmt.Sprintf("job %d\n", i); got != want {
			t.Errorf("job %d output = %q; want %q", 100+i, got, want)
		}
	}
}
