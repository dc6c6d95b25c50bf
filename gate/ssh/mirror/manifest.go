package mirror

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// findFormat makes GNU find print, for each path, six NUL-terminated
// fields: type, octal mode, size, mtime as seconds.fraction, path, link
// target. NUL cannot occur in a path, so any name survives.
const findFormat = `%y\0%m\0%s\0%T@\0%p\0%l\0`

// manifestCommand returns the shell command that lists on stdout what the
// host holds of the plan: the planned directories recursively, the planned
// files alone (both followed when they are symlinks, as scanLocal does).
// With mkdir it first creates the directories the plan needs (parents).
func manifestCommand(pl *plan, mkdir bool) string {
	var b strings.Builder
	if mkdir {
		var ds []string
		for _, d := range pl.parents() {
			ds = append(ds, pl.remote(d))
		}
		fmt.Fprintf(&b, "mkdir -p -- %s || exit\n", shellList(ds))
	}
	var dirs, files []string
	for _, d := range pl.walkRoots() {
		dirs = append(dirs, pl.remote(d))
	}
	for f := range pl.files {
		files = append(files, pl.remote(f))
	}
	// -ignore_readdir_race: entries created and removed by a job running in
	// the same directory do not fail the listing.
	loop := func(paths []string, depth string) {
		if len(paths) == 0 {
			return
		}
		fmt.Fprintf(&b, "for p in %s; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then "+
			"find -H \"$p\" -ignore_readdir_race %s-printf '%s' || exit; fi; done\n",
			shellList(paths), depth, findFormat)
	}
	loop(dirs, "")
	loop(files, "-maxdepth 0 ")
	return b.String()
}

// remoteManifest runs the manifest command on the host and returns the
// entries that keep accepts, by local path. The listing is parsed while it
// streams in.
func remoteManifest(ctx context.Context, r Remote, pl *plan, mkdir bool,
	keep func(e Entry) (bool, error)) (map[string]Entry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := r.Run(ctx, manifestCommand(pl, mkdir), nil, pw)
		_ = pw.CloseWithError(err)
		done <- err
	}()
	out, perr := parseManifest(pr, pl.root, keep)
	if perr != nil {
		cancel()
		_ = pr.CloseWithError(perr)
	}
	rerr := <-done
	if rerr != nil && perr == nil {
		return nil, fmt.Errorf("mirror: list the host's copy: %w", rerr)
	}
	if perr != nil {
		return nil, fmt.Errorf("mirror: list the host's copy: %w", perr)
	}
	return out, nil
}

// parseManifest reads findFormat records, strips root from each path and
// keeps the entries keep accepts. A path that is not clean, absolute and
// below root is an ErrUnsafe error: the host is not trusted.
func parseManifest(rd io.Reader, root string, keep func(Entry) (bool, error)) (map[string]Entry, error) {
	br := bufio.NewReaderSize(rd, 64<<10)
	out := map[string]Entry{}
	var f [6]string
	for {
		for i := range f {
			s, err := br.ReadString(0)
			if err == io.EOF && i == 0 && s == "" {
				return out, nil
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
			f[i] = s[:len(s)-1]
		}
		e, ok, err := parseRecord(f, root)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if ok, err = keep(e); err != nil {
			return nil, err
		} else if ok {
			out[e.Path] = e
		}
	}
}

// parseRecord turns one record into an Entry; ok is false for file types
// that are not mirrored.
func parseRecord(f [6]string, root string) (e Entry, ok bool, err error) {
	p := f[4]
	if root != "" {
		if !strings.HasPrefix(p, root+"/") {
			return Entry{}, false, fmt.Errorf("%w: host listed %q outside %q", ErrUnsafe, p, root)
		}
		p = p[len(root):]
	}
	if !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return Entry{}, false, fmt.Errorf("%w: host listed the path %q", ErrUnsafe, p)
	}
	e.Path = p
	switch f[0] {
	case "f":
		e.Kind = KindFile
	case "d":
		e.Kind = KindDir
	case "l":
		e.Kind = KindSymlink
		e.Link = f[5]
		return e, true, nil
	default:
		return Entry{}, false, nil
	}
	mode, err := strconv.ParseUint(f[1], 8, 32)
	if err != nil {
		return Entry{}, false, fmt.Errorf("mirror: manifest of %q: mode %q: %w", p, f[1], err)
	}
	e.Mode = uint32(mode) & 0o7777
	if e.MTime, err = parseFindTime(f[3]); err != nil {
		return Entry{}, false, fmt.Errorf("mirror: manifest of %q: %w", p, err)
	}
	if e.Kind == KindFile {
		if e.Size, err = strconv.ParseInt(f[2], 10, 64); err != nil {
			return Entry{}, false, fmt.Errorf("mirror: manifest of %q: size %q: %w", p, f[2], err)
		}
	}
	return e, true, nil
}

// parseFindTime parses find's %T@ ("1700000000.1234567890", maybe with a
// '-') into Unix nanoseconds.
func parseFindTime(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	sec, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("time %q: %w", s, err)
	}
	frac = (frac + "000000000")[:9]
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("time %q: %w", s, err)
	}
	t := n*1e9 + ns
	if neg {
		t = -t
	}
	return t, nil
}
