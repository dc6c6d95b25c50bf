package compat

import "sync"

// This file holds sbatch 22.05's option table: every long option in the
// order of Slurm's getopt_long table (which orders glibc's "is ambiguous;
// possibilities:" lists), the short letters, and the SBATCH_* input
// variables. The table was read off the real binary (`sbatch --=x` lists
// every long option in table order).

// sbArg says whether an sbatch option takes an argument.
type sbArg uint8

const (
	sbNoArg       sbArg = iota // a flag: "--hold"
	sbRequiredArg              // "--time=5", "--time 5", "-t5", "-t 5"
	sbOptionalArg              // only attached: "--nice=5", "-kset"
)

// sbOption is one entry of sbatch's option table.
type sbOption struct {
	name  string // the long name as getopt knows it
	short byte   // the short letter, 0 when none
	arg   sbArg
	// key is the canonical long name recorded in SubmitOptions.Given and
	// Extra; aliases ("cluster", "tasks-per-node") share it, and glibc
	// does not call two entries with the same key and arg ambiguous.
	key string
}

// sbatchOptions is the table, in Slurm's order.
var sbatchOptions = []sbOption{
	{"account", 'A', sbRequiredArg, "account"},
	{"acctg-freq", 0, sbRequiredArg, "acctg-freq"},
	{"array", 'a', sbRequiredArg, "array"},
	{"batch", 0, sbRequiredArg, "batch"},
	{"begin", 'b', sbRequiredArg, "begin"},
	{"bb", 0, sbRequiredArg, "bb"},
	{"bbf", 0, sbRequiredArg, "bbf"},
	{"cluster-constraint", 0, sbRequiredArg, "cluster-constraint"},
	{"chdir", 'D', sbRequiredArg, "chdir"},
	{"cluster", 0, sbRequiredArg, "clusters"},
	{"clusters", 'M', sbRequiredArg, "clusters"},
	{"comment", 0, sbRequiredArg, "comment"},
	{"container", 0, sbRequiredArg, "container"},
	{"context", 0, sbRequiredArg, "context"},
	{"contiguous", 0, sbNoArg, "contiguous"},
	{"constraint", 'C', sbRequiredArg, "constraint"},
	{"core-spec", 'S', sbRequiredArg, "core-spec"},
	{"cores-per-socket", 0, sbRequiredArg, "cores-per-socket"},
	{"cpu-freq", 0, sbRequiredArg, "cpu-freq"},
	{"cpus-per-gpu", 0, sbRequiredArg, "cpus-per-gpu"},
	{"cpus-per-task", 'c', sbRequiredArg, "cpus-per-task"},
	{"deadline", 0, sbRequiredArg, "deadline"},
	{"delay-boot", 0, sbRequiredArg, "delay-boot"},
	{"dependency", 'd', sbRequiredArg, "dependency"},
	{"distribution", 'm', sbRequiredArg, "distribution"},
	{"error", 'e', sbRequiredArg, "error"},
	{"exclude", 'x', sbRequiredArg, "exclude"},
	{"exclusive", 0, sbOptionalArg, "exclusive"},
	{"export", 0, sbRequiredArg, "export"},
	{"export-file", 0, sbRequiredArg, "export-file"},
	{"extra-node-info", 'B', sbRequiredArg, "extra-node-info"},
	{"get-user-env", 0, sbOptionalArg, "get-user-env"},
	{"gid", 0, sbRequiredArg, "gid"},
	{"gpu-bind", 0, sbRequiredArg, "gpu-bind"},
	{"gpu-freq", 0, sbRequiredArg, "gpu-freq"},
	{"gpus", 'G', sbRequiredArg, "gpus"},
	{"gpus-per-node", 0, sbRequiredArg, "gpus-per-node"},
	{"gpus-per-socket", 0, sbRequiredArg, "gpus-per-socket"},
	{"gpus-per-task", 0, sbRequiredArg, "gpus-per-task"},
	{"gres", 0, sbRequiredArg, "gres"},
	{"gres-flags", 0, sbRequiredArg, "gres-flags"},
	{"help", 'h', sbNoArg, "help"},
	{"hint", 0, sbRequiredArg, "hint"},
	{"hold", 'H', sbNoArg, "hold"},
	{"ignore-pbs", 0, sbNoArg, "ignore-pbs"},
	{"input", 'i', sbRequiredArg, "input"},
	{"job-name", 'J', sbRequiredArg, "job-name"},
	{"kill-on-invalid-dep", 0, sbRequiredArg, "kill-on-invalid-dep"},
	{"licenses", 'L', sbRequiredArg, "licenses"},
	{"mail-type", 0, sbRequiredArg, "mail-type"},
	{"mail-user", 0, sbRequiredArg, "mail-user"},
	{"mcs-label", 0, sbRequiredArg, "mcs-label"},
	{"mem", 0, sbRequiredArg, "mem"},
	{"mem-bind", 0, sbRequiredArg, "mem-bind"},
	{"mem-per-cpu", 0, sbRequiredArg, "mem-per-cpu"},
	{"mem-per-gpu", 0, sbRequiredArg, "mem-per-gpu"},
	{"mincpus", 0, sbRequiredArg, "mincpus"},
	{"network", 0, sbRequiredArg, "network"},
	{"nice", 0, sbOptionalArg, "nice"},
	{"no-kill", 'k', sbOptionalArg, "no-kill"},
	{"no-requeue", 0, sbNoArg, "no-requeue"},
	{"nodefile", 'F', sbRequiredArg, "nodefile"},
	{"nodelist", 'w', sbRequiredArg, "nodelist"},
	{"nodes", 'N', sbRequiredArg, "nodes"},
	{"ntasks", 'n', sbRequiredArg, "ntasks"},
	{"ntasks-per-core", 0, sbRequiredArg, "ntasks-per-core"},
	{"ntasks-per-gpu", 0, sbRequiredArg, "ntasks-per-gpu"},
	{"ntasks-per-node", 0, sbRequiredArg, "ntasks-per-node"},
	{"ntasks-per-socket", 0, sbRequiredArg, "ntasks-per-socket"},
	{"ntasks-per-tres", 0, sbRequiredArg, "ntasks-per-tres"},
	{"open-mode", 0, sbRequiredArg, "open-mode"},
	{"output", 'o', sbRequiredArg, "output"},
	{"overcommit", 'O', sbNoArg, "overcommit"},
	{"oversubscribe", 's', sbNoArg, "oversubscribe"},
	{"parsable", 0, sbNoArg, "parsable"},
	{"partition", 'p', sbRequiredArg, "partition"},
	{"power", 0, sbRequiredArg, "power"},
	{"prefer", 0, sbRequiredArg, "prefer"},
	{"priority", 0, sbRequiredArg, "priority"},
	{"profile", 0, sbRequiredArg, "profile"},
	{"propagate", 0, sbOptionalArg, "propagate"},
	{"qos", 'q', sbRequiredArg, "qos"},
	{"quiet", 'Q', sbNoArg, "quiet"},
	{"reboot", 0, sbNoArg, "reboot"},
	{"requeue", 0, sbNoArg, "requeue"},
	{"reservation", 0, sbRequiredArg, "reservation"},
	{"signal", 0, sbRequiredArg, "signal"},
	{"sockets-per-node", 0, sbRequiredArg, "sockets-per-node"},
	{"spread-job", 0, sbNoArg, "spread-job"},
	{"switches", 0, sbRequiredArg, "switches"},
	{"tasks-per-node", 0, sbRequiredArg, "ntasks-per-node"},
	{"test-only", 0, sbNoArg, "test-only"},
	{"thread-spec", 0, sbRequiredArg, "thread-spec"},
	{"threads-per-core", 0, sbRequiredArg, "threads-per-core"},
	{"time", 't', sbRequiredArg, "time"},
	{"time-min", 0, sbRequiredArg, "time-min"},
	{"tmp", 0, sbRequiredArg, "tmp"},
	{"uid", 0, sbRequiredArg, "uid"},
	{"use-min-nodes", 0, sbNoArg, "use-min-nodes"},
	{"verbose", 'v', sbNoArg, "verbose"},
	{"version", 'V', sbNoArg, "version"},
	{"usage", 0, sbNoArg, "usage"},
	{"wait", 'W', sbNoArg, "wait"},
	{"wait-all-nodes", 0, sbRequiredArg, "wait-all-nodes"},
	{"wckey", 0, sbRequiredArg, "wckey"},
	{"wrap", 0, sbRequiredArg, "wrap"},
	// SPANK options come last (sbatch_container.go).
	{"container-image", 0, sbRequiredArg, "container-image"},
	{"container-mounts", 0, sbRequiredArg, "container-mounts"},
	{"container-workdir", 0, sbRequiredArg, "container-workdir"},
}

// sbatchShort maps a short letter to its table entry.
var sbatchShort = sync.OnceValue(func() map[byte]*sbOption {
	m := make(map[byte]*sbOption)
	for i := range sbatchOptions {
		if c := sbatchOptions[i].short; c != 0 {
			m[c] = &sbatchOptions[i]
		}
	}
	return m
})

// sbatchByKey maps a canonical key to its (first) table entry.
var sbatchByKey = sync.OnceValue(func() map[string]*sbOption {
	m := make(map[string]*sbOption)
	for i := range sbatchOptions {
		if _, ok := m[sbatchOptions[i].key]; !ok {
			m[sbatchOptions[i].key] = &sbatchOptions[i]
		}
	}
	return m
})

// sbatchCLIOnly lists the options sbatch acts on only on its command line
// (its "early pass"): in #SBATCH lines and SBATCH_* variables they are
// checked for syntax and otherwise ignored.
var sbatchCLIOnly = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"help": true, "usage": true, "version": true, "wrap": true,
		"verbose": true, "quiet": true,
	}
})

// sbEnvVar maps one SBATCH_* input variable to the option it sets.
type sbEnvVar struct {
	name string
	key  string
}

// sbatchEnvVars are the input variables sbatch 22.05 reads, in the order
// it reads them (so the first bad one is the one reported). SBATCH_DEBUG
// (-v) and SBATCH_WAIT4SWITCH (part of --switches) are not listed: they
// only change sbatch's chatter and a topology wait Sky Port does not have.
var sbatchEnvVars = []sbEnvVar{
	{"SBATCH_ACCOUNT", "account"},
	{"SBATCH_ARRAY_INX", "array"},
	{"SBATCH_ACCTG_FREQ", "acctg-freq"},
	{"SBATCH_BATCH", "batch"},
	{"SBATCH_BURST_BUFFER", "bb"},
	{"SBATCH_CLUSTER_CONSTRAINT", "cluster-constraint"},
	{"SBATCH_CLUSTERS", "clusters"},
	{"SLURM_CLUSTERS", "clusters"},
	{"SBATCH_CONTAINER", "container"},
	{"SBATCH_CONSTRAINT", "constraint"},
	{"SBATCH_CORE_SPEC", "core-spec"},
	{"SBATCH_CPU_FREQ_REQ", "cpu-freq"},
	{"SBATCH_CPUS_PER_GPU", "cpus-per-gpu"},
	{"SBATCH_DELAY_BOOT", "delay-boot"},
	{"SBATCH_DISTRIBUTION", "distribution"},
	{"SBATCH_EXCLUSIVE", "exclusive"},
	{"SBATCH_EXPORT", "export"},
	{"SBATCH_GET_USER_ENV", "get-user-env"},
	{"SBATCH_GRES", "gres"},
	{"SBATCH_GRES_FLAGS", "gres-flags"},
	{"SBATCH_GPUS", "gpus"},
	{"SBATCH_GPU_BIND", "gpu-bind"},
	{"SBATCH_GPU_FREQ", "gpu-freq"},
	{"SBATCH_GPUS_PER_NODE", "gpus-per-node"},
	{"SBATCH_GPUS_PER_SOCKET", "gpus-per-socket"},
	{"SBATCH_GPUS_PER_TASK", "gpus-per-task"},
	{"SLURM_HINT", "hint"},
	{"SBATCH_HINT", "hint"},
	{"SBATCH_JOB_NAME", "job-name"},
	{"SBATCH_MEM_PER_CPU", "mem-per-cpu"},
	{"SBATCH_MEM_PER_GPU", "mem-per-gpu"},
	{"SBATCH_MEM_PER_NODE", "mem"},
	{"SBATCH_NETWORK", "network"},
	{"SBATCH_NO_KILL", "no-kill"},
	{"SBATCH_NO_REQUEUE", "no-requeue"},
	{"SBATCH_OPEN_MODE", "open-mode"},
	{"SBATCH_OVERCOMMIT", "overcommit"},
	{"SBATCH_PARTITION", "partition"},
	{"SBATCH_POWER", "power"},
	{"SBATCH_PROFILE", "profile"},
	{"SBATCH_QOS", "qos"},
	{"SBATCH_REQ_SWITCH", "switches"},
	{"SBATCH_REQUEUE", "requeue"},
	{"SBATCH_RESERVATION", "reservation"},
	{"SBATCH_SIGNAL", "signal"},
	{"SBATCH_SPREAD_JOB", "spread-job"},
	{"SBATCH_THREAD_SPEC", "thread-spec"},
	{"SBATCH_THREADS_PER_CORE", "threads-per-core"},
	{"SBATCH_TIMELIMIT", "time"},
	{"SBATCH_USE_MIN_NODES", "use-min-nodes"},
	{"SBATCH_WAIT", "wait"},
	{"SBATCH_WAIT_ALL_NODES", "wait-all-nodes"},
	{"SBATCH_WCKEY", "wckey"},
	{"SBATCH_ERROR", "error"},
	{"SBATCH_INPUT", "input"},
	{"SBATCH_OUTPUT", "output"},
	{"SBATCH_IGNORE_PBS", "ignore-pbs"},
}
