package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"skyport/gateway/api"
	"skyport/queue"
)

// daemon is a private skyportd for one case, with its own state
// directory and socket.
type daemon struct {
	cmd  *exec.Cmd
	root string // XDG_STATE_HOME of the daemon
	sock string
	log  string
	done chan struct{}
}

// startDaemon seeds a fresh state directory under root so that the first
// job ID is firstID (as Slurm's FirstJobId would), starts bin/skyportd
// -config cfg on it with env, and waits until it answers.
//
// The seeding holds the queue's lock (a flock) for a moment; a process
// the runner forks for another case at that moment holds it too until it
// execs, so a daemon that finds the store locked is started again.
func startDaemon(ctx context.Context, bin, cfg, root string, firstID uint32, env []string) (*daemon, error) {
	if err := seedIDs(filepath.Join(root, "skyport", "queue"), firstID); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		d, err := launchDaemon(ctx, bin, cfg, root, env)
		if err == nil || attempt == 5 || !errors.Is(err, errLocked) {
			return d, err
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// errLocked is a daemon's exit at start-up because its store was locked.
var errLocked = errors.New("store locked")

// launchDaemon starts skyportd on the seeded state under root.
func launchDaemon(ctx context.Context, bin, cfg, root string, env []string) (*daemon, error) {
	state := filepath.Join(root, "skyport")
	d := &daemon{
		root: root,
		sock: filepath.Join(state, "skyportd.sock"),
		log:  filepath.Join(root, "skyportd.log"),
		done: make(chan struct{}),
	}
	logf, err := os.Create(d.log)
	if err != nil {
		return nil, fmt.Errorf("compatdiff: daemon log: %w", err)
	}
	defer func() { _ = logf.Close() }()
	d.cmd = exec.Command(filepath.Join(bin, "skyportd"), "-config", cfg)
	d.cmd.Env = append(env, "XDG_STATE_HOME="+root)
	d.cmd.Dir = root
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("compatdiff: start skyportd: %w", err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	cl := api.NewClient(d.sock)
	deadline := time.Now().Add(20 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := cl.Ping(pctx)
		cancel()
		if err == nil {
			return d, nil
		}
		select {
		case <-d.done:
			if strings.Contains(d.tail(), "in use by another process") {
				return nil, fmt.Errorf("compatdiff: skyportd: %w:\n%s", errLocked, d.tail())
			}
			return nil, fmt.Errorf("compatdiff: skyportd exited at start-up:\n%s", d.tail())
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			d.stop()
			return nil, fmt.Errorf("compatdiff: skyportd not answering: %w\n%s", err, d.tail())
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			d.stop()
			return nil, err
		}
	}
}

// seedIDs creates the queue in dir with its ID sequence just below
// firstID, so that the daemon's first job gets firstID.
func seedIDs(dir string, firstID uint32) error {
	st, err := queue.Open(dir, queue.Options{
		FirstID: firstID - 1, NoSync: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return fmt.Errorf("compatdiff: seed job IDs: %w", err)
	}
	if _, err := st.ReserveIDs(1); err != nil {
		_ = st.Close()
		return fmt.Errorf("compatdiff: seed job IDs: %w", err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("compatdiff: seed job IDs: %w", err)
	}
	return nil
}

// stop sends SIGTERM and waits up to 15 s, then SIGKILL.
func (d *daemon) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// tail returns the last lines of the daemon's log.
func (d *daemon) tail() string {
	b, _ := os.ReadFile(d.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
