package azure

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Options configure an Azure gate: the TOML keys of its table, decoded by
// parseOptions. Zero values take the defaults of withDefaults.
type Options struct {
	Subscription  string   // subscription ID (required)
	ResourceGroup string   // default "skyport-<gate name>"
	Locations     []string // regions in order of preference (required)
	AdminUser     string   // the login created on every VM; default "skyport"
	Credential    CredentialOptions
	Network       NetworkOptions
	// Pools are the VM pools, one per partition name, sorted by name.
	Pools []PoolOptions
	// Sizes adds to or overrides the built-in catalog of VM sizes.
	Sizes map[string]Size
	// Prices and SpotPrices are per hour, by region then size, in Currency.
	Prices     map[string]map[string]float64
	SpotPrices map[string]map[string]float64
	Currency   string // default "USD"
	// PricesURL is the Azure Retail Prices API; "" disables the refresh.
	PricesURL string
	// MaxRetries, RetryDelay and MaxRetryDelay bound azcore's retries of
	// 429 and 5xx answers; defaults 4, 2s and 30s.
	MaxRetries    int
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// PollInterval is the time between two looks at a VM's instance view
	// (spot evictions, health); default 30s.
	PollInterval time.Duration
	// ReconcileInterval is the time between two sweeps of orphans; default 5m.
	ReconcileInterval time.Duration
	// BootTimeout bounds the wait for a new VM to accept jobs; default 10m.
	BootTimeout time.Duration
	// Endpoint and AuthorityHost replace Azure's public ARM and Entra ID
	// endpoints (a sovereign cloud, or the local ARM emulator).
	Endpoint      string
	AuthorityHost string
}

// CredentialOptions select how the gate authenticates. Secrets are never
// written in the TOML: they come from an environment variable or a file.
type CredentialOptions struct {
	// Kind is "default" (azidentity.DefaultAzureCredential), "client_secret",
	// "client_certificate" or "managed_identity".
	Kind     string
	TenantID string
	ClientID string // also the user-assigned identity of managed_identity
	// SecretEnv or SecretFile hold the client secret (client_secret) or the
	// certificate's password (client_certificate, optional).
	SecretEnv  string
	SecretFile string
	// CertificateFile is a PEM or PKCS#12 file with the certificate and key.
	CertificateFile string
}

// NetworkOptions describe the network the gate creates in each region.
type NetworkOptions struct {
	VNetCIDR   string // default "10.77.0.0/16"
	SubnetCIDR string // default "10.77.0.0/20"
	// SSHSources are the CIDRs the NSG admits SSH from; nothing else is
	// admitted. Required when PublicIP is on.
	SSHSources []string
	// PublicIP gives each VM a public address (default true); without it
	// the gateway reaches VMs by their private address (VPN, peering).
	PublicIP bool
}

// PoolOptions configure the VMs of one partition.
type PoolOptions struct {
	Name      string   // the partition name
	Sizes     []string // VM sizes in order of preference (required)
	Image     string   // "ubuntu-24.04" (default), "ubuntu-22.04", "publisher:offer:sku:version" or an image resource ID
	Locations []string // default: the gate's
	Zones     []string // in order of preference; empty: no zone
	Spot      bool
	MaxPrice  float64 // spot max price per hour; -1 (default): up to the on-demand price
	// SpotFallbackAfter evictions of one job make its next runs on-demand;
	// default 2.
	SpotFallbackAfter int
	MaxVMs            int           // default 4
	IdleTimeout       time.Duration // default 300s
	Lease             time.Duration // hard cap on a VM's life; 0: none
	OSDiskGB          int           // default 64
	Packages          []string      // extra packages installed by cloud-init
	// Containers is "none" (default), "docker" or "podman": the runtime
	// cloud-init installs for jobs that use --container-image.
	Containers string
	Share      bool    // several jobs on one VM when their CPUs fit
	Budget     float64 // cap on the pool's spending; 0: none
}

// Size is the shape of a VM size.
type Size struct {
	CPUs  int
	MemMB int64
	GPUs  int
}

// The defaults of Options.
const (
	defaultAdminUser         = "skyport"
	defaultVNetCIDR          = "10.77.0.0/16"
	defaultSubnetCIDR        = "10.77.0.0/20"
	defaultImage             = "ubuntu-24.04"
	defaultMaxVMs            = 4
	defaultIdleTimeout       = 300 * time.Second
	defaultOSDiskGB          = 64
	defaultSpotFallbackAfter = 2
	defaultMaxRetries        = 4
	defaultRetryDelay        = 2 * time.Second
	defaultMaxRetryDelay     = 30 * time.Second
	defaultPollInterval      = 30 * time.Second
	defaultReconcile         = 5 * time.Minute
	defaultBootTimeout       = 10 * time.Minute
	defaultPricesURL         = "https://prices.azure.com/api/retail/prices"
)

var (
	nameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`)
	regionRe = regexp.MustCompile(`^[a-z0-9]+$`)
)

// withDefaults fills in the defaults of o and checks it; name is the
// gate's name.
func (o Options) withDefaults(name string) (Options, error) {
	if o.Subscription == "" {
		return o, errors.New("subscription is required")
	}
	if o.ResourceGroup == "" {
		o.ResourceGroup = "skyport-" + name
	}
	if len(o.Locations) == 0 {
		return o, errors.New("locations: at least one region is required")
	}
	for _, l := range o.Locations {
		if !regionRe.MatchString(l) {
			return o, fmt.Errorf("locations: %q is not a region name like \"westeurope\"", l)
		}
	}
	if o.AdminUser == "" {
		o.AdminUser = defaultAdminUser
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.RetryDelay, defaultRetryDelay)
	def(&o.MaxRetryDelay, defaultMaxRetryDelay)
	def(&o.PollInterval, defaultPollInterval)
	def(&o.ReconcileInterval, defaultReconcile)
	def(&o.BootTimeout, defaultBootTimeout)
	if o.MaxRetries == 0 {
		o.MaxRetries = defaultMaxRetries
	}
	if err := o.Credential.check(); err != nil {
		return o, fmt.Errorf("credential: %w", err)
	}
	if err := o.Network.withDefaults(); err != nil {
		return o, fmt.Errorf("network: %w", err)
	}
	sizes := builtinSizes()
	for k, s := range o.Sizes {
		sizes[k] = s
	}
	o.Sizes = sizes
	if len(o.Pools) == 0 {
		return o, errors.New("pools: at least one pool is required")
	}
	for i := range o.Pools {
		p := &o.Pools[i]
		if err := p.withDefaults(o.Locations, o.Sizes); err != nil {
			return o, fmt.Errorf("pools.%s: %w", p.Name, err)
		}
	}
	return o, nil
}

func (c *CredentialOptions) check() error {
	if c.Kind == "" {
		c.Kind = "default"
	}
	if c.SecretEnv != "" && c.SecretFile != "" {
		return errors.New("secret_env and secret_file: give one")
	}
	switch c.Kind {
	case "default":
	case "client_secret":
		if c.TenantID == "" || c.ClientID == "" {
			return errors.New("client_secret needs tenant_id and client_id")
		}
		if c.SecretEnv == "" && c.SecretFile == "" {
			return errors.New("client_secret needs secret_env or secret_file")
		}
	case "client_certificate":
		if c.TenantID == "" || c.ClientID == "" || c.CertificateFile == "" {
			return errors.New("client_certificate needs tenant_id, client_id and certificate_file")
		}
	case "managed_identity":
	default:
		return fmt.Errorf("kind %q: must be default, client_secret, client_certificate or managed_identity", c.Kind)
	}
	return nil
}

func (n *NetworkOptions) withDefaults() error {
	if n.VNetCIDR == "" {
		n.VNetCIDR = defaultVNetCIDR
	}
	if n.SubnetCIDR == "" {
		n.SubnetCIDR = defaultSubnetCIDR
	}
	vnet, err := netip.ParsePrefix(n.VNetCIDR)
	if err != nil {
		return fmt.Errorf("vnet_cidr: %w", err)
	}
	sub, err := netip.ParsePrefix(n.SubnetCIDR)
	if err != nil {
		return fmt.Errorf("subnet_cidr: %w", err)
	}
	if !vnet.Contains(sub.Addr()) || sub.Bits() < vnet.Bits() {
		return fmt.Errorf("subnet_cidr %s is not inside vnet_cidr %s", sub, vnet)
	}
	for _, s := range n.SSHSources {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("ssh_sources: %w", err)
		}
	}
	if n.PublicIP && len(n.SSHSources) == 0 {
		return errors.New("public_ip needs ssh_sources (the CIDRs allowed to reach SSH)")
	}
	return nil
}

func (p *PoolOptions) withDefaults(locations []string, sizes map[string]Size) error {
	if !nameRe.MatchString(p.Name) {
		return errors.New("a pool name is a partition name of lower-case letters, digits and '-', at most 31")
	}
	if len(p.Sizes) == 0 {
		return errors.New("sizes: at least one VM size is required")
	}
	for _, s := range p.Sizes {
		if _, ok := sizes[s]; !ok {
			return fmt.Errorf("sizes: %q is not in the catalog: add [sizes.%s] with cpus and memory", s, s)
		}
	}
	if p.Image == "" {
		p.Image = defaultImage
	}
	if _, err := parseImage(p.Image); err != nil {
		return err
	}
	if len(p.Locations) == 0 {
		p.Locations = locations
	}
	if p.MaxPrice == 0 {
		p.MaxPrice = -1
	}
	if p.MaxPrice < 0 && p.MaxPrice != -1 {
		return errors.New("max_price: a price per hour, or -1 for up to the on-demand price")
	}
	if p.SpotFallbackAfter == 0 {
		p.SpotFallbackAfter = defaultSpotFallbackAfter
	}
	if p.MaxVMs == 0 {
		p.MaxVMs = defaultMaxVMs
	}
	if p.IdleTimeout == 0 {
		p.IdleTimeout = defaultIdleTimeout
	}
	if p.OSDiskGB == 0 {
		p.OSDiskGB = defaultOSDiskGB
	}
	switch p.Containers {
	case "":
		p.Containers = "none"
	case "none", "docker", "podman":
	default:
		return fmt.Errorf("containers %q: must be none, docker or podman", p.Containers)
	}
	for _, pkg := range p.Packages {
		if pkg == "" || strings.ContainsAny(pkg, " \t\n'\"`$;&|") {
			return fmt.Errorf("cloud_init_packages: bad package name %q", pkg)
		}
	}
	return nil
}

// pool returns the options of the pool name, or nil.
func (o *Options) pool(name string) *PoolOptions {
	for i := range o.Pools {
		if o.Pools[i].Name == name {
			return &o.Pools[i]
		}
	}
	return nil
}

// runtime is the pool's container runtime as gate.Node.Containers names
// it: "" for none.
func (p *PoolOptions) runtime() string {
	if p.Containers == "none" {
		return ""
	}
	return p.Containers
}
