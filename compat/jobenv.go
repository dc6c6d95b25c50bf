package compat

import (
	"slices"
	"strconv"
	"strings"
)

// Parts of SLURM_WORKING_CLUSTER after the host on the reference cluster:
// slurmctld's port, the 22.05 protocol version and select/cons_tres's id.
const workingClusterTail = ":6817:9728:109"

// JobEnvInput is what JobEnv needs to know about one run of a batch job
// on a single node.
type JobEnvInput struct {
	// Opts are the job's merged options; which were given decides several
	// variables (SLURM_NTASKS only with -n, SLURM_CPUS_PER_TASK only with
	// -c, SLURM_MEM_PER_NODE only with --mem, ...).
	Opts SubmitOptions

	JobID       uint32 // the job's own id (an array task's raw id)
	ArrayJobID  uint32 // the array's master id, when ArrayTaskID >= 0
	ArrayTaskID int64  // -1 when not an array task
	// The array's task count, smallest and largest index, and step (the
	// ":step" of a single "a-b:step" range, else 1).
	ArrayTaskCount, ArrayTaskMin, ArrayTaskMax, ArrayTaskStep int64

	JobName   string // SLURM_JOB_NAME; empty leaves it out (a script from stdin without -J)
	User      string
	UID, GID  uint32
	Account   string
	QOS       string
	Partition string
	Cluster   string

	Node        string // the node it runs on
	ControlHost string // the controller's host in SLURM_WORKING_CLUSTER; "" means Node
	SubmitDir   string
	SubmitHost  string

	// CPUs is the number of CPUs allocated on the node; 0 means the
	// request: max(ntasks, 1) * max(cpus-per-task, 1).
	CPUs int
	// DefMemPerCPUMB is the partition's DefMemPerCPU, exported as
	// SLURM_MEM_PER_CPU when neither --mem nor --mem-per-cpu was given.
	DefMemPerCPUMB int64
	Restarts       int    // times the job was requeued; SLURM_RESTART_COUNT when > 0
	PrioProcess    int    // the scheduling priority (nice) sbatch ran with
	Conf           string // SLURM_CONF; empty leaves it out
	// GPUs are the indices of the GPUs the job holds on the node (empty:
	// none): CUDA_VISIBLE_DEVICES and the others of gpuEnv.
	GPUs []int
}

// JobEnv returns the variables Slurm 22.05 sets for a batch job, sorted by
// name as "NAME=value": the SLURM_* set of a batch step on one node, plus
// ENVIRONMENT=BATCH and HOSTNAME. SLURM_TASK_PID is the runner's to add
// (it is the script's pid). There is no SLURM_TIMELIMIT,
// SLURM_JOB_START_TIME or SLURM_JOB_END_TIME: 22.05 does not set them.
// SLURM_CONF appears only when Conf is set: Sky Port's shims read no
// slurm.conf, so the gateway sets it only if it provides one.
func JobEnv(j JobEnvInput) []string {
	o := &j.Opts
	env := map[string]string{}
	set := func(k string, v any) {
		switch v := v.(type) {
		case string:
			env[k] = v
		case int:
			env[k] = strconv.Itoa(v)
		case int64:
			env[k] = strconv.FormatInt(v, 10)
		case uint32:
			env[k] = strconv.FormatUint(uint64(v), 10)
		}
	}
	id := j.JobID
	set("SLURM_JOB_ID", id)
	set("SLURM_JOBID", id)
	if j.JobName != "" {
		set("SLURM_JOB_NAME", j.JobName)
	}
	set("SLURM_JOB_USER", j.User)
	set("SLURM_JOB_UID", j.UID)
	set("SLURM_JOB_GID", j.GID)
	set("SLURM_JOB_ACCOUNT", j.Account)
	set("SLURM_JOB_QOS", j.QOS)
	set("SLURM_JOB_PARTITION", j.Partition)
	set("SLURM_CLUSTER_NAME", j.Cluster)
	set("SLURM_SUBMIT_DIR", j.SubmitDir)
	set("SLURM_SUBMIT_HOST", j.SubmitHost)
	set("SLURMD_NODENAME", j.Node)
	for _, k := range []string{"SLURM_JOB_NODELIST", "SLURM_NODELIST", "SLURM_TOPOLOGY_ADDR"} {
		set(k, j.Node)
	}
	set("SLURM_TOPOLOGY_ADDR_PATTERN", "node")
	set("SLURM_NODE_ALIASES", "(null)")
	for _, k := range []string{"SLURM_JOB_NUM_NODES", "SLURM_NNODES"} {
		set(k, "1")
	}
	for _, k := range []string{"SLURM_NODEID", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_GTIDS"} {
		set(k, "0")
	}
	set("SLURM_PRIO_PROCESS", j.PrioProcess)
	host := j.ControlHost
	if host == "" {
		host = j.Node
	}
	set("SLURM_WORKING_CLUSTER", j.Cluster+":"+host+workingClusterTail)
	if j.Conf != "" {
		set("SLURM_CONF", j.Conf)
	}
	if j.ArrayTaskID >= 0 {
		set("SLURM_ARRAY_JOB_ID", j.ArrayJobID)
		set("SLURM_ARRAY_TASK_ID", j.ArrayTaskID)
		set("SLURM_ARRAY_TASK_COUNT", j.ArrayTaskCount)
		set("SLURM_ARRAY_TASK_MIN", j.ArrayTaskMin)
		set("SLURM_ARRAY_TASK_MAX", j.ArrayTaskMax)
		set("SLURM_ARRAY_TASK_STEP", j.ArrayTaskStep)
	}
	if j.Restarts > 0 {
		set("SLURM_RESTART_COUNT", j.Restarts)
	}

	ntasks, cpt := jobEnvTasks(o)
	if ntasks > 0 {
		set("SLURM_NTASKS", ntasks)
		set("SLURM_NPROCS", ntasks)
	}
	if cpt > 0 {
		set("SLURM_CPUS_PER_TASK", cpt)
	}
	cpus := j.CPUs
	if cpus <= 0 {
		cpus = max(ntasks, 1) * max(cpt, 1)
	}
	set("SLURM_CPUS_ON_NODE", cpus)
	set("SLURM_JOB_CPUS_PER_NODE", cpus)
	set("SLURM_TASKS_PER_NODE", max(ntasks, 1))
	switch {
	case o.Given["mem"]:
		if o.MemMB > 0 {
			set("SLURM_MEM_PER_NODE", o.MemMB)
		}
	case o.Given["mem-per-cpu"]:
		set("SLURM_MEM_PER_CPU", o.MemPerCPUMB)
	case o.Given["mem-per-gpu"]:
	case j.DefMemPerCPUMB > 0:
		set("SLURM_MEM_PER_CPU", j.DefMemPerCPUMB)
	}
	for _, e := range jobEnvEchoes {
		if v, ok := o.Extra[e.key]; ok && o.Given[e.key] {
			set(e.name, v)
		}
	}
	if o.Given["open-mode"] && o.OpenMode != "" {
		set("SLURM_OPEN_MODE", o.OpenMode[:1])
	}
	if o.Given["export"] && !strings.EqualFold(o.Export, "ALL") {
		set("SLURM_EXPORT_ENV", o.Export)
		set("SLURM_GET_USER_ENV", "1")
	}
	if o.Given["get-user-env"] {
		set("SLURM_GET_USER_ENV", "1")
	}
	gpuEnv(env, &j) // jobenv_gpu.go
	set("ENVIRONMENT", "BATCH")
	set("HOSTNAME", j.Node)

	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.SortFunc(out, func(a, b string) int {
		ka, _, _ := strings.Cut(a, "=")
		kb, _, _ := strings.Cut(b, "=")
		return strings.Compare(ka, kb)
	})
	return out
}

// jobEnvTasks is the task count Slurm exports (0 when neither -n nor
// --ntasks-per-node was given) and the -c value (0 when not given).
func jobEnvTasks(o *SubmitOptions) (ntasks, cpt int) {
	switch {
	case o.Given["ntasks"]:
		ntasks = o.NTasks
	case o.Given["ntasks-per-node"]:
		n, _ := strconv.Atoi(o.Extra["ntasks-per-node"])
		ntasks = n * max(o.MinNodes, 1)
	}
	if o.Given["cpus-per-task"] {
		cpt = o.CPUsPerTask
	}
	return ntasks, cpt
}

// jobEnvEchoes are the options sbatch passes on to the job as variables
// when given, with the value as recorded in SubmitOptions.Extra.
var jobEnvEchoes = []struct{ key, name string }{
	{"ntasks-per-node", "SLURM_NTASKS_PER_NODE"},
	{"ntasks-per-core", "SLURM_NTASKS_PER_CORE"},
	{"ntasks-per-socket", "SLURM_NTASKS_PER_SOCKET"},
	{"ntasks-per-gpu", "SLURM_NTASKS_PER_GPU"},
	{"threads-per-core", "SLURM_THREADS_PER_CORE"},
	{"cpus-per-gpu", "SLURM_CPUS_PER_GPU"},
	{"mem-per-gpu", "SLURM_MEM_PER_GPU"},
	{"gpus", "SLURM_GPUS"},
	{"gpus-per-node", "SLURM_GPUS_PER_NODE"},
	{"gpus-per-socket", "SLURM_GPUS_PER_SOCKET"},
	{"gpus-per-task", "SLURM_GPUS_PER_TASK"},
	{"dependency", "SLURM_JOB_DEPENDENCY"},
	{"distribution", "SLURM_DISTRIBUTION"},
}
