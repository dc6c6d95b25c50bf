package compat

import (
	"bufio"
	"io"
	"time"
)

// scontrolRecord builds one "Key=Value" record as scontrol prints it:
// lines of fields that start with three spaces (the first line with none),
// or, one-liner, every field separated by one space.
type scontrolRecord struct {
	b       []byte
	oneLine bool
}

// end closes a line: "\n   " or, one-liner, " ".
func (r *scontrolRecord) end() {
	if r.oneLine {
		r.b = append(r.b, ' ')
	} else {
		r.b = append(r.b, "\n   "...)
	}
}

// add appends s.
func (r *scontrolRecord) add(s ...string) {
	for _, x := range s {
		r.b = append(r.b, x...)
	}
}

// appendScontrolTime appends a timestamp, "Unknown" for the zero time.
func appendScontrolTime(b []byte, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return append(b, "Unknown"...)
	}
	return appendTimestamp(b, t, loc)
}

// scontrolLimit appends a time limit in minutes: "UNLIMITED" or
// "D-HH:MM:SS".
func appendScontrolLimit(b []byte, mins int64) []byte {
	if mins == Infinite {
		return append(b, "UNLIMITED"...)
	}
	return appendLongClock(b, mins*secondsPerMinute)
}

// ScontrolShowJob writes the records of jobs as "scontrol show job" does
// (one record per view, in the given order; see ScontrolSelectJobs): the
// multi-line form, or one line each with oneLiner; details > 0 is -d
// (DerivedExitCode, and the allocation of started jobs). now dates the
// run times of running jobs and its Location the timestamps.
//
// A view with ArrayTasks set is a pending array's record ("ArrayTaskId=
// 0-5%2"); ArrayThrottle (or the "%N" of ArrayTasks) prints
// ArrayTaskThrottle. The ExitCode shown is the batch step's (Batch) once
// the job has run, as Slurm's controller keeps the script's own status.
func ScontrolShowJob(w io.Writer, jobs []*Job, oneLiner bool, details int, now time.Time) error {
	bw := bufio.NewWriterSize(w, 16<<10)
	rec := scontrolRecord{oneLine: oneLiner}
	for _, j := range jobs {
		rec.b = appendScontrolJob(rec.b[:0], j, oneLiner, details, now)
		if _, err := bw.Write(rec.b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendScontrolJob appends one job record.
func appendScontrolJob(b []byte, j *Job, oneLiner bool, details int, now time.Time) []byte {
	r := scontrolRecord{b: b, oneLine: oneLiner}
	loc := now.Location()
	started := jobStarted(j)

	r.add("JobId=")
	r.b = appendUint(r.b, uint64(j.JobID))
	r.add(" ")
	if j.ArrayJobID != 0 {
		r.add("ArrayJobId=")
		r.b = appendUint(r.b, uint64(j.ArrayJobID))
		r.add(" ArrayTaskId=")
		if j.ArrayTasks != "" {
			r.add(j.ArrayTasks)
		} else {
			r.b = appendInt(r.b, j.ArrayTaskID)
		}
		r.add(" ")
		if t := arrayThrottle(j); t > 0 {
			r.add("ArrayTaskThrottle=")
			r.b = appendInt(r.b, int64(t))
			r.add(" ")
		}
	}
	r.add("JobName=", j.Name)
	r.end()

	r.add("UserId=", j.User, "(")
	r.b = appendUint(r.b, uint64(j.UID))
	r.add(") GroupId=", j.Group, "(")
	r.b = appendUint(r.b, uint64(j.GID))
	r.add(") MCS_label=N/A")
	r.end()

	r.add("Priority=")
	r.b = appendUint(r.b, uint64(j.Priority))
	r.add(" Nice=")
	r.b = appendInt(r.b, int64(j.Nice))
	r.add(" Account=", j.Account, " QOS=", j.QOS)
	r.end()

	r.add("JobState=", j.State, " Reason=", scontrolReason(j.Reason), " Dependency=", orNull(j.Dependency))
	r.end()

	r.add("Requeue=")
	if j.NoRequeue {
		r.add("0")
	} else {
		r.add("1")
	}
	r.add(" Restarts=")
	r.b = appendInt(r.b, int64(j.Restarts))
	r.add(" BatchFlag=1 Reboot=0 ExitCode=")
	code, sig := scontrolExitCode(j)
	r.b = appendInt(r.b, int64(code))
	r.add(":")
	r.b = appendInt(r.b, int64(sig))
	r.end()
	if details > 0 {
		r.add("DerivedExitCode=0:0")
		r.end()
	}

	r.add("RunTime=")
	r.b = appendLongClock(r.b, scontrolRunTime(j, now))
	r.add(" TimeLimit=")
	r.b = appendScontrolLimit(r.b, j.TimeLimit)
	r.add(" TimeMin=N/A")
	r.end()

	r.add("SubmitTime=")
	r.b = appendScontrolTime(r.b, j.SubmitTime, loc)
	r.add(" EligibleTime=")
	r.b = appendScontrolTime(r.b, j.EligibleTime, loc)
	r.end()
	r.add("AccrueTime=")
	r.b = appendScontrolTime(r.b, j.EligibleTime, loc)
	r.end()

	r.add("StartTime=")
	r.b = appendScontrolTime(r.b, effectiveStart(j), loc)
	r.add(" EndTime=")
	r.b = appendScontrolTime(r.b, scontrolEndTime(j), loc)
	r.add(" Deadline=N/A")
	r.end()

	r.add("SuspendTime=")
	if j.State == "SUSPENDED" && !j.SuspendTime.IsZero() {
		r.b = appendTimestamp(r.b, j.SuspendTime, loc)
		r.add(" SecsPreSuspend=")
		r.b = appendInt(r.b, scontrolRunTime(j, now))
	} else {
		r.add("None SecsPreSuspend=0")
	}
	r.add(" LastSchedEval=")
	r.b = appendScontrolTime(r.b, lastSchedEval(j), loc)
	r.add(" Scheduler=", scontrolScheduler(j))
	r.end()

	host := j.SubmitHost
	if host == "" {
		host = "localhost"
	}
	r.add("Partition=", j.Partition, " AllocNode:Sid=", host, ":")
	r.b = appendUint(r.b, uint64(j.AllocSID))
	r.end()
	r.add("ReqNodeList=(null) ExcNodeList=(null)")
	r.end()

	if started {
		r.add("NodeList=", j.NodeList)
		r.end()
		r.add("BatchHost=", firstNode(j.NodeList))
	} else {
		r.add("NodeList=")
		if j.SchedNode != "" && j.State == "PENDING" {
			r.add(" SchedNodeList=", j.SchedNode)
		}
	}
	r.end()

	r.add("NumNodes=")
	r.b = appendInt(r.b, int64(max(j.NumNodes, 1)))
	r.add(" NumCPUs=")
	r.b = appendInt(r.b, int64(max(j.NumCPUs, 1)))
	r.add(" NumTasks=")
	r.b = appendInt(r.b, int64(max(j.NumTasks, 1)))
	r.add(" CPUs/Task=")
	r.b = appendInt(r.b, int64(max(j.CPUsPerTask, 1)))
	r.add(" ReqB:S:C:T=0:0:*:*")
	r.end()
	r.add("TRES=")
	r.b = appendTRES(r.b, j, true)
	r.end()
	r.add("Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=*")
	r.end()
	if details > 0 && started {
		r.add("JOB_GRES=")
		r.b = appendJobGresDetail(r.b, j, true)
		r.end()
		r.add("  Nodes=", j.NodeList, " CPU_IDs=")
		cpus := max(j.NumCPUs, 1) / max(j.NumNodes, 1)
		r.add("0")
		if cpus > 1 {
			r.add("-")
			r.b = appendInt(r.b, int64(max(cpus, 1)-1))
		}
		r.add(" Mem=")
		mem := j.MinMemoryMB
		if j.MemPerCPU {
			mem *= int64(max(cpus, 1))
		}
		r.b = appendInt(r.b, mem)
		r.add(" GRES=")
		r.b = appendJobGresDetail(r.b, j, false)
		r.end()
	}

	r.add("MinCPUsNode=")
	r.b = appendInt(r.b, int64(max(j.CPUsPerTask, 1)))
	switch {
	case j.MemPerCPU:
		r.add(" MinMemoryCPU=")
		r.b = appendMemMB(r.b, j.MinMemoryMB)
	case jobGRES(j).MemPerTRES != "":
		// --mem-per-gpu: the memory is the GPUs' (TRES mem=), none per
		// node (recorded: MinMemoryNode=0 with MemPerTres=gres:gpu:1024).
		r.add(" MinMemoryNode=0")
	default:
		r.add(" MinMemoryNode=")
		r.b = appendMemMB(r.b, j.MinMemoryMB)
	}
	r.add(" MinTmpDiskNode=0")
	r.end()
	r.add("Features=(null) DelayBoot=00:00:00")
	r.end()
	r.add("OverSubscribe=", orDefault(j.OverSubscribe, "OK"), " Contiguous=0 Licenses=(null) Network=(null)")
	r.end()
	r.add("Command=", orNull(j.Command))
	r.end()
	r.add("WorkDir=", j.WorkDir)
	r.end()
	if j.Comment != "" {
		r.add("Comment=", j.Comment, " ")
		r.end()
	}
	r.add("StdErr=", j.StdErr)
	r.end()
	r.add("StdIn=", j.StdIn)
	r.end()
	r.add("StdOut=", j.StdOut)
	r.end()
	r.add("Power=")
	r.end()
	if j.CostCurrency != "" { // Sky Port's own line: paid gates only
		r.add("Cost=")
		r.b = appendMicros(r.b, j.CostMicros)
		r.add(" Currency=", j.CostCurrency)
		r.end()
	}
	if j.MailType != "" {
		r.add("MailUser=", j.MailUser, " MailType=", j.MailType)
		r.end()
	}
	appendGRESLines(&r, j)
	if oneLiner {
		return append(r.b, '\n')
	}
	return append(r.b, "\n\n"...)
}
