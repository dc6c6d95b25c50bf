package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"skyport/gate"
	"skyport/gate/ssh/sshtest"
)

// TestKeepalive: a connection whose keepalives go unanswered is dropped,
// and the next use dials a new one.
func TestKeepalive(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	opts := testOptions(t, serverHost(srv, key, true))
	opts.KeepAliveInterval, opts.KeepAliveTimeout = 50*time.Millisecond, 200*time.Millisecond
	g := openTest(t, t.TempDir(), opts)
	ctx := testCtx(t)
	c := g.hosts[0]
	if err := c.Run(ctx, "true", nil, nil); err != nil {
		t.Fatal(err)
	}
	_, gen, _ := c.get(ctx)
	srv.MuteKeepalives(true)
	for up, _ := c.state(); up; up, _ = c.state() {
		select {
		case <-ctx.Done():
			t.Fatal("a connection with unanswered keepalives was kept")
		case <-time.After(10 * time.Millisecond):
		}
	}
	srv.MuteKeepalives(false)
	if err := c.Run(ctx, "true", nil, nil); err != nil {
		t.Fatalf("Run after the drop: %v", err)
	}
	if _, gen2, _ := c.get(ctx); gen2 <= gen {
		t.Errorf("connection generation %d after the drop; want more than %d", gen2, gen)
	}
}

// TestRemoteErrors: a command that fails is an exitError with its status
// and stderr, not a connection failure.
func TestRemoteErrors(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	g := openTest(t, t.TempDir(), testOptions(t, serverHost(srv, key, true)))
	err := g.hosts[0].Run(testCtx(t), "echo it broke >&2; exit 3", nil, nil)
	if exitCode(err) != 3 || err.Error() != "remote command exited 3: it broke" {
		t.Errorf("Run = %v; want exit 3 with its stderr", err)
	}
}

// BenchmarkSession measures one remote command on an open connection to
// the in-process server.
func BenchmarkSession(b *testing.B) {
	key, pub := sshtest.NewKey(b)
	srv := sshtest.NewServer(b, pub)
	g := openTest(b, b.TempDir(), testOptions(b, serverHost(srv, key, true)))
	c := g.hosts[0]
	if err := c.Run(b.Context(), "true", nil, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.Run(b.Context(), "true", nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartWait measures a job's whole run (Start to Wait's return)
// through the in-process server, the binary already uploaded.
func BenchmarkStartWait(b *testing.B) {
	key, pub := sshtest.NewKey(b)
	srv := sshtest.NewServer(b, pub)
	g := openTest(b, b.TempDir(), testOptions(b, serverHost(srv, key, true)))
	wd := b.TempDir()
	id := uint32(0)
	for b.Loop() {
		id++
		spec := gate.Spec{JobID: id, Node: "n1", Script: []byte("#!/bin/sh\necho hi\n"),
			Env: []string{"PATH=/bin"}, WorkDir: wd, StdOut: filepath.Join(wd, fmt.Sprint(id)), TimeLimit: time.Minute}
		h, err := g.Start(b.Context(), spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.Wait(b.Context(), h); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAgent logs in with a key held by an ssh-agent (SSH_AUTH_SOCK) when
// the host has no key_file.
func TestAgent(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := xssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(keyring, c); _ = c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	srv := sshtest.NewServer(t, signer.PublicKey())
	g := openTest(t, t.TempDir(), testOptions(t, serverHost(srv, "", true)))
	if err := g.hosts[0].Run(testCtx(t), "true", nil, nil); err != nil {
		t.Fatalf("Run with the agent's key: %v", err)
	}
}

// TestMaxJobs: a host running max_jobs jobs takes no more for now
// (gate.ErrUnavailable), and takes one again once a job ended.
func TestMaxJobs(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	h := serverHost(srv, key, true)
	h.MaxJobs = 1
	g := openTest(t, t.TempDir(), testOptions(t, h))
	ctx := testCtx(t)
	wd := t.TempDir()
	spec := func(id uint32, body string) gate.Spec {
		return gate.Spec{JobID: id, Node: "n1", Script: []byte("#!/bin/sh\n" + body + "\n"), Env: []string{"PATH=/bin:/usr/bin"},
			WorkDir: wd, StdOut: filepath.Join(wd, fmt.Sprint(id)), TimeLimit: time.Minute}
	}
	h1, err := g.Start(ctx, spec(1, "while [ ! -e go ]; do sleep 0.02; done"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Start(ctx, spec(2, "true")); !errors.Is(err, gate.ErrUnavailable) {
		t.Errorf("second Start on a full host = %v; want gate.ErrUnavailable", err)
	}
	if err := os.WriteFile(filepath.Join(wd, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Wait(ctx, h1); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Start(ctx, spec(2, "true")); err != nil {
		t.Errorf("Start once the host has room: %v", err)
	}
}
