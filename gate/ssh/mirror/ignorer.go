package mirror

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ruleFile is the rules of one ignore file and where it lives.
type ruleFile struct {
	base  int // number of path segments of its directory below the root
	rules []rule
}

// ignorer applies the ignore files of one mirrored directory tree. A path is
// ignored when the last rule matching it wins with a non-negated pattern,
// where the rules of a deeper directory's file come after those of its
// parents; a path inside an ignored directory is ignored whatever its own
// rules say (as in git). It is not safe for concurrent use.
type ignorer struct {
	// load returns the text of the ignore file in the directory rel
	// (slash-separated, "" for the root); a missing file is not an error.
	load   func(rel string) (string, error)
	chains map[string][]ruleFile // directory rel -> the files that apply inside it
	dirs   map[string]bool       // directory rel -> ignored (itself or an ancestor)
}

// newIgnorer returns an ignorer reading the ignore files of the local
// directory root.
func newIgnorer(root string) *ignorer {
	return newIgnorerFunc(func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel), IgnoreFile))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || isNotDir(err) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("mirror: read ignore file: %w", err)
		}
		return string(b), nil
	})
}

// newIgnorerFunc returns an ignorer whose ignore files come from load.
func newIgnorerFunc(load func(rel string) (string, error)) *ignorer {
	return &ignorer{load: load, chains: map[string][]ruleFile{}, dirs: map[string]bool{"": false}}
}

// chain returns the rule files that apply to the entries of directory rel.
func (ig *ignorer) chain(rel string) ([]ruleFile, error) {
	if c, ok := ig.chains[rel]; ok {
		return c, nil
	}
	var parent []ruleFile
	depth := 0
	if rel != "" {
		var err error
		if parent, err = ig.chain(parentOf(rel)); err != nil {
			return nil, err
		}
		depth = strings.Count(rel, "/") + 1
	}
	text, err := ig.load(rel)
	if err != nil {
		return nil, err
	}
	c := parent
	if rules := parseRules(text); len(rules) > 0 {
		c = append(append([]ruleFile(nil), parent...), ruleFile{base: depth, rules: rules})
	}
	ig.chains[rel] = c
	return c, nil
}

// matchHere reports whether rel (a path below the root, never "") is
// ignored by the rules, without looking at its ancestors.
func (ig *ignorer) matchHere(rel string, isDir bool) (bool, error) {
	c, err := ig.chain(parentOf(rel))
	if err != nil {
		return false, err
	}
	segs := strings.Split(rel, "/")
	ignored := false
	for _, f := range c {
		for _, r := range f.rules {
			if r.match(segs[f.base:], isDir) {
				ignored = !r.negate
			}
		}
	}
	return ignored, nil
}

// Ignored reports whether rel (slash-separated, relative to the root) is
// ignored, by its own rules or because a directory above it is.
func (ig *ignorer) Ignored(rel string, isDir bool) (bool, error) {
	if rel == "" {
		return false, nil
	}
	if ign, err := ig.dirIgnored(parentOf(rel)); err != nil || ign {
		return ign, err
	}
	return ig.matchHere(rel, isDir)
}

// dirIgnored reports whether the directory rel or one above it is ignored.
func (ig *ignorer) dirIgnored(rel string) (bool, error) {
	if v, ok := ig.dirs[rel]; ok {
		return v, nil
	}
	v, err := ig.dirIgnored(parentOf(rel))
	if err == nil && !v {
		v, err = ig.matchHere(rel, true)
	}
	if err != nil {
		return false, err
	}
	ig.dirs[rel] = v
	return v, nil
}

// parentOf returns the slash-separated parent of rel ("" at the top).
func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}
