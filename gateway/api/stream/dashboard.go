package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// DashboardPath is the endpoint, on the daemon's Unix socket, that gives
// the daemon's owner the address of the dashboard with the token.
const DashboardPath = "/v1/dashboard"

// Dashboard is DashboardPath's answer.
type Dashboard struct {
	// URL opens the dashboard: http://127.0.0.1:PORT/#token=TOKEN. The
	// token is in the fragment, which a browser never sends to a server;
	// the page keeps it in the tab's sessionStorage.
	URL string `json:"url"`
}

// ErrNoDashboard is a daemon without the loopback TCP listener, which
// serves the dashboard.
var ErrNoDashboard = errors.New("stream: no dashboard: set tcp in the [stream] table of skyportd's configuration")

// DashboardURL asks the daemon on socket for the dashboard's address.
// Only the daemon's user (and root) get it: the token in it lets its
// holder watch every job that user may see. Errors wrap ErrNoDashboard
// or ErrRefused when the daemon says so.
func DashboardURL(ctx context.Context, socket string) (string, error) {
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://skyportd"+DashboardPath, nil)
	if err != nil {
		return "", fmt.Errorf("stream: dashboard: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("stream: dashboard: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("stream: dashboard: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var d Dashboard
		if err := json.Unmarshal(body, &d); err != nil || d.URL == "" {
			return "", fmt.Errorf("stream: dashboard: bad answer %q", body)
		}
		return d.URL, nil
	case http.StatusNotFound:
		return "", ErrNoDashboard
	case http.StatusForbidden:
		return "", fmt.Errorf("%w: %s", ErrRefused, message(body))
	}
	return "", fmt.Errorf("stream: dashboard: %s: %s", resp.Status, message(body))
}

// message is the text of the daemon's error answer (api.ErrorResponse).
func message(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return strings.TrimSpace(e.Message)
	}
	return strings.TrimSpace(string(body))
}
