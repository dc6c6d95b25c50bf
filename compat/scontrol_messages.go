package compat

import "strconv"

// Reasons (Slurm's error strings) the daemon reports through the scontrol
// messages below.
const (
	ReasonInvalidJobID       = "Invalid job id specified"
	ReasonJobPending         = "Job is pending execution"
	ReasonJobNotPending      = "Job is no longer pending execution"
	ReasonJobNotSuspended    = "Job is not suspended"
	ReasonJobFinished        = "Job/step already completing or completed"
	ReasonInvalidPartition   = "Invalid partition name specified"
	ReasonInvalidNode        = "Invalid node name specified"
	ReasonInvalidUser        = "Invalid user id"
	ReasonAccessDenied       = "Access/permission denied"
	ReasonUnexpectedMessage  = "Unexpected message received"
	ReasonPartitionNotUsable = "Requested partition configuration not available now"
)

// ScontrolJobError is the line Slurm prints when the controller refuses
// an operation on a job: "Invalid job id specified for job 99999",
// "Job is pending execution for job 42" (requeue of a pending job), "Job
// is no longer pending execution for job 40" (update of a running job),
// "Invalid partition name specified for job 42". Slurm answers suspend
// and resume of an unknown job with ReasonUnexpectedMessage. Exit 1.
func ScontrolJobError(reason, spec string) string {
	return reason + " for job " + spec + "\n"
}

// ScontrolTaskError is the line for one array task the controller
// refused ("45_7: Invalid job id specified"), as Slurm prints the
// per-task answers of an array operation. Exit 1.
func ScontrolTaskError(spec, reason string) string {
	return spec + ": " + reason + "\n"
}

// ScontrolHoldError is the line hold, uhold and release add after an
// operand that failed ("slurm_suspend error: Invalid job id specified"),
// with the worst reason of that operand.
func ScontrolHoldError(reason string) string {
	return "slurm_suspend error: " + reason + "\n"
}

// ScontrolUpdateError is the line of a node or partition update the
// controller refused ("slurm_update error: Invalid partition name
// specified"). Exit 1.
func ScontrolUpdateError(reason string) string {
	return "slurm_update error: " + reason + "\n"
}

// ScontrolLoadJobsError is the stderr of "show job ID" for an id the
// controller does not know (never submitted, or purged after MinJobAge).
// Exit 1.
const ScontrolLoadJobsError = "slurm_load_jobs error: " + ReasonInvalidJobID + "\n"

// ScontrolNoJobsWithName is the error of "update JobName=X ..." (no
// JobId) when no job has that name. Exit 1.
func ScontrolNoJobsWithName(name string) string {
	return "scontrol: error: No jobs with name '" + name + "'\n"
}

// ScontrolTimeLimitDecrementError is the error of "update ...
// TimeLimit=-N" when N exceeds the current limit (both in minutes; an
// UNLIMITED limit counts as 4294967295). Exit 1.
func ScontrolTimeLimitDecrementError(decrement, current int64) string {
	return "scontrol: error: TimeLimit decrement larger than current time limit (" +
		strconv.FormatInt(decrement, 10) + " > " + strconv.FormatInt(current, 10) + ")\n"
}

// ScontrolScriptError is the stderr of "write batch_script" when the
// controller has no script for the job ("job script retrieval failed:
// Invalid job id specified"). Slurm exits 0 nonetheless.
func ScontrolScriptError(reason string) string {
	return "job script retrieval failed: " + reason + "\n"
}

// ScontrolScriptWritten is the stdout line of "write batch_script ID
// FILE" after writing the file (not printed for "-" nor with -Q).
func ScontrolScriptWritten(jobID uint32, file string) string {
	return "batch script for job " + strconv.FormatUint(uint64(jobID), 10) + " written to " + file + "\n"
}

// ScontrolScriptOpenError is the stderr line when the file cannot be
// created; errText is strerror's text ("No such file or directory").
// Slurm exits 0.
func ScontrolScriptOpenError(file, errText string) string {
	return "failed to open file `" + file + "`: " + errText + "\n"
}

// ScontrolPingLine is the line of "scontrol ping" (and the end of "show
// config"): "Slurmctld(primary) at vm is UP". A down controller prints
// DOWN, followed for root by Slurm's three-line banner; exit 1.
func ScontrolPingLine(host string, up, root bool) string {
	if up {
		return "Slurmctld(primary) at " + host + " is UP\n"
	}
	s := "Slurmctld(primary) at " + host + " is DOWN\n"
	if root {
		s += "*****************************************\n" +
			"** RESTORE SLURMCTLD DAEMON TO SERVICE **\n" +
			"*****************************************\n"
	}
	return s
}
