// Command bench measures Sky Port's real binaries (skyportd and the
// sbatch/squeue/sacct/scancel shims) the way REFERENCE.md §8 and its
// Appendix A measured real Slurm 22.05 on this machine, and — when real
// Slurm answers — runs the same loops against real Slurm in the same run,
// then prints one markdown table with Sky Port's numbers, Slurm's, their
// ratio, the project's target and PASS/FAIL:
//
//  1. "sbatch --wrap=true" latency, p50/p95 over sequential submissions;
//  2. "squeue" latency (default format, all rows) with held jobs queued,
//     and for Sky Port also with 100 000 held jobs (submitted concurrently
//     through the API client, whose rate is printed too);
//  3. submit → COMPLETED in sacct, polling "sacct -n -X -P -j ID -o State";
//  4. throughput: many trivial jobs submitted at once, until all COMPLETED;
//  5. skyportd's resident memory, idle and with 100 000 jobs queued.
//
// Every Sky Port scenario gets a fresh daemon and state directory, which
// are removed afterwards; every real Slurm job the bench creates is
// cancelled by its ID (never anyone else's). Times are wall clock around
// each client process, as Appendix A's date +%s%N pairs, and percentiles are
// computed like its awk helper (see Summarize). Rows 1 and 2 sample the
// two systems alternately, so that both see the same load on a shared
// machine; diagnostic rows split Sky Port's numbers into the daemon's
// share (the same request through the Go API client, skyportd's CPU time)
// and the client process's.
//
// It lives in internal/ because it is a developer tool run by "make
// bench", not part of the product: nothing imports it and it is not
// installed.
//
//	go run ./internal/bench -bin DIR [-config FILE] [-quick] [-no-slurm]
//
// The exit status is 0 when every measurement could be made (whatever
// the targets say), 1 when one failed, 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// slurmBin is where real Slurm's client commands are installed.
const slurmBin = "/usr/bin"

// counts sizes the scenarios.
type counts struct {
	Sbatch          int // sequential submissions (row 1)
	SqueueRuns      int // squeue calls per sample (row 2)
	HeldSmall       int // held jobs for the squeue comparison
	HeldBig         int // held jobs for Sky Port alone (rows 2 and 5)
	Completed       int // submit→COMPLETED jobs, Sky Port
	SlurmCompleted  int // submit→COMPLETED jobs, real Slurm
	Throughput      int // throughput jobs, Sky Port
	SlurmThroughput int // throughput jobs, real Slurm (capped: ~0.7 jobs/s)
}

var (
	fullCounts  = counts{200, 20, 1000, 100_000, 30, 30, 500, 20}
	quickCounts = counts{20, 5, 100, 1000, 5, 3, 50, 5}
)

// throughputWorkers is how many sbatch loops run side by side in the
// throughput scenario.
const throughputWorkers = 4

func main() {
	os.Exit(benchMain(os.Args[1:]))
}

// benchMain parses args, runs every scenario and prints the report.
func benchMain(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	bin := fs.String("bin", "", "directory with skyportd and the shims (required)")
	cfg := fs.String("config", "", "skyportd configuration (default: BIN/../configs/two-partitions.toml)")
	quick := fs.Bool("quick", false, "smaller counts, for a smoke run")
	noSlurm := fs.Bool("no-slurm", false, "do not run the loops against real Slurm")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *bin == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: bench -bin DIR [-config FILE] [-quick] [-no-slurm]")
		return 2
	}
	b := &bench{counts: fullCounts, quick: *quick}
	if *quick {
		b.counts = quickCounts
	}
	var err error
	if b.bin, err = filepath.Abs(*bin); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	if *cfg == "" {
		*cfg = filepath.Join(filepath.Dir(b.bin), "configs", "two-partitions.toml")
	}
	if b.config, err = filepath.Abs(*cfg); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	for _, f := range []string{filepath.Join(b.bin, "skyportd"), filepath.Join(b.bin, "sbatch"), b.config} {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			return 2
		}
	}

	limit := 90 * time.Minute
	if *quick {
		limit = 10 * time.Minute
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	switch {
	case *noSlurm:
		b.slurmNote = "skipped (-no-slurm)"
	case !slurmReachable(ctx):
		b.slurmNote = "not reachable (" + slurmBin + "/sinfo failed)"
	default:
		b.slurm = true
	}
	b.machine = describeMachine(ctx, b.bin, b.slurm)
	b.run(ctx)
	b.machine.LoadEnd = loadAvg()
	b.report(os.Stdout)
	if len(b.errs) > 0 {
		return 1
	}
	return 0
}

// slurmReachable reports whether real Slurm's sinfo exits 0 within 5 s.
func slurmReachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, filepath.Join(slurmBin, "sinfo"))
	c.Env = cleanEnv()
	return c.Run() == nil
}

// progress prints a line on stderr, so that a long run shows where it is.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// fail records a failed measurement under key ("skyport:ROW" or
// "slurm:ROW") and reports it on stderr; a nil err is ignored.
func (b *bench) fail(key string, err error) {
	if err == nil {
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (bench time limit)", err)
	}
	if b.errs == nil {
		b.errs = map[string]error{}
	}
	b.errs[key] = errors.Join(b.errs[key], err)
	progress("%s: %v", key, err)
}
