package local

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// testCtx is a context bounding a test's waits.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFile waits until path exists.
func waitFile(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never appeared", path)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// touch creates path.
func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDaemonKilled is the restart guarantee: the daemon that started a job
// dies by SIGKILL, the job goes on under its supervisor, and a gate opened
// afterwards over the same state recovers it and gets its exit.
func TestDaemonKilled(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	state, wd := t.TempDir(), t.TempDir()
	daemon := exec.CommandContext(ctx, os.Args[0], "fake-daemon", state, wd)
	var stderr strings.Builder
	daemon.Stderr = &stderr
	out, err := daemon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("fake daemon printed no handle: %v (stderr: %s)", err, stderr.String())
	}
	h := gate.Handle(strings.TrimSpace(line))
	waitFile(ctx, t, filepath.Join(wd, "started"))
	if err := daemon.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = daemon.Wait()

	g := openTest(t, state)
	if err := g.Recover(ctx, h); err != nil {
		t.Fatalf("Recover after the daemon died: %v", err)
	}
	if _, err := g.Reap(ctx, h); !errors.Is(err, gate.ErrRunning) {
		t.Fatalf("Reap after the daemon died = %v; want gate.ErrRunning (the job still runs)", err)
	}
	touch(t, filepath.Join(wd, "go"))
	e, err := g.Wait(ctx, h)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if e.Code != 0+7 || e.Signal != 0 || e.Cause != gate.CauseNone {
		t.Errorf("exit = %+v; want code 7", e)
	}
	if b, _ := os.ReadFile(filepath.Join(wd, "out")); string(b) != "done\n" {
		t.Errorf("output = %q; want %q", b, "done\n")
	}
}

// TestSupervisorKilled: a supervisor that dies without recording an exit
// makes the run lost (gate.ErrNotFound), and Start does not run it again.
func TestSupervisorKilled(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	spec := testSpec(1, wd, waitScript)
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := g.dirOf(h)
	var rec superRecord
	if err := readJSON(dir, superFile, &rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Kill(-rec.JobPID, unix.SIGKILL) }) // the orphaned job
	if err := unix.Kill(rec.PID, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Wait(ctx, h); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("Wait = %v; want gate.ErrNotFound", err)
	}
	if err := g.Recover(ctx, h); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("Recover = %v; want gate.ErrNotFound", err)
	}
	if err := g.Kill(ctx, h, gate.KillRequest{}); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("Kill = %v; want gate.ErrNotFound", err)
	}
	if _, err := g.Reap(ctx, h); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("Reap = %v; want gate.ErrNotFound", err)
	}
	h2, err := g.Start(ctx, spec)
	if err != nil || string(h2) != string(h) {
		t.Errorf("Start again = %q, %v; want %q", h2, err, h)
	}
	if exists(dir, exitFile) {
		t.Error("a second run recorded an exit")
	}
}

// TestStartUnavailable: when no supervisor can claim the run Start says
// gate.ErrUnavailable, and a later Start with a working supervisor runs
// the job once.
func TestStartUnavailable(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	state, wd := t.TempDir(), t.TempDir()
	spec := testSpec(1, wd, "#!/bin/sh\necho run >> \"$WD/runs\"\n")
	for _, cmd := range [][]string{{"/nonexistent/supervisor"}, {"/bin/false"}} {
		bad, err := New("bad", state, Options{SupervisorCmd: cmd})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bad.Start(ctx, spec); !errors.Is(err, gate.ErrUnavailable) {
			t.Errorf("Start with supervisor %q = %v; want gate.ErrUnavailable", cmd, err)
		}
		bad.Close()
	}
	g := openTest(t, state)
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := g.Wait(ctx, h); err != nil || e.Code != 0 {
		t.Fatalf("Wait = %+v, %v", e, err)
	}
	if b, _ := os.ReadFile(filepath.Join(wd, "runs")); string(b) != "run\n" {
		t.Errorf("runs = %q; want one run", b)
	}
}

// TestRemoveRunning: Remove refuses a running job, which would go on
// unwatched, and removes it once it ended.
func TestRemoveRunning(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	h, err := g.Start(ctx, testSpec(1, wd, waitScript))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Remove(ctx, h); !errors.Is(err, gate.ErrRunning) {
		t.Errorf("Remove of a running job = %v; want gate.ErrRunning", err)
	}
	touch(t, filepath.Join(wd, "go"))
	if _, err := g.Wait(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := g.Remove(ctx, h); err != nil {
		t.Errorf("Remove of an ended job: %v", err)
	}
	if err := g.Recover(ctx, h); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("Recover after Remove = %v; want gate.ErrNotFound", err)
	}
}

// TestKillDefaults: a KillRequest without signal or cause sends SIGTERM
// and records CauseCancelled.
func TestKillDefaults(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	h, err := g.Start(ctx, testSpec(1, wd, waitScript))
	if err != nil {
		t.Fatal(err)
	}
	waitFile(ctx, t, filepath.Join(wd, "started"))
	if err := g.Kill(ctx, h, gate.KillRequest{Grace: time.Minute}); err != nil {
		t.Fatal(err)
	}
	e, err := g.Wait(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if e.Signal != int(unix.SIGTERM) || e.Cause != gate.CauseCancelled {
		t.Errorf("exit = %+v; want signal 15, cancelled", e)
	}
}

// TestWaitCancelled: Wait returns ctx's error when ctx ends first, and the
// job goes on.
func TestWaitCancelled(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	h, err := g.Start(ctx, testSpec(1, wd, waitScript))
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.Wait(short, h); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v; want context.Canceled", err)
	}
	touch(t, filepath.Join(wd, "go"))
	if e, err := g.Wait(ctx, h); err != nil || e.Code != 7 {
		t.Errorf("Wait = %+v, %v; want code 7", e, err)
	}
}

// BenchmarkStartWait measures a `true` job from Start to Wait returning its
// exit, the submit-to-completed path of the local gate: back to back, and
// with idle time between jobs (which lets the spare supervisor start).
func BenchmarkStartWait(b *testing.B) {
	for _, gap := range []time.Duration{0, 100 * time.Millisecond} {
		b.Run("gap="+gap.String(), func(b *testing.B) {
			b.Setenv(noGCStress, "1")
			g := openTest(b, b.TempDir())
			wd := b.TempDir()
			ctx := context.Background()
			id := uint32(0)
			for b.Loop() {
				if gap > 0 {
					b.StopTimer()
					time.Sleep(gap)
					b.StartTimer()
				}
				id++
				h, err := g.Start(ctx, testSpec(id, wd, "#!/bin/sh\ntrue\n"))
				if err != nil {
					b.Fatal(err)
				}
				e, err := g.Wait(ctx, h)
				if err != nil || e.Code != 0 || e.Cause != gate.CauseNone {
					b.Fatalf("Wait = %+v, %v", e, err)
				}
			}
		})
	}
}

// warmSupervisor runs a first job through g (in wd) and returns the idle
// supervisor the gate has then.
func warmSupervisor(ctx context.Context, t *testing.T, g *Gate, wd string) *spare {
	t.Helper()
	h, err := g.Start(ctx, testSpec(1, wd, "#!/bin/sh\ntrue\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Wait(ctx, h); err != nil {
		t.Fatal(err)
	}
	return idleSupervisor(ctx, t, g)
}

// idleSupervisor waits until the gate has an idle reusable supervisor
// and returns it.
func idleSupervisor(ctx context.Context, t *testing.T, g *Gate) *spare {
	t.Helper()
	for {
		g.mu.Lock()
		var sp *spare
		if n := len(g.spares); n > 0 {
			sp = g.spares[n-1]
		}
		g.mu.Unlock()
		if sp != nil {
			return sp
		}
		select {
		case <-ctx.Done():
			t.Fatal("no idle supervisor")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestSpareSupervisor: after a Start the gate keeps a spare supervisor,
// the next Starts hand it their runs one after another (it logs into each
// run's supervisor.log and does not exit in between), and Close lets it
// go.
func TestSpareSupervisor(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	run := func(id uint32) string {
		h, err := g.Start(ctx, testSpec(id, wd, "#!/bin/sh\ntrue\n"))
		if err != nil {
			t.Fatal(err)
		}
		if e, err := g.Wait(ctx, h); err != nil || e.Code != 0 {
			t.Fatalf("Wait = %+v, %v", e, err)
		}
		dir, _ := g.dirOf(h)
		return dir
	}
	run(1)
	idleSupervisor(ctx, t, g)
	runs := map[int]int{} // supervisor pid: runs
	for id := uint32(2); id <= 6; id++ {
		dir := run(id)
		var rec superRecord
		if err := readJSON(dir, superFile, &rec); err != nil {
			t.Fatal(err)
		}
		runs[rec.PID]++
		if b, _ := os.ReadFile(filepath.Join(dir, logFile)); !strings.Contains(string(b), "recorded exit") {
			t.Errorf("supervisor.log of run %d = %q; want its log", id, b)
		}
		if held, err := lockHeld(dir); err != nil || held {
			t.Errorf("run %d: lock held = %v, %v after its end; want released", id, held, err)
		}
		idleSupervisor(ctx, t, g)
	}
	if len(runs) > 2 {
		t.Errorf("5 runs one after another had %d supervisors (%v); want at most 2, reused", len(runs), runs)
	}
	g.mu.Lock()
	idle := slices.Clone(g.spares)
	g.mu.Unlock()
	ticks := make([]uint64, len(idle))
	for i, sp := range idle {
		var err error
		if ticks[i], err = startTicks(sp.pid); err != nil {
			t.Fatal(err)
		}
	}
	g.Close()
	for i, sp := range idle {
		if err := waitProcess(ctx, sp.pid, ticks[i]); err != nil {
			t.Errorf("idle supervisor %d after Close: %v", sp.pid, err)
		}
	}
}

// TestReusedSupervisorOutlivesDaemon: when the daemon that handed a
// reusable supervisor its run dies (its end of the socket closes) while
// the job runs, the supervisor records the exit, exits, and a new gate's
// Wait returns the exit.
func TestReusedSupervisorOutlivesDaemon(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	state, wd := t.TempDir(), t.TempDir()
	g := openTest(t, state)
	sp := warmSupervisor(ctx, t, g, wd)
	ticks, err := startTicks(sp.pid)
	if err != nil {
		t.Fatal(err)
	}
	h, err := g.Start(ctx, testSpec(2, wd, "#!/bin/sh\nsleep 1\nexit 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	_ = sp.ctl.Close() // what the daemon's death does to the socket
	g.Close()
	g2 := openTest(t, state)
	e, err := g2.Wait(ctx, h)
	if err != nil || e.Code != 7 {
		t.Fatalf("Wait after the daemon's death = %+v, %v; want code 7", e, err)
	}
	if err := waitProcess(ctx, sp.pid, ticks); err != nil {
		t.Errorf("supervisor %d after its run: %v", sp.pid, err)
	}
}

// TestReusedSupervisorsManyJobs: short jobs started and waited for from
// several goroutines at once, so that reusable supervisors answer "R" and
// "D" back to back and go from run to run; every Start and Wait returns.
func TestReusedSupervisorsManyJobs(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 15 {
				id := uint32(100*(w+1) + i)
				h, err := g.Start(ctx, testSpec(id, wd, "#!/bin/sh\nexit 3\n"))
				if err != nil {
					t.Errorf("Start %d: %v", id, err)
					return
				}
				if e, err := g.Wait(ctx, h); err != nil || e.Code != 3 {
					t.Errorf("Wait %d = %+v, %v; want code 3", id, e, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestIdleSupervisorDies: an idle supervisor killed from outside leaves
// the idle list, and the next Start runs on another.
func TestIdleSupervisorDies(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	sp := warmSupervisor(ctx, t, g, wd)
	if err := syscall.Kill(sp.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-sp.dead
	g.mu.Lock()
	listed := slices.Contains(g.spares, sp)
	g.mu.Unlock()
	if listed {
		t.Error("a dead supervisor stays on the idle list")
	}
	h, err := g.Start(ctx, testSpec(2, wd, "#!/bin/sh\nexit 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e, err := g.Wait(ctx, h); err != nil || e.Code != 4 {
		t.Errorf("Wait after an idle supervisor died = %+v, %v; want code 4", e, err)
	}
}
