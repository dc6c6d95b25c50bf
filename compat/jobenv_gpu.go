package compat

import "strconv"

// gpuEnvNames are the variables slurmd's gpu plugin sets to the indices
// of the job's GPUs ("0,1"), besides SLURM_JOB_GPUS. Recorded on Slurm
// 22.05 (ConstrainDevices=no, so they are the node's own indices: the
// second of two one-GPU jobs sees CUDA_VISIBLE_DEVICES=1).
var gpuEnvNames = [...]string{"CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK"}

// gpuEnv adds to env what a batch job's GPUs set, as recorded: for a job
// holding GPUs the index list in CUDA_VISIBLE_DEVICES, GPU_DEVICE_ORDINAL,
// ROCR_VISIBLE_DEVICES, ZE_AFFINITY_MASK and SLURM_JOB_GPUS, and their
// count in SLURM_GPUS_ON_NODE; a job without GPUs gets none of them, even
// on a GPU node. --mem-per-gpu is exported in MiB (SLURM_MEM_PER_GPU=1024
// for 1G), and a job whose --cpus-per-gpu gave it more CPUs than its
// tasks ask, without -n, has one task per CPU in SLURM_TASKS_PER_NODE
// (--cpus-per-gpu=2 --gpus=1: 2).
func gpuEnv(env map[string]string, j *JobEnvInput) {
	o := &j.Opts
	if len(j.GPUs) > 0 {
		list := GPUList(j.GPUs)
		for _, k := range gpuEnvNames {
			env[k] = list
		}
		env["SLURM_JOB_GPUS"] = list
		env["SLURM_GPUS_ON_NODE"] = strconv.Itoa(len(j.GPUs))
	}
	if v, ok := o.Extra["mem-per-gpu"]; ok && o.Given["mem-per-gpu"] {
		if mb, ok := parseMBytes(v); ok {
			env["SLURM_MEM_PER_GPU"] = strconv.FormatInt(mb, 10)
		}
	}
	if o.Given["cpus-per-gpu"] && len(j.GPUs) > 0 {
		if ntasks, cpt := jobEnvTasks(o); ntasks == 0 && j.CPUs > 0 {
			env["SLURM_TASKS_PER_NODE"] = strconv.Itoa(max(j.CPUs/max(cpt, 1), 1))
		}
	}
}
