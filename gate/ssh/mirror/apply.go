package mirror

import (
	"archive/tar"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ConflictSuffix is appended to the name of a local entry that both sides
// changed; the host's version takes the name (see the package doc).
const ConflictSuffix = ".skyport-conflict"

// writer applies the host's entries locally. Every change goes through an
// os.Root opened on the planned directory (or, for a planned file, on its
// directory), which refuses '..' and symlinks leading out of it.
type writer struct {
	pl     *plan
	roots  map[string]*os.Root
	dirs   []Entry // directories whose mode and time are set at the end
	unsafe []error
	st     Stats
}

func newWriter(pl *plan) *writer { return &writer{pl: pl, roots: map[string]*os.Root{}} }

// close releases the roots.
func (w *writer) close() {
	for _, r := range w.roots {
		_ = r.Close()
	}
}

// lstat describes the local path (following planned files).
func (w *writer) lstat(path string) (*Entry, error) { return lstatEntry(path, w.pl.files[path]) }

// scopeDir returns the planned directory path is written through: the
// deepest planned directory holding it, or a planned file's directory.
func (w *writer) scopeDir(path string) string {
	best := ""
	for _, d := range w.pl.dirs {
		if (path == d || within(path, d)) && len(d) > len(best) {
			best = d
		}
	}
	if best == "" {
		best = filepath.Dir(path)
	}
	return best
}

// at returns the root to write path through and its name in that root.
func (w *writer) at(path string) (*os.Root, string, error) {
	d := w.scopeDir(path)
	r, ok := w.roots[d]
	if !ok {
		if err := os.MkdirAll(d, 0o755); err != nil { //nolint:gosec // the user's planned directory, made as mkdir(1) would
			return nil, "", fmt.Errorf("mirror: pull: %w", err)
		}
		var err error
		if r, err = os.OpenRoot(d); err != nil {
			return nil, "", fmt.Errorf("mirror: pull: %w", err)
		}
		w.roots[d] = r
	}
	if path == d {
		return r, ".", nil
	}
	return r, strings.TrimPrefix(path[len(d):], "/"), nil
}

// checkLink rejects a symlink whose target, read as a path, leaves the
// planned directory it is in.
func (w *writer) checkLink(e Entry) error {
	d := w.scopeDir(e.Path)
	t := e.Link
	if !filepath.IsAbs(t) {
		t = filepath.Join(filepath.Dir(e.Path), t)
	}
	t = filepath.Clean(t)
	if e.Link == "" || t != d && !within(t, d) {
		return fmt.Errorf("%w: symlink %s -> %s leaves %s", ErrUnsafe, e.Path, e.Link, d)
	}
	return nil
}

// apply makes a directory or symlink as the host has it.
func (w *writer) apply(h Entry, a action) error {
	r, name, err := w.at(h.Path)
	if err != nil {
		return err
	}
	if name == "." && (h.Kind != KindDir || a != meta) {
		w.unsafe = append(w.unsafe, fmt.Errorf("%w: the host replaced the planned directory %s", ErrUnsafe, h.Path))
		return nil
	}
	if a == conflict {
		if err := keepConflict(r, name); err != nil {
			return fmt.Errorf("mirror: pull %s: %w", h.Path, err)
		}
	}
	switch h.Kind {
	case KindDir:
		if a != meta {
			if fi, err := r.Lstat(name); err == nil && !fi.IsDir() {
				// Unchanged since the snapshot: the host's directory replaces it.
				if err := r.Remove(name); err != nil {
					return fmt.Errorf("mirror: pull %s: %w", h.Path, err)
				}
			}
			if err := r.MkdirAll(name, 0o700); err != nil {
				return fmt.Errorf("mirror: pull %s: %w", h.Path, err)
			}
			w.st.Files++
		}
		w.dirs = append(w.dirs, h)
	case KindSymlink:
		if err := placeSymlink(r, name, h.Link); err != nil {
			return fmt.Errorf("mirror: pull %s: %w", h.Path, err)
		}
		w.st.Files++
	}
	return nil
}

// placeSymlink makes name a symlink to target, atomically.
func placeSymlink(r *os.Root, name, target string) error {
	if err := r.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp := tempName(name)
	if err := r.Symlink(target, tmp); err != nil {
		return err
	}
	if err := r.Rename(tmp, name); err != nil {
		_ = r.Remove(tmp)
		return err
	}
	return nil
}

// writeFile writes one file from the host's tar stream.
func (w *writer) writeFile(p planned, hdr *tar.Header, body io.Reader) error {
	r, name, err := w.at(p.e.Path)
	if err != nil {
		return err
	}
	if name == "." {
		w.unsafe = append(w.unsafe, fmt.Errorf("%w: the host replaced the planned directory %s", ErrUnsafe, p.e.Path))
		return nil
	}
	if err := r.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("mirror: pull %s: %w", p.e.Path, err)
	}
	tmp := tempName(name)
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("mirror: pull %s: %w", p.e.Path, err)
	}
	mtime := hdr.ModTime
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Chmod(tmp, fileMode(uint32(hdr.Mode)&0o7777))
	}
	if err == nil {
		err = r.Chtimes(tmp, mtime, mtime)
	}
	if err == nil && p.a == conflict {
		err = keepConflict(r, name)
	}
	if err == nil {
		err = r.Rename(tmp, name)
	}
	if err != nil {
		_ = r.Remove(tmp)
		return fmt.Errorf("mirror: pull %s: %w", p.e.Path, err)
	}
	w.st.Files++
	w.st.Bytes += n
	return nil
}

// finishDirs sets the mode and time of the directories the host changed,
// deepest first, after everything inside them was written.
func (w *writer) finishDirs() error {
	slices.SortFunc(w.dirs, func(a, b Entry) int { return strings.Compare(b.Path, a.Path) })
	for _, d := range w.dirs {
		r, name, err := w.at(d.Path)
		if err != nil {
			return err
		}
		t := time.Unix(0, d.MTime)
		if err := r.Chmod(name, fileMode(d.Mode)); err != nil {
			return fmt.Errorf("mirror: pull %s: %w", d.Path, err)
		}
		if err := r.Chtimes(name, t, t); err != nil {
			return fmt.Errorf("mirror: pull %s: %w", d.Path, err)
		}
	}
	return nil
}

// keepConflict renames the local entry name (if still there) to a free
// name ending in ConflictSuffix (then -2, -3, ...).
func keepConflict(r *os.Root, name string) error {
	if _, err := r.Lstat(name); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	for i := 1; ; i++ {
		c := name + ConflictSuffix
		if i > 1 {
			c += fmt.Sprintf("-%d", i)
		}
		if _, err := r.Lstat(c); errors.Is(err, fs.ErrNotExist) {
			return r.Rename(name, c)
		} else if err != nil {
			return err
		}
	}
}

// tempName returns a fresh hidden name beside name.
func tempName(name string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(filepath.Dir(name), ".skyport-tmp-"+hex.EncodeToString(b[:]))
}
