package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// A Case is one differential test: setup files written into a fresh
// working directory, then a sequence of steps run in it, on each side.
type Case struct {
	Name      string            // "group/name"
	Files     map[string][]byte // setup files, relative to the working directory
	Steps     []Step
	Exclusive bool            // runs alone, with real Slurm quiet (it sees the whole queue)
	Rules     map[string]bool // opt-in normalisation rules (see optionalRules)
}

// Dir is the case's working directory name under a side's root: the name
// with "/" replaced by ".", so that both sides use paths of equal length.
func (c *Case) Dir() string { return strings.ReplaceAll(c.Name, "/", ".") }

// StepKind tells what a step does.
type StepKind int

const (
	StepCmd   StepKind = iota // a shell command line, compared
	StepQuiet                 // a shell command line, run but not compared
	StepEnv                   // set (or, with no "=", unset) an environment variable
	StepWait                  // wait until a job reaches one of some states
	StepSleep                 // pause
)

// A Step is one line of a case's script.
type Step struct {
	Kind    StepKind
	Line    int    // line number in the group file, for messages
	Text    string // the command line (StepCmd, StepQuiet)
	Key     string // StepEnv: the variable; StepWait: the job variable (J1...)
	Value   string // StepEnv: the value
	Unset   bool   // StepEnv: remove the variable
	States  []string
	Timeout time.Duration // StepWait
	Pause   time.Duration // StepSleep
}

// optionalRules are the normalisations a case may ask for with
// "normalize NAME"; the others always apply (see normalize.go).
var optionalRules = []string{"elapsed", "node-load"}

// defaultWait bounds a wait step without an explicit timeout. Real Slurm
// starts batch jobs on a ~3 s cycle and has 2 CPUs shared by the cases
// running in parallel, so a job may queue for a while.
const defaultWait = 150 * time.Second

var (
	caseMarker = regexp.MustCompile(`^case ([A-Za-z0-9][A-Za-z0-9._-]*)$`)
	jobVar     = regexp.MustCompile(`^\$?(J[1-9][0-9]*)$`)
)

// LoadCases reads every *.txtar file of dir (one group each) and returns
// the cases sorted by name.
//
// A group file's comment section holds "#" comment lines and the group's
// directives ("exclusive", "normalize NAME"), which apply to every case of
// the group. Each "case NAME" section is one case's script; every other
// section is a setup file shared by the group's cases. Script lines:
//
//	# comment
//	exclusive                  run alone (the case sees the whole queue)
//	normalize NAME             an optional normalisation (elapsed, node-load)
//	env KEY=VALUE | env KEY    set or unset a variable for the later lines
//	wait $J1 STATE[,STATE] [TIMEOUT]
//	sleep DURATION
//	quiet COMMAND              run, do not compare
//	COMMAND                    a /bin/sh command line; stdout, stderr and
//	                           the exit status are compared
func LoadCases(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, fmt.Errorf("compatdiff: cases: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("compatdiff: no *.txtar files in %s", dir)
	}
	var cases []*Case
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("compatdiff: cases: %w", err)
		}
		group := strings.TrimSuffix(filepath.Base(f), ".txtar")
		cs, err := parseGroup(group, data)
		if err != nil {
			return nil, fmt.Errorf("compatdiff: %s: %w", f, err)
		}
		for _, c := range cs {
			if seen[c.Name] {
				return nil, fmt.Errorf("compatdiff: %s: case %s defined twice", f, c.Name)
			}
			seen[c.Name] = true
		}
		cases = append(cases, cs...)
	}
	slices.SortFunc(cases, func(a, b *Case) int { return strings.Compare(a.Name, b.Name) })
	return cases, nil
}

// parseGroup parses one group file.
func parseGroup(group string, data []byte) ([]*Case, error) {
	ar := txtar.Parse(data)
	base := &Case{Rules: map[string]bool{}, Files: map[string][]byte{}}
	for i, line := range strings.Split(string(ar.Comment), "\n") {
		if err := parseDirective(base, strings.TrimSpace(line)); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	type section struct {
		name string
		body []byte
		line int
	}
	var scripts []section
	line := strings.Count(string(ar.Comment), "\n") + 1
	for _, f := range ar.Files {
		if m := caseMarker.FindStringSubmatch(f.Name); m != nil {
			scripts = append(scripts, section{m[1], f.Data, line + 1})
		} else if strings.HasPrefix(f.Name, "case") {
			return nil, fmt.Errorf("line %d: bad case name %q (letters, digits, . _ -)", line, f.Name)
		} else {
			if filepath.IsAbs(f.Name) || strings.Contains(f.Name, "..") {
				return nil, fmt.Errorf("line %d: setup file %q must be a relative path", line, f.Name)
			}
			base.Files[f.Name] = f.Data
		}
		line += 1 + strings.Count(string(f.Data), "\n")
	}
	if len(scripts) == 0 {
		return nil, fmt.Errorf("no case sections")
	}
	var cases []*Case
	for _, s := range scripts {
		c := &Case{
			Name:      group + "/" + s.name,
			Files:     base.Files,
			Exclusive: base.Exclusive,
			Rules:     maps.Clone(base.Rules),
		}
		for i, l := range strings.Split(string(s.body), "\n") {
			if err := parseLine(c, strings.TrimSpace(l), s.line+i); err != nil {
				return nil, fmt.Errorf("case %s, line %d: %w", s.name, s.line+i, err)
			}
		}
		if len(c.Steps) == 0 {
			return nil, fmt.Errorf("case %s has no steps", s.name)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// parseDirective applies a directive that may stand in a group's comment
// or in a case script; other non-blank lines must be "#" comments.
func parseDirective(c *Case, line string) error {
	switch {
	case line == "" || strings.HasPrefix(line, "#"):
		return nil
	case line == "exclusive":
		c.Exclusive = true
		return nil
	case strings.HasPrefix(line, "normalize "):
		name := strings.TrimSpace(strings.TrimPrefix(line, "normalize "))
		if !slices.Contains(optionalRules, name) {
			return fmt.Errorf("unknown normalisation %q (have %s)", name, strings.Join(optionalRules, ", "))
		}
		c.Rules[name] = true
		return nil
	}
	return fmt.Errorf("not a directive: %q", line)
}

// parseLine parses one script line into c.
func parseLine(c *Case, line string, n int) error {
	if line == "" || strings.HasPrefix(line, "#") || line == "exclusive" || strings.HasPrefix(line, "normalize ") {
		return parseDirective(c, line)
	}
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "env":
		k, v, ok := strings.Cut(rest, "=")
		if k == "" || strings.ContainsAny(k, " \t$") {
			return fmt.Errorf("usage: env KEY=VALUE or env KEY")
		}
		c.Steps = append(c.Steps, Step{Kind: StepEnv, Line: n, Key: k, Value: v, Unset: !ok})
	case "wait":
		f := strings.Fields(rest)
		if len(f) < 2 || len(f) > 3 {
			return fmt.Errorf("usage: wait $JN STATE[,STATE] [TIMEOUT]")
		}
		m := jobVar.FindStringSubmatch(f[0])
		if m == nil {
			return fmt.Errorf("wait: %q is not a job variable ($J1, $J2, ...)", f[0])
		}
		st := Step{Kind: StepWait, Line: n, Key: m[1], States: strings.Split(f[1], ","), Timeout: defaultWait}
		if len(f) == 3 {
			d, err := time.ParseDuration(f[2])
			if err != nil {
				return fmt.Errorf("wait: %w", err)
			}
			st.Timeout = d
		}
		c.Steps = append(c.Steps, st)
	case "sleep":
		d, err := time.ParseDuration(rest)
		if err != nil {
			if s, err2 := strconv.ParseFloat(rest, 64); err2 == nil {
				d = time.Duration(s * float64(time.Second))
			} else {
				return fmt.Errorf("sleep: %w", err)
			}
		}
		c.Steps = append(c.Steps, Step{Kind: StepSleep, Line: n, Pause: d})
	case "quiet":
		if rest == "" {
			return fmt.Errorf("quiet needs a command")
		}
		c.Steps = append(c.Steps, Step{Kind: StepQuiet, Line: n, Text: rest})
	default:
		c.Steps = append(c.Steps, Step{Kind: StepCmd, Line: n, Text: line})
	}
	return nil
}
