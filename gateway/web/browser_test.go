package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gate/local"
	"skyport/gateway"
	"skyport/gateway/api"
	wire "skyport/gateway/api/stream"
)

// TestMain lets the test binary be the local gate's job supervisor.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "supervise" {
		os.Exit(local.Supervise(os.Args[2:]))
	}
	os.Exit(m.Run())
}

const chromium = "/usr/bin/chromium"

// TestDashboardInChromium opens the dashboard of a real daemon in
// headless chromium (testdata/e2e/dashboard.mjs, with playwright-core)
// while jobs are submitted: the queue shows them running and pending,
// a job's page shows its output while it runs, its timeline, exit code
// and node, and every job reaches COMPLETED. The screenshots go to
// $SKYPORT_ARTIFACTS, else to the test's temporary directory.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no %s (apt-get install chromium): %v", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH (apt-get install nodejs npm)")
	}
	e2e, err := filepath.Abs(filepath.Join("testdata", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	installDriver(t, e2e)
	shots := os.Getenv("SKYPORT_ARTIFACTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	sock := daemon(t)
	url, err := wire.DashboardURL(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "/#token=") {
		t.Fatalf("dashboard URL %q has no token in its fragment", url)
	}

	cmd := exec.CommandContext(ctx, node, "dashboard.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "DASHBOARD_URL="+url, "CHROMIUM="+chromium, "SCREENSHOT_DIR="+shots)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewScanner(outPipe)
	expect := func(want string) {
		t.Helper()
		if !out.Scan() {
			_ = cmd.Wait()
			t.Fatalf("the browser script ended before %q:\n%s", want, stderr.String())
		}
		if got := out.Text(); got != want {
			t.Fatalf("the browser script said %q, want %q", got, want)
		}
	}

	expect("ready")
	dir := t.TempDir()
	goFile, stopFile := filepath.Join(dir, "GO"), filepath.Join(dir, "STOP")
	// D holds the second CPU until the end; B and C wait for A's.
	a := submit(t, sock, dir, "live-a", "echo first-line; while [ ! -e "+goFile+" ]; do sleep 0.05; done; echo second-line", nil)
	d := submit(t, sock, dir, "hold-d", "while [ ! -e "+stopFile+" ]; do sleep 0.05; done", nil)
	t.Cleanup(func() { _ = os.WriteFile(stopFile, nil, 0o600) })
	b := submit(t, sock, dir, "hello-b", "echo hello from b; echo to stderr >&2", func(o *compat.SubmitOptions) {
		o.Error, o.Given["error"] = filepath.Join(dir, "b.err"), true
	})
	c := submit(t, sock, dir, "hello-c", "echo hello from c", nil)
	if _, err := fmt.Fprintf(in, "jobs %d %d %d %d\n", a, d, b, c); err != nil {
		t.Fatal(err)
	}
	_ = in.Close()
	expect("saw-first")
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	expect("done")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser script: %v\n%s", err, stderr.String())
	}
	for _, name := range []string{"dashboard-queue-live.png", "dashboard-job.png", "dashboard-queue.png"} {
		p := filepath.Join(shots, name)
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("screenshot %s: %d bytes, %v", p, len(b), err)
			continue
		}
		t.Logf("screenshot: %s", p)
	}
	// D ends before the daemon stops, so that no job outlives the test.
	if err := os.WriteFile(stopFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := api.NewClient(sock).Wait(ctx, api.WaitRequest{JobID: d}); err != nil {
		t.Error(err)
	}
}

// installDriver runs `npm ci` in dir when playwright-core is not there
// (node_modules is not committed); the browser is Debian's, never
// downloaded.
func installDriver(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("playwright-core is not installed and there is no npm (apt-get install npm)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// daemon runs a skyportd with one 2-CPU local node and the stream on a
// loopback TCP port in the test process, and returns its socket.
func daemon(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "spweb") // short: a socket path has about 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg, err := gateway.ParseConfig([]byte(`
[daemon]
state_dir = "` + dir + `"
kill_wait = "1s"
[gates.local]
kind = "local"
cpus = 2
memory = "2G"
[[partitions]]
name = "debug"
gate = "local"
default = true
[stream]
tcp = "127.0.0.1:0"
`))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := gateway.New(cfg, gateway.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	c := api.NewClient(srv.Socket())
	for deadline := time.Now().Add(10 * time.Second); c.Ping(ctx) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("daemon did not come up")
		}
	}
	return srv.Socket()
}

// submit submits a one-CPU job running wrap in dir and returns its ID.
func submit(t *testing.T, sock, dir, name, wrap string, set func(o *compat.SubmitOptions)) uint32 {
	t.Helper()
	o := compat.SubmitOptions{Wrap: wrap, JobName: name, Given: map[string]bool{"wrap": true, "job-name": true}}
	if set != nil {
		set(&o)
	}
	resp, err := api.NewClient(sock).Submit(t.Context(), api.SubmitRequest{
		Options: o, Script: compat.WrapScript(wrap), Cwd: dir, Env: []string{"PATH=" + os.Getenv("PATH")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.JobID
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
