package gateway

import (
	"skyport/compat"
	"skyport/queue"
)

// GPUs. A node has GPUs when its gate says so (gate.Node.GPUs: the local
// gate's and an SSH host's "gpus" option, an Azure size's GPUs), numbered
// 0 to n-1; a partition offers GPUs when one of its nodes has some. A job
// asks for them with --gres=gpu[:N], --gpus, --gpus-per-node,
// --gpus-per-socket or --gpus-per-task (queue.Job.GRES records the
// request as slurmctld shows it, queue.Job.GPUs how many it holds on its
// node); the scheduler gives it the lowest free indices of one node
// (queue.Job.GPUIDs), which the job's environment names
// (CUDA_VISIBLE_DEVICES=0,1, compat.JobEnv) and which recovery takes
// again after a restart. Slurm 22.05, recorded with a two-GPU node:
//
//   - a request no node of the partition could ever hold (more GPUs than
//     any node has, a GPU type, any GPU option where no node has a GPU) is
//     refused at submission: "Requested node configuration is not
//     available"; a held job is accepted and, once released, waits with
//     reason BadConstraints;
//   - the first job that waits for GPUs shows Resources and the GPU jobs
//     behind it Priority, but a job without GPUs behind it still starts
//     when the CPUs allow (slurmctld's backfill started it);
//   - --cpus-per-gpu=N gives the job N CPUs per GPU (NumCPUs=2 for
//     --cpus-per-gpu=2 --gpus=1), --mem-per-gpu memory per GPU.

// gpuBlock is the key of blocked (pass) that says an earlier job of gate
// waits for GPUs: GPU jobs behind it wait for Priority, others may start.
func gpuBlock(gate string) string { return gate + "\x00gpu" }

// setGPURequest records on j the GPU request of its options o, which
// compat.CheckGres accepted, and reports whether it names a GPU type.
// --mem-per-gpu sets the job's memory per node to that times its GPUs.
func setGPURequest(j *queue.Job, o *compat.SubmitOptions) (typed bool, err error) {
	g, ok := compat.GRESOf(o)
	if !ok {
		return false, compat.InvalidGres()
	}
	if g.IsZero() {
		return false, nil
	}
	j.GRES = g.String()
	j.GPUs = g.GPUsPerNode(j.NTasks, 1)
	if mb := g.MemPerGPUMB(); mb > 0 && !o.Given["mem"] && !o.Given["mem-per-cpu"] {
		j.MemPerNodeMB, j.MemPerCPUMB = mb*int64(max(j.GPUs, 1)), 0
	}
	return g.Typed(), nil
}

// gresOf decodes j's GPU request (the zero GRES for none or a record that
// does not decode).
func gresOf(j *queue.Job) compat.GRES {
	if j.GRES == "" {
		return compat.GRES{}
	}
	g, _ := compat.ParseGRESRecord(j.GRES)
	return g
}

// needCPUs is the CPUs j holds on its node: its tasks' CPUs, or
// --cpus-per-gpu times its GPUs when that is more.
func needCPUs(j *queue.Job) int {
	cpus := jobCPUs(j)
	if j.GPUs > 0 && j.GRES != "" {
		cpus = max(cpus, gresOf(j).CPUsPerGPU()*j.GPUs)
	}
	return cpus
}

// needMem is the memory in MiB j holds on its node: per node, or per CPU
// of needCPUs.
func needMem(j *queue.Job) int64 { return memFor(j, needCPUs(j)) }

// offersGPUs reports whether a node of p has at least n GPUs.
func (p *partition) offersGPUs(n int) bool { return p.maxGPUs >= max(n, 1) }

// freeGPUs is how many of n's GPUs no job holds.
func (n *node) freeGPUs() int {
	free := 0
	for _, used := range n.gpuUsed {
		if !used {
			free++
		}
	}
	return free
}

// fitsGPUs reports whether j's GPUs fit on n now: a job with a GPU
// request runs only on a node with GPUs, with j.GPUs of them free.
func (n *node) fitsGPUs(j *queue.Job) bool {
	if j.GRES == "" {
		return true
	}
	return len(n.gpuUsed) > 0 && n.freeGPUs() >= j.GPUs
}

// holdsGPUs reports whether n could hold j's GPUs when no job runs on it.
func (n *node) holdsGPUs(j *queue.Job) bool {
	return j.GRES == "" || (len(n.gpuUsed) > 0 && len(n.gpuUsed) >= j.GPUs)
}

// takeGPUs marks the k lowest free GPUs of n used and returns their
// indices (nil for k = 0); the caller checked fitsGPUs and holds s.mu.
func (n *node) takeGPUs(k int) []int {
	var ids []int
	for i := range n.gpuUsed {
		if len(ids) == k {
			break
		}
		if !n.gpuUsed[i] {
			n.gpuUsed[i] = true
			ids = append(ids, i)
		}
	}
	return ids
}

// markGPUs marks the GPUs ids of n used or free; indices the node does
// not have (its GPU count was lowered by a restart) are skipped. The
// caller holds s.mu.
func (n *node) markGPUs(ids []int, used bool) {
	for _, i := range ids {
		if i >= 0 && i < len(n.gpuUsed) {
			n.gpuUsed[i] = used
		}
	}
}

// usedGPUs is how many of n's GPUs jobs hold.
func (n *node) usedGPUs() int { return len(n.gpuUsed) - n.freeGPUs() }

// gpuView fills the GPU part of v, the Slurm-facing view of j: the
// request as scontrol and squeue show it, the gres/gpu count of its TRES
// (what it holds once started, else what it asks for) and the indices it
// holds.
func gpuView(j *queue.Job, v *compat.Job) {
	if j.GRES == "" {
		return
	}
	v.GRES = gresOf(j)
	v.TRESPerNode = v.GRES.PerNode
	v.GPUs, v.GPUIDs = j.GPUs, j.GPUIDs
	if len(j.GPUIDs) > 0 {
		v.GPUs = len(j.GPUIDs)
	}
}
