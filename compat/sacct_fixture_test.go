package compat

import "time"

// finished sets j's run from start to end with the final state and exit
// code, and gives it a batch step that ended in stepState with its own
// exit code and peak memory.
func finished(j *Job, submit, start, end time.Time, state string, code, sig int, stepState string, stepCode, stepSig int, rssKB int64) *Job {
	j.SubmitTime, j.EligibleTime, j.StartTime, j.EndTime = submit, submit, start, end
	j.State, j.ExitCode, j.ExitSignal = state, code, sig
	j.NodeList = "vm"
	j.Batch = &Step{Name: "batch", State: stepState, ExitCode: stepCode, Signal: stepSig,
		Start: start, End: end, MaxRSSKB: rssKB, NodeList: "vm", NumCPUs: j.NumCPUs}
	return j
}

// fixtureRef41 is REFERENCE.md §4.1's fresh database: 1 (echo ok), 2
// (exit 1), 3 (pending sleep 30) and 4 (held, never eligible).
func fixtureRef41() []*Job {
	j1 := finished(refJob(1, "wrap"), refTime(11, 32, 5), refTime(11, 32, 6), refTime(11, 32, 6),
		"COMPLETED", 0, 0, "COMPLETED", 0, 0, 1200)
	j2 := finished(refJob(2, "wrap"), refTime(11, 32, 5), refTime(11, 32, 6), refTime(11, 32, 6),
		"FAILED", 1, 0, "FAILED", 1, 0, 1200)
	j3 := pending(refJob(3, "sleeper"), refTime(11, 32, 10), "Priority", 4294901757)
	j4 := pending(refJob(4, "wrap"), refTime(11, 32, 10), "JobHeldUser", 0)
	j4.EligibleTime = time.Time{}
	return []*Job{j4, j3, j2, j1}
}

// fixtureRef4 holds the jobs REFERENCE.md §1 and §4 query with sacct:
// 26, 40, the array 45 (tasks 0-4 ran as 48-52, task 5 as 45), 55, 56,
// 68, 70, 91-97, 98 and 1459, with the times the outputs show.
func fixtureRef4() []*Job {
	var jobs []*Job
	add := func(j *Job) *Job { jobs = append(jobs, j); return j }

	j40 := add(finished(refJob(40, "long1"), refTime(11, 33, 24), refTime(11, 33, 24), refTime(11, 34, 30),
		"CANCELLED", 0, 0, "CANCELLED", 0, 15, 1000))
	j40.TimeLimit = 30
	for task, raw := range []uint32{48, 49, 50, 51, 52, 45} {
		j := add(finished(refJob(raw, "arr"), refTime(11, 33, 27), refTime(11, 34, 10), refTime(11, 34, 10),
			"COMPLETED", 0, 0, "COMPLETED", 0, 0, 1100))
		j.ArrayJobID, j.ArrayTaskID = 45, int64(task)
	}
	add(finished(refJob(55, "sleeper"), refTime(11, 34, 20), refTime(11, 34, 22), refTime(11, 34, 28),
		"CANCELLED", 0, 0, "CANCELLED", 0, 15, 1000))
	add(finished(refJob(56, "trapper"), refTime(11, 34, 20), refTime(11, 34, 22), refTime(11, 34, 28),
		"CANCELLED", 0, 0, "FAILED", 15, 0, 1000))
	for _, id := range []uint32{68, 70} {
		j := add(refJob(id, "wrap"))
		j.SubmitTime, j.EligibleTime, j.EndTime = refTime(11, 34, 48), refTime(11, 34, 48), refTime(11, 34, 48)
		j.State, j.ExitCode = "FAILED", 1
	}
	j26 := add(finished(refJob(26, "wrap"), refTime(11, 34, 0), refTime(11, 34, 5), refTime(11, 34, 5),
		"FAILED", 0, 53, "CANCELLED", 0, 53, 0))
	j26.WorkDir = "/nonexistent/dir"
	submit, start := refTime(11, 35, 35), refTime(11, 35, 36)
	j91 := add(finished(refJob(91, "timeout.sh"), submit, start, refTime(11, 37, 3), "TIMEOUT", 0, 0, "CANCELLED", 0, 9, 4836))
	j91.TimeLimit = 1
	j92 := add(finished(refJob(92, "wrap"), submit, start, refTime(11, 37, 3), "TIMEOUT", 0, 0, "CANCELLED", 0, 15, 3308))
	j92.TimeLimit = 1
	late := refTime(11, 37, 33)
	add(finished(refJob(93, "wrap"), submit, late, late, "FAILED", 1, 0, "FAILED", 1, 0, 1196))
	add(finished(refJob(94, "wrap"), submit, late, late, "FAILED", 2, 0, "FAILED", 2, 0, 3472))
	add(finished(refJob(95, "wrap"), submit, late, late, "FAILED", 0, 9, "CANCELLED", 0, 9, 1196))
	j96 := add(finished(refJob(96, "wrap"), submit, late, late, "OUT_OF_MEMORY", 0, 125, "OUT_OF_MEMORY", 0, 125, 1192))
	j96.MinMemoryMB, j96.MemPerCPU = 50, false
	add(finished(refJob(97, "wrap"), submit, refTime(11, 37, 36), refTime(11, 37, 36), "FAILED", 127, 0, "FAILED", 127, 0, 1196))
	j98 := add(running(refJob(98, "wrap"), refTime(11, 40, 0)))
	j98.State = "SUSPENDED"
	add(finished(refJob(1459, "wrap"), refTime(11, 47, 2), refTime(11, 47, 7), refTime(11, 47, 7),
		"FAILED", 0, 53, "CANCELLED", 0, 53, 0))
	for i, j := range jobs {
		j.Priority = uint32(4294901700 - i)
	}
	return jobs
}

// fixtureReal72 reproduces jobs 72, 73, 76, 77 and 78 submitted on the
// reference machine at 13:36:39 (see testdata/sacct/real_fields.golden).
func fixtureReal72() []*Job {
	at := func(m, s int) time.Time { return refTime(13, m, s) }
	mk := func(id uint32, name string) *Job {
		j := refJob(id, name)
		j.WorkDir = "/tmp/qref"
		return j
	}
	usage := func(j *Job, total, user, sys time.Duration) *Job {
		j.Batch.TotalCPU, j.Batch.UserCPU, j.Batch.SystemCPU = total, user, sys
		return j
	}
	ms := time.Millisecond
	j72 := usage(finished(mk(72, "ok"), at(36, 39), at(36, 58), at(36, 58), "COMPLETED", 0, 0, "COMPLETED", 0, 0, 1312), 14*ms, 8*ms, 5*ms)
	j72.Priority = 4294901726
	j73 := usage(finished(mk(73, "bad"), at(36, 39), at(36, 58), at(36, 58), "FAILED", 3, 0, "FAILED", 3, 0, 2900), 15*ms, 9*ms, 6*ms)
	j73.Priority = 4294901725
	j76 := mk(76, "wrap")
	j76.WorkDir, j76.MinMemoryMB, j76.MemPerCPU = "/tmp/sbx", 4096, false
	j76.SubmitTime, j76.EndTime, j76.State, j76.CancelledBy = at(36, 39), at(36, 39), "CANCELLED", 0
	j77 := pending(mk(77, "held"), at(36, 39), "JobHeldUser", 0)
	j77.EligibleTime = time.Time{}
	j78 := usage(finished(mk(78, "mem"), at(36, 39), at(37, 7), at(37, 9), "COMPLETED", 0, 0, "COMPLETED", 0, 0, 1188), 22*ms, 11*ms, 11*ms)
	j78.Priority, j78.MinMemoryMB, j78.MemPerCPU = 4294901722, 50, false
	return []*Job{j78, j77, j76, j73, j72}
}

// sacctFixtures maps golden fixture names to job sets.
var sacctFixtures = map[string]func() []*Job{
	"ref41":  fixtureRef41,
	"ref4":   fixtureRef4,
	"real72": fixtureReal72,
	"empty":  func() []*Job { return nil },
}
