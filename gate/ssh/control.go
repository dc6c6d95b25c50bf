package ssh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// lookup parses h and loads its record; a handle this gate does not hold
// (foreign, removed, garbage) is gate.ErrNotFound.
func (g *Gate) lookup(h gate.Handle) (handle, *record, *conn, error) {
	if g.closed.Load() {
		return handle{}, nil, nil, errClosed
	}
	hd, err := parseHandle(h, g.id)
	if err != nil {
		return handle{}, nil, nil, err
	}
	rec, err := g.store.load(hd.Run)
	if err != nil {
		return handle{}, nil, nil, fmt.Errorf("ssh: run %s: %w", hd.Run, err)
	}
	if rec == nil || rec.Handle == nil || *rec.Handle != hd {
		return handle{}, nil, nil, errMissing(hd.Run)
	}
	c, err := g.host(hd.Host)
	if err != nil {
		return handle{}, nil, nil, fmt.Errorf("%w: %w", err, gate.ErrNotFound)
	}
	return hd, rec, c, nil
}

// Recover checks that the job still runs on its host or has ended, and
// follows it again (copying output back from where the last gate left
// off). A host that cannot be reached now is no error: Wait reports
// gate.CauseNodeFail if it stays so past the grace. gate.ErrNotFound means
// the run is gone or its supervisor died without recording an exit.
func (g *Gate) Recover(ctx context.Context, h gate.Handle) error {
	hd, rec, c, err := g.lookup(h)
	if err != nil || rec.Exit != nil {
		return err
	}
	out, err := c.output(ctx, scriptArgs(statusScript, hd.Dir, strconv.Itoa(hd.PID), strconv.FormatUint(hd.Ticks, 10)), nil)
	if errors.Is(err, errUnreachable) {
		g.log.Warn("recover: host unreachable, following anyway", "run", hd.Run, "host", hd.Host, "err", err)
		g.follow(hd)
		return nil
	}
	if err != nil {
		return fmt.Errorf("ssh: recover %s: %w", hd.Run, err)
	}
	st, _, _, err := parseStatus(out, 0)
	if err != nil {
		return fmt.Errorf("ssh: recover %s: %w", hd.Run, err)
	}
	switch st {
	case "lost":
		return errLost(hd.Run)
	case "missing":
		return errMissing(hd.Run)
	}
	g.follow(hd)
	return nil
}

// Wait blocks until the job has ended and its output is copied back, and
// returns its exit, or until ctx ends (the job goes on). An exit with
// gate.CauseNodeFail means the host stayed unreachable past the grace.
func (g *Gate) Wait(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	hd, rec, _, err := g.lookup(h)
	if err != nil {
		return gate.Exit{}, err
	}
	if rec.Exit != nil {
		return *rec.Exit, nil
	}
	f := g.follow(hd)
	select {
	case <-f.done:
		return f.exit, f.err
	case <-ctx.Done():
		return gate.Exit{}, ctx.Err()
	}
}

// Signal sends sig to the job's process group on its host. It does
// nothing for an ended job and returns gate.ErrNotFound for a run it does
// not hold or whose supervisor is gone.
func (g *Gate) Signal(ctx context.Context, h gate.Handle, sig syscall.Signal) error {
	hd, rec, c, err := g.lookup(h)
	if err != nil || (rec.Exit != nil && rec.Exit.Cause != gate.CauseNodeFail) {
		return err
	}
	name := strings.TrimPrefix(unix.SignalName(sig), "SIG")
	if name == "" {
		return fmt.Errorf("ssh: signal %s: unknown signal %d", hd.Run, int(sig))
	}
	err = c.Run(ctx, scriptArgs(signalScript, hd.Dir, strconv.Itoa(hd.PID), strconv.FormatUint(hd.Ticks, 10), name), nil, nil)
	return g.controlErr(hd, rec, "signal", err)
}

// Kill records req on the job's host and tells its supervisor, which
// carries it out as the local gate's does (see local.Gate.Kill): line,
// SIGCONT and the signal, SIGKILL after the grace. It returns once the
// supervisor is told; nil for an ended job.
func (g *Gate) Kill(ctx context.Context, h gate.Handle, req gate.KillRequest) error {
	hd, rec, c, err := g.lookup(h)
	if err != nil || (rec.Exit != nil && rec.Exit.Cause != gate.CauseNodeFail) {
		return err
	}
	js, err := json.Marshal(req)
	if err != nil {
		return err
	}
	err = c.Run(ctx, scriptArgs(killScript, hd.Dir, strconv.Itoa(hd.PID), strconv.FormatUint(hd.Ticks, 10)),
		strings.NewReader(string(js)), nil)
	return g.controlErr(hd, rec, "kill", err)
}

// controlErr maps the error of a kill or signal script.
func (g *Gate) controlErr(hd handle, rec *record, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case rec.Exit != nil:
		return nil // the node failed: the job is over for the gateway
	case exitCode(err) == codeMissing:
		return errMissing(hd.Run)
	case exitCode(err) == codeLost:
		return errLost(hd.Run)
	}
	return fmt.Errorf("ssh: %s %s: %w", op, hd.Run, err)
}

// Reap returns the recorded exit of an ended job (copying the rest of its
// output back first) and deletes the run's files on the host but
// exit.json and supervisor.json. It is safe to repeat until Remove. A job
// that has not ended is gate.ErrRunning. When the host cannot be reached
// after a node failure the files stay, and a later Reap deletes them.
func (g *Gate) Reap(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	hd, rec, c, err := g.lookup(h)
	if err != nil {
		return gate.Exit{}, err
	}
	e := rec.Exit
	if e == nil {
		done, x, _, err := g.step(ctx, c, hd)
		switch {
		case err != nil:
			return gate.Exit{}, fmt.Errorf("ssh: reap %s: %w", hd.Run, err)
		case !done:
			return gate.Exit{}, fmt.Errorf("ssh: reap %s: %w", hd.Run, gate.ErrRunning)
		}
		e = &x
	}
	if rec.Reaped {
		return *e, nil
	}
	err = c.Run(ctx, scriptArgs(reapScript, hd.Dir), nil, nil)
	if err != nil {
		if e.Cause == gate.CauseNodeFail {
			g.log.Warn("reap: run files stay on the host", "run", hd.Run, "host", hd.Host, "err", err)
			return *e, nil
		}
		return gate.Exit{}, fmt.Errorf("ssh: reap %s: %w", hd.Run, err)
	}
	defer g.locks.Lock(hd.Run)()
	if rec, err = g.store.load(hd.Run); err == nil && rec != nil {
		rec.Reaped = true
		err = g.store.save(hd.Run, rec, false)
	}
	if err != nil {
		return gate.Exit{}, fmt.Errorf("ssh: reap %s: %w", hd.Run, err)
	}
	return *e, nil
}

// Remove deletes the run on its host and here; afterwards Recover and Reap
// return gate.ErrNotFound. It is safe to repeat. It refuses with
// gate.ErrRunning while the supervisor runs the job: Kill and Wait first.
// After a node failure with the host still unreachable, only the record
// here goes (List finds the remote run once the host is back).
func (g *Gate) Remove(ctx context.Context, h gate.Handle) error {
	hd, rec, c, err := g.lookup(h)
	if errors.Is(err, gate.ErrNotFound) {
		if _, perr := parseHandle(h, g.id); perr == nil {
			return nil // removed before
		}
	}
	if err != nil {
		return err
	}
	defer g.locks.Lock(hd.Run)()
	err = c.Run(ctx, scriptArgs(removeScript, hd.Dir, strconv.Itoa(hd.PID), strconv.FormatUint(hd.Ticks, 10)), nil, nil)
	switch {
	case exitCode(err) == codeRunning:
		return fmt.Errorf("ssh: remove %s: %w", hd.Run, gate.ErrRunning)
	case err != nil && rec.Exit != nil && rec.Exit.Cause == gate.CauseNodeFail && errors.Is(err, errUnreachable):
		g.log.Warn("remove: run stays on the unreachable host", "run", hd.Run, "host", hd.Host, "err", err)
	case err != nil:
		return fmt.Errorf("ssh: remove %s: %w", hd.Run, err)
	}
	if err := g.store.remove(hd.Run); err != nil {
		return fmt.Errorf("ssh: remove %s: %w", hd.Run, err)
	}
	return nil
}

// Collect brings the job's results back from a host that does not share
// this file system: new and changed files of the staged directories
// (gate.Collector). It is safe to repeat; a job that has not ended is
// gate.ErrRunning.
func (g *Gate) Collect(ctx context.Context, h gate.Handle) error {
	hd, rec, c, err := g.lookup(h)
	if err != nil {
		return err
	}
	if rec.Exit == nil {
		return fmt.Errorf("ssh: collect %s: %w", hd.Run, gate.ErrRunning)
	}
	if rec.Stage == nil || rec.Exit.Cause == gate.CauseNodeFail {
		return nil
	}
	if err := g.pull(ctx, c, rec.Stage); err != nil {
		return fmt.Errorf("ssh: collect %s: %w", hd.Run, err)
	}
	return nil
}
