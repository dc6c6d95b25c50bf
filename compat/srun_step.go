package compat

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StepEnvInput is what StepEnv needs to know about one srun step of one
// task on one node.
type StepEnvInput struct {
	JobID  uint32
	StepID uint32
	Node   string
	NTasks int // the step's tasks
	TaskID int // this task's id (SLURM_PROCID, SLURM_LOCALID: one node)
	CPUs   int // the CPUs of the job on the node
	// InBatch says the step runs inside a batch job (srun in a script),
	// where Slurm adds SLURM_DISTRIBUTION and the pack-group CPU count.
	InBatch bool
	Umask   string // srun's umask, "0022"
}

// StepEnv returns the variables Slurm 22.05 sets for a task of an srun
// step, over the job's own (sorted "NAME=value"): the SLURM_STEP_* set,
// the task's ids (SLURM_PROCID and SLURM_LOCALID the task id,
// SLURM_NODEID 0 on one node, SLURM_GTIDS every task of the node),
// SLURM_NTASKS/SLURM_NPROCS of the step, and srun's launch variables.
// Not set: SLURM_TASK_PID (the runner sets it, after the fork), the
// srun port variables (Sky Port's srun listens on no port) and
// SLURM_CPU_BIND* (Sky Port binds no CPUs).
func StepEnv(in StepEnvInput) []string {
	n := max(in.NTasks, 1)
	ntasks := strconv.Itoa(n)
	step := strconv.FormatUint(uint64(in.StepID), 10)
	task := strconv.Itoa(in.TaskID)
	gtids := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			gtids = append(gtids, ',')
		}
		gtids = strconv.AppendInt(gtids, int64(i), 10)
	}
	env := []string{
		"SLURM_STEP_ID=" + step, "SLURM_STEPID=" + step,
		"SLURM_STEP_NODELIST=" + in.Node, "SLURM_STEP_NUM_NODES=1",
		"SLURM_STEP_NUM_TASKS=" + ntasks, "SLURM_STEP_TASKS_PER_NODE=" + ntasks,
		"SLURM_NTASKS=" + ntasks, "SLURM_NPROCS=" + ntasks,
		"SLURM_PROCID=" + task, "SLURM_LOCALID=" + task, "SLURM_NODEID=0", "SLURM_GTIDS=" + string(gtids),
		"SLURM_LAUNCH_NODE_IPADDR=127.0.0.1", "SLURM_SRUN_COMM_HOST=127.0.0.1",
		"SRUN_DEBUG=3",
	}
	if in.Umask != "" {
		env = append(env, "SLURM_UMASK="+in.Umask)
	}
	if in.InBatch {
		// Slurm's default distribution: cyclic while the tasks are no
		// more than the nodes (one), else block.
		dist := "cyclic"
		if n > 1 {
			dist = "block"
		}
		env = append(env, "SLURM_DISTRIBUTION="+dist,
			"SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0="+strconv.Itoa(max(in.CPUs, 1)))
	}
	slices.Sort(env)
	return env
}

// AllocEnv turns a batch job's environment (JobEnv) into the one srun
// gives the step of its own allocation: no ENVIRONMENT=BATCH, HOSTNAME
// and SLURM_NODE_ALIASES, which only the batch step sets, and no
// SLURM_MEM_PER_CPU unless --mem-per-cpu was given (memPerCPUGiven).
func AllocEnv(jobEnv []string, memPerCPUGiven bool) []string {
	out := make([]string, 0, len(jobEnv))
	for _, kv := range jobEnv {
		if strings.HasPrefix(kv, "ENVIRONMENT=") || strings.HasPrefix(kv, "HOSTNAME=") ||
			strings.HasPrefix(kv, "SLURM_NODE_ALIASES=") ||
			(!memPerCPUGiven && strings.HasPrefix(kv, "SLURM_MEM_PER_CPU=")) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// signalTexts are Linux's strsignal texts, which srun prints.
var signalTexts = sync.OnceValue(func() map[int]string {
	return map[int]string{
		1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction", 5: "Trace/breakpoint trap",
		6: "Aborted", 7: "Bus error", 8: "Floating point exception", 9: "Killed", 10: "User defined signal 1",
		11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe", 14: "Alarm clock",
		15: "Terminated", 16: "Stack fault", 17: "Child exited", 18: "Continued", 19: "Stopped (signal)",
		20: "Stopped", 21: "Stopped (tty input)", 22: "Stopped (tty output)", 23: "Urgent I/O condition",
		24: "CPU time limit exceeded", 25: "File size limit exceeded", 26: "Virtual timer expired",
		27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible", 30: "Power failure",
		31: "Bad system call",
	}
})

// SignalName is strsignal(sig) as glibc prints it.
func SignalName(sig int) string {
	if n, ok := signalTexts()[sig]; ok {
		return n
	}
	if sig >= 34 && sig <= 64 {
		return "Real-time signal " + strconv.Itoa(sig-34)
	}
	return "Unknown signal " + strconv.Itoa(sig)
}

// SrunTaskEnd is SrunTasksEnd for a step of one task.
func SrunTaskEnd(node string, jobID, stepID uint32, code, sig int, core bool) (string, int) {
	return SrunTasksEnd(node, jobID, stepID, []TaskEnd{{Code: code, Signal: sig, Core: core}})
}

// SrunStepName is the name of a step: -J, else the base name of the
// command (sacct's JobName of the step row).
func SrunStepName(o *SrunOptions) string {
	if o.JobName != "" {
		return o.JobName
	}
	if len(o.Command) == 0 {
		return ""
	}
	cmd := o.Command[0]
	if i := strings.LastIndexByte(cmd, '/'); i >= 0 && i < len(cmd)-1 {
		cmd = cmd[i+1:]
	}
	return cmd
}

// StepCancelledLine is the line slurmstepd writes on a step's stderr when
// the step is cancelled (why "timeout" adds Slurm's DUE TO TIME LIMIT):
//
//	slurmstepd-vm: error: *** STEP 7029.0 ON vm CANCELLED AT 2026-11-27T16:53:25 ***
func StepCancelledLine(jobID, stepID uint32, node, why string, at time.Time) string {
	tail := ""
	if why == "timeout" {
		tail = " DUE TO TIME LIMIT"
	}
	return "slurmstepd-" + node + ": error: *** STEP " + strconv.FormatUint(uint64(jobID), 10) + "." +
		strconv.FormatUint(uint64(stepID), 10) + " ON " + node + " CANCELLED AT " +
		at.Format(stepdTimeLayout) + tail + " ***\n"
}

// StripForceTerminated drops srun's "Force Terminated" line from a task
// end message: srun prints it only for a task that killed itself, not for
// a step it (or the controller) aborted.
func StripForceTerminated(msg string) string {
	if i := strings.Index(msg, "srun: Force Terminated "); i >= 0 {
		return msg[:i]
	}
	return msg
}

// Capitalize upper-cases the first letter of s (Go's errno texts are
// strerror's in lower case).
func Capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
