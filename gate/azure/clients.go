package azure

import (
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v3"
)

// Transports carry the HTTP requests of the three ARM services; nil
// fields mean the SDK's default HTTP client. Tests put the SDK's fake
// server transports here.
type Transports struct {
	Resources policy.Transporter
	Network   policy.Transporter
	Compute   policy.Transporter
}

// clients are the ARM clients a Provisioner uses.
type clients struct {
	groups  *armresources.ResourceGroupsClient
	vnets   *armnetwork.VirtualNetworksClient
	subnets *armnetwork.SubnetsClient
	nsgs    *armnetwork.SecurityGroupsClient
	pips    *armnetwork.PublicIPAddressesClient
	nics    *armnetwork.InterfacesClient
	vms     *armcompute.VirtualMachinesClient
	disks   *armcompute.DisksClient
}

// cloudConfig is the cloud the options name: Azure's public cloud, or
// the custom endpoints of Options.Endpoint and AuthorityHost.
func (o *Options) cloudConfig() (cloud.Configuration, bool) {
	if o.Endpoint == "" && o.AuthorityHost == "" {
		return cloud.AzurePublic, false
	}
	c := cloud.Configuration{
		ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
		Services:                     map[cloud.ServiceName]cloud.ServiceConfiguration{},
	}
	if o.AuthorityHost != "" {
		c.ActiveDirectoryAuthorityHost = o.AuthorityHost
	}
	rm := cloud.AzurePublic.Services[cloud.ResourceManager]
	if o.Endpoint != "" {
		rm.Endpoint = o.Endpoint
	}
	c.Services[cloud.ResourceManager] = rm
	return c, true
}

// clientOptions are the azcore options of every ARM client: the cloud and
// the retry budget. azcore retries 408, 429, 500, 502, 503 and 504 answers
// (honouring Retry-After) at most MaxRetries times.
func (o *Options) clientOptions(t policy.Transporter) *arm.ClientOptions {
	c, _ := o.cloudConfig()
	co := &arm.ClientOptions{ClientOptions: azcore.ClientOptions{
		Cloud: c,
		Retry: policy.RetryOptions{
			MaxRetries:    int32(o.MaxRetries),
			RetryDelay:    o.RetryDelay,
			MaxRetryDelay: o.MaxRetryDelay,
		},
		Telemetry: policy.TelemetryOptions{ApplicationID: "skyport"},
	}}
	if t != nil {
		co.Transport = t
	}
	if o.MaxRetries < 0 {
		co.Retry.MaxRetries = -1 // no retries at all
	}
	return co
}

// newClients builds the ARM clients over cred.
func newClients(o *Options, cred azcore.TokenCredential, t Transports) (*clients, error) {
	rf, err := armresources.NewClientFactory(o.Subscription, cred, o.clientOptions(t.Resources))
	if err != nil {
		return nil, fmt.Errorf("azure: resources client: %w", err)
	}
	nf, err := armnetwork.NewClientFactory(o.Subscription, cred, o.clientOptions(t.Network))
	if err != nil {
		return nil, fmt.Errorf("azure: network client: %w", err)
	}
	cf, err := armcompute.NewClientFactory(o.Subscription, cred, o.clientOptions(t.Compute))
	if err != nil {
		return nil, fmt.Errorf("azure: compute client: %w", err)
	}
	return &clients{
		groups: rf.NewResourceGroupsClient(),
		vnets:  nf.NewVirtualNetworksClient(), subnets: nf.NewSubnetsClient(),
		nsgs: nf.NewSecurityGroupsClient(), pips: nf.NewPublicIPAddressesClient(),
		nics: nf.NewInterfacesClient(),
		vms:  cf.NewVirtualMachinesClient(), disks: cf.NewDisksClient(),
	}, nil
}

// identityOptions are the azcore options of the credential.
func (o *Options) identityOptions(hc *http.Client) (azcore.ClientOptions, bool) {
	c, custom := o.cloudConfig()
	co := azcore.ClientOptions{Cloud: c}
	if hc != nil {
		co.Transport = hc
	}
	return co, custom
}
