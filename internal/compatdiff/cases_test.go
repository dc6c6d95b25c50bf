package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseGroup(t *testing.T) {
	t.Parallel()
	cs, err := parseGroup("g", []byte(`# a comment
normalize elapsed
-- job.sh --
#!/bin/sh
true
-- case one --
# comment
env A=1
env B
sbatch --parsable job.sh
wait $J1 COMPLETED,FAILED 20s
sleep 0.5
quiet scancel $J1
-- case two --
exclusive
squeue
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Name != "g/one" || cs[1].Name != "g/two" {
		t.Fatalf("cases %v", cs)
	}
	one := cs[0]
	if !one.Rules["elapsed"] || one.Exclusive || !cs[1].Exclusive || string(one.Files["job.sh"]) != "#!/bin/sh\ntrue\n" {
		t.Errorf("group settings not applied: %+v", one)
	}
	kinds := []StepKind{StepEnv, StepEnv, StepCmd, StepWait, StepSleep, StepQuiet}
	if len(one.Steps) != len(kinds) {
		t.Fatalf("steps %+v", one.Steps)
	}
	for i, k := range kinds {
		if one.Steps[i].Kind != k {
			t.Errorf("step %d kind %d, want %d", i, one.Steps[i].Kind, k)
		}
	}
	if s := one.Steps[1]; !s.Unset || s.Key != "B" {
		t.Errorf("env B: %+v", s)
	}
	if w := one.Steps[3]; w.Key != "J1" || strings.Join(w.States, ",") != "COMPLETED,FAILED" || w.Timeout != 20*time.Second {
		t.Errorf("wait: %+v", w)
	}
	if p := one.Steps[4].Pause; p != 500*time.Millisecond {
		t.Errorf("sleep %v", p)
	}
	if one.Dir() != "g.one" {
		t.Errorf("Dir = %q", one.Dir())
	}
}

func TestParseGroupErrors(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"no cases":      "-- job.sh --\n#!/bin/sh\n",
		"bad directive": "frobnicate\n-- case a --\nsqueue\n",
		"bad rule":      "-- case a --\nnormalize everything\nsqueue\n",
		"bad wait":      "-- case a --\nwait 123 COMPLETED\n",
		"bad wait time": "-- case a --\nwait $J1 COMPLETED soon\n",
		"empty case":    "-- case a --\n# nothing\n",
		"bad case name": "-- case a b --\nsqueue\n",
		"absolute file": "-- /etc/x --\n-- case a --\nsqueue\n",
		"bad env":       "-- case a --\nenv =x\n",
		"empty quiet":   "-- case a --\nquiet\n",
	} {
		if _, err := parseGroup("g", []byte(text)); err == nil {
			t.Errorf("%s: parsed without an error", name)
		}
	}
}

// The corpus itself: it loads, has at least 150 cases, and every entry
// of the allowlist is well formed and names a case.
func TestCorpus(t *testing.T) {
	t.Parallel()
	cases, err := LoadCases("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 150 {
		t.Errorf("%d cases, want at least 150", len(cases))
	}
	if _, err := loadAllowlist("allowlist.toml", cases); err != nil {
		t.Error(err)
	}
}

func TestParseJobStates(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"COMPLETED|debug\n":                     "COMPLETED",
		"CANCELLED by 0|debug\nPENDING|cloud\n": "CANCELLED by 0,PENDING",
		"COMPLETED|\n":                          "", // a nameless "allocation": not recorded yet
		"COMPLETED|debug\nCOMPLETED|\n":         "",
		"\n":                                    "",
	} {
		if got := strings.Join(parseJobStates(in), ","); got != want {
			t.Errorf("parseJobStates(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseNextJobID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]uint32{
		"MinJobAge               = 300 sec\nNEXT_JOB_ID             = 6166\nOverTimeLimit = 0 min\n": 6166,
		"NEXT_JOB_ID = 1\n": 1,
		"NEXT_JOB_ID = 0\n": 0, "NEXT_JOB_ID = x\n": 0, "MinJobAge = 300 sec\n": 0,
	} {
		got, err := parseNextJobID(in)
		if got != want || (err == nil) != (want != 0) {
			t.Errorf("parseNextJobID(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// snapshot lists what the commands and jobs wrote: new and changed files,
// not the unchanged setup files.
func TestSnapshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	setup := map[string][]byte{"job.sh": []byte("#!/bin/sh\n"), "in.txt": []byte("a\n"), "sub/keep": []byte("k")}
	if err := writeFiles(dir, setup); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("changed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "slurm-1.out"), []byte("out\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := snapshot(dir, setup)
	if err != nil {
		t.Fatal(err)
	}
	want := []fileResult{{"in.txt", "changed\n"}, {"sub/slurm-1.out", "out\n"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("snapshot = %+v, want %+v", got, want)
	}
}

// Every form of sbatch's answer names the job, so that the case's jobs
// are cancelled afterwards.
func TestLearnIDs(t *testing.T) {
	t.Parallel()
	r := &sideRun{}
	r.learnIDs("sbatch -M c --wrap=true", result{Stdout: "Submitted batch job 11 on cluster c\n"})
	r.learnIDs("sbatch --wrap=true", result{Stdout: "Submitted batch job 12\n"})
	r.learnIDs("sbatch --parsable -M c --wrap=true", result{Stdout: "13;c\n"})
	r.learnIDs("sbatch --test-only --wrap=true", result{Stderr: "sbatch: Job 14 to start at 2026-11-27T11:35:12 using 1 processors on nodes vm in partition debug\n"})
	r.learnIDs("squeue -h -o %D", result{Stdout: "15\n"})
	if want := []string{"11", "12", "13", "14"}; !reflect.DeepEqual(r.tr.IDs, want) {
		t.Errorf("IDs %v, want %v", r.tr.IDs, want)
	}
	if r.env.get("J3") != "13" {
		t.Errorf("J3 = %q", r.env.get("J3"))
	}
}
