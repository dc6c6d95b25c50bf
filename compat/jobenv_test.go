package compat

import (
	"slices"
	"strings"
	"testing"
)

// refEnvInput is job 16 of REFERENCE §1.14 (no resource options).
func refEnvInput() JobEnvInput {
	return JobEnvInput{
		JobID: 16, ArrayTaskID: -1, JobName: "envdump", User: "root", Account: "root", QOS: "normal",
		Partition: "debug", Cluster: "refcluster", Node: "vm", SubmitDir: "/tmp/sref/w", SubmitHost: "vm",
		DefMemPerCPUMB: 1024, Conf: "/etc/slurm/slurm.conf",
	}
}

// slurmVars keeps the SLURM* entries of env, as `env | grep ^SLURM`.
func slurmVars(env []string) []string {
	var out []string
	for _, e := range env {
		if strings.HasPrefix(e, "SLURM") {
			out = append(out, e)
		}
	}
	return out
}

func TestJobEnvReference(t *testing.T) {
	t.Parallel()
	// REFERENCE §1.14 verbatim, less SLURM_TASK_PID (the runner's).
	want := strings.Fields(`SLURMD_NODENAME=vm SLURM_CLUSTER_NAME=refcluster SLURM_CONF=/etc/slurm/slurm.conf
SLURM_CPUS_ON_NODE=1 SLURM_GTIDS=0 SLURM_JOBID=16 SLURM_JOB_ACCOUNT=root SLURM_JOB_CPUS_PER_NODE=1 SLURM_JOB_GID=0
SLURM_JOB_ID=16 SLURM_JOB_NAME=envdump SLURM_JOB_NODELIST=vm SLURM_JOB_NUM_NODES=1 SLURM_JOB_PARTITION=debug
SLURM_JOB_QOS=normal SLURM_JOB_UID=0 SLURM_JOB_USER=root SLURM_LOCALID=0 SLURM_MEM_PER_CPU=1024 SLURM_NNODES=1
SLURM_NODEID=0 SLURM_NODELIST=vm SLURM_NODE_ALIASES=(null) SLURM_PRIO_PROCESS=0 SLURM_PROCID=0
SLURM_SUBMIT_DIR=/tmp/sref/w SLURM_SUBMIT_HOST=vm SLURM_TASKS_PER_NODE=1 SLURM_TOPOLOGY_ADDR=vm
SLURM_TOPOLOGY_ADDR_PATTERN=node SLURM_WORKING_CLUSTER=refcluster:vm:6817:9728:109`)
	env := JobEnv(refEnvInput())
	if got := slurmVars(env); !slices.Equal(got, want) {
		t.Errorf("JobEnv:\n got %q\nwant %q", got, want)
	}
	for _, e := range []string{"ENVIRONMENT=BATCH", "HOSTNAME=vm"} {
		if !slices.Contains(env, e) {
			t.Errorf("JobEnv lacks %s", e)
		}
	}

	// The array task of REFERENCE §1.14: -J envarr -a 2-3 -c 2 --mem=500M -t 5 -p cloud.
	in := refEnvInput()
	in.JobID, in.ArrayJobID, in.ArrayTaskID = 18, 17, 2
	in.ArrayTaskCount, in.ArrayTaskMin, in.ArrayTaskMax, in.ArrayTaskStep = 2, 2, 3, 1
	in.JobName, in.Partition = "envarr", "cloud"
	in.Opts = SubmitOptions{CPUsPerTask: 2, MemMB: 500, TimeLimit: 5, Partition: "cloud", JobName: "envarr",
		Extra: map[string]string{"array": "2-3"}, Given: given("cpus-per-task", "mem", "time", "partition", "job-name", "array")}
	want = strings.Fields(`SLURMD_NODENAME=vm SLURM_ARRAY_JOB_ID=17 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_ID=2
SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_STEP=1 SLURM_CLUSTER_NAME=refcluster
SLURM_CONF=/etc/slurm/slurm.conf SLURM_CPUS_ON_NODE=2 SLURM_CPUS_PER_TASK=2 SLURM_GTIDS=0 SLURM_JOBID=18
SLURM_JOB_ACCOUNT=root SLURM_JOB_CPUS_PER_NODE=2 SLURM_JOB_GID=0 SLURM_JOB_ID=18 SLURM_JOB_NAME=envarr
SLURM_JOB_NODELIST=vm SLURM_JOB_NUM_NODES=1 SLURM_JOB_PARTITION=cloud SLURM_JOB_QOS=normal SLURM_JOB_UID=0
SLURM_JOB_USER=root SLURM_LOCALID=0 SLURM_MEM_PER_NODE=500 SLURM_NNODES=1 SLURM_NODEID=0 SLURM_NODELIST=vm
SLURM_NODE_ALIASES=(null) SLURM_PRIO_PROCESS=0 SLURM_PROCID=0 SLURM_SUBMIT_DIR=/tmp/sref/w SLURM_SUBMIT_HOST=vm
SLURM_TASKS_PER_NODE=1 SLURM_TOPOLOGY_ADDR=vm SLURM_TOPOLOGY_ADDR_PATTERN=node
SLURM_WORKING_CLUSTER=refcluster:vm:6817:9728:109`)
	if got := slurmVars(JobEnv(in)); !slices.Equal(got, want) {
		t.Errorf("JobEnv(array task):\n got %q\nwant %q", got, want)
	}
}

func TestJobEnvOptions(t *testing.T) {
	t.Parallel()
	// Each case: the options (as sbatch arguments) and the variables that
	// differ from the plain job's, as recorded with sbatch 22.05.8.
	tests := []struct {
		args     []string
		add, del []string
	}{
		{[]string{"-n", "2", "-N", "1"}, // REFERENCE §1.14
			[]string{"SLURM_CPUS_ON_NODE=2", "SLURM_JOB_CPUS_PER_NODE=2", "SLURM_NPROCS=2", "SLURM_NTASKS=2", "SLURM_TASKS_PER_NODE=2"},
			[]string{"SLURM_CPUS_ON_NODE=1", "SLURM_JOB_CPUS_PER_NODE=1", "SLURM_TASKS_PER_NODE=1"}},
		{[]string{"-c", "2"},
			[]string{"SLURM_CPUS_ON_NODE=2", "SLURM_CPUS_PER_TASK=2", "SLURM_JOB_CPUS_PER_NODE=2"},
			[]string{"SLURM_CPUS_ON_NODE=1", "SLURM_JOB_CPUS_PER_NODE=1"}},
		{[]string{"--mem-per-cpu=2G", "-c", "2"},
			[]string{"SLURM_CPUS_ON_NODE=2", "SLURM_CPUS_PER_TASK=2", "SLURM_JOB_CPUS_PER_NODE=2", "SLURM_MEM_PER_CPU=2048"},
			[]string{"SLURM_CPUS_ON_NODE=1", "SLURM_JOB_CPUS_PER_NODE=1", "SLURM_MEM_PER_CPU=1024"}},
		{[]string{"--ntasks-per-node=2"},
			[]string{"SLURM_CPUS_ON_NODE=2", "SLURM_JOB_CPUS_PER_NODE=2", "SLURM_NPROCS=2", "SLURM_NTASKS=2",
				"SLURM_NTASKS_PER_NODE=2", "SLURM_TASKS_PER_NODE=2"},
			[]string{"SLURM_CPUS_ON_NODE=1", "SLURM_JOB_CPUS_PER_NODE=1", "SLURM_TASKS_PER_NODE=1"}},
		{[]string{"-n", "1"}, []string{"SLURM_NPROCS=1", "SLURM_NTASKS=1"}, nil},
		{[]string{"--mem=500M", "-n", "2"},
			[]string{"SLURM_CPUS_ON_NODE=2", "SLURM_JOB_CPUS_PER_NODE=2", "SLURM_MEM_PER_NODE=500", "SLURM_NPROCS=2",
				"SLURM_NTASKS=2", "SLURM_TASKS_PER_NODE=2"},
			[]string{"SLURM_CPUS_ON_NODE=1", "SLURM_JOB_CPUS_PER_NODE=1", "SLURM_MEM_PER_CPU=1024", "SLURM_TASKS_PER_NODE=1"}},
		{[]string{"-N", "1", "-t", "5"}, nil, nil},
		{[]string{"-c", "1", "-n", "1"}, []string{"SLURM_CPUS_PER_TASK=1", "SLURM_NPROCS=1", "SLURM_NTASKS=1"}, nil},
		{[]string{"--mem-per-cpu=100"}, []string{"SLURM_MEM_PER_CPU=100"}, []string{"SLURM_MEM_PER_CPU=1024"}},
		{[]string{"--mem=0"}, nil, []string{"SLURM_MEM_PER_CPU=1024"}},
		{[]string{"--open-mode=append", "--threads-per-core=1", "--ntasks-per-core=1", "-m", "block", "--gpus-per-task=0"},
			[]string{"SLURM_DISTRIBUTION=block", "SLURM_GPUS_PER_TASK=0", "SLURM_NTASKS_PER_CORE=1", "SLURM_OPEN_MODE=a",
				"SLURM_THREADS_PER_CORE=1"}, nil},
		{[]string{"--gpus=0", "--gpus-per-node=0", "--ntasks-per-socket=1", "-d", "afterany:1", "--get-user-env",
			"--signal=USR1@5", "--mail-type=END"},
			[]string{"SLURM_GET_USER_ENV=1", "SLURM_GPUS=0", "SLURM_GPUS_PER_NODE=0", "SLURM_JOB_DEPENDENCY=afterany:1",
				"SLURM_NTASKS_PER_SOCKET=1"}, nil},
		{[]string{"--export=ALL,FOO=bar"}, []string{"SLURM_EXPORT_ENV=ALL,FOO=bar", "SLURM_GET_USER_ENV=1"}, nil},
		{[]string{"--export=NONE"}, []string{"SLURM_EXPORT_ENV=NONE", "SLURM_GET_USER_ENV=1"}, nil},
		{[]string{"--export="}, []string{"SLURM_EXPORT_ENV=", "SLURM_GET_USER_ENV=1"}, nil},
		{[]string{"--export=all"}, nil, nil},
		{[]string{"--open-mode=t"}, []string{"SLURM_OPEN_MODE=t"}, nil},
	}
	base := slurmVars(JobEnv(refEnvInput()))
	for _, tc := range tests {
		opts, _, _, err := ParseSbatchArgs(tc.args)
		if err != nil {
			t.Fatalf("ParseSbatchArgs(%q): %v", tc.args, err)
		}
		in := refEnvInput()
		in.Opts = opts
		got := slurmVars(JobEnv(in))
		want := slices.DeleteFunc(slices.Clone(base), func(e string) bool { return slices.Contains(tc.del, e) })
		want = append(want, tc.add...)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("JobEnv(%q):\n got %q\nwant %q", tc.args, got, want)
		}
	}
}

func TestJobEnvRestartsAndConf(t *testing.T) {
	t.Parallel()
	in := refEnvInput()
	in.Restarts, in.Conf, in.ControlHost, in.CPUs, in.PrioProcess = 1, "", "ctl", 8, 5
	env := JobEnv(in)
	for _, e := range []string{"SLURM_RESTART_COUNT=1", "SLURM_WORKING_CLUSTER=refcluster:ctl:6817:9728:109",
		"SLURM_CPUS_ON_NODE=8", "SLURM_JOB_CPUS_PER_NODE=8", "SLURM_PRIO_PROCESS=5"} {
		if !slices.Contains(env, e) {
			t.Errorf("JobEnv lacks %s", e)
		}
	}
	for _, e := range env {
		if strings.HasPrefix(e, "SLURM_CONF=") || strings.HasPrefix(e, "SLURM_TIMELIMIT=") || strings.HasPrefix(e, "SLURM_JOB_START_TIME=") {
			t.Errorf("JobEnv has %s", e)
		}
	}
	if !slices.IsSortedFunc(env, func(a, b string) int {
		return strings.Compare(a[:strings.IndexByte(a, '=')], b[:strings.IndexByte(b, '=')])
	}) {
		t.Errorf("JobEnv is not sorted by name: %q", env)
	}
}

func TestExportEnv(t *testing.T) {
	t.Parallel()
	submit := []string{"MYVAR=fromsubmit", "PATH=/submit/bin", "HOME=/root", "DISPLAY=:9", "SSH_AUTH_SOCK=/s",
		"SLURM_STALE=stale", "XDG_RUNTIME_DIR=/run/user/0", "DBUS_SESSION_BUS_ADDRESS=x", "_=/usr/bin/sbatch",
		"SBATCH_ACCOUNT=a", "noequals", "=bad"}
	login := func() []string {
		return []string{"HOME=/root", "PATH=/login/bin", "USER=root", "SHELL=/bin/bash", "SLURM_LOGIN=kept"}
	}
	replayed := []string{"MYVAR=fromsubmit", "PATH=/submit/bin", "HOME=/root", "_=/usr/bin/sbatch", "SBATCH_ACCOUNT=a"}
	tests := []struct {
		export string
		want   []string
	}{
		// REFERENCE §1.10, with the host-bound and SLURM_* variables left out.
		{"", replayed},
		{"ALL", replayed},
		{"all", replayed},
		{"ALL,FOO=bar", []string{"HOME=/root", "PATH=/submit/bin", "USER=root", "SHELL=/bin/bash", "SLURM_LOGIN=kept",
			"MYVAR=fromsubmit", "_=/usr/bin/sbatch", "SBATCH_ACCOUNT=a", "FOO=bar"}},
		{"FOO=bar", []string{"HOME=/root", "PATH=/login/bin", "USER=root", "SHELL=/bin/bash", "SLURM_LOGIN=kept", "FOO=bar"}},
		{"MYVAR", []string{"HOME=/root", "PATH=/login/bin", "USER=root", "SHELL=/bin/bash", "SLURM_LOGIN=kept", "MYVAR=fromsubmit"}},
		{"NONE", login()},
		{"none", login()},
		// Checked against sbatch 22.05.8 jobs.
		{`FOO="a,b",BAR=c`, append(login(), `FOO="a,b"`, "BAR=c")},
		{`'FOO=a,b'`, append(login(), "FOO=a,b")},
		{"FOO=a=b", append(login(), "FOO=a=b")},
		{"MYV", login()},
		{"FOO=", append(login(), "FOO=")},
		{",,", login()},
		{"NONE,FOO=x", append(login(), "FOO=x")},
		{"DISPLAY,PATH", []string{"HOME=/root", "PATH=/submit/bin", "USER=root", "SHELL=/bin/bash", "SLURM_LOGIN=kept", "DISPLAY=:9"}},
		{`A=1,FOO="a,B=2`, append(login(), "A=1", `FOO="a,B=2`)},
	}
	for _, tc := range tests {
		if got := ExportEnv(submit, tc.export, login); !slices.Equal(got, tc.want) {
			t.Errorf("ExportEnv(%q):\n got %q\nwant %q", tc.export, got, tc.want)
		}
	}
	for _, export := range []string{"MYVAR,ALL", "ALL,NONE"} {
		got := ExportEnv(submit, export, login)
		if !slices.Contains(got, "MYVAR=fromsubmit") || !slices.Contains(got, "USER=root") || slices.Contains(got, "DISPLAY=:9") {
			t.Errorf("ExportEnv(%q) = %q", export, got)
		}
	}
	if got := ExportEnv(submit, "NONE", nil); len(got) != 0 {
		t.Errorf("ExportEnv(NONE, no login) = %q", got)
	}
}

func TestCheckExport(t *testing.T) {
	t.Parallel()
	tests := []struct{ export, want string }{
		{`FOO="a`, "sbatch: error: Improperly formed environment variable (FOO=\"a)\n"},
		{`A=1,FOO="a,B=2`, "sbatch: error: Improperly formed environment variable (FOO=\"a,B=2)\n"},
		{`FOO="it's",B=1`, "sbatch: error: Improperly formed environment variable (FOO=\"it's\",B=1)\n"},
		{`FOO="a,b",BAR=c`, ""},
		{"ALL", ""},
		{"", ""},
		{"NONE", ""},
	}
	for _, tc := range tests {
		if got := CheckExport(tc.export); got != tc.want {
			t.Errorf("CheckExport(%q) = %q, want %q", tc.export, got, tc.want)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	t.Parallel()
	got := MergeEnv([]string{"A=1", "SLURM_JOB_ID=999", "HOSTNAME=foo"}, []string{"SLURM_JOB_ID=5", "HOSTNAME=vm", "ENVIRONMENT=BATCH"})
	want := []string{"A=1", "SLURM_JOB_ID=5", "HOSTNAME=vm", "ENVIRONMENT=BATCH", "TMPDIR=/tmp"}
	if !slices.Equal(got, want) {
		t.Errorf("MergeEnv = %q, want %q", got, want)
	}
	if got := MergeEnv([]string{"TMPDIR=/foo"}, nil); !slices.Equal(got, []string{"TMPDIR=/foo"}) {
		t.Errorf("MergeEnv kept TMPDIR? %q", got)
	}
}
