// Command compatdiff is the differential suite: it runs a corpus of cases
// (sbatch, squeue, scancel, sacct, sinfo, scontrol command lines, job
// scripts, environments, bad input) against real Slurm and against Sky
// Port in one go, normalises what varies between two runs (job IDs,
// dates, run times, working directories), and reports every difference:
// a unified diff per case, the reviewed ones marked from the allowlist
// with the reason each must differ, and a summary count.
//
// Each case runs in a fresh working directory of the same length on both
// sides (ROOT/r/CASE for real Slurm, ROOT/s/CASE for Sky Port) with a
// clean environment, PATH leading to one side's commands, and $WORK,
// $RUN (a nonce for job names), $T0 (the case's start, for sacct -S),
// $MAXMEM (the node's memory in MB) and $J1, $J2... (the job IDs sbatch
// printed so far). Every Sky Port case
// gets a private skyportd with its own state directory and socket, its
// job IDs seeded to have as many digits as real Slurm's. Cases run a few
// at a time; "exclusive" ones (which see the whole queue) run alone at
// the end, after real Slurm has finished this run's jobs.
//
// It lives in internal/ because it is a developer tool run by "make
// compat" (and CI, once enabled), not part of the product.
//
//	go run ./internal/compatdiff -bin DIR [-config FILE] [-cases DIR] [-allowlist FILE]
//	        [-run REGEXP] [-parallel N] [-retries N] [-report FILE] [-keep] [-list]
//
// A case that differs is run again (-retries, once by default) and judged
// by its last run, with a note: real Slurm's accounting (slurmdbd) lags
// behind on a loaded machine, so a few sacct rows can be late.
//
// Exit status: 0 when every difference is allowlisted, 1 when one is not
// (or a case could not run), 2 on bad flags or when real Slurm does not
// answer.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(compatMain(os.Args[1:]))
}

// compatMain parses args, runs the cases and prints the report.
func compatMain(args []string) int {
	fs := flag.NewFlagSet("compatdiff", flag.ContinueOnError)
	bin := fs.String("bin", "", "directory with skyportd and the shims (required)")
	cfg := fs.String("config", "", "skyportd configuration (default: BIN/../configs/two-partitions.toml)")
	casesDir := fs.String("cases", "internal/compatdiff/testdata/cases", "directory of the *.txtar case groups")
	allowFile := fs.String("allowlist", "internal/compatdiff/allowlist.toml", "reviewed differences")
	runRe := fs.String("run", "", "run only the cases whose name matches this regular expression")
	parallel := fs.Int("parallel", 4, "cases run at the same time")
	retries := fs.Int("retries", 1, "run a case that differs again, up to this many times (real Slurm's accounting lags under load)")
	reportFile := fs.String("report", "", "also write the report to this file")
	keep := fs.Bool("keep", false, "keep the working directories")
	list := fs.Bool("list", false, "list the cases and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cases, err := LoadCases(*casesDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	al, err := loadAllowlist(*allowFile, cases)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if *runRe != "" {
		re, err := regexp.Compile(*runRe)
		if err != nil {
			fmt.Fprintf(os.Stderr, "compatdiff: -run: %v\n", err)
			return 2
		}
		var sel []*Case
		for _, c := range cases {
			if re.MatchString(c.Name) {
				sel = append(sel, c)
			}
		}
		cases = sel
	}
	if *list {
		for _, c := range cases {
			ex := ""
			if c.Exclusive {
				ex = " (exclusive)"
			}
			fmt.Printf("%s%s\n", c.Name, ex)
		}
		fmt.Printf("%d cases\n", len(cases))
		return 0
	}
	if *bin == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: compatdiff -bin DIR [-config FILE] [-cases DIR] [-allowlist FILE] [-run REGEXP] [-parallel N] [-retries N] [-report FILE] [-keep] [-list]")
		return 2
	}
	if *bin, err = filepath.Abs(*bin); err != nil {
		fmt.Fprintf(os.Stderr, "compatdiff: %v\n", err)
		return 2
	}
	if *cfg == "" {
		*cfg = filepath.Join(filepath.Dir(*bin), "configs", "two-partitions.toml")
	}
	if *cfg, err = filepath.Abs(*cfg); err != nil {
		fmt.Fprintf(os.Stderr, "compatdiff: %v\n", err)
		return 2
	}
	for _, f := range []string{filepath.Join(*bin, "skyportd"), filepath.Join(*bin, "sbatch"), *cfg} {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(os.Stderr, "compatdiff: %v\n", err)
			return 2
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	info := runInfo{Started: time.Now(), SkyBin: *bin, Config: *cfg, Parallel: *parallel, AllowlistAt: *allowFile}
	probe, ver, err := probeSlurm(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compatdiff: real Slurm does not answer (start it with ../shared/slurm/up.sh): %v\n", err)
		return 2
	}
	info.SlurmVer, info.SlurmFirst = ver, probe
	nonce := newNonce()
	r, err := newRunner(*bin, *cfg, nonce)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if r.config, info.Mirrored, r.maxMem, err = writeMirrored(ctx, *cfg, r.states); err != nil {
		r.cleanup()
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if !*keep {
		defer r.cleanup()
	} else {
		fmt.Fprintf(os.Stderr, "compatdiff: working directories kept in %s and %s\n", r.root, r.states)
	}

	var n int
	outs := r.runAll(ctx, cases, *parallel, func(o *outcome) {
		n++
		c := compare(o, r.root, nonce, al)
		fmt.Fprintf(os.Stderr, "[%d/%d] %-11s %s (%s)\n", n, len(cases), c.Verdict, o.Case.Name, o.Took.Round(100*time.Millisecond))
	})
	for attempt := 1; attempt <= *retries && ctx.Err() == nil; attempt++ {
		var again []*Case
		var where []int
		for i, o := range outs {
			if compare(o, r.root, nonce, al).Verdict == Differs {
				again, where = append(again, o.Case), append(where, i)
			}
		}
		if len(again) == 0 {
			break
		}
		fmt.Fprintf(os.Stderr, "compatdiff: running the %d cases that differ again (retry %d of %d)\n", len(again), attempt, *retries)
		n = 0
		for k, o := range r.runAll(ctx, again, *parallel, func(o *outcome) {
			n++
			fmt.Fprintf(os.Stderr, "[retry %d/%d] %-8s %s (%s)\n", n, len(again), compare(o, r.root, nonce, al).Verdict, o.Case.Name, o.Took.Round(100*time.Millisecond))
		}) {
			o.Retries = attempt
			outs[where[k]] = o
		}
	}
	cmps := make([]*comparison, len(outs))
	for i, o := range outs {
		cmps[i] = compare(o, r.root, nonce, al)
	}
	info.Took = time.Since(info.Started)
	if *runRe == "" {
		info.Unused = al.unused()
	}
	var w io.Writer = os.Stdout
	if *reportFile != "" {
		f, err := os.Create(*reportFile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "compatdiff: %v\n", err)
			return 2
		}
		defer func() { _ = f.Close() }()
		w = io.MultiWriter(os.Stdout, f)
	}
	if _, err := io.WriteString(w, reportText(info, cmps)); err != nil {
		fmt.Fprintf(os.Stderr, "compatdiff: report: %v\n", err)
		return 2
	}
	if summarize(cmps).failed() {
		return 1
	}
	return 0
}

// probeSlurm checks that real Slurm answers, submits one held job to learn
// where its job IDs are, cancels it, and returns its ID and Slurm's version.
func probeSlurm(ctx context.Context) (string, string, error) {
	s := &side{name: "slurm", bin: "/usr/bin"}
	env := []string{"PATH=" + sysPath, "HOME=" + os.Getenv("HOME"), "USER=" + os.Getenv("USER")}
	ver, err := s.client(ctx, env, "sinfo", "-V")
	if err != nil {
		return "", "", err
	}
	out, err := s.client(ctx, env, "sbatch", "--parsable", "--hold", "-J", "compatdiff-probe", "-o", "/dev/null", "--wrap=true")
	if err != nil {
		return "", "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if !allDigits(id) {
		return "", "", fmt.Errorf("sbatch --parsable printed %q", out)
	}
	if _, err := s.client(ctx, env, "scancel", id); err != nil {
		return "", "", err
	}
	return id, strings.TrimSpace(ver), nil
}

// newNonce returns five random lower-case letters.
func newNonce() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}
