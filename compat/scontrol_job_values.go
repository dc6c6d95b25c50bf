package compat

import (
	"strings"
	"time"
)

// jobStarted reports whether j has been given its nodes (running, or
// finished after running).
func jobStarted(j *Job) bool {
	return j.State != "PENDING" && j.NodeList != "" && !j.StartTime.IsZero()
}

// arrayThrottle is the ArrayTaskThrottle of a record: ArrayThrottle, or
// the "%N" suffix of a pending array's task list.
func arrayThrottle(j *Job) int {
	if j.ArrayThrottle > 0 {
		return j.ArrayThrottle
	}
	if i := strings.LastIndexByte(j.ArrayTasks, '%'); i >= 0 {
		n, rest := cStrtol(j.ArrayTasks[i+1:])
		if rest == "" && n > 0 && n < 1<<31 {
			return int(n)
		}
	}
	return 0
}

// scontrolReason is the Reason field: "None" when empty, white space
// replaced by '_' ("job requeued in held state" prints
// "job_requeued_in_held_state").
func scontrolReason(reason string) string {
	if reason == "" {
		return reasonNone
	}
	return strings.Map(func(r rune) rune {
		if r < 0x80 && isCSpace(byte(r)) {
			return '_'
		}
		return r
	}, reason)
}

// orNull is s, or "(null)" when empty.
func orNull(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

// scontrolExitCode is the ExitCode scontrol prints: the batch step's
// status once the job ran (0:15 for a job cancelled or timed out by
// SIGTERM, where sacct's job row says 0:0), the job's own otherwise.
func scontrolExitCode(j *Job) (code, sig int) {
	if j.Batch != nil && j.State != "PENDING" {
		return j.Batch.ExitCode, j.Batch.Signal
	}
	return j.ExitCode, j.ExitSignal
}

// scontrolRunTime is RunTime in seconds: 0 until started, now-start
// while running, suspend-start while suspended, end-start once finished.
func scontrolRunTime(j *Job, now time.Time) int64 {
	if j.StartTime.IsZero() || j.State == "PENDING" {
		return 0
	}
	end := now
	switch {
	case j.State == "SUSPENDED" && !j.SuspendTime.IsZero():
		end = j.SuspendTime
	case !j.EndTime.IsZero():
		end = j.EndTime
	}
	return max(0, int64(end.Sub(j.StartTime)/time.Second))
}

// scontrolEndTime is EndTime: the end of a finished job, start plus the
// limit for a running one with a limit, Unknown otherwise.
func scontrolEndTime(j *Job) time.Time {
	if !j.EndTime.IsZero() {
		return j.EndTime
	}
	if j.State == "PENDING" || j.StartTime.IsZero() || j.TimeLimit == Infinite {
		return time.Time{}
	}
	return j.StartTime.Add(time.Duration(j.TimeLimit) * time.Minute)
}

// lastSchedEval is LastSchedEval: the recorded time, else the start, else
// the submission.
func lastSchedEval(j *Job) time.Time {
	switch {
	case !j.LastSchedEval.IsZero():
		return j.LastSchedEval
	case !j.StartTime.IsZero() && j.State != "PENDING":
		return j.StartTime
	}
	return j.SubmitTime
}

// scontrolScheduler is the Scheduler field: "Backfill:*" for a pending job
// that the scheduler is planning (waiting on Resources or Priority), as
// Slurm's backfill marks it, "Main" otherwise.
func scontrolScheduler(j *Job) string {
	if j.State == "PENDING" && (j.Reason == "Resources" || j.Reason == "Priority") {
		return "Backfill:*"
	}
	return "Main"
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
