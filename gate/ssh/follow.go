package ssh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"skyport/gate"
)

// minPoll is the pause between two looks at a job that just changed.
const minPoll = 25 * time.Millisecond

// follower watches one run until its exit is recorded here: it copies
// output back and notices the end (or that the host stayed unreachable).
type follower struct {
	host string
	done chan struct{}
	exit gate.Exit // valid once done, when err is nil
	err  error
}

// follow returns the follower of the run, starting one unless it runs.
// On a closed gate it returns a follower done with errClosed.
func (g *Gate) follow(h handle) *follower {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f := g.followers[h.Run]; f != nil {
		return f
	}
	f := &follower{host: h.Host, done: make(chan struct{})}
	if g.closed.Load() {
		f.err = errClosed
		close(f.done)
		return f
	}
	g.followers[h.Run] = f
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f.exit, f.err = g.followRun(h)
		g.mu.Lock()
		delete(g.followers, h.Run)
		g.mu.Unlock()
		close(f.done)
	}()
	return f
}

// active counts the runs followed on a host: those not known to be over.
func (g *Gate) active(host string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, f := range g.followers {
		if f.host == host {
			n++
		}
	}
	return n
}

// followRun polls the run until it ends, copying output meanwhile; it
// polls sooner while output flows. A host unreachable for longer than
// NodeFailGrace ends the run with gate.CauseNodeFail.
func (g *Gate) followRun(h handle) (gate.Exit, error) {
	c, err := g.host(h.Host)
	if err != nil {
		return gate.Exit{}, fmt.Errorf("ssh: run %s: %w: %w", h.Run, err, gate.ErrNotFound)
	}
	log := g.log.With("run", h.Run, "host", h.Host)
	interval := minPoll
	var downSince time.Time
	for {
		if g.ctx.Err() != nil {
			return gate.Exit{}, errClosed
		}
		done, e, progress, err := g.step(g.ctx, c, h)
		if done {
			return e, err
		}
		switch {
		case err == nil:
			downSince = time.Time{}
		case errors.Is(err, errUnreachable) && g.ctx.Err() == nil:
			if downSince.IsZero() {
				downSince = time.Now()
				log.Warn("host unreachable", "err", err)
			}
			if time.Since(downSince) > g.opts.NodeFailGrace {
				return g.nodeFail(h, err)
			}
		case g.ctx.Err() == nil:
			log.Warn("follow run", "err", err)
		}
		if progress {
			interval = minPoll
		} else {
			interval = min(interval*3/2, g.opts.PollInterval)
		}
		select {
		case <-g.ctx.Done():
		case <-time.After(interval):
		}
	}
}

// step looks at the run once: it copies new output and, when the run has
// ended, the rest of it, and records the exit. done reports that the run
// is over for the follower (ended, or gone: then err says how).
func (g *Gate) step(ctx context.Context, c *conn, h handle) (done bool, e gate.Exit, progress bool, err error) {
	defer g.locks.Lock(h.Run)()
	rec, err := g.store.load(h.Run)
	switch {
	case err != nil:
		return false, e, false, err
	case rec == nil:
		return true, e, false, errMissing(h.Run)
	case rec.Exit != nil:
		return true, *rec.Exit, false, nil
	}
	args := append([]string{h.Dir, fmt.Sprint(h.PID), fmt.Sprint(h.Ticks)}, pathsOf(rec.Streams)...)
	out, err := c.output(ctx, scriptArgs(statusScript, args...), nil)
	if err != nil {
		return false, e, false, err
	}
	st, sizes, exitJSON, err := parseStatus(out, len(rec.Streams))
	if err != nil {
		return false, e, false, err
	}
	before := offsets(rec)
	progress, err = g.syncStreams(ctx, c, rec, sizes, st == "ended")
	if progress {
		if serr := g.store.save(h.Run, rec, false); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil {
		return false, e, progress, err
	}
	switch st {
	case "running":
		return false, e, progress || !equalInts(before, offsets(rec)), nil
	case "lost":
		return true, e, false, errLost(h.Run)
	case "missing":
		return true, e, false, errMissing(h.Run)
	}
	if err := json.Unmarshal(exitJSON, &e); err != nil {
		return false, e, false, fmt.Errorf("decode exit.json: %w", err)
	}
	rec.Exit = &e
	if err := g.store.save(h.Run, rec, true); err != nil {
		return false, gate.Exit{}, false, fmt.Errorf("record exit: %w", err)
	}
	return true, e, true, nil
}

// nodeFail records that the run's host stayed unreachable: the job's end
// is unknown.
func (g *Gate) nodeFail(h handle, why error) (gate.Exit, error) {
	defer g.locks.Lock(h.Run)()
	rec, err := g.store.load(h.Run)
	if err != nil || rec == nil {
		return gate.Exit{}, errors.Join(err, errMissing(h.Run))
	}
	if rec.Exit != nil {
		return *rec.Exit, nil
	}
	now := time.Now()
	e := gate.Exit{
		Cause:  gate.CauseNodeFail,
		Detail: fmt.Sprintf("host %s unreachable for more than %v: %v", h.Host, g.opts.NodeFailGrace, why),
		Start:  rec.Started,
		End:    now,
	}
	rec.Exit = &e
	if err := g.store.save(h.Run, rec, true); err != nil {
		return gate.Exit{}, fmt.Errorf("ssh: run %s: record node failure: %w", h.Run, err)
	}
	g.log.Error("node failure", "run", h.Run, "host", h.Host, "err", why)
	return e, nil
}

// parseStatus reads statusScript's output.
func parseStatus(out []byte, n int) (state string, sizes []int64, exitJSON []byte, err error) {
	line, rest, _ := bytes.Cut(out, []byte("\n"))
	state, sz, _ := strings.Cut(string(line)+" ", " ")
	switch state {
	case "ended", "running", "lost", "missing":
	default:
		return "", nil, nil, fmt.Errorf("bad run status %q", line)
	}
	sizes, err = parseSizes(sz, n)
	return state, sizes, rest, err
}

func offsets(r *record) []int64 {
	out := make([]int64, len(r.Streams))
	for i, s := range r.Streams {
		out[i] = s.Offset
	}
	return out
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// errLost is the gate.ErrNotFound of a run whose supervisor died without
// recording an exit.
func errLost(run string) error {
	return fmt.Errorf("ssh: run %s: supervisor ended without recording an exit: %w", run, gate.ErrNotFound)
}

// errMissing is the gate.ErrNotFound of a run this gate does not hold.
func errMissing(run string) error {
	return fmt.Errorf("ssh: run %s: %w", run, gate.ErrNotFound)
}
