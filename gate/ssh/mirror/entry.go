package mirror

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Kind is the type of a mirrored entry.
type Kind string

// The kinds of entries that are mirrored; other file types (FIFOs,
// sockets, devices) are skipped.
const (
	KindFile    Kind = "f"
	KindDir     Kind = "d"
	KindSymlink Kind = "l"
)

// Entry is the state of one path: its kind, permission bits (07777), size
// and modification time of a file, target of a symlink.
type Entry struct {
	Path  string `json:"p"` // absolute, clean, as on the local machine
	Kind  Kind   `json:"k"`
	Mode  uint32 `json:"m,omitempty"`
	Size  int64  `json:"s,omitempty"`
	MTime int64  `json:"t,omitempty"` // Unix nanoseconds
	Link  string `json:"l,omitempty"`
}

// Snapshot is what the host holds, inside the plan and not ignored, right
// after a Push: one Entry per path, sorted by path. Pull compares the host
// and the local machine with it to tell who changed what. It is plain data:
// the caller persists it as JSON and hands it back to Pull, possibly after
// a restart of the daemon.
type Snapshot struct {
	Entries []Entry `json:"entries"`
}

// index returns the snapshot's entries by path.
func (s Snapshot) index() map[string]Entry {
	m := make(map[string]Entry, len(s.Entries))
	for _, e := range s.Entries {
		m[e.Path] = e
	}
	return m
}

// snapshotOf builds a sorted Snapshot from entries by path.
func snapshotOf(m map[string]Entry) Snapshot {
	s := Snapshot{Entries: make([]Entry, 0, len(m))}
	for _, e := range m {
		s.Entries = append(s.Entries, e)
	}
	slices.SortFunc(s.Entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return s
}

// Stats counts what one Push or Pull transferred: entries written on the
// other side (files, symlinks and directories) and the bytes of file
// content among them.
type Stats struct {
	Files int
	Bytes int64
}

// same reports whether a and b describe the same state: same kind and
// mode; for files the same size and time, for symlinks the same target, for
// directories the same time. Times match when equal, or when they fall in
// the same second and one has no sub-second part (a coarse file system).
func same(a, b Entry) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindSymlink:
		return a.Link == b.Link
	case KindFile:
		return a.Mode == b.Mode && a.Size == b.Size && sameTime(a.MTime, b.MTime)
	default:
		return a.Mode == b.Mode && sameTime(a.MTime, b.MTime)
	}
}

// sameTime compares two Unix-nanosecond times as same describes.
func sameTime(a, b int64) bool {
	if a == b {
		return true
	}
	const s = int64(time.Second)
	return floorDiv(a, s) == floorDiv(b, s) && (a%s == 0 || b%s == 0)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// entryOf describes a local file from its Lstat result; ok is false for
// file types that are not mirrored. The link target is filled in by the
// caller.
func entryOf(path string, fi fs.FileInfo) (e Entry, ok bool) {
	e = Entry{Path: path, Mode: permBits(fi.Mode()), MTime: fi.ModTime().UnixNano()}
	switch {
	case fi.Mode().IsRegular():
		e.Kind, e.Size = KindFile, fi.Size()
	case fi.IsDir():
		e.Kind = KindDir
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Kind, e.Mode, e.MTime = KindSymlink, 0, 0
	default:
		return Entry{}, false
	}
	return e, true
}

// permBits converts a FileMode to Unix permission bits (07777).
func permBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// fileMode converts Unix permission bits to a FileMode for chmod.
func fileMode(b uint32) fs.FileMode {
	m := fs.FileMode(b & 0o777)
	if b&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if b&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if b&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// isNotDir reports an ENOTDIR error: a path component is not a directory.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
