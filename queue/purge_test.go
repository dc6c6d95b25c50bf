package queue

import (
	"bytes"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func TestPurge(t *testing.T) {
	t.Parallel()
	s := stores[1].open(t)
	ctx := t.Context()
	cutoff := t0.Add(10 * time.Hour)
	end := func(at time.Time) func(j *Job) error {
		return func(j *Job) error { j.State, j.EndTime = Failed, at; return nil }
	}
	big := bytes.Repeat([]byte("x"), 2*valueThreshold) // blobs in the value log
	tests := []struct {
		name string
		end  time.Time // zero: stays pending
		gone bool
	}{
		{"ended long before", t0, true},
		{"ended a nanosecond before", cutoff.Add(-time.Nanosecond), true},
		{"ended at the cutoff", cutoff, false},
		{"ended a nanosecond after", cutoff.Add(time.Nanosecond), false},
		{"still pending", time.Time{}, false},
	}
	ids := map[string]uint32{}
	for _, tt := range tests {
		j := newJob(tt.name, 1)
		j.ArrayJobID, j.ArrayTaskID = 1, int64(len(ids))
		id := submit(t, s, j, Blobs{Script: big, Env: []string{"A=1"}})
		ids[tt.name] = id
		if !tt.end.IsZero() {
			if _, err := s.Update(ctx, id, end(tt.end)); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := s.Purge(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Purge = %d, want 2", n)
	}
	for _, tt := range tests {
		id := ids[tt.name]
		_, err := s.Get(id)
		if gone := err != nil; gone != tt.gone {
			t.Errorf("%s: Get error = %v, want gone = %v", tt.name, err, tt.gone)
		}
		if b, err := s.Blobs(id); tt.gone != (err != nil) || !tt.gone && !bytes.Equal(b.Script, big) {
			t.Errorf("%s: Blobs error = %v, want gone = %v", tt.name, err, tt.gone)
		}
		if left := keysOf(t, s, id); tt.gone && len(left) > 0 {
			t.Errorf("%s: keys left after Purge: %q", tt.name, left)
		}
	}
	if active, total := s.Count(); active != 1 || total != 3 {
		t.Errorf("Count = %d, %d, want 1, 3", active, total)
	}
	if n, err := s.Purge(ctx, cutoff); n != 0 || err != nil {
		t.Errorf("second Purge = %d, %v, want 0, nil", n, err)
	}
	// A purged ID is not handed out again.
	if id := submit(t, s, newJob("after", 1), Blobs{}); id != uint32(len(tests)+1) {
		t.Errorf("ID after Purge = %d, want %d", id, len(tests)+1)
	}
}

// TestPurgeManyPages purges more jobs than one transaction holds.
func TestPurgeManyPages(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	ctx := t.Context()
	const n = 2*pageSize + 10
	for i := range n {
		j := newJob("x", 1)
		j.State, j.EndTime = Failed, t0.Add(time.Duration(i%7)*time.Second)
		submit(t, s, j, Blobs{Env: []string{"A=1"}})
	}
	got, err := s.Purge(ctx, t0.Add(time.Hour))
	if err != nil || got != n {
		t.Fatalf("Purge = %d, %v, want %d", got, err, n)
	}
	var left int
	_ = s.db.View(func(txn *badger.Txn) error {
		forKeys(txn, nil, nil, func(k []byte) bool {
			if k[0] != prefixMeta {
				left++
			}
			return true
		})
		return nil
	})
	if left != 0 {
		t.Errorf("%d keys left after purging every job", left)
	}
}

// keysOf returns the stored keys that belong to job id (sequence aside).
func keysOf(t *testing.T, s *Store, id uint32) []string {
	t.Helper()
	var keys []string
	err := s.db.View(func(txn *badger.Txn) error {
		forKeys(txn, nil, nil, func(k []byte) bool {
			if k[0] != prefixMeta && keyID(k) == id {
				keys = append(keys, string(k))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
