package azure

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"

	"skyport/gate"
)

// A kill -9 in the middle of a create (journal says creating, NIC and IP
// exist) or of a delete (journal says deleting, the VM went but its disk
// stayed) leaks nothing once the next gate reconciles; another gateway's
// resources are left alone.
func TestReconcileAfterCrash(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	p := h.g.prov
	tags := func(vm string) map[string]*string { return p.tags(vm, owner{Pool: "cpu", JobID: 7, User: "u"}) }

	midCreate := p.newVMName("cpu")
	if err := p.j.put(vmRecord{VM: midCreate, Pool: "cpu", State: vmCreating}); err != nil {
		t.Fatal(err)
	}
	cloud.put("ip", midCreate+"-ip", tags(midCreate))
	cloud.put("nic", midCreate+"-nic", tags(midCreate))

	live, err := p.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}})
	if err != nil {
		t.Fatal(err)
	}
	midDelete, err := p.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}})
	if err != nil {
		t.Fatal(err)
	}
	midDelete.State = vmDeleting
	if err := p.j.put(midDelete); err != nil {
		t.Fatal(err)
	}
	cloud.del("vm", midDelete.VM) // the VM went; its disk, NIC and IP stayed

	untracked := p.newVMName("cpu") // created, then the journal was lost
	cloud.put("vm", untracked, tags(untracked))
	cloud.put("disk", untracked+"-osdisk", nil)
	other := map[string]*string{tagGateway: to.Ptr("someone-else")}
	cloud.put("vm", "theirs", other)

	// The daemon restarts over the same state directory.
	_ = h.g.Close()
	h2 := newHarness(t, cloud, h.dir, testOptions())
	h2.g.Tick(t.Context())

	want := []string{"disk/" + live.VM + "-osdisk", "ip/" + live.VM + "-ip", "nic/" + live.VM + "-nic", "vm/" + live.VM, "vm/theirs"}
	got := cloud.vmResources()
	if len(got) != len(want) {
		t.Fatalf("resources after reconcile:\n got %v\nwant %v", got, want)
	}
	recs, _ := p.j.all()
	if len(recs) != 1 || recs[0].VM != live.VM {
		t.Errorf("journal = %+v, want only %s", recs, live.VM)
	}
}

// A job starts on a new VM, the next job reuses the idle VM (even on
// another node), and the VM is deleted with all it owns after the idle
// timeout. The cost of each run is price × time on the VM × CPU share.
func TestPoolReuseIdleDeletionAndCost(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	ctx := t.Context()

	run := func(id uint32, node string) gate.Handle {
		hd, err := h.g.Start(ctx, spec(t, id, node, "echo hi"))
		if err != nil {
			t.Fatalf("Start %d: %v", id, err)
		}
		h.clock.advance(30 * time.Minute)
		e, err := h.g.Wait(ctx, hd)
		if err != nil || e.Code != 0 || e.Cause != gate.CauseNone {
			t.Fatalf("Wait %d: %+v %v", id, e, err)
		}
		if _, err := h.g.Reap(ctx, hd); err != nil {
			t.Fatal(err)
		}
		return hd
	}
	h1 := run(1, "cpu-0")
	vms := cloud.names("vm")
	if len(vms) != 1 {
		t.Fatalf("vms = %v", vms)
	}
	h2 := run(2, "cpu-1")
	if n := cloud.count("PUT virtualMachines"); n != 1 {
		t.Errorf("VM creates = %d, want 1 (warm reuse)", n)
	}
	if len(h.exec.opened) != 1 {
		t.Errorf("executors opened = %d, want 1", len(h.exec.opened))
	}
	// 1 CPU of a 4-CPU shared VM at 0.2/h for 30 min: 0.2 × 0.5 × 1/4.
	for _, hd := range []gate.Handle{h1, h2} {
		c, cur, err := h.g.Cost(ctx, hd)
		if err != nil || cur != "USD" || c < 0.0249 || c > 0.0251 {
			t.Errorf("cost = %v %s %v, want 0.025 USD", c, cur, err)
		}
	}
	h.clock.advance(299 * time.Second)
	h.g.Tick(ctx)
	if len(cloud.names("vm")) != 1 {
		t.Fatal("vm deleted before its idle timeout")
	}
	h.clock.advance(2 * time.Second)
	h.g.Tick(ctx)
	if left := cloud.vmResources(); len(left) != 0 {
		t.Errorf("after the idle timeout: %v", left)
	}
	// The pool paid for the VM's whole life: 60 min busy + 301 s idle.
	if s := h.g.cost.spent("cpu", h.clock.now()); s < 0.2*(3901.0/3600)-1e-9 || s > 0.2*(3901.0/3600)+1e-9 {
		t.Errorf("spent = %v", s)
	}
}

// A spot VM seen deallocated in its instance view ends its job as
// preempted, with a Detail that says "evicted"; after SpotFallbackAfter evictions the
// job's next run is on-demand.
func TestSpotEviction(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	o := testOptions()
	o.Pools[0].Spot, o.Pools[0].SpotFallbackAfter = true, 1
	h := newHarness(t, cloud, "", o)
	ctx := t.Context()
	hd, err := h.g.Start(ctx, spec(t, 5, "cpu-0", "sleep 30"))
	if err != nil {
		t.Fatal(err)
	}
	vm := cloud.names("vm")[0]
	if cloud.vmSet[vm].Properties.Priority == nil || *cloud.vmSet[vm].Properties.Priority != "Spot" {
		t.Fatal("the first run is not on a spot VM")
	}
	cloud.mu.Lock()
	cloud.power[vm] = "PowerState/deallocated"
	cloud.mu.Unlock()
	h.clock.advance(time.Minute)
	h.g.Tick(ctx)
	e, err := h.g.Wait(ctx, hd)
	if err != nil || e.Cause != gate.CausePreempted || !strings.Contains(e.Detail, "evicted") {
		t.Fatalf("Wait = %+v, %v", e, err)
	}
	if _, err := h.g.Reap(ctx, hd); err != nil {
		t.Fatal(err)
	}
	if err := h.g.Remove(ctx, hd); err != nil { // the count survives Remove
		t.Fatal(err)
	}
	h.g.Tick(ctx) // the lost VM goes
	s := spec(t, 5, "cpu-0", "true")
	s.Restart = 1
	hd2, err := h.g.Start(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range cloud.names("vm") {
		if p := cloud.vmSet[name].Properties.Priority; p != nil && *p == "Spot" {
			t.Errorf("restart after an eviction is on spot VM %s", name)
		}
	}
	if _, err := h.g.Wait(ctx, hd2); err != nil {
		t.Fatal(err)
	}
}
