package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// quiet is the logger of the tests' stores.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// t0 is the time the tests' jobs are submitted.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// openMem returns a new in-memory store, closed at the end of the test.
func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open("", Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openDisk opens (creating) the store in dir; the test closes it.
func openDisk(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stores are the two kinds of store every round-trip test runs on.
var stores = []struct {
	name string
	open func(t testing.TB) *Store
}{
	{"memory", openMem},
	{"disk", func(t testing.TB) *Store {
		s := openDisk(t, t.TempDir())
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
}

// newJob returns a pending job with every kind of field set.
func newJob(name string, uid uint32) *Job {
	return &Job{
		ArrayTaskID: NoArrayTask,
		Name:        name, User: fmt.Sprintf("user%d", uid), UID: uid, GID: uid, Group: "users",
		Account: "acct", Cluster: "refcluster", Partition: "debug",
		SubmitHost: "vm", SubmitDir: "/home/u", WorkDir: "/home/u",
		Command: "/home/u/job.sh", Args: []string{"a", "b c"},
		StdOut: "/home/u/slurm-%j.out", StdIn: "/dev/null",
		NTasks: 1, CPUsPerTask: 1, MinNodes: 1, MaxNodes: 1, MemPerNodeMB: 512,
		TimeLimit: InfiniteTime, State: Pending, Reason: "None", Priority: 4294901759,
		SubmitTime: t0, EligibleTime: t0,
		Handle: []byte{0, 1, 2, 0xff},
	}
}

// closeStore closes s and fails the test if that fails.
func closeStore(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func submit(t testing.TB, s *Store, j *Job, b Blobs) uint32 {
	t.Helper()
	id, err := s.Submit(context.Background(), j, b)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return id
}

func TestSubmitGetRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			s := kind.open(t)
			want := Blobs{Script: []byte("#!/bin/sh\necho hi\n"), Env: []string{"A=1", "B="}}
			j := newJob("one", 1000)
			id := submit(t, s, j, want)
			if id != 1 || j.ID != 1 {
				t.Fatalf("first ID = %d, j.ID = %d, want 1", id, j.ID)
			}
			got, err := s.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, j) {
				t.Errorf("Get = %+v\nwant %+v", got, j)
			}
			b, err := s.Blobs(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(b, want) {
				t.Errorf("Blobs = %+v, want %+v", b, want)
			}
			// The copy Get returns is the caller's.
			got.Args[0] = "changed"
			if again, _ := s.Get(id); again.Args[0] != "a" {
				t.Errorf("changing a returned job changed the store: %q", again.Args[0])
			}
		})
	}
}

func TestBlobs(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("echo 0123456789abcdef\n"), 3<<20/22) // 3 MB: in the value log
	tests := []struct {
		name  string
		blobs Blobs
	}{
		{"empty", Blobs{}},
		{"script only", Blobs{Script: []byte("#!/bin/bash\n")}},
		{"env only", Blobs{Env: []string{"PATH=/bin"}}},
		{"empty env entry", Blobs{Env: []string{"", "X=1", ""}}},
		{"big script", Blobs{Script: big, Env: []string{"A=1"}}},
	}
	s := stores[1].open(t)
	for _, tt := range tests {
		id := submit(t, s, newJob(tt.name, 1), tt.blobs)
		got, err := s.Blobs(id)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.blobs) {
			t.Errorf("%s: Blobs = %.60v, want %.60v", tt.name, got, tt.blobs)
		}
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	submit(t, s, newJob("x", 1), Blobs{})
	for _, id := range []uint32{0, 2, 1 << 31} {
		if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%d) error = %v, want ErrNotFound", id, err)
		}
		if _, err := s.Blobs(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Blobs(%d) error = %v, want ErrNotFound", id, err)
		}
		_, err := s.Update(t.Context(), id, func(*Job) error { return nil })
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Update(%d) error = %v, want ErrNotFound", id, err)
		}
	}
}

func TestSubmitRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(j *Job)
	}{
		{"unknown state", func(j *Job) { j.State = "DONE" }},
		{"final state without end time", func(j *Job) { j.State = Completed }},
	}
	s := openMem(t)
	for _, tt := range tests {
		j := newJob(tt.name, 1)
		tt.edit(j)
		if _, err := s.Submit(t.Context(), j, Blobs{}); !errors.Is(err, ErrInvalidJob) {
			t.Errorf("%s: error = %v, want ErrInvalidJob", tt.name, err)
		}
	}
	// A rejected job uses no ID and stores nothing.
	if id := submit(t, s, newJob("ok", 1), Blobs{}); id != 1 {
		t.Errorf("ID after rejected jobs = %d, want 1", id)
	}
	if active, total := s.Count(); active != 1 || total != 1 {
		t.Errorf("Count = %d, %d, want 1, 1", active, total)
	}
}

func TestSubmitDefaultsToPending(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	j := newJob("x", 1)
	j.State = ""
	id := submit(t, s, j, Blobs{})
	if got, _ := s.Get(id); j.State != Pending || got.State != Pending {
		t.Errorf("state = %q, stored %q, want PENDING", j.State, got.State)
	}
}

func TestUpdateRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			s := kind.open(t)
			id := submit(t, s, newJob("x", 1), Blobs{})
			start := t0.Add(time.Minute)
			got, err := s.Update(t.Context(), id, func(j *Job) error {
				j.State, j.StartTime, j.NodeList, j.Handle = Running, start, "vm", []byte("pid=42")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := s.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, stored) {
				t.Errorf("Update returned %+v\nstored %+v", got, stored)
			}
			if stored.State != Running || !stored.StartTime.Equal(start) || string(stored.Handle) != "pid=42" {
				t.Errorf("stored = %s %v %q", stored.State, stored.StartTime, stored.Handle)
			}
			if active, total := s.Count(); active != 1 || total != 1 {
				t.Errorf("Count = %d, %d, want 1, 1", active, total)
			}
			_, err = s.Update(t.Context(), id, func(j *Job) error {
				j.State, j.EndTime = Completed, start.Add(time.Minute)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if active, total := s.Count(); active != 0 || total != 1 {
				t.Errorf("Count after completion = %d, %d, want 0, 1", active, total)
			}
		})
	}
}

func TestUpdateRejects(t *testing.T) {
	t.Parallel()
	errFn := errors.New("fn failed")
	tests := []struct {
		name string
		fn   func(j *Job) error
		want error
	}{
		{"fn error", func(j *Job) error { j.State = Running; return errFn }, errFn},
		{"illegal transition", func(j *Job) error { j.State = Completing; return nil }, ErrIllegalTransition},
		{"unknown state", func(j *Job) error { j.State = "DONE"; return nil }, ErrIllegalTransition},
		{"changed ID", func(j *Job) error { j.ID++; return nil }, ErrInvalidJob},
		{"end without end time", func(j *Job) error { j.State = Cancelled; return nil }, ErrInvalidJob},
	}
	s := openMem(t)
	for _, tt := range tests {
		j := newJob(tt.name, 1)
		id := submit(t, s, j, Blobs{})
		_, err := s.Update(t.Context(), id, tt.fn)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
		}
		if got, _ := s.Get(id); !reflect.DeepEqual(got, j) {
			t.Errorf("%s: stored %+v, want it unchanged", tt.name, got)
		}
	}
}

func TestUpdateContext(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	id := submit(t, s, newJob("x", 1), Blobs{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Update(ctx, id, func(j *Job) error { j.Reason = "Changed"; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if _, err := s.Submit(ctx, newJob("y", 1), Blobs{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Submit error = %v, want context.Canceled", err)
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	s, err := Open("", Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	id := submit(t, s, newJob("x", 1), Blobs{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	calls := map[string]func() error{
		"Close":      s.Close,
		"Get":        func() error { _, err := s.Get(id); return err },
		"Blobs":      func() error { _, err := s.Blobs(id); return err },
		"Submit":     func() error { _, err := s.Submit(ctx, newJob("y", 1), Blobs{}); return err },
		"ReserveIDs": func() error { _, err := s.ReserveIDs(1); return err },
		"Insert":     func() error { return s.Insert(ctx, &Job{ID: id}, Blobs{}) },
		"Update":     func() error { _, err := s.Update(ctx, id, func(*Job) error { return nil }); return err },
		"Active":     func() error { _, err := s.Active(); return err },
		"Recent":     func() error { _, err := s.Recent(t0); return err },
		"Scan":       func() error { return s.Scan(ctx, Query{}, func(*Job) bool { return true }) },
		"Purge":      func() error { _, err := s.Purge(ctx, t0); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: error = %v, want ErrClosed", name, err)
		}
	}
}

func TestLocked(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "queue")
	s := openDisk(t, dir)
	_, err := Open(dir, Options{Logger: quiet})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open error = %v, want ErrLocked", err)
	}
	// The failed Open left the first store working, and Close frees dir.
	submit(t, s, newJob("x", 1), Blobs{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDisk(t, dir)
	if _, err := s.Get(1); err != nil {
		t.Errorf("after reopening: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenAfterCrashMidMemtable: a kill between Badger's creation of a
// write-ahead log file and its sizing leaves an empty *.mem file, which
// Badger alone refuses; Open removes it and loses no job.
func TestOpenAfterCrashMidMemtable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openDisk(t, dir)
	id, err := s.Submit(t.Context(), &Job{Name: "kept"}, Blobs{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "00099.mem"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s = openDisk(t, dir)
	defer s.Close()
	if j, err := s.Get(id); err != nil || j.Name != "kept" {
		t.Fatalf("Get(%d) = %+v, %v", id, j, err)
	}
}
