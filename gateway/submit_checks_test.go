package gateway

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/gateway/api"
)

// submitErr submits a --wrap job with options set by set and returns the
// error Slurm's words would be printed from ("" on success).
func (d *testDaemon) submitErr(t *testing.T, set func(o *compat.SubmitOptions)) string {
	t.Helper()
	o := compat.SubmitOptions{Wrap: "true", Given: map[string]bool{"wrap": true}, Extra: map[string]string{}}
	set(&o)
	_, err := d.client.Submit(context.Background(), api.SubmitRequest{
		Options: o, Script: compat.WrapScript("true"), Cwd: t.TempDir(), Env: []string{"PATH=" + os.Getenv("PATH")},
	})
	if err == nil {
		return ""
	}
	var ce *compat.Error
	if !errors.As(err, &ce) {
		t.Fatalf("submit: %v", err)
	}
	return ce.Msg
}

// extra records option key=val as sbatch's parser does.
func extra(key, val string) func(o *compat.SubmitOptions) {
	return func(o *compat.SubmitOptions) { o.Extra[key], o.Given[key] = val, true }
}

// The checks slurmctld makes on what a job asks of the nodes, with its
// words, on a node without GPUs, features or reservations; a held job may
// ask for more than the node has, a --test-only one may not.
func TestSubmitRequirements(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	const failed = "sbatch: error: Batch job submission failed: "
	held := func(o *compat.SubmitOptions) { o.Hold = true }
	testOnly := func(o *compat.SubmitOptions) { o.TestOnly = true }
	both := func(fs ...func(o *compat.SubmitOptions)) func(o *compat.SubmitOptions) {
		return func(o *compat.SubmitOptions) {
			for _, f := range fs {
				f(o)
			}
		}
	}
	cases := []struct {
		name string
		set  func(o *compat.SubmitOptions)
		want string
	}{
		{"constraint", extra("constraint", "foo"), failed + "Invalid feature specification\n"},
		{"reservation", extra("reservation", "nosuch"), failed + "Requested reservation is invalid\n"},
		{"exclude unknown", both(held, extra("exclude", "othernode")), failed + "Invalid node name specified\n"},
		{"exclude beats constraint", both(extra("exclude", "x"), extra("constraint", "foo")), failed + "Invalid node name specified\n"},
		{"exclude own node", both(held, extra("exclude", d.srv.parts[0].nodes[0].name)), ""},
		{"gres gpu", extra("gres", "gpu:1"), failed + "Requested node configuration is not available\n"},
		{"gres gpu held", both(held, extra("gres", "gpu:1")), ""},
		{"gres gpu:0", extra("gres", "gpu:0"), ""},
		{"gres unknown", extra("gres", "foo:1"), "sbatch: error: Invalid generic resource (gres) specification\n"},
		{"gpus", extra("gpus", "1"), failed + "Requested node configuration is not available\n"},
		{"cpus-per-gpu", extra("cpus-per-gpu", "2"), failed + "Requested node configuration is not available\n"},
		{"mem-per-gpu", extra("mem-per-gpu", "1024"), "sbatch: error: Requested mem_per_tres=gres:gpu:1024 but did not request any GPU.\n" +
			"sbatch: error: Invalid generic resource (gres) specification\n"},
		{"memory held", both(held, func(o *compat.SubmitOptions) { o.MemMB, o.Given["mem"] = 100<<10, true }), ""},
		{"memory", func(o *compat.SubmitOptions) { o.MemMB, o.Given["mem"] = 100<<10, true },
			"sbatch: error: Memory specification can not be satisfied\n" + failed + "Requested node configuration is not available\n"},
		{"test-only memory", both(testOnly, func(o *compat.SubmitOptions) { o.MemMB, o.Given["mem"] = 100<<10, true }),
			"allocation failure: Requested node configuration is not available\n"},
		{"test-only cpus", both(testOnly, held, func(o *compat.SubmitOptions) { o.CPUsPerTask = 3 }),
			"allocation failure: Requested node configuration is not available\n"},
		{"cpus", func(o *compat.SubmitOptions) { o.CPUsPerTask = 3 }, ""}, // waits for PartitionConfig
		{"test-only partition", both(testOnly, func(o *compat.SubmitOptions) { o.Partition = "nosuch" }),
			"sbatch: error: invalid partition specified: nosuch\nallocation failure: Invalid partition name specified\n"},
	}
	for _, c := range cases {
		if got := d.submitErr(t, c.set); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// Without -n, a job has one task per node or --ntasks-per-node of them;
// its CPUs follow.
func TestTasksFromNodes(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	cases := []struct {
		set         func(o *compat.SubmitOptions)
		tasks, cpus int
	}{
		{func(o *compat.SubmitOptions) { o.MinNodes, o.MaxNodes, o.Given["nodes"] = 2, 2, true }, 2, 2},
		{extra("ntasks-per-node", "2"), 2, 2},
		{func(o *compat.SubmitOptions) { o.NTasks, o.Given["ntasks"] = 1, true; extra("ntasks-per-node", "2")(o) }, 1, 1},
	}
	for i, c := range cases {
		id := d.submit(t, "true", func(o *compat.SubmitOptions) {
			o.Hold, o.Extra = true, map[string]string{}
			c.set(o)
		})
		e := d.waitState(t, id, "PENDING")
		if d.view(e).NumTasks != c.tasks || d.view(e).NumCPUs != c.cpus {
			t.Errorf("case %d: tasks %d cpus %d, want %d %d", i, d.view(e).NumTasks, d.view(e).NumCPUs, c.tasks, c.cpus)
		}
	}
}

// --mail-type/--mail-user and --exclusive reach scontrol show job;
// scontrol write batch_script hands back the script.
func TestJobFieldsShown(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	id := d.submit(t, "echo hi", func(o *compat.SubmitOptions) {
		o.Hold = true
		o.Extra = map[string]string{"mail-type": "FAIL,END", "exclusive": ""}
		o.Given["mail-type"], o.Given["exclusive"] = true, true
	})
	e := d.waitState(t, id, "PENDING")
	v := d.view(e)
	if v.MailType != "END,FAIL" || v.MailUser == "" || v.OverSubscribe != "NO" {
		t.Errorf("mail %q to %q, oversubscribe %q", v.MailType, v.MailUser, v.OverSubscribe)
	}
	who := peer{UID: uint32(os.Getuid())}
	req, err := compat.ParseScontrolArgs([]string{"write", "batch_script", itoa(id), "-"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp := d.srv.writeScript(req, who); resp.Stdout != string(compat.WrapScript("echo hi")) || resp.Stderr != "" {
		t.Errorf("write batch_script: %+v", resp)
	}
	req.ScriptJob = 99999999
	if resp := d.srv.writeScript(req, who); !strings.Contains(resp.Stderr, "Invalid job id specified") || resp.Exit != 0 {
		t.Errorf("write batch_script of an unknown job: %+v", resp)
	}
	if next := d.srv.store.NextID(); next != id+1 {
		t.Errorf("NextID %d after job %d", next, id)
	}
}
