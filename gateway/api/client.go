package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"skyport/compat"
)

// ErrUnreachable means the daemon could not be contacted at all: no socket,
// nobody listening, or the connection broke before an answer. Shims print
// Slurm's "Unable to contact slurm controller (connect failure)".
var ErrUnreachable = errors.New("api: daemon unreachable")

// Client talks to skyportd over its Unix socket. It is safe for concurrent
// use. It speaks plain HTTP/1.1, one request per connection, without
// net/http: the shims link it, and every millisecond of their start-up is
// seen by the scripts and tools that call them in loops.
type Client struct {
	socket string
}

// NewClient returns a client for the daemon listening on socket.
func NewClient(socket string) *Client { return &Client{socket: socket} }

// Socket returns the path the client connects to.
func (c *Client) Socket() string { return c.socket }

// Ping checks that the daemon answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, "GET", PathPing, nil, nil)
}

// Submit sends one sbatch submission and returns once the job is on disk.
func (c *Client) Submit(ctx context.Context, req SubmitRequest) (SubmitResponse, error) {
	var resp SubmitResponse
	err := c.call(ctx, "POST", PathSubmit, req, &resp)
	return resp, err
}

// Scancel cancels or signals the jobs the options select.
func (c *Client) Scancel(ctx context.Context, req ScancelRequest) (ScancelResponse, error) {
	var resp ScancelResponse
	err := c.call(ctx, "POST", PathScancel, req, &resp)
	return resp, err
}

// Wait blocks until the job has ended (sbatch --wait); ctx bounds it.
func (c *Client) Wait(ctx context.Context, req WaitRequest) (WaitResponse, error) {
	var resp WaitResponse
	err := c.call(ctx, "POST", PathWait, req, &resp)
	return resp, err
}

// Scontrol runs one scontrol command in the daemon.
func (c *Client) Scontrol(ctx context.Context, req ScontrolRequest) (ScontrolResponse, error) {
	var resp ScontrolResponse
	err := c.call(ctx, "POST", PathScontrol, req, &resp)
	return resp, err
}

// LookupUser resolves a user name through the daemon's name service.
func (c *Client) LookupUser(ctx context.Context, name string) (UserResponse, error) {
	var resp UserResponse
	err := c.call(ctx, "POST", PathUser, UserRequest{Name: name}, &resp)
	return resp, err
}

// Render posts req to one of the rendering endpoints (PathSqueue,
// PathSacct, PathSinfo) and copies the text the daemon renders to w.
func (c *Client) Render(ctx context.Context, path string, req any, w io.Writer) error {
	body, err := c.do(ctx, "POST", path, req)
	if err != nil {
		return err
	}
	defer func() { _ = body.Close() }()
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("%w: reading %s: %w", ErrUnreachable, path, err)
	}
	return nil
}

// call does one JSON request and decodes a JSON answer into out (if not nil).
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	body, err := c.do(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer func() { _ = body.Close() }()
	if out == nil {
		_, _ = io.Copy(io.Discard, body)
		return nil
	}
	if err := json.NewDecoder(body).Decode(out); err != nil {
		return fmt.Errorf("%w: decoding %s answer: %w", ErrUnreachable, path, err)
	}
	return nil
}

// do sends one request on a new connection and returns the body of a 2xx
// answer. A non-2xx answer becomes a *compat.Error carrying the daemon's
// message and exit code.
func (c *Client) do(ctx context.Context, method, path string, in any) (io.ReadCloser, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("api: encoding %s request: %w", path, err)
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	rc, err := exchange(conn, method, path, body)
	if err != nil {
		stop()
		_ = conn.Close()
		return nil, err
	}
	return &connBody{Reader: rc, conn: conn, stop: stop}, nil
}

// exchange writes the request and reads the answer's head; it returns the
// body reader of a 2xx answer, or the error the answer stands for.
func exchange(conn net.Conn, method, path string, body []byte) (io.Reader, error) {
	var req bytes.Buffer
	req.Grow(128 + len(body))
	req.WriteString(method + " " + path + " HTTP/1.1\r\nHost: skyportd\r\nConnection: close\r\n")
	if body != nil {
		req.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	req.WriteString("\r\n")
	req.Write(body)
	if _, err := conn.Write(req.Bytes()); err != nil {
		return nil, fmt.Errorf("%w: sending %s: %w", ErrUnreachable, path, err)
	}
	br := bufio.NewReaderSize(conn, 32<<10)
	status, length, chunked, err := readHead(br)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s answer: %w", ErrUnreachable, path, err)
	}
	var rd io.Reader = br
	switch {
	case chunked:
		rd = &chunkedReader{r: br}
	case length >= 0:
		rd = &lengthReader{r: br, left: length}
	}
	if status/100 == 2 {
		return rd, nil
	}
	var er ErrorResponse
	if err := json.NewDecoder(rd).Decode(&er); err != nil || er.Message == "" {
		return nil, &compat.Error{Msg: "skyport: daemon answered " + strconv.Itoa(status) + "\n", Code: 1}
	}
	if er.Exit == 0 {
		er.Exit = 1
	}
	return nil, &compat.Error{Msg: er.Message, Code: er.Exit}
}

// readHead reads an HTTP/1.1 status line and headers. length is -1 when
// the answer has no Content-Length (it then ends with the connection).
func readHead(br *bufio.Reader) (status int, length int64, chunked bool, err error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return 0, 0, false, err
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") {
		return 0, 0, false, fmt.Errorf("bad status line %q", strings.TrimSpace(line))
	}
	if status, err = strconv.Atoi(f[1]); err != nil {
		return 0, 0, false, fmt.Errorf("bad status line %q", strings.TrimSpace(line))
	}
	length = -1
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return 0, 0, false, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return status, length, chunked, nil
		}
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "content-length":
			if length, err = strconv.ParseInt(v, 10, 64); err != nil || length < 0 {
				return 0, 0, false, fmt.Errorf("bad Content-Length %q", v)
			}
		case "transfer-encoding":
			chunked = strings.EqualFold(v, "chunked")
		}
	}
}

// chunkedReader decodes an HTTP/1.1 chunked body.
type chunkedReader struct {
	r    *bufio.Reader
	left int64 // bytes left in the current chunk
	done bool
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		size, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(size, 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad chunk size %q", size)
		}
		if n == 0 {
			c.done = true
			return 0, io.EOF
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left == 0 && err == nil {
		// Each chunk ends with CRLF.
		if _, err := c.r.Discard(2); err != nil {
			return n, io.ErrUnexpectedEOF
		}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// lengthReader reads a body of Content-Length bytes; a connection that
// ends before them is an error, never a silently short body.
type lengthReader struct {
	r    io.Reader
	left int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if errors.Is(err, io.EOF) && l.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// connBody is an answer's body; closing it closes the connection.
type connBody struct {
	io.Reader
	conn net.Conn
	stop func() bool
}

func (b *connBody) Close() error {
	b.stop()
	return b.conn.Close()
}
