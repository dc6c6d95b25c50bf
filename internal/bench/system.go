package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cmdTimeout bounds every single client command the bench runs.
const cmdTimeout = 60 * time.Second

// system is one batch system under test: where its client commands live,
// the environment and working directory they run in, and the job IDs the
// bench has submitted to it (so that it cancels only its own jobs). It is
// safe for concurrent use.
type system struct {
	name string
	bin  string   // directory holding sbatch, squeue, sacct, scancel
	env  []string // environment of every command
	dir  string   // working directory of every command (slurm-N.out land here)

	mu  sync.Mutex
	ids []string
}

// path returns the absolute path of the client command cmd.
func (s *system) path(cmd string) string { return filepath.Join(s.bin, cmd) }

// command builds the exec.Cmd for cmd args, with the system's environment
// and working directory; stdout and stderr are discarded unless set.
func (s *system) command(ctx context.Context, cmd string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, s.path(cmd), args...)
	c.Env = s.env
	c.Dir = s.dir
	c.WaitDelay = time.Second
	return c
}

// timed runs cmd args with stdout to /dev/null and returns the wall-clock
// time from just before the process is started to just after it has been
// reaped, as Appendix A's date +%s%N pairs do. A non-zero exit is an error.
func (s *system) timed(ctx context.Context, cmd string, args ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	c := s.command(ctx, cmd, args...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	t0 := time.Now()
	err := c.Run()
	d := time.Since(t0)
	if err != nil {
		return d, fmt.Errorf("%s %s: %w: %s", cmd, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return d, nil
}

// output runs cmd args and returns its stdout and the wall-clock time it
// took (measured like timed). A non-zero exit is an error.
func (s *system) output(ctx context.Context, cmd string, args ...string) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	c := s.command(ctx, cmd, args...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := c.Run()
	d := time.Since(t0)
	if err != nil {
		return stdout.String(), d, fmt.Errorf("%s %s: %w: %s", cmd, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), d, nil
}

// submit runs sbatch with args (which must include --parsable), records
// the new job ID and returns it with the command's wall-clock time.
func (s *system) submit(ctx context.Context, args ...string) (string, time.Duration, error) {
	out, d, err := s.output(ctx, "sbatch", args...)
	if err != nil {
		return "", d, err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if _, err := strconv.ParseUint(id, 10, 32); err != nil {
		return "", d, fmt.Errorf("sbatch %s: unexpected output %q", strings.Join(args, " "), out)
	}
	s.track(id)
	return id, d, nil
}

// submitPlain runs sbatch with args (without --parsable, so that the
// command is exactly the one measured), parses "Submitted batch job N",
// records N and returns the wall-clock time.
func (s *system) submitPlain(ctx context.Context, args ...string) (time.Duration, error) {
	out, d, err := s.output(ctx, "sbatch", args...)
	if err != nil {
		return d, err
	}
	id, ok := strings.CutPrefix(strings.TrimSpace(out), "Submitted batch job ")
	if _, err := strconv.ParseUint(id, 10, 32); !ok || err != nil {
		return d, fmt.Errorf("sbatch %s: unexpected output %q", strings.Join(args, " "), out)
	}
	s.track(id)
	return d, nil
}

// track records job IDs submitted by the bench.
func (s *system) track(ids ...string) {
	s.mu.Lock()
	s.ids = append(s.ids, ids...)
	s.mu.Unlock()
}

// tracked returns the job IDs the bench has submitted so far.
func (s *system) tracked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// forget drops the recorded job IDs (once they are gone from the queue).
func (s *system) forget() {
	s.mu.Lock()
	s.ids = nil
	s.mu.Unlock()
}

// queued returns which of ids are still in the queue (any state), using
// "squeue -h -o %i" over the whole queue.
func (s *system) queued(ctx context.Context, ids []string) ([]string, error) {
	out, _, err := s.output(ctx, "squeue", "-h", "-o", "%i")
	if err != nil {
		return nil, err
	}
	inQueue := make(map[string]bool)
	for _, f := range strings.Fields(out) {
		inQueue[f] = true
	}
	var left []string
	for _, id := range ids {
		if inQueue[id] {
			left = append(left, id)
		}
	}
	return left, nil
}

// cancel runs scancel on ids, at most chunk IDs per command.
func (s *system) cancel(ctx context.Context, ids []string) error {
	const chunk = 500
	var errs []error
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if _, err := s.timed(ctx, "scancel", ids[:n]...); err != nil {
			errs = append(errs, err)
		}
		ids = ids[n:]
	}
	return errors.Join(errs...)
}

// drain waits until none of the bench's jobs is in the queue any more. If
// cancelFirst is set, or they are still there after wait, it cancels them
// and waits up to another 60 s. It forgets the IDs once they are gone.
func (s *system) drain(ctx context.Context, wait time.Duration, cancelFirst bool) error {
	ids := s.tracked()
	if len(ids) == 0 {
		return nil
	}
	if cancelFirst {
		left, err := s.queued(ctx, ids)
		if err != nil {
			return err
		}
		if err := s.cancel(ctx, left); err != nil {
			return err
		}
	}
	left, err := s.waitGone(ctx, ids, wait)
	if err != nil {
		return err
	}
	if len(left) > 0 && !cancelFirst {
		if err := s.cancel(ctx, left); err != nil {
			return err
		}
		left, err = s.waitGone(ctx, left, 60*time.Second)
		if err != nil {
			return err
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("%s: %d of the bench's jobs still queued (first %s)", s.name, len(left), left[0])
	}
	s.forget()
	return nil
}

// waitGone polls the queue every 200 ms until none of ids is in it or
// wait has passed, and returns those still queued.
func (s *system) waitGone(ctx context.Context, ids []string, wait time.Duration) ([]string, error) {
	deadline := time.Now().Add(wait)
	for {
		left, err := s.queued(ctx, ids)
		if err != nil || len(left) == 0 || time.Now().After(deadline) {
			return left, err
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return left, err
		}
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// foreignLoad describes the jobs of others that occupy or compete for
// real Slurm's node ("2 running, 5 pending"), or "" when there are none.
func (s *system) foreignLoad(ctx context.Context) (string, error) {
	out, _, err := s.output(ctx, "squeue", "-h", "-o", "%i|%t|%r")
	if err != nil {
		return "", err
	}
	mine := make(map[string]bool)
	for _, id := range s.tracked() {
		mine[id] = true
	}
	running, pending := 0, 0
	for line := range strings.Lines(out) {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 3 || mine[f[0]] {
			continue
		}
		switch f[1] {
		case "R", "CG", "CF", "S", "ST":
			running++
		case "PD":
			// Only jobs the scheduler would start now compete with ours;
			// held ones, or ones waiting for a dependency or a begin
			// time, do not.
			if f[2] == "Resources" || f[2] == "Priority" || f[2] == "None" {
				pending++
			}
		}
	}
	if running+pending == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d running, %d pending jobs of others", running, pending), nil
}

// waitForeignIdle waits up to wait for real Slurm's node to be free of
// other people's jobs, and returns foreignLoad's last answer.
func (s *system) waitForeignIdle(ctx context.Context, wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		load, err := s.foreignLoad(ctx)
		if err != nil {
			return "unknown (" + err.Error() + ")"
		}
		if load == "" || time.Now().After(deadline) {
			return load
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			return load
		}
	}
}
