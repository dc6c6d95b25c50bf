package compat

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runSqueue runs squeue the way the shim and the daemon together do.
func runSqueue(t *testing.T, args, env []string, jobs []*Job, uid uint32, now time.Time) (string, string, int) {
	t.Helper()
	o, warn, err := ParseSqueueArgs(args, env, now, testUsers)
	if err != nil {
		out, msg, code := errorOutput(t, err)
		return out, warn + msg, code
	}
	// The options travel to the daemon as JSON.
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back SqueueOptions
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, back) {
		t.Fatalf("options changed over JSON:\n%+v\n%+v", o, back)
	}
	var buf bytes.Buffer
	err = Squeue(&buf, back, jobs, uid, now)
	checkSqueueFrom(t, back, jobs, uid, now, buf.String(), err)
	_, msg, code := errorOutput(t, err)
	return buf.String(), warn + msg, code
}

func TestSqueueGolden(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldens(t, "squeue") {
		t.Run(g.path, func(t *testing.T) {
			t.Parallel()
			fix, ok := squeueFixtures[g.fixture]
			if !ok {
				t.Fatalf("unknown fixture %q", g.fixture)
			}
			out, errOut, code := runSqueue(t, g.args, g.env, fix(), g.uid, g.now)
			checkGolden(t, g, out, errOut, code)
		})
	}
}

func TestParseSqueueArgs(t *testing.T) {
	t.Parallel()
	now := refTime(12, 0, 0)
	jobs := func(sel ...JobSelector) *[]JobSelector {
		if sel == nil {
			sel = []JobSelector{}
		}
		return &sel
	}
	tests := []struct {
		name string
		args []string
		env  []string
		want SqueueOptions
		warn string
		err  string
		code int
	}{
		{name: "default", args: nil, want: SqueueOptions{}},
		{name: "noheader and format", args: []string{"-h", "-o", "%i %t"},
			want: SqueueOptions{NoHeader: true, Format: "%i %t"}},
		{name: "clustered short options", args: []string{"-hj77"},
			want: SqueueOptions{NoHeader: true, Jobs: jobs(JobSelector{77, -1})}},
		{name: "job operand after -j", args: []string{"-j", "40,45_2"},
			want: SqueueOptions{Jobs: jobs(JobSelector{40, -1}, JobSelector{45, 2})}},
		{name: "jobs long form", args: []string{"--jobs=40"},
			want: SqueueOptions{Jobs: jobs(JobSelector{40, -1})}},
		{name: "strtol job ids", args: []string{"-j", " 77x,,77_"},
			want: SqueueOptions{Jobs: jobs(JobSelector{77, -1}, JobSelector{77, 0})}},
		{name: "bad job id", args: []string{"-j", "abc"}, err: "squeue: error: Invalid job id: abc\n", code: 1},
		{name: "empty job list", args: []string{"-j", ""}, want: SqueueOptions{Jobs: jobs()}},
		{name: "states names and codes", args: []string{"-t", "pd,Running,CG"},
			want: SqueueOptions{States: &[]string{"PENDING", "RUNNING", "COMPLETING"}}},
		{name: "states all", args: []string{"--states=ALL"},
			want: SqueueOptions{States: &[]string{"PENDING", "RUNNING", "SUSPENDED", "COMPLETED", "CANCELLED", "FAILED",
				"TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "COMPLETING",
				"CONFIGURING", "RESIZING", "RESV_DEL_HOLD", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "REVOKED",
				"SIGNALING", "SPECIAL_EXIT", "STAGE_OUT", "STOPPED"}}},
		{name: "empty states select nothing", args: []string{"-t", ""}, want: SqueueOptions{States: &[]string{}}},
		{name: "bad state", args: []string{"-t", "R,pend"}, code: 1,
			err: "squeue: error: Invalid job state specified: pend\nsqueue: error: Valid job states include: " + validJobStatesList() + "\n\n"},
		{name: "users", args: []string{"-u", "root,nobody"}, want: SqueueOptions{Users: &[]uint32{0, 65534}}},
		{name: "unknown user warns", args: []string{"--user=nosuchuser"},
			want: SqueueOptions{Users: &[]uint32{}}, warn: "squeue: error: Invalid user: nosuchuser\n\n"},
		{name: "me", args: []string{"--me"}, want: SqueueOptions{Me: true}},
		{name: "me then user", args: []string{"--me", "-u", "root"}, want: SqueueOptions{Users: &[]uint32{0}}},
		{name: "abbreviated long option", args: []string{"--noh", "--use=root"},
			want: SqueueOptions{NoHeader: true, Users: &[]uint32{0}}},
		{name: "ambiguous long option", args: []string{"--st=pd"}, code: 1,
			err: "squeue: option '--st=pd' is ambiguous; possibilities: '--start' '--steps' '--states'\nTry \"squeue --help\" for more information\n"},
		{name: "unknown long option", args: []string{"--only-job-state"}, code: 1,
			err: "squeue: unrecognized option '--only-job-state'\nTry \"squeue --help\" for more information\n"},
		{name: "invalid short option", args: []string{"-hZ"}, code: 1,
			err: "squeue: invalid option -- 'Z'\nTry \"squeue --help\" for more information\n"},
		{name: "missing argument", args: []string{"-u"}, code: 1,
			err: "squeue: option requires an argument -- 'u'\nTry \"squeue --help\" for more information\n"},
		{name: "flag with argument", args: []string{"--me=1"}, code: 1,
			err: "squeue: option '--me' doesn't allow an argument\nTry \"squeue --help\" for more information\n"},
		{name: "version wins when first", args: []string{"-V", "--bogus"}, want: SqueueOptions{Show: SlurmVersionLine}},
		{name: "format conflict", args: []string{"-o", "%i", "-O", "jobid"}, code: 1,
			err: "squeue: error: -O (--Format) is incompatible with -o (--format)\n"},
		{name: "format and long", args: []string{"-l", "-o", "%i"}, code: 1,
			err: "squeue: fatal: Options -o(--format) and -l(--long) are mutually exclusive. Please remove one and retry.\n"},
		{name: "invalid format letter warns", args: []string{"-o", "%i%-10j%.5"},
			want: SqueueOptions{Format: "%i%-10j%.5"},
			warn: "squeue: error: Invalid job format specification: -\nsqueue: error: Invalid job format specification: \n"},
		{name: "invalid -O name warns", args: []string{"-O", "JobID|,Name"},
			want: SqueueOptions{FormatLong: "JobID|,Name"}, warn: "squeue: error: Invalid job format specification: JobID|\n"},
		{name: "env format", env: []string{"SQUEUE_FORMAT=%i"}, want: SqueueOptions{Format: "%i"}},
		{name: "env format2", env: []string{"SQUEUE_FORMAT2=jobid"}, want: SqueueOptions{FormatLong: "jobid"}},
		{name: "option beats env format", args: []string{"-l"}, env: []string{"SQUEUE_FORMAT=%i"},
			want: SqueueOptions{Long: true}},
		{name: "env filters", env: []string{"SQUEUE_STATES=R", "SQUEUE_USERS=root", "SQUEUE_PARTITION=debug",
			"SQUEUE_NAMES=a,b", "SQUEUE_ACCOUNT=acct", "SQUEUE_SORT=i", "SQUEUE_ARRAY=1"},
			want: SqueueOptions{States: &[]string{"RUNNING"}, Users: &[]uint32{0}, Partitions: &[]string{"debug"},
				Names: &[]string{"a", "b"}, Accounts: &[]string{"acct"}, Sort: "i", Array: true}},
		{name: "options beat env filters", args: []string{"-p", "cloud"}, env: []string{"SQUEUE_PARTITION=debug"},
			want: SqueueOptions{Partitions: &[]string{"cloud"}}},
		{name: "bad env state", env: []string{"SQUEUE_STATES=BOGUS"}, code: 1,
			err: "squeue: error: Invalid job state specified: BOGUS\nsqueue: error: Valid job states include: " + validJobStatesList() + "\n\n"},
		{name: "start", args: []string{"--start"},
			want: SqueueOptions{Start: true, Format: squeueStartFormat, Sort: "S", States: &[]string{"PENDING"}}},
		{name: "stray operand", args: []string{"77"}, code: 1, err: "squeue: error: Unrecognized option: 77\n"},
		{name: "iterate must be positive", args: []string{"-i", "0"}, code: 1, err: "squeue: error: --iterate=0\n\n"},
		{name: "double dash", args: []string{"-j", "--", "40"}, want: SqueueOptions{Jobs: jobs(JobSelector{40, -1})}},
		{name: "json is refused", args: []string{"--json"}, code: 1, err: "squeue: error: --json output is not supported by Sky Port\n"},
		{name: "j is ambiguous between jobs and json", args: []string{"--j"}, code: 1,
			err: "squeue: option '--j' is ambiguous; possibilities: '--jobs' '--json'\nTry \"squeue --help\" for more information\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, warn, err := ParseSqueueArgs(tc.args, tc.env, now, testUsers)
			if warn != tc.warn {
				t.Errorf("warnings %q, want %q", warn, tc.warn)
			}
			if tc.err != "" || tc.code != 0 {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want *Error %q", err, tc.err)
				}
				if e.Msg != tc.err || e.Code != tc.code {
					t.Errorf("err = %q (exit %d), want %q (exit %d)", e.Msg, e.Code, tc.err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSqueueStrayOperandPrintsUsage(t *testing.T) {
	t.Parallel()
	_, _, err := ParseSqueueArgs([]string{"-j", "77", "78"}, nil, refTime(12, 0, 0), testUsers)
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UsageError", err)
	}
	if ue.Stdout != squeueUsageText || ue.Err.Msg != "squeue: error: Unrecognized option: 78\n" || ue.Err.Code != 1 {
		t.Errorf("got %q / %q / %d", ue.Stdout, ue.Err.Msg, ue.Err.Code)
	}
}

func TestSqueueRenderCases(t *testing.T) {
	t.Parallel()
	now := refTime(11, 33, 31)
	tests := []struct {
		name string
		args []string
		jobs func() []*Job
		uid  uint32
		out  string
		err  string
	}{
		{name: "empty queue keeps the header", jobs: func() []*Job { return nil },
			out: "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n"},
		{name: "empty queue without header", args: []string{"-h"}, jobs: func() []*Job { return nil }},
		{name: "single unknown job fails", args: []string{"-j", "99999"}, jobs: fixtureRef21,
			err: "slurm_load_jobs error: Invalid job id specified\n"},
		{name: "finished job hidden by default but known", args: []string{"-h", "-j", "93"}, jobs: fixtureRef44},
		{name: "me filters on the caller", args: []string{"--me", "-h", "-o", "%i"}, uid: 65534, jobs: func() []*Job {
			a, b := fixtureRef21()[0], fixtureRef21()[1]
			b.UID = 65534
			return []*Job{a, b}
		}, out: "41\n"},
		{name: "name and partition filters", args: []string{"-h", "-o", "%i", "-n", "arr,long1,long2", "-p", "debug"},
			jobs: fixtureRef21, out: "45_[0-5%2]\n40\n"},
		{name: "reverse sort", args: []string{"-h", "-o", "%i", "-S", "-i"}, jobs: fixtureRef21,
			out: "47\n46_[1,3,7]\n45_[0-5%2]\n44\n43\n42\n41\n40\n"},
		{name: "bad sort after header", args: []string{"-o", "%i", "-S", "i,x"}, jobs: fixtureRef21,
			out: "JOBID\n", err: "squeue: error: Invalid sort specification: x\n"},
		{name: "running filter matches configuring", args: []string{"-h", "-t", "R", "-o", "%i %T"}, jobs: func() []*Job {
			j := running(refJob(5, "cf"), refTime(11, 0, 0))
			j.State = "CONFIGURING"
			return []*Job{j}
		}, out: "5 CONFIGURING\n"},
		{name: "steps header only", args: []string{"-s"}, jobs: fixtureRef21,
			out: "         STEPID     NAME PARTITION     USER      TIME NODELIST\n"},
		{name: "array task filter on a plain job", args: []string{"-h", "-j", "40_1"}, jobs: fixtureRef21},
		{name: "prefix only format", args: []string{"-h", "-j", "40", "-o", "hello"}, jobs: fixtureRef21, out: "hello\n"},
		{name: "lone percent", args: []string{"-j", "40", "-o", "%"}, jobs: fixtureRef21, out: "\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, _ := runSqueue(t, tc.args, nil, tc.jobs(), tc.uid, now)
			if out != tc.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tc.out)
			}
			if errOut != tc.err {
				t.Errorf("stderr %q, want %q", errOut, tc.err)
			}
		})
	}
}

func TestExpandArrayTasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []int64
	}{
		{"0-5%2", []int64{0, 1, 2, 3, 4, 5}},
		{"1,3,7", []int64{1, 3, 7}},
		{"0-15:4", []int64{0, 4, 8, 12}},
		{"7,1-2,2", []int64{1, 2, 7}},
		{"x,5-3,-1,4", []int64{4}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := expandArrayTasks(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("expandArrayTasks(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormatArrayTasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tasks    []int64
		throttle int
		want     string
	}{
		{[]int64{0, 1, 2, 3, 4, 5}, 2, "0-5%2"},
		{[]int64{1, 3, 5, 7, 9}, 3, "1,3,5,7,9%3"},
		{[]int64{7, 3, 1}, 0, "1,3,7"},
		{[]int64{1, 2}, 0, "1-2"},
		{[]int64{4, 5, 0, 2, 2}, 0, "0,2,4-5"},
		{nil, 0, ""},
	}
	for _, tc := range tests {
		got := FormatArrayTasks(tc.tasks, tc.throttle)
		if got != tc.want {
			t.Errorf("FormatArrayTasks(%v, %d) = %q, want %q", tc.tasks, tc.throttle, got, tc.want)
		}
		if tc.throttle == 0 && !reflect.DeepEqual(expandArrayTasks(got), expandArrayTasks(FormatArrayTasks(expandArrayTasks(got), 0))) {
			t.Errorf("round trip of %q differs", got)
		}
	}
}

func TestAppendUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mb   int64
		want string
	}{
		{1024, "1G"}, {50, "50M"}, {1536, "1.50G"}, {2049, "2049M"}, {2048, "2G"}, {4096, "4G"},
		{512, "512M"}, {1048576, "1T"}, {0, "0"}, {24152, "24152M"}, {1049088, "1.00T"},
	}
	for _, tc := range tests {
		if got := string(appendMemMB(nil, tc.mb)); got != tc.want {
			t.Errorf("appendMemMB(%d) = %q, want %q", tc.mb, got, tc.want)
		}
	}
	if got := string(appendUnits(nil, 4836, 1)); got != "4836K" {
		t.Errorf("4836 KiB = %q, want 4836K", got)
	}
	if got := string(appendUnits(nil, 4096, 1)); got != "4M" {
		t.Errorf("4096 KiB = %q, want 4M", got)
	}
}

// FuzzParseSqueueArgs checks that no command line makes the parser or the
// renderer panic, and that every failure is an *Error.
func FuzzParseSqueueArgs(f *testing.F) {
	for _, s := range []string{"-h\x00-o\x00%i %t", "-j\x0045_2,40", "-t\x00all", "--st=x", "-O\x00JobID:.5x,Name",
		"-u\x00nosuchuser", "-S\x00-i,P", "--start", "-r\x00-l", "-hj77", "-o\x00%.18i %9P %all %"} {
		f.Add(s)
	}
	jobs := fixtureRef21()
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		o, _, err := ParseSqueueArgs(args, nil, refTime(12, 0, 0), testUsers)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == 0 || !strings.HasSuffix(e.Msg, "\n") {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if err := Squeue(io.Discard, o, jobs, 0, refTime(12, 0, 0)); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("render error %v", err)
			}
		}
	})
}

// FuzzSqueueFormat checks the -o and -O engines on arbitrary specs: no
// panic, every line ends in a newline, one line per job plus the header.
func FuzzSqueueFormat(f *testing.F) {
	for _, s := range []string{"%.18i %.9P %.8j", "%10i|%-10j|%.10T|%20S|%", "%%", "x%%%y", "%.5", "%all", "a%ib"} {
		f.Add(s, false)
	}
	for _, s := range []string{"JobID:8,Name:10,State:.12", "jobid:.,name:3x|", "name:-5,bogus:5|", ",,numtasksss,"} {
		f.Add(s, true)
	}
	jobs := fixtureRef21()
	f.Fuzz(func(t *testing.T, spec string, long bool) {
		o := SqueueOptions{Format: spec}
		if long {
			o = SqueueOptions{FormatLong: spec}
		}
		if o.Format == "" && o.FormatLong == "" {
			return
		}
		var buf bytes.Buffer
		if err := Squeue(&buf, o, jobs, 0, refTime(12, 0, 0)); err != nil {
			t.Fatal(err)
		}
		// Literal text (and so a newline in the spec) is printed on every
		// line; -O drops the names it does not know.
		perLine := 1 + strings.Count(spec, "\n")
		if long {
			perLine = 1
			if strings.Contains(spec, "\n") {
				return
			}
		}
		if n := strings.Count(buf.String(), "\n"); n != (len(jobs)+1)*perLine {
			t.Fatalf("%d newlines for %d jobs", n, len(jobs))
		}
	})
}

// BenchmarkSqueue100k renders 100 000 pending jobs in the default format,
// as the daemon answers a plain "squeue".
func BenchmarkSqueue100k(b *testing.B) {
	submit := refTime(11, 0, 0)
	jobs := make([]*Job, 100000)
	for i := range jobs {
		j := pending(refJob(uint32(1000+i), "wrap"), submit, "Priority", uint32(4294900000-i))
		jobs[i] = j
	}
	o, _, err := ParseSqueueArgs(nil, nil, submit, testUsers)
	if err != nil {
		b.Fatal(err)
	}
	now := refTime(12, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := Squeue(io.Discard, o, jobs, 0, now); err != nil {
			b.Fatal(err)
		}
	}
}
