package compat

import (
	"strings"
	"testing"
)

func TestExpandPattern(t *testing.T) {
	t.Parallel()
	plain := func(id uint32) PatternVars {
		return PatternVars{JobID: id, ArrayJobID: id, ArrayTaskID: -1, JobName: "nm", User: "root", Node: "vm"}
	}
	task := func(raw, master uint32, idx int64, name string) PatternVars {
		return PatternVars{JobID: raw, ArrayJobID: master, ArrayTaskID: idx, JobName: name, User: "root", Node: "vm"}
	}
	tests := []struct {
		pattern string
		vars    PatternVars
		want    string
	}{
		// REFERENCE §1.3, the file names slurmstepd created.
		{"pat/o-%j-%x-%u-%N-%A-%a.out", PatternVars{JobID: 6, ArrayTaskID: -1, JobName: "myname", User: "root", Node: "vm"},
			"pat/o-6-myname-root-vm-6-4294967294.out"},
		{"pat/e-%j-%x-%u-%N-%A-%a.err", PatternVars{JobID: 6, ArrayTaskID: -1, JobName: "myname", User: "root", Node: "vm"},
			"pat/e-6-myname-root-vm-6-4294967294.err"},
		{"pat/arr-%A_%a-%j-%x-%N.out", task(10, 7, 0, "arr"), "pat/arr-7_0-10-arr-vm.out"},
		{"pat/arr-%A_%a-%j-%x-%N.out", task(7, 7, 3, "arr"), "pat/arr-7_3-7-arr-vm.out"},
		{"slurm-%A_%a.out", task(11, 8, 1, "wrap"), "slurm-8_1.out"},
		{"pat/pct-%%-%n-%t-%s-%J.out", plain(9), "pat/pct-%-0-0-batch-9.out"},
		{"dir-%x-%j.out", PatternVars{JobID: 75, ArrayTaskID: -1, JobName: "fromdirective"}, "dir-fromdirective-75.out"},
		// Checked against files slurmstepd 22.05.8 created (job ids as then).
		{"a-%4j-%3a-%2A", plain(1), "a-0001-4294967294-01"},
		{"b-%12j-%10j", plain(2), "b-0000000002-0000000002"},
		{"c-%q-%Z-%", plain(3), "c-%q-%Z-%"},
		{"d-%5", plain(4), "d-5"},
		{"e-%%j-%%%j-%%%%j", plain(5), "e-%j-%5-%%j"},
		{"f-%5x-%5u-%5N-%3n-%3t-%3s", plain(6), "f-nm-root-vm-000-000-batch"},
		{"g-%b-%o-%c", plain(7), "g-%b-%o-%c"},
		{`h-\%j-x`, plain(8), "h-%j-x"},
		{"i-%J-%3J", plain(9), "i-9-009"},
		{"j-%x%", plain(10), "j-nm%"},
		{"k-%0j-%00j-%-4j", plain(11), "k-11-11-%-4j"},
		{"l-%.4j-%4.j", plain(12), "l-%.4j-4.j"},
		{"m-%12.x", plain(16), "m-2.x"},
		{"n-%123", plain(17), "n-3"},
		{"o-%3%j", plain(18), "o-318"},
		{"p-%%", plain(19), "p-%"},
		{"q-%5%%", plain(20), "q-5%"},
		{`s-a\b-%j`, plain(21), "s-ab-%j"},
		{"t-%3J%3%%", plain(22), "t-0223%"},
		{"0", plain(23), "0"},
		{"u-%x-%4x-%1u", plain(25), "u-nm-nm-root"},
		{"r-%3a-%5A-%A_%a-%j-%1a", task(94, 26, 1, "arr"), "r-001-00026-26_1-94-1"},
		{"r-%3a-%5A-%A_%a-%j-%1a", task(26, 26, 2, "arr"), "r-002-00026-26_2-26-2"},
		// Edge cases that follow from the same rules.
		{"", plain(1), ""},
		{"%", plain(1), "%"},
		{"%%%", plain(1), "%%"},
		{"%99999999999999999999999j", plain(7), "0000000007"},
		{"%a", PatternVars{JobID: 5, ArrayTaskID: 0}, "0"},
	}
	for _, tc := range tests {
		if got := ExpandPattern(tc.pattern, tc.vars); got != tc.want {
			t.Errorf("ExpandPattern(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestResolveOutput(t *testing.T) {
	t.Parallel()
	v := PatternVars{JobID: 25, ArrayTaskID: -1, JobName: "wrap"}
	arr := PatternVars{JobID: 121, ArrayJobID: 120, ArrayTaskID: 1}
	tests := []struct {
		pattern, workDir string
		vars             PatternVars
		want             string
	}{
		{"rel-%j.out", "/tmp/sref/wd", v, "/tmp/sref/wd/rel-25.out"}, // REFERENCE §1.4
		{"", "/tmp/sref/wd", v, "/tmp/sref/wd/slurm-25.out"},
		{"", "/tmp/sbx", arr, "/tmp/sbx/slurm-120_1.out"},
		{"/abs/o-%j", "/tmp", v, "/abs/o-25"},
		{"/dev/null", "/tmp", v, "/dev/null"},
		{"x", "/tmp/", v, "/tmp/x"},
		{"o-%j", "/tmp/pct%j", v, "/tmp/pct%j/o-25"}, // the directory is not expanded
		{`e\-%j`, "/w", v, "/w/e-%j"},
	}
	for _, tc := range tests {
		if got := ResolveOutput(tc.pattern, tc.workDir, tc.vars); got != tc.want {
			t.Errorf("ResolveOutput(%q, %q) = %q, want %q", tc.pattern, tc.workDir, got, tc.want)
		}
	}
	if DefaultOutputPattern(false) != "slurm-%j.out" || DefaultOutputPattern(true) != "slurm-%A_%a.out" {
		t.Errorf("DefaultOutputPattern = %q, %q", DefaultOutputPattern(false), DefaultOutputPattern(true))
	}
}

func FuzzExpandPattern(f *testing.F) {
	for _, s := range []string{"slurm-%j.out", "%4j-%3a", "%12.x", "%%%j", `a\%j`, "%", "%5", "%A_%a"} {
		f.Add(s, uint32(42), int64(-1))
	}
	f.Fuzz(func(t *testing.T, pattern string, id uint32, task int64) {
		v := PatternVars{JobID: id, ArrayJobID: id + 1, ArrayTaskID: task, JobName: "name", User: "u", Node: "n"}
		got := ExpandPattern(pattern, v)
		if !strings.Contains(pattern, "%") && !strings.Contains(pattern, `\`) && got != pattern {
			t.Fatalf("ExpandPattern(%q) = %q: a pattern without %% changed", pattern, got)
		}
		if strings.Contains(pattern, `\`) && got != strings.ReplaceAll(pattern, `\`, "") {
			t.Fatalf("ExpandPattern(%q) = %q: an escaped pattern was expanded", pattern, got)
		}
		// "%%" doubles every % of a pattern without backslashes back to itself.
		if !strings.Contains(pattern, `\`) {
			if lit := ExpandPattern(strings.ReplaceAll(pattern, "%", "%%"), v); lit != pattern {
				t.Fatalf("ExpandPattern(escaped %q) = %q", pattern, lit)
			}
		}
	})
}
