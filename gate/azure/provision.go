package azure

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v3"
)

// The tags on every resource the gate creates.
const (
	tagGateway   = "skyport-gateway"
	tagVM        = "skyport-vm"
	tagJob       = "skyport-job"
	tagUser      = "skyport-user"
	tagPartition = "skyport-partition"
)

// Provisioner creates and deletes the gate's Azure resources. Every method
// is safe for concurrent use; a context bounds only its call. Before each
// create or delete of a VM's resources it records the intent in the
// journal, so that Reconcile can finish or undo the work after a crash.
type Provisioner struct {
	opts     *Options
	gateway  string // the value of tagGateway: this gate's unique ID
	prefix   string // every VM name starts with it
	c        *clients
	j        *journal
	keysDir  string
	loginKey keyPair
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	rgReady  bool
	subnets  map[string]string // region -> subnet resource ID
	inflight map[string]bool   // VMs this process is creating or deleting
}

// vmNames are the names of one VM's resources.
type vmNames struct{ VM, NIC, IP, Disk string }

func namesOf(vm string) vmNames {
	return vmNames{VM: vm, NIC: vm + "-nic", IP: vm + "-ip", Disk: vm + "-osdisk"}
}

// newVMName returns a fresh VM name for pool: "<prefix>-<pool>-<8 hex>".
func (p *Provisioner) newVMName(pool string) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return p.prefix + "-" + pool + "-" + hex.EncodeToString(b[:])
}

// owner says who a VM is created for, for its tags.
type owner struct {
	Pool  string
	JobID uint32
	User  string
}

func (p *Provisioner) tags(vm string, o owner) map[string]*string {
	t := map[string]*string{
		tagGateway: to.Ptr(p.gateway), tagPartition: to.Ptr(o.Pool),
		tagJob: to.Ptr(strconv.FormatUint(uint64(o.JobID), 10)), tagUser: to.Ptr(o.User),
	}
	if vm != "" {
		t[tagVM] = to.Ptr(vm)
	}
	return t
}

func (p *Provisioner) baseName(region, what string) string {
	return "skyport-" + region + "-" + what
}

// ensureBase creates, once per region and idempotently, the resource
// group, the NSG (SSH only from the configured sources), the VNet and its
// subnet, and returns the subnet's ID.
func (p *Provisioner) ensureBase(ctx context.Context, region string) (string, error) {
	p.mu.Lock()
	id, ok := p.subnets[region]
	rgReady := p.rgReady
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	rg := p.opts.ResourceGroup
	baseTags := map[string]*string{tagGateway: to.Ptr(p.gateway)}
	if !rgReady {
		_, err := p.c.groups.CreateOrUpdate(ctx, rg, armresources.ResourceGroup{
			Location: to.Ptr(p.opts.Locations[0]), Tags: baseTags,
		}, nil)
		if err != nil {
			return "", fmt.Errorf("azure: resource group %s: %w", rg, err)
		}
		p.mu.Lock()
		p.rgReady = true
		p.mu.Unlock()
	}
	nsgPoller, err := p.c.nsgs.BeginCreateOrUpdate(ctx, rg, p.baseName(region, "nsg"), armnetwork.SecurityGroup{
		Location: to.Ptr(region), Tags: baseTags,
		Properties: &armnetwork.SecurityGroupPropertiesFormat{SecurityRules: p.sshRules()},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("azure: network security group in %s: %w", region, err)
	}
	nsg, err := nsgPoller.PollUntilDone(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("azure: network security group in %s: %w", region, err)
	}
	vnetPoller, err := p.c.vnets.BeginCreateOrUpdate(ctx, rg, p.baseName(region, "vnet"), armnetwork.VirtualNetwork{
		Location: to.Ptr(region), Tags: baseTags,
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr(p.opts.Network.VNetCIDR)}},
			Subnets: []*armnetwork.Subnet{{
				Name: to.Ptr("jobs"),
				Properties: &armnetwork.SubnetPropertiesFormat{
					AddressPrefix:        to.Ptr(p.opts.Network.SubnetCIDR),
					NetworkSecurityGroup: &armnetwork.SecurityGroup{ID: nsg.ID},
				},
			}},
		},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("azure: virtual network in %s: %w", region, err)
	}
	vnet, err := vnetPoller.PollUntilDone(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("azure: virtual network in %s: %w", region, err)
	}
	id = ""
	if vnet.Properties != nil {
		for _, s := range vnet.Properties.Subnets {
			if s != nil && s.ID != nil && s.Name != nil && *s.Name == "jobs" {
				id = *s.ID
			}
		}
	}
	if id == "" && vnet.ID != nil {
		id = *vnet.ID + "/subnets/jobs"
	}
	if id == "" {
		return "", fmt.Errorf("azure: virtual network in %s: no subnet ID in the answer", region)
	}
	p.mu.Lock()
	p.subnets[region] = id
	p.mu.Unlock()
	return id, nil
}

// sshRules admit TCP 22 from each configured source (from the virtual
// network when there is none) and nothing else from outside.
func (p *Provisioner) sshRules() []*armnetwork.SecurityRule {
	sources := p.opts.Network.SSHSources
	if len(sources) == 0 {
		sources = []string{"VirtualNetwork"}
	}
	var rules []*armnetwork.SecurityRule
	for i, src := range sources {
		rules = append(rules, &armnetwork.SecurityRule{
			Name: to.Ptr(fmt.Sprintf("ssh-%d", i)),
			Properties: &armnetwork.SecurityRulePropertiesFormat{
				Priority:                 to.Ptr(int32(100 + i)),
				Direction:                to.Ptr(armnetwork.SecurityRuleDirectionInbound),
				Access:                   to.Ptr(armnetwork.SecurityRuleAccessAllow),
				Protocol:                 to.Ptr(armnetwork.SecurityRuleProtocolTCP),
				SourceAddressPrefix:      to.Ptr(src),
				SourcePortRange:          to.Ptr("*"),
				DestinationAddressPrefix: to.Ptr("*"),
				DestinationPortRange:     to.Ptr("22"),
			},
		})
	}
	return append(rules, &armnetwork.SecurityRule{
		Name: to.Ptr("deny-inbound"),
		Properties: &armnetwork.SecurityRulePropertiesFormat{
			Priority:                 to.Ptr(int32(4000)),
			Direction:                to.Ptr(armnetwork.SecurityRuleDirectionInbound),
			Access:                   to.Ptr(armnetwork.SecurityRuleAccessDeny),
			Protocol:                 to.Ptr(armnetwork.SecurityRuleProtocolAsterisk),
			SourceAddressPrefix:      to.Ptr("Internet"),
			SourcePortRange:          to.Ptr("*"),
			DestinationAddressPrefix: to.Ptr("*"),
			DestinationPortRange:     to.Ptr("*"),
		},
	})
}

// hostKeyPath is where the private host key of vm is kept (mode 0600).
func (p *Provisioner) hostKeyPath(vm string) string {
	return filepath.Join(p.keysDir, vm)
}

// track marks vm as being created or deleted by this process, so that a
// concurrent Reconcile leaves it alone; the returned func ends that.
func (p *Provisioner) track(vm string) func() {
	p.mu.Lock()
	p.inflight[vm] = true
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.inflight, vm)
		p.mu.Unlock()
	}
}

func (p *Provisioner) busy(vm string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inflight[vm]
}
