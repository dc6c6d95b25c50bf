package mirror

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPullBringsBackChanges: new and changed files, modes, times, new
// directories (empty too) and symlinks come back; the trees then match and
// a new Push has nothing to send.
func TestPullBringsBackChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local("in.txt"), "input", 0o644, t0)
	write(t, f.local("result"), "old result", 0o644, t0)
	write(t, f.local("tool"), "#!/bin/sh", 0o644, t0)
	snap, _ := f.push()

	t1 := t0.Add(time.Minute)
	write(t, f.remote("result"), "new result", 0o640, t1)
	write(t, f.remote("out/deep/x.dat"), "data", 0o600, t1)
	write(t, f.remote("new\nline 'q'"), "weird", 0o644, t1)
	if err := os.Chmod(f.remote("tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(f.remote("empty"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("out/deep/x.dat", f.remote("latest")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"empty", "out/deep", "out", ""} {
		if err := os.Chtimes(f.remote(d), t1, t1); err != nil {
			t.Fatal(err)
		}
	}
	if len(describe(t, f.proj, true)) == len(describe(t, f.remote(""), true)) {
		t.Fatal("the fixture did not change the host")
	}
	// The caller persists the snapshot as JSON.
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	st := f.pull(back)
	sameTree(t, f.proj, f.remote(""), true)
	if st.Bytes != int64(len("new result")+len("data")+len("weird")+len("#!/bin/sh")) {
		t.Errorf("pulled %+v", st)
	}
	var st2 Stats
	_, st2, err = Push(t.Context(), shRemote{}, f.plan)
	if err != nil || st2 != (Stats{}) {
		t.Errorf("push after pull: %+v %v", st2, err)
	}
}

// TestPullConflicts is the conflict rule of the package doc, path by path.
func TestPullConflicts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
	for _, n := range []string{"host-only", "both", "local-del-host-same", "local-del-host-changed",
		"host-del", "local-only", "same-change", "file-to-dir", "dir-to-file-local-edit"} {
		write(t, f.local(n), "v0 "+n, 0o644, t0)
	}
	write(t, f.local("dir-to-file/inner"), "inner", 0o644, t0)
	snap, _ := f.push()

	// On the host (the job).
	write(t, f.remote("host-only"), "host", 0o644, t1)
	write(t, f.remote("both"), "host", 0o644, t1)
	write(t, f.remote("local-del-host-changed"), "host", 0o644, t1)
	write(t, f.remote("same-change"), "same", 0o644, t1)
	rm(t, f.remote("host-del"))
	rm(t, f.remote("file-to-dir"))
	write(t, f.remote("file-to-dir/x"), "x", 0o644, t1)
	rm(t, f.remote("dir-to-file"))
	write(t, f.remote("dir-to-file"), "now a file", 0o644, t1)
	write(t, f.remote("created-both"), "host", 0o644, t1)
	// Locally (the user, meanwhile).
	write(t, f.local("both"), "local", 0o644, t2)
	rm(t, f.local("local-del-host-same"))
	rm(t, f.local("local-del-host-changed"))
	write(t, f.local("local-only"), "local", 0o644, t2)
	write(t, f.local("same-change"), "same", 0o644, t1)
	write(t, f.local("created-both"), "local", 0o644, t2)

	f.pull(snap)
	want := map[string]string{
		"host-only":                    "host",
		"both":                         "host",
		"both" + ConflictSuffix:        "local",
		"local-del-host-same":          "", // not resurrected
		"local-del-host-changed":       "host",
		"host-del":                     "v0 host-del", // not deleted locally
		"local-only":                   "local",
		"same-change":                  "same",
		"same-change" + ConflictSuffix: "",
		"file-to-dir/x":                "x", // the unchanged local file gave way
		"file-to-dir" + ConflictSuffix: "",
		"dir-to-file":                  "now a file",
		"dir-to-file" + ConflictSuffix + "/inner": "inner", // a directory is never deleted
		"created-both":                  "host",
		"created-both" + ConflictSuffix: "local",
	}
	for n, content := range want {
		b, err := os.ReadFile(f.local(n))
		if content == "" {
			if err == nil {
				t.Errorf("%s exists (%q), want it absent", n, b)
			}
			continue
		}
		if string(b) != content {
			t.Errorf("%s = %q (%v), want %q", n, b, err, content)
		}
	}
	// A second conflict on the same path keeps both earlier copies.
	snap2, _ := f.push()
	write(t, f.remote("both"), "host 2", 0o644, t2.Add(time.Minute))
	write(t, f.local("both"), "local 2", 0o644, t2.Add(2*time.Minute))
	f.pull(snap2)
	for n, c := range map[string]string{"both": "host 2", "both" + ConflictSuffix: "local", "both" + ConflictSuffix + "-2": "local 2"} {
		if b, _ := os.ReadFile(f.local(n)); string(b) != c {
			t.Errorf("%s = %q, want %q", n, b, c)
		}
	}
}

// TestDecide covers the rule on its own, directories included.
func TestDecide(t *testing.T) {
	t.Parallel()
	file := func(size int64) *Entry { return &Entry{Kind: KindFile, Mode: 0o644, Size: size, MTime: 1} }
	dir := func(mode uint32) *Entry { return &Entry{Kind: KindDir, Mode: mode, MTime: 1} }
	link := &Entry{Kind: KindSymlink, Link: "x"}
	for _, c := range []struct {
		name        string
		host        Entry
		snap, local *Entry
		want        action
	}{
		{"new on host", *file(1), nil, nil, take},
		{"changed on host", *file(2), file(1), file(1), take},
		{"both changed", *file(2), file(1), file(3), conflict},
		{"both created", *file(2), nil, file(3), conflict},
		{"already equal", *file(2), file(1), file(2), skip},
		{"local deleted", *file(2), file(1), nil, take},
		{"local became dir", *file(2), file(1), dir(0o755), conflict},
		{"link over unchanged file", *link, file(1), file(1), take},
		{"new dir", *dir(0o755), nil, nil, take},
		{"dir mode on host", *dir(0o700), dir(0o755), dir(0o755), meta},
		{"dir mode both", *dir(0o700), dir(0o755), dir(0o750), skip},
		{"dir over unchanged file", *dir(0o755), file(1), file(1), take},
		{"dir over edited file", *dir(0o755), file(1), file(2), conflict},
		{"dir over local link", *dir(0o755), dir(0o755), link, conflict},
	} {
		if got := decide(c.host, c.snap, c.local); got != c.want {
			t.Errorf("%s: decide = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestPullIgnoredAndPlanned: ignored paths stay on the host; a planned
// file outside the directories (the job's -o) comes back; the rest of an
// -o directory does not.
func TestPullIgnoredAndPlanned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	write(t, f.local(IgnoreFile), "scratch/\n", 0o644, t0)
	logs := filepath.Join(filepath.Dir(f.proj), "logs")
	out := filepath.Join(logs, "slurm-7.out")
	f.plan.Files, f.plan.MkDirs = []string{out}, []string{logs}
	snap, _ := f.push()
	write(t, f.remote("scratch/huge"), "tmp", 0o644, t0)
	write(t, f.host+out, "job output\n", 0o644, t0)
	write(t, f.host+filepath.Join(logs, "other"), "not ours", 0o644, t0)
	f.pull(snap)
	if b, err := os.ReadFile(out); string(b) != "job output\n" {
		t.Errorf("output file: %q %v", b, err)
	}
	for _, p := range []string{f.local("scratch"), filepath.Join(logs, "other")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was pulled", p)
		}
	}
}

func rm(t *testing.T, p string) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
}
