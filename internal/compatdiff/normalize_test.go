package main

import (
	"strings"
	"testing"
)

func TestIDToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ord, width int
		want       string
	}{
		{1, 4, "J001"}, {12, 4, "J012"}, {1, 1, "J1"}, {3, 2, "J3"}, {1234, 4, "J1234"}, {2, 6, "J00002"},
	}
	for _, tt := range tests {
		if got := idToken(tt.ord, tt.width); got != tt.want {
			t.Errorf("idToken(%d, %d) = %q, want %q", tt.ord, tt.width, got, tt.want)
		}
	}
}

func TestNormalizeIDs(t *testing.T) {
	t.Parallel()
	n := newNormalizer([]string{"5974", "5975", "5980"}, nil, nil)
	tests := []struct{ in, want string }{
		{"Submitted batch job 5974\n", "Submitted batch job J001\n"},
		{"              5975     debug", "              J002     debug"},
		{"5974_[0-5%2] 5975_3 5974.batch slurm-5980.out", "J001_[0-5%2] J002_3 J001.batch slurm-J003.out"},
		// zero-padded IDs keep their width
		{"w-05974.out job05980/slurm_script", "w-J0001.out jobJ0003/slurm_script"},
		// other numbers, also ones that contain an ID, are left alone
		{"15974 59741 4294967294 24105 0:0", "15974 59741 4294967294 24105 0:0"},
		{"JobId=5975 ArrayJobId=5974", "JobId=J002 ArrayJobId=J001"},
	}
	for _, tt := range tests {
		if got := n.apply(tt.in); got != tt.want {
			t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The same output with IDs of the same width on both sides normalises to
// the same text, and padding is kept: a column one space off still differs.
func TestNormalizeKeepsColumns(t *testing.T) {
	t.Parallel()
	a := newNormalizer([]string{"6042"}, nil, nil)
	b := newNormalizer([]string{"7001"}, nil, nil)
	if x, y := a.apply("              6042     debug"), b.apply("              7001     debug"); x != y {
		t.Errorf("same layout normalised differently: %q vs %q", x, y)
	}
	if x, y := a.apply("              6042     debug"), b.apply("             7001     debug"); x == y {
		t.Errorf("a column one space off normalised away: %q", x)
	}
}

func TestNormalizeAlwaysRules(t *testing.T) {
	t.Parallel()
	n := newNormalizer(nil, nil, nil)
	tests := []struct{ in, want string }{
		{"2026-11-27T11:34:48 Unknown", "YYYY-MM-DDThh:mm:ss Unknown"},
		{"start at 10193-01-11T20:35:33 using", "start at YYYY-MM-DDThh:mm:ss using"},
		{"2026-11-27", "YYYY-MM-DD"},
		{"Fri Nov 27 11:35:48 2026\nNODELIST", "Www Mmm dd hh:mm:ss yyyy\nNODELIST"},
		{"SLURM_TASK_PID=20530\nSLURM_JOB_START_TIME=1795000000\nSLURM_NODEID=0\n",
			"SLURM_TASK_PID=N\nSLURM_JOB_START_TIME=N\nSLURM_NODEID=0\n"},
		{"Partition=debug AllocNode:Sid=localhost:1234", "Partition=debug AllocNode:Sid=HOST:SID"},
		{"Priority=4294901587 Nice=0", "Priority=4294xxxxxx Nice=0"},
		{"Priority=0 Nice=0", "Priority=0 Nice=0"},
		{"Priority=4294801760 %a=4294967294", "Priority=4294xxxxxx %a=4294967294"},
		{"NEXT_JOB_ID             = 6166\n", "NEXT_JOB_ID             = N\n"},
		// Sky Port's 0 is a real difference and stays.
		{"NEXT_JOB_ID             = 0\n", "NEXT_JOB_ID             = 0\n"},
		// Elapsed times are only normalised on request.
		{"R       0:05", "R       0:05"},
	}
	for _, tt := range tests {
		if got := n.apply(tt.in); got != tt.want {
			t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeElapsed(t *testing.T) {
	t.Parallel()
	n := newNormalizer(nil, nil, map[string]bool{"elapsed": true})
	tests := []struct{ in, want string }{
		{"R       0:05      1 vm", "R       0:ss      1 vm"},
		{"  00:00:02  UNLIMITED", "  00:00:ss  UNLIMITED"},
		{"RunTime=00:00:03 TimeLimit=00:30:00", "RunTime=hh:mm:ss TimeLimit=00:30:00"},
		// limits of a minute or more are compared
		{"1:00 10:00 00:01:00", "1:00 10:00 00:01:00"},
	}
	for _, tt := range tests {
		if got := n.apply(tt.in); got != tt.want {
			t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizePaths(t *testing.T) {
	t.Parallel()
	r := newNormalizer(nil, pathReplacements("/tmp/cdfabcde", "r", "abcde"), nil)
	s := newNormalizer(nil, pathReplacements("/tmp/cdfabcde", "s", "abcde"), nil)
	for _, tt := range []struct{ in, want string }{
		{"WorkDir=/tmp/cdfabcde/r/sbatch.plain", "WorkDir=/WORK/sbatch.plain"},
		{"/tmp/cdfabcde+ name-abcde", "/ROOT+ name-NONCE"},
	} {
		if got := r.apply(tt.in); got != tt.want {
			t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if x, y := r.apply("/tmp/cdfabcde/r/x/slurm.out"), s.apply("/tmp/cdfabcde/s/x/slurm.out"); x != y {
		t.Errorf("the sides' directories normalise differently: %q vs %q", x, y)
	}
}

func TestCheckWidths(t *testing.T) {
	t.Parallel()
	if err := checkWidths([]string{"9999", "10000"}, []string{"7001", "7002"}); err == nil ||
		!strings.Contains(err.Error(), "J2") {
		t.Errorf("checkWidths = %v, want an error about J2", err)
	}
	if err := checkWidths([]string{"6042"}, []string{"7001", "7002"}); err != nil {
		t.Errorf("checkWidths = %v, want nil", err)
	}
}
