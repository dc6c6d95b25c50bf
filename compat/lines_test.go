package compat

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestKillLines(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 11, 34, 28, 0, time.UTC)
	tests := []struct{ got, want string }{
		// REFERENCE §7.3, §7.1 and a requeue recorded on the same machine.
		{CancelLine(55, "vm", at), "slurmstepd-vm: error: *** JOB 55 ON vm CANCELLED AT 2026-11-27T11:34:28 ***"},
		{fmt.Sprintf(TimeoutLineFormat(91, "vm"), "2026-11-27T11:37:03"),
			"slurmstepd-vm: error: *** JOB 91 ON vm CANCELLED AT 2026-11-27T11:37:03 DUE TO TIME LIMIT ***"},
		{RequeueLine(257, "vm", at.Add(3*time.Minute+56*time.Second)),
			"slurmstepd-vm: error: *** JOB 257 ON vm CANCELLED AT 2026-11-27T11:38:24 DUE TO JOB REQUEUE ***"},
		{CancelLine(4294967293, "node-01", at.In(time.FixedZone("X", 3600))),
			"slurmstepd-node-01: error: *** JOB 4294967293 ON node-01 CANCELLED AT 2026-11-27T12:34:28 ***"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
	// The gate fills the last %s, whatever the node's name holds.
	f := TimeoutLineFormat(1, "n%s")
	if i := strings.LastIndex(f, "%s"); f[i:] != "%s DUE TO TIME LIMIT ***" {
		t.Errorf("TimeoutLineFormat: last %%s at %q", f[i:])
	}
}

func TestChdirLineFormat(t *testing.T) {
	t.Parallel()
	got := ChdirLineFormat("vm", "/nonexistent/dir")
	want := "slurmstepd-vm: error: couldn't chdir to `/nonexistent/dir': %s: going to /tmp instead"
	if got != want {
		t.Errorf("ChdirLineFormat = %q, want %q", got, want)
	}
}
