package ssh

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/ssh/sshtest"
)

// TestReadyFile: a host with a ReadyFile takes no job until the file
// exists (gate.ErrUnavailable, nothing started), then runs them.
func TestReadyFile(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	h := serverHost(srv, key, true)
	h.ReadyFile = filepath.Join(t.TempDir(), "boot-finished")
	g := openTest(t, t.TempDir(), testOptions(t, h))
	work := t.TempDir()
	spec := gate.Spec{
		JobID: 1, Name: "r", User: "root", Node: "n1", Script: []byte("#!/bin/sh\necho ran\n"),
		Env: []string{"PATH=/usr/bin:/bin"}, WorkDir: work, StdOut: filepath.Join(work, "out"),
		StdIn: "/dev/null", CPUs: 1, MemMB: 64, KillWait: time.Second,
	}
	ctx := t.Context()
	if _, err := g.Start(ctx, spec); !errors.Is(err, gate.ErrUnavailable) {
		t.Fatalf("start before the host is ready: %v, want gate.ErrUnavailable", err)
	}
	if _, err := os.Stat(spec.StdOut); err == nil {
		t.Fatal("the job ran on a host that was not ready")
	}
	if err := os.WriteFile(h.ReadyFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hd, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatalf("start once the host is ready: %v", err)
	}
	if e, err := g.Wait(ctx, hd); err != nil || e.Code != 0 || e.Cause != gate.CauseNone {
		t.Fatalf("wait: %+v %v", e, err)
	}
	if b, _ := os.ReadFile(spec.StdOut); string(b) != "ran\n" {
		t.Errorf("output %q", b)
	}
}
