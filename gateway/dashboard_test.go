package gateway

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	wire "skyport/gateway/api/stream"
)

// The dashboard: its address with the token comes over the Unix socket;
// its pages are served on the TCP listener without the token but only to
// the listener's own Host, while the stream there still needs the token.
func TestDashboard(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, streamConfig(t), "")
	url, err := wire.DashboardURL(t.Context(), d.srv.Socket())
	if err != nil {
		t.Fatal(err)
	}
	addr := d.srv.events.tcpAddr().String()
	base, tok, ok := strings.Cut(url, "/#token=")
	if !ok || base != "http://"+addr || len(tok) < 32 {
		t.Fatalf("dashboard URL %q", url)
	}
	get := func(path, host string) (int, string, http.Header) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	for _, c := range []struct {
		path, host string
		want       int
	}{
		{"/", addr, http.StatusOK},
		{"/jobs/7", "localhost:" + addr[strings.LastIndexByte(addr, ':')+1:], http.StatusOK},
		{"/assets/app.js", addr, http.StatusOK},
		{"/", "evil.example", http.StatusForbidden},
		{wire.Path, addr, http.StatusUnauthorized},
		{"/nope", addr, http.StatusNotFound},
	} {
		code, body, h := get(c.path, c.host)
		if code != c.want {
			t.Errorf("GET %s (Host %s): %d, want %d: %s", c.path, c.host, code, c.want, body)
		}
		if code == http.StatusOK && !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s: no policy", c.path)
		}
	}

	// Without a TCP listener there is no dashboard.
	plain := startDaemon(t, twoCPUs(t), "")
	if _, err := wire.DashboardURL(t.Context(), plain.srv.Socket()); !errors.Is(err, wire.ErrNoDashboard) {
		t.Errorf("without [stream] tcp: %v", err)
	}
}
