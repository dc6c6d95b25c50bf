package main

import (
	"fmt"
	"strings"
)

// Verdict is how a case came out.
type Verdict string

const (
	Same        Verdict = "same"
	Differs     Verdict = "differs"
	Allowlisted Verdict = "allowlisted"
	Broken      Verdict = "error" // the case could not be run as written
)

// comparison is one case's normalised transcripts, their diff and verdict.
type comparison struct {
	Outcome *outcome
	Verdict Verdict
	Diff    string   // unified diff of the normalised transcripts
	Why     []string // the allowlist's reasons, when allowlisted
	Notes   []string
}

// compare normalises both transcripts of o, diffs them and judges the
// differences against the allowlist.
func compare(o *outcome, root, nonce string, al *allowlist) *comparison {
	cmp := &comparison{Outcome: o}
	if o.Slurm == nil || o.Sky == nil {
		cmp.Verdict = Broken
		cmp.Notes = append(cmp.Notes, fmt.Sprint(o.Err))
		return cmp
	}
	if o.Err != nil {
		cmp.Notes = append(cmp.Notes, "trouble: "+o.Err.Error())
	}
	if o.Retries > 0 {
		cmp.Notes = append(cmp.Notes, fmt.Sprintf("differed on %d earlier run(s); this is run %d", o.Retries, o.Retries+1))
	}
	if o.Dropped > 0 {
		cmp.Notes = append(cmp.Notes, fmt.Sprintf("%d lines about other users' jobs dropped from real Slurm's output", o.Dropped))
	}
	if err := checkWidths(o.Slurm.IDs, o.Sky.IDs); err != nil {
		cmp.Notes = append(cmp.Notes, err.Error())
	}
	c := o.Case
	na := newNormalizer(o.Slurm.IDs, pathReplacements(root, slurmTag, nonce), c.Rules)
	nb := newNormalizer(o.Sky.IDs, pathReplacements(root, skyTag, nonce), c.Rules)
	a, b := document(o.Slurm, na), document(o.Sky, nb)
	edits := diffLines(a, b)
	cmp.Diff = unified(edits, "slurm", "skyport", 3)
	if cmp.Diff == "" {
		cmp.Verdict = Same
		return cmp
	}
	why, ok := al.covers(c.Name, edits)
	if ok {
		cmp.Verdict = Allowlisted
		cmp.Why = why
	} else {
		cmp.Verdict = Differs
	}
	return cmp
}

// document renders a transcript, normalised, as lines:
//
//	$ COMMAND
//	stdout lines
//	[stderr]
//	stderr lines
//	[exit N]
//	...
//	== files
//	-- NAME --
//	content lines
//
// An output that does not end in a newline gets a "\ no newline at end"
// line, so that a missing newline is a difference too.
func document(tr *transcript, n *normalizer) []docLine {
	var out []docLine
	add := func(section, text string) {
		for line := range strings.Lines(text) {
			out = append(out, docLine{strings.TrimSuffix(line, "\n"), section})
		}
		if text != "" && !strings.HasSuffix(text, "\n") {
			out = append(out, docLine{`\ no newline at end`, section})
		}
	}
	for _, r := range tr.Results {
		sec := r.Text
		out = append(out, docLine{"$ " + r.Text, sec})
		add(sec, n.apply(r.Stdout))
		if r.Stderr != "" {
			out = append(out, docLine{"[stderr]", sec})
			add(sec, n.apply(r.Stderr))
		}
		out = append(out, docLine{fmt.Sprintf("[exit %d]", r.Exit), sec})
	}
	out = append(out, docLine{"== files", "files"})
	for _, f := range tr.Files {
		out = append(out, docLine{"-- " + n.apply(f.Name) + " --", "files"})
		add("files", n.apply(f.Content))
	}
	return out
}
