package queue

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentUpdates has goroutines increment counters of shared and
// private jobs at once: no increment is lost (Updates of one job form a
// linear history) and concurrent Submits get distinct IDs.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	for _, kind := range []struct {
		name string
		opts Options
		dir  bool
	}{
		{"memory", Options{Logger: quiet}, false},
		{"disk", Options{Logger: quiet, NoSync: true}, true},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			dir := ""
			if kind.dir {
				dir = t.TempDir()
			}
			s, err := Open(dir, kind.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer closeStore(t, s)
			ctx := t.Context()
			const workers, rounds, shared = 8, 60, 3
			var sharedIDs []uint32
			for range shared {
				sharedIDs = append(sharedIDs, submit(t, s, newJob("shared", 1), Blobs{}))
			}
			var (
				wg  sync.WaitGroup
				mu  sync.Mutex
				own []uint32
			)
			for w := range workers {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(w), 3))
					id, err := s.Submit(ctx, newJob("own", 1), Blobs{})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					own = append(own, id)
					mu.Unlock()
					for range rounds {
						target := sharedIDs[rng.IntN(shared)]
						if rng.IntN(3) == 0 {
							target = id
						}
						seen := -1
						_, err := s.Update(ctx, target, func(j *Job) error {
							seen = j.Restarts
							j.Restarts++
							return nil
						})
						if err != nil {
							t.Error(err)
							return
						}
						if seen < 0 {
							t.Error("Update did not call fn")
						}
						if _, err := s.Get(target); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			sum := 0
			for _, id := range append(sharedIDs, own...) {
				j, err := s.Get(id)
				if err != nil {
					t.Fatal(err)
				}
				sum += j.Restarts
			}
			if sum != workers*rounds {
				t.Errorf("sum of increments = %d, want %d", sum, workers*rounds)
			}
			slices.Sort(own)
			if len(slices.Compact(own)) != workers {
				t.Errorf("concurrent Submits got IDs %v, want %d distinct", own, workers)
			}
		})
	}
}
