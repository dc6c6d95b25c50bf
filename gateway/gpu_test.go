package gateway

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"skyport/compat"
	"skyport/queue"
)

// gpuConfig has a local node with 4 CPUs and 2 GPUs (partition gpu, the
// default) and one without GPUs (partition cpu).
func gpuConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`
[daemon]
kill_wait = "1s"
[gates.local]
kind = "local"
cpus = 4
memory = "8G"
gpus = 2
[gates.plain]
kind = "local"
cpus = 4
memory = "8G"
[[partitions]]
name = "gpu"
gate = "local"
default = true
[[partitions]]
name = "cpu"
gate = "plain"
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// gpuOpts records long options (key, value pairs) and sends the job's
// output to out.
func gpuOpts(out string, kv ...string) func(o *compat.SubmitOptions) {
	return func(o *compat.SubmitOptions) {
		if o.Extra == nil {
			o.Extra = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.Extra[kv[i]], o.Given[kv[i]] = kv[i+1], true
		}
		if out != "" {
			o.Output = out
		}
	}
}

// gpuScript prints the job's GPU variables and waits until gate exists.
func gpuScript(gate string) string {
	return `env | grep -E '^(CUDA|GPU_|ROCR|ZE_|SLURM_JOB_GPUS|SLURM_GPUS)' | sort; while [ ! -e ` + gate + ` ]; do sleep 0.05; done`
}

// gpuEnvOut reads the GPU variables a job of gpuScript printed.
func gpuEnvOut(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantGPUEnv is what gpuScript prints for a job holding GPUs ids, as
// Slurm 22.05 sets it (internal/compatdiff/testdata/gpu).
func wantGPUEnv(list string, n int, extra ...string) string {
	lines := []string{"CUDA_VISIBLE_DEVICES=" + list, "GPU_DEVICE_ORDINAL=" + list, "ROCR_VISIBLE_DEVICES=" + list,
		fmt.Sprintf("SLURM_GPUS_ON_NODE=%d", n), "SLURM_JOB_GPUS=" + list, "ZE_AFFINITY_MASK=" + list}
	lines = append(lines, extra...)
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// Two one-GPU jobs run at once on a two-GPU node with different GPUs; a
// third GPU job waits for Resources and a GPU job behind it for Priority,
// while a job without GPUs behind them starts; each job's environment
// names its GPUs as Slurm's does.
func TestGPUScheduling(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, gpuConfig(t), "")
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	out := func(name string) string { return filepath.Join(dir, name+".out") }
	a := d.submit(t, gpuScript(gate), gpuOpts(out("a"), "gres", "gpu:1"))
	b := d.submit(t, gpuScript(gate), gpuOpts(out("b"), "gres", "gpu:1"))
	ja := d.waitState(t, a, queue.Running).job
	jb := d.waitState(t, b, queue.Running).job
	if !slices.Equal(ja.GPUIDs, []int{0}) || !slices.Equal(jb.GPUIDs, []int{1}) {
		t.Errorf("GPUs of the two jobs: %v and %v; want [0] and [1]", ja.GPUIDs, jb.GPUIDs)
	}
	c := d.submit(t, gpuScript(gate), gpuOpts(out("c"), "gres", "gpu:1"))
	e := d.submit(t, gpuScript(gate), gpuOpts(out("e"), "gpus", "1"))
	d.waitReason(t, c, "Resources")
	d.waitReason(t, e, "Priority")
	plain := d.submit(t, "true", nil)
	d.waitState(t, plain, queue.Completed)
	if got := d.reason(c); got != "Resources" {
		t.Errorf("GPU job after a job without GPUs ran: reason %q", got)
	}

	d.srv.mu.RLock()
	nodes := d.srv.nodeViews()
	parts := d.srv.partitionViews()
	d.srv.mu.RUnlock()
	if nodes[0].GPUs != 2 || nodes[0].AllocGPUs != 2 || nodes[1].GPUs != 0 {
		t.Errorf("node views: %+v", nodes)
	}
	if parts[0].TotalGPUs != 2 || parts[1].TotalGPUs != 0 {
		t.Errorf("partition views: %+v", parts)
	}

	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ended := map[uint32]*queue.Job{}
	for _, id := range []uint32{a, b, c, e} {
		ended[id] = d.waitState(t, id, queue.Completed).job
	}
	for name, want := range map[string]string{"a": wantGPUEnv("0", 1), "b": wantGPUEnv("1", 1)} {
		if got := gpuEnvOut(t, out(name)); got != want {
			t.Errorf("job %s: GPU variables\n%s\nwant\n%s", name, got, want)
		}
	}
	// c and e ran after a and b, on one GPU each (whichever was free);
	// different ones if they ran at once.
	gc, ge := gpuEnvOut(t, out("c")), gpuEnvOut(t, out("e"))
	okC := gc == wantGPUEnv("0", 1) || gc == wantGPUEnv("1", 1)
	okE := ge == wantGPUEnv("0", 1, "SLURM_GPUS=1") || ge == wantGPUEnv("1", 1, "SLURM_GPUS=1")
	jc, je := ended[c], ended[e]
	overlap := jc.StartTime.Before(je.EndTime) && je.StartTime.Before(jc.EndTime)
	if !okC || !okE || (overlap && slices.Equal(jc.GPUIDs, je.GPUIDs)) {
		t.Errorf("jobs c and e (at once: %v): GPU variables\n%s\nand\n%s", overlap, gc, ge)
	}
	d.srv.mu.RLock()
	nodes = d.srv.nodeViews()
	d.srv.mu.RUnlock()
	if nodes[0].AllocGPUs != 0 || nodes[0].AllocCPUs != 0 {
		t.Errorf("node after the jobs ended: %+v", nodes[0])
	}
}

// A GPU request no node of the partition could hold is refused with
// slurmctld's words; a held one is accepted and waits for BadConstraints
// once released.
func TestGPURefused(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, gpuConfig(t), "")
	const noNode = "sbatch: error: Batch job submission failed: Requested node configuration is not available\n"
	cpu := func(o *compat.SubmitOptions) { o.Partition, o.Given["partition"] = "cpu", true }
	tests := []struct {
		name string
		set  []func(o *compat.SubmitOptions)
		want string
	}{
		{"a partition without GPUs", []func(*compat.SubmitOptions){cpu, extra("gres", "gpu:1")}, noNode},
		{"--cpus-per-gpu where no node has a GPU", []func(*compat.SubmitOptions){cpu, extra("cpus-per-gpu", "2")}, noNode},
		{"more GPUs than the node", []func(*compat.SubmitOptions){extra("gres", "gpu:3")}, noNode},
		{"--gpus=3", []func(*compat.SubmitOptions){extra("gpus", "3")}, noNode},
		{"--gpus-per-task=2 -n2", []func(*compat.SubmitOptions){extra("gpus-per-task", "2"), func(o *compat.SubmitOptions) {
			o.NTasks, o.Given["ntasks"] = 2, true
		}}, noNode},
		{"a GPU type", []func(*compat.SubmitOptions){extra("gres", "gpu:tesla:1")}, noNode},
		{"--gpus=tesla:1", []func(*compat.SubmitOptions){extra("gpus", "tesla:1")}, noNode},
		{"two GPUs", []func(*compat.SubmitOptions){extra("gres", "gpu:2")}, ""},
		{"--cpus-per-gpu alone", []func(*compat.SubmitOptions){extra("cpus-per-gpu", "2")}, ""},
		{"held, more GPUs than the node", []func(*compat.SubmitOptions){extra("gres", "gpu:3"), func(o *compat.SubmitOptions) { o.Hold = true }}, ""},
	}
	for _, tc := range tests {
		got := d.submitErr(t, func(o *compat.SubmitOptions) {
			for _, f := range tc.set {
				f(o)
			}
		})
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	held := d.submit(t, "true", func(o *compat.SubmitOptions) {
		gpuOpts("", "gres", "gpu:3")(o)
		o.Hold = true
	})
	d.waitReason(t, held, "JobHeldUser")
	if r := d.scontrol(t, "release", fmt.Sprint(held)); r.Exit != 0 {
		t.Fatalf("scontrol release: %+v", r)
	}
	d.waitReason(t, held, "BadConstraints")
	d.srv.mu.RLock()
	v := d.view(d.srv.live[held])
	d.srv.mu.RUnlock()
	if v.Priority != 0 {
		t.Errorf("released job that can never run: priority %d, want 0 (as recorded)", v.Priority)
	}
}

// The GPUs of a running job are taken again after a restart: a job
// asking for one waits until it ends.
func TestGPURecovery(t *testing.T) {
	t.Parallel()
	cfg := gpuConfig(t)
	d := startDaemon(t, cfg, "")
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	both := d.submit(t, gpuScript(gate), gpuOpts(filepath.Join(dir, "both.out"), "gres", "gpu:2"))
	if j := d.waitState(t, both, queue.Running).job; !slices.Equal(j.GPUIDs, []int{0, 1}) {
		t.Fatalf("GPUs of the job: %v", j.GPUIDs)
	}
	d.stop()

	d2 := startDaemon(t, cfg, d.dir)
	if j := d2.waitState(t, both, queue.Running).job; !slices.Equal(j.GPUIDs, []int{0, 1}) || j.GRES != "TresPerNode=gres:gpu:2" || j.GPUs != 2 {
		t.Errorf("after the restart: GPUs %v, request %q, count %d", j.GPUIDs, j.GRES, j.GPUs)
	}
	one := d2.submit(t, gpuScript(gate), gpuOpts(filepath.Join(dir, "one.out"), "gres", "gpu:1"))
	d2.waitReason(t, one, "Resources")
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d2.waitState(t, both, queue.Completed)
	d2.waitState(t, one, queue.Completed)
	if got, want := gpuEnvOut(t, filepath.Join(dir, "both.out")), wantGPUEnv("0,1", 2); got != want {
		t.Errorf("job with two GPUs: variables\n%s\nwant\n%s", got, want)
	}
	if got, want := gpuEnvOut(t, filepath.Join(dir, "one.out")), wantGPUEnv("0", 1); got != want {
		t.Errorf("job after the restart: variables\n%s\nwant\n%s", got, want)
	}
}

// gpuView gives scontrol show job the job's GPUs as Slurm prints them.
func TestGPUView(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, gpuConfig(t), "")
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	id := d.submit(t, gpuScript(gate), func(o *compat.SubmitOptions) {
		gpuOpts(filepath.Join(dir, "out"), "gpus-per-task", "1")(o)
		o.NTasks, o.Given["ntasks"] = 2, true
	})
	e := d.waitState(t, id, queue.Running)
	v := d.view(e)
	gpuView(e.job, v) // fillView's line (view.go)
	var b bytes.Buffer
	if err := compat.ScontrolShowJob(&b, []*compat.Job{v}, false, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TRES=cpu=2,mem=2G,node=1,billing=2,gres/gpu=2\n", "JOB_GRES=gpu:2\n",
		" GRES=gpu:2(IDX:0-1)\n", "   TresPerTask=gres:gpu:1\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d.waitState(t, id, queue.Completed)
}

// A local gate's gpus reaches the gate's options; a negative count is an
// error.
func TestGPUConfig(t *testing.T) {
	t.Parallel()
	cfg := gpuConfig(t)
	if o := cfg.Gates["local"].options(); o["gpus"] != 2 {
		t.Errorf("options of a gate with 2 GPUs: %v", o)
	}
	if o := cfg.Gates["plain"].options(); o["gpus"] != nil {
		t.Errorf("options of a gate without GPUs: %v", o)
	}
	if _, err := ParseConfig([]byte("[gates.local]\nkind = \"local\"\ngpus = -1\n[[partitions]]\nname = \"p\"\ngate = \"local\"\ndefault = true\n")); err == nil ||
		!strings.Contains(err.Error(), "gpus must not be negative") {
		t.Errorf("gpus = -1: %v", err)
	}
}
