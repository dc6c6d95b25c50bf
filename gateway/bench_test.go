package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"skyport/gateway/api"
	"skyport/queue"
)

// liveServer is a Server holding n held jobs in its live set, without a
// store or gates: enough for the read paths (squeue). Each job has strings
// of its own and is allocated among other garbage, as jobs decoded from
// requests or from the store are, so that reading them costs what it
// costs in the daemon.
func liveServer(n int) *Server {
	s := &Server{
		cfg: Default(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now,
		live: make(map[uint32]*entry, n), host: "vm", byName: map[string]*partition{},
	}
	now := time.Now().UTC()
	var garbage [][]byte
	for i := 1; i <= n; i++ {
		c := strings.Clone
		j := &queue.Job{
			ID: uint32(i), ArrayTaskID: queue.NoArrayTask, Name: c("wrap"), User: c("root"), Group: c("root"),
			Account: c("root"), QOS: c("normal"), Cluster: c("skyport"), Partition: c("debug"), SubmitHost: c("vm"),
			SubmitDir: c("/tmp/w"), WorkDir: c("/tmp/w"), StdOut: c("slurm-%j.out"), StdIn: c("/dev/null"),
			NTasks: 1, CPUsPerTask: 1, MinNodes: 1, MaxNodes: 1, MemPerCPUMB: 1024, TimeLimit: -1,
			State: queue.Pending, Reason: c("JobHeldUser"), Held: true, SubmitTime: now,
		}
		garbage = append(garbage, make([]byte, 512+i%1024), make([]byte, 1024)) // a request's worth
		if len(garbage) > 64 {
			garbage = garbage[:0]
		}
		s.publish(j, "")
	}
	return s
}

func squeueRequest(b testing.TB) *http.Request {
	body, err := json.Marshal(api.SqueueRequest{})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", api.PathSqueue, bytes.NewReader(body))
	return r.WithContext(context.WithValue(r.Context(), peerKey{}, peer{}))
}

// BenchmarkSqueue100k is the daemon's side of `squeue` with 100 000 queued
// jobs: select, sort and render the default format.
func BenchmarkSqueue100k(b *testing.B) {
	s := liveServer(100000)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("live set of 100 000 held jobs: heap %.1f MiB, %d B/job", float64(ms.HeapAlloc)/(1<<20), ms.HeapAlloc/100000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := &countingResponse{header: http.Header{}}
		s.handleSqueue(w, squeueRequest(b))
		if w.code != 200 || w.n < 100000*80 {
			b.Fatalf("status %d, %d bytes", w.code, w.n)
		}
	}
}

// countingResponse is an http.ResponseWriter that counts the body's bytes
// and keeps none, as a socket does: a benchmark measures the daemon's
// cost, not a recorder's buffer.
type countingResponse struct {
	header http.Header
	code   int
	n      int
}

func (c *countingResponse) Header() http.Header { return c.header }

func (c *countingResponse) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *countingResponse) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	c.n += len(p)
	return len(p), nil
}

// BenchmarkViewOf is the cost of publishing one job's view.
func BenchmarkViewOf(b *testing.B) {
	s := liveServer(1)
	j := s.live[1].job
	for b.Loop() {
		_ = s.viewOf(j, "Priority")
	}
}
