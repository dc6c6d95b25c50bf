package mirror

import (
	"strings"
)

// IgnoreFile is the name of the per-directory files that hold ignore rules.
const IgnoreFile = ".skyportignore"

// rule is one line of an ignore file, compiled.
type rule struct {
	segs     []string // pattern split at '/'; a segment "**" is a globstar
	negate   bool     // "!pattern": re-include
	dirOnly  bool     // "pattern/": matches directories only
	anchored bool     // a '/' at the start or in the middle: relative to the file's directory
}

// parseRules compiles the text of an ignore file, in gitignore syntax:
// blank lines and lines starting with '#' are skipped; trailing spaces are
// dropped unless escaped with '\'; '!' negates; a trailing '/' matches
// directories only; a '/' at the start or in the middle anchors the pattern
// to the directory of the file, else it matches a name at any depth below
// it; '*', '?', '[...]' (with '!' or '^' negation, ranges and [:class:])
// match within one path segment, and a "**" segment matches any number of
// segments (at the end: at least one). '\' escapes the next character.
func parseRules(text string) []rule {
	var rules []rule
	for line := range strings.SplitSeq(text, "\n") {
		if r, ok := parseLine(line); ok {
			rules = append(rules, r)
		}
	}
	return rules
}

// parseLine compiles one line; ok is false for blank lines and comments.
func parseLine(line string) (r rule, ok bool) {
	line = strings.TrimSuffix(line, "\r")
	line = trimTrailingSpaces(line)
	if line == "" || line[0] == '#' {
		return rule{}, false
	}
	if line[0] == '!' {
		r.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") && !escapedAt(line, len(line)-1) {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	if strings.Contains(line, "/") {
		r.anchored = true
	}
	for seg := range strings.SplitSeq(line, "/") {
		if seg != "" {
			r.segs = append(r.segs, seg)
		}
	}
	if len(r.segs) == 0 {
		return rule{}, false
	}
	return r, true
}

// trimTrailingSpaces drops trailing spaces that are not escaped by '\'.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !escapedAt(s, len(s)-1) {
		s = s[:len(s)-1]
	}
	return s
}

// escapedAt reports whether the byte at i is preceded by an odd number of
// backslashes.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// match reports whether r matches the path rel (segments relative to the
// directory of the rule's file; never empty).
func (r rule) match(rel []string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if !r.anchored {
		return matchSegment(r.segs[0], rel[len(rel)-1])
	}
	return matchSegments(r.segs, rel)
}

// matchSegments matches pattern segments against path segments, where a
// "**" segment stands for zero or more path segments, or for one or more
// when it is the last pattern segment. It runs in O(len(p)·len(s)²) time.
func matchSegments(p, s []string) bool {
	// ok[j] is true when p[i:] matches s[j:], computed for i from the end.
	ok := make([]bool, len(s)+1)
	ok[len(s)] = true // the empty pattern matches the empty path
	next := make([]bool, len(s)+1)
	for i := len(p) - 1; i >= 0; i-- {
		for j := range next {
			next[j] = false
		}
		switch {
		case p[i] == "**" && i == len(p)-1:
			for j := 0; j < len(s); j++ {
				next[j] = true
			}
		case p[i] == "**":
			seen := false
			for j := len(s); j >= 0; j-- {
				seen = seen || ok[j]
				next[j] = seen
			}
		default:
			for j := 0; j < len(s); j++ {
				next[j] = ok[j+1] && matchSegment(p[i], s[j])
			}
		}
		ok, next = next, ok
	}
	return ok[0]
}
