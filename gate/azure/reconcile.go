package azure

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// taggedVMs lists the VM names that own resources of this gate in the
// resource group: every VM, NIC and public IP tagged with the gate's ID,
// and every disk named after one of its VMs (Azure does not copy a VM's
// tags to the OS disk it creates).
func (p *Provisioner) taggedVMs(ctx context.Context) (map[string]bool, error) {
	rg := p.opts.ResourceGroup
	found := map[string]bool{}
	mine := func(tags map[string]*string, name *string) {
		if g := tags[tagGateway]; g == nil || *g != p.gateway {
			return
		}
		if v := tags[tagVM]; v != nil && *v != "" {
			found[*v] = true
		} else if name != nil {
			found[vmOf(*name)] = true
		}
	}
	vms := p.c.vms.NewListPager(rg, nil)
	for vms.More() {
		page, err := vms.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azure: list vms: %w", err)
		}
		for _, v := range page.Value {
			mine(v.Tags, v.Name)
		}
	}
	nics := p.c.nics.NewListPager(rg, nil)
	for nics.More() {
		page, err := nics.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azure: list nics: %w", err)
		}
		for _, v := range page.Value {
			mine(v.Tags, v.Name)
		}
	}
	pips := p.c.pips.NewListPager(rg, nil)
	for pips.More() {
		page, err := pips.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azure: list public ips: %w", err)
		}
		for _, v := range page.Value {
			mine(v.Tags, v.Name)
		}
	}
	disks := p.c.disks.NewListByResourceGroupPager(rg, nil)
	for disks.More() {
		page, err := disks.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azure: list disks: %w", err)
		}
		for _, d := range page.Value {
			if d.Name != nil && strings.HasPrefix(*d.Name, p.prefix+"-") && strings.HasSuffix(*d.Name, "-osdisk") {
				found[vmOf(*d.Name)] = true
			}
		}
	}
	return found, nil
}

// vmOf returns the VM a resource name belongs to.
func vmOf(name string) string {
	for _, suf := range []string{"-nic", "-ip", "-osdisk"} {
		if v, ok := strings.CutSuffix(name, suf); ok {
			return v
		}
	}
	return name
}

// Reconcile makes Azure and the journal agree: it deletes every VM (with
// what it owns) that carries the gate's tags but is not live in the
// journal, finishes every journaled create or delete that a crash
// interrupted, and drops the records of live VMs that are gone from Azure
// (returned, so the pool can fail their jobs). VMs this process is busy
// creating or deleting are left alone.
func (p *Provisioner) Reconcile(ctx context.Context) (gone []string, err error) {
	tagged, err := p.taggedVMs(ctx)
	if err != nil {
		return nil, err
	}
	recs, jerr := p.j.all()
	known := map[string]vmRecord{}
	for _, r := range recs {
		known[r.VM] = r
	}
	var errs []error
	if jerr != nil {
		errs = append(errs, jerr)
	}
	for vm := range tagged {
		if p.busy(vm) {
			continue
		}
		if r, ok := known[vm]; ok && r.State == vmLive {
			continue
		}
		p.log.Warn("deleting orphaned vm", "vm", vm, "state", known[vm].State)
		if err := p.Delete(ctx, vm); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range recs {
		if tagged[r.VM] || p.busy(r.VM) {
			continue
		}
		// Nothing of it in Azure: an interrupted create or delete is
		// finished; a live VM vanished (deleted by someone, or evicted
		// with the Delete policy).
		if r.State == vmLive {
			gone = append(gone, r.VM)
		}
		if err := p.Delete(ctx, r.VM); err != nil {
			errs = append(errs, err)
		}
	}
	return gone, errors.Join(errs...)
}
