// Package queue holds Sky Port's durable job record, the legal state
// transitions, the persistent job ID sequence and the Badger store with its
// indexes. It is the only package that opens Badger.
package queue

import (
	"slices"
	"time"
)

// InfiniteTime is the TimeLimit of a job without a limit (Slurm's INFINITE).
const InfiniteTime = -1

// NoArrayTask is the ArrayTaskID of a job that is not an array task.
const NoArrayTask = -1

// Job is the durable record of one job: everything the shims print and
// everything the gateway needs to run, recover and account for it. The
// script and the submit-time environment are kept apart as Blobs, so that
// the in-memory set of live jobs stays small.
//
// Times are UTC wall-clock times; a zero time means "not yet" (Slurm's
// Unknown/None). Memory is in MiB, CPU time in nanoseconds.
type Job struct {
	ID          uint32 `json:"id"`
	ArrayJobID  uint32 `json:"array_job_id,omitempty"`
	ArrayTaskID int64  `json:"array_task_id"`

	Name    string `json:"name"`
	User    string `json:"user"`
	UID     uint32 `json:"uid"`
	GID     uint32 `json:"gid"`
	Group   string `json:"group"`
	Account string `json:"account"`
	QOS     string `json:"qos,omitempty"`
	Cluster string `json:"cluster"`

	Partition  string `json:"partition"`
	SubmitHost string `json:"submit_host"`
	SubmitDir  string `json:"submit_dir"`
	WorkDir    string `json:"work_dir"`
	// Command is the absolute path of the submitted script file, empty for
	// --wrap and for a script read from stdin (Slurm prints "(null)").
	Command string   `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	Comment string   `json:"comment,omitempty"`

	// StdOut and StdErr are the absolute output path patterns as submitted
	// (still holding %j and friends); StdErr empty means "with stdout".
	StdOut   string `json:"stdout"`
	StdErr   string `json:"stderr,omitempty"`
	StdIn    string `json:"stdin"`
	OpenMode string `json:"open_mode,omitempty"` // "truncate" (default) or "append"

	// Resources as requested. Set* records whether the option was given,
	// because Slurm exports some variables only then.
	NTasks         int   `json:"ntasks"`
	NTasksSet      bool  `json:"ntasks_set,omitempty"`
	CPUsPerTask    int   `json:"cpus_per_task"`
	CPUsPerTaskSet bool  `json:"cpus_per_task_set,omitempty"`
	MinNodes       int   `json:"min_nodes"`
	MaxNodes       int   `json:"max_nodes"`
	MemPerNodeMB   int64 `json:"mem_per_node_mb,omitempty"`
	MemPerCPUMB    int64 `json:"mem_per_cpu_mb,omitempty"`
	// TimeLimit is in minutes; InfiniteTime means no limit.
	TimeLimit int64 `json:"time_limit"`

	State        State     `json:"state"`
	Reason       string    `json:"reason"`
	Priority     uint32    `json:"priority"`
	Held         bool      `json:"held,omitempty"`
	SubmitTime   time.Time `json:"submit_time"`
	EligibleTime time.Time `json:"eligible_time"`
	StartTime    time.Time `json:"start_time"`
	EndTime      time.Time `json:"end_time"`

	// ExitCode and ExitSignal are the job's Slurm "code:signal". Batch*
	// describe the .batch step (sacct's second row); BatchState is empty
	// until the step has run.
	ExitCode      int   `json:"exit_code"`
	ExitSignal    int   `json:"exit_signal"`
	BatchState    State `json:"batch_state,omitempty"`
	BatchExitCode int   `json:"batch_exit_code"`
	BatchSignal   int   `json:"batch_signal"`
	MaxRSSKB      int64 `json:"max_rss_kb,omitempty"`
	TotalCPU      int64 `json:"total_cpu_ns,omitempty"`
	UserCPU       int64 `json:"user_cpu_ns,omitempty"`
	SystemCPU     int64 `json:"system_cpu_ns,omitempty"`

	NodeList   string `json:"node_list,omitempty"`
	AllocCPUs  int    `json:"alloc_cpus,omitempty"`
	AllocMemMB int64  `json:"alloc_mem_mb,omitempty"`
	Restarts   int    `json:"restarts"`

	// Desired state, recorded by scancel and acted on by the runner.
	CancelRequested bool      `json:"cancel_requested,omitempty"`
	CancelledBy     uint32    `json:"cancelled_by,omitempty"`
	CancelTime      time.Time `json:"cancel_time,omitempty"`

	// Gate and Handle say where the job runs; Handle is opaque to everyone
	// but the gate that made it.
	Gate   string `json:"gate,omitempty"`
	Handle []byte `json:"handle,omitempty"`

	// ArrayPending is set on the one record of an array that stands for
	// its tasks not started yet (the array's master, ID == ArrayJobID):
	// those task ids as squeue prints them ("3-9", "1,3,5"). It only
	// shrinks: a task that starts gets a record of its own (the last one
	// takes over the master record). ArrayThrottle is the array's "%N"
	// limit on tasks running at once, 0 for none, on every record of it.
	ArrayPending  string `json:"array_pending,omitempty"`
	ArrayThrottle int    `json:"array_throttle,omitempty"`
	// SplitID and SplitTask, on a master, name the task record being
	// split off it (written before that record is inserted), so that a
	// crash between the two writes loses no task. SplitID 0: none.
	SplitID   uint32 `json:"split_id,omitempty"`
	SplitTask int64  `json:"split_task,omitempty"`

	// Dependency is the --dependency left to satisfy, each item with its
	// state, as squeue %E prints it ("afterok:81(unfulfilled)"); empty
	// when there is none or it is satisfied. KillOnInvalidDep cancels the
	// job once the dependency can never be satisfied.
	Dependency       string `json:"dependency,omitempty"`
	KillOnInvalidDep bool   `json:"kill_on_invalid_dep,omitempty"`
	// BeginTime is --begin: the job is not eligible before it (zero: none).
	BeginTime time.Time `json:"begin_time,omitempty"`
	// Nice is the job's nice value (--nice, scontrol update Nice).
	Nice int `json:"nice,omitempty"`
	// NoRequeue is --no-requeue: scontrol requeue refuses the job.
	NoRequeue bool `json:"no_requeue,omitempty"`
	// RequeueRequested is scontrol requeue's wish for a running job, acted
	// on when its run ends; RequeueHold makes it requeuehold.
	RequeueRequested bool `json:"requeue_requested,omitempty"`
	RequeueHold      bool `json:"requeue_hold,omitempty"`
	// SuspendTime is when the job was last suspended or resumed (Slurm's
	// suspend_time); PreSuspendSecs the seconds it ran before its last
	// suspension (SecsPreSuspend); SuspendedSecs the seconds it spent
	// suspended in all, which its elapsed time leaves out.
	SuspendTime    time.Time `json:"suspend_time,omitempty"`
	PreSuspendSecs int64     `json:"pre_suspend_secs,omitempty"`
	SuspendedSecs  int64     `json:"suspended_secs,omitempty"`

	// Interactive marks an allocation made by srun outside a job (as
	// salloc does): it has no batch script and no .batch step; the client
	// runs its step itself and holds the allocation under a lease.
	Interactive bool `json:"interactive,omitempty"`
	// MailType is --mail-type as scontrol shows it ("END,FAIL"; empty for
	// none) and MailUser whom the mail goes to (--mail-user, else the
	// user). OverSubscribe is what --exclusive or --oversubscribe ask
	// ("NO", "USER", "MCS", "YES"; empty: the partition's "OK").
	MailType      string `json:"mail_type,omitempty"`
	MailUser      string `json:"mail_user,omitempty"`
	OverSubscribe string `json:"oversubscribe,omitempty"`
	// CostMicros is what the job's runs cost, in millionths of
	// CostCurrency, as its gate reports it (cloud gates; 0 elsewhere):
	// final once the job ended, refreshed while it runs.
	// CostPastMicros is the part of CostMicros that earlier runs (ended
	// by a requeue) cost.
	CostMicros     int64  `json:"cost_micros,omitempty"`
	CostPastMicros int64  `json:"cost_past_micros,omitempty"`
	CostCurrency   string `json:"cost_currency,omitempty"`
	// ContainerImage is --container-image: the image the batch script runs
	// in (empty: none), with ContainerMounts (--container-mounts items) and
	// ContainerWorkDir (--container-workdir).
	ContainerImage   string   `json:"container_image,omitempty"`
	ContainerMounts  []string `json:"container_mounts,omitempty"`
	ContainerWorkDir string   `json:"container_work_dir,omitempty"`
	// GRES is the job's GPU request (--gres=gpu, --gpus*, --cpus-per-gpu,
	// --mem-per-gpu) as compat.GRES.String encodes it, empty for none;
	// GPUs is how many GPUs it holds on its node when it runs (0: none).
	// GPUIDs are the indices of the node's GPUs its run holds, in
	// increasing order, set with NodeList and cleared with it.
	GRES   string `json:"gres,omitempty"`
	GPUs   int    `json:"gpus,omitempty"`
	GPUIDs []int  `json:"gpu_ids,omitempty"`
	// Overcommit is -O/--overcommit: the job holds CPUs as if it ran one
	// task per node (its tasks share them).
	Overcommit bool `json:"overcommit,omitempty"`
	// Steps are the srun steps of the job's current run, numbered from 0
	// in the order they started (Steps[i].ID == i); they only grow during
	// a run.
	Steps []Step `json:"steps,omitempty"`
	// PastRuns are the job's earlier runs, oldest first, as each ended
	// when the job was requeued (sacct -D lists them): copies of the job
	// as it was then, with its steps and without their own PastRuns.
	PastRuns []Job `json:"past_runs,omitempty"`
}

// Step is one srun step of a job (sacct's "N.0", "N.1" rows). Times are
// UTC; a zero End means it is still running. CPU times are nanoseconds.
type Step struct {
	ID         uint32 `json:"id"`
	Name       string `json:"name"`
	State      State  `json:"state"`
	ExitCode   int    `json:"exit_code"`
	ExitSignal int    `json:"exit_signal"`
	// CancelledBy is the uid that cancelled the step, when ByUser is set
	// (sacct prints "CANCELLED by UID").
	CancelledBy uint32    `json:"cancelled_by,omitempty"`
	ByUser      bool      `json:"by_user,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end,omitzero"`
	NTasks      int       `json:"ntasks"`
	CPUs        int       `json:"cpus"`
	MaxRSSKB    int64     `json:"max_rss_kb,omitempty"`
	UserCPU     int64     `json:"user_cpu_ns,omitempty"`
	SystemCPU   int64     `json:"system_cpu_ns,omitempty"`
}

// Blobs are the large, write-once parts of a job, stored apart from the
// record: the script text and the environment captured at submit time.
type Blobs struct {
	Script []byte   `json:"script"`
	Env    []string `json:"env"`
	// Options is the submission's options as the gateway encoded them;
	// opaque to the queue.
	Options []byte `json:"options,omitempty"`
}

// Clone returns a deep copy of j, safe to change without touching j.
func (j *Job) Clone() *Job {
	c := *j
	c.Args = slices.Clone(j.Args)
	c.Handle = slices.Clone(j.Handle)
	c.Steps = slices.Clone(j.Steps)
	c.ContainerMounts = slices.Clone(j.ContainerMounts)
	c.GPUIDs = slices.Clone(j.GPUIDs)
	c.PastRuns = slices.Clone(j.PastRuns)
	return &c
}

// IsArrayTask reports whether j is one task of a job array.
func (j *Job) IsArrayTask() bool { return j.ArrayTaskID != NoArrayTask }
