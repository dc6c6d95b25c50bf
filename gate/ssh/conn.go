package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	xssh "golang.org/x/crypto/ssh"
)

// errUnreachable marks errors of the connection to a host (dial,
// handshake, a dropped connection), as opposed to a remote command that ran
// and failed. A job's host that stays unreachable past the grace fails the
// job's node.
var errUnreachable = errors.New("host unreachable")

// Backoff between failed dials of one host: doubled after each failure,
// reset by a success.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// maxSessions bounds the sessions open at once on one connection, below
// OpenSSH's default MaxSessions of 10.
const maxSessions = 8

// conn is the connection to one host: one *xssh.Client shared by every
// session, dialled when first needed, kept alive, and redialled after a
// failure no sooner than the backoff allows. Safe for concurrent use.
type conn struct {
	host Host
	opts *Options
	log  *slog.Logger
	sem  chan struct{}

	uploadMu sync.Mutex // one supervisor upload at a time

	mu      sync.Mutex
	client  *xssh.Client
	gen     int           // counts successful dials
	dialing chan struct{} // closed when the dial in progress ends
	lastErr error         // of the latest failed dial
	retryAt time.Time     // no dial before this after a failure
	backoff time.Duration
	closed  bool
	cached  *hostInfo // what the host said on the latest connection
	ready   bool      // Host.ReadyFile was seen: it stays ready
}

func newConn(h Host, opts *Options) *conn {
	return &conn{
		host: h, opts: opts, log: opts.Logger.With("host", h.Name),
		sem: make(chan struct{}, maxSessions),
	}
}

// get returns the connected client and its generation, dialling if there
// is none. After a failed dial it returns that error, without dialling,
// until the backoff has passed. Errors are errUnreachable.
func (c *conn) get(ctx context.Context) (*xssh.Client, int, error) {
	for {
		c.mu.Lock()
		switch {
		case c.closed:
			c.mu.Unlock()
			return nil, 0, fmt.Errorf("%s: gate closed: %w", c.host.Name, errUnreachable)
		case c.client != nil:
			cl, gen := c.client, c.gen
			c.mu.Unlock()
			return cl, gen, nil
		case c.dialing != nil:
			ch := c.dialing
			c.mu.Unlock()
			select {
			case <-ch:
				c.mu.Lock()
				cl, gen, err := c.client, c.gen, c.lastErr
				c.mu.Unlock()
				if cl != nil {
					return cl, gen, nil
				}
				return nil, 0, err
			case <-ctx.Done():
				return nil, 0, fmt.Errorf("%s: %w: %w", c.host.Name, ctx.Err(), errUnreachable)
			}
		case time.Now().Before(c.retryAt):
			err := c.lastErr
			c.mu.Unlock()
			return nil, 0, err
		}
		c.dialing = make(chan struct{})
		c.mu.Unlock()

		cl, err := c.dial(ctx)
		c.mu.Lock()
		close(c.dialing)
		c.dialing = nil
		if err != nil {
			c.lastErr = fmt.Errorf("%s: %w: %w", c.host.Name, err, errUnreachable)
			c.backoff = min(max(2*c.backoff, minBackoff), maxBackoff)
			c.retryAt = time.Now().Add(c.backoff)
			err = c.lastErr
			c.mu.Unlock()
			c.log.Debug("dial failed", "err", err)
			return nil, 0, err
		}
		if c.closed {
			c.mu.Unlock()
			_ = cl.Close()
			continue
		}
		c.client, c.lastErr, c.backoff, c.retryAt = cl, nil, 0, time.Time{}
		c.gen++
		gen := c.gen
		c.mu.Unlock()
		go c.watch(cl, gen)
		c.log.Debug("connected", "gen", gen)
		return cl, gen, nil
	}
}

// dial opens a new client: TCP, SSH handshake with the host key checked,
// login; bounded by ConnectTimeout.
func (c *conn) dial(ctx context.Context) (*xssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	check, algs, err := hostKeyCheck(c.host)
	if err != nil {
		return nil, err
	}
	auth, release, err := authMethods(c.host)
	if err != nil {
		return nil, err
	}
	defer release()
	dial := c.opts.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	nc, err := dial(ctx, "tcp", c.host.Address)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	cfg := &xssh.ClientConfig{
		User:              c.host.User,
		Auth:              auth,
		HostKeyCallback:   check,
		HostKeyAlgorithms: algs,
		Timeout:           c.opts.ConnectTimeout,
	}
	sc, chans, reqs, err := xssh.NewClientConn(nc, c.host.Address, cfg)
	if !stop() || err != nil {
		_ = nc.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	return xssh.NewClient(sc, chans, reqs), nil
}

// watch keeps the client alive with keepalive@openssh.com requests and
// forgets it once it fails or closes, so the next get redials.
func (c *conn) watch(cl *xssh.Client, gen int) {
	closed := make(chan struct{})
	go func() {
		_ = cl.Wait()
		close(closed)
	}()
	t := time.NewTicker(c.opts.KeepAliveInterval)
	defer t.Stop()
	for {
		select {
		case <-closed:
			c.forget(gen, errors.New("connection closed"))
			return
		case <-t.C:
		}
		replied := make(chan error, 1)
		go func() {
			_, _, err := cl.SendRequest("keepalive@openssh.com", true, nil)
			replied <- err
		}()
		timer := time.NewTimer(c.opts.KeepAliveTimeout)
		select {
		case err := <-replied:
			timer.Stop()
			if err == nil {
				continue
			}
			c.forget(gen, fmt.Errorf("keepalive: %w", err))
		case <-timer.C:
			c.forget(gen, errors.New("keepalive unanswered"))
		case <-closed:
			timer.Stop()
			c.forget(gen, errors.New("connection closed"))
		}
		_ = cl.Close()
		<-closed
		return
	}
}

// ping checks that the host answers on the current connection (dialling
// one if there is none), with a keepalive request; a connection that
// does not answer within KeepAliveTimeout is dropped and dialled once
// more. Errors are errUnreachable.
func (c *conn) ping(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		cl, gen, err := c.get(ctx)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, c.opts.KeepAliveTimeout)
		replied := make(chan error, 1)
		go func() {
			_, _, err := cl.SendRequest("keepalive@openssh.com", true, nil)
			replied <- err
		}()
		select {
		case err = <-replied:
		case <-ctx.Done():
			err = errors.New("keepalive unanswered")
		}
		cancel()
		if err == nil {
			return nil
		}
		c.drop(gen, err)
		if attempt > 0 {
			return fmt.Errorf("%s: %w: %w", c.host.Name, err, errUnreachable)
		}
	}
}

// forget drops the client of generation gen, if it is still the current
// one.
func (c *conn) forget(gen int, why error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil && c.gen == gen {
		_ = c.client.Close()
		c.client = nil
		c.log.Info("connection lost", "err", why)
	}
}

// drop closes the current client after an error showed it is broken.
func (c *conn) drop(gen int, why error) { c.forget(gen, why) }

// state reports whether the host is connected and, if not, the latest
// error.
func (c *conn) state() (up bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client != nil, c.lastErr
}

// close closes the client; later gets fail.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.client != nil {
		_ = c.client.Close()
		c.client = nil
	}
}
