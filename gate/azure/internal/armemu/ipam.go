package armemu

import (
	"net/http"
	"net/netip"
	"strings"
)

// Azure reserves the first four addresses of a subnet (network, gateway,
// two for DNS) and the last (broadcast): the first NIC gets .4.
const reservedLow = 4

// usedPrivate returns the private addresses the NICs of subnetID hold;
// the caller holds s.mu.
func (s *Server) usedPrivate(subnetID string) map[netip.Addr]string {
	used := map[netip.Addr]string{}
	for _, nic := range s.res.list(s.cfg.Subscription, "", typeNIC) {
		for _, c := range arr(nic.Props, "ipConfigurations") {
			p := obj(asObj(c), "properties")
			if !strings.EqualFold(idOf(p, "subnet"), subnetID) {
				continue
			}
			if a, err := netip.ParseAddr(str(p, "privateIPAddress")); err == nil {
				used[a] = nic.ID
			}
		}
	}
	return used
}

// allocPrivate returns the address for a NIC's IP configuration in the
// subnet: want when it is given (static allocation), else the lowest free
// one. self is the NIC, whose own addresses count as free.
func (s *Server) allocPrivate(subnet netip.Prefix, subnetID, self string, want string) (netip.Addr, *armError) {
	used := s.usedPrivate(subnetID)
	if want != "" {
		a, err := netip.ParseAddr(want)
		if err != nil || !subnet.Contains(a) {
			return netip.Addr{}, errorf(http.StatusBadRequest, "PrivateIPAddressNotInSubnet",
				"IP configuration's private IP address %s does not belong to the subnet %s.", want, subnetID)
		}
		if owner, taken := used[a]; taken && !strings.EqualFold(owner, self) {
			return netip.Addr{}, errorf(http.StatusBadRequest, "PrivateIPAddressInUse",
				"IP configuration's private IP address %s is already in use by %s.", want, owner)
		}
		return a, nil
	}
	a := subnet.Masked().Addr()
	for range reservedLow {
		a = a.Next()
	}
	last := lastAddr(subnet)
	for ; subnet.Contains(a) && a != last; a = a.Next() {
		if owner, taken := used[a]; !taken || strings.EqualFold(owner, self) {
			return a, nil
		}
	}
	return netip.Addr{}, errorf(http.StatusBadRequest, "SubnetIsFull",
		"Subnet %s with address prefix %s does not have enough capacity for 1 IP addresses.", subnetID, subnet)
}

// allocPublic returns the lowest free address of the public range; the
// caller holds s.mu.
func (s *Server) allocPublic() (netip.Addr, *armError) {
	used := map[netip.Addr]bool{}
	for _, ip := range s.res.list(s.cfg.Subscription, "", typePIP) {
		if a, err := netip.ParseAddr(str(ip.Props, "ipAddress")); err == nil {
			used[a] = true
		}
	}
	p := s.cfg.PublicCIDR
	last := lastAddr(p)
	for a := p.Masked().Addr().Next(); p.Contains(a) && a != last; a = a.Next() {
		if !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, errorf(http.StatusConflict, "PublicIPCountLimitReached",
		"Cannot create more than %d public IP addresses for this subscription in this region.", len(used))
}

// lastAddr is the last (broadcast) address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As16()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	for i := bits; i < 128; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		a = a.Unmap()
	}
	return a
}

func asObj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
