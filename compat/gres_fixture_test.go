package compat

import "time"

// The "gpu" fixtures are the jobs and the node recorded with real Slurm
// 22.05.8 on the reference node given Gres=gpu:2
// (internal/compatdiff/testdata/gpu; the goldens name the file).

func init() {
	scontrolFixtures["gpu"] = fixtureScontrolGPU
	scontrolFixtures["gpunode"] = fixtureScontrolGPUNode
	sinfoFixtures["gpu"] = func() ([]Partition, []Node) { return gpuPartitions(), []Node{gpuNode(1)} }
	sinfoFixtures["gpuidle"] = func() ([]Partition, []Node) { return gpuPartitions(), []Node{gpuNode(0)} }
	sacctFixtures["gpu"] = fixtureSacctGPU
	sacctFixtures["gpuwait"] = fixtureSacctGPUWait
	squeueFixtures["gpu"] = func() []*Job { return fixtureScontrolGPU().Jobs[4:] }     // job 10463 alone
	squeueFixtures["gpucpg"] = func() []*Job { return fixtureScontrolGPU().Jobs[1:2] } // job 10468 alone
	squeueFixtures["gpuwait"] = fixtureSacctGPUWait
}

// gpuJob is job id of the GPU recordings (work dir /tmp/gpu-rec, output
// in out/<id>.out), submitted at submit with the request g holding gpus.
func gpuJob(id uint32, name string, prio uint32, submit time.Time, g GRES, gpus int) *Job {
	j := scontrolJob(id, name, "/tmp/gpu-rec", 2098)
	out := "/tmp/gpu-rec/out/" + itoa(int64(id)) + ".out"
	j.StdOut, j.StdErr, j.Priority = out, out, prio
	j.SubmitTime, j.EligibleTime = submit, submit
	j.GRES, j.TRESPerNode, j.GPUs = g, g.PerNode, gpus
	return j
}

// gpuRunning marks j as running on vm since start, holding GPUs ids.
func gpuRunning(j *Job, start time.Time, ids ...int) *Job {
	j.State, j.Reason, j.StartTime, j.NodeList, j.GPUIDs = "RUNNING", "None", start, "vm", ids
	j.Batch = &Step{Name: "batch", State: "RUNNING", Start: start, NodeList: "vm", NumCPUs: j.NumCPUs}
	return j
}

func fixtureScontrolGPU() ScontrolData {
	perNode := GRES{PerNode: "gres:gpu:1"}
	j10463 := gpuRunning(gpuJob(10463, "gres1", 4294901642, at(19, 45, 6), perNode, 1), at(19, 45, 9), 0)
	j10465 := gpuRunning(gpuJob(10465, "gpus1", 4294901640, at(19, 45, 43), GRES{PerJob: "gres:gpu:1"}, 1), at(19, 45, 43), 0)
	j10467 := gpuRunning(gpuJob(10467, "gpt1", 4294901638, at(19, 46, 6), GRES{PerTask: "gres:gpu:1"}, 2), at(19, 46, 7), 0, 1)
	j10467.NumCPUs, j10467.NumTasks = 2, 2
	j10468 := gpuJob(10468, "cpg2", 4294901637, at(19, 46, 18), GRES{CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}, 1)
	j10468.NumCPUs = 2 // --cpus-per-gpu=2 --gpus=1
	gpuRunning(j10468, at(19, 46, 19), 0)
	j10484 := gpuJob(10484, "waiter", 4294901621, at(19, 46, 56), perNode, 1)
	j10484.Reason, j10484.LastSchedEval = "Resources", at(19, 46, 59)
	j10484.StartTime = time.Date(2027, 11, 27, 19, 46, 56, 0, time.UTC) // backfill's guess
	return ScontrolData{Jobs: []*Job{j10484, j10468, j10467, j10465, j10463}}
}

// gpuNode is the recorded node with Gres=gpu:2 and alloc one-CPU,
// one-GPU jobs on it.
func gpuNode(alloc int) Node {
	n := refNode("idle", alloc)
	if alloc > 0 {
		n.State = "mixed"
	}
	n.MemMB, n.FreeMemMB, n.CPULoad = 24105, 19654, 5.07
	n.GPUs, n.AllocGPUs = 2, alloc
	n.Arch, n.OS = "x86_64", "Linux 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0"
	n.BootTime, n.SlurmdStartTime, n.LastBusyTime = at(13, 28, 0), at(19, 44, 29), at(19, 45, 5)
	return n
}

// gpuPartitions are debug and cloud on the node with Gres=gpu:2.
func gpuPartitions() []Partition {
	ps := refPartitions()
	for i := range ps {
		ps[i].TotalMemMB, ps[i].TotalGPUs = 24105, 2
	}
	return ps
}

func fixtureScontrolGPUNode() ScontrolData {
	return ScontrolData{Partitions: gpuPartitions(), Nodes: []Node{gpuNode(1)}, Config: ConfigView{ControlHost: "vm", Up: true}}
}

// gpuDone marks j as completed after running from start to end.
func gpuDone(j *Job, start, end time.Time, ids ...int) *Job {
	finished(j, j.SubmitTime, start, end, "COMPLETED", 0, 0, "COMPLETED", 0, 0, 1000)
	j.GPUIDs = ids
	return j
}

func fixtureSacctGPU() []*Job {
	j10463 := gpuDone(gpuJob(10463, "gres1", 4294901642, at(19, 45, 6), GRES{PerNode: "gres:gpu:1"}, 1),
		at(19, 45, 9), at(19, 45, 17), 0)
	j10467 := gpuJob(10467, "gpt1", 4294901638, at(19, 46, 6), GRES{PerTask: "gres:gpu:1"}, 2)
	j10467.NumCPUs, j10467.NumTasks = 2, 2
	gpuDone(j10467, at(19, 46, 7), at(19, 46, 15), 0, 1)
	j10468 := gpuJob(10468, "cpg2", 4294901637, at(19, 46, 18), GRES{CPUsPerTRES: "gres:gpu:2", PerJob: "gres:gpu:1"}, 1)
	j10468.NumCPUs = 2 // --cpus-per-gpu=2 --gpus=1
	gpuDone(j10468, at(19, 46, 19), at(19, 46, 27), 0)
	return []*Job{j10463, j10467, j10468}
}

func fixtureSacctGPUWait() []*Job {
	j10483 := gpuRunning(gpuJob(10483, "both", 4294901622, at(19, 46, 53), GRES{PerNode: "gres:gpu:2"}, 2), at(19, 46, 54), 0, 1)
	j10484 := gpuJob(10484, "waiter", 4294901621, at(19, 46, 56), GRES{PerNode: "gres:gpu:1"}, 1)
	j10484.Reason = "Resources"
	j10485 := gpuRunning(gpuJob(10485, "cpuonly", 4294901620, at(19, 46, 56), GRES{}, 0), at(19, 46, 57))
	j10486 := gpuJob(10486, "waiter2", 4294901619, at(19, 46, 56), GRES{PerJob: "gres:gpu:1"}, 1)
	j10486.Reason = "Priority"
	return []*Job{j10486, j10485, j10484, j10483}
}
