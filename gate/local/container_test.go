package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/internal/runname"
	"skyport/internal/podmantest"
)

// containerGate opens a local gate that runs --container-image jobs with
// podman, and a lab with the test image.
func containerGate(t *testing.T) (*Gate, *podmantest.Lab) {
	t.Helper()
	lab := podmantest.Start(t)
	g, err := New("test", t.TempDir(), Options{Logger: testLogger(t), Containers: "podman"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if n, _ := g.Nodes(t.Context()); len(n) != 1 || n[0].Containers != "podman" {
		t.Fatalf("Nodes = %+v, want the runtime named", n)
	}
	return g, lab
}

// A job with a container image runs its unchanged script inside the image,
// as its user, in its work directory (mounted at the same path), with its
// environment, and its output and files land on the host.
func TestContainerJob(t *testing.T) {
	t.Parallel()
	g, lab := containerGate(t)
	wd := t.TempDir()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "in.txt"), []byte("mounted data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := testSpec(1, wd, `#!/bin/sh
cat /etc/skyport-image
echo "job $SLURM_JOB_ID task pid set: ${SLURM_TASK_PID:+yes} path $PATH"
echo "uid $(id -u) pwd $(pwd) args $*"
cat /data/in.txt
echo result > result.txt
echo to stderr >&2
exit 3
`)
	spec.SubmitDir = wd
	spec.Args = []string{"a1", "a2"}
	spec.Env = append(spec.Env, "SLURM_JOB_ID=1")
	spec.Env = append(spec.Env, lab.Env...)
	spec.Container = &gate.Container{Image: podmantest.Image, Mounts: []string{data + ":/data:ro"}}
	ctx := t.Context()
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := g.Wait(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(filepath.Join(wd, "out"))
	if ex.Code != 3 || ex.Cause != gate.CauseNone {
		t.Fatalf("exit %+v, want code 3; output:\n%s", ex, out)
	}
	want := podmantest.ImageMarker + "\njob 1 task pid set: yes path /bin\n" +
		"uid " + strconv.Itoa(os.Getuid()) + " pwd " + wd + " args a1 a2\nmounted data\nto stderr\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if b, err := os.ReadFile(filepath.Join(wd, "result.txt")); err != nil || string(b) != "result\n" {
		t.Errorf("result.txt = %q, %v", b, err)
	}
	if left := lab.Containers(t); len(left) != 0 {
		t.Errorf("containers left: %v", left)
	}
}

// scancel of a container job: the script inside gets SIGTERM through the
// runtime, and the container is gone afterwards even when the grace ran
// out (SIGKILL cannot be passed on by the client).
func TestContainerJobKilled(t *testing.T) {
	t.Parallel()
	g, lab := containerGate(t)
	for _, tc := range []struct {
		name   string
		script string
	}{
		{"obeys SIGTERM", "#!/bin/sh\ntrap 'echo got TERM; exit 0' TERM\ntouch started\nwhile :; do sleep 0.1; done\n"},
		{"ignores SIGTERM", "#!/bin/sh\ntrap '' TERM\ntouch started\nwhile :; do sleep 0.1; done\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd := t.TempDir()
			spec := testSpec(uint32(10+len(tc.name)), wd, tc.script)
			spec.SubmitDir = wd
			spec.Env = append(spec.Env, lab.Env...)
			spec.Container = &gate.Container{Image: podmantest.Image}
			ctx := t.Context()
			h, err := g.Start(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for !exists(wd, "started") {
				if time.Now().After(deadline) {
					out, _ := os.ReadFile(filepath.Join(wd, "out"))
					t.Fatalf("the job never started; output:\n%s", out)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := g.Kill(ctx, h, gate.KillRequest{Signal: syscall.SIGTERM, Grace: 2 * time.Second, Cause: gate.CauseCancelled}); err != nil {
				t.Fatal(err)
			}
			ex, err := g.Wait(ctx, h)
			if err != nil || ex.Cause != gate.CauseCancelled {
				t.Fatalf("Wait = %+v, %v", ex, err)
			}
			out, _ := os.ReadFile(filepath.Join(wd, "out"))
			if got := strings.Contains(string(out), "got TERM"); got != (tc.name == "obeys SIGTERM") {
				t.Errorf("output %q", out)
			}
			if left := lab.Containers(t); slices.Contains(left, containerName(&spec, filepath.Join(g.jobs, runname.Of(spec.JobID, spec.Restart)))) {
				t.Errorf("container left after the kill: %v", left)
			}
		})
	}
}

// A gate without a container runtime refuses a container job.
func TestContainerJobRefused(t *testing.T) {
	t.Parallel()
	g := openTest(t, t.TempDir())
	spec := testSpec(3, t.TempDir(), "#!/bin/sh\ntrue\n")
	spec.Container = &gate.Container{Image: "x"}
	if _, err := g.Start(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "runs no containers") {
		t.Errorf("Start = %v, want a refusal", err)
	}
}

func TestContainerArgv(t *testing.T) {
	t.Parallel()
	spec := &gate.Spec{JobID: 7, Restart: 1, UID: 1000, GID: 100, Groups: []uint32{100, 27},
		SubmitDir: "/home/a/p", Args: []string{"x"},
		Env:       []string{"PATH=/usr/bin", "HOME=/home/a", "FOO=1", "SLURM_TASK_PID=9", "SLURM_JOB_ID=7"},
		Container: &gate.Container{Image: "ubuntu:24.04", Mounts: []string{"/scratch", "/d:/data:ro", "/home/a/p"}, WorkDir: "/w"}}
	got := strings.Join(containerArgv(spec, "/usr/bin/docker", "/run/r", "/home/a/p/sub", 0), " ")
	want := "/usr/bin/docker run --rm -i --name " + containerName(spec, "/run/r") + " --network host --user 1000:100 --group-add 27" +
		" -v /run/r:/run/r:ro -v /home/a/p:/home/a/p -v /scratch:/scratch -v /d:/data:ro -w /w" +
		" -e FOO -e SLURM_JOB_ID --entrypoint /bin/sh ubuntu:24.04 -c " + taskPIDWrapper + " /run/r/slurm_script x"
	if got != want {
		t.Errorf("argv:\n%s\nwant:\n%s", got, want)
	}
	spec.Container.WorkDir = ""
	got = strings.Join(containerArgv(spec, "/usr/bin/podman", "/run/r", "/elsewhere", 1000), " ")
	if !strings.Contains(got, " --userns=keep-id ") || strings.Contains(got, "--user ") ||
		!strings.Contains(got, " -v /elsewhere:/elsewhere -v /scratch") || !strings.Contains(got, " -w /elsewhere ") {
		t.Errorf("rootless podman argv: %s", got)
	}
}
