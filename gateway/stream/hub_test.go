package stream

import (
	"fmt"
	"slices"
	"testing"

	wire "skyport/gateway/api/stream"
)

func TestFilter(t *testing.T) {
	t.Parallel()
	ev := func(mod func(e *wire.Event)) *wire.Event {
		e := &wire.Event{Type: wire.State, JobID: 7, UID: 1000, User: "ann", Partition: "debug", State: "RUNNING"}
		if mod != nil {
			mod(e)
		}
		return e
	}
	ann := Identity{UID: 1000}
	cases := []struct {
		name string
		who  Identity
		sub  wire.Subscribe
		ev   *wire.Event
		want bool
	}{
		{"everything", ann, wire.Subscribe{}, ev(nil), true},
		{"another user's job", Identity{UID: 1001}, wire.Subscribe{}, ev(nil), false},
		{"all users", Identity{UID: 1001, All: true}, wire.Subscribe{}, ev(nil), true},
		{"job", ann, wire.Subscribe{Jobs: []uint32{7}}, ev(nil), true},
		{"other job", ann, wire.Subscribe{Jobs: []uint32{8}}, ev(nil), false},
		{"array task by array id", ann, wire.Subscribe{Jobs: []uint32{5}}, ev(func(e *wire.Event) { e.ArrayJobID = 5 }), true},
		{"user", ann, wire.Subscribe{Users: []string{"ann"}}, ev(nil), true},
		{"other user", ann, wire.Subscribe{Users: []string{"bob"}}, ev(nil), false},
		{"partition", ann, wire.Subscribe{Partitions: []string{"debug", "x"}}, ev(nil), true},
		{"other partition", ann, wire.Subscribe{Partitions: []string{"x"}}, ev(nil), false},
		{"state, any case", ann, wire.Subscribe{States: []string{"running"}}, ev(nil), true},
		{"other state", ann, wire.Subscribe{States: []string{"PENDING"}}, ev(nil), false},
		{"type", ann, wire.Subscribe{Types: []wire.Type{wire.State}}, ev(nil), true},
		{"other type", ann, wire.Subscribe{Types: []wire.Type{wire.Output}}, ev(nil), false},
		{"all filters", ann, wire.Subscribe{Jobs: []uint32{7}, Users: []string{"ann"}, States: []string{"RUNNING"}, Types: []wire.Type{wire.State}}, ev(nil), true},
	}
	for _, c := range cases {
		f, err := newFilter(c.who, &c.sub)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := f.match(c.ev); got != c.want {
			t.Errorf("%s: match = %v, want %v", c.name, got, c.want)
		}
	}
	for _, bad := range []wire.Subscribe{
		{Types: []wire.Type{"nope"}},
		{OnLag: "wait"},
		{Offsets: []wire.Offset{{JobID: 1, Stream: "stdin"}}},
		{Offsets: []wire.Offset{{JobID: 1, Stream: wire.Stdout, Offset: -1}}},
	} {
		if _, err := newFilter(ann, &bad); err == nil {
			t.Errorf("newFilter(%+v) accepted", bad)
		}
	}
}

// events makes n State events of job 1 (uid 0) numbered from first.
func events(first uint64, n int) []wire.Event {
	evs := make([]wire.Event, n)
	for i := range evs {
		evs[i] = wire.Event{Seq: first + uint64(i), Type: wire.State, JobID: uint32(i%3 + 1), State: "RUNNING"}
	}
	return evs
}

func seqs(items []item) []uint64 {
	out := make([]uint64, len(items))
	for i, it := range items {
		out[i] = it.ev.Seq
	}
	return out
}

// Each client gets, in order, the events its filter matches, published
// after it subscribed; the raw form decodes to the event.
func TestHubOrderAndFilter(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{})
	h.Publish(events(1, 3)) // before anyone subscribed
	all, _ := newFilter(Identity{}, &wire.Subscribe{})
	job2, _ := newFilter(Identity{}, &wire.Subscribe{Jobs: []uint32{2}})
	a, head := h.subscribe(all)
	b, _ := h.subscribe(job2)
	if head != 3 {
		t.Fatalf("head at subscribe = %d, want 3", head)
	}
	h.Publish(events(4, 5))
	h.Publish(events(9, 4))
	got, lag := a.take(nil)
	if lag != nil || !slices.Equal(seqs(got), []uint64{4, 5, 6, 7, 8, 9, 10, 11, 12}) {
		t.Fatalf("all: %v (lag %v)", seqs(got), lag)
	}
	got, _ = b.take(nil)
	for _, it := range got {
		if it.ev.JobID != 2 || string(it.raw) != fmt.Sprintf(`{"seq":%d,"type":"state","time":"0001-01-01T00:00:00Z","job_id":2,"uid":0,"state":"RUNNING"}`, it.ev.Seq) {
			t.Errorf("job 2's client got %s", it.raw)
		}
	}
	if len(got) != 3 {
		t.Errorf("job 2's client got %d events, want 3", len(got))
	}
	h.unsubscribe(b)
	h.Publish(events(13, 3))
	if got, _ := b.take(nil); len(got) != 0 {
		t.Errorf("unsubscribed client got %v", seqs(got))
	}
	// The ring keeps the recent events for resuming clients.
	items, oldest := h.recent(2, 15)
	if oldest != 1 || len(items) != 14 || items[0].ev.Seq != 2 {
		t.Errorf("recent(2, 15) = %v, oldest %d", seqs(items), oldest)
	}
}

// The ring forgets the oldest events beyond its bound.
func TestHubRing(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{Ring: 4})
	h.Publish(events(1, 10))
	items, oldest := h.recent(1, 10)
	if oldest != 7 || !slices.Equal(seqs(items), []uint64{7, 8, 9, 10}) {
		t.Errorf("recent = %v, oldest %d; want 7..10", seqs(items), oldest)
	}
}

// A client that falls behind in close mode loses its queue, learns where
// to resume, and takes nothing more; the others are not affected.
func TestHubLagClose(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{ClientEvents: 4})
	all, _ := newFilter(Identity{}, &wire.Subscribe{})
	slow, _ := h.subscribe(all)
	fast, _ := h.subscribe(all)
	h.Publish(events(1, 3))
	if got, _ := fast.take(nil); len(got) != 3 {
		t.Fatalf("fast client got %d", len(got))
	}
	h.Publish(events(4, 3)) // slow now holds 1..6: over its bound of 4
	got, lag := slow.take(nil)
	if lag == nil || lag.Resume != 1 || !lag.Closing || len(got) != 0 {
		t.Fatalf("slow: %v, lag %+v; want resume 1, closing", seqs(got), lag)
	}
	h.Publish(events(7, 1))
	if got, lag := slow.take(nil); len(got) != 0 || lag != nil {
		t.Errorf("a closed client got %v, %+v", seqs(got), lag)
	}
	if got, _ := fast.take(nil); !slices.Equal(seqs(got), []uint64{4, 5, 6, 7}) {
		t.Errorf("fast client got %v", seqs(got))
	}
}

// In skip mode a lagging client is told what it lost and goes on with the
// newer events.
func TestHubLagSkip(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{ClientEvents: 4})
	f, _ := newFilter(Identity{}, &wire.Subscribe{OnLag: "skip"})
	c, _ := h.subscribe(f)
	h.Publish(events(1, 2))
	if got, _ := c.take(nil); len(got) != 2 {
		t.Fatal("first take")
	}
	h.Publish(events(3, 6)) // 3..6 fill the queue, 7 overflows it
	got, lag := c.take(nil)
	if lag == nil || lag.Resume != 3 || lag.Closing || !slices.Equal(seqs(got), []uint64{7, 8}) {
		t.Fatalf("got %v, lag %+v; want 7 8 after a lag from 3", seqs(got), lag)
	}
	h.Publish(events(9, 1))
	if got, lag := c.take(nil); lag != nil || !slices.Equal(seqs(got), []uint64{9}) {
		t.Errorf("after the lag: %v, %+v", seqs(got), lag)
	}
}

// The byte bound counts too: one large event is enough to lag.
func TestHubLagBytes(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{ClientBytes: 1000})
	f, _ := newFilter(Identity{}, &wire.Subscribe{})
	c, _ := h.subscribe(f)
	h.Publish([]wire.Event{{Seq: 1, Type: wire.Output, Data: make([]byte, 2000)}})
	if got, lag := c.take(nil); lag != nil || len(got) != 1 {
		t.Fatalf("one large event: %v, lag %+v; want it delivered", seqs(got), lag)
	}
	h.Publish([]wire.Event{{Seq: 2, Type: wire.State}, {Seq: 3, Type: wire.Output, Data: make([]byte, 2000)}})
	if _, lag := c.take(nil); lag == nil || lag.Resume != 2 {
		t.Fatalf("lag = %+v, want resume 2", lag)
	}
}
