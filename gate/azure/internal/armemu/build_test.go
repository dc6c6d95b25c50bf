package armemu_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The binaries the labs run, built once per test binary.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// shimNames are the commands linked to the multi-call shim binary.
var shimNames = []string{"sbatch", "squeue", "scancel", "sacct", "sinfo", "scontrol", "srun", "sacctmgr", "sshare"}

// buildBinaries builds skyportd, the shims, the static supervisor (it is
// uploaded to the VMs) and armemu, the way `make build` does.
func buildBinaries() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "armemu-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binDir = dir
		for _, b := range []struct {
			out, pkg string
			static   bool
		}{
			{"skyportd", "skyport/cmd/skyportd", false},
			{"skyport", "skyport/cmd/skyport", true},
			{"skyport-supervise", "skyport/cmd/skyport-supervise", true},
			{"armemu", "skyport/gate/azure/internal/armemu/cmd/armemu", false},
		} {
			cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, b.out), b.pkg)
			if b.static {
				cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %w: %s", b.pkg, err, out)
				return
			}
		}
		for _, s := range shimNames {
			if err := os.Symlink("skyport", filepath.Join(dir, s)); err != nil {
				buildErr = err
				return
			}
		}
	})
	return binDir, buildErr
}

func cleanupLab() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// requireLab skips tb unless it can make namespaces, and fails it when a
// program the lab needs is missing.
func requireLab(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("the lab needs root: namespaces, mounts, veths")
	}
	for _, p := range []string{"unshare", "nsenter", "ip", "/usr/sbin/sshd"} {
		if _, err := exec.LookPath(p); err != nil {
			tb.Fatalf("the lab needs %s: apt-get install -y util-linux iproute2 openssh-server (%v)", p, err)
		}
	}
	if out, err := exec.Command("unshare", "--net", "--mount", "--pid", "--fork", "true").CombinedOutput(); err != nil {
		tb.Skipf("cannot create namespaces (unshare --net --mount --pid): %v: %s", err, out)
	}
}
