package mirror

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// scanLocal lists, by path, the local entries the plan mirrors. The planned
// directories and files themselves are followed when they are symlinks (the
// host must hold a real directory or file at that path); everything below a
// directory is listed as it is, symlinks as links. Missing planned paths are
// skipped: a job's output file does not exist before the job.
func scanLocal(ctx context.Context, pl *plan) (map[string]Entry, error) {
	out := map[string]Entry{}
	for i, d := range pl.dirs {
		if err := scanDir(ctx, d, pl.ignorers[i], out); err != nil {
			return nil, err
		}
	}
	for f := range pl.files {
		fi, err := os.Stat(f)
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mirror: scan %s: %w", f, err)
		}
		if e, ok := entryOf(f, fi); ok && e.Kind == KindFile {
			out[f] = e
		}
	}
	return out, nil
}

// scanDir adds the directory root and what it holds, minus ignored paths.
func scanDir(ctx context.Context, root string, ig *ignorer, out map[string]Entry) error {
	fi, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mirror: scan %s: %w", root, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("mirror: scan %s: not a directory", root)
	}
	e, _ := entryOf(root, fi)
	out[root] = e
	return scanChildren(ctx, root, "", ig, out)
}

// scanChildren adds the entries below dir (rel below the walk's root).
func scanChildren(ctx context.Context, dir, rel string, ig *ignorer, out map[string]Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("mirror: scan %s: %w", dir, err)
	}
	for _, de := range ents {
		p := filepath.Join(dir, de.Name())
		r := de.Name()
		if rel != "" {
			r = rel + "/" + de.Name()
		}
		fi, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed while we looked
		}
		if err != nil {
			return fmt.Errorf("mirror: scan %s: %w", p, err)
		}
		e, ok := entryOf(p, fi)
		if !ok {
			continue
		}
		ign, err := ig.Ignored(r, e.Kind == KindDir)
		if err != nil {
			return err
		}
		if ign {
			continue
		}
		if e.Kind == KindSymlink {
			if e.Link, err = os.Readlink(p); err != nil {
				return fmt.Errorf("mirror: scan %s: %w", p, err)
			}
		}
		out[p] = e
		if e.Kind == KindDir {
			if err := scanChildren(ctx, p, r, ig, out); err != nil {
				return err
			}
		}
	}
	return nil
}
