package compat

import (
	"time"
)

// refTime returns 2026-11-27 hh:mm:ss UTC, the reference machine's clock.
func refTime(hh, mm, ss int) time.Time {
	return time.Date(2026, 11, 27, hh, mm, ss, 0, time.UTC)
}

// refJob returns a job with the defaults of the reference machine: user
// root, account root, QOS normal, partition debug, one node, one CPU,
// DefMemPerCPU=1024, no time limit, work directory /tmp/sref/w.
func refJob(id uint32, name string) *Job {
	return &Job{
		JobID: id, ArrayTaskID: -1, Name: name,
		User: "root", Group: "root", Account: "root", QOS: "normal", Cluster: "refcluster",
		Partition: "debug", State: "PENDING", Reason: "None",
		TimeLimit: Infinite, NumNodes: 1, NumCPUs: 1, NumTasks: 1, CPUsPerTask: 1,
		MinMemoryMB: 1024, MemPerCPU: true, WorkDir: "/tmp/sref/w", StdIn: "/dev/null",
		SubmitHost: "vm",
	}
}

// running marks j as running on vm since start.
func running(j *Job, start time.Time) *Job {
	j.State, j.Reason = "RUNNING", "None"
	j.SubmitTime, j.EligibleTime, j.StartTime = start, start, start
	j.NodeList = "vm"
	j.Batch = &Step{Name: "batch", State: "RUNNING", Start: start, NodeList: "vm", NumCPUs: j.NumCPUs}
	return j
}

// pending marks j as pending for reason since submit.
func pending(j *Job, submit time.Time, reason string, prio uint32) *Job {
	j.State, j.Reason, j.Priority = "PENDING", reason, prio
	j.SubmitTime, j.EligibleTime = submit, submit
	return j
}

// fixtureRef21 is the queue of REFERENCE.md §2.1-2.4: jobs 40-47 (40 =
// -J long1 -t 30 sleep 600, 41 = -J long2 -p cloud -t 1-0, 42 waits for
// resources, 43 -d afterok:40, 44 -H, 45 -a 0-5%2, 46 -a 1,3,7, 47
// --begin=now+1hour).
func fixtureRef21() []*Job {
	started, submitted := refTime(11, 33, 24), refTime(11, 33, 27)
	j40 := running(refJob(40, "long1"), started)
	j40.TimeLimit, j40.Priority = 30, 4294901739
	j41 := running(refJob(41, "long2"), started)
	j41.Partition, j41.TimeLimit, j41.Priority = "cloud", 1440, 4294901738
	j42 := pending(refJob(42, "waitres"), submitted, "Resources", 4294901737)
	j42.StartTime, j42.SchedNode = refTime(12, 3, 24), "vm"
	j43 := pending(refJob(43, "dep"), submitted, "Dependency", 4294901736)
	j43.Dependency = "afterok:40(unfulfilled)"
	j44 := pending(refJob(44, "held"), submitted, "JobHeldUser", 0)
	j44.EligibleTime = time.Time{}
	j45 := pending(refJob(45, "arr"), submitted, "Priority", 4294901735)
	j45.ArrayJobID, j45.ArrayTasks = 45, "0-5%2"
	j46 := pending(refJob(46, "arrb"), submitted, "Priority", 4294901734)
	j46.ArrayJobID, j46.ArrayTasks = 46, "1,3,7"
	j47 := pending(refJob(47, "begin"), submitted, "BeginTime", 4294901733)
	j47.StartTime = refTime(12, 33, 27)
	// The daemon passes jobs in no particular order.
	return []*Job{j47, j41, j45, j40, j43, j46, j42, j44}
}

// fixtureRef44 is the set of finished jobs of REFERENCE.md §4.4 (91-97),
// plus one still-running job, as squeue sees them while they are kept.
func fixtureRef44() []*Job {
	var jobs []*Job
	ends := map[uint32]struct {
		state string
		code  int
		sig   int
		name  string
	}{
		91: {"TIMEOUT", 0, 0, "timeout.sh"}, 92: {"TIMEOUT", 0, 0, "wrap"},
		93: {"FAILED", 1, 0, "wrap"}, 94: {"FAILED", 2, 0, "wrap"}, 95: {"FAILED", 0, 9, "wrap"},
		96: {"OUT_OF_MEMORY", 0, 125, "wrap"}, 97: {"FAILED", 127, 0, "wrap"},
	}
	for id := uint32(91); id <= 97; id++ {
		e := ends[id]
		j := refJob(id, e.name)
		j.SubmitTime, j.EligibleTime = refTime(11, 35, 35), refTime(11, 35, 35)
		j.StartTime, j.EndTime = refTime(11, 37, 33), refTime(11, 37, 33)
		j.State, j.ExitCode, j.ExitSignal = e.state, e.code, e.sig
		j.Priority = 4294901700 - id
		j.NodeList = "vm"
		jobs = append(jobs, j)
	}
	return jobs
}

// squeueFixtures maps golden fixture names to job sets.
var squeueFixtures = map[string]func() []*Job{
	"ref21": fixtureRef21,
	"ref44": fixtureRef44,
	"empty": func() []*Job { return nil },
}

// fixtureReal272 reproduces held jobs of the reference machine, used to
// record squeue's tie-breaking and array printing (testdata/squeue/real_*):
//
//	sbatch -J held -H --wrap=true                                    # 77, 13:36:39
//	sbatch -J heldjob -H --begin=now+1hour --wrap=true               # 178, 13:42:44
//	sbatch -H -J arrstep --array=1-9:2%3 --wrap=true                 # 272, 14:01:35
//	sbatch -H -J mem1536 -t 2-03:04 -c 2 --mem=1536 --wrap=true      # 273
//	sbatch -H -J averyveryverylongjobname --comment="c x" -p cloud -t 90 --wrap=true  # 274
func fixtureReal272() []*Job {
	held := func(id uint32, name string, submit time.Time) *Job {
		j := pending(refJob(id, name), submit, "JobHeldUser", 0)
		j.EligibleTime = time.Time{}
		j.WorkDir = "/tmp/qref"
		return j
	}
	j77 := held(77, "held", refTime(13, 36, 39))
	j178 := held(178, "heldjob", refTime(13, 42, 44))
	j178.StartTime = refTime(14, 42, 44)
	late := refTime(14, 1, 35)
	j272 := held(272, "arrstep", late)
	j272.ArrayJobID, j272.ArrayTasks = 272, "1,3,5,7,9%3"
	j273 := held(273, "mem1536", late)
	j273.TimeLimit, j273.CPUsPerTask, j273.NumCPUs = 3064, 2, 2
	j273.MinMemoryMB, j273.MemPerCPU = 1536, false
	j274 := held(274, "averyveryverylongjobname", late)
	j274.Comment, j274.Partition, j274.TimeLimit = "c x", "cloud", 90
	return []*Job{j274, j178, j77, j273, j272}
}

func init() { squeueFixtures["real272"] = fixtureReal272 }
