package ssh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
	"skyport/gate/ssh/sshtest"
)

// phasedJob is a job that prints perPhase lines per phase, touches
// printed<N> in the shared directory after phase N and waits for go<N>
// there before the next one. want is its whole output.
func phasedJob(shared string, phases, perPhase int) (script []byte, want string) {
	script = fmt.Appendf(nil, `#!/bin/sh
i=0; p=1
while :; do
  n=0
  while [ $n -lt %d ]; do i=$((i+1)); n=$((n+1)); echo "line $i of the steady output"; sleep 0.002; done
  touch %s/printed$p
  [ $p -ge %d ] && exit 0
  while [ ! -e %s/go$p ]; do sleep 0.01; done
  p=$((p+1))
done
`, perPhase, quote(shared), phases, quote(shared))
	var b strings.Builder
	for i := 1; i <= phases*perPhase; i++ {
		fmt.Fprintf(&b, "line %d of the steady output\n", i)
	}
	return script, b.String()
}

// touch creates the file name in dir.
func touch(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCutsSSHD: the connection is cut three times while a job prints;
// the output copied back is exactly the job's.
func TestCutsSSHD(t *testing.T) {
	t.Parallel()
	e := newStagedEnv(t)
	ctx := testCtx(t)
	dir := e.mkdir("work")
	script, want := phasedJob(e.shared, 4, 60)
	spec := gate.Spec{
		JobID: 1, Node: "n1", Script: script, Env: []string{"PATH=/usr/bin:/bin"},
		WorkDir: dir, StdOut: filepath.Join(dir, "job.out"), TimeLimit: 2 * time.Minute, KillWait: time.Second,
	}
	g := e.open(t.TempDir(), false)
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	for phase := 1; phase <= 3; phase++ {
		waitLines(ctx, t, spec.StdOut, 60*phase) // copied back so far
		if n := e.cut.Cut(); n == 0 {
			t.Fatalf("cut %d: no connection was open", phase)
		}
		touch(t, e.shared, fmt.Sprintf("go%d", phase)) // the job prints on, unseen
	}
	x, err := g.Wait(ctx, h)
	if err != nil || x.Code != 0 || x.Cause != gate.CauseNone {
		t.Fatalf("Wait = %+v, %v; want a clean exit", x, err)
	}
	if got := readFile(t, spec.StdOut); got != want {
		t.Errorf("output after 3 cuts differs: %d bytes, want %d\n%s", len(got), len(want), firstDiff(got, want))
	}
}

// TestRestartSSHD: the gate closes while its job prints (the daemon
// stops), the job prints on, a new gate over the same state recovers it
// and copies the rest back from where the first left off.
func TestRestartSSHD(t *testing.T) {
	t.Parallel()
	e := newStagedEnv(t)
	ctx := testCtx(t)
	dir := e.mkdir("work")
	state := t.TempDir()
	script, want := phasedJob(e.shared, 3, 50)
	spec := gate.Spec{
		JobID: 1, Node: "n1", Script: script, Env: []string{"PATH=/usr/bin:/bin"},
		WorkDir: dir, StdOut: filepath.Join(dir, "job.out"), TimeLimit: 2 * time.Minute, KillWait: time.Second,
	}
	g := e.open(state, false)
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	waitLines(ctx, t, spec.StdOut, 50)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	touch(t, e.shared, "go1")
	waitFile(ctx, t, filepath.Join(e.shared, "printed2")) // printed while no gate ran
	g = e.open(state, false)
	if err := g.Recover(ctx, h); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	waitLines(ctx, t, spec.StdOut, 100)
	touch(t, e.shared, "go2")
	x, err := g.Wait(ctx, h)
	if err != nil || x.Code != 0 || x.Cause != gate.CauseNone {
		t.Fatalf("Wait = %+v, %v; want a clean exit", x, err)
	}
	if got := readFile(t, spec.StdOut); got != want {
		t.Errorf("output across a restart differs: %d bytes, want %d\n%s", len(got), len(want), firstDiff(got, want))
	}
}

// TestDropsInProcess: the server drops every connection three times while
// a job runs; the gate reconnects and the job ends normally.
func TestDropsInProcess(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	g := openTest(t, t.TempDir(), testOptions(t, serverHost(srv, key, true)))
	ctx := testCtx(t)
	shared := t.TempDir()
	script, want := phasedJob(shared, 4, 20)
	spec := gate.Spec{
		JobID: 1, Node: "n1", Script: script, Env: []string{"PATH=/usr/bin:/bin"},
		WorkDir: shared, StdOut: filepath.Join(shared, "job.out"), TimeLimit: 2 * time.Minute, KillWait: time.Second,
	}
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	for phase := 1; phase <= 3; phase++ {
		waitFile(ctx, t, filepath.Join(shared, fmt.Sprintf("printed%d", phase)))
		// The gate redials after a drop when it next needs the host, within
		// its backoff: under load that may come after the job's next phase.
		for srv.Conns() == 0 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		if n := srv.DropAll(); n == 0 {
			t.Fatalf("drop %d: no connection was open", phase)
		}
		touch(t, shared, fmt.Sprintf("go%d", phase))
	}
	x, err := g.Wait(ctx, h)
	if err != nil || x.Code != 0 || x.Cause != gate.CauseNone {
		t.Fatalf("Wait = %+v, %v; want a clean exit", x, err)
	}
	if got := readFile(t, spec.StdOut); got != want {
		t.Errorf("output differs:\n%s", firstDiff(got, want))
	}
}

// TestUnreachable: a host that stops answering is down in Nodes, and a
// job on it ends with gate.CauseNodeFail after the grace (never as a
// clean exit); Reap repeats that exit.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	g := openTest(t, t.TempDir(), testOptions(t, serverHost(srv, key, true)))
	ctx := testCtx(t)
	shared := t.TempDir()
	spec := gate.Spec{
		JobID: 1, Node: "n1", Env: []string{"PATH=/usr/bin:/bin"}, WorkDir: shared,
		Script:    []byte("#!/bin/sh\ntouch started\nwhile [ ! -e go ]; do sleep 0.02; done\n"),
		StdOut:    filepath.Join(shared, "job.out"),
		TimeLimit: 2 * time.Minute, KillWait: time.Second,
	}
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	waitFile(ctx, t, filepath.Join(shared, "started"))
	srv.SetDown(true)
	nodes, err := g.Nodes(ctx)
	if err != nil || len(nodes) != 1 || nodes[0].Up || nodes[0].Reason != "Not responding" {
		t.Errorf("Nodes with the host down = %+v, %v; want n1 down, Not responding", nodes, err)
	}
	x, err := g.Wait(ctx, h)
	if err != nil || x.Cause != gate.CauseNodeFail || x.Detail == "" {
		t.Fatalf("Wait with the host down = %+v, %v; want cause node_fail with a detail", x, err)
	}
	if r, err := g.Reap(ctx, h); err != nil || r.Cause != gate.CauseNodeFail {
		t.Errorf("Reap = %+v, %v; want the node failure", r, err)
	}
	srv.SetDown(false)
	// The job outlived its node's failure on the host: Kill still reaches it.
	if err := g.Kill(ctx, h, gate.KillRequest{Signal: unix.SIGKILL}); err != nil {
		t.Errorf("Kill after the node failure: %v", err)
	}
	nodes, err = g.Nodes(ctx)
	for err == nil && !nodes[0].Up && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond) // the dial backoff passes
		nodes, err = g.Nodes(ctx)
	}
	if err != nil || !nodes[0].Up {
		t.Errorf("Nodes with the host back = %+v, %v; want n1 up", nodes, err)
	}
}

// TestHostKeys: a changed or unknown host key is refused with a message
// that says so, and the node is down; the right key is accepted.
func TestHostKeys(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	_, other := sshtest.NewKey(t) // a key the server does not have
	tests := []struct {
		name   string
		edit   func(h *Host)
		reason string
		msg    string // in Start's error
	}{
		{"pinned key differs", func(h *Host) { h.HostKey = sshtest.AuthorizedKey(other) },
			"Host key refused", "offered... but the pinned host_key is"},
		{"known_hosts has another key", func(h *Host) {
			h.HostKey = ""
			h.KnownHosts = []string{sshtest.KnownHosts(t, srv.Addr, other)}
		}, "Host key changed", "has CHANGED"},
		{"known_hosts lacks the host", func(h *Host) {
			h.HostKey = ""
			h.KnownHosts = []string{sshtest.KnownHosts(t, "192.0.2.1:22", srv.HostKey.PublicKey())}
		}, "Host key refused", "is unknown"},
		{"known_hosts has the key", func(h *Host) {
			h.HostKey = ""
			h.KnownHosts = []string{sshtest.KnownHosts(t, srv.Addr, srv.HostKey.PublicKey())}
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := serverHost(srv, key, true)
			tc.edit(&h)
			g := openTest(t, t.TempDir(), testOptions(t, h))
			ctx := testCtx(t)
			nodes, err := g.Nodes(ctx)
			if err != nil || len(nodes) != 1 {
				t.Fatalf("Nodes = %v, %v", nodes, err)
			}
			if nodes[0].Up != (tc.reason == "") || nodes[0].Reason != tc.reason {
				t.Errorf("node = %+v; want up %v, reason %q", nodes[0], tc.reason == "", tc.reason)
			}
			wd := t.TempDir()
			_, err = g.Start(ctx, gate.Spec{JobID: 1, Node: "n1", Script: []byte("#!/bin/sh\n"),
				Env: []string{"PATH=/bin"}, WorkDir: wd, StdOut: wd + "/out", TimeLimit: time.Minute})
			if tc.msg == "" {
				if err != nil {
					t.Errorf("Start with the right key: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, gate.ErrUnavailable) {
				t.Fatalf("Start = %v; want it refused, gate.ErrUnavailable", err)
			}
			for _, part := range strings.Split(tc.msg, "...") {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Start error %q; want it to say %q", err, part)
				}
			}
		})
	}
}

// waitFile waits until p exists.
func waitFile(ctx context.Context, t *testing.T, p string) {
	t.Helper()
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never appeared", p)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// firstDiff describes where got first differs from want.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-40, 0)
	return fmt.Sprintf("first difference at byte %d: got %q, want %q", i, got[lo:min(i+40, len(got))], want[lo:min(i+40, len(want))])
}
