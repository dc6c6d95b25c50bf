package stream

import (
	"sync"

	wire "skyport/gateway/api/stream"
)

// sub is one client's queue in the hub: the events that matched its
// filter and wait to be written. The hub appends (offer), the client's
// writer takes (take); the queue is bounded, so a client that does not
// keep up loses its queue and is told where to resume.
type sub struct {
	f     *filter
	after uint64 // events up to after are the replay's, not the queue's
	max   int
	maxB  int
	wake  chan struct{}

	mu     sync.Mutex // guards the fields below
	q      []item
	qBytes int
	lagged bool   // a lag not yet reported
	resume uint64 // the first event the lag lost
	dead   bool   // lagged in close mode: takes nothing more
}

func newSub(f *filter, after uint64, o HubOptions) *sub {
	return &sub{
		f: f, after: after, max: o.ClientEvents, maxB: o.ClientBytes,
		wake: make(chan struct{}, 1),
	}
}

// offer queues the items the client's filter matches and wakes its writer.
func (c *sub) offer(items []item) {
	added := false
	c.mu.Lock()
	for i := range items {
		it := &items[i]
		if c.dead {
			break
		}
		if it.ev.Seq <= c.after || !c.f.match(it.ev) {
			continue
		}
		// One event always fits: a large one alone does not lag a client.
		if len(c.q) > 0 && (len(c.q) >= c.max || c.qBytes+len(it.raw) > c.maxB) {
			if !c.lagged {
				c.lagged = true
				c.resume = it.ev.Seq
				if len(c.q) > 0 {
					c.resume = c.q[0].ev.Seq
				}
			}
			clear(c.q)
			c.q, c.qBytes = c.q[:0], 0
			added = true
			if !c.f.skip {
				c.dead = true
				break
			}
		}
		c.q = append(c.q, *it)
		c.qBytes += len(it.raw)
		added = true
	}
	c.mu.Unlock()
	if added {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// take returns the queued items (in buf's place: the caller passes back
// the slice it is done with) and the lag to report first, if any; a lag
// with Closing set means the client must be disconnected after it.
func (c *sub) take(buf []item) (items []item, lag *wire.Lagged) {
	clear(buf)
	c.mu.Lock()
	defer c.mu.Unlock()
	items, c.q, c.qBytes = c.q, buf[:0], 0
	if c.lagged {
		lag = &wire.Lagged{Resume: c.resume, Closing: c.dead}
		c.lagged = false
	}
	return items, lag
}
