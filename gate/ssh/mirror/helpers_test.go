package mirror

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// shRemote runs commands with /bin/sh on this machine: with Plan.Root set,
// "the host" is a directory here.
type shRemote struct {
	runs *int // counts Run calls when not nil
}

func (s shRemote) Run(ctx context.Context, cmd string, stdin io.Reader, stdout io.Writer) error {
	if s.runs != nil {
		*s.runs++
	}
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.Stdin, c.Stdout = stdin, stdout
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// fixture is a local project directory and a fake host root.
type fixture struct {
	t    *testing.T
	proj string // the local submit directory
	host string // Plan.Root
	plan Plan
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{t: t, proj: filepath.Join(base, "proj dir"), host: filepath.Join(base, "host")}
	for _, d := range []string{f.proj, f.host} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.plan = Plan{Dirs: []string{f.proj}, Root: f.host}
	return f
}

// local and remote return the local path and the host's path of rel.
func (f *fixture) local(rel string) string  { return filepath.Join(f.proj, rel) }
func (f *fixture) remote(rel string) string { return f.host + f.local(rel) }

// write creates a file with content and mode, and sets its mtime.
func write(t *testing.T, path, content string, mode fs.FileMode, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) push() (Snapshot, Stats) {
	f.t.Helper()
	s, st, err := Push(f.t.Context(), shRemote{}, f.plan)
	if err != nil {
		f.t.Fatalf("Push: %v", err)
	}
	return s, st
}

func (f *fixture) pull(s Snapshot) Stats {
	f.t.Helper()
	st, err := Pull(f.t.Context(), shRemote{}, f.plan, s)
	if err != nil {
		f.t.Fatalf("Pull: %v", err)
	}
	return st
}

// describe lists a tree as rel -> "kind mode mtime content|target", with
// directory times left out when dirTimes is false.
func describe(t *testing.T, root string, dirTimes bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "l " + l
		case fi.IsDir():
			out[rel] = fmt.Sprintf("d %o", permBits(fi.Mode()))
			if dirTimes {
				out[rel] += " " + fi.ModTime().UTC().Format(time.RFC3339Nano)
			}
		default:
			b, _ := os.ReadFile(p)
			out[rel] = fmt.Sprintf("f %o %s %q", permBits(fi.Mode()), fi.ModTime().UTC().Format(time.RFC3339Nano), b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails unless the trees under a and b are equal.
func sameTree(t *testing.T, a, b string, dirTimes bool) {
	t.Helper()
	da, db := describe(t, a, dirTimes), describe(t, b, dirTimes)
	for k, v := range da {
		if db[k] != v {
			t.Errorf("%s: local %s, host %s", k, v, db[k])
		}
	}
	for k, v := range db {
		if _, ok := da[k]; !ok {
			t.Errorf("%s: only on the host: %s", k, v)
		}
	}
}

// t0 is a fixed time with nanoseconds, for mtimes.
var t0 = time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.UTC)
