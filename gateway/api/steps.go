package api

import (
	"context"

	"skyport/compat"
)

// Paths of srun's endpoints: steps of a running job, and allocations
// that srun outside a job makes and holds under a lease.
const (
	PathStepStart    = "/v1/steps/start"
	PathStepEnd      = "/v1/steps/end"
	PathAlloc        = "/v1/alloc"
	PathAllocWait    = "/v1/alloc/wait"
	PathAllocBeat    = "/v1/alloc/beat"
	PathAllocRelease = "/v1/alloc/release"
)

// StepStartRequest registers a new step of a running job. The daemon
// numbers it (0, 1, ... in the order steps start).
type StepStartRequest struct {
	JobID  uint32 `json:"job_id"`
	Name   string `json:"name"`   // the step's name: -J, else the command's base name
	NTasks int    `json:"ntasks"` // tasks the step runs (1)
	// CPUs is the CPUs the step asks for; 0 means the job's.
	CPUs int `json:"cpus,omitempty"`
	// CPUsPerTask is srun -c (0: 1); Overcommit is -O: without it the
	// tasks × CPUs per task must fit in the job's CPUs.
	CPUsPerTask int  `json:"cpus_per_task,omitempty"`
	Overcommit  bool `json:"overcommit,omitempty"`
}

// StepStartResponse answers a StepStartRequest.
type StepStartResponse struct {
	StepID uint32 `json:"step_id"`
	Node   string `json:"node"`
	CPUs   int    `json:"cpus"`
	// Layout is sacct's Layout of the step, which also decides whether
	// SLURM_DISTRIBUTION is set ("Cyclic" inside a batch job).
	Layout string `json:"layout"`
}

// StepEndRequest records how a step ended. CPU times are nanoseconds.
type StepEndRequest struct {
	JobID    uint32 `json:"job_id"`
	StepID   uint32 `json:"step_id"`
	ExitCode int    `json:"exit_code"`
	Signal   int    `json:"signal"`
	// Cancelled says srun ended the step on a user's request (its
	// SIGINT/SIGTERM, or scancel): sacct prints "CANCELLED by UID".
	Cancelled bool  `json:"cancelled,omitempty"`
	MaxRSSKB  int64 `json:"max_rss_kb,omitempty"`
	UserCPU   int64 `json:"user_cpu_ns,omitempty"`
	SystemCPU int64 `json:"system_cpu_ns,omitempty"`
}

// AllocRequest asks for an allocation (srun outside a job): a job with
// no batch script that the client holds while it runs its step.
type AllocRequest struct {
	Options compat.SubmitOptions `json:"options"`
	// Command is the command line, whose first word names the job by default.
	Command []string `json:"command"`
	Cwd     string   `json:"cwd"`
	Env     []string `json:"env"`
}

// AllocResponse answers an AllocRequest once the job is on disk.
type AllocResponse struct {
	JobID uint32 `json:"job_id"`
	// LeaseSeconds is how long the daemon keeps the allocation without
	// a heartbeat (AllocWait or AllocBeat) before it cancels it.
	LeaseSeconds int `json:"lease_seconds"`
}

// AllocWaitRequest waits (a few seconds at most) for an allocation to
// start; it renews the lease.
type AllocWaitRequest struct {
	JobID uint32 `json:"job_id"`
	// TimeoutMS bounds the wait (0: 5 s, at most 10 s).
	TimeoutMS int `json:"timeout_ms,omitempty"`
}

// AllocWaitResponse says whether the allocation runs, and if so the
// environment of the job (Slurm's SLURM_JOB_* variables).
type AllocWaitResponse struct {
	Running bool     `json:"running"`
	Ended   bool     `json:"ended"` // it will never run (cancelled, failed)
	State   string   `json:"state"`
	Env     []string `json:"env,omitempty"`
}

// AllocBeatRequest renews an allocation's lease.
type AllocBeatRequest struct {
	JobID uint32 `json:"job_id"`
}

// AllocBeatResponse tells the holder whether it must end its step: the
// job was cancelled (scancel) or reached its time limit.
type AllocBeatResponse struct {
	End    bool   `json:"end"`
	Reason string `json:"reason,omitempty"` // "cancelled", "timeout"
}

// AllocReleaseRequest ends an allocation with its step's exit status;
// Cancel ends it as cancelled by the caller (srun's double Ctrl-C).
type AllocReleaseRequest struct {
	JobID    uint32 `json:"job_id"`
	ExitCode int    `json:"exit_code"`
	Signal   int    `json:"signal"`
	Cancel   bool   `json:"cancel,omitempty"`
}

// StepStart registers a step of a running job and returns its number.
func (c *Client) StepStart(ctx context.Context, req StepStartRequest) (StepStartResponse, error) {
	var resp StepStartResponse
	err := c.call(ctx, "POST", PathStepStart, req, &resp)
	return resp, err
}

// StepEnd records the end of a step.
func (c *Client) StepEnd(ctx context.Context, req StepEndRequest) error {
	return c.call(ctx, "POST", PathStepEnd, req, nil)
}

// Alloc submits an allocation; it returns once the job is on disk.
func (c *Client) Alloc(ctx context.Context, req AllocRequest) (AllocResponse, error) {
	var resp AllocResponse
	err := c.call(ctx, "POST", PathAlloc, req, &resp)
	return resp, err
}

// AllocWait waits a few seconds at most for the allocation to run.
func (c *Client) AllocWait(ctx context.Context, req AllocWaitRequest) (AllocWaitResponse, error) {
	var resp AllocWaitResponse
	err := c.call(ctx, "POST", PathAllocWait, req, &resp)
	return resp, err
}

// AllocBeat renews the lease of an allocation.
func (c *Client) AllocBeat(ctx context.Context, id uint32) (AllocBeatResponse, error) {
	var resp AllocBeatResponse
	err := c.call(ctx, "POST", PathAllocBeat, AllocBeatRequest{JobID: id}, &resp)
	return resp, err
}

// AllocRelease ends an allocation.
func (c *Client) AllocRelease(ctx context.Context, req AllocReleaseRequest) error {
	return c.call(ctx, "POST", PathAllocRelease, req, nil)
}
