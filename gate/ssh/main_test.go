package ssh

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/gatetest"
	"skyport/gate/local"
	"skyport/gate/ssh/sshtest"
)

// remoteDir is the remote_dir of every test host: one per test binary, so
// the supervisor binary is uploaded once.
var remoteDir string

// TestMain lets the test binary be the supervisor the gate uploads: with
// the first argument "supervise" it is one (as skyport-supervise is).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "supervise" {
		os.Exit(local.Supervise(os.Args[2:]))
	}
	dir, err := os.MkdirTemp("", "skyport-ssh-remote-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	remoteDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testOptions returns options fit for tests: this test binary as the
// supervisor, short timeouts, the test's log.
func testOptions(t testing.TB, hosts ...Host) Options {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Hosts:             hosts,
		Supervisor:        exe,
		NodeFailGrace:     2 * time.Second,
		KeepAliveInterval: time.Second,
		KeepAliveTimeout:  15 * time.Second,
		ConnectTimeout:    5 * time.Second,
		PollInterval:      200 * time.Millisecond,
		Logger:            testLogger(t),
	}
}

// serverHost is a host entry for the in-process server srv, logging in
// with keyFile.
func serverHost(srv *sshtest.Server, keyFile string, shared bool) Host {
	return Host{
		Name: "n1", Address: srv.Addr, User: "root", KeyFile: keyFile,
		HostKey: srv.AuthorizedKey(), SharedFS: shared, RemoteDir: remoteDir,
	}
}

// openTest opens a gate over dir with opts, closed at the end of the test.
func openTest(t testing.TB, dir string, opts Options) *Gate {
	t.Helper()
	g, err := New("test", dir, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// testLogger logs to the test's output until the test ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &untilDone{w: t.Output()}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
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

// TestConformance runs the gate conformance suite against the in-process
// SSH server, which runs jobs on this machine (a shared file system).
func TestConformance(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	gatetest.Run(t, func(t *testing.T, dir string) gate.Gate {
		return openTest(t, dir, testOptions(t, serverHost(srv, key, true)))
	})
}
