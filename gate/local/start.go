package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"skyport/gate"
	"skyport/gate/internal/runname"
)

// Start prepares the run directory of spec and launches its supervisor,
// then returns once the supervisor has started the job or recorded that it
// could not (a launch failure is reported by Wait as
// gate.CauseLaunchFailed, not here).
//
// Start is idempotent per (JobID, Restart), also across gates over the
// same state directory: when the run was claimed by a supervisor before
// (running, ended, even lost) it returns the same handle and starts
// nothing. gate.ErrUnavailable means no supervisor claimed the run; a
// later Start may try again. When ctx ends while the supervisor is coming
// up, Start returns ctx's error and the supervisor goes on: call Start
// again for the handle.
func (g *Gate) Start(ctx context.Context, spec gate.Spec) (gate.Handle, error) {
	if g.closed.Load() {
		return nil, fmt.Errorf("%w: %w", errClosed, gate.ErrUnavailable)
	}
	if spec.Restart < 0 {
		return nil, fmt.Errorf("local: start job %d: negative restart %d", spec.JobID, spec.Restart)
	}
	if spec.Container != nil {
		if g.node.Containers == "" {
			return nil, fmt.Errorf("local: start job %d: --container-image: gate %s runs no containers (set its containers option)", spec.JobID, g.name)
		}
		c := *spec.Container
		c.Runtime = g.node.Containers
		spec.Container = &c
	}
	name := runname.Of(spec.JobID, spec.Restart)
	dir := filepath.Join(g.jobs, name)
	log := g.log.With("job_id", spec.JobID, "run", name)
	defer g.starting.Lock(name)()

	if err := g.prepare(dir, spec); err != nil {
		return nil, fmt.Errorf("local: start job %d: %w: %w", spec.JobID, err, gate.ErrUnavailable)
	}
	st, err := inspect(dir)
	if err != nil {
		return nil, fmt.Errorf("local: start job %d: %w", spec.JobID, err)
	}
	switch st {
	case stateMissing:
		return nil, fmt.Errorf("local: start job %d: run directory vanished: %w", spec.JobID, gate.ErrUnavailable)
	case stateRunning, stateEnded, stateLost:
		log.Debug("start: run exists", "state", st)
		return encodeHandle(name), nil
	}
	if err := g.launch(ctx, dir); err != nil {
		return nil, fmt.Errorf("local: start job %d: %w", spec.JobID, err)
	}
	if st, err = inspect(dir); err != nil {
		return nil, fmt.Errorf("local: start job %d: %w", spec.JobID, err)
	}
	if st == stateUnclaimed || st == stateMissing {
		return nil, fmt.Errorf("local: start job %d: supervisor exited without claiming the run (%s): %w",
			spec.JobID, logTail(dir), gate.ErrUnavailable)
	}
	log.Debug("started")
	return encodeHandle(name), nil
}

// prepare creates the run directory with spec.json and the script, unless
// it exists. It builds the directory aside and renames it into place, so
// the run directory is never seen half-written.
func (g *Gate) prepare(dir string, spec gate.Spec) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(g.jobs, ".new-"+filepath.Base(dir)+"-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }() // a no-op once renamed
	if err := os.Chmod(tmp, 0o711); err != nil {
		return err
	}
	script := spec.Script
	spec.Script = nil
	if err := writeJSON(tmp, specFile, spec, false); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, scriptFile), script, 0o700); err != nil {
		return err
	}
	// The mode must not depend on the umask (a 0600 script cannot run).
	if err := os.Chmod(filepath.Join(tmp, scriptFile), 0o700); err != nil {
		return err
	}
	// The job runs as its user when the daemon is root; the script must be
	// theirs to execute.
	if os.Geteuid() == 0 && spec.UID != 0 {
		if err := os.Chown(filepath.Join(tmp, scriptFile), int(spec.UID), int(spec.GID)); err != nil {
			return err
		}
	}
	err = os.Rename(tmp, dir)
	if err != nil && (errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY)) {
		return nil // another gate over this directory prepared it first
	}
	return err
}

// launch has a supervisor started for the run directory, an idle one if
// there is, and waits until it is ready: it has claimed the run and
// started the job (or recorded a launch failure), or found the run
// claimed already, or died. The caller inspects the directory to tell
// which.
func (g *Gate) launch(ctx context.Context, dir string) error {
	if sp := g.takeSpare(); sp != nil {
		if ready, err := sp.hand(dir); err == nil {
			err = sp.awaitReady(ctx, ready)
			if err != nil || exists(dir, superFile) || exists(dir, exitFile) {
				return err
			}
		}
		// The spare died before it claimed the run: start one afresh.
		sp.discard()
	}
	logf, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("supervisor log: %w: %w", err, gate.ErrUnavailable)
	}
	defer func() { _ = logf.Close() }() // the supervisor holds its own copy
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("supervisor pipe: %w: %w", err, gate.ErrUnavailable)
	}
	cmd := g.supervisorCmd([]*os.File{readyW}, "-ready-fd=3", dir)
	cmd.Stdout = logf
	cmd.Stderr = logf
	err = cmd.Start()
	_ = readyW.Close()
	if err != nil {
		_ = readyR.Close()
		return fmt.Errorf("run supervisor %s: %w: %w", g.cmd[0], err, gate.ErrUnavailable)
	}
	go g.reap(cmd, dir)
	return awaitReady(ctx, readyR)
}

// awaitReady waits until the supervisor closes its end of the readiness
// pipe (or dies), or ctx ends; it closes r.
func awaitReady(ctx context.Context, r *os.File) error {
	defer func() { _ = r.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.Copy(io.Discard, r); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("supervisor not ready: %w", ctx.Err())
		}
		return fmt.Errorf("supervisor not ready: %w", err)
	}
	return nil
}

// logTail returns the end of the run's supervisor.log for error messages.
func logTail(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, logFile))
	if err != nil {
		return "no supervisor log"
	}
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		b = b[len(b)-300:]
	}
	if len(b) == 0 {
		return "supervisor log empty"
	}
	return string(b)
}
