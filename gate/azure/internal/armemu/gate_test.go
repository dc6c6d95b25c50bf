package armemu_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"skyport/gate"
	"skyport/gate/azure"
	"skyport/gate/azure/internal/armemu"
	"skyport/gate/local"
)

// These tests run the real Azure gate (its Provisioner, the SDK's
// clients and azidentity's client secret credential) in this process
// against an emulator, with guests that run nothing and an executor that
// runs the VMs' jobs on this machine: no root needed.

// recorder is a Hypervisor that keeps the specs of the guests it starts.
type recorder struct {
	mu    sync.Mutex
	specs []armemu.GuestSpec
}

func (r *recorder) Start(ctx context.Context, s armemu.GuestSpec) (armemu.Guest, error) {
	r.mu.Lock()
	r.specs = append(r.specs, s)
	r.mu.Unlock()
	return armemu.NullHypervisor{}.Start(ctx, s)
}

// localExec runs each VM's jobs through gate/local and keeps the hosts.
type localExec struct {
	mu    sync.Mutex
	hosts []azure.HostInfo
}

func (e *localExec) Open(_ context.Context, h azure.HostInfo) (gate.Gate, error) {
	e.mu.Lock()
	e.hosts = append(e.hosts, h)
	e.mu.Unlock()
	return local.New(h.Name, h.StateDir, local.Options{CPUs: h.CPUs, MemMB: h.MemMB})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// gateOn opens an Azure gate over e with pool "az" (sizes in order),
// authenticating with secret.
func gateOn(t *testing.T, e *emu, secretValue string, sizes ...string) (*azure.Gate, *localExec, *clock) {
	t.Helper()
	return gateWith(t, e, secretValue, func(o *azure.Options) { o.Pools[0].Sizes = sizes })
}

// gateWith opens an Azure gate over e with pool "az" of the first size,
// authenticating with secret, after mod changed its options.
func gateWith(t *testing.T, e *emu, secretValue string, mod func(*azure.Options)) (*azure.Gate, *localExec, *clock) {
	t.Helper()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(secretValue+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := azure.Options{
		Subscription: sub, Locations: []string{"westeurope"}, ResourceGroup: "rg1",
		Endpoint: e.url, AuthorityHost: e.url + "/",
		Credential: azure.CredentialOptions{Kind: "client_secret", TenantID: tenant, ClientID: client, SecretFile: secretFile},
		Network:    azure.NetworkOptions{PublicIP: true, SSHSources: []string{"10.0.0.0/8"}},
		Pools:      []azure.PoolOptions{{Name: "az", Sizes: []string{"Standard_D2s_v5"}, MaxVMs: 2, IdleTimeout: 10 * time.Minute}},
		MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 2 * time.Second,
	}
	mod(&opts)
	ex := &localExec{}
	ck := &clock{t: time.Now()}
	g, err := azure.New("az", filepath.Join(dir, "state"), opts, azure.Env{Executor: ex, Manual: true, Now: ck.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g, ex, ck
}

// job is a spec that runs script on node.
func job(t *testing.T, id uint32, node, script string) gate.Spec {
	d := t.TempDir()
	return gate.Spec{
		JobID: id, Name: "j", User: "u", UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), Node: node,
		Script: []byte("#!/bin/sh\n" + script + "\n"), Env: []string{"PATH=/usr/bin:/bin"}, WorkDir: d,
		StdOut: filepath.Join(d, "out"), StdIn: "/dev/null", CPUs: 1, MemMB: 100, KillWait: time.Second,
	}
}

// runJob starts spec, waits for it and reaps it.
func runJob(t *testing.T, g *azure.Gate, spec gate.Spec) {
	t.Helper()
	ctx := t.Context()
	h, err := g.Start(ctx, spec)
	if err != nil {
		t.Fatalf("start job %d: %v", spec.JobID, err)
	}
	if e, err := g.Wait(ctx, h); err != nil || e.Cause != gate.CauseNone || e.Code != 0 {
		t.Fatalf("job %d: %+v %v", spec.JobID, e, err)
	}
	if _, err := g.Reap(ctx, h); err != nil {
		t.Fatal(err)
	}
}

func TestGateCreatesReusesAndDeletes(t *testing.T) {
	t.Parallel()
	// Network operations complete in the request, or run for a while
	// (202s, Azure-AsyncOperation and Location polling).
	for _, nd := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run("network-delay-"+nd.String(), func(t *testing.T) {
			t.Parallel()
			createReuseDelete(t, nd)
		})
	}
}

func createReuseDelete(t *testing.T, networkDelay time.Duration) {
	hv := &recorder{}
	e := newEmu(t, armemu.Config{Hypervisor: hv, NetworkDelay: networkDelay})
	g, ex, ck := gateOn(t, e, secret, "Standard_D2s_v5")
	ctx := t.Context()
	g.Tick(ctx)
	if r := g.Reason(); r != "" {
		t.Fatalf("reason with a good credential: %q", r)
	}
	before := stats(t, e).WritesTotal
	runJob(t, g, job(t, 1, "az-0", "echo one"))
	st := stats(t, e)
	if n := st.WritesTotal - before; n != 6 {
		t.Errorf("first job on a new VM: %d ARM writes %v, want 6 (group, nsg, vnet, public ip, nic, vm)", n, st.Writes)
	}
	if len(st.VMs) != 1 || st.VMs[0].PublicIP == "" || st.VMs[0].PrivateIP != "10.77.0.4" || st.VMs[0].Power != "running" {
		t.Fatalf("vms: %+v", st.VMs)
	}
	// The guest gets the gate's user, login key and the host key it pins.
	spec, host := hv.specs[0], ex.hosts[0]
	signer, err := ssh.ParsePrivateKey(spec.HostKey)
	if err != nil {
		t.Fatalf("host key from cloud-init: %v", err)
	}
	pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(host.HostKey))
	if err != nil || string(pinned.Marshal()) != string(signer.PublicKey().Marshal()) {
		t.Errorf("the guest's host key is not the one the gate pins (%v)", err)
	}
	if spec.User != host.User || spec.Name != host.Name || len(spec.AuthorizedKeys) == 0 {
		t.Errorf("guest spec %+v for host %+v", spec, host)
	}
	if !strings.HasPrefix(host.Address, st.VMs[0].PublicIP+":") {
		t.Errorf("the gate reaches %s, the VM's public address is %s", host.Address, st.VMs[0].PublicIP)
	}
	before = st.WritesTotal
	runJob(t, g, job(t, 2, "az-0", "echo two"))
	if n := stats(t, e).WritesTotal - before; n != 0 {
		t.Errorf("a job on the warm VM: %d ARM writes, want 0", n)
	}
	ck.advance(11 * time.Minute)
	g.Tick(ctx)
	st = stats(t, e)
	for _, typ := range []string{"Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks", "Microsoft.Network/networkInterfaces", "Microsoft.Network/publicIPAddresses"} {
		if st.Resources[typ] != 0 {
			t.Errorf("after the idle timeout %d of %s remain", st.Resources[typ], typ)
		}
	}
}

func TestGateAuthFailure(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	g, _, _ := gateOn(t, e, "not-the-secret", "Standard_D2s_v5")
	g.Tick(t.Context())
	if r := g.Reason(); r != azure.ReasonAuth {
		t.Errorf("reason with a wrong secret: %q, want %s", r, azure.ReasonAuth)
	}
	_, err := g.Start(t.Context(), job(t, 1, "az-0", "true"))
	var re interface{ Reason() string }
	if !errors.As(err, &re) || re.Reason() != azure.ReasonAuth || !errors.Is(err, gate.ErrUnavailable) {
		t.Errorf("start with a wrong secret: %v", err)
	}
	st := stats(t, e)
	if st.TokenRequests == 0 || st.TokensIssued != 1 || st.WritesTotal != 0 { // newEmu's own token
		t.Errorf("stats: %+v", st)
	}
}

func TestGateFallsBackAndRetries(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	g, _, _ := gateOn(t, e, secret, "Standard_D2s_v5", "Standard_D2as_v5", "Standard_D4s_v5")
	ctl := control(t, e)
	ctx := t.Context()
	for _, f := range []armemu.Fault{
		{Method: "PUT", Type: "Microsoft.Network/networkInterfaces", Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 1},
		{Method: "PUT", Type: "Microsoft.Compute/virtualMachines", Code: "SkuNotAvailable"},
		{Method: "PUT", Type: "Microsoft.Compute/virtualMachines", Code: "AllocationFailed", Async: true},
	} {
		if err := ctl.Inject(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	runJob(t, g, job(t, 1, "az-0", "true"))
	st, err := ctl.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.FaultsServed != 3 {
		t.Errorf("faults served: %d, want 3", st.FaultsServed)
	}
	// The third size's VM is the one left; the failed tries left nothing.
	if st.Resources["Microsoft.Compute/virtualMachines"] != 1 || st.Resources["Microsoft.Network/networkInterfaces"] != 1 ||
		st.Resources["Microsoft.Compute/disks"] != 1 || st.Resources["Microsoft.Network/publicIPAddresses"] != 1 {
		t.Errorf("resources after two failed placements: %v", st.Resources)
	}
	r := e.do(t, http.MethodGet, "/subscriptions/"+sub+"/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/"+st.VMs[0].Name, nil)
	if size := r.Body["properties"].(map[string]any)["hardwareProfile"].(map[string]any)["vmSize"]; size != "Standard_D4s_v5" {
		t.Errorf("the VM's size is %v, want the third, Standard_D4s_v5", size)
	}
}

func TestGateSpotEviction(t *testing.T) {
	t.Parallel()
	e := newEmu(t, armemu.Config{})
	g, _, ck := gateWith(t, e, secret, func(o *azure.Options) {
		o.Pools[0].Spot = true
		o.PollInterval = time.Minute
	})
	ctx := t.Context()
	h, err := g.Start(ctx, job(t, 1, "az-0", "sleep 30"))
	if err != nil {
		t.Fatal(err)
	}
	st := stats(t, e)
	r := e.do(t, http.MethodGet, "/subscriptions/"+sub+"/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/"+st.VMs[0].Name, nil)
	if p := r.Body["properties"].(map[string]any); p["priority"] != "Spot" || p["evictionPolicy"] != "Deallocate" {
		t.Errorf("the VM is not a spot VM: %v", p)
	}
	if err := control(t, e).Evict(ctx, st.VMs[0].Name); err != nil {
		t.Fatal(err)
	}
	ck.advance(2 * time.Minute) // the next health check is due
	g.Tick(ctx)
	ex, err := g.Wait(ctx, h)
	if err != nil || ex.Cause != gate.CausePreempted {
		t.Fatalf("wait after the eviction: %+v %v", ex, err)
	}
	if _, err := g.Reap(ctx, h); err != nil {
		t.Fatal(err)
	}
	// The evicted VM goes at the next tick, with all it owns.
	g.Tick(ctx)
	if st := stats(t, e); st.Resources["Microsoft.Compute/virtualMachines"] != 0 || st.Resources["Microsoft.Compute/disks"] != 0 {
		t.Errorf("after the eviction: %v", st.Resources)
	}
}
