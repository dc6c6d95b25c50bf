package azure

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
)

// createRequest asks for one VM of a pool.
type createRequest struct {
	Pool  *PoolOptions
	Owner owner
	Spot  bool // false forces on-demand (after too many evictions)
}

// attempt is one placement tried: a region, a size and a zone ("" none).
type attempt struct{ Region, Size, Zone string }

// attempts lists the placements of a pool in order of preference:
// regions, then sizes, then zones.
func attempts(p *PoolOptions) []attempt {
	zones := p.Zones
	if len(zones) == 0 {
		zones = []string{""}
	}
	var out []attempt
	for _, r := range p.Locations {
		for _, s := range p.Sizes {
			for _, z := range zones {
				out = append(out, attempt{r, s, z})
			}
		}
	}
	return out
}

// create creates a VM for req, trying each placement in turn: after
// QuotaExceeded, SkuNotAvailable, AllocationFailed or ZonalAllocationFailed
// it removes what the failed try left and moves on to the next size, zone
// or region (a quota error skips the size's other zones in that region).
// When every placement fails the error is a *ReasonError with the reason
// of the last failure. Any other error ends the search at once. The
// journal holds each VM tried as "creating" from before its first resource
// until it is live; a failed Create leaves nothing behind.
func (p *Provisioner) create(ctx context.Context, req createRequest) (vmRecord, error) {
	var lastErr error
	skip := map[attempt]bool{}
	for _, a := range attempts(req.Pool) {
		if skip[attempt{a.Region, a.Size, ""}] {
			continue
		}
		rec, err := p.createAt(ctx, req, a)
		if err == nil {
			return rec, nil
		}
		reason, ok := fallbackReason(err)
		if !ok {
			return vmRecord{}, &ReasonError{Why: reasonOf(err), Err: err}
		}
		p.log.Warn("vm placement failed, trying the next", "region", a.Region,
			"size", a.Size, "zone", a.Zone, "reason", reason)
		lastErr = &ReasonError{Why: reason, Err: err}
		if reason == ReasonQuota {
			skip[attempt{a.Region, a.Size, ""}] = true
		}
	}
	return vmRecord{}, lastErr
}

// createAt creates a VM at one placement, under a name of its own (a
// failed VM may linger in Azure while it is deleted). On failure it
// deletes what it created, journal record and host key included.
func (p *Provisioner) createAt(ctx context.Context, req createRequest, a attempt) (vmRecord, error) {
	vm := p.newVMName(req.Pool.Name)
	defer p.track(vm)()
	hk, err := loadOrCreateKey(p.hostKeyPath(vm), vm)
	if err != nil {
		return vmRecord{}, err
	}
	rec := vmRecord{
		VM: vm, Pool: req.Pool.Name, State: vmCreating, Region: a.Region, Zone: a.Zone,
		Size: a.Size, Spot: req.Spot, HostKey: hk.Public, Created: p.now().UTC(),
	}
	if err := p.j.put(rec); err != nil {
		return vmRecord{}, errors.Join(err, os.Remove(p.hostKeyPath(vm)))
	}
	addr, err := p.createOnce(ctx, rec, req, hk)
	if err == nil {
		rec.State, rec.Address = vmLive, addr
		err = p.j.put(rec)
		if err == nil {
			p.log.Info("vm created", "vm", vm, "region", a.Region, "size", a.Size, "zone", a.Zone, "spot", req.Spot)
			return rec, nil
		}
	}
	if derr := p.destroy(context.WithoutCancel(ctx), vm); derr != nil {
		return vmRecord{}, fmt.Errorf("%w (and its cleanup: %w)", err, derr)
	}
	return vmRecord{}, err
}

// createOnce creates the public IP (when configured), the NIC and the VM
// of one placement and returns the address SSH reaches the VM at.
func (p *Provisioner) createOnce(ctx context.Context, rec vmRecord, req createRequest, hk keyPair) (string, error) {
	subnet, err := p.ensureBase(ctx, rec.Region)
	if err != nil {
		return "", err
	}
	n := namesOf(rec.VM)
	rg := p.opts.ResourceGroup
	tags := p.tags(rec.VM, req.Owner)
	ipConf := &armnetwork.InterfaceIPConfigurationPropertiesFormat{
		Subnet:                    &armnetwork.Subnet{ID: to.Ptr(subnet)},
		PrivateIPAllocationMethod: to.Ptr(armnetwork.IPAllocationMethodDynamic),
	}
	if p.opts.Network.PublicIP {
		pp, err := p.c.pips.BeginCreateOrUpdate(ctx, rg, n.IP, armnetwork.PublicIPAddress{
			Location: to.Ptr(rec.Region), Tags: tags,
			SKU: &armnetwork.PublicIPAddressSKU{Name: to.Ptr(armnetwork.PublicIPAddressSKUNameStandard)},
			Properties: &armnetwork.PublicIPAddressPropertiesFormat{
				PublicIPAllocationMethod: to.Ptr(armnetwork.IPAllocationMethodStatic),
			},
		}, nil)
		if err != nil {
			return "", fmt.Errorf("azure: public ip %s: %w", n.IP, err)
		}
		pip, err := pp.PollUntilDone(ctx, nil)
		if err != nil {
			return "", fmt.Errorf("azure: public ip %s: %w", n.IP, err)
		}
		ipConf.PublicIPAddress = &armnetwork.PublicIPAddress{
			ID:         pip.ID,
			Properties: &armnetwork.PublicIPAddressPropertiesFormat{DeleteOption: to.Ptr(armnetwork.DeleteOptionsDelete)},
		}
	}
	np, err := p.c.nics.BeginCreateOrUpdate(ctx, rg, n.NIC, armnetwork.Interface{
		Location: to.Ptr(rec.Region), Tags: tags,
		Properties: &armnetwork.InterfacePropertiesFormat{
			IPConfigurations: []*armnetwork.InterfaceIPConfiguration{{Name: to.Ptr("ipconfig"), Properties: ipConf}},
		},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("azure: nic %s: %w", n.NIC, err)
	}
	nic, err := np.PollUntilDone(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("azure: nic %s: %w", n.NIC, err)
	}
	vp, err := p.c.vms.BeginCreateOrUpdate(ctx, rg, n.VM, p.vmModel(rec, req, hk, *nic.ID, tags), nil)
	if err != nil {
		return "", fmt.Errorf("azure: vm %s: %w", n.VM, err)
	}
	if _, err := vp.PollUntilDone(ctx, nil); err != nil {
		return "", fmt.Errorf("azure: vm %s: %w", n.VM, err)
	}
	return p.address(ctx, rec.VM)
}

// vmModel is the VM resource of one placement.
func (p *Provisioner) vmModel(rec vmRecord, req createRequest, hk keyPair, nicID string, tags map[string]*string) armcompute.VirtualMachine {
	img, _ := parseImage(req.Pool.Image) // checked by withDefaults
	ci := cloudInit{
		User: p.opts.AdminUser, AuthorizedKey: p.loginKey.Public, HostKey: hk,
		Packages: req.Pool.Packages, Containers: req.Pool.Containers,
	}
	vm := armcompute.VirtualMachine{
		Location: to.Ptr(rec.Region), Tags: tags,
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(rec.Size))},
			StorageProfile: &armcompute.StorageProfile{
				ImageReference: img,
				OSDisk: &armcompute.OSDisk{
					Name:         to.Ptr(namesOf(rec.VM).Disk),
					CreateOption: to.Ptr(armcompute.DiskCreateOptionTypesFromImage),
					DeleteOption: to.Ptr(armcompute.DiskDeleteOptionTypesDelete),
					DiskSizeGB:   to.Ptr(int32(req.Pool.OSDiskGB)),
					ManagedDisk: &armcompute.ManagedDiskParameters{
						StorageAccountType: to.Ptr(armcompute.StorageAccountTypesStandardSSDLRS),
					},
				},
			},
			OSProfile: &armcompute.OSProfile{
				ComputerName:  to.Ptr(rec.VM),
				AdminUsername: to.Ptr(p.opts.AdminUser),
				CustomData:    to.Ptr(ci.customData()),
				LinuxConfiguration: &armcompute.LinuxConfiguration{
					DisablePasswordAuthentication: to.Ptr(true),
					SSH: &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{
						Path:    to.Ptr("/home/" + p.opts.AdminUser + "/.ssh/authorized_keys"),
						KeyData: to.Ptr(p.loginKey.Public),
					}}},
				},
			},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{
				ID: to.Ptr(nicID),
				Properties: &armcompute.NetworkInterfaceReferenceProperties{
					Primary: to.Ptr(true), DeleteOption: to.Ptr(armcompute.DeleteOptionsDelete),
				},
			}}},
		},
	}
	if rec.Zone != "" {
		vm.Zones = []*string{to.Ptr(rec.Zone)}
	}
	if req.Spot {
		vm.Properties.Priority = to.Ptr(armcompute.VirtualMachinePriorityTypesSpot)
		vm.Properties.EvictionPolicy = to.Ptr(armcompute.VirtualMachineEvictionPolicyTypesDeallocate)
		vm.Properties.BillingProfile = &armcompute.BillingProfile{MaxPrice: to.Ptr(req.Pool.MaxPrice)}
	}
	return vm
}

// address returns where SSH reaches vm: its public IP when the gate
// gives VMs one, else the NIC's private IP.
func (p *Provisioner) address(ctx context.Context, vm string) (string, error) {
	n := namesOf(vm)
	rg := p.opts.ResourceGroup
	if p.opts.Network.PublicIP {
		ip, err := p.c.pips.Get(ctx, rg, n.IP, nil)
		if err != nil {
			return "", fmt.Errorf("azure: public ip %s: %w", n.IP, err)
		}
		if ip.Properties == nil || ip.Properties.IPAddress == nil {
			return "", fmt.Errorf("azure: public ip %s: no address assigned", n.IP)
		}
		return *ip.Properties.IPAddress, nil
	}
	nic, err := p.c.nics.Get(ctx, rg, n.NIC, nil)
	if err != nil {
		return "", fmt.Errorf("azure: nic %s: %w", n.NIC, err)
	}
	if nic.Properties != nil {
		for _, c := range nic.Properties.IPConfigurations {
			if c != nil && c.Properties != nil && c.Properties.PrivateIPAddress != nil {
				return *c.Properties.PrivateIPAddress, nil
			}
		}
	}
	return "", fmt.Errorf("azure: nic %s: no private address", n.NIC)
}

// Delete deletes vm and everything it owns (VM, NIC, public IP, OS disk):
// the intent is journaled first, each delete tolerates a resource already
// gone, and the record and host key go last. Safe to repeat.
func (p *Provisioner) Delete(ctx context.Context, vm string) error {
	defer p.track(vm)()
	return p.destroy(ctx, vm)
}

func (p *Provisioner) destroy(ctx context.Context, vm string) error {
	rec, err := p.j.get(vm)
	if err != nil {
		rec = vmRecord{VM: vm}
	}
	rec.State = vmDeleting
	if err := p.j.put(rec); err != nil {
		return err
	}
	if err := p.deleteResources(ctx, vm); err != nil {
		return err
	}
	if err := os.Remove(p.hostKeyPath(vm)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("azure: host key of %s: %w", vm, err)
	}
	_ = os.Remove(p.hostKeyPath(vm) + ".pub") // derived; may be missing
	if err := p.j.remove(vm); err != nil {
		return err
	}
	p.log.Info("vm deleted", "vm", vm)
	return nil
}

// deleteResources deletes the VM, NIC, public IP and OS disk of vm, each
// tolerating a resource already gone.
func (p *Provisioner) deleteResources(ctx context.Context, vm string) error {
	n := namesOf(vm)
	rg := p.opts.ResourceGroup
	if vp, err := p.c.vms.BeginDelete(ctx, rg, n.VM, nil); err == nil {
		if _, err := vp.PollUntilDone(ctx, nil); err != nil && !isNotFound(err) {
			return fmt.Errorf("azure: delete vm %s: %w", vm, err)
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("azure: delete vm %s: %w", vm, err)
	}
	// deleteOption removed the NIC, IP and disk with the VM when the VM
	// existed; these deletes cover a crash before the VM was created.
	if np, err := p.c.nics.BeginDelete(ctx, rg, n.NIC, nil); err == nil {
		if _, err := np.PollUntilDone(ctx, nil); err != nil && !isNotFound(err) {
			return fmt.Errorf("azure: delete nic %s: %w", n.NIC, err)
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("azure: delete nic %s: %w", n.NIC, err)
	}
	if pp, err := p.c.pips.BeginDelete(ctx, rg, n.IP, nil); err == nil {
		if _, err := pp.PollUntilDone(ctx, nil); err != nil && !isNotFound(err) {
			return fmt.Errorf("azure: delete public ip %s: %w", n.IP, err)
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("azure: delete public ip %s: %w", n.IP, err)
	}
	if dp, err := p.c.disks.BeginDelete(ctx, rg, n.Disk, nil); err == nil {
		if _, err := dp.PollUntilDone(ctx, nil); err != nil && !isNotFound(err) {
			return fmt.Errorf("azure: delete disk %s: %w", n.Disk, err)
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("azure: delete disk %s: %w", n.Disk, err)
	}
	return nil
}
