package compat

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// scratchSource is a JobSource the way the daemon's is: it copies each
// job into the caller's scratch view, leaving out the parts need does not
// ask for, so that output that depends on a view kept past the next call,
// or on a part Squeue forgot to ask for, differs from JobList's.
type scratchSource struct {
	jobs  []*Job
	calls int
}

func (s *scratchSource) Len() int { return len(s.jobs) }

func (s *scratchSource) View(i int, scratch *Job, need ViewNeed) *Job {
	s.calls++
	*scratch = partView(s.jobs[i], need)
	return scratch
}

// partView is the part of v a source must fill for need, the rest empty.
func partView(v *Job, need ViewNeed) Job {
	p := CoreOf(v)
	if need&NeedDetail != 0 {
		p = *v
		p.StdOut, p.StdErr, p.StdIn, p.Batch, p.Steps, p.PastRuns = "", "", "", nil, nil, nil
	}
	if need&NeedPaths != 0 {
		p.StdOut, p.StdErr, p.StdIn = v.StdOut, v.StdErr, v.StdIn
	}
	if need&NeedSteps != 0 {
		p.Batch, p.Steps, p.PastRuns = v.Batch, v.Steps, v.PastRuns
	}
	return p
}

// checkSqueueFrom renders o over jobs through a scratchSource and fails
// unless the output and error are Squeue's over the same views, and each
// job was read once (twice with a single -j id).
func checkSqueueFrom(t *testing.T, o SqueueOptions, jobs []*Job, uid uint32, now time.Time, want string, wantErr error) {
	t.Helper()
	src := &scratchSource{jobs: jobs}
	var buf bytes.Buffer
	err := SqueueFrom(&buf, o, src, uid, now)
	if buf.String() != want {
		t.Errorf("SqueueFrom over a scratch source:\n%s\nSqueue:\n%s", buf.String(), want)
	}
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Errorf("SqueueFrom error %v, Squeue's %v", err, wantErr)
	}
	reads := len(jobs)
	if o.Jobs != nil && len(*o.Jobs) == 1 {
		reads *= 2
	}
	if src.calls > reads {
		t.Errorf("%d views read for %d jobs", src.calls, len(jobs))
	}
}

func TestSqueueNeed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    SqueueOptions
		want ViewNeed
	}{
		{SqueueOptions{}, 0},
		{SqueueOptions{Long: true}, 0},
		{SqueueOptions{Start: true}, 0},
		{SqueueOptions{Format: "%all"}, NeedDetail},
		{SqueueOptions{Format: "%.18i %.9P %j %u %T %M %l %D %R %C %m %S %e %V %a %q %p %g %G %U %B %N %F %K %L"}, 0},
		{SqueueOptions{FormatLong: "JobID,STDOUT"}, NeedPaths},
		{SqueueOptions{FormatLong: "stderr:10"}, NeedPaths},
		{SqueueOptions{FormatLong: "STDIN,Comment"}, NeedPaths | NeedDetail},
		{SqueueOptions{FormatLong: "WorkDir,Command"}, NeedDetail},
	}
	for _, tc := range tests {
		items, _ := tc.o.compileFormat()
		if got := squeueNeed(items); got != tc.want {
			t.Errorf("%+v: need %b, want %b", tc.o, got, tc.want)
		}
	}
}

func TestSqueueFromPrintsPaths(t *testing.T) {
	t.Parallel()
	now := refTime(11, 33, 31)
	jobs := fixtureRef21()
	for _, j := range jobs {
		j.StdOut, j.StdErr, j.StdIn = "/w/out."+j.Name, "/w/err."+j.Name, "/w/in"
	}
	o, _, err := ParseSqueueArgs([]string{"-h", "-O", "JobID:6,STDOUT:20,STDERR:20,STDIN:10"}, nil, now, testUsers)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Squeue(&buf, o, jobs, 0, now); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("/w/out.")) || !bytes.Contains(buf.Bytes(), []byte("/w/err.")) || !bytes.Contains(buf.Bytes(), []byte("/w/in")) {
		t.Fatalf("paths missing from\n%s", buf.String())
	}
	checkSqueueFrom(t, o, jobs, 0, now, buf.String(), nil)
}

// richJob is a job with every field of its view set to a value of its
// own, so that leaving any field out of a view changes some output.
func richJob() *Job {
	t := refTime(10, 0, 0)
	return &Job{
		JobID: 77, ArrayJobID: 70, ArrayTaskID: 7, ArrayTasks: "1-5%2", Name: "rich", User: "ann", UID: 1001, Group: "lab", GID: 2002,
		Account: "acct", QOS: "high", Cluster: "clu", Partition: "gpu", State: "RUNNING", Reason: "Why",
		Priority: 4294901000, Nice: 5, CancelledBy: 3,
		SubmitTime: t, EligibleTime: t.Add(time.Minute), StartTime: t.Add(2 * time.Minute), EndTime: t.Add(3 * time.Hour),
		TimeLimit: 90, NumNodes: 2, NumCPUs: 8, NumTasks: 4, CPUsPerTask: 2, MinMemoryMB: 1536, MemPerCPU: true,
		NodeList: "node[1-2]", SchedNode: "node9", WorkDir: "/w", Command: "/w/run.sh a b",
		StdOut: "/w/o", StdErr: "/w/e", StdIn: "/w/i", Comment: "note", SubmitHost: "login1",
		Dependency: "afterok:5(unfulfilled)", TRESPerNode: "gres:gpu:1", SubmitLine: "sbatch run.sh",
		ExitCode: 3, ExitSignal: 9, Restarts: 2, CostMicros: 1500000, CostCurrency: "EUR",
		ArrayThrottle: 2, NoRequeue: true, MailType: "END", MailUser: "ann@x", OverSubscribe: "NO",
		AllocSID: 42, LastSchedEval: t.Add(time.Second), SuspendTime: t.Add(time.Hour),
		GRES: GRES{PerNode: "gres:gpu:2", PerTask: "gres:gpu:1"}, GPUs: 2, GPUIDs: []int{0, 1},
		Batch: &Step{Name: "batch", State: "RUNNING"}, Steps: []*Step{{ID: "0", Name: "srun"}},
		PastRuns: []*Job{{JobID: 77, State: "REQUEUED"}},
	}
}

// TestRichJobSetsEveryField keeps richJob complete: a field added to Job
// must get a value there, so that TestSqueueColumnNeed sees whether a
// column reads it (and CoreOf or squeueColumnNeed must then say so).
func TestRichJobSetsEveryField(t *testing.T) {
	t.Parallel()
	v := reflect.ValueOf(*richJob())
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("richJob leaves Job.%s empty", v.Type().Field(i).Name)
		}
	}
}

// TestSqueueColumnNeed renders every squeue column of a job whose view
// holds only the core fields and the parts squeueNeed asks for: each must
// print what it prints from the whole view, so no column reads a field
// its need leaves out.
func TestSqueueColumnNeed(t *testing.T) {
	t.Parallel()
	now := refTime(12, 0, 0)
	full := richJob()
	for col, f := range squeueFields() {
		items := []fmtItem{{col: col}}
		need := squeueNeed(items)
		part := partView(full, need)
		for _, task := range []int64{-1, 3} {
			whole := squeueRow{j: full, task: task, now: now, loc: now.Location()}
			some := squeueRow{j: &part, task: task, now: now, loc: now.Location()}
			want, _ := appendSqueueLine(nil, nil, items, &whole)
			got, _ := appendSqueueLine(nil, nil, items, &some)
			if !bytes.Equal(got, want) {
				t.Errorf("column %q (%c) with need %b prints %q, the whole view %q", f.header, f.letter, need, got, want)
			}
		}
	}
}
