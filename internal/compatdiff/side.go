package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The sides' directories under the run's root: one letter each, so that
// both sides' paths have the same length.
const (
	slurmTag = "r"
	skyTag   = "s"
)

// A side is one batch system under test: real Slurm or Sky Port.
type side struct {
	name string // "slurm" or "skyport", in the report
	tag  string // one letter: the side's directory under the run's root
	bin  string // the directory of its client commands
	path string // PATH of every command of a case
}

// client runs one of the side's client commands (not through the shell)
// and returns its stdout.
func (s *side) client(ctx context.Context, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Env = env
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s %s: %w: %s", s.name, name, strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// nextJobID returns the job ID real Slurm gives next: NEXT_JOB_ID in
// scontrol show config.
func (s *side) nextJobID(ctx context.Context, env []string) (uint32, error) {
	out, err := s.client(ctx, env, "scontrol", "show", "config")
	if err != nil {
		return 0, err
	}
	return parseNextJobID(out)
}

// parseNextJobID finds "NEXT_JOB_ID = N" in scontrol show config's output.
func parseNextJobID(config string) (uint32, error) {
	for line := range strings.Lines(config) {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "NEXT_JOB_ID" {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("compatdiff: scontrol show config: NEXT_JOB_ID %q", strings.TrimSpace(v))
		}
		return uint32(n), nil
	}
	return 0, errors.New("compatdiff: scontrol show config printed no NEXT_JOB_ID")
}

// jobStates returns the states sacct reports for the job's allocations
// ("COMPLETED", "CANCELLED by 0"; one per array task or pending range),
// or nothing when it has none yet. A row without a partition counts as
// none yet: real Slurm's accounting can learn of a short job's steps
// before its start record, and shows it meanwhile as a nameless
// "allocation" without a partition.
func (s *side) jobStates(ctx context.Context, env []string, id string) []string {
	out, err := s.client(ctx, env, "sacct", "-n", "-X", "-P", "-o", "State,Partition", "-j", id)
	if err != nil {
		return nil
	}
	return parseJobStates(out)
}

// parseJobStates reads sacct -P -o State,Partition rows.
func parseJobStates(out string) []string {
	var states []string
	for line := range strings.Lines(out) {
		st, part, _ := strings.Cut(strings.TrimSpace(line), "|")
		if st == "" {
			continue
		}
		if part == "" {
			return nil
		}
		states = append(states, st)
	}
	return states
}

// rawIDs returns, for the given job IDs, the raw IDs of the jobs behind
// them as sacct lists them (array tasks have their own), in sacct's order
// and without repeats.
func (s *side) rawIDs(ctx context.Context, env []string, ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out, err := s.client(ctx, env, "sacct", "-n", "-X", "-P", "-o", "JobIDRaw", "-j", strings.Join(ids, ","))
	if err != nil {
		return nil
	}
	var raw []string
	for _, f := range strings.Fields(out) {
		if !slices.Contains(raw, f) && allDigits(f) {
			raw = append(raw, f)
		}
	}
	return raw
}

// queued returns the jobs squeue lists (any state when all is set) as
// their IDs with array suffixes removed.
func (s *side) queued(ctx context.Context, env []string, all bool) ([]string, error) {
	args := []string{"-h", "-o", "%A %i"}
	if all {
		args = append(args, "-t", "all")
	}
	out, err := s.client(ctx, env, "squeue", args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range strings.Fields(out) {
		id, _, _ := strings.Cut(f, "_")
		if allDigits(id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// cancel cancels the given jobs (errors are ignored: they may be gone)
// and waits up to wait until none of them is pending or running.
func (s *side) cancel(ctx context.Context, env []string, ids []string, wait time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	_, _ = s.client(ctx, env, "scancel", ids...)
	deadline := time.Now().Add(wait)
	for {
		q, err := s.queued(ctx, env, false)
		if err != nil {
			return err
		}
		left := slices.DeleteFunc(q, func(id string) bool { return !slices.Contains(ids, id) })
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: jobs %s still queued %s after scancel", s.name, strings.Join(left, ","), wait)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
