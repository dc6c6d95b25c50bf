package queue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// crashEnv names the store directory of a test binary re-executed by
// TestIDsAfterKill: it submits jobs, prints each ID once Submit returned,
// reserves two IDs and prints the last, and kills itself with SIGKILL.
const crashEnv = "SKYPORT_QUEUE_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
	}
	if dir := os.Getenv(rssEnv); dir != "" {
		measureRSS(dir)
	}
	os.Exit(m.Run())
}

// crashChild submits jobs in dir, reserves two IDs, and dies without
// closing the store.
func crashChild(dir string) {
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Getenv("SKYPORT_QUEUE_CRASH_JOBS"))
	for i := range n {
		id, err := s.Submit(context.Background(), newJob(fmt.Sprint("crash", i), 1), Blobs{Script: []byte("true")})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(id) // stdout is unbuffered: the parent has the line before the kill
	}
	// IDs handed out but never stored (sbatch --test-only) are not reused
	// either: only the lease protects them.
	first, err := s.ReserveIDs(2)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(first + 1)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// TestIDsAfterKill is not parallel: a child between fork and exec holds
// copies of the parent's descriptors, store locks included, and would make
// the other tests' reopening fail with ErrLocked.
func TestIDsAfterKill(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "queue")
	var seen []uint32
	// Each child takes a lease, uses part of it (or, with 70 jobs, more
	// than one lease) and dies holding it.
	for _, jobs := range []int{3, 70, 1} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, "SKYPORT_QUEUE_CRASH_JOBS="+strconv.Itoa(jobs))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			id, err := strconv.ParseUint(sc.Text(), 10, 32)
			if err != nil {
				t.Fatalf("child printed %q", sc.Text())
			}
			seen = append(seen, uint32(id))
		}
		err = cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child ended with %v, want killed by SIGKILL", err)
		}
	}
	if len(seen) != 77 {
		t.Fatalf("children printed %d IDs, want 77", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("ID %d after %d: not increasing (all: %v)", seen[i], seen[i-1], seen)
		}
	}
	s := openDisk(t, dir)
	defer closeStore(t, s)
	stored := 0
	for _, id := range seen {
		if _, err := s.Get(id); err == nil {
			stored++
		}
	}
	if stored != 74 {
		t.Errorf("%d acknowledged jobs stored, want 74", stored)
	}
	if id := submit(t, s, newJob("after", 1), Blobs{}); id <= seen[len(seen)-1] {
		t.Errorf("ID after the crashes = %d, want above %d", id, seen[len(seen)-1])
	}
	if _, total := s.Count(); total != 75 {
		t.Errorf("total = %d, want 75", total)
	}
}

func TestIDsAcrossReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := uint32(1)
	for round := range 3 {
		s := openDisk(t, dir)
		for range 5 {
			if id := submit(t, s, newJob("x", 1), Blobs{}); id != want {
				t.Fatalf("round %d: ID = %d, want %d (a clean Close leaves no gap)", round, id, want)
			}
			want++
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReserveIDs(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	ctx := t.Context()
	a := submit(t, s, newJob("a", 1), Blobs{})
	first, err := s.ReserveIDs(100) // more than a lease
	if err != nil {
		t.Fatal(err)
	}
	if first != a+1 {
		t.Errorf("ReserveIDs = %d, want %d", first, a+1)
	}
	if b := submit(t, s, newJob("b", 1), Blobs{}); b != first+100 {
		t.Errorf("ID after the reservation = %d, want %d", b, first+100)
	}
	task := newJob("task", 1)
	task.ID, task.ArrayJobID, task.ArrayTaskID = first+7, first, 7
	if err := s.Insert(ctx, task, Blobs{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(first + 7); err != nil || got.ArrayTaskID != 7 {
		t.Errorf("Get(%d) = %+v, %v", first+7, got, err)
	}
	tests := []struct {
		name string
		id   uint32
		want error
	}{
		{"twice", first + 7, ErrExists},
		{"submitted", a, ErrExists},
		{"zero", 0, ErrInvalidJob},
		{"not reserved", first + 1000, ErrInvalidJob},
	}
	for _, tt := range tests {
		j := newJob(tt.name, 1)
		j.ID = tt.id
		if err := s.Insert(ctx, j, Blobs{}); !errors.Is(err, tt.want) {
			t.Errorf("Insert %s: error = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := s.ReserveIDs(0); err == nil {
		t.Error("ReserveIDs(0) succeeded")
	}
}

func TestFirstID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		first uint32
		want  uint32
	}{
		{0, 1},
		{1000, 1000},   // raised: skips ahead
		{10, 1001},     // lowered: no effect
		{MaxID, MaxID}, // the last ID
	}
	for _, tt := range tests {
		s, err := Open(dir, Options{Logger: quiet, FirstID: tt.first})
		if err != nil {
			t.Fatal(err)
		}
		if id := submit(t, s, newJob("x", 1), Blobs{}); id != tt.want {
			t.Errorf("FirstID %d: ID = %d, want %d", tt.first, id, tt.want)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := openDisk(t, dir)
	defer closeStore(t, s)
	if _, err := s.Submit(t.Context(), newJob("x", 1), Blobs{}); err == nil {
		t.Error("Submit after MaxID succeeded")
	}
}
