package gateway

import (
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"skyport/compat"
	"skyport/queue"
)

// TestFillViewParts checks fillView's contract: the core fields always,
// each part need names as viewOf has it, every other field empty.
func TestFillViewParts(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Default(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now, host: "vm"}
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	jobs := map[string]*queue.Job{
		"running task": {
			ID: 77, ArrayJobID: 70, ArrayTaskID: 7, Name: "rich", User: "ann", UID: 1001, GID: 2002, Group: "lab",
			Account: "acct", QOS: "high", Cluster: "clu", Partition: "gpu", SubmitHost: "login1",
			SubmitDir: "/w", WorkDir: "/w", Command: "/w/run.sh", Args: []string{"a", "b"}, Comment: "note",
			StdOut: "out-%j.txt", StdErr: "/w/err-%A_%a", StdIn: "/dev/null",
			NTasks: 4, CPUsPerTask: 2, MinNodes: 2, MaxNodes: 2, MemPerCPUMB: 768, TimeLimit: 90,
			State: queue.Running, Reason: "None", SubmitTime: t0, EligibleTime: t0.Add(time.Minute),
			StartTime: t0.Add(2 * time.Minute), ExitCode: 3, ExitSignal: 9, BatchState: queue.Running,
			NodeList: "vm", AllocCPUs: 8, Restarts: 2, CancelledBy: 5, ArrayThrottle: 2,
			Dependency: "afterok:5(unfulfilled)", Nice: 4, NoRequeue: true, MailType: "END", MailUser: "ann",
			OverSubscribe: "NO", CostMicros: 1500000, CostCurrency: "EUR",
			GRES: compat.GRES{PerNode: "gres:gpu:2"}.String(), GPUs: 2, GPUIDs: []int{0, 1},
			Steps: []queue.Step{{ID: 0, Name: "srun", State: queue.Running, Start: t0.Add(3 * time.Minute)}},
		},
		"pending array": {
			ID: 80, ArrayJobID: 80, ArrayTaskID: 0, ArrayPending: "0-5", ArrayThrottle: 2, Name: "arr",
			User: "bob", Partition: "debug", State: queue.Pending, Held: true, SubmitTime: t0,
			MemPerNodeMB: 4096, TimeLimit: -1, StdOut: "slurm-%A_%a.out", WorkDir: "/w",
		},
	}
	all := compat.NeedDetail | compat.NeedPaths | compat.NeedSteps
	for name, j := range jobs {
		full := s.viewOf(j, "Why")
		if full.Command != "/w/run.sh a b" && j.Command != "" {
			t.Errorf("%s: command %q", name, full.Command)
		}
		for need := range all + 1 {
			want := compat.CoreOf(full)
			if need&compat.NeedDetail != 0 {
				want = *full
				want.StdOut, want.StdErr, want.StdIn, want.Batch, want.Steps = "", "", "", nil, nil
			}
			if need&compat.NeedPaths != 0 {
				want.StdOut, want.StdErr, want.StdIn = full.StdOut, full.StdErr, full.StdIn
			}
			if need&compat.NeedSteps != 0 {
				want.Batch, want.Steps = full.Batch, full.Steps
			}
			v := compat.Job{Comment: "left over from the last job", Steps: []*compat.Step{{}}}
			s.fillView(&v, j, "Why", need)
			if !reflect.DeepEqual(v, want) {
				t.Errorf("%s, need %03b:\n got %+v\nwant %+v", name, need, v, want)
			}
		}
	}
}
