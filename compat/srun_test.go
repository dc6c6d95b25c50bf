package compat

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSrunArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		cmd     []string
		check   func(o SrunOptions) bool
		wantErr string
		code    int
	}{
		{args: []string{"-n1", "--cpu-bind=q", "python", "-c", "x"}, cmd: []string{"python", "-c", "x"},
			check: func(o SrunOptions) bool { return o.NTasks == 1 && o.CPUBind == "q" }},
		{args: []string{"--unbuffered", "--output", "o-%s.txt", "--error=e", "--overlap", "--jobid", "77", "-J", "nm", "true"},
			cmd: []string{"true"},
			check: func(o SrunOptions) bool {
				return o.Unbuffered && o.Output == "o-%s.txt" && o.Error == "e" && o.Overlap && o.JobID == 77 && o.JobName == "nm"
			}},
		{args: []string{"-t", "5", "-p", "cloud", "--mem=2G", "sleep", "-n", "3"}, cmd: []string{"sleep", "-n", "3"},
			check: func(o SrunOptions) bool {
				return o.Submit.TimeLimit == 5 && o.Submit.Partition == "cloud" && o.Submit.MemMB == 2048 && o.NTasks == 0
			}},
		{args: []string{"--", "-weird"}, cmd: []string{"-weird"}},
		{args: nil, wantErr: "srun: fatal: No command given to execute.\n", code: 1},
		{args: []string{"-n", "abc", "true"}, wantErr: "srun: error: Invalid numeric value \"abc\" for --ntasks.\n", code: 1},
		{args: []string{"-n0", "true"}, wantErr: "srun: error: Invalid numeric value \"0\" for --ntasks.\n", code: 1},
		{args: []string{"-t", "xx", "true"}, wantErr: "srun: error: Invalid --time specification\n", code: 1},
		{args: []string{"--cpu-bind=bogus", "true"}, wantErr: "srun: error: unrecognized --cpu-bind argument \"bogus\"\nsrun: fatal: Failed to parse --cpu-bind= values.\n", code: 1},
		{args: []string{"--bogus", "true"}, wantErr: "srun: unrecognized option '--bogus'\nTry \"srun --help\" for more information\n", code: 255},
	} {
		o, err := ParseSrunArgs(tc.args)
		if tc.wantErr != "" {
			var ce *Error
			if !errors.As(err, &ce) || ce.Msg != tc.wantErr || ce.Code != tc.code {
				t.Errorf("%q: err = %v, want %q (exit %d)", tc.args, err, tc.wantErr, tc.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !slices.Equal(o.Command, tc.cmd) {
			t.Errorf("%q: command %q, want %q", tc.args, o.Command, tc.cmd)
		}
		if tc.check != nil && !tc.check(o) {
			t.Errorf("%q: options %+v", tc.args, o)
		}
	}
}

func TestSrunTaskEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, sig int
		core      bool
		msg       string
		status    int
	}{
		{0, 0, false, "", 0},
		{3, 0, false, "srun: error: vm: task 0: Exited with exit code 3\n", 3},
		{0, 9, false, "srun: error: vm: task 0: Killed\nsrun: Force Terminated StepId=5.1\n", 137},
		{0, 15, false, "srun: error: vm: task 0: Terminated\nsrun: Force Terminated StepId=5.1\n", 143},
		{0, 11, false, "srun: error: vm: task 0: Segmentation fault\n", 139},
		{0, 11, true, "srun: error: vm: task 0: Segmentation fault (core dumped)\n", 139},
		{0, 10, false, "srun: error: vm: task 0: User defined signal 1\n", 138},
		{0, 1, false, "srun: error: vm: task 0: Hangup\n", 129},
	} {
		msg, status := SrunTaskEnd("vm", 5, 1, tc.code, tc.sig, tc.core)
		if msg != tc.msg || status != tc.status {
			t.Errorf("(%d, %d): %q %d, want %q %d", tc.code, tc.sig, msg, status, tc.msg, tc.status)
		}
	}
	if got := StripForceTerminated("srun: error: vm: task 0: Terminated\nsrun: Force Terminated StepId=5.1\n"); got != "srun: error: vm: task 0: Terminated\n" {
		t.Errorf("StripForceTerminated = %q", got)
	}
}

func TestStepEnv(t *testing.T) {
	t.Parallel()
	env := StepEnv(StepEnvInput{JobID: 9, StepID: 2, Node: "vm", NTasks: 1, CPUs: 2, InBatch: true, Umask: "0022"})
	for _, want := range []string{"SLURM_STEP_ID=2", "SLURM_STEPID=2", "SLURM_PROCID=0", "SLURM_LOCALID=0",
		"SLURM_NODEID=0", "SLURM_NTASKS=1", "SLURM_STEP_NUM_TASKS=1", "SLURM_STEP_NODELIST=vm",
		"SLURM_DISTRIBUTION=cyclic", "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0=2", "SLURM_UMASK=0022", "SRUN_DEBUG=3"} {
		if !slices.Contains(env, want) {
			t.Errorf("StepEnv lacks %s: %q", want, env)
		}
	}
	if !slices.IsSorted(env) {
		t.Error("StepEnv is not sorted")
	}
	out := StepEnv(StepEnvInput{JobID: 9, Node: "vm"})
	if slices.ContainsFunc(out, func(s string) bool { return strings.HasPrefix(s, "SLURM_DISTRIBUTION=") }) {
		t.Error("srun's own allocation has no SLURM_DISTRIBUTION")
	}
	alloc := AllocEnv([]string{"ENVIRONMENT=BATCH", "HOSTNAME=vm", "SLURM_MEM_PER_CPU=1024", "SLURM_JOB_ID=9"}, false)
	if !slices.Equal(alloc, []string{"SLURM_JOB_ID=9"}) {
		t.Errorf("AllocEnv = %q", alloc)
	}
	at := time.Date(2026, 11, 27, 16, 53, 25, 0, time.UTC)
	if got := StepCancelledLine(7029, 0, "vm", "cancelled", at); got != "slurmstepd-vm: error: *** STEP 7029.0 ON vm CANCELLED AT 2026-11-27T16:53:25 ***\n" {
		t.Errorf("StepCancelledLine = %q", got)
	}
}

// TestSacctSteps renders a job with srun steps as sacct lists them: the
// job, .batch, then .0, .1 in order, -j N.1 picks one step, the job
// row's DerivedExitCode is the highest step's and its TotalCPU the sum.
func TestSacctSteps(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	start := now.Add(-time.Minute)
	j := &Job{JobID: 6733, ArrayTaskID: -1, Name: "wrap", Account: "root", Partition: "debug", State: "COMPLETED",
		SubmitTime: start, EligibleTime: start, StartTime: start, EndTime: now, NumCPUs: 1, NodeList: "vm",
		Batch: &Step{Name: "batch", State: "COMPLETED", Start: start, End: now, TotalCPU: 300 * time.Millisecond},
		Steps: []*Step{
			{ID: "0", Name: "env", State: "COMPLETED", Start: start, End: now, TotalCPU: 20 * time.Millisecond, Layout: "Cyclic"},
			{ID: "1", Name: "sh", State: "FAILED", ExitCode: 3, Start: start, End: now, TotalCPU: 20 * time.Millisecond, Layout: "Cyclic"},
			{ID: "2", Name: "sleep", State: "CANCELLED", Signal: 2, ByUser: true, Start: start, End: now},
		}}
	o, err := ParseSacctArgs([]string{"-j", "6733", "-P", "-o", "JobID,JobName,State,ExitCode,DerivedExitCode,TotalCPU,Layout"}, nil, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Sacct(&b, o, []*Job{j}, now); err != nil {
		t.Fatal(err)
	}
	want := "JobID|JobName|State|ExitCode|DerivedExitCode|TotalCPU|Layout\n" +
		"6733|wrap|COMPLETED|0:0|3:0|00:00.340|\n" +
		"6733.batch|batch|COMPLETED|0:0||00:00.300|Unknown\n" +
		"6733.0|env|COMPLETED|0:0||00:00.020|Cyclic\n" +
		"6733.1|sh|FAILED|3:0||00:00.020|Cyclic\n" +
		"6733.2|sleep|CANCELLED by 0|0:2||00:00:00|Unknown\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	o, _ = ParseSacctArgs([]string{"-j", "6733.1", "-P", "-n", "-o", "JobID,State"}, nil, now, nil)
	b.Reset()
	if err := Sacct(&b, o, []*Job{j}, now); err != nil {
		t.Fatal(err)
	}
	if b.String() != "6733.1|FAILED\n" {
		t.Errorf("-j 6733.1: %q", b.String())
	}
}

func FuzzParseSrunArgs(f *testing.F) {
	f.Add("-n1\x00--cpu-bind=q\x00python\x00-c\x00x")
	f.Add("--jobid=5\x00-o\x00%j-%s.out\x00true")
	f.Add("-t\x0010\x00--mem\x002G\x00--\x00-x")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		o, err := ParseSrunArgs(args)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Code == 0 || !strings.HasSuffix(ce.Msg, "\n") {
				t.Fatalf("%q: error %v is not a Slurm message", args, err)
			}
			return
		}
		if o.Show == "" && len(o.Command) == 0 {
			t.Fatalf("%q: accepted without a command", args)
		}
	})
}
