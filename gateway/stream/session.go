package stream

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/websocket"

	wire "skyport/gateway/api/stream"
	"skyport/queue"
)

// Jobs is what the handler asks the daemon about jobs.
type Jobs interface {
	// OutputFiles returns the output files of a job that has started and
	// its owner's uid; ok is false for a job unknown or not started.
	OutputFiles(id uint32) (files Files, uid uint32, ok bool)
	// Snapshot returns a job's current state as an event: Type State, or
	// Finished with its Exit for a job that ended.
	Snapshot(id uint32) (wire.Event, bool)
}

// HandlerOptions configure the websocket handler.
type HandlerOptions struct {
	// Identify says who the caller is, or refuses it.
	Identify func(r *http.Request) (Identity, error)
	Jobs     Jobs
}

// Subprotocol is the websocket subprotocol the handler speaks.
const Subprotocol = "skyport.v1"

const (
	subscribeWait = 10 * time.Second
	writeWait     = 10 * time.Second
	pongWait      = 75 * time.Second
	pingEvery     = 30 * time.Second
	maxFrame      = 1 << 20 // a frame closes once it passes this many bytes
	maxTracked    = 4096    // output streams one session fills gaps of
)

// upgrader accepts every origin: the TCP listener's Guard checks Origin
// and Host before the handler runs, and the Unix socket is the user's own.
var upgrader = websocket.Upgrader{
	ReadBufferSize: 4 << 10, WriteBufferSize: 64 << 10,
	Subprotocols: []string{Subprotocol},
	CheckOrigin:  func(*http.Request) bool { return true },
}

// Handler returns the websocket endpoint of the service.
func (s *Service) Handler(o HandlerOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, err := o.Identify(r)
		if err != nil {
			http.Error(w, "skyport: "+err.Error(), http.StatusForbidden)
			return
		}
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade answered
		}
		defer func() { _ = conn.Close() }()
		ss := &session{svc: s, conn: conn, who: who, jobs: o.Jobs, pos: map[streamKey]int64{}}
		ss.serve()
	})
}

// streamKey names one output stream of a job.
type streamKey struct {
	job    uint32
	stream string
}

// session is one websocket client: it replays what it asked for, then
// writes its hub queue, merging queued events into frames, and fills
// gaps in the output it follows from the jobs' files.
type session struct {
	svc  *Service
	conn *websocket.Conn
	who  Identity
	jobs Jobs
	f    *filter

	pos     map[streamKey]int64 // the next output byte to send, per stream
	lastSeq uint64              // the newest event sent (or replayed past)
	frame   []byte              // the frame being built
	count   int                 // events in frame
	err     error               // the first write error
}

func (ss *session) serve() {
	conn := ss.conn
	conn.SetReadLimit(1 << 20)
	_ = conn.SetReadDeadline(time.Now().Add(subscribeWait))
	var sub wire.Subscribe
	if err := conn.ReadJSON(&sub); err != nil {
		return
	}
	f, err := newFilter(ss.who, &sub)
	if err != nil {
		ss.notice(wire.Frame{Error: err.Error()})
		return
	}
	ss.f = f
	c, head := ss.svc.hub.subscribe(f)
	defer ss.svc.hub.unsubscribe(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ss.read(cancel)

	ss.lastSeq = head
	for _, o := range sub.Offsets {
		if f.jobs == nil || f.jobs[o.JobID] {
			ss.pos[streamKey{o.JobID, o.Stream}] = o.Offset
		}
	}
	ss.replay(ctx, sub.From, head)
	ss.lastSeq = max(ss.lastSeq, head)
	for _, id := range sub.Jobs {
		if ev, ok := ss.jobs.Snapshot(id); ok && f.visible(ev.UID) {
			ev.Seq = ss.lastSeq
			ss.add(encode(&ev))
		}
	}
	for k, p := range ss.pos {
		ss.fill(k, p, -1)
	}
	ss.flush()
	ss.notice(wire.Frame{Ready: &wire.Ready{Seq: head}})

	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	var buf []item
	for ss.err == nil {
		select {
		case <-ctx.Done():
			return
		case <-ss.svc.done:
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseGoingAway, "skyportd stopping"), time.Now().Add(time.Second))
			return
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-c.wake:
			items, lag := c.take(buf)
			if lag != nil {
				ss.notice(wire.Frame{Lagged: lag})
				if lag.Closing {
					_ = conn.WriteControl(websocket.CloseMessage,
						websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "lagged"), time.Now().Add(time.Second))
					return
				}
			}
			for _, it := range items {
				ss.add(it)
			}
			ss.flush()
			buf = items
		}
	}
}

// read discards what the client sends after its subscription (it must
// read to see pongs and the close), and cancels when the connection ends.
func (ss *session) read(cancel func()) {
	defer cancel()
	_ = ss.conn.SetReadDeadline(time.Now().Add(pongWait))
	ss.conn.SetPongHandler(func(string) error { return ss.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := ss.conn.NextReader(); err != nil {
			return
		}
	}
}

// replay sends the events from..to that the filter matches: the older
// ones from the log (which has every event but Output), the newer from the
// hub's memory.
func (ss *session) replay(ctx context.Context, from, to uint64) {
	if from == 0 || from > to {
		return
	}
	items, oldest := ss.svc.hub.recent(from, to)
	if from < oldest {
		if floor := ss.svc.opts.Log.Floor(); from < floor {
			ss.flush()
			ss.notice(wire.Frame{Gap: &wire.Gap{From: from, To: floor}})
			from = floor
		}
		err := ss.svc.opts.Log.Read(ctx, from, func(rec queue.EventRecord) bool {
			if rec.Seq >= oldest {
				return false
			}
			ev := new(wire.Event)
			if json.Unmarshal(rec.Data, ev) == nil && ss.f.match(ev) {
				ss.add(item{ev: ev, raw: rec.Data})
			}
			return ss.err == nil
		})
		if err != nil && ss.err == nil {
			ss.err = err
		}
	}
	for _, it := range items {
		if ss.f.match(it.ev) {
			ss.add(it)
		}
	}
}

// add sends one event (into the frame being built), keeping the output
// the session follows exact: no byte twice, no gap (filled from the file),
// and every byte of a job's output before its Finished event.
func (ss *session) add(it item) {
	ev := it.ev
	switch ev.Type {
	case wire.Output:
		k := streamKey{ev.JobID, ev.Stream}
		end := ev.Offset + int64(len(ev.Data))
		p, tracked := ss.pos[k]
		switch {
		case !tracked:
			if len(ss.pos) >= maxTracked {
				clear(ss.pos)
			}
		case end <= p:
			return // sent already
		case ev.Offset > p:
			ss.fill(k, p, ev.Offset)
		case ev.Offset < p:
			cut := *ev
			cut.Data, cut.Offset = ev.Data[p-ev.Offset:], p
			it = encode(&cut)
		}
		ss.pos[k] = end
	case wire.Finished:
		if ev.Exit != nil {
			for _, k := range []streamKey{{ev.JobID, wire.Stdout}, {ev.JobID, wire.Stderr}} {
				size := ev.Exit.StdoutSize
				if k.stream == wire.Stderr {
					size = ev.Exit.StderrSize
				}
				if p, ok := ss.pos[k]; ok && p < size {
					ss.fill(k, p, size)
				}
				delete(ss.pos, k)
			}
		}
	}
	ss.lastSeq = max(ss.lastSeq, ev.Seq)
	ss.emit(it.raw)
}

// fill sends stream k's bytes from..to (to < 0: to the end of the file)
// read back from the job's file, and moves the stream's position on.
func (ss *session) fill(k streamKey, from, to int64) {
	files, uid, ok := ss.jobs.OutputFiles(k.job)
	if !ok || !ss.f.visible(uid) {
		return
	}
	path := files.Stdout
	if k.stream == wire.Stderr {
		if path = files.Stderr; path == "" {
			return
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		return
	}
	defer func() { _ = fh.Close() }()
	now := ss.svc.opts.Now()
	for ss.err == nil && (to < 0 || from < to) {
		n := int64(chunkSize)
		if to >= 0 {
			n = min(n, to-from)
		}
		buf := make([]byte, n)
		got, err := fh.ReadAt(buf, from)
		if got > 0 {
			ev := &wire.Event{Seq: ss.lastSeq, Type: wire.Output, Time: now, JobID: k.job, UID: uid,
				Stream: k.stream, Offset: from, Data: buf[:got]}
			ss.emit(encode(ev).raw)
			from += int64(got)
			ss.pos[k] = from
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				ss.err = err
			}
			return
		}
	}
}

// emit adds an encoded event to the frame being built, sending the frame
// when it is full.
func (ss *session) emit(raw []byte) {
	if ss.count == 0 {
		ss.frame = append(ss.frame[:0], `{"events":[`...)
	} else {
		ss.frame = append(ss.frame, ',')
	}
	ss.frame = append(ss.frame, raw...)
	ss.count++
	if len(ss.frame) >= maxFrame {
		ss.flush()
	}
}

// flush sends the frame being built, if any.
func (ss *session) flush() {
	if ss.count == 0 || ss.err != nil {
		return
	}
	ss.frame = append(ss.frame, "]}"...)
	ss.count = 0
	ss.write(ss.frame)
}

// notice sends a frame without events.
func (ss *session) notice(f wire.Frame) {
	b, err := json.Marshal(f)
	if err == nil {
		ss.write(b)
	}
}

func (ss *session) write(b []byte) {
	if ss.err != nil {
		return
	}
	_ = ss.conn.SetWriteDeadline(time.Now().Add(writeWait))
	ss.err = ss.conn.WriteMessage(websocket.TextMessage, b)
}
