package azure

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"

	"skyport/gate"
	"skyport/gate/local"
)

// TestMain lets the test binary be the local gate's job supervisor, for
// the executor that runs the "VM"'s jobs on this machine.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "supervise" {
		os.Exit(local.Supervise(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// localExecutor runs each VM's jobs on this machine through gate/local,
// with the VM's executor state directory as the local gate's.
type localExecutor struct {
	mu     sync.Mutex
	opened []HostInfo
}

func (e *localExecutor) Open(_ context.Context, h HostInfo) (gate.Gate, error) {
	e.mu.Lock()
	e.opened = append(e.opened, h)
	e.mu.Unlock()
	return local.New(h.Name, h.StateDir, local.Options{CPUs: h.CPUs, MemMB: h.MemMB})
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testOptions is a gate with one pool "cpu" of two sizes and two zones.
func testOptions() Options {
	return Options{
		Subscription: "00000000-0000-0000-0000-000000000000",
		Locations:    []string{"westeurope", "northeurope"},
		Network:      NetworkOptions{PublicIP: true, SSHSources: []string{"203.0.113.0/24"}},
		Pools: []PoolOptions{{
			Name: "cpu", Sizes: []string{"Standard_D4s_v5", "Standard_D8s_v5"}, Zones: []string{"1", "2"},
			MaxVMs: 2, Share: true,
		}},
		Prices:     map[string]map[string]float64{"westeurope": {"Standard_D4s_v5": 0.2, "Standard_D8s_v5": 0.4}},
		SpotPrices: map[string]map[string]float64{"westeurope": {"Standard_D4s_v5": 0.05}},
		MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond,
	}
}

type harness struct {
	g     *Gate
	cloud *fakeCloud
	clock *fakeClock
	exec  *localExecutor
	dir   string
}

// newHarness opens a gate over a fake cloud in dir (a new one when "").
func newHarness(t *testing.T, cloud *fakeCloud, dir string, opts Options) *harness {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	ex := &localExecutor{}
	g, err := New("az", dir, opts, Env{
		Credential: &azfake.TokenCredential{}, Transports: cloud.transports(),
		Executor: ex, Now: clock.now, Manual: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return &harness{g: g, cloud: cloud, clock: clock, exec: ex, dir: dir}
}

// spec is a job that runs script in a fresh directory.
func spec(t *testing.T, id uint32, node, script string) gate.Spec {
	d := t.TempDir()
	return gate.Spec{
		JobID: id, Name: "j", User: "u", UID: uint32(os.Getuid()), GID: uint32(os.Getgid()),
		Node: node, Script: []byte("#!/bin/sh\n" + script + "\n"), Env: []string{"PATH=/usr/bin:/bin"},
		WorkDir: d, StdOut: filepath.Join(d, "out"), StdIn: "/dev/null", CPUs: 1, MemMB: 100,
		KillWait: time.Second,
	}
}
