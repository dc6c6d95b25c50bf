package gateway

import (
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"skyport/queue"
)

func TestLiveOrderPut(t *testing.T) {
	t.Parallel()
	var o liveOrder
	want := map[uint32]*entry{}
	rng := rand.New(rand.NewPCG(1, 2))
	next := uint32(100)
	for range 5000 {
		var id uint32
		switch rng.IntN(4) {
		case 0: // a job published again
			if len(want) == 0 {
				continue
			}
			id = slices.Collect(maps.Keys(want))[rng.IntN(len(want))]
		case 1: // submitted concurrently: a little behind the newest
			id = next - uint32(rng.IntN(8))
		default:
			next++
			id = next
		}
		e := &entry{}
		o.put(id, e)
		want[id] = e
	}
	gone := func(id uint32) bool { return id%3 == 0 }
	o.removeFunc(gone)
	maps.DeleteFunc(want, func(id uint32, _ *entry) bool { return gone(id) })
	ids := slices.Sorted(maps.Keys(want))
	if len(o.xs) != len(ids) {
		t.Fatalf("%d entries, want %d", len(o.xs), len(ids))
	}
	for i, x := range o.xs {
		if x.id != ids[i] || x.e != want[x.id] {
			t.Fatalf("entry %d: job %d %p, want job %d %p", i, x.id, x.e, ids[i], want[ids[i]])
		}
	}
}

func TestSnapshotFollowsLiveSet(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	s := &Server{
		cfg: Default(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return now },
		live: map[uint32]*entry{}, host: "vm", byName: map[string]*partition{},
	}
	job := func(id uint32, st queue.State, end time.Time) *queue.Job {
		return &queue.Job{ID: id, ArrayTaskID: queue.NoArrayTask, Name: "j", State: st, EndTime: end}
	}
	old := now.Add(-2 * time.Duration(s.cfg.Daemon.MinJobAge))
	s.mu.Lock()
	for _, id := range []uint32{5, 1, 9, 3, 7, 2} {
		s.publish(job(id, queue.Pending, time.Time{}), "")
	}
	s.publish(job(3, queue.Completed, old), "") // ended long ago: forgotten
	s.publish(job(7, queue.Completed, now), "") // ended just now: kept
	s.publish(job(9, queue.Running, time.Time{}), "")
	s.mu.Unlock()
	s.forgetOld(now) // takes the lock

	var got []uint32
	for _, e := range s.snapshot(nil) {
		got = append(got, e.job.ID)
		if s.live[e.job.ID] != e {
			t.Errorf("job %d: snapshot has another entry than the live set", e.job.ID)
		}
	}
	if want := []uint32{1, 2, 5, 7, 9}; !slices.Equal(got, want) {
		t.Errorf("snapshot %v, want %v", got, want)
	}
	pend := s.snapshot(func(j *queue.Job) bool { return j.State == queue.Pending })
	if len(pend) != 3 || pend[0].job.ID != 1 || pend[2].job.ID != 5 {
		t.Errorf("pending snapshot has %d entries", len(pend))
	}
}
