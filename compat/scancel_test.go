package compat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseScancelArgs(t *testing.T) {
	t.Parallel()
	target := func(spec string, id uint32, tasks []int64, step int64) ScancelTarget {
		return ScancelTarget{Spec: spec, JobID: id, Tasks: tasks, Step: step}
	}
	tests := []struct {
		name string
		args []string
		env  []string
		want ScancelOptions
		err  string
	}{
		{name: "ids", args: []string{"55", "99999", "59"},
			want: ScancelOptions{Targets: []ScancelTarget{target("55", 55, nil, -1), target("99999", 99999, nil, -1), target("59", 59, nil, -1)}}},
		{name: "array element and range", args: []string{"57_2", "57_[4-5]", "57_*"},
			want: ScancelOptions{Targets: []ScancelTarget{target("57_2", 57, []int64{2}, -1), target("57_[4-5]", 57, []int64{4, 5}, -1),
				{Spec: "57_*", JobID: 57, Step: -1, AllTasks: true}}}},
		{name: "comma list and step", args: []string{"1,2.0"},
			want: ScancelOptions{Targets: []ScancelTarget{target("1", 1, nil, -1), target("2.0", 2, nil, 0)}}},
		{name: "empty task becomes 0", args: []string{"99_"}, want: ScancelOptions{Targets: []ScancelTarget{target("99_", 99, []int64{0}, -1)}}},
		{name: "name user", args: []string{"-u", "root", "-n", "uj"}, want: ScancelOptions{User: "root", UID: 0, Name: "uj"}},
		{name: "me", args: []string{"--me"}, want: ScancelOptions{Me: true}},
		{name: "state filter", args: []string{"--state=PENDING", "-u", "root"}, want: ScancelOptions{State: "PENDING", User: "root"}},
		{name: "signals", args: []string{"-s", "SIGUSR2", "1"}, want: ScancelOptions{Signal: 12, Targets: []ScancelTarget{target("1", 1, nil, -1)}}},
		{name: "numeric signal", args: []string{"--signal=9", "1"}, want: ScancelOptions{Signal: 9, Targets: []ScancelTarget{target("1", 1, nil, -1)}}},
		{name: "flags", args: []string{"-b", "-f", "-v", "-v", "-M", "refcluster", "-p", "debug", "1"},
			want: ScancelOptions{Batch: true, Full: true, Verbose: 2, Clusters: "refcluster", Partition: "debug",
				Targets: []ScancelTarget{target("1", 1, nil, -1)}}},
		{name: "quiet", args: []string{"-Q", "1"}, want: ScancelOptions{Verbose: -1, Targets: []ScancelTarget{target("1", 1, nil, -1)}}},
		{name: "env", args: []string{"1"}, env: []string{"SCANCEL_VERBOSE=T", "SCANCEL_NAME=x", "SCANCEL_BATCH=true", "SCANCEL_ACCOUNT=ROOT"},
			want: ScancelOptions{Verbose: 1, Name: "x", Batch: true, Account: "root", Targets: []ScancelTarget{target("1", 1, nil, -1)}}},
		{name: "env state counts as identification", env: []string{"SCANCEL_STATE=pd"}, want: ScancelOptions{State: "PENDING"}},
		{name: "version", args: []string{"-V"}, want: ScancelOptions{Show: SlurmVersionLine}},
		{name: "nothing", err: "scancel: error: No job identification provided\n"},
		{name: "bad id", args: []string{"abc"}, err: "scancel: error: Invalid job id abc\n"},
		{name: "zero id", args: []string{"0"}, err: "scancel: error: Invalid job id 0\n"},
		{name: "batch step is not an id", args: []string{"5.batch"}, err: "scancel: error: Invalid job id 5.batch\n"},
		{name: "open bracket", args: []string{"5_[1-3"}, err: "scancel: error: Invalid job id 5_[1-3\n"},
		{name: "negative is an option", args: []string{"-1"}, err: "scancel: invalid option -- '1'\nTry \"scancel --help\" for more information\n"},
		{name: "unknown user", args: []string{"-u", "nosuchuser"}, err: "scancel: error: Invalid user name: nosuchuser\n"},
		{name: "bad signal", args: []string{"-s", "PIPE", "1"}, err: "Unknown job signal: PIPE\n"},
		{name: "zero signal", args: []string{"-s", "0", "1"}, err: "Unknown job signal: 0\n"},
		{name: "bad state", args: []string{"-t", "BOGUS", "1"},
			err: "Invalid job state specified: BOGUS\nValid job states are PENDING, RUNNING, and SUSPENDED\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScancelArgs(tc.args, tc.env, testUsers)
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

func TestParseSignal(t *testing.T) {
	t.Parallel()
	tests := map[string]int{
		"HUP": 1, "sigint": 2, "SIGTERM": 15, "KILL": 9, "USR1": 10, "usr2": 12, "CONT": 18, "STOP": 19,
		"XCPU": 24, " USR1": 10, "USR1 ": 10, "9 ": 9, " 9": 9, "-9": -9, "PIPE": 0, "SIG": 0, "9x": 0, "": 0,
	}
	for in, want := range tests {
		if got := ParseSignal(in); got != want {
			t.Errorf("ParseSignal(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestScancelMessages(t *testing.T) {
	t.Parallel()
	// REFERENCE.md §3 and the reference machine (scancel -v, -f, -n, -u).
	checks := []struct{ got, want string }{
		{ScancelVerboseTerminating("57", false), "scancel: Terminating job 57\n"},
		{ScancelVerboseTerminating("999999_[1-3]", false), "scancel: Terminating job 999999_[1-3]\n"},
		{ScancelVerboseTerminating("999999", true), "scancel: Terminating full job 999999\n"},
		{ScancelKillError("99999", "Invalid job id specified"),
			"scancel: error: Kill job error on job id 99999: Invalid job id specified\n"},
		{ScancelKillError("55", "Job/step already completing or completed"),
			"scancel: error: Kill job error on job id 55: Job/step already completing or completed\n"},
		{ScancelStepKillError("999999.0", "Invalid job id specified"),
			"scancel: error: Kill job error on job step id 999999.0: Invalid job id specified\n"},
		{ScancelNoMatch(ScancelOptions{Name: "zzqqxx", User: "root"}),
			"scancel: error: No active jobs match ALL job filters, including: job_name=zzqqxx user_name=root \n"},
		{ScancelNoMatch(ScancelOptions{State: "PENDING"}),
			"scancel: error: No active jobs match ALL job filters, including: state=PENDING \n"},
		{ScancelNoMatch(ScancelOptions{}), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// FuzzParseScancelArgs checks that no command line makes scancel's parser
// panic and that every failure is an *Error with exit code 1.
func FuzzParseScancelArgs(f *testing.F) {
	for _, s := range []string{"55", "57_[4-5]", "1,2.0", "-s\x00SIGUSR1\x0012", "-u\x00root\x00-n\x00x", "-1", "abc",
		"5_[1-3", "-t\x00pd", "--me", "57_*.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		o, err := ParseScancelArgs(strings.Split(line, "\x00"), nil, testUsers)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != 1 || !strings.HasSuffix(e.Msg, "\n") {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		for _, tg := range o.Targets {
			if tg.JobID == 0 || tg.Spec == "" {
				t.Fatalf("bad target %+v", tg)
			}
		}
	})
}
