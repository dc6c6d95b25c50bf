// Package stream is skyportd's event stream: a hub that fans events out to
// websocket clients, each with its own filter and a bounded buffer; a
// service that numbers the events, keeps them in the queue's event log for
// clients that resume, and follows the output files of running jobs; the
// websocket handler; and the checks that guard the loopback TCP listener
// (bearer token, Host, Origin).
//
// A slow client never stalls the others: the hub only appends to a
// client's queue, and a client whose queue overflows gets a Lagged frame
// telling it where to resume. Queued events go out merged into frames.
package stream

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	wire "skyport/gateway/api/stream"
)

// HubOptions bound the hub's memory; zero values take the defaults.
type HubOptions struct {
	// Ring and RingBytes bound the recent events kept in memory for
	// clients that resume (older ones come from the event log).
	Ring      int
	RingBytes int
	// ClientEvents and ClientBytes bound one client's queue; a client
	// that falls further behind has lagged.
	ClientEvents int
	ClientBytes  int
}

// Defaults of HubOptions.
const (
	DefaultRing         = 4096
	DefaultRingBytes    = 16 << 20
	DefaultClientEvents = 4096
	DefaultClientBytes  = 8 << 20
)

func (o HubOptions) withDefaults() HubOptions {
	if o.Ring <= 0 {
		o.Ring = DefaultRing
	}
	if o.RingBytes <= 0 {
		o.RingBytes = DefaultRingBytes
	}
	if o.ClientEvents <= 0 {
		o.ClientEvents = DefaultClientEvents
	}
	if o.ClientBytes <= 0 {
		o.ClientBytes = DefaultClientBytes
	}
	return o
}

// item is one published event with its JSON encoding, shared by every
// client: the event is never changed after Publish.
type item struct {
	ev  *wire.Event
	raw []byte
}

// Hub fans published events out to subscribed clients. Its methods are
// safe for concurrent use.
type Hub struct {
	opts  HubOptions
	pubMu sync.Mutex // serializes Publish: clients see events in order

	mu      sync.Mutex // guards the fields below
	ring    []item     // circular: ring[(start+i)%len(ring)], i < n
	start   int
	n       int
	bytes   int
	head    uint64 // the newest published sequence number
	clients []*sub // replaced, never changed in place

	outputs atomic.Int32 // clients that take Output events
}

// NewHub returns an empty hub.
func NewHub(opts HubOptions) *Hub {
	opts = opts.withDefaults()
	return &Hub{opts: opts, ring: make([]item, opts.Ring)}
}

// Head returns the sequence number of the newest published event.
func (h *Hub) Head() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// WantsOutput reports whether any client takes Output events.
func (h *Hub) WantsOutput() bool { return h.outputs.Load() > 0 }

// Publish encodes evs and hands them to every client whose filter
// matches. Their sequence numbers must increase, also from one call to the
// next. Publish never blocks on a client. The hub keeps the events: the
// caller must not change them afterwards.
func (h *Hub) Publish(evs []wire.Event) {
	if len(evs) == 0 {
		return
	}
	items := make([]item, len(evs))
	for i := range evs {
		items[i] = encode(&evs[i])
	}
	h.publish(items)
}

// encode makes the item of ev.
func encode(ev *wire.Event) item {
	raw, err := json.Marshal(ev)
	if err != nil { // an Event always encodes; keep the stream going
		raw = []byte(`{}`)
	}
	return item{ev: ev, raw: raw}
}

// publish is Publish of encoded events.
func (h *Hub) publish(items []item) {
	if len(items) == 0 {
		return
	}
	h.pubMu.Lock()
	defer h.pubMu.Unlock()
	h.mu.Lock()
	for _, it := range items {
		h.push(it)
	}
	h.head = max(h.head, items[len(items)-1].ev.Seq)
	clients := h.clients
	h.mu.Unlock()
	for _, c := range clients {
		c.offer(items)
	}
}

// push adds it to the ring, evicting the oldest beyond the bounds; the
// caller holds h.mu.
func (h *Hub) push(it item) {
	for h.n > 0 && (h.n == len(h.ring) || h.bytes+len(it.raw) > h.opts.RingBytes) {
		old := &h.ring[h.start]
		h.bytes -= len(old.raw)
		*old = item{}
		h.start = (h.start + 1) % len(h.ring)
		h.n--
	}
	h.ring[(h.start+h.n)%len(h.ring)] = it
	h.n++
	h.bytes += len(it.raw)
}

// subscribe registers a client with filter f. The client gets every
// matching event published after head, which subscribe returns.
func (h *Hub) subscribe(f *filter) (*sub, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := newSub(f, h.head, h.opts)
	h.clients = append(h.clients[:len(h.clients):len(h.clients)], c)
	if f.wantsOutput() {
		h.outputs.Add(1)
	}
	return c, h.head
}

// unsubscribe removes a client; it gets nothing more.
func (h *Hub) unsubscribe(c *sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.clients {
		if x == c {
			cl := make([]*sub, 0, len(h.clients)-1)
			cl = append(cl, h.clients[:i]...)
			h.clients = append(cl, h.clients[i+1:]...)
			if c.f.wantsOutput() {
				h.outputs.Add(-1)
			}
			return
		}
	}
}

// recent returns the kept events from from up to to (inclusive), and
// oldest, the sequence number of the oldest kept event (to+1 when none is
// kept): events below oldest must come from the log.
func (h *Hub) recent(from, to uint64) (items []item, oldest uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	oldest = to + 1
	for i := range h.n {
		it := h.ring[(h.start+i)%len(h.ring)]
		seq := it.ev.Seq
		if i == 0 {
			oldest = min(oldest, seq)
		}
		if seq >= from && seq <= to {
			items = append(items, it)
		}
	}
	return items, oldest
}
