package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skyport/compat"
)

func TestPaths(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/ann"}, "/home/ann/.local/state/skyport/skyportd.sock"},
		{map[string]string{"HOME": "/home/ann", "XDG_STATE_HOME": "/xdg"}, "/xdg/skyport/skyportd.sock"},
		{map[string]string{"HOME": "/home/ann", "XDG_STATE_HOME": "relative"}, "/home/ann/.local/state/skyport/skyportd.sock"},
		{map[string]string{"HOME": "/h", SocketEnv: "/run/x.sock"}, "/run/x.sock"},
		{map[string]string{"HOME": "/" + strings.Repeat("d", 120)}, "/tmp/skyport-1000/skyportd.sock"},
	}
	for _, c := range cases {
		if got := DefaultSocket(env(c.env), 1000); got != c.want {
			t.Errorf("DefaultSocket(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}

// serve runs handler on a Unix socket in a short temp dir.
func serve(t *testing.T, handler http.Handler) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "spapi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	// Nobody listening: ErrUnreachable.
	c := NewClient(filepath.Join(t.TempDir(), "none.sock"))
	if err := c.Ping(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Ping with no daemon = %v, want ErrUnreachable", err)
	}
	// The daemon's refusal: Slurm's message and exit code, as *compat.Error.
	sock := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(ErrorResponse{Message: "sbatch: error: Batch job submission failed: Invalid partition name specified\n", Exit: 1})
	}))
	_, err := NewClient(sock).Submit(context.Background(), SubmitRequest{})
	var ce *compat.Error
	if !errors.As(err, &ce) || ce.Code != 1 || !strings.Contains(ce.Msg, "Invalid partition name specified") {
		t.Fatalf("Submit error = %#v", err)
	}
	// A success: the answer decodes.
	sock = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req SubmitRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Cwd != "/w" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(SubmitResponse{JobID: 42, Cluster: "c"})
	}))
	resp, err := NewClient(sock).Submit(context.Background(), SubmitRequest{Cwd: "/w"})
	if err != nil || resp.JobID != 42 {
		t.Fatalf("Submit = %+v, %v", resp, err)
	}
}

// Render copies the daemon's text exactly, whether the answer has a
// Content-Length or is chunked (a streamed answer), and a broken answer is
// ErrUnreachable, never a silent truncation.
func TestRenderBodies(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789abcdef\n", 40000)
	sock := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/chunked":
			for i := 0; i < len(big); i += 10000 {
				io.WriteString(w, big[i:min(i+10000, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/cut":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "short")
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}
	}))
	c := NewClient(sock)
	var out strings.Builder
	if err := c.Render(context.Background(), "/length", struct{}{}, &out); err != nil || out.String() != "hello" {
		t.Fatalf("Content-Length body = %q, %v", out.String(), err)
	}
	out.Reset()
	if err := c.Render(context.Background(), "/chunked", struct{}{}, &out); err != nil || out.String() != big {
		t.Fatalf("chunked body: %d bytes, %v; want %d bytes", out.Len(), err, len(big))
	}
	out.Reset()
	if err := c.Render(context.Background(), "/cut", struct{}{}, &out); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("cut body: err = %v", err)
	}
}
