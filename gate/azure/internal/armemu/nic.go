package armemu

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
)

// putNIC creates or updates a network interface. Each IP configuration's
// subnet must exist; it gets a private address of the subnet (the lowest
// free from .4 on, or the static one asked for, kept across updates), and
// the public IP address it names, which must exist and be free, is
// associated with it.
func (s *Server) putNIC(c *call, r, cur *resource) {
	confs := arr(r.Props, "ipConfigurations")
	if len(confs) == 0 {
		writeError(c.w, errInvalidParameter("ipConfigurations", "Network interface %s must have at least one IP configuration.", r.ID))
		return
	}
	old := map[string]string{} // ipconfig name -> the address it held
	if cur != nil {
		for _, v := range arr(cur.Props, "ipConfigurations") {
			conf := asObj(v)
			old[strings.ToLower(str(conf, "name"))] = str(obj(conf, "properties"), "privateIPAddress")
		}
	}
	var pips []*resource
	var confOf []string // the IP configuration each of pips goes to
	for i, v := range confs {
		conf := asObj(v)
		name := str(conf, "name")
		p := obj(conf, "properties")
		if name == "" || p == nil {
			writeError(c.w, errInvalidParameter("ipConfigurations", "IP configuration %d of %s needs a name and properties.", i, r.ID))
			return
		}
		confID := r.ID + "/ipConfigurations/" + name
		subnetID := idOf(p, "subnet")
		_, prefix, ok := s.lookupSubnet(subnetID)
		if !ok {
			writeError(c.w, errorf(http.StatusBadRequest, "InvalidResourceReference",
				"Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", subnetID, r.ID))
			return
		}
		want := ""
		if strings.EqualFold(str(p, "privateIPAllocationMethod"), "Static") {
			want = str(p, "privateIPAddress")
		} else if a := old[strings.ToLower(name)]; a != "" {
			want = a // a dynamic address stays while the NIC lives
		}
		addr, e := s.allocPrivate(prefix, subnetID, r.ID, want)
		if e != nil {
			writeError(c.w, e)
			return
		}
		if pipID := idOf(p, "publicIPAddress"); pipID != "" {
			pip, ok := s.res.get(pipID)
			if !ok {
				writeError(c.w, errorf(http.StatusBadRequest, "InvalidResourceReference",
					"Resource %s referenced by resource %s was not found.", pipID, r.ID))
				return
			}
			if ref := idOf(pip.Props, "ipConfiguration"); ref != "" && !strings.EqualFold(ref, confID) {
				writeError(c.w, errorf(http.StatusBadRequest, "PublicIPAddressInUse",
					"Resource %s is referenced by %s; it cannot be referenced by %s as well.", pipID, ref, confID))
				return
			}
			pips, confOf = append(pips, pip), append(confOf, confID)
		}
		if p["privateIPAllocationMethod"] == nil {
			p["privateIPAllocationMethod"] = "Dynamic"
		}
		p["privateIPAddress"] = addr.String()
		p["privateIPAddressVersion"] = "IPv4"
		p["primary"] = i == 0
		p["provisioningState"] = "Succeeded"
		conf["id"] = confID
		conf["type"] = typeNIC + "/ipConfigurations"
	}
	if cur != nil {
		// Addresses no longer named are dissociated.
		for _, pip := range s.pipsOf(cur) {
			if !containsRes(pips, pip) {
				delete(pip.Props, "ipConfiguration")
			}
		}
		for _, k := range []string{"virtualMachine", "macAddress"} {
			if v, ok := cur.Props[k]; ok {
				r.Props[k] = v
			}
		}
	}
	if r.Props["macAddress"] == nil {
		var b [3]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		r.Props["macAddress"] = fmt.Sprintf("00-0D-3A-%02X-%02X-%02X", b[0], b[1], b[2])
	}
	for i, pip := range pips {
		pip.Props["ipConfiguration"] = map[string]any{"id": confOf[i]}
	}
	r.Props["nicType"] = "Standard"
	s.putDone(c, r, cur)
}

// pipsOf returns the public IP addresses the IP configurations of nic
// name; the caller holds s.mu.
func (s *Server) pipsOf(nic *resource) []*resource {
	var out []*resource
	for _, v := range arr(nic.Props, "ipConfigurations") {
		if pip, ok := s.res.get(idOf(obj(asObj(v), "properties"), "publicIPAddress")); ok {
			out = append(out, pip)
		}
	}
	return out
}

func containsRes(rs []*resource, r *resource) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// deleteNIC deletes a network interface no VM uses; its public IP
// addresses are dissociated.
func (s *Server) deleteNIC(c *call, r *resource) {
	if vm := idOf(r.Props, "virtualMachine"); vm != "" {
		writeError(c.w, errorf(http.StatusBadRequest, "NicInUse",
			"Network Interface %s is used by existing resource %s. In order to delete the network interface, it must be dissociated from the resource.", r.ID, vm))
		return
	}
	s.deleteDone(c, r, func() { s.dropNIC(r, false) })
}

// dropNIC dissociates (or, with cascade, deletes when its delete option
// says so) the public IP addresses of a removed NIC; the caller holds s.mu.
func (s *Server) dropNIC(nic *resource, cascade bool) {
	for _, v := range arr(nic.Props, "ipConfigurations") {
		p := obj(asObj(v), "properties")
		pip, ok := s.res.get(idOf(p, "publicIPAddress"))
		if !ok {
			continue
		}
		delete(pip.Props, "ipConfiguration")
		if cascade && strings.EqualFold(str(obj(obj(p, "publicIPAddress"), "properties"), "deleteOption"), "Delete") {
			s.res.remove(pip.ID)
		}
	}
}
