package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A normalizer rewrites what one side printed so that values which must
// vary between two runs (job IDs, dates, the working directory, process
// IDs) read the same on both sides, and nothing else changes. Every
// replacement keeps the length of what it replaces where the two sides'
// originals have equal lengths, so column widths and padding are still
// compared.
type normalizer struct {
	ids   map[string]string // raw job ID -> token
	paths []replacement     // literal prefixes, longest first
	rules map[string]bool   // optional rules the case asked for
}

// replacement is a literal string and what it becomes.
type replacement struct{ old, new string }

// A rule is a regular expression and its replacement (regexp syntax).
type rule struct {
	re   *regexp.Regexp
	repl string
}

// alwaysRules apply to every case: values that differ on every run.
var alwaysRules = []rule{
	// Dates and times (sacct Submit/Start/End, scontrol *Time=, squeue %V %S).
	// (sbatch --test-only's estimate can be far in the future: years of five digits.)
	{regexp.MustCompile(`\b[0-9]{4,5}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\b`), "YYYY-MM-DDThh:mm:ss"},
	{regexp.MustCompile(`\b[0-9]{4}-[01][0-9]-[0-3][0-9]\b`), "YYYY-MM-DD"},
	// sinfo -l's first line, date(1)'s format.
	{regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] [0-9]{4}\b`), "Www Mmm dd hh:mm:ss yyyy"},
	// Per-job values of the job's environment.
	{regexp.MustCompile(`(?m)^(SLURM_TASK_PID|SLURM_JOB_START_TIME|SLURM_JOB_END_TIME)=[0-9]+$`), "$1=N"},
	// scontrol show job: the submit host as slurmctld resolves it (here
	// "localhost"; Sky Port: the host name) and the submitting shell's session.
	{regexp.MustCompile(`\bAllocNode:Sid=[^:\s]+:[0-9]+\b`), "AllocNode:Sid=HOST:SID"},
	// priority/basic: 0xFFFF0000 minus a counter of slurmctld's (squeue %Q,
	// scontrol Priority=), and squeue %p, that number normalised; 0 (held) stays.
	// (NO_VAL and NO_VAL-1, 4294967294 for %a of a plain job, are values: kept.)
	{regexp.MustCompile(`\b4294[0-8][0-9]{5}\b|\b42949[0-5][0-9]{4}\b`), "4294xxxxxx"},
	{regexp.MustCompile(`\b0\.9999[0-9]{10}\b`), "0.9999xxxxxxxxxx"},
	// scontrol show config: the next job ID.
	{regexp.MustCompile(`(?m)^(NEXT_JOB_ID +=) [1-9][0-9]*$`), "$1 N"},
}

// optionalRuleSet holds the rules a case enables with "normalize NAME".
var optionalRuleSet = map[string][]rule{
	// Short run times of jobs that ran (they vary by a second or two):
	// squeue's M:SS, sacct's and scontrol's HH:MM:SS and MM:SS.mmm under a
	// minute. Time limits, all whole minutes in the cases, do not match.
	"elapsed": {
		{regexp.MustCompile(`\b(RunTime)=[0-9:-]+\b`), "$1=hh:mm:ss"},
		{regexp.MustCompile(`\b0:[0-5][0-9]\b`), "0:ss"},
		{regexp.MustCompile(`\b00:00:[0-5][0-9]\b`), "00:00:ss"},
		{regexp.MustCompile(`\b[0-9]{2}:[0-9]{2}\.[0-9]{3}\b`), "mm:ss.mmm"},
	},
	// scontrol show node and sinfo -N -l: the node's momentary load.
	"node-load": {
		{regexp.MustCompile(`\b(CPULoad|FreeMem)=[0-9.N/A]+`), "$1=X"},
	},
}

// newNormalizer builds the normaliser of one side: ids are that side's job
// IDs in the order the case saw them (the n-th one becomes Jn, padded to
// the ID's own length), paths the side's directories and their tokens.
func newNormalizer(ids []string, paths []replacement, rules map[string]bool) *normalizer {
	n := &normalizer{ids: map[string]string{}, paths: paths, rules: rules}
	for i, id := range ids {
		n.ids[id] = idToken(i+1, len(id))
	}
	return n
}

// idToken is "J" and the ordinal, zero-padded to width characters in all
// when it fits, so that it is as long as the ID it replaces.
func idToken(ordinal, width int) string {
	s := strconv.Itoa(ordinal)
	if len(s)+1 < width {
		s = strings.Repeat("0", width-1-len(s)) + s
	}
	return "J" + s
}

// apply normalises s.
func (n *normalizer) apply(s string) string {
	for _, p := range n.paths {
		s = strings.ReplaceAll(s, p.old, p.new)
	}
	for _, r := range alwaysRules {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	s = n.replaceIDs(s)
	for _, name := range optionalRules {
		if n.rules[name] {
			for _, r := range optionalRuleSet[name] {
				s = r.re.ReplaceAllString(s, r.repl)
			}
		}
	}
	return s
}

// replaceIDs replaces every maximal run of digits that is a known job ID
// (also inside "1234_5", "1234.batch", "slurm-1234.out"), zero-padded or not.
func (n *normalizer) replaceIDs(s string) string {
	if len(n.ids) == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		run := s[i:j]
		k := strings.IndexFunc(run, func(r rune) bool { return r != '0' })
		if tok, ok := n.ids[run]; ok {
			b.WriteString(tok)
		} else if tok, ok := n.ids[run[max(k, 0):]]; ok && k > 0 {
			// Zero-padded: "%5j" in a file name, "job05788" in slurmd's spool.
			b.WriteString(idToken(n.ordinal(tok), len(run)))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// ordinal returns the number of a token made by idToken.
func (n *normalizer) ordinal(tok string) int {
	v, _ := strconv.Atoi(strings.TrimLeft(tok[1:], "0"))
	return v
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// pathReplacements returns the literal replacements of a side whose case
// directory is root/tag/dir: the case directory becomes /WORK/dir and the
// side's root (also when cut short, as in a truncated column) /WORK, the
// run's nonce NONCE. Both sides' originals have equal lengths.
func pathReplacements(root, tag, nonce string) []replacement {
	return []replacement{
		{root + "/" + tag, "/WORK"},
		{root, "/ROOT"},
		{nonce, "NONCE"},
	}
}

// checkWidths reports the job IDs whose length differs between the sides
// (then the tokens differ, and so will the columns): real Slurm's IDs
// crossed a power of ten during the run.
func checkWidths(a, b []string) error {
	for i, x := range a {
		if i >= len(b) {
			break
		}
		if y := b[i]; len(x) != len(y) {
			return fmt.Errorf("job ID J%d has %d digits on one side and %d on the other (%s, %s): columns will differ; run again",
				i+1, len(x), len(y), x, y)
		}
	}
	return nil
}
