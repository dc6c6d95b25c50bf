package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// sampler is one system's side of an interleaved loop: step takes one
// sample.
type sampler struct {
	step    func(context.Context) (time.Duration, error)
	samples []time.Duration
	err     error
}

// stats summarises the samples taken (also those before an error).
func (s *sampler) stats() Stats { return Summarize(s.samples) }

// interleave runs n rounds in which every sampler that has not failed
// takes one sample; odd rounds go in reverse order, so that no system
// always goes first. Sampling the systems side by side gives both the
// same machine load, which on a shared machine matters more than
// anything else.
func interleave(ctx context.Context, n int, ss ...*sampler) {
	for i := range n {
		for k := range ss {
			s := ss[k]
			if i%2 == 1 {
				s = ss[len(ss)-1-k]
			}
			if s.err != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				s.err = err
				continue
			}
			d, err := s.step(ctx)
			if err != nil {
				s.err = err
				continue
			}
			s.samples = append(s.samples, d)
		}
	}
}

// sbatchStep times one "sbatch --wrap=true" (REFERENCE.md §8.1); the job
// really runs while later ones are being submitted.
func sbatchStep(sys *system) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) { return sys.submitPlain(ctx, "--wrap=true") }
}

// squeueStep times one plain "squeue" (default format, every row, stdout
// to /dev/null; §8.2).
func squeueStep(sys *system) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) { return sys.timed(ctx, "squeue") }
}

// countRows returns how many rows "squeue -h" prints, so that the table
// can say how many jobs were really listed.
func countRows(ctx context.Context, sys *system) (int, error) {
	out, _, err := sys.output(ctx, "squeue", "-h")
	return strings.Count(out, "\n"), err
}

// submitHeldCLI submits n held jobs with sequential "sbatch --parsable
// --hold --wrap=true" processes (for real Slurm, which has no Go client).
func submitHeldCLI(ctx context.Context, sys *system, n int) (bulkResult, error) {
	t0 := time.Now()
	for i := range n {
		if _, _, err := sys.submit(ctx, "--parsable", "--hold", "--wrap=true"); err != nil {
			return bulkResult{N: i, Elapsed: time.Since(t0)}, err
		}
	}
	return bulkResult{N: n, Elapsed: time.Since(t0)}, nil
}

// completedLoop is the shape of the submit→COMPLETED loop of §8.3.
type completedLoop struct {
	N              int
	Poll           time.Duration // between two sacct calls
	GapMin, GapMax time.Duration // random pause between two jobs
	PerJob         time.Duration // give up on a job after this long
}

// submitToCompleted times, for each of l.N sequential jobs, from just
// before "sbatch --parsable --wrap=true" starts until "sacct -n -X -P -j ID
// -o State" prints COMPLETED, polling every l.Poll; between jobs it sleeps
// a random time in [GapMin, GapMax) so the loop does not phase-lock with a
// periodic scheduler.
func submitToCompleted(ctx context.Context, sys *system, l completedLoop) (Stats, error) {
	samples := make([]time.Duration, 0, l.N)
	for i := range l.N {
		t0 := time.Now()
		id, _, err := sys.submit(ctx, "--parsable", "--wrap=true")
		if err != nil {
			return Summarize(samples), err
		}
		for {
			out, _, err := sys.output(ctx, "sacct", "-n", "-X", "-P", "-j", id, "-o", "State")
			if err != nil {
				return Summarize(samples), err
			}
			st := strings.TrimSpace(out)
			if st == "COMPLETED" {
				samples = append(samples, time.Since(t0))
				break
			}
			if terminalNotCompleted(st) {
				return Summarize(samples), fmt.Errorf("%s: job %s ended %s", sys.name, id, st)
			}
			if time.Since(t0) > l.PerJob {
				return Summarize(samples), fmt.Errorf("%s: job %s not COMPLETED after %s (state %q)", sys.name, id, l.PerJob, st)
			}
			if err := sleep(ctx, l.Poll); err != nil {
				return Summarize(samples), err
			}
		}
		if i < l.N-1 {
			gap := l.GapMin + rand.N(l.GapMax-l.GapMin)
			if err := sleep(ctx, gap); err != nil {
				return Summarize(samples), err
			}
		}
	}
	return Summarize(samples), nil
}

// terminalNotCompleted reports whether a sacct State is final but not
// COMPLETED ("CANCELLED by 0" included).
func terminalNotCompleted(st string) bool {
	for _, p := range []string{"FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"} {
		if strings.HasPrefix(st, p) {
			return true
		}
	}
	return false
}

// throughputResult is one run of the throughput scenario.
type throughputResult struct {
	N       int
	Submit  time.Duration // first submit to last submit answered
	Elapsed time.Duration // first submit to all COMPLETED in sacct
}

// rate is completed jobs per second.
func (t throughputResult) rate() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.N) / t.Elapsed.Seconds()
}

// throughput submits n "sbatch --parsable --wrap=true" from workers
// concurrent loops as fast as they go, then polls "sacct -n -X -P -j
// ID,ID,... -o State" every poll until all n are COMPLETED, and returns the
// time from the first submit to the poll that saw the last one done.
func throughput(ctx context.Context, sys *system, n, workers int, poll, limit time.Duration) (throughputResult, error) {
	var (
		mu       sync.Mutex
		ids      []string
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan struct{}, n)
	)
	for range n {
		next <- struct{}{}
	}
	close(next)
	t0 := time.Now()
	for range workers {
		wg.Go(func() {
			for range next {
				id, _, err := sys.submit(ctx, "--parsable", "--wrap=true")
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					ids = append(ids, id)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	res := throughputResult{N: n, Submit: time.Since(t0)}
	if firstErr != nil {
		return res, firstErr
	}
	list := strings.Join(ids, ",")
	for {
		out, _, err := sys.output(ctx, "sacct", "-n", "-X", "-P", "-j", list, "-o", "State")
		if err != nil {
			return res, err
		}
		done, bad := 0, ""
		for st := range strings.Lines(out) {
			st = strings.TrimSpace(st)
			switch {
			case st == "COMPLETED":
				done++
			case terminalNotCompleted(st):
				bad = st
			}
		}
		if done == n {
			res.Elapsed = time.Since(t0)
			return res, nil
		}
		if bad != "" {
			return res, fmt.Errorf("%s: a throughput job ended %s", sys.name, bad)
		}
		if time.Since(t0) > limit {
			return res, fmt.Errorf("%s: only %d of %d jobs COMPLETED after %s", sys.name, done, n, limit)
		}
		if err := sleep(ctx, poll); err != nil {
			return res, err
		}
	}
}
