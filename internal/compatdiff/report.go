package main

import (
	"fmt"
	"strings"
	"time"
)

// summary counts the verdicts of a run.
type summary struct {
	Cases, Same, Differs, Allowlisted, Errors int
}

func summarize(cmps []*comparison) summary {
	s := summary{Cases: len(cmps)}
	for _, c := range cmps {
		switch c.Verdict {
		case Same:
			s.Same++
		case Differs:
			s.Differs++
		case Allowlisted:
			s.Allowlisted++
		case Broken:
			s.Errors++
		}
	}
	return s
}

// String is the summary line.
func (s summary) String() string {
	return fmt.Sprintf("%d cases: %d same, %d differ, %d allowlisted, %d errors",
		s.Cases, s.Same, s.Differs, s.Allowlisted, s.Errors)
}

// failed reports whether the run must fail: a difference that is not
// allowlisted, or a case that could not run.
func (s summary) failed() bool { return s.Differs > 0 || s.Errors > 0 }

// runInfo is what the report's head says about the run.
type runInfo struct {
	Started     time.Time
	Took        time.Duration
	SlurmVer    string
	SkyBin      string
	Config      string
	SlurmFirst  string // the probe's job ID
	Parallel    int
	Mirrored    []string // changes to the configuration that mirror real Slurm's node
	Unused      []*allowEntry
	AllowlistAt string
}

// reportText is the readable report: the head, the same cases by name,
// the allowlisted ones with their reasons and diffs, stale allowlist
// entries, the cases that could not run or differ with their diffs, and
// the summary.
func reportText(info runInfo, cmps []*comparison) string {
	w := &strings.Builder{}
	s := summarize(cmps)
	fmt.Fprintf(w, "# Differential run: Sky Port against real Slurm\n\n")
	fmt.Fprintf(w, "started %s, took %s; real Slurm %s (probe job %s); Sky Port %s with %s (each case's daemon starts at real Slurm's NEXT_JOB_ID); %d cases in parallel\n",
		info.Started.Format(time.RFC3339), info.Took.Round(time.Second), info.SlurmVer, info.SlurmFirst,
		info.SkyBin, info.Config, info.Parallel)
	if len(info.Mirrored) > 0 {
		fmt.Fprintf(w, "Sky Port's gate mirrors real Slurm's node: %s\n", strings.Join(info.Mirrored, ", "))
	}
	fmt.Fprintf(w, "Normalised: job IDs (Jn, padded to the ID's width), dates, the working directories (/WORK), "+
		"SLURM_TASK_PID and SLURM_JOB_{START,END}_TIME, AllocNode, priority/basic's priorities, NEXT_JOB_ID; per case on request: run times, node load.\n\n")
	section := func(v Verdict, title string) {
		var n int
		for _, c := range cmps {
			if c.Verdict == v {
				n++
			}
		}
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "## %s (%d)\n\n", title, n)
		for _, c := range cmps {
			if c.Verdict != v {
				continue
			}
			fmt.Fprintf(w, "### %s: %s (%s)\n", c.Outcome.Case.Name, c.Verdict, c.Outcome.Took.Round(100*time.Millisecond))
			for _, why := range c.Why {
				fmt.Fprintf(w, "why: %s\n", why)
			}
			for _, n := range c.Notes {
				fmt.Fprintf(w, "note: %s\n", n)
			}
			if c.Diff != "" {
				fmt.Fprintf(w, "```diff\n%s```\n", c.Diff)
			}
			w.WriteString("\n")
		}
	}
	// The failures come last, just above the summary: CI logs are often
	// read from the tail.
	var same []string
	for _, c := range cmps {
		if c.Verdict == Same {
			name := c.Outcome.Case.Name
			if len(c.Notes) > 0 {
				name += " (" + strings.Join(c.Notes, "; ") + ")"
			}
			same = append(same, name)
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(w, "## Same (%d)\n\n%s\n\n", len(same), strings.Join(same, "\n"))
	}
	section(Allowlisted, "Differ, allowlisted")
	if len(info.Unused) > 0 {
		fmt.Fprintf(w, "## Allowlist entries that covered nothing (%s)\n\n", info.AllowlistAt)
		for _, e := range info.Unused {
			fmt.Fprintf(w, "- case %q cmd %q match %q: %s\n", e.Case, e.Cmd, e.Match, e.Why)
		}
		w.WriteString("\n")
	}
	section(Broken, "Could not run")
	section(Differs, "Differ")
	var failed []string
	for _, c := range cmps {
		if c.Verdict == Differs || c.Verdict == Broken {
			failed = append(failed, c.Outcome.Case.Name)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "Failed: %s\n", strings.Join(failed, " "))
	}
	fmt.Fprintf(w, "Summary: %s\n", s)
	// The plain closing line CI reads: allowlisted cases pass.
	fmt.Fprintf(w, "compat: %d passed, %d failed\n", s.Same+s.Allowlisted, s.Differs+s.Errors)
	return w.String()
}
