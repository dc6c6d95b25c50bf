package azure

import (
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// builtinSizes is the catalog of VM sizes known without configuration
// (vCPUs, memory in MiB, GPUs), from Azure's published size tables. The
// [sizes] table of the configuration adds to it.
func builtinSizes() map[string]Size {
	return map[string]Size{
		"Standard_B2s":             {2, 4 << 10, 0},
		"Standard_B2ms":            {2, 8 << 10, 0},
		"Standard_D2s_v5":          {2, 8 << 10, 0},
		"Standard_D4s_v5":          {4, 16 << 10, 0},
		"Standard_D8s_v5":          {8, 32 << 10, 0},
		"Standard_D16s_v5":         {16, 64 << 10, 0},
		"Standard_D32s_v5":         {32, 128 << 10, 0},
		"Standard_D2as_v5":         {2, 8 << 10, 0},
		"Standard_D4as_v5":         {4, 16 << 10, 0},
		"Standard_D8as_v5":         {8, 32 << 10, 0},
		"Standard_F4s_v2":          {4, 8 << 10, 0},
		"Standard_F8s_v2":          {8, 16 << 10, 0},
		"Standard_F16s_v2":         {16, 32 << 10, 0},
		"Standard_E4s_v5":          {4, 32 << 10, 0},
		"Standard_E8s_v5":          {8, 64 << 10, 0},
		"Standard_E16s_v5":         {16, 128 << 10, 0},
		"Standard_NC4as_T4_v3":     {4, 28 << 10, 1},
		"Standard_NC8as_T4_v3":     {8, 56 << 10, 1},
		"Standard_NC16as_T4_v3":    {16, 110 << 10, 1},
		"Standard_NC24ads_A100_v4": {24, 220 << 10, 1},
		"Standard_NC6s_v3":         {6, 112 << 10, 1},
	}
}

// imageRefs are the Ubuntu LTS images known by a short name.
var imageRefs = map[string]armcompute.ImageReference{
	"ubuntu-24.04": {Publisher: to.Ptr("Canonical"), Offer: to.Ptr("ubuntu-24_04-lts"), SKU: to.Ptr("server"), Version: to.Ptr("latest")},
	"ubuntu-22.04": {Publisher: to.Ptr("Canonical"), Offer: to.Ptr("0001-com-ubuntu-server-jammy"), SKU: to.Ptr("22_04-lts-gen2"), Version: to.Ptr("latest")},
}

// parseImage turns a pool's image option into an image reference: a short
// name of imageRefs, a URN "publisher:offer:sku:version", or the resource
// ID of a custom image ("/subscriptions/...").
func parseImage(s string) (*armcompute.ImageReference, error) {
	if ref, ok := imageRefs[s]; ok {
		return &ref, nil
	}
	if strings.HasPrefix(s, "/subscriptions/") {
		return &armcompute.ImageReference{ID: to.Ptr(s)}, nil
	}
	if p := strings.Split(s, ":"); len(p) == 4 && p[0] != "" && p[1] != "" && p[2] != "" && p[3] != "" {
		return &armcompute.ImageReference{Publisher: &p[0], Offer: &p[1], SKU: &p[2], Version: &p[3]}, nil
	}
	return nil, fmt.Errorf("image %q: want ubuntu-24.04, ubuntu-22.04, publisher:offer:sku:version or an image resource ID", s)
}

// smallest returns the smallest shape among sizes (the least CPUs, then
// memory): what a node of the pool can promise whichever size it gets.
func smallest(catalog map[string]Size, sizes []string) Size {
	var out Size
	for i, name := range sizes {
		s := catalog[name]
		if i == 0 || s.CPUs < out.CPUs || (s.CPUs == out.CPUs && s.MemMB < out.MemMB) {
			out = s
		}
	}
	return out
}
