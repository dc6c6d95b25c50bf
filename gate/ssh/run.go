package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	xssh "golang.org/x/crypto/ssh"
)

// errNotRun marks a Run whose command certainly did not start on the host
// (no session could be opened, or the exec request failed).
var errNotRun = errors.New("command not started")

// exitError is a remote command that ran and exited non-zero.
type exitError struct {
	Code   int
	Stderr string
}

func (e *exitError) Error() string {
	if e.Stderr == "" {
		return fmt.Sprintf("remote command exited %d", e.Code)
	}
	return fmt.Sprintf("remote command exited %d: %s", e.Code, e.Stderr)
}

// exitCode returns the exit status of a remote command that ran and
// failed, or -1.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return -1
}

// Run runs the POSIX shell script cmd on the host, with stdin and stdout
// attached (nil: none), and returns once it exited: nil for exit status 0,
// an *exitError carrying the end of stderr otherwise, and an
// errUnreachable error when the connection failed. When ctx ends the
// session is closed (the remote command may go on). It implements
// mirror.Remote.
func (c *conn) Run(ctx context.Context, cmd string, stdin io.Reader, stdout io.Writer) error {
	cl, gen, err := c.get(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", err, errNotRun)
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ctx.Err(), errNotRun)
	}
	sess, err := cl.NewSession()
	if err != nil {
		c.drop(gen, err)
		return fmt.Errorf("%s: new session: %w: %w: %w", c.host.Name, err, errNotRun, errUnreachable)
	}
	defer func() { _ = sess.Close() }()
	if stdin != nil {
		sess.Stdin = stdin
	}
	if stdout != nil {
		sess.Stdout = stdout
	}
	stderr := &tailBuffer{max: 2048}
	sess.Stderr = stderr
	// The login shell may be any shell: hand the script to sh.
	if err := sess.Start("exec /bin/sh -c " + quote(cmd)); err != nil {
		c.drop(gen, err)
		return fmt.Errorf("%s: start command: %w: %w: %w", c.host.Name, err, errNotRun, errUnreachable)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = sess.Close()
		if werr := <-done; werr != nil {
			c.log.Debug("session closed by cancellation", "err", werr)
		}
		return ctx.Err()
	}
	var ee *xssh.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		if ee.Signal() != "" {
			return &exitError{Code: 128, Stderr: "killed by SIG" + ee.Signal() + ": " + stderr.String()}
		}
		return &exitError{Code: ee.ExitStatus(), Stderr: stderr.String()}
	}
	// No exit status: the connection went away under the session.
	c.drop(gen, err)
	return fmt.Errorf("%s: session: %w: %w", c.host.Name, err, errUnreachable)
}

// output runs cmd with stdin and returns its stdout.
func (c *conn) output(ctx context.Context, cmd string, stdin io.Reader) ([]byte, error) {
	var out bytes.Buffer
	err := c.Run(ctx, cmd, stdin, &out)
	return out.Bytes(), err
}

// quote makes s one word for a POSIX shell.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}
