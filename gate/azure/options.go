package azure

import (
	"fmt"
	"sort"
	"strings"

	"skyport/gate/internal/opts"
)

// parseOptions reads Options from a gate's TOML table (see
// configs/azure.toml for every key). Unknown keys, at any depth, are errors
// naming the key; a key that looks like a secret is refused with a hint.
func parseOptions(m map[string]any) (Options, error) {
	var o Options
	for _, k := range opts.SortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "subscription":
			o.Subscription, err = opts.String(v)
		case "resource_group":
			o.ResourceGroup, err = opts.String(v)
		case "locations", "location":
			o.Locations, err = toStrings(v)
		case "admin_user":
			o.AdminUser, err = opts.String(v)
		case "currency":
			o.Currency, err = opts.String(v)
		case "prices_url":
			o.PricesURL, err = opts.String(v)
		case "max_retries":
			o.MaxRetries, err = toInt(v)
		case "retry_delay":
			o.RetryDelay, err = opts.Duration(v)
		case "max_retry_delay":
			o.MaxRetryDelay, err = opts.Duration(v)
		case "poll_interval":
			o.PollInterval, err = opts.Duration(v)
		case "reconcile_interval":
			o.ReconcileInterval, err = opts.Duration(v)
		case "boot_timeout":
			o.BootTimeout, err = opts.Duration(v)
		case "endpoint":
			o.Endpoint, err = opts.String(v)
		case "authority_host":
			o.AuthorityHost, err = opts.String(v)
		case "credential":
			o.Credential, err = parseCredential(v)
		case "network":
			o.Network, err = parseNetwork(v)
		case "pools":
			o.Pools, err = parsePools(v)
		case "sizes":
			o.Sizes, err = parseSizes(v)
		case "prices":
			o.Prices, err = parsePrices(v)
		case "spot_prices":
			o.SpotPrices, err = parsePrices(v)
		default:
			return Options{}, unknownKey(k)
		}
		if err != nil {
			return Options{}, fmt.Errorf("azure: option %s: %w", k, err)
		}
	}
	return o, nil
}

// unknownKey is the error for an unknown option, with a hint for secrets.
func unknownKey(k string) error {
	for _, s := range []string{"secret", "password", "key"} {
		if strings.Contains(k, s) && !strings.HasSuffix(k, "_env") && !strings.HasSuffix(k, "_file") {
			return fmt.Errorf("azure: unknown option %q (secrets are never written in the configuration: use secret_env or secret_file)", k)
		}
	}
	return fmt.Errorf("azure: unknown option %q", k)
}

func parseCredential(v any) (CredentialOptions, error) {
	t, err := toTable(v)
	if err != nil {
		return CredentialOptions{}, err
	}
	var c CredentialOptions
	for _, k := range opts.SortedKeys(t) {
		v := t[k]
		switch k {
		case "kind":
			c.Kind, err = opts.String(v)
		case "tenant_id":
			c.TenantID, err = opts.String(v)
		case "client_id":
			c.ClientID, err = opts.String(v)
		case "secret_env":
			c.SecretEnv, err = opts.String(v)
		case "secret_file":
			c.SecretFile, err = opts.String(v)
		case "certificate_file":
			c.CertificateFile, err = opts.String(v)
		default:
			return c, unknownKey(k)
		}
		if err != nil {
			return c, fmt.Errorf("%s: %w", k, err)
		}
	}
	return c, nil
}

func parseNetwork(v any) (NetworkOptions, error) {
	t, err := toTable(v)
	if err != nil {
		return NetworkOptions{}, err
	}
	n := NetworkOptions{PublicIP: true}
	for _, k := range opts.SortedKeys(t) {
		v := t[k]
		switch k {
		case "vnet_cidr":
			n.VNetCIDR, err = opts.String(v)
		case "subnet_cidr":
			n.SubnetCIDR, err = opts.String(v)
		case "ssh_sources":
			n.SSHSources, err = toStrings(v)
		case "public_ip":
			n.PublicIP, err = toBool(v)
		default:
			return n, unknownKey(k)
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", k, err)
		}
	}
	return n, nil
}

// parsePools reads [pools.<partition>] tables, sorted by name.
func parsePools(v any) ([]PoolOptions, error) {
	t, err := toTable(v)
	if err != nil {
		return nil, err
	}
	pools := make([]PoolOptions, 0, len(t))
	for _, name := range opts.SortedKeys(t) {
		pt, err := toTable(t[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p, err := parsePool(name, pt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		pools = append(pools, p)
	}
	return pools, nil
}

func parsePool(name string, t map[string]any) (PoolOptions, error) {
	p := PoolOptions{Name: name}
	var err error
	for _, k := range opts.SortedKeys(t) {
		v := t[k]
		switch k {
		case "sizes", "size":
			p.Sizes, err = toStrings(v)
		case "image":
			p.Image, err = opts.String(v)
		case "locations", "location":
			p.Locations, err = toStrings(v)
		case "zones":
			p.Zones, err = toStrings(v)
		case "spot":
			p.Spot, err = toBool(v)
		case "max_price":
			p.MaxPrice, err = toFloat(v)
		case "spot_fallback_after":
			p.SpotFallbackAfter, err = toInt(v)
		case "max_vms":
			p.MaxVMs, err = toInt(v)
		case "idle_timeout":
			p.IdleTimeout, err = opts.Duration(v)
		case "lease":
			p.Lease, err = opts.Duration(v)
		case "os_disk_gb":
			p.OSDiskGB, err = toInt(v)
		case "cloud_init_packages":
			p.Packages, err = toStrings(v)
		case "containers":
			p.Containers, err = opts.String(v)
		case "share":
			p.Share, err = toBool(v)
		case "budget":
			p.Budget, err = toFloat(v)
		default:
			return p, unknownKey(k)
		}
		if err != nil {
			return p, fmt.Errorf("%s: %w", k, err)
		}
	}
	return p, nil
}

// parseSizes reads [sizes.<VM size>] tables: cpus, memory, gpus.
func parseSizes(v any) (map[string]Size, error) {
	t, err := toTable(v)
	if err != nil {
		return nil, err
	}
	out := map[string]Size{}
	for _, name := range opts.SortedKeys(t) {
		st, err := toTable(t[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var s Size
		for _, k := range opts.SortedKeys(st) {
			switch k {
			case "cpus":
				s.CPUs, err = toInt(st[k])
			case "memory":
				s.MemMB, err = opts.MemMB(st[k])
			case "gpus":
				s.GPUs, err = toInt(st[k])
			default:
				return nil, fmt.Errorf("%s: %w", name, unknownKey(k))
			}
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, k, err)
			}
		}
		if s.CPUs <= 0 || s.MemMB <= 0 {
			return nil, fmt.Errorf("%s: cpus and memory are required", name)
		}
		out[name] = s
	}
	return out, nil
}

// parsePrices reads [prices.<region>] tables of size = price per hour.
func parsePrices(v any) (map[string]map[string]float64, error) {
	t, err := toTable(v)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]float64{}
	for _, region := range opts.SortedKeys(t) {
		rt, err := toTable(t[region])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", region, err)
		}
		out[region] = map[string]float64{}
		for _, size := range opts.SortedKeys(rt) {
			f, err := toFloat(rt[size])
			if err != nil || f < 0 {
				return nil, fmt.Errorf("%s.%s: want a non-negative price per hour", region, size)
			}
			out[region][size] = f
		}
	}
	return out, nil
}

// poolNames lists the pools' names, sorted.
func (o *Options) poolNames() []string {
	names := make([]string, 0, len(o.Pools))
	for _, p := range o.Pools {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}
