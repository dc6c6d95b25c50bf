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
	"testing"
	"time"

	"skyport/gateway/api"
	"skyport/queue"
)

// liveServer is a Server holding n held jobs in its live set, without a
// store or gates: enough for the read paths (squeue).
func liveServer(n int) *Server {
	s := &Server{
		cfg: Default(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now,
		live: make(map[uint32]*entry, n), host: "vm", byName: map[string]*partition{},
	}
	now := time.Now().UTC()
	for i := 1; i <= n; i++ {
		j := &queue.Job{
			ID: uint32(i), ArrayTaskID: queue.NoArrayTask, Name: "wrap", User: "root", Group: "root",
			Account: "root", QOS: "normal", Cluster: "skyport", Partition: "debug", SubmitHost: "vm",
			SubmitDir: "/tmp/w", WorkDir: "/tmp/w", StdOut: "slurm-%j.out", StdIn: "/dev/null",
			NTasks: 1, CPUsPerTask: 1, MinNodes: 1, MaxNodes: 1, MemPerCPUMB: 1024, TimeLimit: -1,
			State: queue.Pending, Reason: "JobHeldUser", Held: true, SubmitTime: now,
		}
		s.pending = append(s.pending, j.ID)
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
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.handleSqueue(w, squeueRequest(b))
		if w.Code != 200 || w.Body.Len() < 100000*80 {
			b.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
		}
	}
}

// BenchmarkViewOf is the cost of publishing one job's view.
func BenchmarkViewOf(b *testing.B) {
	s := liveServer(1)
	j := s.live[1].job
	for b.Loop() {
		_ = s.viewOf(j, "Priority")
	}
}
