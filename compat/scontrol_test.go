package compat

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// scontrolErrText returns the stderr text and exit code of a parse error.
func scontrolErrText(t *testing.T, err error) (string, int) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	return ce.Msg, ce.Code
}

func TestParseScontrolArgsCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  string
		env   []string
		check func(t *testing.T, r ScontrolRequest)
	}{
		{"sho job 1102", nil, func(t *testing.T, r ScontrolRequest) {
			want := ScontrolJobQuery{JobID: 1102, Task: -1, HetOffset: -1, Spec: "1102"}
			if r.Command != ScontrolCmdShow || r.Entity != "job" || r.ShowJob != want {
				t.Errorf("got %+v", r)
			}
		}},
		{"SHOW JOB 45_3", nil, func(t *testing.T, r ScontrolRequest) {
			if r.ShowJob.JobID != 45 || r.ShowJob.Task != 3 || r.ShowJob.All {
				t.Errorf("got %+v", r.ShowJob)
			}
		}},
		{"show j", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Entity != "job" || !r.ShowJob.All || r.ShowJob.Task != -1 {
				t.Errorf("got %+v", r)
			}
		}},
		{"show jobid=5", nil, func(t *testing.T, r ScontrolRequest) {
			if r.ShowJob.JobID != 5 || r.ShowJob.All {
				t.Errorf("got %+v", r.ShowJob)
			}
		}},
		{"show job 0", nil, func(t *testing.T, r ScontrolRequest) {
			if !r.ShowJob.All || r.ShowJob.Spec != "0" {
				t.Errorf("show job 0 must select every job: %+v", r.ShowJob)
			}
		}},
		{"show job 7+1", nil, func(t *testing.T, r ScontrolRequest) {
			if r.ShowJob.JobID != 7 || r.ShowJob.HetOffset != 1 {
				t.Errorf("got %+v", r.ShowJob)
			}
		}},
		{"show pa", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Entity != "partition" || r.HasName {
				t.Errorf("got %+v", r)
			}
		}},
		{"show partition=debug", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Entity != "partition" || r.Name != "debug" || !r.HasName {
				t.Errorf("got %+v", r)
			}
		}},
		{"show n vm", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Entity != "node" || r.Name != "vm" {
				t.Errorf("got %+v", r)
			}
		}},
		{"show c", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Entity != "config" {
				t.Errorf("got %+v", r)
			}
		}},
		{"show hostnames", []string{"SLURM_NODELIST=n[1-2],x"}, func(t *testing.T, r ScontrolRequest) {
			if r.Show != "n1\nn2\nx\n" {
				t.Errorf("Show = %q", r.Show)
			}
		}},
		{"show hostnames", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != "" || r.ShowErr != "scontrol: error: host list is empty\n" || r.ShowCode != 0 {
				t.Errorf("got %+v", r)
			}
		}},
		{"show hostlistsorted n3,n1,n2", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != "n[1-3]\n" {
				t.Errorf("Show = %q", r.Show)
			}
		}},
		{"-dd -o show job 1102", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Details != 1 || !r.OneLiner {
				t.Errorf("-dd must be one detail level, -o one-liner: %+v", r)
			}
		}},
		{"show job 1102 -o", nil, func(t *testing.T, r ScontrolRequest) {
			if !r.OneLiner || r.ShowJob.JobID != 1102 {
				t.Errorf("getopt must permute -o: %+v", r)
			}
		}},
		{"--details --hide show job", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Details != 0 {
				t.Errorf("--hide must reset details: %+v", r)
			}
		}},
		{"-u nobody -M refcluster -Q -v show job 1", nil, func(t *testing.T, r ScontrolRequest) {
			if r.UID != "nobody" || !r.Quiet || r.Verbose != 1 {
				t.Errorf("got %+v", r)
			}
		}},
		{"", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdInteractive {
				t.Errorf("got %+v", r)
			}
		}},
		{"-o", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdInteractive || !r.OneLiner {
				t.Errorf("got %+v", r)
			}
		}},
		{"ping", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdPing {
				t.Errorf("got %+v", r)
			}
		}},
		{"vers", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != SlurmVersionLine {
				t.Errorf("got %+v", r)
			}
		}},
		{"-v version", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != SlurmVersionLine+scontrolAPIVersionLine {
				t.Errorf("got %q", r.Show)
			}
		}},
		{"-h", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != scontrolHelpText {
				t.Errorf("got %q", r.Show)
			}
		}},
		{"--usage", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Show != scontrolHelpText {
				t.Errorf("got %q", r.Show)
			}
		}},
		{"write batch_script 5", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdWriteScript || r.ScriptJob != 5 || r.ScriptFile != "slurm-5.sh" || !r.HasScriptJob {
				t.Errorf("got %+v", r)
			}
		}},
		{"write batch 2433 -", nil, func(t *testing.T, r ScontrolRequest) {
			if r.ScriptJob != 2433 || r.ScriptFile != "-" {
				t.Errorf("got %+v", r)
			}
		}},
		{"write batch_script abc out.sh", nil, func(t *testing.T, r ScontrolRequest) {
			if r.ScriptJob != 0 || !r.HasScriptJob || r.ScriptFile != "out.sh" {
				t.Errorf("atoll(abc) is job 0: %+v", r)
			}
		}},
		{"write batch_script", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdWriteScript || r.HasScriptJob {
				t.Errorf("Slurm does nothing here: %+v", r)
			}
		}},
		{"oneliner", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdSet || !r.OneLiner {
				t.Errorf("got %+v", r)
			}
		}},
		{"quit", nil, func(t *testing.T, r ScontrolRequest) {
			if r.Command != ScontrolCmdExit {
				t.Errorf("got %+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			r, err := ParseScontrolArgs(strings.Fields(tt.args), tt.env)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			tt.check(t, r)
			checkScontrolJSON(t, r)
		})
	}
}

// checkScontrolJSON checks that r survives the trip to the daemon.
func checkScontrolJSON(t *testing.T, r ScontrolRequest) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back ScontrolRequest
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("request changed over JSON:\n%+v\n%+v", r, back)
	}
}

func TestParseScontrolArgsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args string
		msg  string
		code int
	}{
		{"s job 1102", "invalid keyword: s\n", 1},
		{"sh job 1102", "invalid keyword: sh\n", 1},
		{"re 99999", "invalid keyword: re\n", 1},
		{"requeueh 99999", "invalid keyword: requeueh\n", 1},
		{"show p", "invalid entity:p for keyword:show \n", 1},
		{"show configuration", "invalid entity:configuration for keyword:show \n", 1},
		{"show pi", "invalid entity:pi for keyword:show \n", 1},
		{"-Q show bogus", "", 1},
		{"show job 1102abc", "scontrol_print_job error: Invalid job id specified\n", 1},
		{"show job 1102.batch", "scontrol_print_job error: Invalid job id specified\n", 1},
		{"-Q show job abc", "", 1},
		{"hold", "too few arguments for keyword:hold\n", 1},
		{"-Q hold", "", 1},
		{"requeue", "too few arguments for keyword:requeue\n", 1},
		{"ping x", "too many arguments for keyword:ping\n", 1},
		{"update", "too few arguments for update keyword\n", 1},
		{"write", "too few arguments for keyword:write\n", 1},
		{"--ver", "scontrol: option '--ver' is ambiguous; possibilities: '--verbose' '--version'\n" +
			"Try \"scontrol --help\" for more information\n", 1},
		{"--h", "scontrol: option '--h' is ambiguous; possibilities: '--help' '--hide'\n" +
			"Try \"scontrol --help\" for more information\n", 1},
		{"shutdown", "scontrol: error: shutdown is not supported by Sky Port\n", 1},
		{"write config", "scontrol: error: write config is not supported by Sky Port\n", 1},
		{"update stepid=1.0 timelimit=5", "scontrol: error: step updates are not supported by Sky Port\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			_, err := ParseScontrolArgs(strings.Fields(tt.args), nil)
			if err == nil {
				t.Fatal("expected an error")
			}
			msg, code := scontrolErrText(t, err)
			if msg != tt.msg || code != tt.code {
				t.Errorf("got %q exit %d, want %q exit %d", msg, code, tt.msg, tt.code)
			}
		})
	}
}

func TestParseScontrolJobCommands(t *testing.T) {
	t.Parallel()
	tgt := func(spec string, id uint32, taskSpec string) ScontrolJobTarget {
		return ScontrolJobTarget{Spec: spec, JobID: id, TaskSpec: taskSpec}
	}
	tests := []struct {
		args    []string
		command string
		jobs    []ScontrolJobArg
		special bool
	}{
		{[]string{"hold", "42"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "42", Targets: []ScontrolJobTarget{tgt("42", 42, "")}}}, false},
		{[]string{"holdxyz", "42"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "42", Targets: []ScontrolJobTarget{tgt("42", 42, "")}}}, false},
		{[]string{"holdu", "43"}, ScontrolCmdUHold, []ScontrolJobArg{{Arg: "43", Targets: []ScontrolJobTarget{tgt("43", 43, "")}}}, false},
		{[]string{"UHOLD", "JobID=43"}, ScontrolCmdUHold, []ScontrolJobArg{{Arg: "43", Targets: []ScontrolJobTarget{tgt("43", 43, "")}}}, false},
		{[]string{"rel", "job=43"}, ScontrolCmdRelease, []ScontrolJobArg{{Arg: "43", Targets: []ScontrolJobTarget{tgt("43", 43, "")}}}, false},
		{[]string{"hold", "abc"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "abc", Invalid: true}}, false},
		{[]string{"hold", "99999,abc"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999,abc", Invalid: true}}, false},
		{[]string{"hold", "1-2"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "1-2", Invalid: true}}, false},
		{[]string{"hold", "99999_1_2"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999_1_2", Invalid: true}}, false},
		{[]string{"hold", "99999_[1-2"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999_[1-2", Invalid: true}}, false},
		{[]string{"hold", "Name=x", "99999"}, ScontrolCmdHold, []ScontrolJobArg{
			{Arg: "Name=x", Name: "x", HasName: true},
			{Arg: "99999", Targets: []ScontrolJobTarget{tgt("99999", 99999, "")}},
		}, false},
		{[]string{"hold", "99999,99998"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999,99998",
			Targets: []ScontrolJobTarget{tgt("99999", 99999, ""), tgt("99998", 99998, "")}}}, false},
		{[]string{"hold", ",99999,"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: ",99999,",
			Targets: []ScontrolJobTarget{tgt("99999", 99999, "")}}}, false},
		{[]string{"hold", "[99998-99999]"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "[99998-99999]",
			Targets: []ScontrolJobTarget{tgt("99998", 99998, ""), tgt("99999", 99999, "")}}}, false},
		{[]string{"hold", "99999_[1-2]"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999_[1-2]",
			Targets: []ScontrolJobTarget{tgt("99999_1-2", 99999, "1-2")}}}, false},
		{[]string{"hold", "99999_1"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999_1",
			Targets: []ScontrolJobTarget{tgt("99999_1", 99999, "1")}}}, false},
		{[]string{"hold", "99999_"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "99999_",
			Targets: []ScontrolJobTarget{tgt("99999_", 0, "")}}}, false},
		{[]string{"hold", "4294967296"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "4294967296",
			Targets: []ScontrolJobTarget{tgt("4294967296", 0, "")}}}, false},
		{[]string{"hold", ""}, ScontrolCmdHold, []ScontrolJobArg{{Arg: ""}}, false},
		{[]string{"hold", "[2-1]"}, ScontrolCmdHold, []ScontrolJobArg{{Arg: "[2-1]",
			Warning: "scontrol: error: _parse_single_range: Invalid range: `2-1'\nscontrol: error: Invalid job id: [2-1]\n"}}, false},
		{[]string{"requeue", "state=se", "99999"}, ScontrolCmdRequeue, []ScontrolJobArg{{Arg: "99999",
			Targets: []ScontrolJobTarget{tgt("99999", 99999, "")}}}, true},
		{[]string{"requeue", "state=se"}, ScontrolCmdRequeue, nil, true},
		{[]string{"requeue", "jobid=99999"}, ScontrolCmdRequeue, []ScontrolJobArg{{Arg: "99999",
			Targets: []ScontrolJobTarget{tgt("99999", 99999, "")}}}, false},
		{[]string{"requeuehold", "jobid=99999"}, ScontrolCmdRequeueHold, []ScontrolJobArg{{Arg: "jobid=99999", Invalid: true}}, false},
		{[]string{"requeueholdx", "1"}, ScontrolCmdRequeueHold, []ScontrolJobArg{{Arg: "1",
			Targets: []ScontrolJobTarget{tgt("1", 1, "")}}}, false},
		{[]string{"su", "jobid=98"}, ScontrolCmdSuspend, []ScontrolJobArg{{Arg: "98",
			Targets: []ScontrolJobTarget{tgt("98", 98, "")}}}, false},
		{[]string{"res", "98"}, ScontrolCmdResume, []ScontrolJobArg{{Arg: "98",
			Targets: []ScontrolJobTarget{tgt("98", 98, "")}}}, false},
		{[]string{"resume", "[1-2]"}, ScontrolCmdResume, []ScontrolJobArg{{Arg: "[1-2]",
			Targets: []ScontrolJobTarget{tgt("1", 1, ""), tgt("2", 2, "")}}}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r, err := ParseScontrolArgs(tt.args, nil)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if r.Command != tt.command || r.SpecialExit != tt.special {
				t.Errorf("command %q special %v, want %q %v", r.Command, r.SpecialExit, tt.command, tt.special)
			}
			if !reflect.DeepEqual(r.Jobs, tt.jobs) {
				t.Errorf("jobs\n got %+v\nwant %+v", r.Jobs, tt.jobs)
			}
			checkScontrolJSON(t, r)
		})
	}
}

func TestScontrolSplitLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want []string
	}{
		{"show job 42", []string{"show", "job", "42"}},
		{"  update  jobid=42\tcomment=\"a b\"  ", []string{"update", "jobid=42", "comment=\"a b\""}},
		{"update jobid=42 comment='x y' name=z", []string{"update", "jobid=42", "comment='x y'", "name=z"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := ScontrolSplitLine(tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ScontrolSplitLine(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseScontrolCommandInteractive(t *testing.T) {
	t.Parallel()
	base := ScontrolRequest{Command: ScontrolCmdInteractive}
	r, err := ParseScontrolCommand(ScontrolSplitLine("oneliner"), base, nil)
	if err != nil || !r.OneLiner {
		t.Fatalf("oneliner: %+v %v", r, err)
	}
	r, err = ParseScontrolCommand(ScontrolSplitLine("show job 5"), r, nil)
	if err != nil || !r.OneLiner || r.ShowJob.JobID != 5 {
		t.Fatalf("the flags must carry over: %+v %v", r, err)
	}
	if _, err := ParseScontrolCommand(nil, base, nil); err == nil {
		t.Error("an empty line must be an error")
	}
}

func FuzzParseScontrolArgs(f *testing.F) {
	for _, s := range []string{
		"show job 42", "-o show job 45_3", "show partition debug", "hold 1,2 3_[1-4] [5-6]",
		"update jobid=42 timelimit=+5 name=x partition=cloud", "update nodename=vm state=drain reason=x",
		"update partitionname=cloud state=down", "requeue state=se 5", "write batch_script 4 -",
		"show hostnames n[1-3]", "update jobid 42 nice", "-dd show node", "hold [2-1],5",
		"update jobid=1 admincomment+=x timelimit-=3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		r, err := ParseScontrolArgs(args, []string{"SLURM_NODELIST=n[1-2]"})
		if err != nil {
			var ce *Error
			var ue *UsageError
			if !errors.As(err, &ce) && !errors.As(err, &ue) {
				t.Fatalf("error %T %v is neither *Error nor *UsageError", err, err)
			}
			if ce != nil && ce.Code == 0 {
				t.Fatalf("error with exit code 0: %v", err)
			}
			return
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back ScontrolRequest
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Jobs {
			for _, tg := range a.Targets {
				if tg.Spec == "" {
					t.Fatalf("target without a spec in %q", line)
				}
			}
		}
	})
}

func TestScontrolJobTargetIncludesTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		in   []int64
		out  []int64
	}{
		{"", []int64{0, 7}, nil},
		{"1-3", []int64{1, 2, 3}, []int64{0, 4}},
		{"1,5", []int64{1, 5}, []int64{2}},
		{"0-9:2", []int64{0, 4, 8}, []int64{1, 9, 10}},
		{"0-999999999", []int64{999999999}, []int64{1000000000}},
	}
	for _, tt := range tests {
		tg := ScontrolJobTarget{Spec: "45_" + tt.spec, JobID: 45, TaskSpec: tt.spec}
		for _, n := range tt.in {
			if !tg.IncludesTask(n) {
				t.Errorf("%q must include %d", tt.spec, n)
			}
		}
		for _, n := range tt.out {
			if tg.IncludesTask(n) {
				t.Errorf("%q must not include %d", tt.spec, n)
			}
		}
		if tg.HasTasks() != (tt.spec != "") {
			t.Errorf("%q: HasTasks %v", tt.spec, tg.HasTasks())
		}
	}
	for _, bad := range []string{"45_", "45_[]", "45_3-1", "45_[1-2,]"} {
		r, err := ParseScontrolArgs([]string{"hold", bad}, nil)
		if err != nil || len(r.Jobs) != 1 || len(r.Jobs[0].Targets) != 1 || r.Jobs[0].Targets[0].JobID != 0 {
			t.Errorf("hold %s: want one target with job id 0, got %+v %v", bad, r.Jobs, err)
		}
	}
	for _, bad := range []string{"45_x", "45_1-2:2"} { // not a job list for Slurm's _is_job_id
		r, err := ParseScontrolArgs([]string{"hold", bad}, nil)
		if err != nil || len(r.Jobs) != 1 || !r.Jobs[0].Invalid {
			t.Errorf("hold %s: want an invalid operand, got %+v %v", bad, r.Jobs, err)
		}
	}
}
