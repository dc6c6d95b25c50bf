package main

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// allowlist holds the reviewed differences: each entry names the cases
// it covers (and optionally the step and the lines) and says why the two
// sides must differ there.
type allowlist struct {
	Entries []*allowEntry `toml:"allow"`
}

// allowEntry is one reviewed difference.
type allowEntry struct {
	Case  string `toml:"case"`  // a case name, or a path.Match pattern ("sinfo/*")
	Cmd   string `toml:"cmd"`   // optional: only steps whose command line contains this ("files": the files)
	Match string `toml:"match"` // optional: only differing lines that match this regular expression
	Why   string `toml:"why"`   // required: why the sides must differ

	re   *regexp.Regexp
	used bool
}

// loadAllowlist reads an allowlist file and checks every entry against
// the known case names: an entry must say why, and must match a case.
func loadAllowlist(file string, cases []*Case) (*allowlist, error) {
	var al allowlist
	md, err := toml.DecodeFile(file, &al)
	if err != nil {
		return nil, fmt.Errorf("compatdiff: allowlist: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("compatdiff: allowlist %s: unknown key %s", file, und[0])
	}
	return &al, al.check(file, cases)
}

// check validates the entries and compiles their patterns.
func (al *allowlist) check(file string, cases []*Case) error {
	for i, e := range al.Entries {
		where := fmt.Sprintf("compatdiff: allowlist %s, entry %d (case %q)", file, i+1, e.Case)
		if strings.TrimSpace(e.Why) == "" {
			return fmt.Errorf("%s: no why", where)
		}
		if _, err := path.Match(e.Case, ""); err != nil || e.Case == "" {
			return fmt.Errorf("%s: bad case pattern", where)
		}
		if !slices.ContainsFunc(cases, func(c *Case) bool { return e.matchesCase(c.Name) }) {
			return fmt.Errorf("%s: matches no case", where)
		}
		if e.Match != "" {
			re, err := regexp.Compile(e.Match)
			if err != nil {
				return fmt.Errorf("%s: match: %w", where, err)
			}
			e.re = re
		}
	}
	return nil
}

func (e *allowEntry) matchesCase(name string) bool {
	ok, _ := path.Match(e.Case, name)
	return ok
}

// coversLine reports whether e covers one differing line of case name.
func (e *allowEntry) coversLine(name string, l docLine) bool {
	if !e.matchesCase(name) {
		return false
	}
	if e.Cmd != "" && !strings.Contains(l.Section, e.Cmd) {
		return false
	}
	return e.re == nil || e.re.MatchString(l.Text)
}

// covers reports whether every changed line of edits is covered by an
// entry for case name, and returns the reasons of the entries used.
func (al *allowlist) covers(name string, edits []edit) ([]string, bool) {
	if al == nil {
		return nil, false
	}
	var why []string
	var used []*allowEntry
	for _, ed := range edits {
		if ed.Kind == opEqual {
			continue
		}
		i := slices.IndexFunc(al.Entries, func(e *allowEntry) bool { return e.coversLine(name, ed.Line) })
		if i < 0 {
			return nil, false
		}
		e := al.Entries[i]
		if !slices.Contains(used, e) {
			used = append(used, e)
			why = append(why, e.Why)
		}
	}
	for _, e := range used {
		e.used = true
	}
	return why, true
}

// unused returns the entries that covered nothing in this run.
func (al *allowlist) unused() []*allowEntry {
	if al == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(al.Entries), func(e *allowEntry) bool { return e.used })
}
