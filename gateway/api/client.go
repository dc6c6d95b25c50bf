package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"

	"skyport/compat"
)

// ErrUnreachable means the daemon could not be contacted at all: no socket,
// nobody listening, or the connection broke before an answer. Shims print
// Slurm's "Unable to contact slurm controller (connect failure)".
var ErrUnreachable = errors.New("api: daemon unreachable")

// Client talks to skyportd over its Unix socket. It is safe for concurrent use.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client for the daemon listening on socket.
func NewClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableCompression: true,
		MaxIdleConns:       4,
	}
	return &Client{socket: socket, hc: &http.Client{Transport: tr}}
}

// Socket returns the path the client connects to.
func (c *Client) Socket() string { return c.socket }

// Ping checks that the daemon answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, http.MethodGet, PathPing, nil, nil)
}

// Submit sends one sbatch submission and returns once the job is on disk.
func (c *Client) Submit(ctx context.Context, req SubmitRequest) (SubmitResponse, error) {
	var resp SubmitResponse
	err := c.call(ctx, http.MethodPost, PathSubmit, req, &resp)
	return resp, err
}

// Scancel cancels or signals the jobs the options select.
func (c *Client) Scancel(ctx context.Context, req ScancelRequest) (ScancelResponse, error) {
	var resp ScancelResponse
	err := c.call(ctx, http.MethodPost, PathScancel, req, &resp)
	return resp, err
}

// Render posts req to one of the rendering endpoints (PathSqueue,
// PathSacct, PathSinfo) and copies the text the daemon renders to w.
func (c *Client) Render(ctx context.Context, path string, req any, w io.Writer) error {
	body, err := c.do(ctx, http.MethodPost, path, req)
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

// do sends the request and returns the body of a 2xx answer. A non-2xx
// answer becomes a *compat.Error carrying the daemon's message and exit code.
func (c *Client) do(ctx context.Context, method, path string, in any) (io.ReadCloser, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("api: encoding %s request: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://skyportd"+path, rd)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp.Body, nil
	}
	defer func() { _ = resp.Body.Close() }()
	var er ErrorResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil || er.Message == "" {
		return nil, &compat.Error{Msg: "skyport: daemon answered " + strconv.Itoa(resp.StatusCode) + "\n", Code: 1}
	}
	if er.Exit == 0 {
		er.Exit = 1
	}
	return nil, &compat.Error{Msg: er.Message, Code: er.Exit}
}
