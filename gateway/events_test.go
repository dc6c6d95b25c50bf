package gateway

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skyport/compat"
	wire "skyport/gateway/api/stream"
	"skyport/queue"
)

// streamConfig is twoCPUs with the event stream on a free loopback port.
func streamConfig(t *testing.T) Config {
	cfg := twoCPUs(t)
	cfg.Stream.TCP = "127.0.0.1:0"
	return cfg
}

// subscribe connects to d's event stream on its Unix socket and waits for
// the end of the replay.
func subscribe(t *testing.T, d *testDaemon, sub wire.Subscribe) *wire.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	c, err := wire.Dialer{Socket: d.srv.Socket()}.Dial(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	context.AfterFunc(ctx, func() { c.Close() })
	return c
}

// jobLog collects what a client sees of one job.
type jobLog struct {
	types  []wire.Type
	out    map[string]string // stream → bytes, checked contiguous
	last   uint64
	finish *wire.Event
}

// read reads frames until stop says so, checking that output offsets are
// contiguous per stream.
func (l *jobLog) read(t *testing.T, c *wire.Conn, id uint32, stop func() bool) {
	t.Helper()
	for !stop() {
		f, err := c.Next()
		if err != nil {
			t.Fatalf("seen %v, output %q: %v", l.types, l.out, err)
		}
		for _, ev := range f.Events {
			if ev.JobID != id {
				continue
			}
			if ev.Seq < l.last {
				t.Fatalf("seq %d after %d", ev.Seq, l.last)
			}
			l.last = ev.Seq
			// State events (CONFIGURING, pending reasons) come and go
			// with the scheduler's timing; the rest is the job's story.
			if n := len(l.types); ev.Type != wire.State && (n == 0 || l.types[n-1] != ev.Type) {
				l.types = append(l.types, ev.Type)
			}
			switch ev.Type {
			case wire.Output:
				if have := int64(len(l.out[ev.Stream])); ev.Offset != have {
					t.Fatalf("%s output at offset %d, have %d bytes", ev.Stream, ev.Offset, have)
				}
				l.out[ev.Stream] += string(ev.Data)
			case wire.Finished:
				l.finish = &ev
			}
		}
	}
}

// A job's life on the stream: submitted, started, its output with exact
// bytes and offsets, finished with its exit code — and a client that
// disconnects mid-way resumes from its last seq and output offsets
// without losing or repeating anything.
func TestStreamJobLife(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	c := subscribe(t, d, wire.Subscribe{})
	if f, err := c.Next(); err != nil || f.Ready == nil {
		t.Fatalf("first frame: %+v, %v", f, err)
	}
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	script := "printf 'first\\n'; printf 'oops\\n' >&2; while [ ! -e " + gate + " ]; do sleep 0.05; done; " +
		"printf 'second\\n'; printf 'bad\\n' >&2; exit 3"
	id := d.submit(t, script, func(o *compat.SubmitOptions) {
		o.Output, o.Error = filepath.Join(dir, "out"), filepath.Join(dir, "err")
	})
	l := &jobLog{out: map[string]string{}}
	l.read(t, c, id, func() bool { return l.out[wire.Stdout] == "first\n" && l.out[wire.Stderr] == "oops\n" })
	c.Close()

	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.waitState(t, id, queue.Failed)
	c = subscribe(t, d, wire.Subscribe{From: l.last + 1, Offsets: []wire.Offset{
		{JobID: id, Stream: wire.Stdout, Offset: int64(len(l.out[wire.Stdout]))},
		{JobID: id, Stream: wire.Stderr, Offset: int64(len(l.out[wire.Stderr]))},
	}})
	l.read(t, c, id, func() bool { return l.finish != nil })

	want := []wire.Type{wire.Submitted, wire.Started, wire.Output, wire.Finished}
	if strings.Join(typeNames(l.types), " ") != strings.Join(typeNames(want), " ") {
		t.Errorf("events %v, want %v", l.types, want)
	}
	if l.out[wire.Stdout] != "first\nsecond\n" || l.out[wire.Stderr] != "oops\nbad\n" {
		t.Errorf("output %q", l.out)
	}
	x := l.finish.Exit
	if l.finish.State != "FAILED" || x == nil || x.Code != 3 || x.Signal != 0 || x.StdoutSize != 13 || x.StderrSize != 9 {
		t.Errorf("finished: %s %+v", l.finish.State, x)
	}
}

func typeNames(ts []wire.Type) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// A client that asks for a job's output after it ended gets all of it and
// the job's end: tail -f of a finished job.
func TestStreamSnapshotOfEndedJob(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	id := d.submit(t, "echo done", nil)
	d.waitState(t, id, queue.Completed)
	c := subscribe(t, d, wire.Subscribe{Jobs: []uint32{id}, Offsets: []wire.Offset{{JobID: id, Stream: wire.Stdout}}})
	l := &jobLog{out: map[string]string{}}
	l.read(t, c, id, func() bool { return l.finish != nil })
	if l.out[wire.Stdout] != "done\n" || l.finish.Exit.Code != 0 || l.finish.State != "COMPLETED" {
		t.Errorf("output %q, end %+v", l.out, l.finish)
	}
}

// The TCP listener: a token in a 0600 file, Host and Origin checks.
func TestStreamTCPGuard(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, streamConfig(t), "")
	addr := d.srv.events.tcpAddr()
	if addr == nil {
		t.Fatal("no TCP listener")
	}
	tokPath := filepath.Join(d.dir, tokenFile)
	fi, err := os.Stat(tokPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v", fi, err)
	}
	b, _ := os.ReadFile(tokPath)
	tok := strings.TrimSpace(string(b))
	url := "ws://" + addr.String() + wire.Path
	port := addr.String()[strings.LastIndexByte(addr.String(), ':')+1:]
	dial := func(h http.Header, protos ...string) int {
		t.Helper()
		wd := websocket.Dialer{Subprotocols: protos}
		c, resp, err := wd.DialContext(t.Context(), url, h)
		if err == nil {
			defer c.Close()
			if err := c.WriteJSON(wire.Subscribe{}); err != nil {
				t.Fatal(err)
			}
			var f wire.Frame
			if err := c.ReadJSON(&f); err != nil || f.Ready == nil {
				t.Fatalf("after the upgrade: %+v, %v", f, err)
			}
			return resp.StatusCode
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode
	}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	with := func(h http.Header, k, v string) http.Header { h = h.Clone(); h.Set(k, v); return h }
	cases := []struct {
		name   string
		h      http.Header
		protos []string
		want   int
	}{
		{"no token", http.Header{}, nil, http.StatusUnauthorized},
		{"wrong token", bearer(strings.Repeat("0", 64)), nil, http.StatusUnauthorized},
		{"token", bearer(tok), nil, http.StatusSwitchingProtocols},
		{"token as subprotocol", http.Header{}, []string{wire.Subprotocol, "skyport.bearer." + tok}, http.StatusSwitchingProtocols},
		{"rebound DNS name", with(bearer(tok), "Host", "evil.example:"+port), nil, http.StatusForbidden},
		{"localhost", with(bearer(tok), "Host", "localhost:"+port), nil, http.StatusSwitchingProtocols},
		{"other port", with(bearer(tok), "Host", "127.0.0.1:1"), nil, http.StatusForbidden},
		{"foreign origin", with(bearer(tok), "Origin", "http://evil.example"), nil, http.StatusForbidden},
		{"own origin", with(bearer(tok), "Origin", "http://127.0.0.1:"+port), nil, http.StatusSwitchingProtocols},
	}
	for _, c := range cases {
		if got := dial(c.h, c.protos...); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	// The client library over TCP.
	_, err = wire.Dialer{URL: url, Token: "bad"}.Dial(t.Context(), wire.Subscribe{})
	if !errors.Is(err, wire.ErrRefused) {
		t.Errorf("bad token through the client: %v", err)
	}
	c, err := wire.Dialer{URL: url, Token: tok}.Dial(t.Context(), wire.Subscribe{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// Config: the [stream] table's values are checked, with the line.
func TestStreamConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ toml, want string }{
		{"[stream]\ntcp = \"0.0.0.0:8642\"\n", "line 2: stream.tcp: \"0.0.0.0:8642\": must be a loopback address"},
		{"[stream]\ntcp = \"8642\"\n", "line 2: stream.tcp"},
		{"[stream]\n\norigins = [\"evil\"]\n", "line 3: stream.origins"},
		{"[stream]\nclient_buffer = 0\n", "line 2: stream.client_buffer: must be at least 1"},
	} {
		_, err := ParseConfig([]byte(c.toml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.toml, err, c.want)
		}
	}
	cfg, err := ParseConfig([]byte("[stream]\ntcp = \"localhost:8642\"\nkeep_events = 10\n"))
	if err != nil || cfg.Stream.TCP != "localhost:8642" || cfg.Stream.KeepEvents != 10 || cfg.Stream.ClientBuffer != 4096 {
		t.Errorf("stream config %+v, %v", cfg.Stream, err)
	}
}
