package gateway

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/queue"
)

func TestGPUSqueueWired(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, gpuConfig(t), "")
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	id := d.submit(t, gpuScript(gate), gpuOpts(filepath.Join(dir, "out"), "gres", "gpu:1"))
	d.waitState(t, id, queue.Running)
	o, _, err := compat.ParseSqueueArgs([]string{"-h", "-O", "tres-per-node:|,tres-per-job:|,tres-alloc:|"}, nil, d.srv.now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := compat.SqueueFrom(&b, o, liveSource{d.srv, d.srv.snapshot(nil)}, 0, d.srv.now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "gres:gpu:1|N/A|cpu=1,mem=1G,node=1,billing=1,gres/gpu=1|") {
		t.Errorf("squeue: %q", b.String())
	}
	d.srv.mu.RLock()
	v := d.srv.viewOf(d.srv.live[id].job, "")
	d.srv.mu.RUnlock()
	if v.GPUs != 1 || v.TRESPerNode != "gres:gpu:1" {
		t.Errorf("view %+v", v)
	}
	os.WriteFile(gate, nil, 0o644)
	d.waitState(t, id, queue.Completed)
}
