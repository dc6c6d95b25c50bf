package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
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

// daemon runs a skyportd with one 1-CPU local node in the test process
// and returns its socket.
func daemon(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "spw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg, err := gateway.ParseConfig([]byte("[daemon]\nstate_dir = \"" + dir + "\"\nkill_wait = \"1s\"\n[gates.local]\nkind = \"local\"\ncpus = 1\nmemory = \"1G\"\n"))
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

func submit(t *testing.T, sock, wrap string, set func(o *compat.SubmitOptions)) string {
	t.Helper()
	o := compat.SubmitOptions{Wrap: wrap, Given: map[string]bool{"wrap": true}}
	if set != nil {
		set(&o)
	}
	resp, err := api.NewClient(sock).Submit(t.Context(), api.SubmitRequest{
		Options: o, Script: compat.WrapScript(wrap), Cwd: t.TempDir(), Env: []string{"PATH=" + os.Getenv("PATH")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatUint(uint64(resp.JobID), 10)
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

// tail -f follows a job from pending to its end: its output on stdout and
// stderr, and its exit code as tail's.
func TestTailFollowsPendingJob(t *testing.T) {
	t.Parallel()
	sock := daemon(t)
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	submit(t, sock, "while [ ! -e "+gate+" ]; do sleep 0.05; done", nil) // holds the only CPU
	id := submit(t, sock, "printf 'one\\n'; printf 'err\\n' >&2; sleep 0.2; printf 'two\\n'; exit 4", func(o *compat.SubmitOptions) {
		o.Output, o.Error = filepath.Join(dir, "out"), filepath.Join(dir, "err")
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, wire.Dialer{Socket: sock}, "tail", []string{"-f", id}, &stdout, &stderr) }()
	// The job is pending behind the first one; let that one end.
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if c := <-code; c != 4 {
		t.Errorf("tail -f exit %d, want 4 (stderr %q)", c, stderr.String())
	}
	if stdout.String() != "one\ntwo\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	// Without -f: the output so far, exit 0.
	stdout = syncBuffer{}
	if c := run(ctx, wire.Dialer{Socket: sock}, "tail", []string{id}, &stdout, &stderr); c != 0 || stdout.String() != "one\ntwo\n" {
		t.Errorf("tail: exit %d, stdout %q", c, stdout.String())
	}
}

func TestTailUnknownJob(t *testing.T) {
	t.Parallel()
	sock := daemon(t)
	var stdout, stderr bytes.Buffer
	c := run(t.Context(), wire.Dialer{Socket: sock}, "tail", []string{"-f", "4242"}, &stdout, &stderr)
	if c != 1 || !strings.Contains(stderr.String(), "job 4242: job not found") {
		t.Errorf("exit %d, stderr %q", c, stderr.String())
	}
}

// watch --json --from 1 replays the kept events of a job that ended, one
// JSON event a line; the human form has one line per event.
func TestWatch(t *testing.T) {
	t.Parallel()
	sock := daemon(t)
	id := submit(t, sock, "echo hi", nil)
	var tailOut bytes.Buffer
	if c := run(t.Context(), wire.Dialer{Socket: sock}, "tail", []string{"-f", id}, &tailOut, &tailOut); c != 0 {
		t.Fatalf("tail -f: %d %q", c, tailOut.String())
	}
	for _, asJSON := range []bool{true, false} {
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		var out, errs syncBuffer
		args := []string{"--from", "1", "-j", id}
		if asJSON {
			args = append(args, "--json")
		}
		done := make(chan int, 1)
		go func() { done <- run(ctx, wire.Dialer{Socket: sock}, "watch", args, &out, &errs) }()
		for !strings.Contains(out.String(), "finished") {
			time.Sleep(10 * time.Millisecond)
			if ctx.Err() != nil {
				t.Fatalf("watch printed %q", out.String())
			}
		}
		cancel()
		if c := <-done; c != 130 {
			t.Errorf("interrupted watch: exit %d", c)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var types []string
		for _, l := range lines {
			if !asJSON {
				if !strings.Contains(l, "job "+id) {
					t.Errorf("line %q", l)
				}
				types = append(types, strings.Fields(l)[5])
				continue
			}
			var ev wire.Event
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			types = append(types, string(ev.Type))
		}
		if types[0] != "submitted" || types[len(types)-1] != "finished" || !strings.Contains(strings.Join(types, " "), "started") {
			t.Errorf("json %v: event types %v", asJSON, types)
		}
	}
}
