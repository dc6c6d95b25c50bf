// Package gate defines how Sky Port runs a job on one kind of target: the
// Gate interface, the optional interfaces found by type assertion, the
// registry of gate kinds and the error classes every gate returns. It is
// modelled on database/sql/driver: a small required interface, a registry,
// and sentinel errors whose meaning is fixed.
package gate

import (
	"context"
	"syscall"
	"time"
)

// Spec is everything a gate needs to start one run of a job. The gateway
// has already resolved every Slurm rule: paths are absolute with %-patterns
// expanded, Env is the complete environment of the job (SLURM_* included).
type Spec struct {
	JobID   uint32 `json:"job_id"`
	Restart int    `json:"restart"` // Start is idempotent per (JobID, Restart)
	Name    string `json:"name"`
	User    string `json:"user"`
	UID     uint32 `json:"uid"`
	GID     uint32 `json:"gid"`
	Node    string `json:"node"` // the node the scheduler placed the job on
	// Groups are the supplementary groups of UID, resolved by the gateway
	// through the system's name service (a gate running the job as another
	// user sets them); empty means only GID.
	Groups []uint32 `json:"groups,omitempty"`

	Script  []byte   `json:"script"`
	Args    []string `json:"args,omitempty"`
	Env     []string `json:"env"`
	WorkDir string   `json:"work_dir"`
	// StdOut is the output file; StdErr empty means stderr joins stdout.
	StdOut string `json:"stdout"`
	StdErr string `json:"stderr,omitempty"`
	StdIn  string `json:"stdin"`
	// SubmitDir is the directory sbatch ran in; gates that stage files to
	// another host copy it there (empty: nothing beyond WorkDir).
	SubmitDir string `json:"submit_dir,omitempty"`
	// Append opens the output files with O_APPEND instead of truncating them.
	Append bool `json:"append,omitempty"`

	CPUs  int   `json:"cpus"`
	MemMB int64 `json:"mem_mb"`
	// GPUs are the indices of the node's GPUs the job holds (0-based, in
	// the node's order), as the scheduler gave them; empty: none. The
	// gateway has already put the variables Slurm sets for them
	// (CUDA_VISIBLE_DEVICES, ...) in Env; a gate that isolates devices
	// (a container runtime) gives the job these and no others.
	GPUs []int `json:"gpus,omitempty"`

	// TimeLimit, when non-zero, is enforced by the gate even while the
	// daemon is down: at the limit it writes TimeoutLine (with %s replaced
	// by the time as 2006-01-02T15:04:05) to the job's error file, sends
	// SIGCONT+SIGTERM to every process of the job and SIGKILL after KillWait.
	TimeLimit   time.Duration `json:"time_limit,omitempty"`
	TimeoutLine string        `json:"timeout_line,omitempty"`
	KillWait    time.Duration `json:"kill_wait"`
	// WarnSignal, when non-zero with a TimeLimit, is sent WarnBefore the
	// limit (sbatch --signal): to the batch script's process only when
	// WarnBatchOnly ("B:"), else to every other process of the job.
	WarnSignal    syscall.Signal `json:"warn_signal,omitempty"`
	WarnBefore    time.Duration  `json:"warn_before,omitempty"`
	WarnBatchOnly bool           `json:"warn_batch_only,omitempty"`

	// WorkDirLine is written twice to the job's error file, with its last %s
	// replaced by the reason in C's strerror wording ("No such file or
	// directory"), when WorkDir cannot be entered; the job then runs in /tmp,
	// as slurmstepd does ("slurmstepd-vm: error: couldn't chdir to
	// `/x': %s: going to /tmp instead"). Empty writes nothing.
	WorkDirLine string `json:"work_dir_line,omitempty"`

	// Container, when set, runs the script inside an OCI image
	// (sbatch --container-image) with the gate's container runtime.
	Container *Container `json:"container,omitempty"`
}

// Container is how a job runs inside an OCI image. The gateway sets Image,
// Mounts and WorkDir from the job; the gate sets Runtime from its own
// configuration before the job starts. The job's submit directory, work
// directory and the mounts are mounted at the same paths inside; the job
// runs as its own user, on the host's network.
type Container struct {
	Image string `json:"image"`
	// Mounts are "SRC[:DST[:FLAGS]]" items (--container-mounts); FLAGS is
	// ro or rw.
	Mounts []string `json:"mounts,omitempty"`
	// WorkDir is where the script starts inside (--container-workdir);
	// empty means the job's WorkDir.
	WorkDir string `json:"work_dir,omitempty"`
	// Runtime is the program that runs containers: "docker" or "podman".
	Runtime string `json:"runtime,omitempty"`
}

// ContainerRuntimes are the values of Container.Runtime and Node.Containers.
var ContainerRuntimes = []string{"docker", "podman"}

// Handle is a gate's opaque reference to a started job (pid + start time,
// host + directory, VM ID + resume token). The queue stores it as bytes.
type Handle []byte

// Cause says why a job ended, when it did not simply exit by itself.
type Cause string

// The causes a gate reports.
const (
	CauseNone         Cause = ""              // the job exited by itself
	CauseTimeout      Cause = "timeout"       // killed at its time limit
	CauseCancelled    Cause = "cancelled"     // killed by Kill
	CauseLaunchFailed Cause = "launch_failed" // never ran: bad work dir, output file, script
	CauseOutOfMemory  Cause = "out_of_memory" // the memory limit was enforced
	CauseNodeFail     Cause = "node_fail"     // the node stayed unreachable: the job's end is unknown
	CausePreempted    Cause = "preempted"     // the node was taken back (a spot VM evicted)
)

// Exit is the recorded end of a job's run.
type Exit struct {
	Code   int   `json:"code"`   // exit status when the job exited, else 0
	Signal int   `json:"signal"` // the signal that ended it, else 0
	Cause  Cause `json:"cause,omitempty"`
	// Detail explains a launch failure (e.g. the error opening the output file).
	Detail    string        `json:"detail,omitempty"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	MaxRSSKB  int64         `json:"max_rss_kb"`
	UserCPU   time.Duration `json:"user_cpu"`
	SystemCPU time.Duration `json:"system_cpu"`
}

// KillRequest asks a gate to end a running job: Line (if not empty, with %s
// replaced by the time as 2006-01-02T15:04:05) is written to the job's error
// file, then Signal goes to every process of the job (with SIGCONT first), and
// SIGKILL follows after Grace if any is left. Cause is what Exit will report.
type KillRequest struct {
	Signal syscall.Signal `json:"signal"`
	Grace  time.Duration  `json:"grace"`
	Line   string         `json:"line,omitempty"`
	Cause  Cause          `json:"cause"`
}

// Node is one place a gate runs jobs, as the scheduler and sinfo see it.
type Node struct {
	Name  string `json:"name"`
	CPUs  int    `json:"cpus"`
	MemMB int64  `json:"mem_mb"`
	Up    bool   `json:"up"`
	// Reason explains a node that is not up.
	Reason string `json:"reason,omitempty"`
	// Containers is the container runtime jobs with a Container run
	// with on this node ("docker", "podman"); empty: the node runs none.
	Containers string `json:"containers,omitempty"`
	// GPUs is the node's GPU count (Slurm's Gres=gpu:N); its GPUs are
	// numbered 0 to GPUs-1. Zero: the node has none.
	GPUs int `json:"gpus,omitempty"`
}

// Gate runs jobs on one kind of target. Every method is safe for concurrent
// use. A context bounds only the call it is passed to: jobs keep running
// when it ends, and when the daemon stops.
type Gate interface {
	// Nodes lists the nodes this gate offers now.
	Nodes(ctx context.Context) ([]Node, error)
	// Start launches spec and returns its handle. It is idempotent per
	// (JobID, Restart): a second call returns the handle of the first run
	// and starts nothing. ErrUnavailable means certainly not started.
	Start(ctx context.Context, spec Spec) (Handle, error)
	// Recover re-attaches to a job after a daemon restart. ErrNotFound means
	// the job is gone without a recorded exit.
	Recover(ctx context.Context, h Handle) error
	// Wait blocks until the job has ended and returns its Exit.
	Wait(ctx context.Context, h Handle) (Exit, error)
	// Signal sends sig to every process of the job.
	Signal(ctx context.Context, h Handle, sig syscall.Signal) error
	// Kill ends the job as KillRequest says; it returns once the request is
	// recorded, not when the job has ended (use Wait).
	Kill(ctx context.Context, h Handle, req KillRequest) error
	// Reap returns the recorded Exit of an ended job and releases what the
	// run held except that record. It is safe to repeat until Remove.
	Reap(ctx context.Context, h Handle) (Exit, error)
	// Remove deletes everything the gate keeps for the job; afterwards
	// Recover and Reap return ErrNotFound. Safe to repeat.
	Remove(ctx context.Context, h Handle) error
	// Close releases the gate's own resources; jobs keep running.
	Close() error
}

// Lister is implemented by gates that can list the jobs they hold, so the
// gateway can sweep orphans.
type Lister interface {
	List(ctx context.Context) ([]Handle, error)
}

// Collector is implemented by gates that run jobs where the gateway's files
// are not (another host): Collect is called by the gateway after Wait
// returned, while the job shows COMPLETING; it brings the job's results
// back to the gateway's file system. It is safe to repeat.
type Collector interface {
	Collect(ctx context.Context, h Handle) error
}

// Reasoner is implemented by gates that can be unable to start any job
// for a while (a cloud credential that is refused): Reason returns what
// every pending job of the gate shows meanwhile (squeue %R), "" when the
// gate can start jobs. It must be cheap: the scheduler asks on every pass.
//
// A gate's Start error may carry a reason of its own for that job (a
// quota, a busy node): the gateway finds it with errors.As on an error
// with a Reason() string method and shows it while the job waits.
type Reasoner interface {
	Reason() string
}

// Coster is implemented by gates whose runs cost money: Cost returns what
// the run of h has cost so far (final once it ended) and the currency.
// ErrNotFound means the gate knows no cost for h.
type Coster interface {
	Cost(ctx context.Context, h Handle) (amount float64, currency string, err error)
}
