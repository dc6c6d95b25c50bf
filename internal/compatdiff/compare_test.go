package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func lines(section string, s ...string) []docLine {
	out := make([]docLine, len(s))
	for i, x := range s {
		out[i] = docLine{x, section}
	}
	return out
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	a := lines("c", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
	b := lines("c", "a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k")
	got := unified(diffLines(a, b), "slurm", "skyport", 1)
	want := "--- slurm\n+++ skyport\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -10 +10,2 @@\n j\n+k\n"
	if got != want {
		t.Errorf("unified =\n%s\nwant\n%s", got, want)
	}
	if d := unified(diffLines(a, a), "x", "y", 3); d != "" {
		t.Errorf("no change gave %q", d)
	}
}

func TestDiffEmptySides(t *testing.T) {
	t.Parallel()
	b := lines("c", "x", "y")
	e := diffLines(nil, b)
	if len(e) != 2 || e[0].Kind != opAdd || e[1].Kind != opAdd {
		t.Errorf("diffLines(nil, b) = %+v", e)
	}
	if d := unified(e, "a", "b", 3); !strings.Contains(d, "@@ -0,0 +1,2 @@") {
		t.Errorf("hunk header: %q", d)
	}
}

func testAllowlist(t *testing.T, text string, names ...string) (*allowlist, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "allow.toml")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var cases []*Case
	for _, n := range names {
		cases = append(cases, &Case{Name: n})
	}
	return loadAllowlist(f, cases)
}

func TestAllowlistCovers(t *testing.T) {
	t.Parallel()
	al, err := testAllowlist(t, `
[[allow]]
case = "sbatch/*"
cmd = "sbatch -M"
match = "on cluster"
why = "one"

[[allow]]
case = "squeue/x"
why = "two"
`, "sbatch/a", "squeue/x", "squeue/y")
	if err != nil {
		t.Fatal(err)
	}
	ed := func(section, text string) []edit {
		return []edit{{Kind: opEqual, Line: docLine{"same", section}}, {Kind: opDel, Line: docLine{text, section}}}
	}
	if why, ok := al.covers("sbatch/a", ed("sbatch -M c --wrap=true", "Submitted batch job 1 on cluster c")); !ok || why[0] != "one" {
		t.Errorf("covers = %v, %v; want the first entry", why, ok)
	}
	if _, ok := al.covers("sbatch/a", ed("sbatch -M c --wrap=true", "Submitted batch job 1")); ok {
		t.Error("a line the match does not cover was allowlisted")
	}
	if _, ok := al.covers("sbatch/a", ed("sbatch --wrap=true", "x on cluster")); ok {
		t.Error("a line of another command was allowlisted")
	}
	if _, ok := al.covers("squeue/x", ed("anything", "anything")); !ok {
		t.Error("a whole-case entry did not cover the case")
	}
	if _, ok := al.covers("squeue/y", ed("anything", "anything")); ok {
		t.Error("an entry covered another case")
	}
	if u := al.unused(); len(u) != 0 {
		t.Errorf("unused = %v, want none", u)
	}
}

func TestAllowlistChecks(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"no why":       "[[allow]]\ncase = \"a/b\"\n",
		"no case":      "[[allow]]\ncase = \"a/zzz\"\nwhy = \"x\"\n",
		"bad regexp":   "[[allow]]\ncase = \"a/b\"\nmatch = \"(\"\nwhy = \"x\"\n",
		"unknown key":  "[[allow]]\ncase = \"a/b\"\nwhy = \"x\"\nline = 3\n",
		"bad glob":     "[[allow]]\ncase = \"a/[\"\nwhy = \"x\"\n",
		"not toml":     "[[allow]\n",
		"empty case":   "[[allow]]\nwhy = \"x\"\n",
		"blank reason": "[[allow]]\ncase = \"a/b\"\nwhy = \"  \"\n",
	} {
		if _, err := testAllowlist(t, text, "a/b"); err == nil {
			t.Errorf("%s: loaded without an error", name)
		}
	}
}

func TestCompareVerdicts(t *testing.T) {
	t.Parallel()
	c := &Case{Name: "g/c", Rules: map[string]bool{}}
	tr := func(id, out string) *transcript {
		return &transcript{IDs: []string{id}, Results: []result{{Text: "sbatch x", Stdout: out}}}
	}
	same := compare(&outcome{Case: c, Slurm: tr("6001", "Submitted batch job 6001\n"), Sky: tr("7001", "Submitted batch job 7001\n")}, "/r", "n", nil)
	if same.Verdict != Same {
		t.Errorf("verdict %s, want same; diff:\n%s", same.Verdict, same.Diff)
	}
	diff := compare(&outcome{Case: c, Slurm: tr("6001", "Submitted batch job 6001\n"), Sky: tr("7001", "7001\n")}, "/r", "n", nil)
	if diff.Verdict != Differs || !strings.Contains(diff.Diff, "+J001") {
		t.Errorf("verdict %s, want differs with +J001; diff:\n%s", diff.Verdict, diff.Diff)
	}
	nl := compare(&outcome{Case: c, Slurm: tr("6001", "6001\n"), Sky: tr("7001", "7001")}, "/r", "n", nil)
	if nl.Verdict != Differs || !strings.Contains(nl.Diff, "no newline at end") {
		t.Errorf("a missing newline was not a difference:\n%s", nl.Diff)
	}
	broken := compare(&outcome{Case: c, Err: os.ErrNotExist}, "/r", "n", nil)
	if broken.Verdict != Broken {
		t.Errorf("verdict %s, want error", broken.Verdict)
	}
}

func TestDropForeign(t *testing.T) {
	t.Parallel()
	tr := &transcript{Results: []result{{Stdout: "JOBID NAME\n  6001 mine\n  5000 other\n5000.batch x\n5000_3|y\nJobId=5000 JobName=z\n6001|ok\n"}}}
	n := dropForeign(tr, map[string]bool{"5000": true})
	if n != 4 {
		t.Errorf("dropped %d lines, want 4", n)
	}
	if want := "JOBID NAME\n  6001 mine\n6001|ok\n"; tr.Results[0].Stdout != want {
		t.Errorf("kept %q, want %q", tr.Results[0].Stdout, want)
	}
}

func TestMirrorNode(t *testing.T) {
	t.Parallel()
	cfg := "[gates.local]\nkind = \"local\"\ncpus = 2\nmemory = \"24152M\"\n"
	got, notes, err := mirrorNode(cfg, "2", "24105")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "memory = \"24105M\"\n") || !strings.Contains(got, "cpus = 2\n") || len(notes) != 1 {
		t.Errorf("mirrorNode = %q, %v", got, notes)
	}
	if _, _, err := mirrorNode("cpus = 2\n", "2", "100"); err == nil {
		t.Error("a configuration without a memory line was accepted")
	}
}

func TestReportText(t *testing.T) {
	t.Parallel()
	mk := func(name string, v Verdict, diff string) *comparison {
		return &comparison{Outcome: &outcome{Case: &Case{Name: name}}, Verdict: v, Diff: diff}
	}
	cmps := []*comparison{
		mk("a/same", Same, ""),
		mk("a/diff", Differs, "--- slurm\n+++ skyport\n@@ -1 +1 @@\n-x\n+y\n"),
		mk("a/ok", Allowlisted, "--- slurm\n+++ skyport\n@@ -1 +1 @@\n-p\n+q\n"),
	}
	cmps[2].Why = []string{"because"}
	text := reportText(runInfo{Unused: []*allowEntry{{Case: "a/gone", Why: "old"}}}, cmps)
	for _, want := range []string{
		"## Differ (1)\n\n### a/diff: differs", "```diff\n--- slurm\n+++ skyport\n@@ -1 +1 @@\n-x\n+y\n```",
		"### a/ok: allowlisted", "why: because", "## Same (1)\n\na/same\n",
		`- case "a/gone" cmd "" match "": old`,
		"```\n\nFailed: a/diff\nSummary: 3 cases: 1 same, 1 differ, 1 allowlisted, 0 errors\ncompat: 2 passed, 1 failed\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "## Differ (1)") < strings.Index(text, "## Same (1)") {
		t.Errorf("the differences are not at the report's end:\n%s", text)
	}
	if !summarize(cmps).failed() {
		t.Error("a difference that is not allowlisted did not fail the run")
	}
	if summarize(cmps[:1]).failed() || summarize([]*comparison{cmps[0], cmps[2]}).failed() {
		t.Error("same and allowlisted cases failed the run")
	}
}
