package gateway

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/internal/podmantest"
	"skyport/queue"
)

// A --container-image job runs its unchanged script in the image on a gate
// with a container runtime; on a partition whose nodes have none it is
// refused at submission with slurmctld's words.
func TestContainerImageJob(t *testing.T) {
	t.Parallel()
	lab := podmantest.Start(t)
	cfg, err := ParseConfig([]byte(`
[daemon]
kill_wait = "1s"
[gates.local]
kind = "local"
[gates.boxes]
kind = "local"
containers = "podman"
[[partitions]]
name = "debug"
gate = "local"
default = true
[[partitions]]
name = "boxes"
gate = "boxes"
`))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, "")
	image := func(part string) func(o *compat.SubmitOptions) {
		return func(o *compat.SubmitOptions) {
			o.Partition, o.Given["partition"] = part, true
			o.Extra["container-image"], o.Given["container-image"] = podmantest.Image, true
		}
	}
	if msg := d.submitErr(t, image("debug")); msg != "sbatch: error: Batch job submission failed: Requested node configuration is not available\n" {
		t.Errorf("container job on a partition without a runtime: %q", msg)
	}

	o := compat.SubmitOptions{Given: map[string]bool{}, Extra: map[string]string{}}
	image("boxes")(&o)
	cwd := t.TempDir()
	script := "#!/bin/sh\ncat /etc/skyport-image\necho job $SLURM_JOB_ID in $(pwd)\necho made > made.txt\n"
	resp, err := d.client.Submit(context.Background(), api.SubmitRequest{
		Options: o, Script: []byte(script), Cwd: cwd,
		Env: append([]string{"PATH=" + os.Getenv("PATH")}, lab.Env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.JobID
	e := d.waitState(t, id, queue.Completed)
	if e.job.ContainerImage != podmantest.Image {
		t.Errorf("recorded image %q", e.job.ContainerImage)
	}
	out, _ := os.ReadFile(filepath.Join(cwd, fmt.Sprintf("slurm-%d.out", id)))
	if want := fmt.Sprintf("%s\njob %d in %s\n", podmantest.ImageMarker, id, cwd); string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if b, _ := os.ReadFile(filepath.Join(cwd, "made.txt")); strings.TrimSpace(string(b)) != "made" {
		t.Errorf("made.txt = %q", b)
	}
}
