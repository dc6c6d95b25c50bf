package armemu

import (
	"net/http"
	"net/netip"
	"strings"
)

// putDone stores r, a network resource created (or updated when cur is
// set) by c, and answers as the network provider does: 201 or 200 with
// the resource and an Azure-AsyncOperation header. The operation
// completes NetworkDelay later (at once when 0).
func (s *Server) putDone(c *call, r, cur *resource) {
	status := http.StatusOK
	if cur == nil {
		status = http.StatusCreated
	}
	op := s.newOp(providerOf(r.Type), r.Location)
	switch {
	case cur != nil && cur.Props["resourceGuid"] != nil:
		r.Props["resourceGuid"] = cur.Props["resourceGuid"]
	case r.Props["resourceGuid"] == nil:
		r.Props["resourceGuid"] = newGUID()
	}
	if s.cfg.NetworkDelay <= 0 {
		r.Props["provisioningState"] = "Succeeded"
		finishOp(op, nil)
	} else {
		r.Props["provisioningState"] = "Updating"
		s.afterDelay(s.cfg.NetworkDelay, func() {
			r.Props["provisioningState"] = "Succeeded"
			finishOp(op, nil)
		})
	}
	s.res.put(r)
	s.accept(c, status, r.render(), op, false)
}

// deleteDone deletes r for c: at once, answering 200, when NetworkDelay
// is 0; else 202 with the operation's headers, r "Deleting" until it
// completes. gone runs when r is removed.
func (s *Server) deleteDone(c *call, r *resource, gone func()) {
	if s.cfg.NetworkDelay <= 0 {
		s.res.remove(r.ID)
		if gone != nil {
			gone()
		}
		c.w.WriteHeader(http.StatusOK)
		return
	}
	r.Props["provisioningState"] = "Deleting"
	op := s.newOp(providerOf(r.Type), r.Location)
	s.afterDelay(s.cfg.NetworkDelay, func() {
		s.res.remove(r.ID)
		if gone != nil {
			gone()
		}
		finishOp(op, nil)
	})
	s.accept(c, http.StatusAccepted, nil, op, true)
}

// putNSG creates or updates a network security group: every rule needs a
// priority of 100 to 4096, and gets its ID.
func (s *Server) putNSG(c *call, r, cur *resource) {
	for _, v := range arr(r.Props, "securityRules") {
		rule := asObj(v)
		p := obj(rule, "properties")
		prio, _ := p["priority"].(float64)
		if prio < 100 || prio > 4096 {
			writeError(c.w, errorf(http.StatusBadRequest, "SecurityRuleInvalidPriority",
				"Security rule %s has invalid Priority. Value provided: %v Allowed range 100-4096.", str(rule, "name"), p["priority"]))
			return
		}
		rule["id"] = r.ID + "/securityRules/" + str(rule, "name")
		rule["type"] = typeNSG + "/securityRules"
		p["provisioningState"] = "Succeeded"
	}
	if r.Props["securityRules"] == nil {
		r.Props["securityRules"] = []any{}
	}
	s.putDone(c, r, cur)
}

// putVNet creates or updates a virtual network with its subnets inline:
// each subnet's prefix lies in the address space, its NSG exists, and a
// subnet that NICs use is not removed.
func (s *Server) putVNet(c *call, r, cur *resource) {
	var space []netip.Prefix
	for _, v := range arr(obj(r.Props, "addressSpace"), "addressPrefixes") {
		p, err := netip.ParsePrefix(asString(v))
		if err != nil {
			writeError(c.w, errorf(http.StatusBadRequest, "InvalidAddressPrefixFormat", "Address prefix %v of resource %s is not formatted correctly.", v, r.ID))
			return
		}
		space = append(space, p)
	}
	if len(space) == 0 {
		writeError(c.w, errInvalidParameter("addressSpace", "The virtual network %s needs an address space.", r.Name))
		return
	}
	kept := map[string]bool{}
	for _, v := range arr(r.Props, "subnets") {
		sn := asObj(v)
		name := str(sn, "name")
		p := obj(sn, "properties")
		if p == nil {
			p = map[string]any{}
			sn["properties"] = p
		}
		prefix, err := netip.ParsePrefix(str(p, "addressPrefix"))
		if name == "" || err != nil {
			writeError(c.w, errorf(http.StatusBadRequest, "InvalidAddressPrefixFormat", "Subnet '%s' has an invalid address prefix %q.", name, str(p, "addressPrefix")))
			return
		}
		inside := false
		for _, a := range space {
			inside = inside || a.Bits() <= prefix.Bits() && a.Contains(prefix.Addr())
		}
		if !inside {
			writeError(c.w, errorf(http.StatusBadRequest, "NetcfgSubnetRangeOutsideVnet",
				"Subnet '%s' is not valid because its IP address range is outside the IP address range of virtual network '%s'.", name, r.Name))
			return
		}
		if nsg := idOf(p, "networkSecurityGroup"); nsg != "" {
			if _, ok := s.res.get(nsg); !ok {
				writeError(c.w, errorf(http.StatusBadRequest, "InvalidResourceReference", "Resource %s referenced by resource %s/subnets/%s was not found.", nsg, r.ID, name))
				return
			}
		}
		sn["id"] = r.ID + "/subnets/" + name
		sn["type"] = typeVNet + "/subnets"
		p["provisioningState"] = "Succeeded"
		kept[strings.ToLower(name)] = true
	}
	if cur != nil {
		for _, v := range arr(cur.Props, "subnets") {
			name := str(asObj(v), "name")
			if !kept[strings.ToLower(name)] && len(s.usedPrivate(cur.ID+"/subnets/"+name)) > 0 {
				writeError(c.w, errorf(http.StatusBadRequest, "InUseSubnetCannotBeDeleted",
					"Subnet %s is in use and cannot be deleted.", cur.ID+"/subnets/"+name))
				return
			}
		}
	}
	s.putDone(c, r, cur)
}

// subnetOf returns the subnet name of vnet, or nil.
func subnetOf(vnet *resource, name string) map[string]any {
	for _, v := range arr(vnet.Props, "subnets") {
		if sn := asObj(v); strings.EqualFold(str(sn, "name"), name) {
			return sn
		}
	}
	return nil
}

// lookupSubnet resolves a subnet ID to its subnet and address prefix;
// the caller holds s.mu.
func (s *Server) lookupSubnet(id string) (map[string]any, netip.Prefix, bool) {
	rg, typ, vnet, child, name, ok := parseResourceID(s.cfg.Subscription, id)
	if !ok || typ != typeVNet || !strings.EqualFold(child, "subnets") {
		return nil, netip.Prefix{}, false
	}
	v, ok := s.res.get(resourceID(s.cfg.Subscription, rg, typeVNet, vnet))
	if !ok {
		return nil, netip.Prefix{}, false
	}
	sn := subnetOf(v, name)
	if sn == nil {
		return nil, netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(str(obj(sn, "properties"), "addressPrefix"))
	return sn, p, err == nil
}

// putPIP creates or updates a public IP address. A Standard SKU address
// must be static. An address is assigned at creation and kept.
func (s *Server) putPIP(c *call, r, cur *resource) {
	if r.SKU == nil {
		r.SKU = map[string]any{"name": "Basic", "tier": "Regional"}
	}
	method := str(r.Props, "publicIPAllocationMethod")
	if method == "" {
		method = "Dynamic"
		r.Props["publicIPAllocationMethod"] = method
	}
	if strings.EqualFold(str(r.SKU, "name"), "Standard") && !strings.EqualFold(method, "Static") {
		writeError(c.w, errorf(http.StatusBadRequest, "StandardSkuPublicIPAddressesMustBeStatic",
			"Standard sku publicIp %s must have AllocationMethod set to Static.", r.ID))
		return
	}
	if cur != nil && str(cur.Props, "ipAddress") != "" {
		r.Props["ipAddress"] = cur.Props["ipAddress"]
		if ref := cur.Props["ipConfiguration"]; ref != nil {
			r.Props["ipConfiguration"] = ref
		}
	} else {
		a, e := s.allocPublic()
		if e != nil {
			writeError(c.w, e)
			return
		}
		r.Props["ipAddress"] = a.String()
	}
	r.Props["publicIPAddressVersion"] = "IPv4"
	if r.Props["idleTimeoutInMinutes"] == nil {
		r.Props["idleTimeoutInMinutes"] = 4
	}
	s.putDone(c, r, cur)
}

// deletePIP deletes a public IP address that no NIC holds.
func (s *Server) deletePIP(c *call, r *resource) {
	if ref := idOf(r.Props, "ipConfiguration"); ref != "" {
		writeError(c.w, errorf(http.StatusBadRequest, "PublicIPAddressCannotBeDeleted",
			"Public IP address %s can not be deleted since it is still allocated to resource %s. In order to delete the public IP, disassociate/detach the Public IP address from the resource.",
			r.ID, ref))
		return
	}
	s.deleteDone(c, r, nil)
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
