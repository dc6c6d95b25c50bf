// Package api holds the wire types of skyportd's local API (HTTP + JSON
// over a Unix socket) and the Go client that the shims and the skyport
// command use. It imports only the standard library and compat (for the
// option types the shims parse and the daemon renders), so that nothing of
// the daemon (Badger, gates, cloud SDKs) ends up in the shim binary.
package api

import (
	"skyport/compat"
)

// Paths of the API, all under /v1.
const (
	PathPing     = "/v1/ping"
	PathSubmit   = "/v1/jobs"
	PathSqueue   = "/v1/squeue"
	PathSacct    = "/v1/sacct"
	PathSinfo    = "/v1/sinfo"
	PathScancel  = "/v1/scancel"
	PathScontrol = "/v1/scontrol"
	PathUser     = "/v1/user"
	PathWait     = "/v1/wait"
)

// SubmitRequest is one sbatch submission. The shim has already parsed and
// merged the options (command line > SBATCH_* > #SBATCH) and validated the
// script; the daemon checks everything that needs its state (partitions,
// limits) and answers with the job ID once the job is on disk.
type SubmitRequest struct {
	Options compat.SubmitOptions `json:"options"`
	Script  []byte               `json:"script"`
	// ScriptPath is the absolute path of the script file; empty for a
	// script from stdin or --wrap.
	ScriptPath string   `json:"script_path,omitempty"`
	ScriptArgs []string `json:"script_args,omitempty"`
	// Cwd is the submitter's working directory (SLURM_SUBMIT_DIR).
	Cwd string `json:"cwd"`
	// Env is the submitter's environment, replayed by --export=ALL.
	Env []string `json:"env"`
}

// SubmitResponse answers a SubmitRequest.
type SubmitResponse struct {
	JobID   uint32 `json:"job_id"`
	Cluster string `json:"cluster"`
	// TestOnly is the message of --test-only (sbatch prints it on stderr).
	TestOnly string `json:"test_only,omitempty"`
}

// SqueueRequest asks for squeue's output; the daemon renders it.
type SqueueRequest struct {
	Options compat.SqueueOptions `json:"options"`
}

// SacctRequest asks for sacct's output; the daemon renders it.
type SacctRequest struct {
	Options compat.SacctOptions `json:"options"`
}

// SinfoRequest asks for sinfo's output; the daemon renders it.
type SinfoRequest struct {
	Options compat.SinfoOptions `json:"options"`
}

// ScancelRequest asks to cancel or signal jobs.
type ScancelRequest struct {
	Options compat.ScancelOptions `json:"options"`
}

// ScancelResponse says what happened to each job named.
type ScancelResponse struct {
	// Stderr is what scancel prints on stderr (only with -v, or errors).
	Stderr string `json:"stderr,omitempty"`
	Exit   int    `json:"exit"`
}

// ScontrolRequest asks for one scontrol command.
type ScontrolRequest struct {
	Request compat.ScontrolRequest `json:"request"`
}

// ScontrolResponse is what scontrol prints: Slurm prints some messages on
// stdout even when it fails ("Partition x not found"), so both streams and
// the exit status travel together.
type ScontrolResponse struct {
	Stdout string `json:"stdout,omitempty"`
	Stderr string `json:"stderr,omitempty"`
	Exit   int    `json:"exit"`
}

// ErrorResponse is the body of every non-2xx answer. Message is the exact
// text for the user's stderr (Slurm's words) and Exit the exit status.
type ErrorResponse struct {
	Message string `json:"message"`
	Exit    int    `json:"exit"`
}

// UserRequest asks the daemon to resolve a user name through the system's
// name service (which may reach a directory the client cannot read).
type UserRequest struct {
	Name string `json:"name"`
}

// UserResponse is the answer to a UserRequest.
type UserResponse struct {
	UID   uint32 `json:"uid"`
	Found bool   `json:"found"`
}

// WaitRequest asks the daemon to answer once job JobID (every task, for
// an array) has ended: sbatch -W/--wait.
type WaitRequest struct {
	JobID uint32 `json:"job_id"`
}

// WaitResponse is sbatch --wait's exit status: 0 when every task
// completed, the highest exit code of those that failed, else 1.
type WaitResponse struct {
	Exit int `json:"exit"`
}
