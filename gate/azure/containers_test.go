package azure

import (
	"testing"
)

// A pool with a container runtime offers it on its nodes (the gateway
// admits --container-image jobs there) and hands it to the executor of
// each VM; a pool without one offers none.
func TestPoolContainerRuntime(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Pools[0].Containers = "podman"
	h := newHarness(t, newFakeCloud(), "", o)
	nodes, err := h.g.Nodes(t.Context())
	if err != nil || len(nodes) == 0 {
		t.Fatalf("Nodes = %v, %v", nodes, err)
	}
	for _, n := range nodes {
		if n.Containers != "podman" {
			t.Errorf("node %s: containers %q, want podman", n.Name, n.Containers)
		}
	}
	hd, err := h.g.Start(t.Context(), spec(t, 1, "cpu-0", "true"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.g.Wait(t.Context(), hd); err != nil {
		t.Fatal(err)
	}
	if len(h.exec.opened) != 1 || h.exec.opened[0].Containers != "podman" {
		t.Errorf("executor opened with %+v, want containers podman", h.exec.opened)
	}

	plain := newHarness(t, newFakeCloud(), "", testOptions())
	nodes, _ = plain.g.Nodes(t.Context())
	if len(nodes) == 0 || nodes[0].Containers != "" {
		t.Errorf("pool without containers offers %+v", nodes)
	}
}
