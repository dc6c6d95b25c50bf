package armemu_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/gate/azure/internal/armemu"
)

func TestIdentity(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	resp, err := e.hc.Get(e.url + "/" + tenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	st, oidc := decode(t, resp)
	if st != http.StatusOK || oidc["token_endpoint"] != e.url+"/"+tenant+"/oauth2/v2.0/token" ||
		!strings.HasPrefix(oidc["issuer"].(string), e.url+"/") || oidc["authorization_endpoint"] == nil {
		t.Errorf("openid-configuration: %d %v", st, oidc)
	}
	resp, err = e.hc.Get(e.url + "/other-tenant/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	if st, body := decode(t, resp); st != http.StatusBadRequest || body["error"] != "invalid_tenant" {
		t.Errorf("unknown tenant: %d %v", st, body)
	}
	st, tok := e.token(t, secret)
	if st != http.StatusOK || tok["token_type"] != "Bearer" || tok["expires_in"].(float64) <= 0 || tok["access_token"] == "" {
		t.Errorf("token: %d %v", st, tok)
	}
	st, bad := e.token(t, "wrong")
	if st != http.StatusUnauthorized || bad["error"] != "invalid_client" || !strings.Contains(bad["error_description"].(string), "AADSTS7000215") {
		t.Errorf("wrong secret: %d %v", st, bad)
	}
}

func TestARMRefusals(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	good := e.tok
	e.tok = ""
	r := e.do(t, http.MethodGet, rg, nil)
	if r.Status != http.StatusUnauthorized || errCode(r.Body) != "AuthenticationFailed" || r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %v", r.Status, r.Body)
	}
	e.tok = "forged"
	if r := e.do(t, http.MethodGet, rg, nil); r.Status != http.StatusUnauthorized || errCode(r.Body) != "InvalidAuthenticationToken" {
		t.Errorf("forged token: %d %v", r.Status, r.Body)
	}
	e.tok = good
	if r := e.do(t, http.MethodGet, rg+"?x=1", nil); r.Status != http.StatusBadRequest || errCode(r.Body) != "MissingApiVersionParameter" {
		t.Errorf("no api-version: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodGet, rg+"/providers/Microsoft.Network/networkInterfaces", nil); r.Status != http.StatusNotFound || errCode(r.Body) != "ResourceGroupNotFound" {
		t.Errorf("list in a missing group: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodPut, rg, map[string]any{"location": "westeurope"}); r.Status != http.StatusCreated {
		t.Fatalf("group: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodGet, res("Microsoft.Network/publicIPAddresses", "nope"), nil); r.Status != http.StatusNotFound || errCode(r.Body) != "ResourceNotFound" {
		t.Errorf("missing resource: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodDelete, res("Microsoft.Network/publicIPAddresses", "nope"), nil); r.Status != http.StatusNoContent {
		t.Errorf("delete of a missing resource: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodPut, res("Microsoft.Network/publicIPAddresses", "x"), map[string]any{}); r.Status != http.StatusBadRequest || errCode(r.Body) != "LocationRequired" {
		t.Errorf("no location: %d %v", r.Status, r.Body)
	}
}

// base creates the group, NSG and virtual network with subnet "jobs"
// (10.77.0.0/20) and returns the subnet's ID.
func base(t *testing.T, e *emu) string {
	t.Helper()
	if r := e.do(t, http.MethodPut, rg, map[string]any{"location": "westeurope", "tags": map[string]string{"a": "b"}}); r.Status != http.StatusCreated {
		t.Fatalf("group: %d %v", r.Status, r.Body)
	}
	nsg := e.do(t, http.MethodPut, res("Microsoft.Network/networkSecurityGroups", "nsg"), map[string]any{
		"location": "westeurope",
		"properties": map[string]any{"securityRules": []any{map[string]any{"name": "ssh", "properties": map[string]any{
			"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "22",
		}}}},
	})
	if nsg.Status != http.StatusCreated || nsg.Header.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("nsg: %d %v", nsg.Status, nsg.Body)
	}
	vnet := e.do(t, http.MethodPut, res("Microsoft.Network/virtualNetworks", "vnet"), map[string]any{
		"location": "westeurope",
		"properties": map[string]any{
			"addressSpace": map[string]any{"addressPrefixes": []string{"10.77.0.0/16"}},
			"subnets": []any{map[string]any{"name": "jobs", "properties": map[string]any{
				"addressPrefix": "10.77.0.0/20", "networkSecurityGroup": map[string]any{"id": nsg.Body["id"]},
			}}},
		},
	})
	if vnet.Status != http.StatusCreated {
		t.Fatalf("vnet: %d %v", vnet.Status, vnet.Body)
	}
	sn := vnet.Body["properties"].(map[string]any)["subnets"].([]any)[0].(map[string]any)
	want := rg + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/jobs"
	if sn["id"] != want {
		t.Fatalf("subnet id %v, want %s", sn["id"], want)
	}
	return want
}

// nic creates a NIC in subnet (with public IP pip when not "") and
// returns its private address.
func nic(t *testing.T, e *emu, name, subnet, pip string) string {
	t.Helper()
	conf := map[string]any{"subnet": map[string]any{"id": subnet}, "privateIPAllocationMethod": "Dynamic"}
	if pip != "" {
		conf["publicIPAddress"] = map[string]any{"id": pip, "properties": map[string]any{"deleteOption": "Delete"}}
	}
	r := e.do(t, http.MethodPut, res("Microsoft.Network/networkInterfaces", name), map[string]any{
		"location": "westeurope", "tags": map[string]string{"skyport-vm": name},
		"properties": map[string]any{"ipConfigurations": []any{map[string]any{"name": "ipconfig", "properties": conf}}},
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("nic %s: %d %v", name, r.Status, r.Body)
	}
	if r.Body["tags"].(map[string]any)["skyport-vm"] != name {
		t.Errorf("nic tags: %v", r.Body["tags"])
	}
	c := r.Body["properties"].(map[string]any)["ipConfigurations"].([]any)[0].(map[string]any)
	return c["properties"].(map[string]any)["privateIPAddress"].(string)
}

// vmBody is a VM model like the gate's.
func vmBody(name, nicID string) map[string]any {
	return map[string]any{
		"location": "westeurope", "tags": map[string]string{"skyport-vm": name},
		"properties": map[string]any{
			"hardwareProfile": map[string]any{"vmSize": "Standard_D2s_v5"},
			"storageProfile": map[string]any{
				"imageReference": map[string]any{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
				"osDisk": map[string]any{"name": name + "-osdisk", "createOption": "FromImage", "deleteOption": "Delete",
					"diskSizeGB": 64, "managedDisk": map[string]any{"storageAccountType": "StandardSSD_LRS"}},
			},
			"osProfile": map[string]any{"computerName": name, "adminUsername": "skyport", "customData": cloudConfigB64(t0key)},
			"networkProfile": map[string]any{"networkInterfaces": []any{map[string]any{"id": nicID,
				"properties": map[string]any{"primary": true, "deleteOption": "Delete"}}}},
		},
	}
}

func TestVMLifecycle(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{BootDelay: 50 * time.Millisecond})
	subnet := base(t, e)
	pip := e.do(t, http.MethodPut, res("Microsoft.Network/publicIPAddresses", "vm1-ip"), map[string]any{
		"location": "westeurope", "sku": map[string]any{"name": "Standard"},
		"properties": map[string]any{"publicIPAllocationMethod": "Static"},
	})
	if pip.Status != http.StatusCreated || pip.Body["properties"].(map[string]any)["ipAddress"] == "" {
		t.Fatalf("public ip: %d %v", pip.Status, pip.Body)
	}
	if a := nic(t, e, "vm1-nic", subnet, pip.Body["id"].(string)); a != "10.77.0.4" {
		t.Errorf("first NIC got %s, want 10.77.0.4", a)
	}
	if a := nic(t, e, "vm2-nic", subnet, ""); a != "10.77.0.5" {
		t.Errorf("second NIC got %s, want 10.77.0.5", a)
	}
	nicID := rg + "/providers/Microsoft.Network/networkInterfaces/vm1-nic"
	vm := e.do(t, http.MethodPut, res("Microsoft.Compute/virtualMachines", "vm1"), vmBody("vm1", nicID))
	if vm.Status != http.StatusCreated || vm.Header.Get("Azure-AsyncOperation") == "" || vm.Header.Get("Retry-After") == "" {
		t.Fatalf("vm: %d %v %v", vm.Status, vm.Header, vm.Body)
	}
	props := vm.Body["properties"].(map[string]any)
	if props["provisioningState"] != "Creating" || props["osProfile"].(map[string]any)["customData"] != nil {
		t.Errorf("vm body: %v", props)
	}
	disk := e.do(t, http.MethodGet, res("Microsoft.Compute/disks", "vm1-osdisk"), nil)
	if disk.Status != http.StatusOK || !strings.EqualFold(disk.Body["managedBy"].(string), vm.Body["id"].(string)) {
		t.Errorf("os disk: %d %v", disk.Status, disk.Body)
	}
	if r := e.do(t, http.MethodDelete, res("Microsoft.Compute/disks", "vm1-osdisk"), nil); r.Status != http.StatusConflict {
		t.Errorf("delete of an attached disk: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodDelete, nicID, nil); r.Status != http.StatusBadRequest || errCode(r.Body) != "NicInUse" {
		t.Errorf("delete of a NIC in use: %d %v", r.Status, r.Body)
	}
	if r := e.do(t, http.MethodDelete, pip.Body["id"].(string), nil); r.Status != http.StatusBadRequest || errCode(r.Body) != "PublicIPAddressCannotBeDeleted" {
		t.Errorf("delete of a public IP in use: %d %v", r.Status, r.Body)
	}
	if op := e.poll(t, vm.Header.Get("Azure-AsyncOperation")); op["status"] != "Succeeded" {
		t.Fatalf("vm create: %v", op)
	}
	iv := e.do(t, http.MethodGet, res("Microsoft.Compute/virtualMachines", "vm1")+"/instanceView?api-version=2024-07-01", nil)
	if codes := statusCodes(iv.Body); codes != "ProvisioningState/succeeded PowerState/running" {
		t.Errorf("instance view: %q", codes)
	}
	del := e.do(t, http.MethodDelete, res("Microsoft.Compute/virtualMachines", "vm1"), nil)
	if del.Status != http.StatusAccepted || del.Header.Get("Location") == "" {
		t.Fatalf("vm delete: %d %v", del.Status, del.Header)
	}
	if op := e.poll(t, del.Header.Get("Azure-AsyncOperation")); op["status"] != "Succeeded" {
		t.Fatalf("vm delete: %v", op)
	}
	if r := e.do(t, http.MethodGet, del.Header.Get("Location"), nil); r.Status != http.StatusNoContent {
		t.Errorf("location after the delete: %d", r.Status)
	}
	for _, p := range []string{nicID, pip.Body["id"].(string), res("Microsoft.Compute/disks", "vm1-osdisk"), res("Microsoft.Compute/virtualMachines", "vm1")} {
		if r := e.do(t, http.MethodGet, p, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s after the VM's delete: %d", p, r.Status)
		}
	}
	if a := nic(t, e, "vm3-nic", subnet, ""); a != "10.77.0.4" {
		t.Errorf("a NIC after the first was deleted got %s, want 10.77.0.4 again", a)
	}
	st := stats(t, e)
	// group, nsg, vnet, ip, 2 nics, vm, 3 refused deletes, vm delete, nic.
	if st.WritesTotal != 12 || st.Writes["Microsoft.Compute/virtualMachines"] != 2 || st.Writes["Microsoft.Network/networkInterfaces"] != 4 {
		t.Errorf("writes: %d %v", st.WritesTotal, st.Writes)
	}
}

func statusCodes(iv map[string]any) string {
	var codes []string
	for _, s := range iv["statuses"].([]any) {
		codes = append(codes, s.(map[string]any)["code"].(string))
	}
	return strings.Join(codes, " ")
}

func TestListPages(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{PageSize: 2})
	base(t, e)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		if r := e.do(t, http.MethodPut, res("Microsoft.Network/publicIPAddresses", n), map[string]any{"location": "westeurope"}); r.Status != http.StatusCreated {
			t.Fatal(r.Status, r.Body)
		}
	}
	var names []string
	next := rg + "/providers/Microsoft.Network/publicIPAddresses"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		r := e.do(t, http.MethodGet, next, nil)
		for _, v := range r.Body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		next, _ = r.Body["nextLink"].(string)
	}
	if strings.Join(names, ",") != "a,b,c,d,e" {
		t.Errorf("listed %v", names)
	}
}

// control serves e's control API on a Unix socket and returns a client.
func control(t *testing.T, e *emu) *armemu.Control {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "c.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(e.srv.ControlHandler())
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	c := armemu.NewControl(sock)
	t.Cleanup(c.Close)
	return c
}

func stats(t *testing.T, e *emu) armemu.Stats {
	t.Helper()
	st, err := control(t, e).Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}
