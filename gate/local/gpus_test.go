package local

import (
	"testing"

	"skyport/gate"
)

// The "gpus" option gives the node its GPUs; anything but a
// non-negative integer is refused.
func TestGPUsOption(t *testing.T) {
	t.Parallel()
	g, err := gate.Open("local", gate.Config{Name: "gpu", StateDir: t.TempDir(), Options: map[string]any{"gpus": int64(2)}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	nodes, err := g.Nodes(t.Context())
	if err != nil || len(nodes) != 1 || nodes[0].GPUs != 2 {
		t.Errorf("Nodes = %+v, %v; want one node with 2 GPUs", nodes, err)
	}
	for _, bad := range []any{int64(-1), "2", 1.5} {
		if _, err := parseOptions(map[string]any{"gpus": bad}); err == nil {
			t.Errorf("gpus = %v accepted", bad)
		}
	}
	if o, err := parseOptions(map[string]any{"gpus": 4}); err != nil || o.GPUs != 4 {
		t.Errorf("gpus = 4 (int, as the gateway passes it): %+v, %v", o, err)
	}
}
