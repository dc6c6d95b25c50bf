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

// runSacct runs sacct the way the shim and the daemon together do.
func runSacct(t *testing.T, args, env []string, jobs []*Job, uid uint32, now time.Time) (string, string, int) {
	t.Helper()
	o, err := ParseSacctArgs(args, env, now, testUsers)
	if err != nil {
		out, msg, code := errorOutput(t, err)
		return out, msg, code
	}
	o.ForCaller(uid)
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back SacctOptions
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Start.Equal(o.Start) || !back.End.Equal(o.End) {
		t.Fatalf("window changed over JSON: %v-%v vs %v-%v", o.Start, o.End, back.Start, back.End)
	}
	var buf bytes.Buffer
	err = Sacct(&buf, back, jobs, now)
	_, msg, code := errorOutput(t, err)
	return buf.String(), msg, code
}

func TestSacctGolden(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldens(t, "sacct") {
		t.Run(g.path, func(t *testing.T) {
			t.Parallel()
			fix, ok := sacctFixtures[g.fixture]
			if !ok {
				t.Fatalf("unknown fixture %q", g.fixture)
			}
			out, errOut, code := runSacct(t, g.args, g.env, fix(), g.uid, g.now)
			checkGolden(t, g, out, errOut, code)
		})
	}
}

func TestSacctLongFields(t *testing.T) {
	t.Parallel()
	// REFERENCE.md §4.2: "sacct -j 93 -l -P" header and job row.
	out, errOut, _ := runSacct(t, []string{"-j", "93", "-l", "-P"}, nil, fixtureRef4(), 0, refTime(11, 38, 30))
	lines := strings.Split(out, "\n")
	wantHeader := "JobID|JobIDRaw|JobName|Partition|MaxVMSize|MaxVMSizeNode|MaxVMSizeTask|AveVMSize|MaxRSS|MaxRSSNode|MaxRSSTask|AveRSS|MaxPages|MaxPagesNode|MaxPagesTask|AvePages|MinCPU|MinCPUNode|MinCPUTask|AveCPU|NTasks|AllocCPUS|Elapsed|State|ExitCode|AveCPUFreq|ReqCPUFreqMin|ReqCPUFreqMax|ReqCPUFreqGov|ReqMem|ConsumedEnergy|MaxDiskRead|MaxDiskReadNode|MaxDiskReadTask|AveDiskRead|MaxDiskWrite|MaxDiskWriteNode|MaxDiskWriteTask|AveDiskWrite|ReqTRES|AllocTRES|TRESUsageInAve|TRESUsageInMax|TRESUsageInMaxNode|TRESUsageInMaxTask|TRESUsageInMin|TRESUsageInMinNode|TRESUsageInMinTask|TRESUsageInTot|TRESUsageOutMax|TRESUsageOutMaxNode|TRESUsageOutMaxTask|TRESUsageOutAve|TRESUsageOutTot"
	wantRow := "93|93|wrap|debug||||||||||||||||||1|00:00:00|FAILED|1:0||Unknown|Unknown|Unknown|1G||||||||||billing=1,cpu=1,mem=1G,node=1|billing=1,cpu=1,mem=1G,node=1|||||||||||||"
	if errOut != "" || len(lines) < 3 || lines[0] != wantHeader || lines[1] != wantRow {
		t.Errorf("got:\n%s\nwant header and row:\n%s\n%s", out, wantHeader, wantRow)
	}
}

func TestSacctHelpFormat(t *testing.T) {
	t.Parallel()
	// "sacct --helpformat" on the reference machine (22.05.8), verbatim.
	want := "" +
		"Account             AdminComment        AllocCPUS           AllocNodes         \n" +
		"AllocTRES           AssocID             AveCPU              AveCPUFreq         \n" +
		"AveDiskRead         AveDiskWrite        AvePages            AveRSS             \n" +
		"AveVMSize           BlockID             Cluster             Comment            \n" +
		"Constraints         ConsumedEnergy      ConsumedEnergyRaw   Container          \n" +
		"CPUTime             CPUTimeRAW          DBIndex             DerivedExitCode    \n" +
		"Elapsed             ElapsedRaw          Eligible            End                \n" +
		"ExitCode            Flags               GID                 Group              \n" +
		"JobID               JobIDRaw            JobName             Layout             \n" +
		"MaxDiskRead         MaxDiskReadNode     MaxDiskReadTask     MaxDiskWrite       \n" +
		"MaxDiskWriteNode    MaxDiskWriteTask    MaxPages            MaxPagesNode       \n" +
		"MaxPagesTask        MaxRSS              MaxRSSNode          MaxRSSTask         \n" +
		"MaxVMSize           MaxVMSizeNode       MaxVMSizeTask       McsLabel           \n" +
		"MinCPU              MinCPUNode          MinCPUTask          NCPUS              \n" +
		"NNodes              NodeList            NTasks              Partition          \n" +
		"Priority            QOS                 QOSRAW              Reason             \n" +
		"ReqCPUFreq          ReqCPUFreqGov       ReqCPUFreqMax       ReqCPUFreqMin      \n" +
		"ReqCPUS             ReqMem              ReqNodes            ReqTRES            \n" +
		"Reservation         ReservationId       Reserved            ResvCPU            \n" +
		"ResvCPURAW          Start               State               Submit             \n" +
		"SubmitLine          Suspended           SystemComment       SystemCPU          \n" +
		"Timelimit           TimelimitRaw        TotalCPU            TRESUsageInAve     \n" +
		"TRESUsageInMax      TRESUsageInMaxNode  TRESUsageInMaxTask  TRESUsageInMin     \n" +
		"TRESUsageInMinNode  TRESUsageInMinTask  TRESUsageInTot      TRESUsageOutAve    \n" +
		"TRESUsageOutMax     TRESUsageOutMaxNode TRESUsageOutMaxTask TRESUsageOutMin    \n" +
		"TRESUsageOutMinNode TRESUsageOutMinTask TRESUsageOutTot     UID                \n" +
		"User                UserCPU             WCKey               WCKeyID            \n" +
		"WorkDir            \n"
	for _, args := range [][]string{{"--helpformat"}, {"-e"}, {"--help-fields"}} {
		out, _, code := runSacct(t, args, nil, nil, 0, refTime(12, 0, 0))
		if out != want || code != 0 {
			t.Errorf("%v:\n%s", args, out)
		}
	}
}

func TestParseSacctArgs(t *testing.T) {
	t.Parallel()
	now := refTime(12, 0, 0)
	midnight := refTime(0, 0, 0)
	cols := func(spec string) []SacctColumn {
		c, err := parseSacctFields(spec + ",")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	def := cols(sacctDefaultFields)
	tests := []struct {
		name string
		args []string
		env  []string
		want SacctOptions
		err  string
	}{
		{name: "defaults", want: SacctOptions{Columns: def, Start: midnight}},
		{name: "jobs imply all users and no window", args: []string{"-j", "93,96", "-j", "45_2", "-j", "93.batch"},
			want: SacctOptions{Columns: def, AllUsers: true, Jobs: &[]SacctJobSelector{{93, -1, "", false}, {96, -1, "", false}, {45, 2, "", false}, {93, -1, "batch", false}}}},
		{name: "strtol job ids", args: []string{"-j", "14x,,15 16"},
			want: SacctOptions{Columns: def, AllUsers: true, Jobs: &[]SacctJobSelector{{14, -1, "", false}, {15, -1, "", false}}}},
		{name: "hetjob component and huge id name nothing", args: []string{"-j", "14+0,99999999999"},
			want: SacctOptions{Columns: def, AllUsers: true, Jobs: &[]SacctJobSelector{{14, -1, "", true}, {1215752191, -1, "", true}}}},
		{name: "bad job", args: []string{"-j", "14,abc"}, err: "sacct: fatal: Bad job/step specified: abc\n"},
		{name: "bad step", args: []string{"-j", "14.foo"}, err: "sacct: fatal: Bad step specified: 14\n"},
		{name: "bad array element", args: []string{"-j", "14_[1-3]"}, err: "sacct: fatal: Bad job array element specified: 14\n"},
		{name: "states default start now and end start", args: []string{"-s", "pd,R"},
			want: SacctOptions{Columns: def, Start: now, End: now, States: &[]string{"PENDING", "RUNNING"}}},
		{name: "states with window", args: []string{"-s", "CD", "-S", "2026-11-27", "-E", "now"},
			want: SacctOptions{Columns: def, Start: midnight, End: now, States: &[]string{"COMPLETED"}}},
		{name: "bad state", args: []string{"-s", "R,BOGUS"}, err: "sacct: fatal: unrecognized job state value 'BOGUS'\n"},
		{name: "users", args: []string{"-u", "root,nobody,root"},
			want: SacctOptions{Columns: def, Start: midnight, Users: &[]uint32{0, 65534}}},
		{name: "user -1 is everyone", args: []string{"-u", "-1"}, want: SacctOptions{Columns: def, Start: midnight, AllUsers: true}},
		{name: "unknown user", args: []string{"-u", "root,nosuch"}, err: "sacct: error: Invalid user id: nosuch\n"},
		{name: "names partitions accounts", args: []string{"--name=a,b", "-r", "debug", "-A", "root"},
			want: SacctOptions{Columns: def, Start: midnight, Names: &[]string{"a", "b"}, Partitions: &[]string{"debug"}, Accounts: &[]string{"root"}}},
		{name: "parsable flags", args: []string{"-p", "-n", "-X", "-D", "--delimiter=:"},
			want: SacctOptions{Columns: def, Start: midnight, Parsable: 1, NoHeader: true, Allocations: true, Duplicates: true, Delimiter: ":"}},
		{name: "parsable2", args: []string{"-P"}, want: SacctOptions{Columns: def, Start: midnight, Parsable: 2}},
		{name: "brief after format", args: []string{"-o", "jobname", "-b"}, want: SacctOptions{Columns: cols("jobname,jobid,state,exitcode"), Start: midnight}},
		{name: "env format", env: []string{"SACCT_FORMAT=jobid,state"}, want: SacctOptions{Columns: cols("jobid,state"), Start: midnight}},
		{name: "option beats env", args: []string{"-o", "state"}, env: []string{"SACCT_FORMAT=jobid"},
			want: SacctOptions{Columns: []SacctColumn{{"State", 10}}, Start: midnight}},
		{name: "field prefixes", args: []string{"-o", "st,s,job,u,c,t"},
			want: SacctOptions{Columns: []SacctColumn{{"Start", 19}, {"Start", 19}, {"JobID", -12}, {"UID", 6}, {"Cluster", 10}, {"Timelimit", 10}}, Start: midnight}},
		{name: "width is per field, last wins", args: []string{"-o", "state,State%20,jobid%-3"},
			want: SacctOptions{Columns: []SacctColumn{{"State", 20}, {"State", 20}, {"JobID", -3}}, Start: midnight}},
		{name: "empty item ends the list", args: []string{"-o", "jobid,,state"}, want: SacctOptions{Columns: []SacctColumn{{"JobID", -12}}, Start: midnight}},
		{name: "bad field", args: []string{"-o", "JobID,Bogus%5"}, err: "sacct: error: Invalid field requested: \"Bogus\"\n"},
		{name: "bad time", args: []string{"-S", "11:36x"}, err: "Invalid time specification (pos=5): 11:36x\n"},
		{name: "stray operand", args: []string{"foo"}, err: "sacct: error: Unknown arguments:\nsacct: error:  foo\n"},
		{name: "getopt error has no Try line", args: []string{"--bogus"}, err: "sacct: unrecognized option '--bogus'\n"},
		{name: "version", args: []string{"-V"}, want: SacctOptions{Show: SlurmVersionLine}},
		{name: "yaml is refused", args: []string{"--yaml"}, err: "sacct: error: --yaml output is not supported by Sky Port\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSacctArgs(tc.args, tc.env, now, testUsers)
			if tc.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Msg != tc.err || e.Code != 1 {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSacctAllField(t *testing.T) {
	t.Parallel()
	o, err := ParseSacctArgs([]string{"-o", "a%5"}, nil, refTime(12, 0, 0), testUsers)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Columns) != len(sacctFields()) {
		t.Fatalf("%d columns, want all %d", len(o.Columns), len(sacctFields()))
	}
	for _, c := range o.Columns {
		if c.Width != 5 {
			t.Fatalf("column %s has width %d, want 5", c.Name, c.Width)
		}
	}
	// Every field renders on job and step rows without panicking.
	o.Columns = nil
	for _, f := range sacctFields() {
		o.Columns = append(o.Columns, SacctColumn{Name: f.name, Width: f.width})
	}
	o.Jobs, o.AllUsers = nil, true
	o.Start = time.Time{}
	var buf bytes.Buffer
	if err := Sacct(&buf, o, fixtureRef4(), refTime(12, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n < 20 {
		t.Errorf("only %d lines", n)
	}
}

func TestSacctRenderCases(t *testing.T) {
	t.Parallel()
	now := refTime(11, 38, 30)
	tests := []struct {
		name string
		args []string
		uid  uint32
		out  string
	}{
		{name: "batch step only", args: []string{"-j", "93.batch", "-o", "jobid,state"},
			out: "JobID             State \n------------ ---------- \n93.batch         FAILED \n"},
		{name: "job and its step", args: []string{"-P", "-j", "93,93.batch", "-o", "jobid,jobname"},
			out: "JobID|JobName\n93|wrap\n93.batch|batch\n"},
		{name: "step selector with -X shows the job", args: []string{"-n", "-X", "-j", "93.batch", "-o", "jobid"},
			out: "93           \n"},
		{name: "non-root sees own jobs only", uid: 1000, args: []string{"-n", "-X", "-o", "jobid"}},
		{name: "all users for non-root", uid: 1000, args: []string{"-a", "-n", "-X", "-P", "-o", "jobid", "--name", "trapper"},
			out: "56\n"},
		{name: "width zero", args: []string{"-X", "-j", "93", "-o", "jobid%0,state%", "-P"}, out: "JobID|State\n93|FAILED\n"},
		{name: "aligned width zero", args: []string{"-X", "-j", "93", "-o", "jobid%0,state%"}, out: "  \n  \n  \n"},
		{name: "right justified jobid and no cut numbers", args: []string{"-X", "-j", "91", "-o", "jobid%6,elapsed%2,ncpus%1,jobname%-3"},
			out: " JobID El N Job \n------ -- - --- \n    91 00:01:27 1 ti+ \n"},
		{name: "qos and node filters", args: []string{"-X", "-P", "-n", "-o", "jobid", "-q", "NORMAL", "-N", "vm", "--name", "trapper"},
			out: "56\n"},
		{name: "node filter without match", args: []string{"-X", "-P", "-n", "-o", "jobid", "-N", "other[1-2]"}},
		{name: "custom delimiter", args: []string{"-X", "-j", "93", "-p", "--delimiter=::", "-o", "jobid,state"},
			out: "JobID::State::\n93::FAILED::\n"},
		{name: "end only: eligible before it", args: []string{"-X", "-P", "-n", "-o", "jobid", "-E", "11:34:00", "-j", "0"},
			out: "40\n45_0\n45_1\n45_2\n45_3\n45_4\n45_5\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, _ := runSacct(t, tc.args, nil, fixtureRef4(), tc.uid, now)
			if out != tc.out || errOut != "" {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr: %q", out, tc.out, errOut)
			}
		})
	}
}

func TestParseSacctTime(t *testing.T) {
	t.Parallel()
	now := refTime(11, 38, 30)
	at := func(mo, d, h, m, s int) time.Time { return time.Date(2026, time.Month(mo), d, h, m, s, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "11:36", want: at(11, 27, 11, 36, 0)},
		{in: "11:36:15", want: at(11, 27, 11, 36, 15)},
		{in: "23:00", want: at(11, 27, 23, 0, 0)}, // the past flag keeps "today" even in the future
		{in: "1:05pm", want: at(11, 27, 13, 5, 0)},
		{in: "12:00 AM", want: at(11, 27, 0, 0, 0)},
		{in: "1127", want: at(11, 27, 0, 0, 0)},
		{in: "1226", want: time.Date(2025, 12, 26, 0, 0, 0, 0, time.UTC)}, // a later month is last year
		{in: "112725", want: time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC)},
		{in: "11/20", want: at(11, 20, 0, 0, 0)},
		{in: "11.20.24", want: time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC)},
		{in: "11/20/26-10:00", want: at(11, 20, 10, 0, 0)},
		{in: "2026-11-27", want: at(11, 27, 0, 0, 0)},
		{in: "2026-11-27T11:33", want: at(11, 27, 11, 33, 0)},
		{in: "2026-11-27T11:33:24", want: at(11, 27, 11, 33, 24)},
		{in: "today", want: at(11, 27, 0, 0, 0)},
		{in: "midnight", want: at(11, 27, 0, 0, 0)},
		{in: "noon", want: at(11, 27, 12, 0, 0)},
		{in: "tomorrow", want: at(11, 28, 0, 0, 0)},
		{in: "now", want: now},
		{in: "NOW-2minutes", want: now.Add(-2 * time.Minute)},
		{in: "now+1hour", want: now.Add(time.Hour)},
		{in: "now-2days", want: now.Add(-48 * time.Hour)},
		{in: "now-1week", want: now.Add(-7 * 24 * time.Hour)},
		{in: "now-30", want: now.Add(-30 * time.Second)},
		{in: "now - 5 minutes", want: now.Add(-5 * time.Minute)},
		{in: "uts1700000000", want: time.Unix(1700000000, 0).UTC()},
		{in: "T", want: time.Time{}},
		{in: "", want: time.Time{}},
		{in: "garbage", err: "Invalid time specification (pos=0): garbage\n"},
		{in: "11:36x", err: "Invalid time specification (pos=5): 11:36x\n"},
		{in: "25:00", err: "Invalid time specification (pos=0): 25:00\n"},
		{in: "2026-13-01", err: "Invalid time specification (pos=5): 2026-13-01\n"},
		{in: "13/01", err: "Invalid time specification (pos=0): 13/01\n"},
		{in: "1301", err: "Invalid time specification (pos=0): 1301\n"},
		{in: "now-1x", err: "Invalid time specification (pos=4): now-1x\n"},
		{in: "now+", err: "Invalid time specification (pos=3): now+\n"},
		{in: "todayx", err: "Invalid time specification (pos=5): todayx\n"},
		{in: "uts123", err: "Invalid time specification (pos=0): uts123\n"},
		{in: "1:2", err: "Invalid time specification (pos=3): 1:2\n"},
	}
	for _, tc := range tests {
		got, err := ParseSacctTime(tc.in, now)
		if tc.err != "" {
			var e *Error
			if !errors.As(err, &e) || e.Msg != tc.err || e.Code != 1 {
				t.Errorf("ParseSacctTime(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseSacctTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseSacctArgs checks that no command line makes sacct's parser or
// renderer panic, and that every failure is an *Error.
func FuzzParseSacctArgs(f *testing.F) {
	for _, s := range []string{"-j\x0093,96\x00-X\x00-P", "-o\x00jobid%20,state%-3,a%0", "-S\x00now-2minutes\x00-s\x00TO,oom",
		"-l\x00-p", "-b\x00-n", "-u\x00-1", "--name=x,y", "-j\x0045_2.batch", "-o\x00%5", "-o\x00,jobid"} {
		f.Add(s)
	}
	jobs := fixtureRef4()
	f.Fuzz(func(t *testing.T, line string) {
		o, err := ParseSacctArgs(strings.Split(line, "\x00"), nil, refTime(12, 0, 0), testUsers)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == 0 || !strings.HasSuffix(e.Msg, "\n") {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		o.ForCaller(0)
		if err := Sacct(io.Discard, o, jobs, refTime(12, 0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzSacctTime checks that ParseSacctTime never panics and reports
// errors in Slurm's form.
func FuzzSacctTime(f *testing.F) {
	for _, s := range []string{"11:36", "2026-11-27T11:33:24", "now-2minutes", "11/20/26-10:00", "uts1700000000",
		"garbage", "1:2", "now+", "12:00 pm", "2026-1--5", "today midnight"} {
		f.Add(s)
	}
	now := refTime(11, 38, 30)
	f.Fuzz(func(t *testing.T, spec string) {
		_, err := ParseSacctTime(spec, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "Invalid time specification (pos=") {
				t.Fatalf("bad error %v", err)
			}
		}
	})
}

// TestSacctDuplicates: -D lists a requeued job's earlier runs, oldest
// first, before its current one, with their batch and srun steps; a step
// selector picks that step of every run (as real Slurm 22.05 prints for a
// job requeued after its first srun step).
func TestSacctDuplicates(t *testing.T) {
	t.Parallel()
	now := refTime(11, 38, 30)
	start := now.Add(-time.Minute)
	steps := func(n int, end time.Time) []*Step {
		var out []*Step
		for i := range n {
			out = append(out, &Step{ID: string(rune('0' + i)), Name: "true", State: "COMPLETED", Start: start, End: end})
		}
		return out
	}
	past := &Job{JobID: 2186, ArrayTaskID: -1, Name: "step.sh", State: "REQUEUED", Partition: "debug", SubmitTime: start, StartTime: start, EndTime: start.Add(2 * time.Second),
		Batch: &Step{Name: "batch", State: "CANCELLED", Signal: 15, Start: start, End: start.Add(2 * time.Second)}, Steps: steps(1, start)}
	job := &Job{JobID: 2186, ArrayTaskID: -1, Name: "step.sh", State: "COMPLETED", Partition: "debug", SubmitTime: start, StartTime: start.Add(5 * time.Second), EndTime: now,
		Batch: &Step{Name: "batch", State: "COMPLETED", Start: start, End: now}, Steps: steps(2, now), PastRuns: []*Job{past}}
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"-D", "-P", "-j", "2186", "-o", "JobID,JobName,State,ExitCode"},
			"JobID|JobName|State|ExitCode\n2186|step.sh|REQUEUED|0:0\n2186.batch|batch|CANCELLED|0:15\n2186.0|true|COMPLETED|0:0\n" +
				"2186|step.sh|COMPLETED|0:0\n2186.batch|batch|COMPLETED|0:0\n2186.0|true|COMPLETED|0:0\n2186.1|true|COMPLETED|0:0\n"},
		{[]string{"-P", "-j", "2186", "-X", "-o", "JobID,State"}, "JobID|State\n2186|COMPLETED\n"},
		{[]string{"-D", "-P", "-j", "2186", "-X", "-o", "JobID,State"}, "JobID|State\n2186|REQUEUED\n2186|COMPLETED\n"},
		{[]string{"-D", "-P", "-j", "2186.0", "-o", "JobID,State"}, "JobID|State\n2186.0|COMPLETED\n2186.0|COMPLETED\n"},
	} {
		out, errOut, _ := runSacct(t, tc.args, nil, []*Job{job}, 0, now)
		if out != tc.out || errOut != "" {
			t.Errorf("sacct %q:\n%s\nwant:\n%s\nstderr: %q", tc.args, out, tc.out, errOut)
		}
	}
}
