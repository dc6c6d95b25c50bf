package gateway

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gate/ssh/sshtest"
	"skyport/queue"
)

// sshDaemon starts a daemon whose partition "lab" runs jobs on one host
// served by an in-process SSH server (this test binary is the supervisor
// the gate uploads), and returns both.
func sshDaemon(t *testing.T) (*testDaemon, *sshtest.Server) {
	t.Helper()
	keyFile, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	remote := t.TempDir()
	cfg, err := ParseConfig([]byte(fmt.Sprintf(`
[daemon]
kill_wait = "1s"
[gates.local]
kind = "local"
cpus = 1
memory = "1G"
[gates.lab]
kind = "ssh"
supervisor = %q
node_fail_grace = "2s"
poll_interval = "200ms"
keepalive_interval = "1s"
connect_timeout = "2s"
[[gates.lab.hosts]]
name = "n1"
address = %q
user = "root"
key_file = %q
host_key = %q
cpus = 2
memory = "2G"
remote_dir = %q
shared_fs = true # the in-process server sees this file system
[[partitions]]
name = "debug"
gate = "local"
default = true
[[partitions]]
name = "lab"
gate = "lab"
`, exe, srv.Addr, keyFile, srv.AuthorizedKey(), remote)))
	if err != nil {
		t.Fatal(err)
	}
	return startDaemon(t, cfg, ""), srv
}

// inLab puts a submission in partition lab.
func inLab(more func(o *compat.SubmitOptions)) func(o *compat.SubmitOptions) {
	return func(o *compat.SubmitOptions) {
		o.Partition = "lab"
		o.Given["partition"] = true
		if more != nil {
			more(o)
		}
	}
}

// TestSSHGateJob: a job in a partition of the SSH gate runs on its host
// and completes, its output where Slurm puts it.
func TestSSHGateJob(t *testing.T) {
	t.Parallel()
	d, _ := sshDaemon(t)
	id := d.submit(t, "echo hello from $SLURMD_NODENAME; exit 3", inLab(nil))
	e := d.waitState(t, id, queue.Failed)
	if e.job.NodeList != "n1" || e.job.ExitCode != 3 {
		t.Errorf("node %q exit %d, want n1 and 3", e.job.NodeList, e.job.ExitCode)
	}
	out, err := os.ReadFile(filepath.Join(e.job.SubmitDir, fmt.Sprintf("slurm-%d.out", id)))
	if err != nil || string(out) != "hello from n1\n" {
		t.Errorf("output %q (%v), want %q", out, err, "hello from n1\n")
	}
}

// TestSSHGateHostDown: a host that does not answer keeps jobs pending with
// Slurm's reason for down nodes; a running job whose host stays away past
// the grace ends NODE_FAIL (with --no-requeue) or is requeued.
func TestSSHGateHostDown(t *testing.T) {
	t.Parallel()
	d, srv := sshDaemon(t)

	noRequeue := d.submit(t, "sleep 60", inLab(func(o *compat.SubmitOptions) { o.Given["no-requeue"] = true }))
	requeue := d.submit(t, "sleep 60", inLab(nil))
	d.waitState(t, noRequeue, queue.Running)
	d.waitState(t, requeue, queue.Running)
	srv.SetDown(true)
	d.srv.refreshNodes(t.Context())
	e := d.waitState(t, noRequeue, queue.NodeFail)
	if e.job.Reason != "NodeDown" {
		t.Errorf("reason %q, want NodeDown", e.job.Reason)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := d.live(requeue)
		if j.State == queue.Pending && j.Restarts == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("requeueable job: %s restarts %d, want PENDING after a requeue", j.State, j.Restarts)
		}
		time.Sleep(20 * time.Millisecond)
	}

	id := d.submit(t, "true", inLab(nil))
	deadline = time.Now().Add(20 * time.Second)
	for !strings.HasPrefix(d.reason(id), "Nodes required for job are DOWN") {
		if time.Now().After(deadline) {
			t.Fatalf("reason %q, want Slurm's reason for down nodes", d.reason(id))
		}
		d.srv.poke()
		time.Sleep(20 * time.Millisecond)
	}
	srv.SetDown(false)
	d.srv.refreshNodes(t.Context())
	d.waitState(t, id, queue.Completed)
}
