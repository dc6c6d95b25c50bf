package gateway

import (
	"os"
	"testing"

	"skyport/gate/local"
	_ "skyport/gate/ssh" // the "ssh" gate kind, for ssh_test.go
)

// TestMain lets the test binary be the local gate's per-job supervisor
// (the gate re-executes this binary with "supervise").
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "supervise" {
		os.Exit(local.Supervise(os.Args[2:]))
	}
	os.Exit(m.Run())
}
