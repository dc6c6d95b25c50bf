// Package podmantest gives tests a real podman with a tiny image of their
// own: storage and configuration in the test's temporary directory, the
// image built from Debian's static busybox, nothing pulled from anywhere
// and nothing left in the machine's own container storage.
package podmantest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Image is the name of the test image in the lab's storage. Its
// /etc/skyport-image holds ImageMarker.
const (
	Image       = "localhost/skyport-test:1"
	ImageMarker = "inside the skyport test image"
)

// busyboxPath is where Debian's busybox-static installs busybox.
const busyboxPath = "/bin/busybox"

// Lab is a podman whose storage and configuration are the test's own.
type Lab struct {
	// Env holds the variables that point podman at the lab
	// (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF): a job's environment
	// needs them so that its podman finds the image.
	Env []string
}

// applets are the busybox commands the image offers.
var applets = []string{"sh", "cat", "echo", "sleep", "id", "ls", "touch", "env", "pwd", "hostname", "true", "false"}

// Start makes a lab with Image imported. It skips the test when podman or
// busybox-static is missing or the test does not run as root (rootless
// podman needs subordinate id ranges this machine may lack), unless
// SKYPORT_REQUIRE_PODMAN=1 (set by CI, which installs them), which makes
// those failures.
func Start(t testing.TB) *Lab {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("SKYPORT_REQUIRE_PODMAN") == "1" {
			t.Fatalf("podmantest: %s (apt-get install -y podman runc busybox-static)", why)
		}
		t.Skipf("podmantest: %s", why)
	}
	if _, err := exec.LookPath("podman"); err != nil {
		missing("podman not installed")
	}
	if _, err := os.Stat(busyboxPath); err != nil {
		missing(busyboxPath + " missing")
	}
	if os.Geteuid() != 0 {
		missing("needs root")
	}
	dir := t.TempDir()
	// runc and cgroupfs work in containers whose cgroups are a v1/v2
	// hybrid (crun refuses them); ulimits within what an unprivileged
	// container may set.
	conf := `[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
`
	storage := "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + filepath.Join(dir, "graph") +
		"\"\nrunroot = \"" + filepath.Join(dir, "run") + "\"\n"
	lab := &Lab{Env: []string{
		"CONTAINERS_CONF=" + filepath.Join(dir, "containers.conf"),
		"CONTAINERS_STORAGE_CONF=" + filepath.Join(dir, "storage.conf"),
	}}
	write(t, filepath.Join(dir, "containers.conf"), conf)
	write(t, filepath.Join(dir, "storage.conf"), storage)

	root := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "etc", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil { //nolint:gosec // an image's /bin, /etc, /tmp
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil { //nolint:gosec // an image's /tmp
		t.Fatal(err)
	}
	bb, err := os.ReadFile(busyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), bb, 0o755); err != nil { //nolint:gosec // every user runs it
		t.Fatal(err)
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(root, "etc", "skyport-image"), ImageMarker+"\n")
	write(t, filepath.Join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n")
	tarball := filepath.Join(dir, "rootfs.tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("podmantest: tar: %v: %s", err, out)
	}
	if out, err := lab.Command("import", "--change", "ENV PATH=/bin", tarball, Image).CombinedOutput(); err != nil {
		t.Fatalf("podmantest: podman import: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = lab.Command("rm", "-a", "-f").Run() }) // the storage goes with dir
	return lab
}

// Command is podman with args, pointed at the lab.
func (l *Lab) Command(args ...string) *exec.Cmd {
	cmd := exec.Command("podman", args...)
	cmd.Env = append(os.Environ(), l.Env...)
	return cmd
}

// Containers lists the names of the lab's containers, running or not.
func (l *Lab) Containers(t testing.TB) []string {
	t.Helper()
	out, err := l.Command("ps", "-a", "--format", "{{.Names}}").Output()
	if err != nil {
		t.Fatalf("podmantest: podman ps: %v", err)
	}
	return strings.Fields(string(out))
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil { //nolint:gosec // read by podman and the image's users
		t.Fatal(err)
	}
}
