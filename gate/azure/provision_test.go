package azure

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"skyport/gate"
)

func TestCreateTagsAndDeleteLeavesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeCloud(), "", testOptions())
	pool := h.g.opts.pool("cpu")
	rec, err := h.g.prov.create(t.Context(), createRequest{Pool: pool, Owner: owner{Pool: "cpu", JobID: 42, User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Address != "127.0.0.1" || rec.State != vmLive || rec.Size != "Standard_D4s_v5" || rec.Zone != "1" {
		t.Fatalf("record = %+v", rec)
	}
	for _, k := range []string{"vm", "nic", "ip"} {
		tags := h.cloud.tags(k, namesOf(rec.VM).VM+map[string]string{"vm": "", "nic": "-nic", "ip": "-ip"}[k])
		for tag, want := range map[string]string{tagGateway: h.g.prov.gateway, tagJob: "42", tagUser: "alice", tagPartition: "cpu", tagVM: rec.VM} {
			if tags[tag] == nil || *tags[tag] != want {
				t.Errorf("%s: tag %s = %v, want %s", k, tag, tags[tag], want)
			}
		}
	}
	vm := h.cloud.vmSet[rec.VM]
	if *vm.Properties.StorageProfile.OSDisk.DeleteOption != armcompute.DiskDeleteOptionTypesDelete ||
		*vm.Properties.NetworkProfile.NetworkInterfaces[0].Properties.DeleteOption != armcompute.DeleteOptionsDelete {
		t.Error("deleteOption is not Delete on the disk and the NIC")
	}
	ci, _ := base64.StdEncoding.DecodeString(*vm.Properties.OSProfile.CustomData)
	if !strings.Contains(string(ci), rec.HostKey) || !strings.Contains(string(ci), h.g.prov.loginKey.Public) {
		t.Errorf("customData lacks the pinned host key or the login key:\n%s", ci)
	}
	if err := h.g.prov.Delete(t.Context(), rec.VM); err != nil {
		t.Fatal(err)
	}
	if left := h.cloud.vmResources(); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if recs, _ := h.g.prov.j.all(); len(recs) != 0 {
		t.Errorf("journal keeps %v", recs)
	}
}

// 429 and 500 answers are retried by azcore; the fake sees every try.
func TestRetriesTransientErrors(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	fails := map[string]int{}
	cloud.fault = func(req *http.Request) *http.Response {
		if req.Method == http.MethodPut && resourceKind(req.URL.Path) == "virtualMachines" && fails["vm"] < 2 {
			fails["vm"]++
			return armError(req, []int{429, 500}[fails["vm"]-1], "Transient")
		}
		return nil
	}
	if _, err := h.g.prov.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}}); err != nil {
		t.Fatal(err)
	}
	if n := cloud.count("PUT virtualMachines"); n != 3 {
		t.Errorf("VM PUTs = %d, want 3 (two retried errors)", n)
	}
}

// A 503 that never ends fails after MaxRetries retries, and the
// placement's leftovers are deleted.
func TestRetryBudgetIsBounded(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	cloud.fault = func(req *http.Request) *http.Response {
		if req.Method == http.MethodPut && resourceKind(req.URL.Path) == "virtualMachines" {
			return armError(req, http.StatusServiceUnavailable, "ServerBusy")
		}
		return nil
	}
	_, err := h.g.prov.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}})
	if err == nil {
		t.Fatal("Create succeeded against a server that always answers 503")
	}
	if n := cloud.count("PUT virtualMachines"); n != 4 {
		t.Errorf("VM PUTs = %d, want 1 + MaxRetries(3)", n)
	}
	if reasonOf(err) != ReasonAPI {
		t.Errorf("reason = %q", reasonOf(err))
	}
	if left := cloud.vmResources(); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// Capacity errors move on: zone, then size, then region; the reason of
// the last one is reported when all fail.
func TestFallbacks(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	var tried []string
	cloud.vmFail = func(vm armcompute.VirtualMachine) string {
		size, zone := string(*vm.Properties.HardwareProfile.VMSize), *vm.Zones[0]
		tried = append(tried, *vm.Location+"/"+size+"/"+zone)
		switch {
		case *vm.Location == "westeurope" && size == "Standard_D4s_v5" && zone == "1":
			return "ZonalAllocationFailed"
		case *vm.Location == "westeurope" && size == "Standard_D4s_v5":
			return "AllocationFailed"
		case *vm.Location == "westeurope":
			return "SkuNotAvailable"
		}
		return ""
	}
	// Quota is a synchronous 409 on the fifth PUT: northeurope's first size.
	puts := 0
	cloud.fault = func(req *http.Request) *http.Response {
		if req.Method == http.MethodPut && resourceKind(req.URL.Path) == "virtualMachines" {
			if puts++; puts == 5 {
				return armError(req, http.StatusConflict, "QuotaExceeded")
			}
		}
		return nil
	}
	rec, err := h.g.prov.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"westeurope/Standard_D4s_v5/1", "westeurope/Standard_D4s_v5/2", "westeurope/Standard_D8s_v5/1",
		"westeurope/Standard_D8s_v5/2", "northeurope/Standard_D8s_v5/1"} // D4s quota: zone 2 skipped
	if !slices.Equal(tried, want) {
		t.Errorf("tried %v\nwant  %v", tried, want)
	}
	if rec.Region != "northeurope" || rec.Size != "Standard_D8s_v5" {
		t.Errorf("placed %+v", rec)
	}
	if left := cloud.names("vm"); len(left) != 1 || left[0] != rec.VM {
		t.Errorf("vms = %v, want only %s", left, rec.VM)
	}

	cloud.vmFail = func(armcompute.VirtualMachine) string { return "AllocationFailed" }
	_, err = h.g.prov.create(t.Context(), createRequest{Pool: h.g.opts.pool("cpu"), Owner: owner{Pool: "cpu"}})
	var re *ReasonError
	if !errors.As(err, &re) || re.Reason() != ReasonAllocation {
		t.Fatalf("err = %v, want reason %s", err, ReasonAllocation)
	}
	if left := cloud.names("vm"); len(left) != 1 {
		t.Errorf("vms = %v after a failed create", left)
	}
}

// A gate that cannot authenticate keeps serving and says why.
func TestAuthFailureIsAReason(t *testing.T) {
	t.Parallel()
	cloud := newFakeCloud()
	h := newHarness(t, cloud, "", testOptions())
	cloud.fault = func(req *http.Request) *http.Response {
		return armError(req, http.StatusUnauthorized, "InvalidAuthenticationToken")
	}
	_, err := h.g.Start(t.Context(), spec(t, 1, "cpu-0", "true"))
	if !errors.Is(err, gate.ErrUnavailable) || reasonOf(err) != ReasonAuth {
		t.Fatalf("Start: %v", err)
	}
	if h.g.Reason() != ReasonAuth {
		t.Errorf("Reason() = %q", h.g.Reason())
	}
	if _, err := h.g.Nodes(t.Context()); err != nil {
		t.Errorf("Nodes: %v", err)
	}
	// The credential works again: the reason goes at the next poll,
	// long before the next regular reconciliation.
	h.g.Tick(t.Context())
	cloud.fault = nil
	h.clock.advance(h.g.opts.PollInterval)
	if h.g.opts.PollInterval >= h.g.opts.ReconcileInterval {
		t.Fatalf("options: poll %v, reconcile %v", h.g.opts.PollInterval, h.g.opts.ReconcileInterval)
	}
	h.g.Tick(t.Context())
	if r := h.g.Reason(); r != "" {
		t.Errorf("Reason() = %q a poll interval after authentication works again", r)
	}
}
