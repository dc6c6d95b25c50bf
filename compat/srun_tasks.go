package compat

import (
	"strconv"
	"strings"
)

// TaskEnd is how one task of an srun step ended: its exit code, or the
// signal that killed it (Core: it dumped core).
type TaskEnd struct {
	Code, Signal int
	Core         bool
}

// SrunTasksEnd is what srun prints on stderr when the tasks of step
// jobID.stepID on node have ended (ends[i] is task i), and srun's exit
// status: the highest of the tasks' statuses (the code, or 128+signal).
// Tasks that ended alike share a line, with their ids as a range list
// ("task 1", "tasks 0-2", "tasks 0,2"), lowest task first; a clean exit
// prints nothing. A task killed by SIGKILL or SIGTERM adds srun's "Force
// Terminated" line after the others. (Recorded on Slurm 22.05: "srun:
// error: vm: tasks 0-1: Killed", "srun: error: vm: task 1: Exited with
// exit code 5", with rc 137 and 5.)
func SrunTasksEnd(node string, jobID, stepID uint32, ends []TaskEnd) (string, int) {
	var b strings.Builder
	rc, force := 0, false
	done := make([]bool, len(ends))
	for i, e := range ends {
		status := e.Code
		if e.Signal != 0 {
			status = 128 + e.Signal
			force = force || e.Signal == 9 || e.Signal == 15
		}
		rc = max(rc, status)
		if done[i] || (e.Code == 0 && e.Signal == 0) {
			continue
		}
		var ids []int
		for k := i; k < len(ends); k++ {
			if !done[k] && ends[k] == e {
				done[k] = true
				ids = append(ids, k)
			}
		}
		b.WriteString("srun: error: " + node + ": ")
		b.WriteString(TaskRange(ids))
		if e.Signal != 0 {
			b.WriteString(": " + SignalName(e.Signal))
			if e.Core {
				b.WriteString(" (core dumped)")
			}
		} else {
			b.WriteString(": Exited with exit code " + strconv.Itoa(e.Code))
		}
		b.WriteByte('\n')
	}
	if force {
		b.WriteString("srun: Force Terminated StepId=" + strconv.FormatUint(uint64(jobID), 10) + "." +
			strconv.FormatUint(uint64(stepID), 10) + "\n")
	}
	return b.String(), rc
}

// TaskRange words a set of task ids as srun does: "task 3", or "tasks "
// and a range list ("0-2,5") of ids given in ascending order.
func TaskRange(ids []int) string {
	if len(ids) == 1 {
		return "task " + strconv.Itoa(ids[0])
	}
	var b strings.Builder
	b.WriteString("tasks ")
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ids[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(ids[j]))
		}
		i = j + 1
	}
	return b.String()
}

// TaskLabel is the prefix srun -l puts before each line of task id of a
// step of ntasks tasks: the id right-aligned to the width of the highest
// id, then ": " ("0: ", " 3: " with 12 tasks).
func TaskLabel(id, ntasks int) string {
	w := len(strconv.Itoa(max(ntasks-1, 0)))
	s := strconv.Itoa(id)
	return strings.Repeat(" ", max(w-len(s), 0)) + s + ": "
}
