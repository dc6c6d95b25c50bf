package local

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestSupervisorEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, want []string
	}{
		{nil, []string{"GOMAXPROCS=1"}},
		{[]string{"HOME=/h", "PATH=/bin"}, []string{"HOME=/h", "PATH=/bin", "GOMAXPROCS=1"}},
		{[]string{"GOMAXPROCS=4", "HOME=/h"}, []string{"GOMAXPROCS=4", "HOME=/h"}},
		{[]string{"XGOMAXPROCS=4"}, []string{"XGOMAXPROCS=4", "GOMAXPROCS=1"}},
	}
	for _, tc := range tests {
		if got := supervisorEnv(slices.Clone(tc.env)); !slices.Equal(got, tc.want) {
			t.Errorf("supervisorEnv(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestSpareSupervisorEnv: a spare supervisor really runs with one
// processor (unless the daemon's environment says otherwise).
func TestSpareSupervisorEnv(t *testing.T) {
	t.Parallel()
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: supervisors keep it")
	}
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	h, err := g.Start(ctx, testSpec(1, t.TempDir(), "#!/bin/sh\ntrue\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Wait(ctx, h); err != nil {
		t.Fatal(err)
	}
	sp := idleSupervisor(ctx, t, g)
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", sp.pid))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(env), "\x00"), "GOMAXPROCS=1") {
		t.Errorf("spare supervisor's environment lacks GOMAXPROCS=1: %q", env)
	}
}
