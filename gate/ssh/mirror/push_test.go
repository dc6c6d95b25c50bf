package mirror

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPushMirrorsTree: contents, modes (setuid too), nanosecond mtimes,
// empty directories, symlinks as links, weird names.
func TestPushMirrorsTree(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local("a.txt"), "hello", 0o644, t0)
	write(t, f.local("bin/run.sh"), "#!/bin/sh\necho hi\n", 0o755, t0.Add(time.Second))
	write(t, f.local("bin/suid"), "x", 0o4750, t0)
	write(t, f.local("ro"), "read only", 0o444, t0)
	weird := []string{"with space", "quote'd", `dq"`, "new\nline", "-dash", "$(touch pwned)", "é ü", "back\\slash", "*", "tab\tx"}
	for _, n := range weird {
		write(t, f.local("w/"+n), n, 0o600, t0)
	}
	write(t, f.local(strings.Repeat("long/", 40)+"f"), "deep", 0o644, t0)
	if err := os.MkdirAll(f.local("empty/dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"ln-rel": "a.txt", "ln-abs": "/etc/passwd", "ln-dangling": "nope/x", "bin/ln-dir": ".."} {
		if err := os.Symlink(target, f.local(link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(f.local("empty/dir"), t0, t0); err != nil {
		t.Fatal(err)
	}
	snap, st := f.push()
	sameTree(t, f.proj, f.remote(""), true)
	if _, err := os.Stat(filepath.Join(filepath.Dir(f.proj), "pwned")); err == nil {
		t.Error("a file name was run by the shell")
	}
	if st.Files == 0 || st.Bytes < int64(len("hello")) {
		t.Errorf("stats %+v", st)
	}
	if len(snap.Entries) != len(describe(t, f.proj, false)) {
		t.Errorf("snapshot has %d entries, the tree %d", len(snap.Entries), len(describe(t, f.proj, false)))
	}

	// Nothing changed: one Run (the listing) and nothing sent.
	runs := 0
	_, st, err := Push(t.Context(), shRemote{runs: &runs}, f.plan)
	if err != nil || st != (Stats{}) || runs != 1 {
		t.Fatalf("re-push: stats %+v runs %d err %v", st, runs, err)
	}
}

// TestPushSendsOnlyChanges: a modified file, a new file, a mode change and
// a kind change travel; the rest does not.
func TestPushSendsOnlyChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local("keep"), "same", 0o644, t0)
	write(t, f.local("edit"), "v1", 0o644, t0)
	write(t, f.local("chmod"), "x", 0o644, t0)
	write(t, f.local("becomes-dir"), "file", 0o644, t0)
	if err := os.Symlink("keep", f.local("relink")); err != nil {
		t.Fatal(err)
	}
	f.push()

	write(t, f.local("edit"), "v2", 0o644, t0.Add(time.Second))
	write(t, f.local("new/file"), "new", 0o640, t0)
	if err := os.Chmod(f.local("chmod"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(f.local("becomes-dir")); err != nil {
		t.Fatal(err)
	}
	write(t, f.local("becomes-dir/inner"), "in", 0o644, t0)
	if err := os.Remove(f.local("relink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("edit", f.local("relink")); err != nil {
		t.Fatal(err)
	}
	_, st := f.push()
	sameTree(t, f.proj, f.remote(""), true)
	want := int64(len("v2") + len("new") + len("x") + len("in"))
	if st.Bytes != want {
		t.Errorf("sent %d bytes, want %d (only the changes)", st.Bytes, want)
	}
}

// TestPushHostOlderCopy: the host holds an older copy from an earlier job
// plus files the local side deleted: changes are sent, and nothing is
// deleted on the host.
func TestPushHostOlderCopy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.remote("old"), "stale on host", 0o644, t0)
	write(t, f.remote("data"), "old version", 0o644, t0)
	write(t, f.local("data"), "new version", 0o644, t0.Add(time.Hour))
	snap, _ := f.push()
	if b, _ := os.ReadFile(f.remote("data")); string(b) != "new version" {
		t.Errorf("host data = %q", b)
	}
	if _, err := os.Stat(f.remote("old")); err != nil {
		t.Errorf("the host's extra file was deleted: %v", err)
	}
	found := false
	for _, e := range snap.Entries {
		found = found || e.Path == f.local("old")
	}
	if !found {
		t.Error("the snapshot leaves out the host's extra file")
	}
}

// TestPushFilesAndMkDirs: a single file outside the directory, a missing
// planned file, directories to create.
func TestPushFilesAndMkDirs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	script := filepath.Join(filepath.Dir(f.proj), "scripts", "job.sh")
	write(t, script, "#!/bin/sh\n", 0o700, t0)
	logs := filepath.Join(filepath.Dir(f.proj), "logs", "deep")
	f.plan.Files = []string{script, filepath.Join(logs, "slurm-1.out")}
	f.plan.MkDirs = []string{logs}
	f.push()
	fi, err := os.Stat(f.host + script)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("script on host: %v %v", fi, err)
	}
	if fi, err := os.Stat(f.host + logs); err != nil || !fi.IsDir() {
		t.Fatalf("log dir on host: %v", err)
	}
}

// TestPushCap: over the cap nothing is sent and the error explains.
func TestPushCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local("big/blob"), strings.Repeat("x", 3000), 0o644, t0)
	write(t, f.local("small"), "s", 0o644, t0)
	f.plan.MaxBytes = 2048
	_, _, err := Push(t.Context(), shRemote{}, f.plan)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	for _, want := range []string{"2.9 KiB", "2.0 KiB", ".skyportignore", f.local("big")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := os.Stat(f.remote("small")); err == nil {
		t.Error("something was sent despite the cap")
	}
	write(t, f.local(IgnoreFile), "big/\n", 0o644, t0)
	if _, _, err := Push(t.Context(), shRemote{}, f.plan); err != nil {
		t.Fatalf("with big/ ignored: %v", err)
	}
	if _, err := os.Stat(f.remote("big")); err == nil {
		t.Error("the ignored directory was sent")
	}
	// The cap counts what changed, not the tree: a re-push passes a tiny cap.
	f.plan.MaxBytes = 1
	if _, _, err := Push(t.Context(), shRemote{}, f.plan); err != nil {
		t.Fatalf("unchanged tree under a tiny cap: %v", err)
	}
}

// TestPushIgnore: per-directory files with negation and anchoring.
func TestPushIgnore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local(IgnoreFile), "*.tmp\n/build/\n!keep.tmp\n", 0o644, t0)
	write(t, f.local("sub/"+IgnoreFile), "*.log\n!important.log\n", 0o644, t0)
	for _, n := range []string{"a.tmp", "keep.tmp", "build/x", "sub/build/y", "sub/a.log", "sub/important.log", "x.log", "sub/z.tmp"} {
		write(t, f.local(n), n, 0o644, t0)
	}
	f.push()
	for n, sent := range map[string]bool{
		"a.tmp": false, "keep.tmp": true, "build": false, "sub/build/y": true, "sub/a.log": false,
		"sub/important.log": true, "x.log": true, "sub/z.tmp": false, IgnoreFile: true,
	} {
		_, err := os.Lstat(f.remote(n))
		if (err == nil) != sent {
			t.Errorf("%s: on host = %v, want %v", n, err == nil, sent)
		}
	}
}

// TestPushRejectsRelativePlan: paths must be absolute.
func TestPushRejectsRelativePlan(t *testing.T) {
	t.Parallel()
	for _, p := range []Plan{{Dirs: []string{"rel"}}, {Files: []string{"x"}}, {MkDirs: []string{"y"}}, {Root: "r"}} {
		if _, _, err := Push(t.Context(), shRemote{}, p); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}

// TestPushNestedDirs: a planned directory inside another is mirrored even
// when the outer one's rules ignore it, and follows its own rules.
func TestPushNestedDirs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local(IgnoreFile), "work/\n*.skip\n", 0o644, t0)
	write(t, f.local("work/in"), "in", 0o644, t0)
	write(t, f.local("work/x.skip"), "x", 0o644, t0)
	write(t, f.local("y.skip"), "y", 0o644, t0)
	f.plan.Dirs = append(f.plan.Dirs, f.local("work"))
	snap, _ := f.push()
	for n, sent := range map[string]bool{"work/in": true, "work/x.skip": true, "y.skip": false} {
		if _, err := os.Lstat(f.remote(n)); (err == nil) != sent {
			t.Errorf("%s: on host = %v, want %v", n, err == nil, sent)
		}
	}
	write(t, f.remote("work/out"), "job", 0o644, t0)
	write(t, f.remote("z.skip"), "job", 0o644, t0)
	f.pull(snap)
	if _, err := os.Stat(f.local("work/out")); err != nil {
		t.Error("work/out did not come back")
	}
	if _, err := os.Stat(f.local("z.skip")); err == nil {
		t.Error("an ignored file came back")
	}
}

// TestParseFindTime covers find's %T@ forms.
func TestParseFindTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"1700000000.1234567890": 1700000000123456789,
		"1700000000.5":          1700000000500000000,
		"1700000000":            1700000000000000000,
		"-1.5000000000":         -1500000000,
	} {
		if got, err := parseFindTime(in); err != nil || got != want {
			t.Errorf("parseFindTime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x.1", "1.x"} {
		if _, err := parseFindTime(bad); err == nil {
			t.Errorf("parseFindTime(%q): no error", bad)
		}
	}
	if !sameTime(1700000000000000000, 1700000000123456789) || sameTime(1700000000100000000, 1700000000200000000) {
		t.Error("sameTime: a coarse time must match its second, two fine ones must not")
	}
}

// TestPushManyFiles takes the parallel path: files in several streams,
// then directories, whose times and modes must survive the writes.
func TestPushManyFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 300 {
		write(t, f.local(filepath.Join("d"+strconv.Itoa(i%7), "f"+strconv.Itoa(i))), strings.Repeat("x", i), 0o644, t0)
	}
	for i := range 7 {
		d := f.local("d" + strconv.Itoa(i))
		if err := os.Chmod(d, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(d, t0, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(f.proj, t0, t0); err != nil {
		t.Fatal(err)
	}
	_, st := f.push()
	if st.Files != 308 {
		t.Errorf("sent %d entries, want 308", st.Files)
	}
	sameTree(t, f.proj, f.remote(""), true)
}

// TestBalance: groups are contiguous, cover every file, and are even.
func TestBalance(t *testing.T) {
	t.Parallel()
	var files []Entry
	for i := range 100 {
		files = append(files, Entry{Path: strconv.Itoa(i), Kind: KindFile, Size: int64(i%10) << 20})
	}
	groups := balance(files, 3)
	if len(groups) != 3 {
		t.Fatalf("%d groups", len(groups))
	}
	n := 0
	for _, g := range groups {
		var size int64
		for _, e := range g {
			if e.Path != files[n].Path {
				t.Fatalf("group order broken at %d", n)
			}
			n++
			size += e.Size
		}
		if size < 130<<20 || size > 170<<20 {
			t.Errorf("group of %d MiB, want about 150", size>>20)
		}
	}
	if n != len(files) {
		t.Errorf("%d files in groups, want %d", n, len(files))
	}
}

// TestPushCancelled: a cancelled context ends Push with an error.
func TestPushCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local("a"), "a", 0o644, t0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := Push(ctx, shRemote{}, f.plan); err == nil {
		t.Error("no error from a cancelled push")
	}
}
