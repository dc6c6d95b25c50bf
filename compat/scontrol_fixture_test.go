package compat

import (
	"strconv"
	"strings"
	"time"
)

// scontrolJob returns a job as the reference machine's scontrol saw it:
// refJob's defaults, submitted from localhost by session sid, with the
// default output file in dir.
func scontrolJob(id uint32, name, dir string, sid uint32) *Job {
	j := refJob(id, name)
	j.SubmitHost, j.AllocSID, j.WorkDir = "localhost", sid, dir
	out := dir + "/slurm-" + strconv.FormatUint(uint64(id), 10) + ".out"
	j.StdOut, j.StdErr = out, out
	return j
}

// scontrolRan marks j as run from start to end in state with the batch
// step's exit status code:sig.
func scontrolRan(j *Job, start, end time.Time, state, reason string, code, sig int) *Job {
	j.State, j.Reason = state, reason
	j.StartTime, j.EndTime, j.NodeList = start, end, "vm"
	j.ExitCode, j.ExitSignal = code, sig
	j.Batch = &Step{Name: "batch", State: state, ExitCode: code, Signal: sig, Start: start, End: end,
		NodeList: "vm", NumCPUs: j.NumCPUs}
	return j
}

// at returns 2026-11-27 hh:mm:ss UTC.
func at(hh, mm, ss int) time.Time { return refTime(hh, mm, ss) }

// fixtureScontrolRef5 holds the jobs of REFERENCE.md §5.1: 40 running
// (-J long1 -t 30), 42 pending for resources, 45 a pending array 0-5%2.
func fixtureScontrolRef5() ScontrolData {
	j40 := running(scontrolJob(40, "long1", "/tmp/sref/w", 2253), at(11, 33, 24))
	j40.TimeLimit, j40.Priority = 30, 4294901739
	j42 := pending(scontrolJob(42, "waitres", "/tmp/sref/w", 2253), at(11, 33, 27), "Resources", 4294901737)
	j42.StartTime, j42.SchedNode, j42.LastSchedEval = at(12, 3, 24), "vm", at(11, 33, 33)
	j45 := pending(scontrolJob(45, "arr", "/tmp/sref/w", 2253), at(11, 33, 27), "Priority", 4294901735)
	j45.ArrayJobID, j45.ArrayTasks, j45.LastSchedEval = 45, "0-5%2", at(11, 33, 33)
	j45.StdOut = "/tmp/sref/w/slurm-45_4294967294.out"
	j45.StdErr = j45.StdOut
	return ScontrolData{Jobs: []*Job{j45, j42, j40}}
}

// fixtureScontrolRef1459 is job 1459 of REFERENCE.md §1.3: its output
// file could not be opened, so it failed at launch (0:53).
func fixtureScontrolRef1459() ScontrolData {
	j := scontrolJob(1459, "wrap", "/tmp/sref/x", 2253)
	j.Priority = 4294901504
	j.SubmitTime, j.EligibleTime = at(11, 47, 2), at(11, 47, 2)
	scontrolRan(j, at(11, 47, 7), at(11, 47, 7), "FAILED", "JobLaunchFailure", 0, 53)
	j.StdOut, j.StdErr = "/nonexistent/out.txt", "/nonexistent/out.txt"
	return ScontrolData{Jobs: []*Job{j}}
}

// fixtureScontrolRefNode is the node and partitions of REFERENCE.md
// §5.3-5.4, the node busy with two one-CPU jobs.
func fixtureScontrolRefNode() ScontrolData {
	n := refNode("allocated", 2)
	n.Arch, n.OS = "x86_64", "Linux 6.18.44-fc-v657 #1 SMP PREEMPT_DYNAMIC @0"
	n.BootTime, n.SlurmdStartTime, n.LastBusyTime = at(11, 23, 34), at(11, 32, 4), at(11, 35, 25)
	return ScontrolData{
		Partitions: refPartitions(), Nodes: []Node{n},
		Config: ConfigView{ControlHost: "vm", Up: true},
	}
}

// fixtureScontrolReal holds the jobs recorded with the real scontrol on
// the reference machine (see the goldens' headers).
func fixtureScontrolReal() ScontrolData {
	const dir, sid = "/tmp/scx", 27188
	held := func(id uint32, name string, submit time.Time, reason string) *Job {
		j := scontrolJob(id, name, dir, sid)
		j.SubmitTime, j.Reason = submit, reason
		return j
	}
	j1102 := held(1102, "held1", at(14, 44, 14), "JobHeldUser")

	j1132 := held(1132, "feat", at(14, 44, 27), "JobHeldAdmin")
	j1132.Dependency, j1132.TimeLimit, j1132.Partition = "afterok:1103(failed)", 1564, "cloud"
	j1132.NumCPUs, j1132.CPUsPerTask, j1132.MinMemoryMB, j1132.MemPerCPU = 2, 2, 2048, false
	j1132.Command, j1132.Comment = "/tmp/scx/job.sh", "x"

	j1133 := held(1133, "gres", at(14, 44, 27), "JobHeldUser")
	j1133.Nice, j1133.NumCPUs, j1133.NumTasks, j1133.MinMemoryMB = 10, 2, 2, 500
	j1133.Command, j1133.TRESPerNode, j1133.GPUs = "/tmp/scx/job.sh", "gres:gpu:1", 1
	j1133.StdOut, j1133.StdErr = "/tmp/scx/out-1133.txt", "/tmp/scx/err-1133.txt"

	j1135 := held(1135, "arr", at(14, 44, 27), "JobHeldUser")
	j1135.ArrayJobID, j1135.ArrayTasks, j1135.Command = 1135, "1,3,5,7,9%3", "/tmp/scx/job.sh"
	j1135.StdOut = "/tmp/scx/slurm-1135_4294967294.out"
	j1135.StdErr = j1135.StdOut

	j2433 := held(2433, "fin-ok", at(14, 53, 14), "JobHeldAdmin")
	j2433.Restarts, j2433.EligibleTime, j2433.StartTime = 1, at(14, 55, 15), at(14, 55, 15)
	j2433.LastSchedEval = at(14, 48, 44)
	j2433.StdOut, j2433.StdErr = "/tmp/scx/ok-2433.out", "/tmp/scx/ok-2433.out"

	ran := func(id uint32, name string, prio uint32, start, end time.Time, state, reason string, code, sig int) *Job {
		j := scontrolJob(id, name, dir, sid)
		j.Priority, j.SubmitTime, j.EligibleTime = prio, at(14, 47, 52), at(14, 47, 52)
		return scontrolRan(j, start, end, state, reason, code, sig)
	}
	j2434 := ran(2434, "fin-fail", 4294900725, at(14, 48, 44), at(14, 48, 45), "FAILED", "NonZeroExitCode", 3, 0)
	j2437 := ran(2437, "fin-cancel", 4294900664, at(14, 48, 53), at(14, 53, 18), "CANCELLED", "None", 0, 15)
	j2437.ExitSignal = 0 // sacct's job row says 0:0; scontrol shows the batch step's 0:15
	j2438 := ran(2438, "memnode", 4294900721, at(14, 49, 56), at(14, 49, 57), "COMPLETED", "None", 0, 0)
	j2438.MinMemoryMB, j2438.MemPerCPU = 100, false

	task := func(id uint32, taskID int64, start time.Time) *Job {
		j := ran(id, "fin-arr", 4294900723, start, start.Add(time.Second), "COMPLETED", "None", 0, 0)
		j.EligibleTime, j.ArrayJobID, j.ArrayTaskID = at(14, 47, 54), 2436, taskID
		j.StdOut = "/tmp/scx/slurm-2436_" + strconv.FormatInt(taskID, 10) + ".out"
		j.StdErr = j.StdOut
		return j
	}
	j2436 := task(2436, 2, at(14, 48, 50))
	j2455 := task(2455, 1, at(14, 48, 47))

	return ScontrolData{
		Jobs: []*Job{j2438, j2437, j2455, j2436, j2434, j2433, j1135, j1133, j1132, j1102},
		TaskView: func(meta *Job, task int64) *Job {
			v := *meta
			v.ArrayTasks, v.ArrayTaskID, v.ArrayThrottle = "", task, arrayThrottle(meta)
			v.StdOut = strings.Replace(v.StdOut, "4294967294", strconv.FormatInt(task, 10), 1)
			v.StdErr = strings.Replace(v.StdErr, "4294967294", strconv.FormatInt(task, 10), 1)
			return &v
		},
	}
}

// fixtureScontrolConfig is the configuration recorded with the real
// "scontrol show config".
func fixtureScontrolConfig() ScontrolData {
	return ScontrolData{Config: ConfigView{
		ClusterName: "refcluster", ControlHost: "vm", Up: true, BootTime: at(13, 30, 16),
		NextJobID: 2619, MinJobAge: 300, KillWait: 30, DefMemPerCPU: 1024,
		SlurmUser: "slurm", SlurmUID: 64030,
	}}
}

// scontrolFixtures maps golden fixture names to the daemon's data.
var scontrolFixtures = map[string]func() ScontrolData{
	"ref5":    fixtureScontrolRef5,
	"ref1459": fixtureScontrolRef1459,
	"refpart": fixtureScontrolRefNode,
	"refnode": fixtureScontrolRefNode,
	"real":    fixtureScontrolReal,
	"config":  fixtureScontrolConfig,
}
