package shims_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The shim binary must start fast and never open the daemon's state: none
// of Badger, the queue, the gates, the daemon or a cloud SDK may be in its
// import graph.
func TestShimBinaryImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "skyport/cmd/skyport").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed too little: %q", deps)
	}
	forbidden := []string{"github.com/dgraph-io/", "skyport/queue", "skyport/gate", "github.com/Azure/", "golang.org/x/crypto/ssh"}
	for _, d := range deps {
		if d == "skyport/gateway/api" {
			continue
		}
		if d == "skyport/gateway" || strings.HasPrefix(d, "skyport/gateway/") {
			t.Errorf("shim binary imports the daemon: %s", d)
		}
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("shim binary imports %s", d)
			}
		}
	}
	for _, want := range []string{"skyport/shims", "skyport/compat", "skyport/gateway/api"} {
		found := false
		for _, d := range deps {
			found = found || d == want
		}
		if !found {
			t.Errorf("%s missing from the shim binary's imports: the check looks at the wrong binary", want)
		}
	}
}
