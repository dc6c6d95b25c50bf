package queue

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// model is what the store should hold: every job by ID.
type model map[uint32]*Job

// sorted returns the jobs m selects with keep, by ascending ID.
func (m model) sorted(keep func(j *Job) bool) []*Job {
	var out []*Job
	for _, id := range slices.Sorted(maps.Keys(m)) {
		if keep(m[id]) {
			out = append(out, m[id])
		}
	}
	return out
}

// selects is the plain reading of Query's contract.
func selects(q Query, j *Job) bool {
	if len(q.IDs) > 0 && !slices.Contains(q.IDs, j.ID) && (j.ArrayJobID == 0 || !slices.Contains(q.IDs, j.ArrayJobID)) {
		return false
	}
	if !q.From.IsZero() && j.State.Terminal() && j.EndTime.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && j.SubmitTime.After(q.To) {
		return false
	}
	return len(q.Users) == 0 || slices.Contains(q.Users, j.UID)
}

// randomTime returns a time within 100 hours of t0, at a random nanosecond
// (the index keeps microseconds).
func randomTime(rng *rand.Rand) time.Time {
	return t0.Add(time.Duration(rng.Int64N(int64(100 * time.Hour))))
}

// TestIndexConsistency applies random submissions, changes and purges,
// and checks that Active, Recent, Scan, Count and the raw index entries
// agree with a brute-force reading of the jobs.
func TestIndexConsistency(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	s := openMem(t)
	ctx := t.Context()
	m := model{}
	var ids []uint32
	for step := range 1500 {
		switch r := rng.IntN(100); {
		case r < 35 || len(ids) == 0:
			j := newJob("idx", uint32(1000+rng.IntN(4)))
			j.SubmitTime = randomTime(rng)
			if len(ids) > 0 && rng.IntN(4) == 0 { // a task of an array job
				j.ArrayJobID, j.ArrayTaskID = ids[rng.IntN(len(ids))], int64(step)
			}
			id := submit(t, s, j, Blobs{Script: []byte(fmt.Sprint(step))})
			m[id] = j.Clone()
			ids = append(ids, id)
		case r < 97:
			id := ids[rng.IntN(len(ids))]
			j, ok := m[id]
			if !ok {
				continue // purged
			}
			to := j.State // same state: only the end time may move
			if next := legal[j.State]; rng.IntN(4) > 0 {
				to = next[rng.IntN(len(next))]
			}
			end := randomTime(rng)
			got, err := s.Update(ctx, id, func(j *Job) error {
				j.State = to
				if to.Terminal() {
					j.EndTime = end
				}
				return nil
			})
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			m[id] = got
		default:
			cutoff := randomTime(rng)
			n, err := s.Purge(ctx, cutoff)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for id, j := range m {
				if j.State.Terminal() && j.EndTime.Before(cutoff) {
					delete(m, id)
					want++
				}
			}
			if n != want {
				t.Fatalf("step %d: Purge = %d, want %d", step, n, want)
			}
		}
		if step%100 == 99 {
			checkIndexes(t, s, m, rng)
		}
	}
	checkIndexes(t, s, m, rng)
}

// checkIndexes compares every read of s with the brute-force answer from m.
func checkIndexes(t *testing.T, s *Store, m model, rng *rand.Rand) {
	t.Helper()
	equal := func(what string, got, want []*Job) {
		t.Helper()
		if !slices.EqualFunc(got, want, func(a, b *Job) bool { return reflect.DeepEqual(a, b) }) {
			t.Fatalf("%s: got %d jobs %v, want %d %v", what, len(got), jobIDs(got), len(want), jobIDs(want))
		}
	}
	active, err := s.Active()
	if err != nil {
		t.Fatal(err)
	}
	equal("Active", active, m.sorted(func(j *Job) bool { return !j.State.Terminal() }))
	for range 5 {
		since := randomTime(rng)
		recent, err := s.Recent(since)
		if err != nil {
			t.Fatal(err)
		}
		equal(fmt.Sprint("Recent ", since), recent,
			m.sorted(func(j *Job) bool { return !j.State.Terminal() || !j.EndTime.Before(since) }))
	}
	for range 20 {
		q := randomQuery(rng, m)
		var got []*Job
		if err := s.Scan(t.Context(), q, func(j *Job) bool { got = append(got, j); return true }); err != nil {
			t.Fatal(err)
		}
		equal(fmt.Sprintf("Scan %+v", q), got, m.sorted(func(j *Job) bool { return selects(q, j) }))
	}
	nActive, total := s.Count()
	if nActive != len(active) || total != len(m) {
		t.Fatalf("Count = %d, %d, want %d, %d", nActive, total, len(active), len(m))
	}
	// The raw index entries are exactly those of the stored records.
	var want []string
	for _, j := range m {
		for _, k := range indexKeys(j) {
			want = append(want, string(k))
		}
	}
	slices.Sort(want)
	var got []string
	err = s.db.View(func(txn *badger.Txn) error {
		for _, p := range []byte{prefixActive, prefixEnded, prefixArray} {
			forKeys(txn, []byte{p}, nil, func(k []byte) bool { got = append(got, string(k)); return true })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("index entries: %d stored, want %d", len(got), len(want))
	}
}

// randomQuery returns a query with a random subset of fields set.
func randomQuery(rng *rand.Rand, m model) Query {
	var q Query
	if rng.IntN(3) == 0 {
		for range 1 + rng.IntN(3) {
			q.IDs = append(q.IDs, uint32(1+rng.IntN(len(m)+10)))
		}
	}
	if rng.IntN(2) == 0 {
		q.From = randomTime(rng)
	}
	if rng.IntN(2) == 0 {
		q.To = randomTime(rng)
	}
	if rng.IntN(3) == 0 {
		q.Users = []uint32{uint32(1000 + rng.IntN(4))}
	}
	return q
}

func jobIDs(jobs []*Job) []uint32 {
	ids := make([]uint32, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}

func TestScanStops(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	for range 2*pageSize + 3 { // more than one page
		submit(t, s, newJob("x", 1), Blobs{})
	}
	tests := []struct {
		name  string
		q     Query
		limit int
	}{
		{"full scan, all", Query{}, 1 << 30},
		{"full scan, stop early", Query{}, 5},
		{"from, all", Query{From: t0}, 1 << 30},
		{"from, stop after a page", Query{From: t0}, pageSize + 1},
	}
	for _, tt := range tests {
		var got []uint32
		err := s.Scan(t.Context(), tt.q, func(j *Job) bool {
			got = append(got, j.ID)
			return len(got) < tt.limit
		})
		if err != nil {
			t.Fatal(err)
		}
		want := min(tt.limit, 2*pageSize+3)
		if len(got) != want || got[0] != 1 || !slices.IsSorted(got) || got[len(got)-1] != uint32(want) {
			t.Errorf("%s: got %d jobs, %v..., want 1..%d", tt.name, len(got), got[:min(len(got), 5)], want)
		}
	}
}
