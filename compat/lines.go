package compat

import (
	"strconv"
	"time"
)

// stepdTimeLayout is how slurmstepd prints the time in its kill lines.
const stepdTimeLayout = "2006-01-02T15:04:05"

// CancelLine is the line slurmstepd writes into a job's error file (its
// output file when stderr is not separate) when the job is cancelled:
//
//	slurmstepd-vm: error: *** JOB 55 ON vm CANCELLED AT 2026-11-27T11:34:28 ***
//
// at is printed in its own location (Slurm uses the node's local time).
// The text has no trailing newline: it is one line of the file, and the
// writer (the gate) adds the "\n".
func CancelLine(jobID uint32, node string, at time.Time) string {
	return stepdKillLine(jobID, node, at.Format(stepdTimeLayout), "")
}

// TimeoutLineFormat is the line slurmstepd writes when a job reaches its
// time limit, with "%s" where the time goes (gate.Spec.TimeoutLine):
//
//	slurmstepd-vm: error: *** JOB 91 ON vm CANCELLED AT %s DUE TO TIME LIMIT ***
//
// The "%s" is the last one in the line, whatever the node name holds. No
// trailing newline, as for CancelLine.
func TimeoutLineFormat(jobID uint32, node string) string {
	return stepdKillLine(jobID, node, "%s", " DUE TO TIME LIMIT")
}

// RequeueLine is the line slurmstepd writes when a running job is
// requeued (scontrol requeue), as "... CANCELLED AT <time> DUE TO JOB
// REQUEUE ***". No trailing newline, as for CancelLine.
func RequeueLine(jobID uint32, node string, at time.Time) string {
	return stepdKillLine(jobID, node, at.Format(stepdTimeLayout), " DUE TO JOB REQUEUE")
}

// stepdKillLine builds slurmstepd's "*** JOB ... CANCELLED AT ..." line.
func stepdKillLine(jobID uint32, node, when, why string) string {
	return "slurmstepd-" + node + ": error: *** JOB " + strconv.FormatUint(uint64(jobID), 10) +
		" ON " + node + " CANCELLED AT " + when + why + " ***"
}

// ChdirLineFormat is the line slurmstepd writes (twice) into a job's error
// file when it cannot enter the job's work directory and runs the job in
// /tmp instead, with "%s" where the reason goes in C's strerror words
// (gate.Spec.WorkDirLine):
//
//	slurmstepd-vm: error: couldn't chdir to `/nonexistent/dir': No such file or directory: going to /tmp instead
//
// No trailing newline, as for CancelLine.
func ChdirLineFormat(node, dir string) string {
	return "slurmstepd-" + node + ": error: couldn't chdir to `" + dir + "': %s: going to /tmp instead"
}
