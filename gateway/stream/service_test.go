package stream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	wire "skyport/gateway/api/stream"
	"skyport/queue"
)

// fakeJobs is the daemon's side of Jobs for tests.
type fakeJobs struct {
	mu    sync.Mutex
	files map[uint32]Files
	snaps map[uint32]wire.Event
}

func (j *fakeJobs) OutputFiles(id uint32) (Files, uint32, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	f, ok := j.files[id]
	return f, 0, ok
}

func (j *fakeJobs) Snapshot(id uint32) (wire.Event, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	ev, ok := j.snaps[id]
	return ev, ok
}

// testService is a running Service over an in-memory queue, serving its
// websocket on a Unix socket.
type testService struct {
	svc  *Service
	log  *queue.EventLog
	jobs *fakeJobs
	dial wire.Dialer
}

func startService(t testing.TB, hub HubOptions) *testService {
	t.Helper()
	st, err := queue.Open("", queue.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	el, err := st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Options{Log: el, Hub: hub, Poll: 20 * time.Millisecond})
	jobs := &fakeJobs{files: map[uint32]Files{}, snaps: map[uint32]wire.Event{}}
	dir, err := os.MkdirTemp("", "sps")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: svc.Handler(HandlerOptions{
		Identify: func(*http.Request) (Identity, error) { return Identity{All: true}, nil },
		Jobs:     jobs,
	})}
	go srv.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	go svc.Run(ctx)
	t.Cleanup(func() {
		cancel()
		<-svc.Done()
		srv.Close()
		st.Close()
		os.RemoveAll(dir)
	})
	return &testService{svc: svc, log: el, jobs: jobs, dial: wire.Dialer{Socket: sock}}
}

// emitStates emits n State events for jobs first..first+n-1.
func (ts *testService) emitStates(first uint32, n int, reason string) {
	for i := range n {
		ts.svc.Emit(Change{Event: wire.Event{Type: wire.State, JobID: first + uint32(i), State: "PENDING", Reason: reason}})
	}
}

// waitHead waits until the hub has published up to n events.
func (ts *testService) waitHead(t testing.TB, n uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for ts.svc.Hub().Head() < n {
		if time.Now().After(deadline) {
			t.Fatalf("hub head %d, want %d", ts.svc.Hub().Head(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dial subscribes and closes the connection when the test ends or after
// a generous bound (a hung test fails instead of hanging).
func (ts *testService) dialSub(t *testing.T, sub wire.Subscribe) *wire.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	c, err := ts.dial.Dial(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	context.AfterFunc(ctx, func() { c.Close() })
	t.Cleanup(cancel)
	return c
}

// readEvents reads frames until n events came, and returns them with the
// notices seen.
func readEvents(t *testing.T, c *wire.Conn, n int) (evs []wire.Event, notices []wire.Frame) {
	t.Helper()
	for len(evs) < n {
		f, err := c.Next()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(evs), n, err)
		}
		evs = append(evs, f.Events...)
		if len(f.Events) == 0 {
			notices = append(notices, f)
		}
	}
	return evs, notices
}

// A client that reconnects with the sequence number after the last one it
// saw gets exactly the events it missed, from the log when the hub's
// memory no longer has them.
func TestResumeFromSeq(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{Ring: 2})
	ts.emitStates(1, 10, "")
	ts.waitHead(t, 10)
	c := ts.dialSub(t, wire.Subscribe{From: 1})
	evs, _ := readEvents(t, c, 10)
	for i, ev := range evs {
		if ev.JobID != uint32(i+1) || (i > 0 && ev.Seq <= evs[i-1].Seq) {
			t.Fatalf("event %d: job %d seq %d", i, ev.JobID, ev.Seq)
		}
	}
	c.Close()
	seen := evs[4].Seq // as if the client had read only five
	ts.emitStates(11, 5, "")
	ts.waitHead(t, 15)
	c = ts.dialSub(t, wire.Subscribe{From: seen + 1})
	evs, _ = readEvents(t, c, 10)
	for i, ev := range evs {
		if ev.JobID != uint32(i+6) {
			t.Fatalf("resumed event %d is of job %d, want %d", i, ev.JobID, i+6)
		}
	}
	f, err := c.Next()
	if err != nil || f.Ready == nil || f.Ready.Seq != 15 {
		t.Fatalf("after the replay: %+v, %v; want Ready at 15", f, err)
	}
	// Live events follow.
	ts.emitStates(16, 1, "")
	evs, _ = readEvents(t, c, 1)
	if evs[0].JobID != 16 || evs[0].Seq != 16 {
		t.Errorf("live event: %+v", evs[0])
	}
}

// Events trimmed from the log are reported as a gap.
func TestResumeGap(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{Ring: 2})
	ts.emitStates(1, 10, "")
	ts.waitHead(t, 10)
	if _, err := ts.log.Trim(t.Context(), 4, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c := ts.dialSub(t, wire.Subscribe{From: 1})
	evs, notices := readEvents(t, c, 4)
	if len(notices) != 1 || notices[0].Gap == nil || *notices[0].Gap != (wire.Gap{From: 1, To: 7}) {
		t.Fatalf("notices %+v, want a gap 1..7", notices)
	}
	if evs[0].JobID != 7 || evs[3].JobID != 10 {
		t.Errorf("after the gap: jobs %d..%d, want 7..10", evs[0].JobID, evs[3].JobID)
	}
}

// A client that stops reading is told it lagged and disconnected; Follow
// resumes where it lagged, and gets every event exactly once, in order.
func TestLaggingClientResumes(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{ClientEvents: 8})
	const n = 2000
	big := strings.Repeat("x", 2000) // 4 MB in all: far more than the socket buffers
	block := make(chan struct{})
	var got []wire.Event
	var lagged int
	ready := make(chan struct{})
	var readyOnce sync.Once
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- ts.dial.Follow(ctx, wire.Subscribe{}, wire.Handler{
			Event: func(ev wire.Event) error {
				if len(got) == 0 {
					<-block
				}
				got = append(got, ev)
				if len(got) == n {
					return wire.ErrStop
				}
				return nil
			},
			Notice: func(f wire.Frame) error {
				if f.Ready != nil && len(got) == 0 {
					readyOnce.Do(func() { close(ready) })
				}
				if f.Lagged != nil {
					lagged++
				}
				return nil
			},
		})
	}()
	<-ready
	ts.emitStates(1, n, big)
	ts.waitHead(t, n)
	close(block)
	if err := <-done; err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if lagged == 0 {
		t.Error("the client never lagged")
	}
	for i, ev := range got {
		if ev.JobID != uint32(i+1) {
			t.Fatalf("event %d is of job %d: lost or repeated events", i, ev.JobID)
		}
	}
}

// A second client is not slowed down by one that stopped reading.
func TestSlowClientDoesNotStallOthers(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{})
	stuck := ts.dialSub(t, wire.Subscribe{})
	if f, err := stuck.Next(); err != nil || f.Ready == nil {
		t.Fatalf("ready: %+v %v", f, err)
	}
	fast := ts.dialSub(t, wire.Subscribe{})
	if f, err := fast.Next(); err != nil || f.Ready == nil {
		t.Fatalf("ready: %+v %v", f, err)
	}
	const n = 1000
	ts.emitStates(1, n, strings.Repeat("y", 2000))
	evs, _ := readEvents(t, fast, n)
	if evs[n-1].JobID != n {
		t.Errorf("last event of job %d", evs[n-1].JobID)
	}
}

// Output is followed from the job's file with offsets; a client that
// reconnects with an offset gets the rest exactly, including what was
// written while nobody followed, and all of it before Finished.
func TestOutputResumeByOffset(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{})
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts.jobs.mu.Lock()
	ts.jobs.files[1] = Files{Stdout: path}
	ts.jobs.snaps[1] = wire.Event{Type: wire.State, JobID: 1, State: "RUNNING"}
	ts.jobs.mu.Unlock()
	ts.svc.Emit(Change{Event: wire.Event{Type: wire.Started, JobID: 1, State: "RUNNING"}, Follow: &Files{Stdout: path}})
	ts.waitHead(t, 1)

	c := ts.dialSub(t, wire.Subscribe{Jobs: []uint32{1}, Offsets: []wire.Offset{{JobID: 1, Stream: wire.Stdout}}})
	var out strings.Builder
	var last uint64
	read := func(c *wire.Conn, want string) {
		t.Helper()
		for out.String() != want {
			fr, err := c.Next()
			if err != nil {
				t.Fatalf("output so far %q: %v", out.String(), err)
			}
			for _, ev := range fr.Events {
				last = max(last, ev.Seq)
				if ev.Type != wire.Output {
					continue
				}
				if ev.Offset != int64(out.Len()) || ev.Stream != wire.Stdout {
					t.Fatalf("output at %s:%d, have %d bytes", ev.Stream, ev.Offset, out.Len())
				}
				out.Write(ev.Data)
			}
		}
	}
	write := func(s string) {
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	write("hello\n")
	read(c, "hello\n")
	write("world\n")
	read(c, "hello\nworld\n")
	c.Close()

	// Written while no client follows output, then the job ends.
	write("again\n")
	write(strings.Repeat("z", 200000)) // more than one event's worth
	ts.svc.Emit(Change{Event: wire.Event{Type: wire.Finished, JobID: 1, State: "COMPLETED", Exit: &wire.Exit{}}})
	// The finished event is in; whether the output written meanwhile was
	// read before the follower stopped (the only client left) is a race
	// the resume below must not care about: it reads by offset.
	ts.waitHead(t, last+1)

	c = ts.dialSub(t, wire.Subscribe{From: last + 1, Jobs: []uint32{1},
		Offsets: []wire.Offset{{JobID: 1, Stream: wire.Stdout, Offset: int64(out.Len())}}})
	want := "hello\nworld\nagain\n" + strings.Repeat("z", 200000)
	var fin *wire.Event
	for fin == nil {
		fr, err := c.Next()
		if err != nil {
			t.Fatalf("output so far %d bytes: %v", out.Len(), err)
		}
		for _, ev := range fr.Events {
			switch ev.Type {
			case wire.Output:
				if fin != nil || ev.Offset != int64(out.Len()) {
					t.Fatalf("output at %d after %d bytes (finished: %v)", ev.Offset, out.Len(), fin != nil)
				}
				out.Write(ev.Data)
			case wire.Finished:
				fin = &ev
			}
		}
	}
	if out.String() != want {
		t.Errorf("output: %d bytes, want %d", out.Len(), len(want))
	}
	if fin.Exit == nil || fin.Exit.StdoutSize != int64(len(want)) {
		t.Errorf("finished: %+v, want stdout size %d", fin.Exit, len(want))
	}
}

// A bad subscription is refused with a reason.
func TestBadSubscription(t *testing.T) {
	t.Parallel()
	ts := startService(t, HubOptions{})
	c := ts.dialSub(t, wire.Subscribe{Types: []wire.Type{"bogus"}})
	_, err := c.Next()
	if !errors.Is(err, wire.ErrRefused) || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("bad subscription: %v", err)
	}
}
