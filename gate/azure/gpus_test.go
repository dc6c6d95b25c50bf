package azure

import "testing"

// A pool's nodes have the GPUs of its VM size (the catalog's count), so
// the gateway schedules GPU jobs there; other pools' nodes have none.
func TestPoolGPUs(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Pools[0].Sizes = []string{"Standard_NC4as_T4_v3"}
	h := newHarness(t, newFakeCloud(), "", o)
	nodes, err := h.g.Nodes(t.Context())
	if err != nil || len(nodes) == 0 {
		t.Fatalf("Nodes = %v, %v", nodes, err)
	}
	for _, n := range nodes {
		if n.GPUs != 1 || n.CPUs != 4 {
			t.Errorf("node %s: %d GPUs, %d CPUs; want 1 and 4", n.Name, n.GPUs, n.CPUs)
		}
	}
	plain := newHarness(t, newFakeCloud(), "", testOptions())
	if nodes, _ := plain.g.Nodes(t.Context()); len(nodes) == 0 || nodes[0].GPUs != 0 {
		t.Errorf("pool of D4s_v5 offers %+v", nodes)
	}
}
