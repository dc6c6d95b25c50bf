package mirror

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Push makes the host's copy of the plan match the local machine and
// returns what the host holds afterwards. It lists the local tree and the
// host's copy (one find), then sends in one tar stream only the entries
// that are new or differ in kind, mode, size, time or link target. It never
// deletes on the host what is missing locally (see the package doc); an
// entry whose kind changed is replaced. Nothing is sent when the content
// to send exceeds Plan.MaxBytes (ErrTooLarge). A failed Push may leave part
// of the tree updated; pushing again is safe.
func Push(ctx context.Context, r Remote, p Plan) (Snapshot, Stats, error) {
	pl, err := newPlan(p)
	if err != nil {
		return Snapshot{}, Stats{}, err
	}
	// The local scan runs while the host lists its copy; each side reads
	// the ignore files through its own ignorers.
	scanCtx, cancelScan := context.WithCancel(ctx)
	defer cancelScan()
	var local map[string]Entry
	var scanErr error
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		local, scanErr = scanLocal(scanCtx, pl.fresh())
	}()
	host, err := remoteManifest(ctx, r, pl, true, func(e Entry) (bool, error) {
		return pl.includes(e.Path, e.Kind == KindDir)
	})
	if err != nil {
		cancelScan()
	}
	<-scanned
	if err != nil {
		return Snapshot{}, Stats{}, err
	}
	if scanErr != nil {
		return Snapshot{}, Stats{}, scanErr
	}
	send, remove, size := diff(local, host)
	if pl.maxBytes > 0 && size > pl.maxBytes {
		return Snapshot{}, Stats{}, tooLarge(pl, size, send)
	}
	if err := removeOnHost(ctx, r, pl, remove); err != nil {
		return Snapshot{}, Stats{}, err
	}
	for _, p := range remove {
		delete(host, p)
	}
	sent, st, err := sendTar(ctx, r, pl, send)
	if err != nil {
		return Snapshot{}, st, err
	}
	for _, e := range sent {
		host[e.Path] = e
	}
	return snapshotOf(host), st, nil
}

// diff returns, sorted by path, the local entries the host lacks or holds
// differently, the host paths to remove first because their kind changed,
// and the bytes of file content to send. The directory holding a sent or
// removed entry is sent too (a header only) so that the host ends with its
// local time: writing into a directory changes its time.
func diff(local, host map[string]Entry) (send []Entry, remove []string, size int64) {
	parents := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(local)) {
		l := local[p]
		h, ok := host[p]
		if ok && same(l, h) {
			continue
		}
		if ok && h.Kind != l.Kind {
			remove = append(remove, p)
		}
		send = append(send, l)
		parents[filepath.Dir(p)] = true
	}
	for _, p := range remove {
		parents[filepath.Dir(p)] = true
	}
	have := make(map[string]bool, len(send))
	for _, e := range send {
		have[e.Path] = true
	}
	for d := range parents {
		if e, ok := local[d]; ok && e.Kind == KindDir && !have[d] {
			send = append(send, e)
		}
	}
	slices.SortFunc(send, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	for _, e := range send {
		size += e.Size
	}
	return send, remove, size
}

// tooLarge explains an ErrTooLarge: the size, the cap, the biggest
// top-level directories to send and how to leave things out.
func tooLarge(pl *plan, size int64, send []Entry) error {
	where := pl.dirs
	if len(where) == 0 {
		where = []string{"the submit directory"}
	}
	return fmt.Errorf("%w: this job needs %s (%d file(s)) copied to the host, over the cap of %s; "+
		"list what the job does not need in a %s file in %s (gitignore syntax)%s",
		ErrTooLarge, humanBytes(size), countFiles(send), humanBytes(pl.maxBytes),
		IgnoreFile, strings.Join(where, ", "), biggest(pl, send))
}

// countFiles counts the regular files among es.
func countFiles(es []Entry) int {
	n := 0
	for _, e := range es {
		if e.Kind == KindFile {
			n++
		}
	}
	return n
}

// biggest names the three first-level subdirectories of the planned
// directories that hold the most bytes to send.
func biggest(pl *plan, send []Entry) string {
	by := map[string]int64{}
	for _, e := range send {
		for _, d := range pl.walkRoots() {
			if within(e.Path, d) {
				top, _, _ := strings.Cut(strings.TrimPrefix(e.Path[len(d):], "/"), "/")
				by[filepath.Join(d, top)] += e.Size
			}
		}
	}
	keys := slices.Collect(maps.Keys(by))
	slices.SortFunc(keys, func(a, b string) int {
		if by[a] != by[b] {
			return int(min(max(by[b]-by[a], -1), 1))
		}
		return strings.Compare(a, b)
	})
	if len(keys) > 3 {
		keys = keys[:3]
	}
	var parts []string
	for _, k := range keys {
		if by[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", k, humanBytes(by[k])))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; largest: " + strings.Join(parts, ", ")
}

// humanBytes prints n in binary units the way humans read them.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// maxArgBytes bounds one remote command line of paths to remove.
const maxArgBytes = 64 << 10

// removeOnHost removes paths (recursively) on the host, in batches.
func removeOnHost(ctx context.Context, r Remote, pl *plan, paths []string) error {
	for len(paths) > 0 {
		n, size := 0, 0
		for n < len(paths) && (n == 0 || size+len(paths[n]) < maxArgBytes) {
			size += len(paths[n]) + 4
			n++
		}
		batch := make([]string, n)
		for i, p := range paths[:n] {
			batch[i] = pl.remote(p)
		}
		if err := r.Run(ctx, "rm -rf -- "+shellList(batch), nil, nil); err != nil {
			return fmt.Errorf("mirror: remove replaced entries on the host: %w", err)
		}
		paths = paths[n:]
	}
	return nil
}
