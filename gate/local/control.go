package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// errLost is the gate.ErrNotFound of a run whose supervisor died without
// recording an exit.
func errLost(dir string) error {
	return fmt.Errorf("local: run %s: supervisor ended without recording an exit: %w",
		filepath.Base(dir), gate.ErrNotFound)
}

// errMissing is the gate.ErrNotFound of a run this gate does not hold.
func errMissing(dir string) error {
	return fmt.Errorf("local: run %s: %w", filepath.Base(dir), gate.ErrNotFound)
}

// Recover checks that the job is still watched by its supervisor or has a
// recorded exit. It returns gate.ErrNotFound when neither holds: the run
// directory is gone, or the supervisor died without recording an exit
// (its job may still run, unwatched). Recover needs no re-attaching: any
// gate over the state directory can Wait, Signal and Kill any run.
func (g *Gate) Recover(_ context.Context, h gate.Handle) error {
	dir, err := g.dirOf(h)
	if err != nil {
		return err
	}
	st, err := inspect(dir)
	if err != nil {
		return fmt.Errorf("local: recover %s: %w", filepath.Base(dir), err)
	}
	switch st {
	case stateRunning, stateEnded:
		return nil
	case stateLost:
		return errLost(dir)
	default:
		return errMissing(dir)
	}
}

// Wait blocks until the job has ended and returns its recorded exit, or
// until ctx ends (the job goes on). It returns gate.ErrNotFound when the
// run is gone or its supervisor died without recording an exit.
func (g *Gate) Wait(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	dir, err := g.dirOf(h)
	if err != nil {
		return gate.Exit{}, err
	}
	if e, err := readExit(dir); !errors.Is(err, fs.ErrNotExist) {
		return e, err
	}
	var rec superRecord
	if err := readJSON(dir, superFile, &rec); errors.Is(err, fs.ErrNotExist) {
		return gate.Exit{}, errMissing(dir)
	} else if err != nil {
		return gate.Exit{}, fmt.Errorf("local: wait %s: %w", filepath.Base(dir), err)
	}
	if err := g.waitRun(ctx, dir, rec); err != nil {
		return gate.Exit{}, fmt.Errorf("local: wait %s: %w", filepath.Base(dir), err)
	}
	e, err := readExit(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return gate.Exit{}, errLost(dir)
	}
	return e, err
}

// waitRun blocks until the run's exit is recorded or its supervisor has
// exited, or ctx ends. A supervisor this gate reuses does not exit when its
// run ends: every run it ends wakes this to look for the exit again.
func (g *Gate) waitRun(ctx context.Context, dir string, rec superRecord) error {
	for {
		next := g.endSignal() // before the look, so no end is missed
		if exists(dir, exitFile) {
			return nil
		}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- waitProcess(wctx, rec.PID, rec.Ticks) }()
		select {
		case err := <-done:
			cancel()
			return err
		case <-next:
			cancel()
			if err := <-done; err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
}

// runningRun finds the run h names and its supervisor's record, for an
// operation (op names it in errors) on a job that may still run. ended is
// true, with no error, when the job has ended already; a run it does not
// hold or whose supervisor is gone is gate.ErrNotFound.
func (g *Gate) runningRun(h gate.Handle, op string) (dir string, rec superRecord, ended bool, err error) {
	if dir, err = g.dirOf(h); err != nil {
		return "", rec, false, err
	}
	st, err := inspect(dir)
	if err != nil {
		return "", rec, false, fmt.Errorf("local: %s %s: %w", op, filepath.Base(dir), err)
	}
	switch st {
	case stateEnded:
		return dir, rec, true, nil
	case stateLost:
		return "", rec, false, errLost(dir)
	case stateMissing, stateUnclaimed:
		return "", rec, false, errMissing(dir)
	}
	if err := readJSON(dir, superFile, &rec); err != nil {
		return "", rec, false, fmt.Errorf("local: %s %s: %w", op, filepath.Base(dir), err)
	}
	return dir, rec, false, nil
}

// Signal sends sig to the job's process group. It does nothing for an
// ended job and returns gate.ErrNotFound for a run it does not hold or
// whose supervisor is gone.
func (g *Gate) Signal(_ context.Context, h gate.Handle, sig syscall.Signal) error {
	dir, rec, ended, err := g.runningRun(h, "signal")
	if err != nil || ended {
		return err
	}
	if rec.JobPID <= 0 {
		return nil // not started yet, or a launch failure about to be recorded
	}
	// While its supervisor has not recorded the exit, the job's leader is
	// alive or an unreaped zombie, so its process group id cannot be reused.
	if err := unix.Kill(-rec.JobPID, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("local: signal %s: %w", filepath.Base(dir), err)
	}
	return nil
}

// Kill records req in the run directory and tells the supervisor, which
// writes req.Line to the job's error file, sends SIGCONT and req.Signal
// (SIGTERM when zero) to the job's process group (SIGTERM, as in Slurm,
// only to the script and its srun steps: steps.go) and SIGKILL after
// req.Grace, and records req.Cause (gate.CauseCancelled when empty). Only
// the first request or time limit writes its line and sets the cause;
// later ones resend their signal and may shorten the grace. Kill returns
// once the supervisor is told; it returns nil for an ended job and
// gate.ErrNotFound for a run it does not hold or whose supervisor is gone.
func (g *Gate) Kill(_ context.Context, h gate.Handle, req gate.KillRequest) error {
	dir, rec, ended, err := g.runningRun(h, "kill")
	if err != nil || ended {
		return err
	}
	if err := writeJSON(dir, killFile, req, false); err != nil {
		return fmt.Errorf("local: kill %s: %w", filepath.Base(dir), err)
	}
	err = signalProcess(rec.PID, rec.Ticks, unix.SIGUSR1)
	if errors.Is(err, errGone) {
		if exists(dir, exitFile) {
			return nil
		}
		return errLost(dir)
	}
	if err != nil {
		return fmt.Errorf("local: kill %s: signal supervisor: %w", filepath.Base(dir), err)
	}
	return nil
}

// Reap returns the recorded exit of an ended job and deletes every file of
// the run but exit.json. It is safe to repeat until Remove. A job that has
// not ended is gate.ErrRunning; a run it does not hold or whose supervisor
// died without recording an exit is gate.ErrNotFound.
func (g *Gate) Reap(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	dir, err := g.dirOf(h)
	if err != nil {
		return gate.Exit{}, err
	}
	e, err := readExit(dir)
	if errors.Is(err, fs.ErrNotExist) {
		st, ierr := inspect(dir)
		switch {
		case ierr != nil:
			return gate.Exit{}, fmt.Errorf("local: reap %s: %w", filepath.Base(dir), ierr)
		case st == stateRunning:
			return gate.Exit{}, fmt.Errorf("local: reap %s: %w", filepath.Base(dir), gate.ErrRunning)
		case st == stateEnded:
			return g.Reap(ctx, h) // it ended in between
		case st == stateLost:
			return gate.Exit{}, errLost(dir)
		default:
			return gate.Exit{}, errMissing(dir)
		}
	}
	if err != nil {
		return gate.Exit{}, fmt.Errorf("local: reap %s: %w", filepath.Base(dir), err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return gate.Exit{}, fmt.Errorf("local: reap %s: %w", filepath.Base(dir), err)
	}
	for _, ent := range ents {
		if ent.Name() == exitFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, ent.Name())); err != nil {
			return gate.Exit{}, fmt.Errorf("local: reap %s: %w", filepath.Base(dir), err)
		}
	}
	return e, nil
}

// Remove deletes the run directory; afterwards Recover and Reap return
// gate.ErrNotFound. It is safe to repeat. It refuses with gate.ErrRunning
// while a supervisor runs the job, which would otherwise go on unwatched:
// Kill and Wait first.
func (g *Gate) Remove(_ context.Context, h gate.Handle) error {
	dir, err := g.dirOf(h)
	if err != nil {
		return err
	}
	st, err := inspect(dir)
	if err != nil {
		return fmt.Errorf("local: remove %s: %w", filepath.Base(dir), err)
	}
	if st == stateRunning {
		return fmt.Errorf("local: remove %s: %w", filepath.Base(dir), gate.ErrRunning)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("local: remove %s: %w", filepath.Base(dir), err)
	}
	return nil
}
