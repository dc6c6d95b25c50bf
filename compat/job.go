package compat

import "time"

// NoValue is Slurm's NO_VAL-1 (4294967294): what %a expands to for a job
// that is not an array task.
const NoValue = 4294967294

// Infinite is the TimeLimit (minutes) of a job or partition without a limit.
const Infinite = -1

// Job is the Slurm-facing view of one job (or one array task): every value
// squeue, sacct and scontrol print. The gateway fills it from the queue's
// record; the renderers in this package only read it. Zero times mean
// Unknown/None; memory is in MiB.
type Job struct {
	JobID       uint32 // the raw job id (sacct JobIDRaw, %j)
	ArrayJobID  uint32 // the array's master id; 0 when not an array
	ArrayTaskID int64  // -1 when not an array task
	// ArrayTasks is set on the one view that stands for an array's still
	// pending tasks (squeue prints "45_[0-5%2]"): the task list as
	// submitted minus the started ones, e.g. "0-5%2". Empty otherwise.
	ArrayTasks string

	Name    string
	User    string
	UID     uint32
	Group   string
	GID     uint32
	Account string
	QOS     string
	Cluster string

	Partition string
	State     string // full name, e.g. "PENDING"
	Reason    string // "None" when there is none
	Priority  uint32
	Nice      int
	// CancelledBy is the uid that cancelled the job; valid when State is CANCELLED.
	CancelledBy uint32

	SubmitTime   time.Time
	EligibleTime time.Time
	StartTime    time.Time
	EndTime      time.Time
	// TimeLimit in minutes, Infinite for none.
	TimeLimit int64

	NumNodes    int
	NumCPUs     int
	NumTasks    int
	CPUsPerTask int
	// MinMemoryMB is the memory request; MemPerCPU says whether it is per
	// CPU (--mem-per-cpu or the default) rather than per node (--mem).
	MinMemoryMB int64
	MemPerCPU   bool
	NodeList    string // empty while pending
	SchedNode   string // where a pending job is expected to run (scontrol SchedNodeList)

	WorkDir    string
	Command    string // script path; empty prints "(null)"
	StdOut     string // absolute, patterns expanded
	StdErr     string
	StdIn      string
	Comment    string
	SubmitHost string
	// Dependency is the --dependency text with each part's status, as
	// squeue %E prints it ("afterok:81(unfulfilled)"); empty for none.
	Dependency string
	// TRESPerNode is the per-node generic resource request squeue %b
	// prints ("gres:gpu:1"); empty prints "N/A". It is GRES.PerNode: the
	// renderers take it when GRES.PerNode is empty.
	TRESPerNode string
	// GRES is the job's GPU request as slurmctld records it (zero: none).
	GRES GRES
	// GPUs is the job's gres/gpu count in its TRES: the GPUs it holds on
	// its node once started, else the GPUs it asks for (0: none). GPUIDs
	// are the indices of the GPUs it holds, in increasing order
	// (scontrol -d show job's IDX).
	GPUs   int
	GPUIDs []int
	// SubmitLine is the submitting command line (sacct SubmitLine).
	SubmitLine string

	ExitCode   int
	ExitSignal int
	Restarts   int
	// CostMicros is what the job's runs cost on a paid gate, in millionths
	// of CostCurrency (sacct's Cost field, scontrol's Cost= line); an
	// empty CostCurrency means no cost is known.
	CostMicros   int64
	CostCurrency string

	// Fields only scontrol show job prints. ArrayThrottle is the array's
	// %N limit on a record standing for a pending array or one of its
	// tasks (0 = none); NoRequeue is --no-requeue (Requeue=0); AllocSID is
	// the session id of the submitting process (AllocNode:Sid); LastSchedEval
	// is when the scheduler last considered the job (zero: its start, else
	// its submission); SuspendTime is when a SUSPENDED job was suspended.
	ArrayThrottle int
	NoRequeue     bool
	// MailType is --mail-type as printed ("END,FAIL"; empty: no MailUser/
	// MailType line), MailUser its recipient. OverSubscribe is what
	// --exclusive or --oversubscribe asked ("NO"...; empty prints "OK").
	MailType      string
	MailUser      string
	OverSubscribe string
	AllocSID      uint32
	LastSchedEval time.Time
	SuspendTime   time.Time

	// Batch describes the .batch step; nil until the job has started
	// (and always for an srun allocation, which has none).
	Batch *Step
	// Steps are the job's srun steps (".0", ".1", ...) in start order.
	Steps []*Step
	// PastRuns are the job's earlier runs (requeued), oldest first, each
	// with its own Batch and Steps; sacct -D lists them.
	PastRuns []*Job
}

// Step is one step of a job as sacct lists it (".batch", ".extern", ".0").
type Step struct {
	// ID is what follows the job id and a dot in JobID ("batch", "0");
	// empty means Name. Name is the JobName ("batch", or the command of
	// an srun step).
	ID        string
	Name      string // "batch", "extern", "env", ...
	State     string
	ExitCode  int
	Signal    int
	Start     time.Time
	End       time.Time
	MaxRSSKB  int64
	TotalCPU  time.Duration
	UserCPU   time.Duration
	SystemCPU time.Duration
	NodeList  string
	NumCPUs   int
	// NumTasks is the step's task count (sacct NTasks); 0 prints 1.
	NumTasks int
	// Layout is sacct's Layout of the step ("Cyclic", "Block"); empty
	// prints "Unknown".
	Layout string
	// ByUser says the step was cancelled by a user, CancelledBy, whom
	// sacct names ("CANCELLED by 0").
	ByUser      bool
	CancelledBy uint32
}

// Partition is the Slurm-facing view of a partition (sinfo, scontrol).
type Partition struct {
	Name        string
	Default     bool
	Up          bool   // State=UP; false is DOWN
	State       string // "UP", "DOWN", "INACTIVE", "DRAIN"
	MaxTime     int64  // minutes, Infinite for none
	DefaultTime int64  // minutes, Infinite for none (prints NONE)
	Nodes       []string
	TotalCPUs   int
	TotalMemMB  int64
	// TotalGPUs is the GPUs of its nodes (TRES gres/gpu=N; 0: none).
	TotalGPUs int
}

// Node is the Slurm-facing view of a node (sinfo, scontrol show node).
type Node struct {
	Name       string
	Partitions []string
	CPUs       int
	AllocCPUs  int
	MemMB      int64
	AllocMemMB int64
	FreeMemMB  int64
	// GPUs is the node's GPU count (Gres=gpu:N; 0: none), AllocGPUs the
	// ones its jobs hold (GresUsed=gpu:N).
	GPUs      int
	AllocGPUs int
	// State is Slurm's long state: "idle", "mixed", "allocated", "down", "drained".
	State  string
	Reason string
	// ReasonUser and ReasonTime say who set Reason and when (sinfo -R).
	ReasonUser string
	ReasonTime time.Time
	// Sockets, CoresPerSocket and ThreadsPerCore describe the CPUs (sinfo
	// %z); zero means one socket of CPUs cores with one thread each.
	Sockets        int
	CoresPerSocket int
	ThreadsPerCore int
	// CPULoad is the load average sinfo %O prints (e.g. 1.57).
	CPULoad float64
	// Arch and OS describe the machine ("x86_64", "Linux 6.1.0 #1 SMP
	// ..."); empty when unknown (scontrol show node then omits them).
	// BootTime, SlurmdStartTime and LastBusyTime are zero when unknown.
	Arch            string
	OS              string
	BootTime        time.Time
	SlurmdStartTime time.Time
	LastBusyTime    time.Time
}
