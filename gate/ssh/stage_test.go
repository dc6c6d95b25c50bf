package ssh

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/ssh/sshtest"
)

// stagedEnv is a real sshd that hides the directory hidden (an empty tmpfs
// for it), with a gate that stages to it.
type stagedEnv struct {
	t      *testing.T
	sshd   *sshtest.SSHD
	key    string
	hidden string // a directory of the test that the host sees empty
	shared string // a directory both sides see
	cut    *sshtest.Cutter
}

func newStagedEnv(t *testing.T) *stagedEnv {
	t.Helper()
	key, pub := sshtest.NewKey(t)
	hidden := t.TempDir()
	d := sshtest.StartSSHD(t, pub, hidden)
	return &stagedEnv{t: t, sshd: d, key: key, hidden: hidden, shared: t.TempDir(), cut: &sshtest.Cutter{Dial: d.Dial}}
}

// open opens a gate over dir; shared declares the host to share files.
func (e *stagedEnv) open(dir string, shared bool) *Gate {
	opts := testOptions(e.t, sshdHost(e.sshd, e.key, shared))
	opts.Dial = e.cut.DialContext
	return openTest(e.t, dir, opts)
}

// mkdir makes a directory under the hidden one.
func (e *stagedEnv) mkdir(name string) string {
	e.t.Helper()
	p := filepath.Join(e.hidden, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// ctx is bounded: it only matters when the gate is broken.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestStagingSSHD: a job whose submit directory the host does not have
// reads its staged input, its output files are copied back, and Collect
// brings back the file it wrote. Without staging (a host declared to
// share files) the same job cannot even open its output.
func TestStagingSSHD(t *testing.T) {
	t.Parallel()
	e := newStagedEnv(t)
	ctx := testCtx(t)
	submit := e.mkdir("submit")
	logs := e.mkdir("logs")
	if err := os.WriteFile(filepath.Join(submit, "input.txt"), []byte("42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := gate.Spec{
		JobID: 1, Node: "n1",
		Script:    []byte("#!/bin/sh\ncat input.txt\necho \"$(cat input.txt) doubled\" > result.txt\necho oops >&2\n"),
		Env:       []string{"PATH=/usr/bin:/bin"},
		SubmitDir: submit, WorkDir: submit,
		StdOut: filepath.Join(logs, "job.out"), StdErr: filepath.Join(logs, "job.err"),
		TimeLimit: time.Minute, KillWait: time.Second,
	}

	unstaged := e.open(t.TempDir(), true)
	h, err := unstaged.Start(ctx, spec)
	if err != nil {
		t.Fatalf("Start without staging: %v", err)
	}
	x, err := unstaged.Wait(ctx, h)
	if err != nil || x.Cause != gate.CauseLaunchFailed {
		t.Fatalf("without staging: exit %+v, %v; want a launch failure (the host must not see %s)", x, err, e.hidden)
	}

	g := e.open(t.TempDir(), false)
	spec.JobID = 2
	h, err = g.Start(ctx, spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	x, err = g.Wait(ctx, h)
	if err != nil || x.Code != 0 || x.Signal != 0 || x.Cause != gate.CauseNone {
		t.Fatalf("Wait = %+v, %v; want a clean exit", x, err)
	}
	if got := readFile(t, spec.StdOut); got != "42\n" {
		t.Errorf("output = %q; want %q", got, "42\n")
	}
	if got := readFile(t, spec.StdErr); got != "oops\n" {
		t.Errorf("error file = %q; want %q", got, "oops\n")
	}
	result := filepath.Join(submit, "result.txt")
	if _, err := os.Stat(result); err == nil {
		t.Fatalf("%s exists before Collect", result)
	}
	for i := range 2 {
		if err := g.Collect(ctx, h); err != nil {
			t.Fatalf("Collect #%d: %v", i+1, err)
		}
	}
	if got := readFile(t, result); got != "42 doubled\n" {
		t.Errorf("collected result = %q; want %q", got, "42 doubled\n")
	}
}

// TestAppendSSHD: an appended output file continues what is here.
func TestAppendSSHD(t *testing.T) {
	t.Parallel()
	e := newStagedEnv(t)
	ctx := testCtx(t)
	dir := e.mkdir("work")
	out := filepath.Join(dir, "job.out")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := e.open(t.TempDir(), false)
	spec := gate.Spec{
		JobID: 1, Node: "n1", Script: []byte("#!/bin/sh\necho new\n"),
		Env: []string{"PATH=/usr/bin:/bin"}, WorkDir: dir, StdOut: out, Append: true,
		TimeLimit: time.Minute, KillWait: time.Second,
	}
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if x, err := g.Wait(ctx, h); err != nil || x.Code != 0 {
		t.Fatalf("Wait = %+v, %v", x, err)
	}
	if got := readFile(t, out); got != "old\nnew\n" {
		t.Errorf("output = %q; want %q", got, "old\nnew\n")
	}
}

// readFile returns a file's content, "" when it does not exist.
func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// waitLines waits until the file p has at least n lines.
func waitLines(ctx context.Context, t *testing.T, p string, n int) {
	t.Helper()
	for strings.Count(readFile(t, p), "\n") < n {
		select {
		case <-ctx.Done():
			t.Fatalf("%s never reached %d lines (has %d)", p, n, strings.Count(readFile(t, p), "\n"))
		case <-time.After(10 * time.Millisecond):
		}
	}
}
