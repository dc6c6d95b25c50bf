package compat

import (
	"bytes"
	"testing"
)

// squeue -M prints "CLUSTER: NAME" before the header (after -l's date
// line), not with -h, and also when a single -j ID is unknown (Slurm
// 22.05 on the reference machine).
func TestSqueueClustersLine(t *testing.T) {
	t.Parallel()
	now := refTime(11, 33, 31)
	header := "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n"
	tests := []struct {
		name     string
		args     []string
		cluster  string
		out, err string
	}{
		{name: "named cluster", args: []string{"-M", "Refcluster", "-j", "40", "-o", "%i"}, cluster: "refcluster",
			out: "CLUSTER: refcluster\nJOBID\n40\n"},
		{name: "name not known to the caller", args: []string{"--clusters=all", "-j", "40", "-o", "%i"},
			out: "CLUSTER: all\nJOBID\n40\n"},
		{name: "no header, no cluster line", args: []string{"-M", "refcluster", "-h", "-j", "40", "-o", "%i"}, cluster: "refcluster",
			out: "40\n"},
		{name: "after the long date line", args: []string{"-M", "refcluster", "-l", "-j", "40", "-t", "CD"}, cluster: "refcluster",
			out: "Fri Nov 27 11:33:31 2026\nCLUSTER: refcluster\n" +
				"             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)\n"},
		{name: "unknown job", args: []string{"-M", "refcluster", "-j", "99999"}, cluster: "refcluster",
			out: "CLUSTER: refcluster\n", err: "slurm_load_jobs error: Invalid job id specified\n"},
		{name: "without -M", args: []string{"-j", "40", "-t", "CD"}, out: header},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, _, err := ParseSqueueArgs(tc.args, nil, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			o.ClusterName = tc.cluster
			var buf bytes.Buffer
			_, errOut, _ := errorOutput(t, Squeue(&buf, o, fixtureRef21(), 0, now))
			out := buf.String()
			if out != tc.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tc.out)
			}
			if errOut != tc.err {
				t.Errorf("stderr %q, want %q", errOut, tc.err)
			}
		})
	}
}
