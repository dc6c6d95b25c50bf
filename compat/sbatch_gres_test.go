package compat

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// opts builds SubmitOptions with the given long options recorded.
func gresOpts(kv ...string) *SubmitOptions {
	o := &SubmitOptions{Extra: map[string]string{}, Given: map[string]bool{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Extra[kv[i]], o.Given[kv[i]] = kv[i+1], true
	}
	return o
}

// CheckGres answers as slurmctld does with GresTypes=gpu (checked
// against Slurm 22.05).
func TestCheckGres(t *testing.T) {
	t.Parallel()
	const invalid = "sbatch: error: Invalid generic resource (gres) specification\n"
	tests := []struct {
		kv      []string
		wantGPU bool
		err     string
	}{
		{nil, false, ""},
		{[]string{"gres", "gpu:1"}, true, ""},
		{[]string{"gres", "gpu"}, true, ""},
		{[]string{"gres", "gpu:tesla:2"}, true, ""},
		{[]string{"gres", "gpu:foo"}, true, ""},
		{[]string{"gres", "gpu:0"}, false, ""},
		{[]string{"gres", "none"}, false, ""},
		{[]string{"gres", "foo:1"}, false, invalid},
		{[]string{"gres", "gpu:1,mps:1"}, false, invalid},
		{[]string{"gpus", "0"}, false, ""},
		{[]string{"gpus", "1"}, true, ""},
		{[]string{"gpus-per-node", "1"}, true, ""},
		{[]string{"cpus-per-gpu", "2"}, true, ""},
		{[]string{"gpus-per-task", "1", "ntasks", "1"}, true, ""},
		{[]string{"gpus-per-task", "1"}, false, "sbatch: error: Failed to validate job spec. --gpus-per-task used " +
			"without either --gpus or -n/--ntasks is not allowed.\n" + invalid},
		{[]string{"ntasks-per-gpu", "1"}, false, "sbatch: error: gres_job_state_validate: --ntasks-per-tres needs " +
			"either a GRES GPU specification or a node/ntask specification\n" + invalid},
		{[]string{"ntasks-per-gpu", "1", "gpus", "1"}, true, ""},
		{[]string{"mem-per-gpu", "1024"}, false, "sbatch: error: Requested mem_per_tres=gres:gpu:1024 but did not request any GPU.\n" + invalid},
		{[]string{"mem-per-gpu", "1024", "gpus", "1"}, true, ""},
	}
	for _, tc := range tests {
		gpu, err := CheckGres(gresOpts(tc.kv...))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err || (err == nil && gpu != tc.wantGPU) {
			t.Errorf("CheckGres(%q) = %v, %q; want %v, %q", tc.kv, gpu, got, tc.wantGPU, tc.err)
		}
	}
}

func TestTestOnlyError(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available\n",
			"allocation failure: Requested node configuration is not available\n"},
		{"sbatch: error: invalid partition specified: x\nsbatch: error: Batch job submission failed: Invalid partition name specified\n",
			"sbatch: error: invalid partition specified: x\nallocation failure: Invalid partition name specified\n"},
		{"sbatch: error: Invalid generic resource (gres) specification\n", "sbatch: error: Invalid generic resource (gres) specification\n"},
	}
	for _, tc := range tests {
		if got := TestOnlyError(&Error{Msg: tc.in, Code: 1}); got.Msg != tc.want || got.Code != 1 {
			t.Errorf("TestOnlyError(%q) = %q (%d); want %q", tc.in, got.Msg, got.Code, tc.want)
		}
	}
}

func TestCheckExcludedNodes(t *testing.T) {
	t.Parallel()
	known := func(n string) bool { return n == "vm" || n == "n1" || n == "n2" }
	for list, ok := range map[string]bool{"vm": true, "n[1-2],vm": true, "othernode": false, "vm,n3": false, "n[1-3]": false} {
		err := CheckExcludedNodes(list, known)
		if (err == nil) != ok || (err != nil && err.Error() != "sbatch: error: Batch job submission failed: Invalid node name specified\n") {
			t.Errorf("CheckExcludedNodes(%q) = %v; want ok %v", list, err, ok)
		}
	}
}

// MailType and OverSubscribe print as scontrol show job does (checked
// against Slurm 22.05).
func TestMailTypeAndOverSubscribe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"END,FAIL": "END,FAIL", "fail,end": "END,FAIL", "ALL": "INVALID_DEPEND,BEGIN,END,FAIL,REQUEUE,STAGE_OUT",
		"TIME_LIMIT_90,BEGIN": "BEGIN,TIME_LIMIT_90", "TIME_LIMIT,TIME_LIMIT_80,TIME_LIMIT_50": "TIME_LIMIT_50,TIME_LIMIT_80,TIME_LIMIT",
		"ARRAY_TASKS,END": "ARRAY_TASKS,END", "NONE": "", "NONE,END": "", "foo,END": "END",
	} {
		if got := MailType(in); got != want {
			t.Errorf("MailType(%q) = %q; want %q", in, got, want)
		}
	}
	g := func(k ...string) map[string]bool {
		m := map[string]bool{}
		for _, x := range k {
			m[x] = true
		}
		return m
	}
	for _, tc := range []struct {
		given map[string]bool
		val   string
		want  string
	}{
		{g(), "", ""}, {g("exclusive"), "", "NO"}, {g("exclusive"), "user", "USER"}, {g("exclusive"), "mcs", "MCS"},
		{g("exclusive"), "oversubscribe", "YES"}, {g("oversubscribe"), "", "YES"},
	} {
		if got := OverSubscribe(tc.given, tc.val); got != tc.want {
			t.Errorf("OverSubscribe(%v, %q) = %q; want %q", tc.given, tc.val, got, tc.want)
		}
	}
}

// scontrol show job prints MailUser/MailType after Power= only when a
// mail type is set, and the job's OverSubscribe.
func TestShowJobMailAndOverSubscribe(t *testing.T) {
	t.Parallel()
	j := &Job{JobID: 5, Name: "wrap", State: "PENDING", Reason: "JobHeldUser", MailType: "END,FAIL",
		MailUser: "someone@example.org", OverSubscribe: "NO", NumNodes: 1, NumCPUs: 1, NumTasks: 1, CPUsPerTask: 1}
	var b strings.Builder
	if err := ScontrolShowJob(&b, []*Job{j}, false, 0, refTime(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !slices.Contains(lines, "   OverSubscribe=NO Contiguous=0 Licenses=(null) Network=(null)") ||
		!slices.Contains(lines, "   MailUser=someone@example.org MailType=END,FAIL") {
		t.Errorf("show job:\n%s", b.String())
	}
	if !strings.HasSuffix(b.String(), "   Power=\n   MailUser=someone@example.org MailType=END,FAIL\n   \n\n") {
		t.Errorf("record end: %q", b.String()[max(0, b.Len()-80):])
	}
}

// A job with no name variable (a script from stdin without -J) gets no
// SLURM_JOB_NAME, as from sbatch.
func TestJobEnvNoName(t *testing.T) {
	t.Parallel()
	in := refEnvInput()
	in.JobName = ""
	for _, e := range JobEnv(in) {
		if strings.HasPrefix(e, "SLURM_JOB_NAME=") {
			t.Errorf("JobEnv has %s", e)
		}
	}
}

// sacct's ExitCode keeps 7 bits of an exit code, as slurmdbd's record
// does: exit 200 reads 72:0, exit 143 15:0 (checked on Slurm 22.05).
func TestSacctExitCodeBits(t *testing.T) {
	t.Parallel()
	now := refTime(11, 38, 30)
	j := &Job{JobID: 7, ArrayTaskID: -1, Name: "wrap", User: "root", Account: "root", Partition: "debug", State: "FAILED",
		ExitCode: 200, SubmitTime: now.Add(-time.Minute), StartTime: now.Add(-time.Minute), EndTime: now.Add(-time.Second),
		NumNodes: 1, NumCPUs: 1, NodeList: "vm",
		Batch: &Step{Name: "batch", State: "FAILED", ExitCode: 143, Start: now.Add(-time.Minute), End: now.Add(-time.Second)}}
	out, errOut, _ := runSacct(t, []string{"-P", "-n", "-j", "7", "-o", "jobid,exitcode"}, nil, []*Job{j}, 0, now)
	if want := "7|72:0\n7.batch|15:0\n"; out != want || errOut != "" {
		t.Errorf("sacct: %q (stderr %q); want %q", out, errOut, want)
	}
}
