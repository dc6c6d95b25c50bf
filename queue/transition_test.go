package queue

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// bogus is a state that is not in the table.
const bogus State = "BOGUS"

// pathTo returns the shortest list of states that leads, by legal steps,
// from Pending to every state reachable from it (the list ends with the
// state; Pending's is empty).
func pathTo() map[State][]State {
	paths := map[State][]State{Pending: nil}
	queue := []State{Pending}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, to := range AllStates {
			if _, ok := paths[to]; !ok && CanTransition(from, to) {
				paths[to] = append(slices.Clone(paths[from]), to)
				queue = append(queue, to)
			}
		}
	}
	return paths
}

// moveTo returns an Update function that moves a job to state to, giving
// it an end time when to is final.
func moveTo(to State) func(j *Job) error {
	return func(j *Job) error {
		j.State = to
		if to.Terminal() {
			j.EndTime = t0.Add(time.Hour)
		}
		return nil
	}
}

// TestUpdateEveryPair tries every change of state from every state a job
// can reach: Update accepts exactly the pairs of the table.
func TestUpdateEveryPair(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	ctx := t.Context()
	paths := pathTo()
	if len(paths) != len(AllStates) {
		t.Fatalf("%d states reachable from PENDING, want all %d", len(paths), len(AllStates))
	}
	for _, from := range AllStates {
		for _, to := range append(slices.Clone(AllStates), bogus) {
			id := submit(t, s, newJob("pair", 1), Blobs{})
			for _, step := range paths[from] {
				if _, err := s.Update(ctx, id, moveTo(step)); err != nil {
					t.Fatalf("path to %s: %v", from, err)
				}
			}
			_, err := s.Update(ctx, id, moveTo(to))
			legal := CanTransition(from, to)
			if legal != (err == nil) {
				t.Errorf("%s -> %s: error = %v, legal = %v", from, to, err, legal)
			}
			if !legal && !errors.Is(err, ErrIllegalTransition) {
				t.Errorf("%s -> %s: error = %v, want ErrIllegalTransition", from, to, err)
			}
			want := from
			if legal {
				want = to
			}
			if got, _ := s.Get(id); got.State != want {
				t.Errorf("%s -> %s: stored %s, want %s", from, to, got.State, want)
			}
		}
	}
}

// TestUpdateRandomWalk drives jobs through random changes of state, legal
// or not, and checks after every step that Update accepted exactly the
// legal ones and that every stored history is a chain of legal steps.
func TestUpdateRandomWalk(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	s := openMem(t)
	ctx := t.Context()
	const jobs, steps = 16, 4000
	history := map[uint32][]State{}
	var ids []uint32
	for range jobs {
		id := submit(t, s, newJob("walk", 1), Blobs{})
		ids = append(ids, id)
		history[id] = []State{Pending}
	}
	targets := append(slices.Clone(AllStates), bogus, "")
	for step := range steps {
		id := ids[rng.IntN(len(ids))]
		h := history[id]
		from := h[len(h)-1]
		to := targets[rng.IntN(len(targets))]
		if next := legal[from]; rng.IntN(2) == 0 && len(next) > 0 {
			to = next[rng.IntN(len(next))] // half the steps are legal
		}
		got, err := s.Update(ctx, id, moveTo(to))
		if ok := CanTransition(from, to); ok != (err == nil) {
			t.Fatalf("step %d, job %d: %s -> %q: error = %v, legal = %v", step, id, from, to, err, ok)
		}
		if err == nil {
			if got.State != to {
				t.Fatalf("step %d: Update returned state %s, want %s", step, got.State, to)
			}
			history[id] = append(h, to)
		}
		stored, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if want := history[id][len(history[id])-1]; stored.State != want {
			t.Fatalf("step %d, job %d: stored %s, want %s", step, id, stored.State, want)
		}
	}
	for id, h := range history {
		for i := 1; i < len(h); i++ {
			if !CanTransition(h[i-1], h[i]) {
				t.Errorf("job %d: history %v has the illegal step %s -> %s", id, h, h[i-1], h[i])
			}
		}
	}
}

// TestLazyTransition pins which commits skip the fsync: only the steps of a
// start, which a restart redoes through the gates' idempotent Start.
func TestLazyTransition(t *testing.T) {
	lazy := map[[2]State]bool{
		{Pending, Configuring}:     true,
		{Pending, Running}:         true,
		{Configuring, Running}:     true,
		{Configuring, Configuring}: true,
	}
	for _, from := range AllStates {
		for _, to := range AllStates {
			if got, want := lazyTransition(from, to), lazy[[2]State{from, to}]; got != want {
				t.Errorf("lazyTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}
