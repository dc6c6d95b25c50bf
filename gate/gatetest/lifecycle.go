package gatetest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// counted is a script that appends one line to "runs" per run, creates
// "started" and waits for "go"; it exits 7.
const counted = `echo run >> "$WD/runs"
touch "$WD/started"
while [ ! -e "$WD/go" ]; do sleep 0.02; done
echo done
exit 7`

// testStartIdempotent: Start again, from the same gate or one reopened
// over the same state (while the job runs, after it ended, after Reap),
// returns the same handle and runs nothing.
func testStartIdempotent(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, counted)
	hd := h.start(s)
	if again := h.start(s); !bytes.Equal(again, hd) {
		t.Errorf("second Start = %q; want the first handle %q", again, hd)
	}
	h.waitFile("started")
	if err := h.gate().Close(); err != nil {
		t.Errorf("Close = %v; want nil", err)
	}
	h.reopen()
	if again := h.start(s); !bytes.Equal(again, hd) {
		t.Errorf("Start after a reopen = %q; want the first handle %q", again, hd)
	}
	h.touch("go")
	e := h.wait(hd)
	checkExit(t, e, 7, 0, gate.CauseNone)
	if again := h.start(s); !bytes.Equal(again, hd) {
		t.Errorf("Start after the end = %q; want the first handle %q", again, hd)
	}
	if _, err := h.gate().Reap(h.ctx(), hd); err != nil {
		t.Fatal(err)
	}
	again := h.start(s)
	if !bytes.Equal(again, hd) {
		t.Errorf("Start after Reap = %q; want the first handle %q", again, hd)
	}
	if e2 := h.wait(again); !sameExit(e2, e) {
		t.Errorf("exit after a Start following Reap = %+v; want the first run's %+v", e2, e)
	}
	if runs := h.read(h.path("runs")); countLines(runs) != 1 {
		t.Errorf("the job ran %d times; want once", countLines(runs))
	}
}

// testStartConcurrent: concurrent Starts of one run start it once; the
// next restart of the job is a run of its own.
func testStartConcurrent(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, counted)
	const n = 4
	hds := make([]gate.Handle, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			hd, err := h.gate().Start(h.ctx(), s)
			if err != nil {
				t.Errorf("Start: %v", err)
			}
			hds[i] = hd
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	h.mu.Lock()
	h.handles = append(h.handles, hds[0])
	h.mu.Unlock()
	for _, hd := range hds[1:] {
		if !bytes.Equal(hd, hds[0]) {
			t.Errorf("concurrent Starts returned %q and %q; want one handle", hds[0], hd)
		}
	}
	h.touch("go")
	checkExit(t, h.wait(hds[0]), 7, 0, gate.CauseNone)
	if runs := h.read(h.path("runs")); countLines(runs) != 1 {
		t.Errorf("the job ran %d times; want once", countLines(runs))
	}

	s.Restart = 1
	hd := h.start(s)
	if bytes.Equal(hd, hds[0]) {
		t.Errorf("restart 1 got the handle of restart 0: %q", hd)
	}
	checkExit(t, h.wait(hd), 7, 0, gate.CauseNone)
	if runs := h.read(h.path("runs")); countLines(runs) != 2 {
		t.Errorf("after a restart the job ran %d times; want twice", countLines(runs))
	}
}

// testRecover: a gate reopened over the state of a closed one recovers
// the running job and waits for it.
func testRecover(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, counted)
	hd := h.start(s)
	h.waitFile("started")
	if err := h.gate().Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	g := h.reopen()
	if err := g.Recover(h.ctx(), hd); err != nil {
		t.Fatalf("Recover of a running job: %v", err)
	}
	type result struct {
		e   gate.Exit
		err error
	}
	res := make(chan result, 1)
	go func() {
		e, err := g.Wait(h.ctx(), hd)
		res <- result{e, err}
	}()
	h.touch("go")
	r := <-res
	if r.err != nil {
		t.Fatalf("Wait after Recover: %v", r.err)
	}
	checkExit(t, r.e, 7, 0, gate.CauseNone)
	if out := h.read(s.StdOut); out != "done\n" {
		t.Errorf("output = %q; want %q", out, "done\n")
	}
	if err := g.Recover(h.ctx(), hd); err != nil {
		t.Errorf("Recover of an ended job: %v", err)
	}
}

// testReapRemove: Reap repeats the same exit; after Remove the job is
// not found, and Remove repeats.
func testReapRemove(t *testing.T, open Opener) {
	h := newHarness(t, open)
	hd, e := h.run(h.spec(1, "echo hi; exit 4"))
	checkExit(t, e, 4, 0, gate.CauseNone)
	g := h.gate()
	for i := range 2 {
		r, err := g.Reap(h.ctx(), hd)
		if err != nil || !sameExit(r, e) {
			t.Errorf("Reap #%d = %+v, %v; want %+v", i+1, r, err, e)
		}
	}
	if err := g.Recover(h.ctx(), hd); err != nil {
		t.Errorf("Recover after Reap: %v", err)
	}
	for i := range 2 {
		if err := g.Remove(h.ctx(), hd); err != nil {
			t.Errorf("Remove #%d: %v", i+1, err)
		}
	}
	wantNotFound(t, "Recover after Remove", g.Recover(h.ctx(), hd))
	_, err := g.Reap(h.ctx(), hd)
	wantNotFound(t, "Reap after Remove", err)
	_, err = g.Wait(h.ctx(), hd)
	wantNotFound(t, "Wait after Remove", err)
}

// testList: a gate that lists its jobs (gate.Lister) lists a started job
// until it is removed.
func testList(t *testing.T, open Opener) {
	h := newHarness(t, open)
	l, ok := h.gate().(gate.Lister)
	if !ok {
		t.Skip("the gate is no gate.Lister")
	}
	hd, _ := h.run(h.spec(1, "true"))
	listed := func() bool {
		hs, err := l.List(h.ctx())
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		return slices.ContainsFunc(hs, func(x gate.Handle) bool { return bytes.Equal(x, hd) })
	}
	if !listed() {
		t.Errorf("List lacks the job's handle %q", hd)
	}
	if err := h.gate().Remove(h.ctx(), hd); err != nil {
		t.Fatal(err)
	}
	if listed() {
		t.Errorf("List still has the removed job's handle %q", hd)
	}
}

// testReapRunning: Reap of a running job is gate.ErrRunning.
func testReapRunning(t *testing.T, open Opener) {
	h := newHarness(t, open)
	hd := h.start(h.spec(1, counted))
	h.waitFile("started")
	if _, err := h.gate().Reap(h.ctx(), hd); !errors.Is(err, gate.ErrRunning) {
		t.Errorf("Reap of a running job = %v; want gate.ErrRunning", err)
	}
	h.touch("go")
	checkExit(t, h.wait(hd), 7, 0, gate.CauseNone)
}

// testUnknownHandle: a handle of another gate's job, or bytes that are no
// handle at all, are gate.ErrNotFound.
func testUnknownHandle(t *testing.T, open Opener) {
	other := newHarness(t, open)
	foreign, _ := other.run(other.spec(77, "true"))
	h := newHarness(t, open)
	g := h.gate()
	for _, tc := range []struct {
		name string
		hd   gate.Handle
	}{
		{"foreign", foreign},
		{"garbage", gate.Handle("no such handle")},
		{"empty", nil},
	} {
		wantNotFound(t, "Recover("+tc.name+")", g.Recover(h.ctx(), tc.hd))
		_, err := g.Wait(h.ctx(), tc.hd)
		wantNotFound(t, "Wait("+tc.name+")", err)
		_, err = g.Reap(h.ctx(), tc.hd)
		wantNotFound(t, "Reap("+tc.name+")", err)
		wantNotFound(t, "Signal("+tc.name+")", g.Signal(h.ctx(), tc.hd, unix.SIGUSR1))
		wantNotFound(t, "Kill("+tc.name+")", g.Kill(h.ctx(), tc.hd, gate.KillRequest{Signal: unix.SIGTERM}))
	}
}

// testLaunchFailure: a file the job needs that cannot be opened fails the
// launch, as Slurm does (stdin, then stdout, then stderr: files opened
// before the failing one stay, empty).
func testLaunchFailure(t *testing.T, open Opener) {
	tests := []struct {
		name    string
		edit    func(h *harness, s *gate.Spec)
		outFile bool // whether the output file exists afterwards (empty)
	}{
		{"stdout directory missing", func(h *harness, s *gate.Spec) {
			s.StdOut = h.path("nodir/out")
		}, false},
		{"stderr directory missing", func(h *harness, s *gate.Spec) {
			s.StdErr = h.path("nodir/err")
		}, true},
		{"stdin missing", func(h *harness, s *gate.Spec) {
			s.StdIn = h.path("nofile")
		}, false},
		{"work directory missing with the output in it", func(h *harness, s *gate.Spec) {
			s.WorkDir = h.path("nodir")
			s.StdOut = filepath.Join(s.WorkDir, "slurm-1.out")
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, open)
			s := h.spec(1, `touch "$WD/ran"`)
			tc.edit(h, &s)
			hd, e := h.run(s)
			checkExit(t, e, 0, 0, gate.CauseLaunchFailed)
			if e.Detail == "" {
				t.Error("launch failure without a Detail")
			}
			if got := fileExists(s.StdOut); got != tc.outFile {
				t.Errorf("output file exists: %v; want %v", got, tc.outFile)
			}
			if out := h.read(s.StdOut); out != "" {
				t.Errorf("output file = %q; want it empty", out)
			}
			if fileExists(h.path("ran")) {
				t.Error("the script ran")
			}
			if r, err := h.gate().Reap(h.ctx(), hd); err != nil || !sameExit(r, e) {
				t.Errorf("Reap = %+v, %v; want %+v", r, err, e)
			}
		})
	}
}

// testWorkDirMissing: a work directory that cannot be entered is not a
// launch failure: as slurmstepd does, the gate writes WorkDirLine twice to
// the error file and runs the job in /tmp.
func testWorkDirMissing(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, "pwd -P")
	s.WorkDir = h.path("nodir")
	s.WorkDirLine = "error: couldn't chdir to `" + s.WorkDir + "': %s: going to /tmp instead"
	_, e := h.run(s)
	checkExit(t, e, 0, 0, gate.CauseNone)
	tmp, err := filepath.EvalSymlinks("/tmp")
	if err != nil {
		t.Fatal(err)
	}
	line := "error: couldn't chdir to `" + s.WorkDir + "': No such file or directory: going to /tmp instead\n"
	if got, want := h.read(s.StdOut), line+line+tmp+"\n"; got != want {
		t.Errorf("output = %q; want %q", got, want)
	}
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
