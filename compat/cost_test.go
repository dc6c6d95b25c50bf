package compat

import (
	"bytes"
	"strings"
	"testing"
)

// A job with a cost (a paid gate) shows it in sacct's Cost field and on a
// Cost= line of scontrol show job; a job without one shows neither, and
// Cost stays out of ALL and --helpformat, which are Slurm's.
func TestJobCost(t *testing.T) {
	t.Parallel()
	jobs := fixtureRef41() // 4, 3, 2, 1
	paid, free := jobs[3], jobs[2]
	paid.CostMicros, paid.CostCurrency = 12345, "USD"
	now := refTime(11, 40, 0)

	out, errOut, code := runSacct(t, []string{"-X", "-P", "-n", "-j", "1,2", "-o", "JobID,cost,State"}, nil, jobs, 0, now)
	if code != 0 || errOut != "" {
		t.Fatalf("sacct: code %d, %q", code, errOut)
	}
	if want := "1|0.012345|COMPLETED\n2||FAILED\n"; out != want {
		t.Errorf("sacct -o JobID,cost,State:\n%s\nwant\n%s", out, want)
	}
	out, _, _ = runSacct(t, []string{"-X", "-j", "1", "-o", "Cost"}, nil, jobs, 0, now)
	if want := "      Cost \n---------- \n  0.012345 \n"; out != want {
		t.Errorf("sacct -o Cost:\n%q\nwant\n%q", out, want)
	}
	out, _, _ = runSacct(t, []string{"-X", "-P", "-j", "1", "-o", "co"}, nil, jobs, 0, now)
	if !strings.HasPrefix(out, "Comment\n") {
		t.Errorf("sacct -o co names %q, want Slurm's Comment", out)
	}
	out, _, _ = runSacct(t, []string{"-X", "-P", "-j", "1", "-o", "ALL"}, nil, jobs, 0, now)
	if strings.Contains(strings.SplitN(out, "\n", 2)[0], "Cost") {
		t.Error("ALL includes Sky Port's Cost field")
	}
	out, _, _ = runSacct(t, []string{"-e"}, nil, jobs, 0, now)
	if strings.Contains(out, "Cost") {
		t.Error("--helpformat lists Sky Port's Cost field")
	}

	var buf bytes.Buffer
	if err := ScontrolShowJob(&buf, []*Job{paid, free}, false, 0, now); err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(buf.String(), "\n\n")
	if !strings.Contains(recs[0], "   Power=\n   Cost=0.012345 Currency=USD\n") {
		t.Errorf("paid job's record lacks its Cost line:\n%s", recs[0])
	}
	if strings.Contains(recs[1], "Cost=") {
		t.Errorf("unpaid job's record has a Cost line:\n%s", recs[1])
	}
}

func TestAppendMicros(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   int64
		want string
	}{{0, "0.000000"}, {1, "0.000001"}, {12345, "0.012345"}, {1e6, "1.000000"}, {123456789, "123.456789"}, {-5, "-0.000005"}} {
		if got := string(appendMicros(nil, tt.in)); got != tt.want {
			t.Errorf("appendMicros(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
