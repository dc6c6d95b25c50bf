package gateway

import (
	"context"
	"os"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/queue"
)

// A cancelled held job keeps its hold reason; ID_N of a job that is no
// array names nothing (silent unless -v), as in Slurm.
func TestCancelHeldAndNonArrayTask(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	who := peer{UID: uint32(os.Getuid())}
	id := d.submit(t, "true", func(o *compat.SubmitOptions) { o.Hold = true })
	resp := d.srv.scancel(context.Background(), compat.ScancelOptions{Verbose: 1,
		Targets: []compat.ScancelTarget{{JobID: id, Tasks: []int64{1}, Spec: "x_1"}}}, who)
	if resp.Exit != 0 || !strings.Contains(resp.Stderr, "Invalid job id specified") {
		t.Errorf("scancel -v ID_1: %+v", resp)
	}
	if j, err := d.srv.store.Get(id); err != nil || j.State != queue.Pending {
		t.Fatalf("after scancel ID_1: %+v, %v", j, err)
	}
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: id, Spec: "x"}}}, who)
	e := d.waitState(t, id, queue.Cancelled)
	if d.view(e).Reason != "JobHeldUser" {
		t.Errorf("reason of a cancelled held job: %q", d.view(e).Reason)
	}
}
