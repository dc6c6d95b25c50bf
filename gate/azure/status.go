package azure

import (
	"context"
	"fmt"
	"strings"
)

// vmHealth is what a VM's instance view says about it.
type vmHealth int

const (
	vmRunning vmHealth = iota // running, or starting
	vmEvicted                 // a spot VM deallocated by Azure
	vmGone                    // deleted, or stopped under the gate's feet
)

func (h vmHealth) String() string {
	return [...]string{"running", "evicted", "gone"}[h]
}

// health reads vm's instance view. A spot VM that is deallocated (or being
// deallocated) was evicted: the gate never deallocates its VMs.
func (p *Provisioner) health(ctx context.Context, rec vmRecord) (vmHealth, error) {
	iv, err := p.c.vms.InstanceView(ctx, p.opts.ResourceGroup, rec.VM, nil)
	if isNotFound(err) {
		return vmGone, nil
	}
	if err != nil {
		return vmRunning, fmt.Errorf("azure: instance view of %s: %w", rec.VM, err)
	}
	for _, s := range iv.Statuses {
		if s == nil || s.Code == nil {
			continue
		}
		switch code := *s.Code; {
		case code == "PowerState/deallocated" || code == "PowerState/deallocating":
			if rec.Spot {
				return vmEvicted, nil
			}
			return vmGone, nil
		case code == "PowerState/stopped" || strings.HasPrefix(code, "ProvisioningState/deleting"):
			return vmGone, nil
		}
	}
	return vmRunning, nil
}
