// Package gatetest is the conformance suite every gate passes: Run starts
// real jobs through a gate and checks what the gate.Gate contract and
// Slurm's behaviour demand (exit status, output files, environment, kill
// with grace, time limit, idempotent Start, Recover after a reopen, Reap,
// Remove, launch failures, signals).
//
// The jobs are small /bin/sh (and one /bin/bash) scripts reading and
// writing files under the test's temporary directories, so the gate's jobs
// must see the test's file system (the local machine, or SSH to it).
package gatetest

import (
	"testing"

	"skyport/gate"
)

// Opener opens a gate over the state directory dir (gate.Config.StateDir).
// Gates opened over the same dir share their jobs: the second one stands
// for the daemon after a restart. The suite closes every gate it opens.
type Opener func(t *testing.T, dir string) gate.Gate

// Run runs the conformance suite as parallel subtests of t, each with
// state and job directories of its own. Every wait is bounded; no test
// asserts how long anything took.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Nodes", testNodes},
		{"ExitStatus", testExitStatus},
		{"Output", testOutput},
		{"Environment", testEnvironment},
		{"NoStragglers", testNoStragglers},
		{"StartIdempotent", testStartIdempotent},
		{"StartConcurrent", testStartConcurrent},
		{"KillGrace", testKillGrace},
		{"KillTerm", testKillTerm},
		{"KillRace", testKillRace},
		{"TimeLimit", testTimeLimit},
		{"Signal", testSignal},
		{"Recover", testRecover},
		{"ReapRemove", testReapRemove},
		{"ReapRunning", testReapRunning},
		{"List", testList},
		{"UnknownHandle", testUnknownHandle},
		{"LaunchFailure", testLaunchFailure},
		{"WorkDirMissing", testWorkDirMissing},
		{"ManyJobs", testManyJobs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open)
		})
	}
}
