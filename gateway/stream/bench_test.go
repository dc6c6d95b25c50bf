package stream

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	wire "skyport/gateway/api/stream"
)

// benchClients connects n websocket clients to ts that count the events
// they receive (without decoding them, as a fast client would not need
// to) into counts; on each frame they call onFrame if it is set.
func benchClients(b *testing.B, ts *testService, n int, sub wire.Subscribe, counts []atomic.Int64, onFrame func([]byte)) {
	b.Helper()
	var ready sync.WaitGroup
	for i := range n {
		ws := rawDial(b, ts.dial.Socket, sub)
		ready.Add(1)
		go func() {
			defer ws.Close()
			first := true
			var buf bytes.Buffer
			for {
				_, r, err := ws.NextReader()
				if err != nil {
					return
				}
				buf.Reset()
				if _, err := buf.ReadFrom(r); err != nil {
					return
				}
				msg := buf.Bytes()
				if first {
					first = false
					ready.Done() // the Ready frame
					continue
				}
				counts[i].Add(int64(bytes.Count(msg, []byte(`"seq":`))))
				if onFrame != nil {
					onFrame(bytes.Clone(msg))
				}
			}
		}()
	}
	ready.Wait()
}

// BenchmarkFanout: 100 websocket clients on the Unix socket, each getting
// every event; events are published in batches of 100 (as the service
// does when changes queue up) and go out merged into frames. The metric
// is deliveries per second (events × clients). The publisher stays at
// most 2000 events ahead of the slowest client: sustained throughput,
// without lagging anyone.
func BenchmarkFanout(b *testing.B) {
	const clients, batch, ahead = 100, 100, 2000
	ts := startService(b, HubOptions{})
	counts := make([]atomic.Int64, clients)
	benchClients(b, ts, clients, wire.Subscribe{}, counts, nil)
	minCount := func() int64 {
		m := counts[0].Load()
		for i := range counts {
			m = min(m, counts[i].Load())
		}
		return m
	}
	hub := ts.svc.Hub()
	seq := hub.Head()
	b.ResetTimer()
	start := time.Now()
	sent := 0
	for sent < b.N {
		n := min(batch, b.N-sent)
		evs := make([]wire.Event, n)
		for i := range evs {
			seq++
			evs[i] = wire.Event{Seq: seq, Type: wire.State, JobID: uint32(seq), User: "ann", Partition: "debug", State: "RUNNING", Reason: "None"}
		}
		hub.Publish(evs)
		sent += n
		for int64(sent)-minCount() > ahead {
			time.Sleep(50 * time.Microsecond)
		}
	}
	for minCount() < int64(b.N) {
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)*clients/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkOutputLatency: a job writes a line to its output file every
// millisecond or so; 1 or 100 clients follow its output. The metric is the
// time from the write to a client's receipt of the bytes, p50 and p99
// over every line and client.
func BenchmarkOutputLatency(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) { benchOutputLatency(b, n) })
	}
}

func benchOutputLatency(b *testing.B, clients int) {
	ts := startService(b, HubOptions{})
	path := filepath.Join(b.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ts.svc.Emit(Change{Event: wire.Event{Type: wire.Started, JobID: 1, State: "RUNNING"}, Follow: &Files{Stdout: path}})
	// Lines of fixed width: a client finds which lines an event carries
	// from its offset and length alone, and looks up when each was written
	// (so that its own decoding does not count).
	const width = 16
	written := make([]atomic.Int64, b.N)
	var mu sync.Mutex
	var lat []time.Duration
	var lines atomic.Int64
	counts := make([]atomic.Int64, clients)
	benchClients(b, ts, clients, wire.Subscribe{Types: []wire.Type{wire.Output}}, counts, func(msg []byte) {
		now := time.Now().UnixNano()
		var got []time.Duration
		for rest := msg; ; {
			i := bytes.Index(rest, []byte(`"data":"`))
			if i < 0 {
				break
			}
			var off int64 // an offset of 0 is left out
			if j := bytes.Index(rest[:i], []byte(`"offset":`)); j >= 0 {
				num := rest[j+len(`"offset":`):]
				off, _ = strconv.ParseInt(string(num[:bytes.IndexByte(num, ',')]), 10, 64)
			}
			rest = rest[i+len(`"data":"`):]
			n := bytes.IndexByte(rest, '"')
			size := int64(base64.StdEncoding.DecodedLen(n))
			if n > 0 && rest[n-1] == '=' {
				size--
				if rest[n-2] == '=' {
					size--
				}
			}
			rest = rest[n:]
			for l := off / width; l < (off+size)/width && l < int64(len(written)); l++ {
				got = append(got, time.Duration(now-written[l].Load()))
			}
		}
		mu.Lock()
		lat = append(lat, got...)
		mu.Unlock()
		lines.Add(int64(len(got)))
	})
	b.ResetTimer()
	for i := range b.N {
		written[i].Store(time.Now().UnixNano())
		if _, err := fmt.Fprintf(f, "%015d\n", i); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	deadline := time.Now().Add(30 * time.Second)
	for lines.Load() < int64(b.N*clients) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	if len(lat) < b.N*clients {
		b.Fatalf("%d of %d lines arrived", len(lat), b.N*clients)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// rawDial subscribes over a plain websocket (benchmarks read raw frames).
func rawDial(tb testing.TB, sock string, sub wire.Subscribe) *websocket.Conn {
	tb.Helper()
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, "unix", sock)
	}}
	ws, _, err := d.Dial("ws://skyportd"+wire.Path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := ws.WriteJSON(sub); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// BenchmarkHubFanout is BenchmarkFanout without the sockets: the hub and
// 100 writers that take their queues and merge them into frames, as the
// sessions do. The metric is deliveries per second.
func BenchmarkHubFanout(b *testing.B) {
	const clients, batch = 100, 100
	h := NewHub(HubOptions{ClientEvents: 1 << 20, ClientBytes: 1 << 30})
	f, _ := newFilter(Identity{UID: 1000}, &wire.Subscribe{})
	var wg sync.WaitGroup
	var delivered atomic.Int64
	stop := make(chan struct{})
	for range clients {
		c, _ := h.subscribe(f)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []item
			var frame []byte
			for {
				select {
				case <-stop:
					return
				case <-c.wake:
				}
				items, _ := c.take(buf)
				frame = append(frame[:0], `{"events":[`...)
				for i, it := range items {
					if i > 0 {
						frame = append(frame, ',')
					}
					frame = append(frame, it.raw...)
				}
				frame = append(frame, "]}"...)
				delivered.Add(int64(len(items)))
				buf = items
			}
		}()
	}
	evs := make([]wire.Event, b.N)
	for i := range evs {
		evs[i] = wire.Event{Seq: uint64(i + 1), Type: wire.State, JobID: uint32(i), UID: 1000, User: "ann", Partition: "debug", State: "RUNNING", Reason: "None"}
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += batch {
		h.Publish(evs[i:min(i+batch, b.N)])
		for int64(i)*clients-delivered.Load() > 2000*clients {
			time.Sleep(20 * time.Microsecond)
		}
	}
	for delivered.Load() < int64(b.N)*clients {
		time.Sleep(20 * time.Microsecond)
	}
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(b.N)*clients/elapsed.Seconds(), "deliveries/s")
}
