package armemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// ControlHandler is the emulator's control API, for tests; serve it on a
// Unix socket (a path socket reaches across network namespaces):
//
//	GET    /stats          Stats as JSON
//	POST   /faults         queue a Fault (JSON body)
//	DELETE /faults         drop every queued fault
//	POST   /evict?vm=NAME  evict the VM NAME (spot eviction)
//
// Errors are 4xx/5xx with the message as plain text.
func (s *Server) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		st := s.snapshot()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.addFault(f); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, _ *http.Request) {
		s.clearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /evict", func(w http.ResponseWriter, r *http.Request) {
		if err := s.evict(r.URL.Query().Get("vm")); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// Control is a client of the control API on a Unix socket.
type Control struct {
	hc *http.Client
}

// NewControl returns a client of the control API at socket.
func NewControl(socket string) *Control {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}
	return &Control{hc: &http.Client{Transport: tr}}
}

// Stats returns the emulator's Stats.
func (c *Control) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	body, err := c.do(ctx, http.MethodGet, "/stats", nil)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("armemu control: stats: %w", err)
	}
	return st, nil
}

// Inject queues f.
func (c *Control) Inject(ctx context.Context, f Fault) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPost, "/faults", b)
	return err
}

// ClearFaults drops every queued fault.
func (c *Control) ClearFaults(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodDelete, "/faults", nil)
	return err
}

// Evict evicts the VM vm: its power state becomes deallocated and its
// guest stops.
func (c *Control) Evict(ctx context.Context, vm string) error {
	_, err := c.do(ctx, http.MethodPost, "/evict?vm="+url.QueryEscape(vm), nil)
	return err
}

// Close releases the client's idle connections.
func (c *Control) Close() { c.hc.CloseIdleConnections() }

func (c *Control) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://armemu"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("armemu control: %s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("armemu control: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("armemu control: %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}
