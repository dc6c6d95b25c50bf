package compat

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// showJobs renders "show job" for q over jobs and returns stdout, the
// error text and the exit code.
func showJobs(t *testing.T, r ScontrolRequest, d ScontrolData, now time.Time) (string, string, int) {
	t.Helper()
	var buf bytes.Buffer
	err := ScontrolRender(&buf, r, d, now)
	_, msg, code := errorOutput(t, err)
	return buf.String(), msg, code
}

// parseOrFail parses an scontrol command line.
func parseOrFail(t *testing.T, line string) ScontrolRequest {
	t.Helper()
	r, err := ParseScontrolArgs(strings.Fields(line), nil)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return r
}

// grepLines keeps the lines of s that start with one of the prefixes
// (after the indentation), as "grep -E '^JobId|JobState|StdOut'" does.
func grepLines(s string, prefixes ...string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(strings.TrimLeft(line, " "), p) {
				b.WriteString(line)
				break
			}
		}
	}
	return b.String()
}

// fixtureRef1455 is the finished array 1455 (--array=0-3 --wrap=true) of
// REFERENCE.md §5.1: task 3 kept the master id, the others got 1457,
// 1458 and 1461; the daemon passes them in no particular order.
func fixtureRef1455() []*Job {
	task := func(id uint32, n int64, prio uint32) *Job {
		j := scontrolJob(id, "wrap", "/tmp/sref/x", 2253)
		j.Priority, j.ArrayJobID, j.ArrayTaskID = prio, 1455, n
		j.SubmitTime, j.EligibleTime = at(11, 47, 0), at(11, 47, 0)
		scontrolRan(j, at(11, 47, 1), at(11, 47, 2), "COMPLETED", "None", 0, 0)
		j.StdOut = "/tmp/sref/x/slurm-1455_" + itoa(n) + ".out"
		j.StdErr = j.StdOut
		return j
	}
	return []*Job{task(1458, 1, 4294901506), task(1455, 3, 4294901506), task(1457, 0, 4294901506), task(1461, 2, 4294901506)}
}

func TestScontrolShowJobArrayOrder(t *testing.T) {
	t.Parallel()
	d := ScontrolData{Jobs: fixtureRef1455()}
	now := at(11, 50, 0)
	// REFERENCE.md §5.1: scontrol show job 1455 | grep -E '^JobId|JobState|StdOut'
	out, _, code := showJobs(t, parseOrFail(t, "show job 1455"), d, now)
	want := `JobId=1455 ArrayJobId=1455 ArrayTaskId=3 JobName=wrap
   JobState=COMPLETED Reason=None Dependency=(null)
   StdOut=/tmp/sref/x/slurm-1455_3.out
JobId=1461 ArrayJobId=1455 ArrayTaskId=2 JobName=wrap
   JobState=COMPLETED Reason=None Dependency=(null)
   StdOut=/tmp/sref/x/slurm-1455_2.out
JobId=1458 ArrayJobId=1455 ArrayTaskId=1 JobName=wrap
   JobState=COMPLETED Reason=None Dependency=(null)
   StdOut=/tmp/sref/x/slurm-1455_1.out
JobId=1457 ArrayJobId=1455 ArrayTaskId=0 JobName=wrap
   JobState=COMPLETED Reason=None Dependency=(null)
   StdOut=/tmp/sref/x/slurm-1455_0.out
`
	if got := grepLines(out, "JobId", "JobState", "StdOut"); got != want || code != 0 {
		t.Errorf("exit %d, got\n%s", code, got)
	}
	// REFERENCE.md §5.1: scontrol show job 1455_2 | head -3
	out, _, _ = showJobs(t, parseOrFail(t, "show job 1455_2"), d, now)
	want = "JobId=1461 ArrayJobId=1455 ArrayTaskId=2 JobName=wrap\n" +
		"   UserId=root(0) GroupId=root(0) MCS_label=N/A\n" +
		"   Priority=4294901506 Nice=0 Account=root QOS=normal\n"
	if !strings.HasPrefix(out, want) || strings.Count("\n"+out, "\nJobId=") != 1 {
		t.Errorf("got\n%s", out)
	}
	// A task's own id selects only that record.
	out, _, _ = showJobs(t, parseOrFail(t, "show job 1458"), d, now)
	if strings.Count("\n"+out, "\nJobId=") != 1 || !strings.HasPrefix(out, "JobId=1458 ArrayJobId=1455 ArrayTaskId=1 ") {
		t.Errorf("got\n%s", out)
	}
}

func TestScontrolSelectJobsPendingFirst(t *testing.T) {
	t.Parallel()
	meta := refJob(45, "arr")
	meta.ArrayJobID, meta.ArrayTasks = 45, "2-5%2"
	t0, t1 := refJob(46, "arr"), refJob(47, "arr")
	t0.ArrayJobID, t0.ArrayTaskID, t1.ArrayJobID, t1.ArrayTaskID = 45, 0, 45, 1
	other := refJob(44, "x")
	jobs := []*Job{t0, meta, other, t1}
	got := ScontrolSelectJobs(jobs, ScontrolJobQuery{JobID: 45, Task: -1, HetOffset: -1}, nil)
	if len(got) != 3 || got[0] != meta || got[1] != t1 || got[2] != t0 {
		t.Errorf("order %v", jobIDs(got))
	}
	all := ScontrolSelectJobs(jobs, ScontrolJobQuery{All: true, Task: -1, HetOffset: -1}, nil)
	if ids := jobIDs(all); ids != "44 45 47 46" {
		t.Errorf("all: %s", ids)
	}
	task := ScontrolSelectJobs(jobs, ScontrolJobQuery{JobID: 45, Task: 4, HetOffset: -1}, nil)
	if len(task) != 1 || task[0].ArrayTaskID != 4 || task[0].ArrayTasks != "" || task[0].ArrayThrottle != 2 || task[0] == meta {
		t.Errorf("task 4 view: %+v", task)
	}
	if meta.ArrayTasks != "2-5%2" {
		t.Error("the daemon's record must not be changed")
	}
	if got := ScontrolSelectJobs(jobs, ScontrolJobQuery{JobID: 45, Task: -1, HetOffset: 0}, nil); got != nil {
		t.Errorf("het offset selected %v", jobIDs(got))
	}
}

// jobIDs lists the job ids of jobs.
func jobIDs(jobs []*Job) string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = itoa(int64(j.JobID))
	}
	return strings.Join(ids, " ")
}

func TestScontrolShowJobFields(t *testing.T) {
	t.Parallel()
	now := at(12, 0, 0)
	timeout := scontrolJob(91, "timeout.sh", "/tmp/sref/w", 2253)
	scontrolRan(timeout, at(11, 35, 36), at(11, 37, 3), "TIMEOUT", "TimeLimit", 0, 9)
	timeout.ExitSignal, timeout.TimeLimit = 0, 1
	requeued := pending(scontrolJob(41, "long2", "/tmp/sref/w", 2253), at(11, 40, 0), "job requeued in held state", 0)
	suspended := running(scontrolJob(98, "susp", "/tmp/sref/w", 2253), at(11, 50, 0))
	suspended.State, suspended.SuspendTime = "SUSPENDED", at(11, 50, 4)
	depPending := pending(scontrolJob(43, "dep", "/tmp/sref/w", 2253), at(11, 33, 27), "Dependency", 5)
	depPending.SchedNode = "vm"
	noRequeue := running(scontrolJob(50, "nr", "/tmp/sref/w", 2253), at(11, 59, 0))
	noRequeue.NoRequeue, noRequeue.NumCPUs, noRequeue.CPUsPerTask = true, 2, 2

	tests := []struct {
		name    string
		job     *Job
		details int
		want    []string
		notWant []string
	}{
		{"timeout shows the batch step's status", timeout, 0,
			[]string{"   JobState=TIMEOUT Reason=TimeLimit Dependency=(null)\n", " ExitCode=0:9\n",
				"   RunTime=00:01:27 TimeLimit=00:01:00 TimeMin=N/A\n",
				"   StartTime=2026-11-27T11:35:36 EndTime=2026-11-27T11:37:03 Deadline=N/A\n", "   BatchHost=vm\n"}, nil},
		{"reason white space", requeued, 0,
			[]string{" Reason=job_requeued_in_held_state ", "Scheduler=Main\n", "   NodeList=\n"}, []string{"BatchHost"}},
		{"suspended", suspended, 0,
			[]string{"   JobState=SUSPENDED ", "   RunTime=00:00:04 ", "   SuspendTime=2026-11-27T11:50:04 SecsPreSuspend=4 "}, nil},
		{"pending with a planned node but no backfill", depPending, 1,
			[]string{"   NodeList= SchedNodeList=vm\n", "Scheduler=Main\n", "   DerivedExitCode=0:0\n"}, []string{"JOB_GRES"}},
		{"details of a running job", noRequeue, 1,
			[]string{"   Requeue=0 ", "   JOB_GRES=(null)\n     Nodes=vm CPU_IDs=0-1 Mem=2048 GRES=\n", "MinCPUsNode=2 MinMemoryCPU=1G ",
				"   TRES=cpu=2,mem=2G,node=1,billing=2\n", "   RunTime=00:01:00 ", "EndTime=Unknown"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := ScontrolShowJob(&buf, []*Job{tt.job}, false, tt.details, now); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %q in\n%s", w, out)
				}
			}
			if !strings.HasSuffix(out, "   Power=\n   \n\n") {
				t.Errorf("record end %q", out[max(0, len(out)-20):])
			}
		})
	}
}

func TestScontrolShowJobMessages(t *testing.T) {
	t.Parallel()
	now := at(12, 0, 0)
	tests := []struct {
		line           string
		jobs           []*Job
		stdout, stderr string
		code           int
	}{
		{"show job", nil, "No jobs in the system\n", "", 0},
		{"-Q show job", nil, "", "", 0},
		{"show job 0", nil, "Job 0 not found\n", "", 1},
		{"show job 1455_9", fixtureRef1455(), "Job 1455_9 not found\n", "", 1},
		{"-Q show job 1455_9", fixtureRef1455(), "", "", 1},
		{"show job 1455+1", fixtureRef1455(), "Job 1455+1 not found\n", "", 1},
		{"show job 99999", fixtureRef1455(), "", ScontrolLoadJobsError, 1},
		{"show reservation x", nil, "Reservation x not found\n", "", 1},
		{"show topology", nil, "", "scontrol: error: No topology information available\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			out, msg, code := showJobs(t, parseOrFail(t, tt.line), ScontrolData{Jobs: tt.jobs}, now)
			if out != tt.stdout || msg != tt.stderr || code != tt.code {
				t.Errorf("got %q %q exit %d, want %q %q exit %d", out, msg, code, tt.stdout, tt.stderr, tt.code)
			}
		})
	}
}

func TestScontrolShowNodeAndPartition(t *testing.T) {
	t.Parallel()
	now := at(12, 0, 0)
	drained := refNode("drained", 0)
	drained.Reason, drained.ReasonUser, drained.ReasonTime = "maintenance test", "root", at(11, 50, 38)
	d := ScontrolData{Nodes: []Node{drained}, Partitions: refPartitions()}

	out, _, code := showJobs(t, parseOrFail(t, "show node vm"), d, now)
	for _, w := range []string{"NodeName=vm CoresPerSocket=2 \n", "   NodeAddr=vm NodeHostName=vm\n   RealMemory=24152 AllocMem=0 ",
		"   State=IDLE+DRAIN ThreadsPerCore=1 ", "   AllocTRES=\n", "   BootTime=None SlurmdStartTime=None\n",
		"   LastBusyTime=Unknown\n",
		"ExtSensorsTemp=n/s\n   Reason=maintenance test [root@2026-11-27T11:50:38]\n\n"} {
		if !strings.Contains(out, w) || code != 0 {
			t.Errorf("missing %q in (exit %d)\n%s", w, code, out)
		}
	}

	out, _, code = showJobs(t, parseOrFail(t, "-o -d show node"), d, now)
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, " GresDrain=N/A GresUsed=gpu:0 ") ||
		!strings.HasSuffix(out, "[root@2026-11-27T11:50:38]\n") || code != 0 {
		t.Errorf("one-liner: %q", out)
	}

	out, _, code = showJobs(t, parseOrFail(t, "show node vm,nosuch,nosuch2"), d, now)
	if !strings.HasPrefix(out, "NodeName=vm ") || !strings.HasSuffix(out, "\n\nNode nosuch not found\nNode nosuch2 not found\n") || code != 1 {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, code = showJobs(t, parseOrFail(t, "-Q show node nosuch,vm"), d, now)
	if !strings.HasPrefix(out, "NodeName=vm ") || strings.Contains(out, "not found") || code != 1 {
		t.Errorf("quiet: exit %d:\n%s", code, out)
	}

	r := parseOrFail(t, "show partition")
	r.Name, r.HasName = "", true
	out, _, code = showJobs(t, r, d, now)
	if out != "Partition  not found\n" || code != 1 {
		t.Errorf("empty name: %q exit %d", out, code)
	}

	p := refPartitions()[1]
	p.State, p.MaxTime, p.DefaultTime, p.Nodes = "INACTIVE", 1440, 60, []string{"n2", "n1", "n3"}
	var buf bytes.Buffer
	if err := ScontrolShowPartition(&buf, []Partition{p}, "", false, false, false); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"   DefaultTime=01:00:00 ", " MaxTime=1-00:00:00 ", "   Nodes=n[1-3]\n", "   State=INACTIVE TotalCPUs=2 TotalNodes=3 ",
		"TRES=cpu=2,mem=24152M,node=3,billing=2\n\n"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("missing %q in\n%s", w, buf.String())
		}
	}
}

func TestScontrolShowConfigValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := ConfigView{ClusterName: "skyport", ControlHost: "login1", MinJobAge: 120, KillWait: 5,
		Overrides: map[string]string{"SchedulerType": "sched/skyport", "ConstrainCores": "no"}}
	if err := ScontrolShowConfig(&buf, c, at(12, 0, 0)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{
		"Configuration data as of 2026-11-27T12:00:00\nAccountingStorageBackupHost = (null)\n",
		"\nClusterName             = skyport\n", "\nMinJobAge               = 120 sec\n", "\nKillWait                = 5 sec\n",
		"\nDefMemPerNode           = UNLIMITED\n", "\nBOOT_TIME               = Unknown\n", "\nSlurmctldHost[0]        = login1\n",
		"\nSchedulerType           = sched/skyport\n", "\nConstrainCores          = no\n", "\nSLURM_VERSION           = 22.05.8\n",
		"\nPowerPlugin             = \n", "\nMinRAMSpace             = 30 MB\n\nSlurmctld(primary) at login1 is DOWN\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q", w)
		}
	}
	if strings.Contains(out, "DefMemPerCPU") || strings.HasSuffix(out, "*\n") {
		t.Errorf("unexpected output:\n%s", out)
	}
}

func TestScontrolPing(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := ScontrolRender(&buf, parseOrFail(t, "ping"), ScontrolData{Config: ConfigView{ControlHost: "vm"}}, at(12, 0, 0))
	if buf.String() != "Slurmctld(primary) at vm is DOWN\n" {
		t.Errorf("got %q", buf.String())
	}
	if _, _, code := errorOutput(t, err); code != 1 {
		t.Errorf("a down controller must exit 1, got %d", code)
	}
	if got := ScontrolPingLine("vm", false, true); !strings.HasSuffix(got, "** RESTORE SLURMCTLD DAEMON TO SERVICE **\n*****************************************\n") {
		t.Errorf("root banner: %q", got)
	}
}

func TestScontrolMessages(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		// REFERENCE.md §5.2.
		{ScontrolJobError(ReasonInvalidJobID, "99999") + ScontrolHoldError(ReasonInvalidJobID),
			"Invalid job id specified for job 99999\nslurm_suspend error: Invalid job id specified\n"},
		{ScontrolJobError(ReasonInvalidPartition, "42"), "Invalid partition name specified for job 42\n"},
		{ScontrolJobError(ReasonJobNotPending, "40"), "Job is no longer pending execution for job 40\n"},
		{ScontrolJobError(ReasonJobPending, "42"), "Job is pending execution for job 42\n"},
		{ScontrolJobError(ReasonUnexpectedMessage, "99999"), "Unexpected message received for job 99999\n"},
		{ScontrolJobError(ReasonInvalidUser, "1462") + ScontrolHoldError(ReasonInvalidUser),
			"Invalid user id for job 1462\nslurm_suspend error: Invalid user id\n"},
		// Real scontrol on the reference machine.
		{ScontrolJobError(ReasonJobFinished, "2434"), "Job/step already completing or completed for job 2434\n"},
		{ScontrolJobError(ReasonJobNotSuspended, "2437"), "Job is not suspended for job 2437\n"},
		{ScontrolTaskError("99999_1-2", ReasonInvalidJobID), "99999_1-2: Invalid job id specified\n"},
		{ScontrolUpdateError(ReasonInvalidPartition), "slurm_update error: Invalid partition name specified\n"},
		{ScontrolUpdateError(ReasonInvalidNode), "slurm_update error: Invalid node name specified\n"},
		{ScontrolTimeLimitDecrementError(5000, 10), "scontrol: error: TimeLimit decrement larger than current time limit (5000 > 10)\n"},
		{ScontrolNoJobsWithName("nosuchq"), "scontrol: error: No jobs with name 'nosuchq'\n"},
		{ScontrolScriptError(ReasonInvalidJobID), "job script retrieval failed: Invalid job id specified\n"},
		{ScontrolScriptWritten(2433, "slurm-2433.sh"), "batch script for job 2433 written to slurm-2433.sh\n"},
		{ScontrolScriptOpenError("/nonexistent/x", "No such file or directory"),
			"failed to open file `/nonexistent/x`: No such file or directory\n"},
		{ScontrolPingLine("vm", true, true), "Slurmctld(primary) at vm is UP\n"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestScontrolRenderWriteErrors(t *testing.T) {
	t.Parallel()
	now := at(12, 0, 0)
	d := fixtureScontrolRefNode()
	d.Jobs = fixtureRef1455()
	for _, line := range []string{"show job", "show partition", "show node", "show config", "ping"} {
		err := ScontrolRender(failWriter{}, parseOrFail(t, line), d, now)
		var ce *Error
		if err == nil || errors.As(err, &ce) {
			t.Errorf("%s: want the write error, got %v", line, err)
		}
	}
}

func BenchmarkScontrolShowJob(b *testing.B) {
	jobs := fixtureRef1455()
	now := at(12, 0, 0)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := ScontrolShowJob(&buf, jobs, false, 1, now); err != nil {
			b.Fatal(err)
		}
	}
}
