package mirror

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
)

// action is what Pull does with one entry the host changed.
type action int

const (
	skip     action = iota // keep the local entry
	take                   // write the host's entry over the local one
	conflict               // keep the local entry as <path>.skyport-conflict, then take
	meta                   // directories: apply the host's mode and time
)

// decide applies the conflict rule of the package doc to one path the host
// changed since the snapshot (snap is nil when the snapshot lacks it, local
// when the path is missing locally).
func decide(host Entry, snap, local *Entry) action {
	if local != nil && same(*local, host) {
		return skip
	}
	localUnchanged := snap == nil && local == nil || snap != nil && local != nil && same(*snap, *local)
	if host.Kind == KindDir {
		switch {
		case local == nil, local.Kind != KindDir && localUnchanged:
			return take
		case local.Kind != KindDir:
			return conflict
		case localUnchanged:
			return meta
		}
		return skip // both changed the directory itself: keep the local mode and time
	}
	switch {
	case local == nil, localUnchanged && local.Kind != KindDir:
		return take
	}
	return conflict
}

// Pull brings back what the host changed since Push returned since: every
// entry of the plan (not ignored) that is new on the host or differs from
// since is applied locally under the conflict rule of the package doc.
// Files travel in one tar stream; directories and symlinks are made from
// the listing. Every write goes through an os.Root of its planned
// directory, so nothing lands outside the plan; a file lands under a
// temporary name and is renamed into place with its mode and time set.
// Pull never deletes a local entry (a replaced one is kept as a conflict
// copy unless it was unchanged since the snapshot). Entries the host sends
// that would escape the plan are skipped and reported as ErrUnsafe after
// the rest is applied.
func Pull(ctx context.Context, r Remote, p Plan, since Snapshot) (Stats, error) {
	pl, err := newPlan(p)
	if err != nil {
		return Stats{}, err
	}
	snap := since.index()
	host, err := remoteManifest(ctx, r, pl, false, func(e Entry) (bool, error) {
		if s, ok := snap[e.Path]; ok && same(s, e) {
			return false, nil
		}
		return pl.includes(e.Path, e.Kind == KindDir)
	})
	if err != nil {
		return Stats{}, err
	}
	w := newWriter(pl)
	defer w.close()
	var files []planned
	var unsafe []error
	for _, path := range slices.Sorted(maps.Keys(host)) {
		h := host[path]
		var sp *Entry
		if s, ok := snap[path]; ok {
			sp = &s
		}
		local, err := w.lstat(path)
		if err != nil {
			return w.st, err
		}
		a := decide(h, sp, local)
		if a == skip {
			continue
		}
		if h.Kind == KindSymlink {
			if err := w.checkLink(h); err != nil {
				unsafe = append(unsafe, err)
				continue
			}
		}
		if h.Kind == KindFile {
			files = append(files, planned{h, a})
			continue
		}
		if err := w.apply(h, a); err != nil {
			return w.st, err
		}
	}
	if err := fetchFiles(ctx, r, pl, w, files); err != nil {
		return w.st, err
	}
	if err := w.finishDirs(); err != nil {
		return w.st, err
	}
	if err := errors.Join(append(unsafe, w.unsafe...)...); err != nil {
		return w.st, fmt.Errorf("mirror: pull: %w", err)
	}
	return w.st, nil
}

// planned is a host file to fetch and what to do with it.
type planned struct {
	e Entry
	a action
}

// lstatEntry describes the local path as scanLocal would (following it for
// planned files); nil when it does not exist.
func lstatEntry(path string, follow bool) (*Entry, error) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(path)
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mirror: pull: %w", err)
	}
	e, ok := entryOf(path, fi)
	if !ok {
		// A FIFO or socket: describe it as something that matches nothing.
		e = Entry{Path: path, Kind: Kind("other")}
	}
	if e.Kind == KindSymlink {
		if e.Link, err = os.Readlink(path); err != nil {
			return nil, fmt.Errorf("mirror: pull: %w", err)
		}
	}
	return &e, nil
}
