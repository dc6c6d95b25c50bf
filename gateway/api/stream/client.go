package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocol is the websocket subprotocol of the stream.
const Subprotocol = "skyport.v1"

// ErrRefused is a connection the daemon refused: a wrong token, a
// forbidden Host or Origin, or a bad subscription. Retrying will not help.
var ErrRefused = errors.New("stream: refused")

// ErrStop ends Follow without error when a Handler's function returns it.
var ErrStop = errors.New("stream: stop")

// Dialer connects to the event stream, over the daemon's Unix socket or
// its loopback TCP port.
type Dialer struct {
	// Socket is the daemon's Unix socket; used when URL is empty.
	Socket string
	// URL is the endpoint over TCP (ws://127.0.0.1:PORT/v1/stream) and
	// Token the bearer token for it.
	URL   string
	Token string
}

// Conn is one subscription. Read it from one goroutine.
type Conn struct {
	ws *websocket.Conn
}

// Dial connects and subscribes.
func (d Dialer) Dial(ctx context.Context, sub Subscribe) (*Conn, error) {
	wd := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Subprotocols: []string{Subprotocol}}
	url := d.URL
	hdr := http.Header{}
	if url == "" {
		url = "ws://skyportd" + Path
		sock := d.Socket
		wd.NetDialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var nd net.Dialer
			return nd.DialContext(ctx, "unix", sock)
		}
	}
	if d.Token != "" {
		hdr.Set("Authorization", "Bearer "+d.Token)
	}
	ws, resp, err := wd.DialContext(ctx, url, hdr)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("%w: %s", ErrRefused, resp.Status)
		}
		return nil, fmt.Errorf("stream: connect: %w", err)
	}
	if err := ws.WriteJSON(sub); err != nil {
		_ = ws.Close()
		return nil, fmt.Errorf("stream: subscribe: %w", err)
	}
	return &Conn{ws: ws}, nil
}

// Next returns the next frame. A frame with Error is returned as an error
// wrapping ErrRefused.
func (c *Conn) Next() (Frame, error) {
	var f Frame
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return f, fmt.Errorf("stream: read: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("stream: bad frame: %w", err)
	}
	if f.Error != "" {
		return f, fmt.Errorf("%w: %s", ErrRefused, f.Error)
	}
	return f, nil
}

// Close ends the subscription.
func (c *Conn) Close() error { return c.ws.Close() }

// Handler receives what Follow reads.
type Handler struct {
	// Event gets every event once (Output bytes exactly once, in order);
	// returning ErrStop ends Follow without error, another error ends it
	// with that error.
	Event func(Event) error
	// Notice, if set, gets the frames that carry no events (Ready, Gap,
	// Lagged); its errors end Follow as Event's do.
	Notice func(Frame) error
	// Reconnecting, if set, is told why Follow connects again.
	Reconnecting func(err error)
}

// Follow runs a subscription until ctx ends or h.Event stops it. After the
// first connection, it reconnects whenever the connection breaks or the
// daemon says the client lagged, resuming from the first event it missed
// and from the output offsets it reached, so that nothing is lost (except
// what the daemon no longer keeps, which a Gap frame reports). The daemon
// repeats the current state of each job named in sub.Jobs after every
// (re)connection.
func (d Dialer) Follow(ctx context.Context, sub Subscribe, h Handler) error {
	pos := map[Offset]int64{} // Offset with Offset 0 as the key
	for _, o := range sub.Offsets {
		pos[Offset{JobID: o.JobID, Stream: o.Stream}] = o.Offset
	}
	var last uint64
	from := sub.From
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		s := sub
		s.From = from
		s.Offsets = s.Offsets[:0:0]
		for k, p := range pos {
			s.Offsets = append(s.Offsets, Offset{JobID: k.JobID, Stream: k.Stream, Offset: p})
		}
		c, err := d.Dial(ctx, s)
		if err != nil {
			if attempt == 0 || errors.Is(err, ErrRefused) || ctx.Err() != nil {
				return err
			}
			if h.Reconnecting != nil {
				h.Reconnecting(err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		stop := context.AfterFunc(ctx, func() { _ = c.Close() })
		err = d.read(c, h, pos, &last, &from)
		stop()
		_ = c.Close()
		switch {
		case errors.Is(err, ErrStop):
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrRefused):
			return err
		}
		var he handlerError
		if errors.As(err, &he) {
			return he.err
		}
		backoff = 100 * time.Millisecond
		if h.Reconnecting != nil {
			h.Reconnecting(err)
		}
	}
}

// handlerError carries an error of the Handler's Event function.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }

// read reads frames until the connection ends, keeping last (the newest
// sequence number), from (where to resume) and pos (output offsets).
func (d Dialer) read(c *Conn, h Handler, pos map[Offset]int64, last, from *uint64) error {
	for {
		f, err := c.Next()
		if err != nil {
			return err
		}
		for _, ev := range f.Events {
			if ev.Type == Output {
				k := Offset{JobID: ev.JobID, Stream: ev.Stream}
				end := ev.Offset + int64(len(ev.Data))
				if p, ok := pos[k]; ok {
					if end <= p {
						continue
					}
					if ev.Offset < p {
						ev.Data, ev.Offset = ev.Data[p-ev.Offset:], p
					}
				}
				pos[k] = end
			}
			if ev.Type == Finished {
				delete(pos, Offset{JobID: ev.JobID, Stream: Stdout})
				delete(pos, Offset{JobID: ev.JobID, Stream: Stderr})
			}
			*last = max(*last, ev.Seq)
			*from = *last + 1
			if err := h.Event(ev); err != nil {
				if errors.Is(err, ErrStop) {
					return err
				}
				return handlerError{err}
			}
		}
		switch {
		case f.Ready != nil:
			*from = max(*from, f.Ready.Seq+1)
		case f.Lagged != nil:
			*from = f.Lagged.Resume
		}
		if h.Notice != nil && (f.Ready != nil || f.Gap != nil || f.Lagged != nil) {
			if err := h.Notice(f); err != nil {
				if errors.Is(err, ErrStop) {
					return err
				}
				return handlerError{err}
			}
		}
	}
}
