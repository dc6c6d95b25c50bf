package armemu_test

import (
	"net/http"
	"testing"

	"skyport/gate/azure/internal/armemu"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	subnet := base(t, e)
	nicID := rg + "/providers/Microsoft.Network/networkInterfaces/n1"
	nic(t, e, "n1", subnet, "")
	ctl := control(t, e)
	ctx := t.Context()
	if err := ctl.Inject(ctx, armemu.Fault{Method: "PUT", Type: "microsoft.compute/virtualMachines", Status: 429, Code: "TooManyRequests", RetryAfter: 3}); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, http.MethodPut, res("Microsoft.Compute/virtualMachines", "v1"), vmBody("v1", nicID))
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "3" || errCode(r.Body) != "TooManyRequests" {
		t.Errorf("injected 429: %d %v %v", r.Status, r.Header, r.Body)
	}
	if err := ctl.Inject(ctx, armemu.Fault{Method: "PUT", Type: "Microsoft.Compute/virtualMachines", Status: 200, Code: "AllocationFailed", Async: true}); err == nil {
		t.Error("a fault with status 200 was accepted")
	}
	if err := ctl.Inject(ctx, armemu.Fault{Method: "PUT", Type: "Microsoft.Compute/virtualMachines", Code: "AllocationFailed", Async: true}); err != nil {
		t.Fatal(err)
	}
	r = e.do(t, http.MethodPut, res("Microsoft.Compute/virtualMachines", "v1"), vmBody("v1", nicID))
	if r.Status != http.StatusCreated {
		t.Fatalf("async fault: the create should be accepted: %d %v", r.Status, r.Body)
	}
	op := e.poll(t, r.Header.Get("Azure-AsyncOperation"))
	if op["status"] != "Failed" || errCode(op) != "AllocationFailed" {
		t.Errorf("async fault: %v", op)
	}
	iv := e.do(t, http.MethodGet, res("Microsoft.Compute/virtualMachines", "v1")+"/instanceView?api-version=2024-07-01", nil)
	if codes := statusCodes(iv.Body); codes != "ProvisioningState/failed/AllocationFailed" {
		t.Errorf("instance view of a failed VM: %q", codes)
	}
	st, err := ctl.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.FaultsServed != 2 || st.Writes["Microsoft.Compute/virtualMachines"] != 2 {
		t.Errorf("stats: %+v", st)
	}
	if r := e.do(t, http.MethodDelete, res("Microsoft.Compute/virtualMachines", "v1"), nil); r.Status != http.StatusAccepted {
		t.Fatalf("delete: %d", r.Status)
	}
}

func TestEvict(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	subnet := base(t, e)
	nic(t, e, "n1", subnet, "")
	r := e.do(t, http.MethodPut, res("Microsoft.Compute/virtualMachines", "spot1"),
		vmBody("spot1", rg+"/providers/Microsoft.Network/networkInterfaces/n1"))
	e.poll(t, r.Header.Get("Azure-AsyncOperation"))
	ctl := control(t, e)
	if err := ctl.Evict(t.Context(), "spot1"); err != nil {
		t.Fatal(err)
	}
	if err := ctl.Evict(t.Context(), "nope"); err == nil {
		t.Error("evicted a VM that does not exist")
	}
	iv := e.do(t, http.MethodGet, res("Microsoft.Compute/virtualMachines", "spot1")+"/instanceView?api-version=1", nil)
	if codes := statusCodes(iv.Body); codes != "ProvisioningState/succeeded PowerState/deallocated" {
		t.Errorf("instance view after eviction: %q", codes)
	}
}
