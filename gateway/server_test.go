package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// testDaemon is a Server running in the test process over a short state
// directory (Unix socket paths are limited), with an API client.
type testDaemon struct {
	srv    *Server
	client *api.Client
	stop   func()
	dir    string
}

// startDaemon runs a Server with cfg over dir (made when empty) until the
// test ends or stop is called.
func startDaemon(t *testing.T, cfg Config, dir string) *testDaemon {
	t.Helper()
	if dir == "" {
		var err error
		dir, err = os.MkdirTemp("", "spg")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	cfg.Daemon.StateDir = dir
	// The daemon's log goes to the test's log: shown when a test fails.
	srv, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	d := &testDaemon{srv: srv, client: api.NewClient(srv.Socket()), dir: dir}
	stopped := false
	d.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		srv.Close()
	}
	t.Cleanup(d.stop)
	deadline := time.Now().Add(10 * time.Second)
	for d.client.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("daemon did not come up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return d
}

// testWriter sends what is written to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// twoCPUs is a config with one 2-CPU local node and partitions debug and cloud.
func twoCPUs(t *testing.T) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`
[daemon]
kill_wait = "1s"
[gates.local]
kind = "local"
cpus = 2
memory = "4G"
[[partitions]]
name = "debug"
gate = "local"
default = true
[[partitions]]
name = "down"
gate = "local"
state = "down"
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (d *testDaemon) submit(t *testing.T, wrap string, set func(o *compat.SubmitOptions)) uint32 {
	t.Helper()
	o := compat.SubmitOptions{Wrap: wrap, Given: map[string]bool{"wrap": true}}
	if set != nil {
		set(&o)
	}
	cwd := t.TempDir()
	resp, err := d.client.Submit(context.Background(), api.SubmitRequest{
		Options: o, Script: compat.WrapScript(wrap), Cwd: cwd, Env: []string{"PATH=" + os.Getenv("PATH")},
	})
	if err != nil {
		t.Fatalf("submit %q: %v", wrap, err)
	}
	return resp.JobID
}

// waitState waits for job id to reach state in the live set.
func (d *testDaemon) waitState(t *testing.T, id uint32, state queue.State) *entry {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d.srv.mu.RLock()
		e := d.srv.live[id]
		d.srv.mu.RUnlock()
		if e != nil && e.job.State == state {
			return e
		}
		if time.Now().After(deadline) {
			got := "missing"
			if e != nil {
				j := e.job
				got = fmt.Sprintf("%s (reason %s, exit %d:%d, batch %s %d:%d)", j.State, j.Reason,
					j.ExitCode, j.ExitSignal, j.BatchState, j.BatchExitCode, j.BatchSignal)
			}
			t.Fatalf("job %d: state %s, want %s", id, got, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reason returns the live reason of a pending job.
// view is the whole view of the job of e.
func (d *testDaemon) view(e *entry) *compat.Job { return d.srv.viewOf(e.job, e.reason) }

func (d *testDaemon) reason(id uint32) string {
	d.srv.mu.RLock()
	defer d.srv.mu.RUnlock()
	return d.view(d.srv.live[id]).Reason
}

// The scheduler packs jobs on the node and gives waiting jobs Slurm's
// reasons: the first one the node cannot take waits for Resources, those
// behind it for Priority; held jobs, down partitions and impossible
// requests have their own.
func TestSchedulerReasons(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	a := d.submit(t, "sleep 60", nil)
	b := d.submit(t, "sleep 60", nil)
	d.waitState(t, a, queue.Running)
	d.waitState(t, b, queue.Running)
	c := d.submit(t, "true", nil)
	e := d.submit(t, "true", nil)
	held := d.submit(t, "true", func(o *compat.SubmitOptions) { o.Hold = true })
	big := d.submit(t, "true", func(o *compat.SubmitOptions) { o.CPUsPerTask = 3 })
	down := d.submit(t, "true", func(o *compat.SubmitOptions) { o.Partition = "down" })
	time.Sleep(100 * time.Millisecond) // a scheduling pass; the checks below do not depend on its timing
	d.srv.poke()
	deadline := time.Now().Add(10 * time.Second)
	want := map[uint32]string{c: "Resources", e: "Priority", held: "JobHeldUser", big: "PartitionConfig", down: "PartitionDown"}
	for id, r := range want {
		for d.reason(id) != r && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := d.reason(id); got != r {
			t.Errorf("job %d: reason %q, want %q", id, got, r)
		}
	}
	// Cancelling a running job frees its CPU: the waiting job runs.
	resp := d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: a, Spec: "a"}}}, peer{UID: uint32(os.Getuid())})
	if resp.Exit != 0 || resp.Stderr != "" {
		t.Fatalf("scancel: %+v", resp)
	}
	d.waitState(t, a, queue.Cancelled)
	d.waitState(t, c, queue.Completed)
	d.waitState(t, e, queue.Completed)
	// A pending job cancelled never started.
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: held, Spec: "h"}}}, peer{UID: uint32(os.Getuid())})
	h := d.waitState(t, held, queue.Cancelled)
	if !h.job.StartTime.IsZero() || h.job.EndTime.IsZero() {
		t.Errorf("cancelled pending job: start %v end %v", h.job.StartTime, h.job.EndTime)
	}
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: b, Spec: "b"}}}, peer{UID: uint32(os.Getuid())})
	d.waitState(t, b, queue.Cancelled)
}

// Another user may not cancel a job; Slurm's words and exit status 210.
func TestScancelPermission(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	id := d.submit(t, "true", func(o *compat.SubmitOptions) { o.Hold = true })
	resp := d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: id, Spec: "1"}}},
		peer{UID: uint32(os.Getuid()) + 1})
	if resp.Exit != exitAccessDenied || !strings.Contains(resp.Stderr, "Access/permission denied") {
		t.Fatalf("scancel by another user: %+v", resp)
	}
	j, err := d.srv.store.Get(id)
	if err != nil || j.State != queue.Pending {
		t.Fatalf("job after refused cancel: %+v, %v", j, err)
	}
}

// A daemon stopped (SIGTERM) while a job runs leaves it running; a new
// daemon over the same state re-attaches and records its end.
func TestRestartReattaches(t *testing.T) {
	t.Parallel()
	cfg := twoCPUs(t)
	d := startDaemon(t, cfg, "")
	out := filepath.Join(t.TempDir(), "out")
	id := d.submit(t, "sleep 1; echo done", func(o *compat.SubmitOptions) { o.Output = out })
	d.waitState(t, id, queue.Running)
	d.stop()

	d2 := startDaemon(t, cfg, d.dir)
	e := d2.waitState(t, id, queue.Completed)
	if e.job.ExitCode != 0 || e.job.BatchState != queue.Completed {
		t.Errorf("after restart: %+v", e.job)
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != "done\n" {
		t.Errorf("output = %q, %v", b, err)
	}
	next := d2.submit(t, "true", nil)
	if next <= id {
		t.Errorf("job id %d after restart is not above %d", next, id)
	}
}

// A second daemon on the same state refuses to start.
func TestSecondDaemonRefuses(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	cfg := twoCPUs(t)
	cfg.Daemon.StateDir = d.dir
	_, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "another skyportd is already running") {
		t.Fatalf("second New: %v", err)
	}
}

// A state directory that cannot be written is a clear error.
func TestUnwritableStateDir(t *testing.T) {
	t.Parallel()
	// root writes anywhere, so use a path under a regular file.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := twoCPUs(t)
	cfg.Daemon.StateDir = filepath.Join(f, "state")
	_, err := New(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "state directory") {
		t.Fatalf("New over a file: %v", err)
	}
	var pe *os.PathError
	if !errors.As(err, &pe) {
		t.Errorf("error does not carry the path error: %v", err)
	}
}

// A finished job leaves squeue's view MinJobAge after it ended, and stays
// in sacct.
func TestMinJobAge(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	id := d.submit(t, "true", nil)
	e := d.waitState(t, id, queue.Completed)
	age := time.Duration(d.srv.cfg.Daemon.MinJobAge)
	d.srv.forgetOld(e.job.EndTime.Add(age - time.Second))
	d.srv.mu.RLock()
	_, kept := d.srv.live[id]
	d.srv.mu.RUnlock()
	if !kept {
		t.Fatal("job left the live set before MinJobAge")
	}
	d.srv.forgetOld(e.job.EndTime.Add(age + time.Second))
	d.srv.mu.RLock()
	_, kept = d.srv.live[id]
	d.srv.mu.RUnlock()
	if kept {
		t.Fatal("job still in the live set after MinJobAge")
	}
	if j, err := d.srv.store.Get(id); err != nil || j.State != queue.Completed {
		t.Fatalf("stored job after MinJobAge: %+v, %v", j, err)
	}
}

// A cancel recorded just before the daemon died is carried out by the
// next daemon: the wish is durable, the kill is repeated.
func TestCancelSurvivesRestart(t *testing.T) {
	t.Parallel()
	cfg := twoCPUs(t)
	d := startDaemon(t, cfg, "")
	id := d.submit(t, "sleep 60", nil)
	d.waitState(t, id, queue.Running)
	d.stop()
	// Record the wish as scancel does, as if the daemon had died before the kill.
	st, err := queue.Open(filepath.Join(d.dir, "queue"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(context.Background(), id, func(j *queue.Job) error {
		j.CancelRequested, j.CancelledBy = true, uint32(os.Getuid())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, cfg, d.dir)
	e := d2.waitState(t, id, queue.Cancelled)
	if e.job.BatchSignal != 15 {
		t.Errorf("batch step signal = %d, want 15 (SIGTERM)", e.job.BatchSignal)
	}
}

// Held jobs stay out of the scheduler's list, so a large held backlog
// costs a scheduling pass nothing; they keep Slurm's reason.
func TestHeldJobsOutOfPass(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	for range 5 {
		d.submit(t, "true", func(o *compat.SubmitOptions) { o.Hold = true })
	}
	d.srv.mu.RLock()
	n := len(d.srv.pending)
	d.srv.mu.RUnlock()
	if n != 0 {
		t.Errorf("%d held jobs in the scheduling list, want 0", n)
	}
	if r := d.reason(3); r != "JobHeldUser" {
		t.Errorf("held job reason %q, want JobHeldUser", r)
	}
}
