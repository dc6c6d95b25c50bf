package compat

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// GRESOf records each GPU option as Slurm 22.05 shows it
// (internal/compatdiff/testdata/gpu).
func TestGRESOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kv   []string
		want GRES
		ok   bool
	}{
		{nil, GRES{}, true},
		{[]string{"gres", "gpu:1"}, GRES{PerNode: "gres:gpu:1"}, true},
		{[]string{"gres", "gpu:2"}, GRES{PerNode: "gres:gpu:2"}, true},
		{[]string{"gres", "gpu"}, GRES{PerNode: "gres:gpu"}, true},
		{[]string{"gres", "gpu:tesla:1"}, GRES{PerNode: "gres:gpu:tesla:1"}, true},
		{[]string{"gres", "gpu:0"}, GRES{}, true},
		{[]string{"gres", "none"}, GRES{}, true},
		{[]string{"gres", "gpu:2,gpu:1"}, GRES{PerNode: "gres:gpu:2,gres:gpu:1"}, true},
		{[]string{"gres", "gpu:1", "gpus-per-node", "2"}, GRES{PerNode: "gres:gpu:2,gres:gpu:1"}, true},
		{[]string{"gpus", "1"}, GRES{PerJob: "gres:gpu:1"}, true},
		{[]string{"gpus", "tesla:1"}, GRES{PerJob: "gres:gpu:tesla:1"}, true},
		{[]string{"gpus", "0"}, GRES{}, true},
		{[]string{"gpus-per-node", "1"}, GRES{PerNode: "gres:gpu:1"}, true},
		{[]string{"gpus-per-task", "1", "ntasks", "2"}, GRES{PerTask: "gres:gpu:1"}, true},
		{[]string{"gpus-per-socket", "1"}, GRES{PerSocket: "gres:gpu:1"}, true},
		{[]string{"cpus-per-gpu", "2", "gpus", "1"}, GRES{CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}, true},
		{[]string{"cpus-per-gpu", "2"}, GRES{CPUsPerTRES: "gres:gpu:2"}, true},
		{[]string{"mem-per-gpu", "1G", "gpus", "1"}, GRES{MemPerTRES: "gres:gpu:1024", PerJob: "gres:gpu:1"}, true},
		{[]string{"mem-per-gpu", "512"}, GRES{MemPerTRES: "gres:gpu:512"}, true},
		{[]string{"mem-per-gpu", "lots"}, GRES{}, false},
		{[]string{"gpus", "a:b:c"}, GRES{}, false},
		{[]string{"gres", "gpux:1"}, GRES{}, false},
	}
	for _, tc := range tests {
		got, ok := GRESOf(gresOpts(tc.kv...))
		if got != tc.want || ok != tc.ok {
			t.Errorf("GRESOf(%q) = %+v, %v; want %+v, %v", tc.kv, got, ok, tc.want, tc.ok)
		}
	}
}

func TestGRESRecord(t *testing.T) {
	t.Parallel()
	all := GRES{CPUsPerTRES: "gres:gpu:2", MemPerTRES: "gres:gpu:1024", PerJob: "gres:gpu:1",
		PerNode: "gres:gpu:2,gres:gpu", PerSocket: "gres:gpu:1", PerTask: "gres:gpu:t4:1"}
	for _, g := range []GRES{{}, {PerNode: "gres:gpu:1"}, {CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}, all} {
		s := g.String()
		back, err := ParseGRESRecord(s)
		if err != nil || back != g {
			t.Errorf("ParseGRESRecord(%q) = %+v, %v; want %+v", s, back, err, g)
		}
	}
	if got, want := (GRES{CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}).String(), "CpusPerTres=gres:gpu:2 TresPerJob=gres:gpu:1"; got != want {
		t.Errorf("String = %q; want %q", got, want)
	}
	for _, bad := range []string{" ", "TresPerNode", "TresPerNode=", "Bogus=gres:gpu:1", "TresPerNode=gres:mps:1",
		"TresPerNode=gres:gpu:1 TresPerNode=gres:gpu:2", "TresPerNode=gres:gpu:1,", "TresPerNode=gres:gpu:-1",
		"TresPerJob=gres:gpu:a:b:c", "TresPerJob=gres:gpu::1", "TresPerJob=gres:gpux"} {
		if g, err := ParseGRESRecord(bad); err == nil {
			t.Errorf("ParseGRESRecord(%q) = %+v; want an error", bad, g)
		}
	}
}

func TestGRESCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		g              GRES
		ntasks, socket int
		gpus, cpg      int
		mem            int64
		typed          bool
	}{
		{GRES{}, 1, 1, 0, 0, 0, false},
		{GRES{PerNode: "gres:gpu:1"}, 4, 1, 1, 0, 0, false},
		{GRES{PerNode: "gres:gpu"}, 1, 1, 1, 0, 0, false},
		{GRES{PerNode: "gres:gpu:2,gres:gpu:1"}, 1, 1, 1, 0, 0, false}, // slurmctld allocated 1
		{GRES{PerJob: "gres:gpu:3"}, 1, 1, 3, 0, 0, false},
		{GRES{PerTask: "gres:gpu:1"}, 2, 1, 2, 0, 0, false},
		{GRES{PerTask: "gres:gpu:2"}, 2, 1, 4, 0, 0, false},
		{GRES{PerSocket: "gres:gpu:1"}, 1, 2, 2, 0, 0, false},
		{GRES{PerNode: "gres:gpu:1", PerJob: "gres:gpu:1"}, 1, 1, 1, 0, 0, false},
		{GRES{CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}, 1, 1, 1, 2, 0, false},
		{GRES{CPUsPerTRES: "gres:gpu:2"}, 1, 1, 0, 2, 0, false},
		{GRES{MemPerTRES: "gres:gpu:1024", PerJob: "gres:gpu:1"}, 1, 1, 1, 0, 1024, false},
		{GRES{PerNode: "gres:gpu:tesla:1"}, 1, 1, 1, 0, 0, true},
		{GRES{PerJob: "gres:gpu:a100"}, 1, 1, 1, 0, 0, true},
		{GRES{PerTask: "gres:gpu:99999999999"}, 1 << 30, 1, maxGPUCount, 0, 0, false},
	}
	for _, tc := range tests {
		if got := tc.g.GPUsPerNode(tc.ntasks, tc.socket); got != tc.gpus {
			t.Errorf("%+v.GPUsPerNode(%d, %d) = %d; want %d", tc.g, tc.ntasks, tc.socket, got, tc.gpus)
		}
		if got := tc.g.CPUsPerGPU(); got != tc.cpg {
			t.Errorf("%+v.CPUsPerGPU() = %d; want %d", tc.g, got, tc.cpg)
		}
		if got := tc.g.MemPerGPUMB(); got != tc.mem {
			t.Errorf("%+v.MemPerGPUMB() = %d; want %d", tc.g, got, tc.mem)
		}
		if got := tc.g.Typed(); got != tc.typed {
			t.Errorf("%+v.Typed() = %v; want %v", tc.g, got, tc.typed)
		}
	}
}

func TestGPUIdx(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ids       []int
		idx, list string
	}{
		{nil, "", ""},
		{[]int{0}, "0", "0"},
		{[]int{1}, "1", "1"},
		{[]int{0, 1}, "0-1", "0,1"},
		{[]int{0, 2}, "0,2", "0,2"},
		{[]int{0, 1, 2, 5, 7, 8}, "0-2,5,7-8", "0,1,2,5,7,8"},
	}
	for _, tc := range tests {
		if got := string(appendGPUIdx(nil, tc.ids)); got != tc.idx {
			t.Errorf("appendGPUIdx(%v) = %q; want %q", tc.ids, got, tc.idx)
		}
		if got := GPUList(tc.ids); got != tc.list {
			t.Errorf("GPUList(%v) = %q; want %q", tc.ids, got, tc.list)
		}
	}
}

// appendTRES prints gres/gpu only for a job with GPUs, in each order.
func TestAppendTRES(t *testing.T) {
	t.Parallel()
	j := refJob(1, "x")
	for _, tc := range []struct {
		gpus          int
		squeue, sacct string
	}{
		{0, "cpu=1,mem=1G,node=1,billing=1", "billing=1,cpu=1,mem=1G,node=1"},
		{2, "cpu=1,mem=1G,node=1,billing=1,gres/gpu=2", "billing=1,cpu=1,gres/gpu=2,mem=1G,node=1"},
	} {
		j.GPUs = tc.gpus
		if got := string(appendTRES(nil, j, true)); got != tc.squeue {
			t.Errorf("GPUs %d: squeue order %q; want %q", tc.gpus, got, tc.squeue)
		}
		if got := string(appendTRES(nil, j, false)); got != tc.sacct {
			t.Errorf("GPUs %d: sacct order %q; want %q", tc.gpus, got, tc.sacct)
		}
	}
}

// gpuEnvOf returns the GPU-related variables of JobEnv for opts (long
// option, value pairs) run with cpus CPUs on GPUs ids.
func gpuEnvOf(ids []int, cpus int, kv ...string) []string {
	o := gresOpts(kv...)
	if o.Given["ntasks"] {
		o.NTasks = int(tresCount(o.Extra["ntasks"]))
	}
	var out []string
	for _, v := range JobEnv(JobEnvInput{Opts: *o, JobID: 1, ArrayTaskID: -1, Node: "vm", CPUs: cpus, GPUs: ids}) {
		if strings.Contains(v, "GPU") || strings.HasPrefix(v, "CUDA_") || strings.HasPrefix(v, "ROCR_") || strings.HasPrefix(v, "ZE_") ||
			strings.HasPrefix(v, "SLURM_TASKS_PER_NODE=") || strings.HasPrefix(v, "SLURM_MEM_PER") {
			out = append(out, v)
		}
	}
	return out
}

// The job environment of each recorded GPU job (the gpu recordings' env).
func TestGPUEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ids  []int
		cpus int
		kv   []string
		want []string
	}{
		{"no GPU on a GPU node", nil, 1, nil, []string{"SLURM_TASKS_PER_NODE=1"}},
		{"--gres=gpu:1", []int{0}, 1, []string{"gres", "gpu:1"}, []string{"CUDA_VISIBLE_DEVICES=0", "GPU_DEVICE_ORDINAL=0",
			"ROCR_VISIBLE_DEVICES=0", "SLURM_GPUS_ON_NODE=1", "SLURM_JOB_GPUS=0", "SLURM_TASKS_PER_NODE=1", "ZE_AFFINITY_MASK=0"}},
		{"the second one-GPU job", []int{1}, 1, []string{"gres", "gpu:1"}, []string{"CUDA_VISIBLE_DEVICES=1", "GPU_DEVICE_ORDINAL=1",
			"ROCR_VISIBLE_DEVICES=1", "SLURM_GPUS_ON_NODE=1", "SLURM_JOB_GPUS=1", "SLURM_TASKS_PER_NODE=1", "ZE_AFFINITY_MASK=1"}},
		{"--gres=gpu:2", []int{0, 1}, 1, []string{"gres", "gpu:2"}, []string{"CUDA_VISIBLE_DEVICES=0,1", "GPU_DEVICE_ORDINAL=0,1",
			"ROCR_VISIBLE_DEVICES=0,1", "SLURM_GPUS_ON_NODE=2", "SLURM_JOB_GPUS=0,1", "SLURM_TASKS_PER_NODE=1", "ZE_AFFINITY_MASK=0,1"}},
		{"--gpus=1", []int{0}, 1, []string{"gpus", "1"}, []string{"CUDA_VISIBLE_DEVICES=0", "GPU_DEVICE_ORDINAL=0",
			"ROCR_VISIBLE_DEVICES=0", "SLURM_GPUS=1", "SLURM_GPUS_ON_NODE=1", "SLURM_JOB_GPUS=0", "SLURM_TASKS_PER_NODE=1", "ZE_AFFINITY_MASK=0"}},
		{"--gpus-per-task=1 -n2", []int{0, 1}, 2, []string{"gpus-per-task", "1", "ntasks", "2"}, []string{"CUDA_VISIBLE_DEVICES=0,1",
			"GPU_DEVICE_ORDINAL=0,1", "ROCR_VISIBLE_DEVICES=0,1", "SLURM_GPUS_ON_NODE=2", "SLURM_GPUS_PER_TASK=1", "SLURM_JOB_GPUS=0,1",
			"SLURM_TASKS_PER_NODE=2", "ZE_AFFINITY_MASK=0,1"}},
		{"--cpus-per-gpu=2 --gpus=1", []int{0}, 2, []string{"cpus-per-gpu", "2", "gpus", "1"}, []string{"CUDA_VISIBLE_DEVICES=0",
			"GPU_DEVICE_ORDINAL=0", "ROCR_VISIBLE_DEVICES=0", "SLURM_CPUS_PER_GPU=2", "SLURM_GPUS=1", "SLURM_GPUS_ON_NODE=1",
			"SLURM_JOB_GPUS=0", "SLURM_TASKS_PER_NODE=2", "ZE_AFFINITY_MASK=0"}},
		{"--cpus-per-gpu=2 alone", nil, 1, []string{"cpus-per-gpu", "2"}, []string{"SLURM_CPUS_PER_GPU=2", "SLURM_TASKS_PER_NODE=1"}},
		{"--mem-per-gpu=1G --gpus=1", []int{0}, 1, []string{"mem-per-gpu", "1G", "gpus", "1"}, []string{"CUDA_VISIBLE_DEVICES=0",
			"GPU_DEVICE_ORDINAL=0", "ROCR_VISIBLE_DEVICES=0", "SLURM_GPUS=1", "SLURM_GPUS_ON_NODE=1", "SLURM_JOB_GPUS=0",
			"SLURM_MEM_PER_GPU=1024", "SLURM_TASKS_PER_NODE=1", "ZE_AFFINITY_MASK=0"}},
	}
	for _, tc := range tests {
		got := gpuEnvOf(tc.ids, tc.cpus, tc.kv...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: env\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

// A node's and a partition's GPUs in scontrol and sinfo; a node without
// GPUs prints what it printed before.
func TestNodeGres(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		gpus int
		want string
	}{{0, "(null)"}, {2, "gpu:2"}} {
		if got := string(appendNodeGres(nil, tc.gpus)); got != tc.want {
			t.Errorf("appendNodeGres(%d) = %q; want %q", tc.gpus, got, tc.want)
		}
	}
	n := refNode("mixed", 1)
	out := string(appendScontrolNode(nil, &n, false, 1, nil))
	for _, want := range []string{"Gres=(null)\n", "GresUsed=gpu:0\n", "CfgTRES=cpu=2,mem=24152M,billing=2\n", "AllocTRES=cpu=1,mem=1G\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("node without GPUs: no %q in\n%s", want, out)
		}
	}
	n.GPUs = 2
	out = string(appendScontrolNode(nil, &n, false, 1, nil))
	for _, want := range []string{"Gres=gpu:2\n", "GresUsed=gpu:0\n", "CfgTRES=cpu=2,mem=24152M,billing=2,gres/gpu=2\n", "AllocTRES=cpu=1,mem=1G\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("node with GPUs, none used: no %q in\n%s", want, out)
		}
	}
	p := refPartitions()[0]
	if out := string(appendScontrolPartition(nil, &p, true)); !strings.HasSuffix(out, "TRES=cpu=2,mem=24152M,node=1,billing=2\n") {
		t.Errorf("partition without GPUs: %s", out)
	}
}

func TestJobGresDetail(t *testing.T) {
	t.Parallel()
	j := refJob(1, "x")
	if got := string(appendJobGresDetail(nil, j, true)) + "|" + string(appendJobGresDetail(nil, j, false)); got != "(null)|" {
		t.Errorf("no GPU: %q", got)
	}
	j.GPUs, j.GPUIDs = 2, []int{0, 1}
	if got := string(appendJobGresDetail(nil, j, true)) + "|" + string(appendJobGresDetail(nil, j, false)); got != "gpu:2|gpu:2(IDX:0-1)" {
		t.Errorf("two GPUs: %q", got)
	}
}

// FuzzParseGRESRecord: whatever decodes encodes back to the same text,
// and the counts of a decoded record are in range.
func FuzzParseGRESRecord(f *testing.F) {
	for _, s := range []string{"", "TresPerNode=gres:gpu:1", "CpusPerTres=gres:gpu:2 TresPerJob=gres:gpu:1",
		"TresPerNode=gres:gpu:2,gres:gpu", "MemPerTres=gres:gpu:1024 TresPerTask=gres:gpu:t4:1", "TresPerNode=gres:gpu:-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGRESRecord(s)
		if err != nil {
			return
		}
		back, err := ParseGRESRecord(g.String())
		if err != nil || !reflect.DeepEqual(back, g) {
			t.Fatalf("%q decodes to %+v, which encodes to %q that decodes to %+v, %v", s, g, g.String(), back, err)
		}
		if n := g.GPUsPerNode(1<<30, 1<<30); n < 0 || n > maxGPUCount {
			t.Fatalf("%q: GPUsPerNode = %d", s, n)
		}
		_ = g.Typed()
	})
}

// FuzzGRESOf: what GRESOf accepts is a record ParseGRESRecord reads.
func FuzzGRESOf(f *testing.F) {
	f.Add("gpu:1", "1", "tesla:2", "1G")
	f.Add("gpu,gpu:a:3", "", "0", "x")
	f.Fuzz(func(t *testing.T, gres, gpus, perTask, mem string) {
		o := gresOpts("gres", gres, "gpus", gpus, "gpus-per-task", perTask, "mem-per-gpu", mem)
		g, ok := GRESOf(o)
		if !ok {
			return
		}
		back, err := ParseGRESRecord(g.String())
		if err != nil || back != g {
			t.Fatalf("GRESOf(%q, %q, %q, %q) = %+v: record %q decodes to %+v, %v", gres, gpus, perTask, mem, g, g.String(), back, err)
		}
	})
}

// TestScontrolMemPerGPU: a --mem-per-gpu=1G --gpus=1 job shows its memory
// in TRES and none per node, as recorded (internal/compatdiff/testdata/gpu/mpg.txt).
func TestScontrolMemPerGPU(t *testing.T) {
	t.Parallel()
	j := gpuRunning(gpuJob(10496, "mpg", 4294901609, at(19, 48, 17), GRES{MemPerTRES: "gres:gpu:1024", PerJob: "gres:gpu:1"}, 1), at(19, 48, 20), 0)
	j.MinMemoryMB, j.MemPerCPU = 1024, false
	var b strings.Builder
	if err := ScontrolShowJob(&b, []*Job{j}, false, 0, at(19, 48, 21)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"   TRES=cpu=1,mem=1G,node=1,billing=1,gres/gpu=1\n", "   MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0\n", "   MemPerTres=gres:gpu:1024\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("scontrol show job lacks %q:\n%s", want, b.String())
		}
	}
}
