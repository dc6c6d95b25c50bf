package compat

import (
	"slices"
	"testing"
)

// The task-end lines and exit statuses recorded on Slurm 22.05 (a -n2
// job's steps, srun -n3 -O outside a job).
func TestSrunTasksEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ends []TaskEnd
		msg  string
		rc   int
	}{
		{"all clean", []TaskEnd{{}, {}}, "", 0},
		{"each its code", []TaskEnd{{Code: 3}, {Code: 4}},
			"srun: error: vm: task 0: Exited with exit code 3\nsrun: error: vm: task 1: Exited with exit code 4\n", 4},
		{"one fails", []TaskEnd{{}, {Code: 5}}, "srun: error: vm: task 1: Exited with exit code 5\n", 5},
		{"alike share a line", []TaskEnd{{Code: 2}, {Code: 2}, {Code: 2}}, "srun: error: vm: tasks 0-2: Exited with exit code 2\n", 2},
		{"killed", []TaskEnd{{Signal: 9}, {Signal: 9}},
			"srun: error: vm: tasks 0-1: Killed\nsrun: Force Terminated StepId=7.0\n", 137},
		{"mixed", []TaskEnd{{Code: 1}, {Signal: 11, Core: true}, {Code: 1}},
			"srun: error: vm: tasks 0,2: Exited with exit code 1\nsrun: error: vm: task 1: Segmentation fault (core dumped)\n", 139},
	}
	for _, tt := range tests {
		msg, rc := SrunTasksEnd("vm", 7, 0, tt.ends)
		if msg != tt.msg || rc != tt.rc {
			t.Errorf("%s: got %q %d, want %q %d", tt.name, msg, rc, tt.msg, tt.rc)
		}
	}
	if msg, rc := SrunTaskEnd("vm", 7, 1, 0, 15, false); msg != "srun: error: vm: task 0: Terminated\nsrun: Force Terminated StepId=7.1\n" || rc != 143 {
		t.Errorf("one task killed: %q %d", msg, rc)
	}
}

func TestTaskRangeAndLabel(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ids  []int
		want string
	}{{[]int{1}, "task 1"}, {[]int{0, 1, 2}, "tasks 0-2"}, {[]int{0, 2, 3, 5}, "tasks 0,2-3,5"}} {
		if got := TaskRange(tt.ids); got != tt.want {
			t.Errorf("TaskRange(%v) = %q, want %q", tt.ids, got, tt.want)
		}
	}
	for _, tt := range []struct {
		id, n int
		want  string
	}{{0, 1, "0: "}, {1, 2, "1: "}, {0, 12, " 0: "}, {11, 12, "11: "}, {5, 101, "  5: "}} {
		if got := TaskLabel(tt.id, tt.n); got != tt.want {
			t.Errorf("TaskLabel(%d, %d) = %q, want %q", tt.id, tt.n, got, tt.want)
		}
	}
}

// A task of a two-task step in a batch job: what Slurm 22.05 sets (the
// recording of env | grep in each task).
func TestStepEnvTasks(t *testing.T) {
	t.Parallel()
	env := StepEnv(StepEnvInput{JobID: 9, StepID: 2, Node: "vm", NTasks: 2, TaskID: 1, CPUs: 2, InBatch: true, Umask: "0022"})
	for _, want := range []string{"SLURM_PROCID=1", "SLURM_LOCALID=1", "SLURM_NODEID=0", "SLURM_GTIDS=0,1",
		"SLURM_NTASKS=2", "SLURM_NPROCS=2", "SLURM_STEP_NUM_TASKS=2", "SLURM_STEP_TASKS_PER_NODE=2",
		"SLURM_DISTRIBUTION=block", "SLURM_STEP_ID=2", "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0=2"} {
		if !slices.Contains(env, want) {
			t.Errorf("missing %s in %q", want, env)
		}
	}
	one := StepEnv(StepEnvInput{JobID: 9, StepID: 0, Node: "vm", NTasks: 1, InBatch: true})
	if !slices.Contains(one, "SLURM_DISTRIBUTION=cyclic") || !slices.Contains(one, "SLURM_GTIDS=0") {
		t.Errorf("one task: %q", one)
	}
}
