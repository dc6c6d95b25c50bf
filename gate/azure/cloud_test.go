package azure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	computefake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	networkfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v3"
	resourcesfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v3/fake"
)

// fakeCloud is an in-memory Azure behind the SDK's fake servers: creates
// store resources, deletes remove them (a VM's deleteOption removes its
// NIC, IP and disk), lists return them. Faults are injected in front of
// the fake servers as real HTTP responses (see fault), so that azcore's
// retry policy sees them.
type fakeCloud struct {
	mu    sync.Mutex
	res   map[string]map[string]*string // "kind/name" -> tags
	vmSet map[string]armcompute.VirtualMachine
	power map[string]string // vm -> PowerState code
	calls map[string]int    // "METHOD kind" -> requests that reached the fake

	// fault, when set, may answer a request instead of the fake server.
	fault func(req *http.Request) *http.Response
	// vmFail, when set, fails a VM create with an ARM error code.
	vmFail func(vm armcompute.VirtualMachine) string
}

func newFakeCloud() *fakeCloud {
	return &fakeCloud{res: map[string]map[string]*string{}, vmSet: map[string]armcompute.VirtualMachine{},
		power: map[string]string{}, calls: map[string]int{}}
}

func (c *fakeCloud) put(kind, name string, tags map[string]*string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res[kind+"/"+name] = tags
}

func (c *fakeCloud) del(kind, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.res[kind+"/"+name]
	delete(c.res, kind+"/"+name)
	return ok
}

func (c *fakeCloud) has(kind, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.res[kind+"/"+name]
	return ok
}

// names lists the resources of a kind, sorted.
func (c *fakeCloud) names(kind string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.res {
		if n, ok := strings.CutPrefix(k, kind+"/"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// vmResources lists every VM, NIC, IP and disk.
func (c *fakeCloud) vmResources() []string {
	var out []string
	for _, k := range []string{"vm", "nic", "ip", "disk"} {
		for _, n := range c.names(k) {
			out = append(out, k+"/"+n)
		}
	}
	return out
}

func (c *fakeCloud) count(what string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[what]
}

func notFound() azfake.ErrorResponder {
	var e azfake.ErrorResponder
	e.SetResponseError(http.StatusNotFound, "ResourceNotFound")
	return e
}

// transports returns the three ARM transports, each a fault injector in
// front of the fake server.
func (c *fakeCloud) transports() Transports {
	rs := &resourcesfake.ServerFactory{ResourceGroupsServer: resourcesfake.ResourceGroupsServer{
		CreateOrUpdate: func(_ context.Context, name string, p armresources.ResourceGroup, _ *armresources.ResourceGroupsClientCreateOrUpdateOptions) (resp azfake.Responder[armresources.ResourceGroupsClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
			c.put("rg", name, p.Tags)
			resp.SetResponse(http.StatusOK, armresources.ResourceGroupsClientCreateOrUpdateResponse{ResourceGroup: p}, nil)
			return
		},
	}}
	ns := &networkfake.ServerFactory{
		SecurityGroupsServer: networkfake.SecurityGroupsServer{
			BeginCreateOrUpdate: func(_ context.Context, rg, name string, p armnetwork.SecurityGroup, _ *armnetwork.SecurityGroupsClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armnetwork.SecurityGroupsClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
				c.put("nsg", name, p.Tags)
				p.ID = to.Ptr("/subscriptions/sub/resourceGroups/" + rg + "/providers/Microsoft.Network/networkSecurityGroups/" + name)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.SecurityGroupsClientCreateOrUpdateResponse{SecurityGroup: p}, nil)
				return
			},
		},
		VirtualNetworksServer: networkfake.VirtualNetworksServer{
			BeginCreateOrUpdate: func(_ context.Context, rg, name string, p armnetwork.VirtualNetwork, _ *armnetwork.VirtualNetworksClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armnetwork.VirtualNetworksClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
				c.put("vnet", name, p.Tags)
				p.ID = to.Ptr("/subscriptions/sub/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/" + name)
				for _, s := range p.Properties.Subnets {
					s.ID = to.Ptr(*p.ID + "/subnets/" + *s.Name)
				}
				resp.AddNonTerminalResponse(http.StatusOK, nil)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.VirtualNetworksClientCreateOrUpdateResponse{VirtualNetwork: p}, nil)
				return
			},
		},
		PublicIPAddressesServer: networkfake.PublicIPAddressesServer{
			BeginCreateOrUpdate: func(_ context.Context, _, name string, p armnetwork.PublicIPAddress, _ *armnetwork.PublicIPAddressesClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armnetwork.PublicIPAddressesClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
				c.put("ip", name, p.Tags)
				p.ID, p.Name = to.Ptr("/x/publicIPAddresses/"+name), to.Ptr(name)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.PublicIPAddressesClientCreateOrUpdateResponse{PublicIPAddress: p}, nil)
				return
			},
			Get: func(_ context.Context, _, name string, _ *armnetwork.PublicIPAddressesClientGetOptions) (resp azfake.Responder[armnetwork.PublicIPAddressesClientGetResponse], e azfake.ErrorResponder) {
				if !c.has("ip", name) {
					return resp, notFound()
				}
				resp.SetResponse(http.StatusOK, armnetwork.PublicIPAddressesClientGetResponse{PublicIPAddress: armnetwork.PublicIPAddress{
					Name: to.Ptr(name), Properties: &armnetwork.PublicIPAddressPropertiesFormat{IPAddress: to.Ptr("127.0.0.1")}}}, nil)
				return
			},
			BeginDelete: func(_ context.Context, _, name string, _ *armnetwork.PublicIPAddressesClientBeginDeleteOptions) (resp azfake.PollerResponder[armnetwork.PublicIPAddressesClientDeleteResponse], e azfake.ErrorResponder) {
				c.del("ip", name)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.PublicIPAddressesClientDeleteResponse{}, nil)
				return
			},
			NewListPager: func(_ string, _ *armnetwork.PublicIPAddressesClientListOptions) (resp azfake.PagerResponder[armnetwork.PublicIPAddressesClientListResponse]) {
				var page armnetwork.PublicIPAddressesClientListResponse
				for _, n := range c.names("ip") {
					page.Value = append(page.Value, &armnetwork.PublicIPAddress{Name: to.Ptr(n), Tags: c.tags("ip", n)})
				}
				resp.AddPage(http.StatusOK, page, nil)
				return
			},
		},
		InterfacesServer: networkfake.InterfacesServer{
			BeginCreateOrUpdate: func(_ context.Context, _, name string, p armnetwork.Interface, _ *armnetwork.InterfacesClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armnetwork.InterfacesClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
				c.put("nic", name, p.Tags)
				p.ID, p.Name = to.Ptr("/x/networkInterfaces/"+name), to.Ptr(name)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.InterfacesClientCreateOrUpdateResponse{Interface: p}, nil)
				return
			},
			Get: func(_ context.Context, _, name string, _ *armnetwork.InterfacesClientGetOptions) (resp azfake.Responder[armnetwork.InterfacesClientGetResponse], e azfake.ErrorResponder) {
				if !c.has("nic", name) {
					return resp, notFound()
				}
				resp.SetResponse(http.StatusOK, armnetwork.InterfacesClientGetResponse{Interface: armnetwork.Interface{
					Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{{
						Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{PrivateIPAddress: to.Ptr("10.77.0.4")}}}}}}, nil)
				return
			},
			BeginDelete: func(_ context.Context, _, name string, _ *armnetwork.InterfacesClientBeginDeleteOptions) (resp azfake.PollerResponder[armnetwork.InterfacesClientDeleteResponse], e azfake.ErrorResponder) {
				c.del("nic", name)
				resp.SetTerminalResponse(http.StatusOK, armnetwork.InterfacesClientDeleteResponse{}, nil)
				return
			},
			NewListPager: func(_ string, _ *armnetwork.InterfacesClientListOptions) (resp azfake.PagerResponder[armnetwork.InterfacesClientListResponse]) {
				var page armnetwork.InterfacesClientListResponse
				for _, n := range c.names("nic") {
					page.Value = append(page.Value, &armnetwork.Interface{Name: to.Ptr(n), Tags: c.tags("nic", n)})
				}
				resp.AddPage(http.StatusOK, page, nil)
				return
			},
		},
	}
	cs := &computefake.ServerFactory{
		VirtualMachinesServer: computefake.VirtualMachinesServer{
			BeginCreateOrUpdate: func(_ context.Context, _, name string, p armcompute.VirtualMachine, _ *armcompute.VirtualMachinesClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armcompute.VirtualMachinesClientCreateOrUpdateResponse], e azfake.ErrorResponder) {
				c.put("vm", name, p.Tags)
				c.put("disk", *p.Properties.StorageProfile.OSDisk.Name, nil)
				c.mu.Lock()
				c.vmSet[name] = p
				c.power[name] = "PowerState/running"
				fail := c.vmFail
				c.mu.Unlock()
				resp.AddNonTerminalResponse(http.StatusCreated, nil)
				if fail != nil {
					if code := fail(p); code != "" {
						// Like Azure: the VM resource stays, Failed.
						resp.SetTerminalError(http.StatusConflict, code)
						return
					}
				}
				resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachinesClientCreateOrUpdateResponse{VirtualMachine: p}, nil)
				return
			},
			BeginDelete: func(_ context.Context, _, name string, _ *armcompute.VirtualMachinesClientBeginDeleteOptions) (resp azfake.PollerResponder[armcompute.VirtualMachinesClientDeleteResponse], e azfake.ErrorResponder) {
				if !c.del("vm", name) {
					return resp, notFound()
				}
				c.mu.Lock()
				vm := c.vmSet[name]
				delete(c.vmSet, name)
				c.mu.Unlock()
				// deleteOption: Delete on the disk and the NIC (and its IP).
				disk := name + "-osdisk"
				if vm.Properties != nil {
					disk = *vm.Properties.StorageProfile.OSDisk.Name
				}
				c.del("disk", disk)
				c.del("nic", name+"-nic")
				c.del("ip", name+"-ip")
				resp.AddNonTerminalResponse(http.StatusAccepted, nil)
				resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachinesClientDeleteResponse{}, nil)
				return
			},
			InstanceView: func(_ context.Context, _, name string, _ *armcompute.VirtualMachinesClientInstanceViewOptions) (resp azfake.Responder[armcompute.VirtualMachinesClientInstanceViewResponse], e azfake.ErrorResponder) {
				c.mu.Lock()
				ps, ok := c.power[name]
				c.mu.Unlock()
				if !ok || !c.has("vm", name) {
					return resp, notFound()
				}
				resp.SetResponse(http.StatusOK, armcompute.VirtualMachinesClientInstanceViewResponse{VirtualMachineInstanceView: armcompute.VirtualMachineInstanceView{
					Statuses: []*armcompute.InstanceViewStatus{{Code: to.Ptr("ProvisioningState/succeeded")}, {Code: to.Ptr(ps)}}}}, nil)
				return
			},
			NewListPager: func(_ string, _ *armcompute.VirtualMachinesClientListOptions) (resp azfake.PagerResponder[armcompute.VirtualMachinesClientListResponse]) {
				var page armcompute.VirtualMachinesClientListResponse
				for _, n := range c.names("vm") {
					page.Value = append(page.Value, &armcompute.VirtualMachine{Name: to.Ptr(n), Tags: c.tags("vm", n)})
				}
				resp.AddPage(http.StatusOK, page, nil)
				return
			},
		},
		DisksServer: computefake.DisksServer{
			BeginDelete: func(_ context.Context, _, name string, _ *armcompute.DisksClientBeginDeleteOptions) (resp azfake.PollerResponder[armcompute.DisksClientDeleteResponse], e azfake.ErrorResponder) {
				c.del("disk", name)
				resp.SetTerminalResponse(http.StatusOK, armcompute.DisksClientDeleteResponse{}, nil)
				return
			},
			NewListByResourceGroupPager: func(_ string, _ *armcompute.DisksClientListByResourceGroupOptions) (resp azfake.PagerResponder[armcompute.DisksClientListByResourceGroupResponse]) {
				var page armcompute.DisksClientListByResourceGroupResponse
				for _, n := range c.names("disk") {
					page.Value = append(page.Value, &armcompute.Disk{Name: to.Ptr(n)})
				}
				resp.AddPage(http.StatusOK, page, nil)
				return
			},
		},
	}
	return Transports{
		Resources: c.wrap(resourcesfake.NewServerFactoryTransport(rs)),
		Network:   c.wrap(networkfake.NewServerFactoryTransport(ns)),
		Compute:   c.wrap(computefake.NewServerFactoryTransport(cs)),
	}
}

func (c *fakeCloud) tags(kind, name string) map[string]*string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.res[kind+"/"+name]
}

// wrap puts the fault injector and the call counter in front of next.
func (c *fakeCloud) wrap(next policy.Transporter) policy.Transporter {
	return transportFunc(func(req *http.Request) (*http.Response, error) {
		kind := resourceKind(req.URL.Path)
		c.mu.Lock()
		c.calls[req.Method+" "+kind]++
		fault := c.fault
		c.mu.Unlock()
		if fault != nil {
			if resp := fault(req); resp != nil {
				return resp, nil
			}
		}
		return next.Do(req)
	})
}

type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// resourceKind names the ARM resource type a request path is about.
func resourceKind(path string) string {
	for _, k := range []string{"virtualMachines", "networkInterfaces", "publicIPAddresses", "disks",
		"networkSecurityGroups", "virtualNetworks"} {
		if strings.Contains(path, "/"+k) {
			return k
		}
	}
	if strings.Contains(path, "/resourcegroups/") || strings.Contains(path, "/resourceGroups/") {
		return "resourceGroups"
	}
	return path
}

// armError is a real ARM error answer, as Azure sends it.
func armError(req *http.Request, status int, code string) *http.Response {
	body := fmt.Sprintf(`{"error":{"code":%q,"message":"injected %s"}}`, code, code)
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:  http.Header{"Content-Type": {"application/json"}, "X-Ms-Error-Code": {code}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: req, ContentLength: int64(len(body)),
	}
}
