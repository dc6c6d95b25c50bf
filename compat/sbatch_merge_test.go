package compat

import (
	"errors"
	"reflect"
	"testing"
)

// mergeScript runs the whole option pipeline of one submission.
func mergeScript(t *testing.T, cli []string, env []string, script string) (SubmitOptions, string, error) {
	t.Helper()
	o, _, _, err := ParseSbatchArgs(cli)
	if err != nil {
		t.Fatalf("ParseSbatchArgs(%q): %v", cli, err)
	}
	if err := ValidateScript([]byte(script)); err != nil {
		t.Fatalf("ValidateScript: %v", err)
	}
	dirs, warn, err := ParseDirectives([]byte(script), "job.sh")
	if err != nil {
		return SubmitOptions{}, warn, err
	}
	m, err := MergeOptions(o, env, dirs)
	return m, warn, err
}

// REFERENCE §1.11.
const directivesScript = "#!/bin/bash\n#SBATCH --job-name=fromdirective\n#SBATCH -t 00:05:00\n#SBATCH -p cloud\n" +
	"#SBATCH --output=dir-%x-%j.out\n#SBATCH -c 1\necho \"name=$SLURM_JOB_NAME\"\n#SBATCH -J ignored-after-first-command\n"

func TestMergeOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cli    []string
		env    []string
		script string
		want   SubmitOptions
	}{
		{"reference directives", nil, nil, directivesScript,
			SubmitOptions{JobName: "fromdirective", TimeLimit: 5, Partition: "cloud", Output: "dir-%x-%j.out", CPUsPerTask: 1,
				Given: given("job-name", "time", "partition", "output", "cpus-per-task")}},
		{"reference command line wins", []string{"-J", "fromcli", "-p", "debug", "-c", "2"}, nil, directivesScript,
			SubmitOptions{JobName: "fromcli", TimeLimit: 5, Partition: "debug", Output: "dir-%x-%j.out", CPUsPerTask: 2,
				Given: given("job-name", "time", "partition", "output", "cpus-per-task")}},
		{"variables beat directives", nil, []string{"SBATCH_JOB_NAME=envname", "SBATCH_PARTITION=debug", "SBATCH_TIMELIMIT=1:00:00"},
			directivesScript,
			SubmitOptions{JobName: "envname", TimeLimit: 60, Partition: "debug", Output: "dir-%x-%j.out", CPUsPerTask: 1,
				Given: given("job-name", "time", "partition", "output", "cpus-per-task")}},
		{"command line beats variables", []string{"-J", "cli"}, []string{"SBATCH_JOB_NAME=envname"}, "#!/bin/sh\n",
			SubmitOptions{JobName: "cli", Given: given("job-name")}},
		{"empty variable", nil, []string{"SBATCH_JOB_NAME="}, "#!/bin/sh\n#SBATCH -J fromdir\n",
			SubmitOptions{Given: given("job-name")}},
		{"flag variable on", nil, []string{"SBATCH_NO_REQUEUE=yes", "SBATCH_OVERCOMMIT=", "SBATCH_WAIT=-1", "SBATCH_SPREAD_JOB= 1"},
			"#!/bin/sh\n#SBATCH --requeue\n",
			SubmitOptions{Extra: map[string]string{"no-requeue": "", "overcommit": "", "wait": "", "spread-job": ""},
				Given: given("no-requeue", "overcommit", "wait", "spread-job")}},
		{"flag variable off", nil, []string{"SBATCH_NO_REQUEUE=0", "SBATCH_OVERCOMMIT=no", "SBATCH_WAIT=abc"}, "#!/bin/sh\n",
			SubmitOptions{}},
		{"requeue back on the command line", []string{"--requeue"}, []string{"SBATCH_NO_REQUEUE=1"}, "#!/bin/sh\n",
			SubmitOptions{Extra: map[string]string{"requeue": ""}, Given: given("requeue")}},
		{"optional-argument variable", nil, []string{"SBATCH_EXCLUSIVE=", "SBATCH_GET_USER_ENV=10L"}, "#!/bin/sh\n",
			SubmitOptions{Extra: map[string]string{"exclusive": "", "get-user-env": "10L"}, Given: given("exclusive", "get-user-env")}},
		{"command-line-only options are ignored in scripts", nil, nil,
			"#!/bin/sh\n#SBATCH --wrap=true --help -V --usage -v -Q\n", SubmitOptions{}},
		{"value on the next line", nil, nil, "#!/bin/sh\n#SBATCH -t\n#SBATCH 5\n",
			SubmitOptions{TimeLimit: 5, Given: given("time")}},
		{"last directive wins", nil, nil, "#!/bin/sh\n#SBATCH --mem=1G\n#SBATCH --mem=2G\n",
			SubmitOptions{MemMB: 2048, Given: given("mem")}},
		{"variable memory yields to the command line", []string{"--mem-per-cpu=1G"}, []string{"SBATCH_MEM_PER_NODE=1G"}, "#!/bin/sh\n",
			SubmitOptions{MemPerCPUMB: 1024, Given: given("mem-per-cpu")}},
		{"variable memory yields to a directive", nil, []string{"SBATCH_MEM_PER_CPU=1G"}, "#!/bin/sh\n#SBATCH --mem=2G\n",
			SubmitOptions{MemMB: 2048, Given: given("mem")}},
		{"one variable memory", nil, []string{"SBATCH_MEM_PER_NODE=1G"}, "#!/bin/sh\n",
			SubmitOptions{MemMB: 1024, Given: given("mem")}},
		{"clusters from SLURM_CLUSTERS", nil, []string{"SLURM_CLUSTERS=c1"}, "#!/bin/sh\n",
			SubmitOptions{Extra: map[string]string{"clusters": "c1"}, Given: given("clusters")}},
		{"wrap stays on the command line", []string{"--wrap=true", "-J", "x"}, nil, "#!/bin/sh\n",
			SubmitOptions{Wrap: "true", JobName: "x", Given: given("wrap", "job-name")}},
		{"trailing hetjob", nil, nil, "#!/bin/sh\n#SBATCH -J b hetjob\n",
			SubmitOptions{JobName: "b", Given: given("job-name")}},
	}
	for _, tc := range tests {
		got, _, err := mergeScript(t, tc.cli, tc.env, tc.script)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestMergeOptionsErrors(t *testing.T) {
	t.Parallel()
	const try = "Try \"sbatch --help\" for more information\n"
	const memFatal = "sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.\n"
	tests := []struct {
		name   string
		cli    []string
		env    []string
		script string
		want   string
		code   int
	}{
		// All checked against sbatch 22.05.8.
		{"operand", nil, nil, "#!/bin/sh\n#SBATCH -J a b\ntrue\n", "sbatch: error: Invalid directive found in batch script: b\n", 255},
		{"SBATCHX", nil, nil, "#!/bin/sh\n#SBATCHX --comment=x\n", "sbatch: error: Invalid directive found in batch script: X\n", 255},
		{"escaped space", nil, nil, "#!/bin/sh\n#SBATCH --comment=a\\ b\n", "sbatch: error: Invalid directive found in batch script: b\n", 255},
		{"wrap in a directive", nil, nil, "#!/bin/sh\n#SBATCH --wrap=echo hi\n", "sbatch: error: Invalid directive found in batch script: hi\n", 255},
		{"missing argument", nil, nil, "#!/bin/sh\n#SBATCH -J\ntrue\n", "sbatch: option requires an argument -- 'J'\n" + try, 255},
		{"empty word ends the line", nil, nil, "#!/bin/sh\n#SBATCH -J \"\" -t 5\n", "sbatch: option requires an argument -- 'J'\n" + try, 255},
		{"unknown long", nil, nil, "#!/bin/sh\n#SBATCH --foo\ntrue\n", "sbatch: unrecognized option '--foo'\n" + try, 255},
		{"unknown short", nil, nil, "#!/bin/sh\n#SBATCH -Z\ntrue\n", "sbatch: invalid option -- 'Z'\n" + try, 255},
		{"bad time", nil, nil, "#!/bin/sh\n#SBATCH -t abc\n#SBATCH --foo\n", "sbatch: error: Invalid --time specification\n", 255},
		{"bad variable", nil, []string{"SBATCH_TIMELIMIT=abc"}, "#!/bin/sh\n", "sbatch: error: Invalid --time specification\n", 255},
		{"bad variable under the command line", []string{"-t", "5"}, []string{"SBATCH_TIMELIMIT=abc"}, "#!/bin/sh\n",
			"sbatch: error: Invalid --time specification\n", 255},
		{"directives before variables", nil, []string{"SBATCH_TIMELIMIT=abc"}, "#!/bin/sh\n#SBATCH --foo\n",
			"sbatch: unrecognized option '--foo'\n" + try, 255},
		{"bad memory variable", nil, []string{"SBATCH_MEM_PER_NODE=abc"}, "#!/bin/sh\n", "sbatch: error: Invalid --mem specification\n", 255},
		{"memory on the command line", []string{"--mem=1G", "--mem-per-cpu=1G"}, nil, "#!/bin/sh\n", memFatal, 1},
		{"memory in both", []string{"--mem-per-cpu=1G"}, nil, "#!/bin/sh\n#SBATCH --mem=1G\n", memFatal, 1},
		{"memory in directives", nil, nil, "#!/bin/sh\n#SBATCH --mem=1G\n#SBATCH --mem-per-cpu=1G\n", memFatal, 1},
		{"memory per gpu", []string{"--mem-per-gpu=1G", "--mem=2G"}, nil, "#!/bin/sh\n", memFatal, 1},
		{"memory variables", nil, []string{"SBATCH_MEM_PER_NODE=1G", "SBATCH_MEM_PER_CPU=1G"}, "#!/bin/sh\n",
			"sbatch: fatal: SLURM_MEM_PER_CPU, SLURM_MEM_PER_GPU, and SLURM_MEM_PER_NODE are mutually exclusive.\n", 1},
		{"negative cpus", []string{"-c", "2147483648"}, nil, "#!/bin/sh\n", "sbatch: error: invalid number of cpus per task (-c -2147483648)\n", 1},
		{"negative tasks", []string{"-n", "2147483648"}, nil, "#!/bin/sh\n", "sbatch: error: invalid number of tasks (-n -2147483648)\n", 1},
		{"heterogeneous", nil, nil, "#!/bin/sh\n#SBATCH -J a\n#SBATCH hetjob\n#SBATCH -J b\n", hetJobError().Msg, 1},
		{"heterogeneous component error", nil, nil, "#!/bin/sh\n#SBATCH hetjob x\n#SBATCH 1\n",
			"sbatch: error: Invalid directive found in batch script: 1\n", 255},
	}
	for _, tc := range tests {
		_, _, err := mergeScript(t, tc.cli, tc.env, tc.script)
		var e *Error
		if !errors.As(err, &e) || e.Msg != tc.want || e.Code != tc.code {
			t.Errorf("%s: err = %v, want %q exit %d", tc.name, err, tc.want, tc.code)
		}
	}
}

func TestCopySbatchOptionCoversEveryField(t *testing.T) {
	t.Parallel()
	// Every typed field set on the command line survives MergeOptions.
	cli := []string{"-J", "n", "-o", "o", "-e", "e", "-i", "i", "-D", "/d", "-p", "p", "-A", "a", "-q", "q",
		"--comment=c", "--open-mode=append", "-t", "7", "-c", "2", "-n", "3", "-N", "1-4", "--mem=5",
		"--export=NONE", "--parsable", "-H", "--test-only", "--wrap=true", "--gres=gpu:1"}
	o, _, _, err := ParseSbatchArgs(cli)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"-J", "d", "-o", "x", "-e", "x", "-i", "x", "-D", "x", "-p", "x", "-A", "x", "-q", "x",
		"--comment=x", "--open-mode=t", "-t", "9", "-c", "9", "-n", "9", "-N", "9", "--mem=9",
		"--export=ALL", "--gres=x"}
	got, err := MergeOptions(o, nil, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, o) {
		t.Errorf("MergeOptions:\n got %+v\nwant %+v", got, o)
	}
	v := reflect.ValueOf(got)
	for i := 0; i < v.NumField(); i++ {
		if name := v.Type().Field(i).Name; name != "MemPerCPUMB" && name != "Show" && v.Field(i).IsZero() {
			t.Errorf("field %s is not covered by the test", name)
		}
	}
}
