package mirror

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lyingRemote answers the listing or the tar request with canned bytes and
// passes everything else to the shell.
type lyingRemote struct {
	manifest, tarball []byte
}

func (l lyingRemote) Run(ctx context.Context, cmd string, stdin io.Reader, stdout io.Writer) error {
	switch {
	case l.manifest != nil && strings.Contains(cmd, "find -H"):
		_, err := stdout.Write(l.manifest)
		return err
	case l.tarball != nil && strings.Contains(cmd, "tar -c"):
		_, _ = io.Copy(io.Discard, stdin)
		_, err := stdout.Write(l.tarball)
		return err
	}
	return shRemote{}.Run(ctx, cmd, stdin, stdout)
}

func record(typ, mode, size, path, link string) string {
	return strings.Join([]string{typ, mode, size, "1700000000.5000000000", path, link}, "\x00") + "\x00"
}

// TestPullRejectsBadListing: paths with "..", or outside the root, fail
// the Pull before anything is written.
func TestPullRejectsBadListing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	snap, _ := f.push()
	for _, p := range []string{f.host + f.proj + "/../../../etc/passwd", "/etc/passwd", f.host + f.proj + "/a//b"} {
		r := lyingRemote{manifest: []byte(record("f", "644", "1", p, ""))}
		if _, err := Pull(t.Context(), r, f.plan, snap); !errors.Is(err, ErrUnsafe) {
			t.Errorf("listing %q: err = %v, want ErrUnsafe", p, err)
		}
	}
}

// TestPullRejectsEscapingLinks: symlinks made by the job that lead out of
// the directory are not created; the others are.
func TestPullRejectsEscapingLinks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	snap, _ := f.push()
	links := map[string]string{"abs": "/etc", "up": "../..", "sneaky": "sub/../../x", "ok": "sub/x", "ok-abs": f.local("sub")}
	for n, target := range links {
		if err := os.Symlink(target, f.remote(n)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Pull(t.Context(), shRemote{}, f.plan, snap)
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("err = %v, want ErrUnsafe", err)
	}
	for n := range links {
		_, lerr := os.Lstat(f.local(n))
		if want := strings.HasPrefix(n, "ok"); (lerr == nil) != want {
			t.Errorf("link %s created = %v, want %v", n, lerr == nil, want)
		}
	}
}

// TestPullRejectsUnaskedMembers: a tar member that was not asked for (a
// "../" path, another file, a symlink under a requested name) is not
// written.
func TestPullRejectsUnaskedMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	snap, _ := f.push()
	write(t, f.remote("asked"), "fine", 0o644, t0)
	name := strings.TrimPrefix(f.local("asked"), "/")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	add(&tar.Header{Typeflag: tar.TypeReg, Name: name + "/../../escape", Mode: 0o644}, "evil")
	add(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: "/etc/passwd"}, "")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.local("unasked"), "/"), Mode: 0o644}, "evil")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, ModTime: time.Unix(1700000000, 0)}, "fine")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Pull(t.Context(), lyingRemote{tarball: buf.Bytes()}, f.plan, snap)
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("err = %v, want ErrUnsafe", err)
	}
	if b, err := os.ReadFile(f.local("asked")); string(b) != "fine" {
		t.Errorf("asked = %q %v", b, err)
	}
	for _, p := range []string{filepath.Join(filepath.Dir(f.proj), "escape"), f.local("unasked")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}

// TestPullThroughLocalSymlink: when the user replaced a directory by a
// symlink to elsewhere while the job ran, the job's files do not land
// elsewhere.
func TestPullThroughLocalSymlink(t *testing.T) {
	t.Parallel()
	for _, keepDirTime := range []bool{false, true} {
		f := newFixture(t)
		write(t, f.local("sub/a"), "a", 0o644, t0)
		if err := os.Chtimes(f.local("sub"), t0, t0); err != nil {
			t.Fatal(err)
		}
		snap, _ := f.push()
		elsewhere := t.TempDir()
		rm(t, f.local("sub"))
		if err := os.Symlink(elsewhere, f.local("sub")); err != nil {
			t.Fatal(err)
		}
		write(t, f.remote("sub/f"), "job", 0o644, t0)
		if keepDirTime { // the job kept the directory's time: sub is not seen as changed
			if err := os.Chtimes(f.remote("sub"), t0, t0); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Pull(t.Context(), shRemote{}, f.plan, snap)
		if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
			t.Errorf("keepDirTime=%v: the pull wrote through the symlink: %v", keepDirTime, ents)
		}
		if keepDirTime {
			if err == nil {
				t.Error("writing under a local symlink to elsewhere did not fail")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(f.local("sub/f")); string(b) != "job" {
			t.Errorf("sub/f = %q", b)
		}
		if l, _ := os.Readlink(f.local("sub" + ConflictSuffix)); l != elsewhere {
			t.Errorf("the user's symlink was not kept: %q", l)
		}
	}
}
