package local

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/gatetest"
)

// TestMain lets the test binary play the programs the gate runs: with the
// first argument "supervise" it is a job's supervisor (the default
// Options.SupervisorCmd of a gate opened by the test binary is exactly
// that), with "fake-daemon" it is a daemon that starts a job and hangs
// until it is killed.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "supervise":
			// Collect garbage all the time: what the supervisor must keep
			// open (its lock) must not depend on the collector's mood.
			// Benchmarks measure without.
			if os.Getenv(noGCStress) == "" {
				go gcStress()
			}
			os.Exit(Supervise(os.Args[2:]))
		case "fake-daemon":
			os.Exit(fakeDaemon(os.Args[2:]))
		}
	}
	os.Exit(m.Run())
}

// noGCStress, set in the environment of the test binary, keeps its
// supervisors from collecting garbage all the time.
const noGCStress = "SKYPORT_TEST_NO_GC_STRESS"

// gcStress collects garbage every few milliseconds.
func gcStress() {
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// openTest opens a local gate over dir for a test.
func openTest(t testing.TB, dir string) *Gate {
	t.Helper()
	g, err := New("test", dir, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// testLogger logs to the test's output until the test ends; reapers of
// supervisors may log later, and then nothing is written.
func testLogger(t testing.TB) *slog.Logger {
	w := &untilDone{w: t.Output()}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, nil))
}

// untilDone writes to w until done.
type untilDone struct {
	mu   sync.Mutex
	w    io.Writer
	done bool
}

func (u *untilDone) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return len(p), nil
	}
	return u.w.Write(p)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	gatetest.Run(t, func(t *testing.T, dir string) gate.Gate { return openTest(t, dir) })
}

// waitScript waits for the file "go" in $WD, then says done and exits 7.
const waitScript = `#!/bin/sh
touch "$WD/started"
while [ ! -e "$WD/go" ]; do sleep 0.02; done
echo done
exit 7
`

// testSpec is a spec running script in wd.
func testSpec(id uint32, wd, script string) gate.Spec {
	return gate.Spec{
		JobID:     id,
		UID:       uint32(os.Getuid()),
		GID:       uint32(os.Getgid()),
		Script:    []byte(script),
		Env:       []string{"PATH=/usr/bin:/bin", "WD=" + wd},
		WorkDir:   wd,
		StdOut:    wd + "/out",
		TimeLimit: time.Minute,
		KillWait:  time.Second,
	}
}

// fakeDaemon opens a gate over args[0], starts waitScript in args[1],
// prints the handle and blocks until it is killed.
func fakeDaemon(args []string) int {
	g, err := New("fake", args[0], Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h, err := g.Start(ctx, testSpec(42, args[1], waitScript))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s\n", h)
	select {}
}
