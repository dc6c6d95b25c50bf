package compat

import "strconv"

// How Slurm 22.05 prints GPUs, as recorded on a node with Gres=gpu:2
// (internal/compatdiff/testdata/gpu):
//
//   - a job's TRES gains ",gres/gpu=N" after billing (scontrol TRES=,
//     squeue -O tres-alloc: "cpu=1,mem=1G,node=1,billing=1,gres/gpu=1"), or
//     between cpu and mem in sacct's sorted ReqTRES/AllocTRES
//     ("billing=1,cpu=1,gres/gpu=1,mem=1G,node=1"; the .batch step's
//     AllocTRES "cpu=1,gres/gpu=1,mem=1G,node=1"). A job without GPUs has
//     no gres/gpu item at all, even on a GPU node;
//   - scontrol -d show job: "JOB_GRES=gpu:2" and
//     "Nodes=vm CPU_IDs=0 Mem=1024 GRES=gpu:2(IDX:0-1)"; the indices are
//     the node's own (ConstrainDevices=no), so a second one-GPU job gets
//     IDX:1 and CUDA_VISIBLE_DEVICES=1;
//   - a node: "Gres=gpu:2" (else "(null)"), -d "GresUsed=gpu:1",
//     "CfgTRES=cpu=2,mem=24105M,billing=2,gres/gpu=2",
//     "AllocTRES=cpu=1,mem=1G,gres/gpu=1" (no gres/gpu while none is
//     used); sinfo %G "gpu:2", -O gresused "gpu:1" (or "gpu:0");
//   - a partition: TRES=cpu=2,mem=24105M,node=1,billing=2,gres/gpu=2.

// jobGRES is j's GPU request, with TRESPerNode standing for GRES.PerNode
// when only it is set.
func jobGRES(j *Job) GRES {
	g := j.GRES
	if g.PerNode == "" {
		g.PerNode = j.TRESPerNode
	}
	return g
}

// appendTRES appends the job's trackable resources: squeue's and
// scontrol's order ("cpu=1,mem=1G,node=1,billing=1,gres/gpu=1") when
// squeueOrder, sacct's sorted order ("billing=1,cpu=1,gres/gpu=1,mem=1G,
// node=1") otherwise; gres/gpu only for a job with GPUs.
func appendTRES(b []byte, j *Job, squeueOrder bool) []byte {
	cpus := int64(max(j.NumCPUs, 1))
	if !squeueOrder {
		b = append(b, "billing="...)
		b = appendInt(b, cpus)
		b = append(b, ',')
	}
	b = append(b, "cpu="...)
	b = appendInt(b, cpus)
	if !squeueOrder {
		b = appendGPUTRES(b, j.GPUs)
	}
	b = append(b, ",mem="...)
	b = appendMemMB(b, jobMemTotalMB(j))
	b = append(b, ",node="...)
	b = appendInt(b, int64(max(j.NumNodes, 1)))
	if squeueOrder {
		b = append(b, ",billing="...)
		b = appendInt(b, cpus)
		b = appendGPUTRES(b, j.GPUs)
	}
	return b
}

// appendReqTRES appends sacct's ReqTRES: the TRES as requested, which is
// the allocation's except with --cpus-per-gpu, whose CPUs (and the memory
// per CPU that goes with them) come on top of the request: recorded
// "billing=1,cpu=1,gres/gpu=1,mem=1G,node=1" for --cpus-per-gpu=2
// --gpus=1, allocated with cpu=2,mem=2G.
func appendReqTRES(b []byte, j *Job) []byte {
	if jobGRES(j).CPUsPerTRES == "" {
		return appendTRES(b, j, false)
	}
	req := *j
	req.NumCPUs = max(j.NumTasks, 1) * max(j.CPUsPerTask, 1)
	return appendTRES(b, &req, false)
}

// appendGPUTRES appends ",gres/gpu=N", nothing when n is 0.
func appendGPUTRES(b []byte, n int) []byte {
	if n <= 0 {
		return b
	}
	b = append(b, ",gres/gpu="...)
	return appendInt(b, int64(n))
}

// appendBatchTRES appends the AllocTRES of a job's .batch step:
// "cpu=1,gres/gpu=1,mem=1G,node=1".
func appendBatchTRES(b []byte, cpus int64, j *Job) []byte {
	b = append(b, "cpu="...)
	b = appendInt(b, cpus)
	b = appendGPUTRES(b, j.GPUs)
	b = append(b, ",mem="...)
	b = appendMemMB(b, jobMemTotalMB(j))
	return append(b, ",node=1"...)
}

// appendGPUCount appends "gpu:N" (Gres=, GresUsed=, JOB_GRES=, sinfo %G).
func appendGPUCount(b []byte, n int) []byte {
	b = append(b, "gpu:"...)
	return appendInt(b, int64(n))
}

// appendGPUIdx appends GPU indices as Slurm's bitmaps print them: sorted
// runs of two or more as "a-b", separated by commas ("0-1", "0,2",
// "0-2,5"). ids must be in increasing order.
func appendGPUIdx(b []byte, ids []int) []byte {
	for i := 0; i < len(ids); {
		k := i
		for k+1 < len(ids) && ids[k+1] == ids[k]+1 {
			k++
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(ids[i]), 10)
		if k > i {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(ids[k]), 10)
		}
		i = k + 1
	}
	return b
}

// GPUList is GPU indices as the job's environment lists them
// (CUDA_VISIBLE_DEVICES=0,1): every index, comma-separated, in order.
func GPUList(ids []int) string {
	b := make([]byte, 0, 2*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(b)
}

// appendJobGresDetail appends what scontrol -d prints of a started job's
// GPUs: the JOB_GRES value ("gpu:1", or "(null)") when jobLine, else the
// value of the Nodes line's GRES= ("gpu:1(IDX:0)", or nothing).
func appendJobGresDetail(b []byte, j *Job, jobLine bool) []byte {
	n := j.GPUs
	if len(j.GPUIDs) > 0 {
		n = len(j.GPUIDs)
	}
	if n <= 0 {
		if jobLine {
			return append(b, "(null)"...)
		}
		return b
	}
	b = appendGPUCount(b, n)
	if jobLine {
		return b
	}
	b = append(b, "(IDX:"...)
	b = appendGPUIdx(b, j.GPUIDs)
	return append(b, ')')
}

// appendGRESLines adds the lines scontrol show job prints for the job's
// GPU request, in scontrol's order ("CpusPerTres=gres:gpu:2",
// "TresPerJob=gres:gpu:1"), each ending a line.
func appendGRESLines(r *scontrolRecord, j *Job) {
	g := jobGRES(j)
	for _, k := range gresKeys {
		if v := *k.at(&g); v != "" {
			r.add(k.name, "=", v)
			r.end()
		}
	}
}

// appendNodeGres appends a node's Gres= value: "gpu:2", or "(null)" for a
// node without GPUs.
func appendNodeGres(b []byte, gpus int) []byte {
	if gpus <= 0 {
		return append(b, "(null)"...)
	}
	return appendGPUCount(b, gpus)
}
