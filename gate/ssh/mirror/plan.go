package mirror

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// plan is a validated Plan: clean absolute paths, sorted, without
// duplicates, with an ignorer per mirrored directory.
type plan struct {
	dirs     []string // Plan.Dirs
	ignorers []*ignorer
	files    map[string]bool // Plan.Files
	mkdirs   []string        // Plan.MkDirs
	root     string          // remote prefix without a trailing '/', "" for "/"
	maxBytes int64
}

// newPlan validates p: every path must be absolute; they are cleaned.
func newPlan(p Plan) (*plan, error) {
	pl := &plan{files: map[string]bool{}, maxBytes: p.MaxBytes}
	var err error
	if pl.dirs, err = cleanAll("directory", p.Dirs); err != nil {
		return nil, err
	}
	files, err := cleanAll("file", p.Files)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f == "/" {
			return nil, fmt.Errorf("mirror: plan: file %q is the root directory", f)
		}
		pl.files[f] = true
	}
	if pl.mkdirs, err = cleanAll("directory to make", p.MkDirs); err != nil {
		return nil, err
	}
	if p.Root != "" {
		if !filepath.IsAbs(p.Root) {
			return nil, fmt.Errorf("mirror: plan: remote root %q is not absolute", p.Root)
		}
		pl.root = strings.TrimSuffix(filepath.Clean(p.Root), "/")
	}
	for _, d := range pl.dirs {
		pl.ignorers = append(pl.ignorers, newIgnorer(d))
	}
	return pl, nil
}

// fresh returns a copy of pl with ignorers of its own, for use in another
// goroutine.
func (pl *plan) fresh() *plan {
	c := *pl
	c.ignorers = make([]*ignorer, len(pl.dirs))
	for i, d := range pl.dirs {
		c.ignorers[i] = newIgnorer(d)
	}
	return &c
}

// cleanAll cleans, sorts and deduplicates absolute paths.
func cleanAll(what string, paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("mirror: plan: %s %q is not absolute", what, p)
		}
		out = append(out, filepath.Clean(p))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// remote returns where the host keeps the local path p.
func (pl *plan) remote(p string) string { return pl.root + p }

// tarDir is the directory the host's tar runs in; member names are local
// paths without their leading '/'.
func (pl *plan) tarDir() string {
	if pl.root == "" {
		return "/"
	}
	return pl.root
}

// walkRoots returns the directories to scan recursively: Plan.Dirs without
// those inside another one.
func (pl *plan) walkRoots() []string {
	var out []string
	for _, d := range pl.dirs {
		if len(out) > 0 && within(d, out[len(out)-1]) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// parents returns the directories that must exist on the host before
// anything is written: MkDirs and the parents of Dirs and Files.
func (pl *plan) parents() []string {
	var out []string
	out = append(out, pl.mkdirs...)
	for _, d := range pl.dirs {
		out = append(out, filepath.Dir(d))
	}
	for f := range pl.files {
		out = append(out, filepath.Dir(f))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// includes reports whether the clean absolute path p is mirrored: it is a
// planned file (and not a directory), or it is inside a planned directory
// whose ignore files do not exclude it (a path is mirrored when any
// directory containing it mirrors it).
func (pl *plan) includes(p string, isDir bool) (bool, error) {
	if pl.files[p] && !isDir {
		return true, nil
	}
	for i, d := range pl.dirs {
		if p == d {
			return true, nil
		}
		if !within(p, d) {
			continue
		}
		ign, err := pl.ignorers[i].Ignored(filepath.ToSlash(strings.TrimPrefix(p[len(d):], "/")), isDir)
		if err != nil {
			return false, err
		}
		if !ign {
			return true, nil
		}
	}
	return false, nil
}

// within reports whether p is strictly inside the directory d (both clean
// and absolute).
func within(p, d string) bool {
	if d == "/" {
		return p != "/"
	}
	return len(p) > len(d) && p[len(d)] == '/' && p[:len(d)] == d
}

// shellQuote quotes s for a POSIX shell: any byte but NUL survives.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellList quotes each path and joins them with spaces.
func shellList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = shellQuote(p)
	}
	return strings.Join(q, " ")
}
