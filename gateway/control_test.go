package gateway

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// scontrol runs one scontrol command line as the test's user.
func (d *testDaemon) scontrol(t *testing.T, args ...string) api.ScontrolResponse {
	t.Helper()
	return d.scontrolAs(t, peer{UID: uint32(os.Getuid())}, args...)
}

func (d *testDaemon) scontrolAs(t *testing.T, who peer, args ...string) api.ScontrolResponse {
	t.Helper()
	req, err := compat.ParseScontrolArgs(args, nil)
	if err != nil {
		t.Fatalf("scontrol %v: %v", args, err)
	}
	resp, ok := d.srv.scontrolJobs(context.Background(), req, who)
	if !ok {
		t.Fatalf("scontrol %v: not a job command", args)
	}
	return resp
}

// hold, uhold and release as on the reference cluster (REFERENCE.md
// §5.2), with Slurm's messages for unknown jobs and other users.
func TestHoldRelease(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	a := d.submit(t, "sleep 60", func(o *compat.SubmitOptions) { o.CPUsPerTask = 2 })
	d.waitState(t, a, queue.Running)
	id := d.submit(t, "true", nil)
	sid := itoa(id)
	tests := []struct {
		args         []string
		who          uint32
		reason       string
		stderr       string
		exit         int
		wantPriority bool
	}{
		{[]string{"hold", sid}, 0, "JobHeldAdmin", "", 0, false},
		{[]string{"release", sid}, 0, "Resources", "", 0, true},
		{[]string{"uhold", sid}, 0, "JobHeldUser", "", 0, false},
		{[]string{"release", sid}, 12345, "JobHeldUser",
			"Invalid user id for job " + sid + "\nslurm_suspend error: Invalid user id\n", 1, false},
		{[]string{"release", sid}, 0, "Resources", "", 0, true},
		{[]string{"hold", "99999"}, 0, "Resources",
			"Invalid job id specified for job 99999\nslurm_suspend error: Invalid job id specified\n", 1, true},
	}
	for _, tc := range tests {
		resp := d.scontrolAs(t, peer{UID: tc.who}, tc.args...)
		if resp.Stderr != tc.stderr || resp.Exit != tc.exit {
			t.Errorf("%v: stderr %q exit %d, want %q %d", tc.args, resp.Stderr, resp.Exit, tc.stderr, tc.exit)
		}
		waitFor(t, "reason "+tc.reason, func() bool { return d.reason(id) == tc.reason })
		d.srv.mu.RLock()
		prio := d.view(d.srv.live[id]).Priority
		d.srv.mu.RUnlock()
		if (prio != 0) != tc.wantPriority {
			t.Errorf("%v: priority %d", tc.args, prio)
		}
	}
	// A held running job keeps running; hold of one pending array task
	// splits it off its master.
	if resp := d.scontrol(t, "hold", itoa(a)); resp.Exit != 0 {
		t.Errorf("hold running job: %+v", resp)
	}
	if j := d.live(a); j.State != queue.Running || !j.Held {
		t.Errorf("held running job: %s held=%v", j.State, j.Held)
	}
	arr := d.array(t, "true", "0-3", nil)
	if resp := d.scontrol(t, "hold", itoa(arr)+"_2"); resp.Exit != 0 {
		t.Fatalf("hold task: %+v", resp)
	}
	recs := d.arrayRecords(t, arr)
	if j, ok := recs[2]; !ok || !j.Held || j.ID == arr {
		t.Fatalf("held task: %+v", recs)
	}
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: a, Spec: "a"}}}, peer{})
	for task, j := range recs {
		if task != 2 {
			d.waitState(t, j.ID, queue.Completed)
		}
	}
	if got := d.live(recs[2].ID); got.State != queue.Pending || got.Reason != "JobHeldAdmin" {
		t.Errorf("held task after the others ran: %s %s", got.State, got.Reason)
	}
}

// scontrol requeue sends a running job back to the queue under the same
// ID with Restarts+1 and SLURM_RESTART_COUNT in its next run; requeuehold
// holds it; pending and --no-requeue jobs are refused as in Slurm.
func TestRequeue(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	d.srv.ctl.requeueDelay.Store(int64(100 * time.Millisecond))
	out := filepath.Join(t.TempDir(), "out")
	id := d.submit(t, `echo "run ${SLURM_RESTART_COUNT:-0}"; [ -n "$SLURM_RESTART_COUNT" ] || sleep 60`,
		func(o *compat.SubmitOptions) { o.Output = out })
	d.waitState(t, id, queue.Running)
	if resp := d.scontrol(t, "requeue", itoa(id)); resp.Exit != 0 || resp.Stderr != "" {
		t.Fatalf("requeue: %+v", resp)
	}
	e := d.waitState(t, id, queue.Completed)
	if e.job.Restarts != 1 {
		t.Errorf("restarts = %d, want 1", e.job.Restarts)
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != "run 1\n" {
		t.Errorf("output of the second run %q, %v (truncated, with SLURM_RESTART_COUNT=1)", b, err)
	}
	// A finished job is requeued at once; requeuehold holds it.
	if resp := d.scontrol(t, "requeuehold", itoa(id)); resp.Exit != 0 {
		t.Fatalf("requeuehold: %+v", resp)
	}
	h := d.waitState(t, id, queue.Pending)
	if !h.job.Held || h.job.Reason != "job requeued in held state" || h.job.Restarts != 2 {
		t.Errorf("requeuehold: held=%v reason %q restarts %d", h.job.Held, h.job.Reason, h.job.Restarts)
	}
	if resp := d.scontrol(t, "requeue", itoa(id)); resp.Stderr != "Job is pending execution for job "+itoa(id)+"\n" || resp.Exit != 1 {
		t.Errorf("requeue of a pending job: %+v", resp)
	}
	nr := d.submit(t, "sleep 60", func(o *compat.SubmitOptions) { o.Given["no-requeue"] = true })
	d.waitState(t, nr, queue.Running)
	if resp := d.scontrol(t, "requeue", itoa(nr)); !strings.HasPrefix(resp.Stderr, "Requested operation is presently disabled for job") {
		t.Errorf("requeue of --no-requeue job: %+v", resp)
	}
	if resp := d.scontrol(t, "requeue", "99999"); resp.Stderr != "Invalid job id specified for job 99999\n" || resp.Exit != 1 {
		t.Errorf("requeue of unknown job: %+v", resp)
	}
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: nr, Spec: "x"}}}, peer{})
	d.waitState(t, nr, queue.Cancelled)
}

// scontrol update job changes a pending job's limits, partition, name,
// nice and dependency, and refuses what Slurm refuses for a running one.
func TestUpdateJob(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	run := d.submit(t, "sleep 60", func(o *compat.SubmitOptions) { o.CPUsPerTask = 2 })
	d.waitState(t, run, queue.Running)
	id := d.submit(t, "true", nil)
	sid, srun := itoa(id), itoa(run)
	steps := []struct {
		args   []string
		stderr string
	}{
		{[]string{"update", "jobid=" + sid, "timelimit=10", "name=renamed", "partition=down"}, ""},
		{[]string{"update", "jobid=" + sid, "TimeLimit=+5", "nice=7"}, ""},
		{[]string{"update", "jobid=" + sid, "dependency=afterok:" + srun}, ""},
		{[]string{"update", "jobid=" + sid, "partition=nosuch"}, "Invalid partition name specified for job " + sid + "\n"},
		{[]string{"update", "jobid=" + sid, "TimeLimit=-60"}, "scontrol: error: TimeLimit decrement larger than current time limit (60 > 15)\n"},
		{[]string{"update", "jobid=99999", "timelimit=5"}, "Invalid job id specified for job 99999\n"},
		{[]string{"update", "jobid=" + srun, "partition=debug"}, "Job is no longer pending execution for job " + srun + "\n"},
		{[]string{"update", "jobid=" + srun, "dependency=afterok:1"}, "Job is no longer pending execution for job " + srun + "\n"},
		{[]string{"update", "jobid=" + srun, "name=r2", "timelimit=30"}, ""},
	}
	for _, st := range steps {
		resp := d.scontrol(t, st.args...)
		if resp.Stderr != st.stderr || (resp.Exit != 0) != (st.stderr != "") {
			t.Errorf("%v: %+v, want stderr %q", st.args, resp, st.stderr)
		}
	}
	j := d.live(id)
	if j.TimeLimit != 15 || j.Name != "renamed" || j.Partition != "down" || j.Nice != 7 ||
		j.Dependency != "afterok:"+srun+"(unfulfilled)" {
		t.Errorf("updated job: limit %d name %q partition %q nice %d dependency %q",
			j.TimeLimit, j.Name, j.Partition, j.Nice, j.Dependency)
	}
	if r := d.live(run); r.Name != "r2" || r.TimeLimit != 30 {
		t.Errorf("running job: name %q limit %d", r.Name, r.TimeLimit)
	}
	d.srv.scancel(context.Background(), compat.ScancelOptions{Targets: []compat.ScancelTarget{{JobID: run, Spec: "x"}}}, peer{})
	d.waitState(t, run, queue.Cancelled)
}

// scontrol suspend stops a running job (SUSPENDED), resume continues it;
// the errors are Slurm's.
func TestSuspendResume(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	out := filepath.Join(t.TempDir(), "out")
	id := d.submit(t, "sleep 0.5; echo done; sleep 2", func(o *compat.SubmitOptions) { o.Output = out })
	d.waitState(t, id, queue.Running)
	if resp := d.scontrolAs(t, peer{UID: 0}, "suspend", itoa(id)); resp.Exit != 0 {
		t.Fatalf("suspend: %+v", resp)
	}
	e := d.waitState(t, id, queue.Suspended)
	if d.view(e).SuspendTime.IsZero() {
		t.Error("suspended job without SuspendTime")
	}
	time.Sleep(time.Second) // longer than the job's sleep: it must still be stopped
	if b, _ := os.ReadFile(out); len(b) != 0 {
		t.Errorf("suspended job wrote %q", b)
	}
	if resp := d.scontrolAs(t, peer{UID: 0}, "suspend", itoa(id)); resp.Exit != 0 || resp.Stderr != "" {
		t.Errorf("suspend twice (Slurm says nothing): %+v", resp)
	}
	if resp := d.scontrolAs(t, peer{UID: 0}, "resume", itoa(id)); resp.Exit != 0 {
		t.Fatalf("resume: %+v", resp)
	}
	if resp := d.scontrolAs(t, peer{UID: 0}, "resume", itoa(id)); resp.Stderr != "Job is not suspended for job "+itoa(id)+"\n" {
		t.Errorf("resume of a running job: %+v", resp)
	}
	f := d.waitState(t, id, queue.Completed)
	if f.job.SuspendedSecs < 1 {
		t.Errorf("suspended time %ds, want >= 1", f.job.SuspendedSecs)
	}
	if resp := d.scontrolAs(t, peer{UID: 0}, "suspend", "99999"); resp.Stderr != "Unexpected message received for job 99999\n" {
		t.Errorf("suspend unknown: %+v", resp)
	}
}

// sbatch --signal=B:SIG@secs reaches the batch script secs before its
// time limit (here 58 s before a 1-minute limit).
func TestSignalBeforeLimit(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	out := filepath.Join(t.TempDir(), "out")
	id := d.submit(t, `trap 'echo got USR1; exit 0' USR1; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo no signal`,
		func(o *compat.SubmitOptions) {
			o.Output, o.TimeLimit, o.Given["time"], o.Given["signal"] = out, 1, true, true
			o.Extra = map[string]string{"signal": "B:USR1@58"}
		})
	d.waitState(t, id, queue.Completed)
	if b, err := os.ReadFile(out); err != nil || string(b) != "got USR1\n" {
		t.Errorf("output %q, %v", b, err)
	}
}

// sbatch --wait's answer: the job's exit code, the highest of an
// array's tasks, 1 for a job that ended otherwise.
func TestWait(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	ctx := context.Background()
	for _, tc := range []struct {
		wrap, array string
		want        int
	}{
		{"exit 7", "", 7},
		{"true", "", 0},
		{"exit $SLURM_ARRAY_TASK_ID", "0-2", 2},
		{"kill -9 $$", "", 1},
	} {
		var id uint32
		if tc.array != "" {
			id = d.array(t, tc.wrap, tc.array, nil)
		} else {
			id = d.submit(t, tc.wrap, nil)
		}
		resp, err := d.client.Wait(ctx, api.WaitRequest{JobID: id})
		if err != nil || resp.Exit != tc.want {
			t.Errorf("wait for %q: %+v, %v; want exit %d", tc.wrap, resp, err, tc.want)
		}
	}
	if resp, err := d.client.Wait(ctx, api.WaitRequest{JobID: 99999}); err != nil || resp.Exit != 0 {
		t.Errorf("wait for an unknown job: %+v, %v", resp, err)
	}
}

// A requeued run stays on the job: sacct -D lists it (REQUEUED, its batch
// step cancelled by the requeue) before the current run, as real Slurm
// does; plain sacct shows only the current run, whose steps start again.
func TestSacctDuplicates(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	d.srv.ctl.requeueDelay.Store(int64(100 * time.Millisecond))
	id := d.submit(t, `[ -n "$SLURM_RESTART_COUNT" ] || sleep 60`, nil)
	d.waitState(t, id, queue.Running)
	if resp := d.scontrol(t, "requeue", itoa(id)); resp.Exit != 0 {
		t.Fatalf("requeue: %+v", resp)
	}
	e := d.waitState(t, id, queue.Completed)
	if n := len(e.job.PastRuns); n != 1 {
		t.Fatalf("past runs: %d, want 1", n)
	}
	past := e.job.PastRuns[0]
	if past.StartTime.IsZero() || past.EndTime.Before(past.StartTime) || past.EndTime.After(e.job.StartTime) || past.Restarts != 0 {
		t.Errorf("past run: start %v end %v restarts %d; the run after started %v", past.StartTime, past.EndTime, past.Restarts, e.job.StartTime)
	}
	sid := itoa(id)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-D", "-P", "-j", sid, "-o", "JobID,State,ExitCode"},
			"JobID|State|ExitCode\n" + sid + "|REQUEUED|0:0\n" + sid + ".batch|CANCELLED|0:15\n" + sid + "|COMPLETED|0:0\n" + sid + ".batch|COMPLETED|0:0\n"},
		{[]string{"-P", "-j", sid, "-o", "JobID,State,ExitCode"},
			"JobID|State|ExitCode\n" + sid + "|COMPLETED|0:0\n" + sid + ".batch|COMPLETED|0:0\n"},
		{[]string{"-D", "-X", "-n", "-P", "-j", sid, "-o", "State"}, "REQUEUED\nCOMPLETED\n"},
	} {
		o, err := compat.ParseSacctArgs(tc.args, nil, time.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := compat.Sacct(&b, o, []*compat.Job{d.srv.sacctView(e.job)}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("sacct %q:\n%s\nwant\n%s", tc.args, b.String(), tc.want)
		}
	}
}
