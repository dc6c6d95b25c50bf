package armemu

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// putVM creates a VM (an update changes its tags only). The create is a
// long-running operation that succeeds once the guest has booted
// (BootDelay, and its sshd answers); from the PUT on, the VM holds its
// NICs and its OS disk exists as a disk resource named as the model says.
func (s *Server) putVM(c *call, r, cur *resource) {
	if cur != nil {
		cur.Tags = r.Tags
		writeJSON(c.w, http.StatusOK, cur.render())
		return
	}
	spec, e := s.vmSpec(r)
	if e != nil {
		writeError(c.w, e)
		return
	}
	props := r.Props
	osDisk := obj(obj(props, "storageProfile"), "osDisk")
	disk := s.newOSDisk(r, osDisk)
	if _, exists := s.res.get(disk.ID); exists {
		writeError(c.w, errInvalidParameter("osDisk.name",
			"Disk %s already exists in resource group %s. Only CreateOption.Attach is supported.", disk.Name, r.Group))
		return
	}
	for _, nic := range s.nicsOf(r) {
		nic.Props["virtualMachine"] = map[string]any{"id": r.ID}
	}
	s.res.put(disk)
	osDisk["managedDisk"] = mergeObj(obj(osDisk, "managedDisk"), map[string]any{"id": disk.ID})
	osDisk["osType"] = "Linux"
	defaultTo(osDisk, "caching", "ReadWrite")
	defaultTo(osDisk, "deleteOption", "Detach")
	delete(obj(props, "osProfile"), "customData") // ARM never returns it
	props["vmId"] = newGUID()
	props["timeCreated"] = time.Now().UTC().Format(time.RFC3339Nano)
	props["provisioningState"] = "Creating"
	s.res.put(r)
	m := &machine{vmID: r.ID, spec: spec, power: powerStarting}
	s.machines[strings.ToLower(r.ID)] = m
	op := s.newOp(providerOf(typeVM), r.Location)
	body, err := json.Marshal(r.render()) // as it is now: Creating
	if err != nil {
		writeError(c.w, errorf(http.StatusInternalServerError, "InternalServerError", "%v", err))
		return
	}
	if c.asyncFault != nil {
		s.failVM(m, op, c.asyncFault)
	} else {
		s.background(func() { s.boot(op, m) })
	}
	s.accept(c, http.StatusCreated, json.RawMessage(body), op, false)
}

// vmSpec checks a new VM's model and returns its guest's spec.
func (s *Server) vmSpec(r *resource) (GuestSpec, *armError) {
	props := r.Props
	if str(obj(props, "hardwareProfile"), "vmSize") == "" {
		return GuestSpec{}, errInvalidParameter("vmSize", "The value of parameter hardwareProfile.vmSize is invalid.")
	}
	osp := obj(props, "osProfile")
	if str(osp, "adminUsername") == "" {
		return GuestSpec{}, errInvalidParameter("adminUsername", "Required parameter 'osProfile.adminUsername' is missing (null).")
	}
	if obj(obj(props, "storageProfile"), "osDisk") == nil {
		return GuestSpec{}, errInvalidParameter("osDisk", "Required parameter 'storageProfile.osDisk' is missing (null).")
	}
	spec := GuestSpec{Name: str(osp, "computerName"), User: str(osp, "adminUsername")}
	if spec.Name == "" {
		spec.Name = r.Name
	}
	if cd := str(osp, "customData"); cd != "" {
		cc, err := parseCustomData(cd)
		if err != nil {
			return GuestSpec{}, errInvalidParameter("customData", "The value of parameter osProfile.customData is invalid: %v.", err)
		}
		if cc.User != "" {
			spec.User = cc.User
		}
		spec.AuthorizedKeys, spec.HostKey = cc.AuthorizedKeys, cc.HostKey
	}
	for _, k := range arr(obj(obj(osp, "linuxConfiguration"), "ssh"), "publicKeys") {
		if kd := strings.TrimSpace(str(asObj(k), "keyData")); kd != "" {
			spec.AuthorizedKeys = append(spec.AuthorizedKeys, kd)
		}
	}
	refs := arr(obj(props, "networkProfile"), "networkInterfaces")
	if len(refs) == 0 {
		return GuestSpec{}, errInvalidParameter("networkProfile", "At least one network interface is required.")
	}
	var primary *resource
	for i, v := range refs {
		id := str(asObj(v), "id")
		nic, ok := s.res.get(id)
		if !ok {
			return GuestSpec{}, errorf(http.StatusBadRequest, "InvalidResourceReference",
				"Resource %s referenced by resource %s was not found.", id, r.ID)
		}
		if vm := idOf(nic.Props, "virtualMachine"); vm != "" {
			return GuestSpec{}, errorf(http.StatusBadRequest, "NicInUse",
				"Network Interface %s is used by existing resource %s.", nic.ID, vm)
		}
		if !strings.EqualFold(nic.Location, r.Location) {
			return GuestSpec{}, errorf(http.StatusBadRequest, "NicLocationMismatch",
				"Network interface %s is in location %s, the VM in %s.", nic.ID, nic.Location, r.Location)
		}
		if p, _ := obj(asObj(v), "properties")["primary"].(bool); p || i == 0 && primary == nil {
			primary = nic
		}
	}
	conf := obj(asObj(arr(primary.Props, "ipConfigurations")[0]), "properties")
	_, subnet, _ := s.lookupSubnet(idOf(conf, "subnet"))
	addr, _ := netip.ParseAddr(str(conf, "privateIPAddress"))
	spec.Address = netip.PrefixFrom(addr, subnet.Bits())
	spec.Gateway = subnet.Masked().Addr().Next()
	if pip, ok := s.res.get(idOf(conf, "publicIPAddress")); ok {
		spec.PublicAddress, _ = netip.ParseAddr(str(pip.Props, "ipAddress"))
	}
	return spec, nil
}

// nicsOf returns the NICs a VM's model names; the caller holds s.mu.
func (s *Server) nicsOf(vm *resource) []*resource {
	var out []*resource
	for _, v := range arr(obj(vm.Props, "networkProfile"), "networkInterfaces") {
		if nic, ok := s.res.get(str(asObj(v), "id")); ok {
			out = append(out, nic)
		}
	}
	return out
}

// newOSDisk is the managed disk a VM's osDisk creates.
func (s *Server) newOSDisk(vm *resource, osDisk map[string]any) *resource {
	name := str(osDisk, "name")
	if name == "" {
		name = vm.Name + "_OsDisk_1_" + strings.ReplaceAll(newGUID(), "-", "")
		osDisk["name"] = name
	}
	acct := str(obj(osDisk, "managedDisk"), "storageAccountType")
	if acct == "" {
		acct = "Premium_LRS"
	}
	tier, _, _ := strings.Cut(acct, "_")
	size := osDisk["diskSizeGB"]
	if size == nil {
		size = 30
	}
	return &resource{
		ID: resourceID(s.cfg.Subscription, vm.Group, typeDisk, name), Group: vm.Group, Name: name,
		Type: typeDisk, Location: vm.Location, Zones: vm.Zones, ManagedBy: vm.ID, Created: time.Now(),
		SKU: map[string]any{"name": acct, "tier": tier},
		Props: map[string]any{
			"osType": "Linux", "hyperVGeneration": "V2", "diskSizeGB": size, "diskState": "Attached",
			"creationData":      map[string]any{"createOption": "FromImage", "imageReference": obj(obj(vm.Props, "storageProfile"), "imageReference")},
			"provisioningState": "Succeeded", "timeCreated": time.Now().UTC().Format(time.RFC3339Nano),
			"uniqueId": newGUID(),
		},
	}
}

// deleteVM deletes a VM: its guest stops, then the VM goes with what its
// delete options say (NICs, their public IPs, the OS disk); the rest is
// detached. A long-running operation (202, Azure-AsyncOperation and
// Location).
func (s *Server) deleteVM(c *call, r *resource) {
	m := s.machines[strings.ToLower(r.ID)]
	if m == nil {
		m = &machine{vmID: r.ID}
		s.machines[strings.ToLower(r.ID)] = m
	}
	if m.deleteOp == nil {
		op := s.newOp(providerOf(typeVM), r.Location)
		m.deleted, m.deleteOp = true, op
		r.Props["provisioningState"] = "Deleting"
		g := m.guest
		m.guest = nil
		s.background(func() {
			if g != nil {
				if err := g.Stop(); err != nil {
					s.log.Warn("armemu: stop guest", "vm", r.Name, "err", err)
				}
			}
			if !s.sleep(s.cfg.DeleteDelay) {
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			s.dropVM(r)
			finishOp(op, nil)
		})
	}
	// A second delete while the first runs completes with it.
	s.accept(c, http.StatusAccepted, nil, m.deleteOp, true)
}

// dropVM removes a deleted VM and, by their delete options, its NICs
// (with their public IPs) and OS disk; the caller holds s.mu.
func (s *Server) dropVM(vm *resource) {
	if _, ok := s.res.get(vm.ID); !ok {
		return
	}
	s.res.remove(vm.ID)
	delete(s.machines, strings.ToLower(vm.ID))
	for _, v := range arr(obj(vm.Props, "networkProfile"), "networkInterfaces") {
		ref := asObj(v)
		nic, ok := s.res.get(str(ref, "id"))
		if !ok {
			continue
		}
		delete(nic.Props, "virtualMachine")
		if strings.EqualFold(str(obj(ref, "properties"), "deleteOption"), "Delete") {
			s.res.remove(nic.ID)
			s.dropNIC(nic, true)
		}
	}
	osDisk := obj(obj(vm.Props, "storageProfile"), "osDisk")
	if disk, ok := s.res.get(idOf(osDisk, "managedDisk")); ok {
		disk.ManagedBy = ""
		disk.Props["diskState"] = "Unattached"
		if strings.EqualFold(str(osDisk, "deleteOption"), "Delete") {
			s.res.remove(disk.ID)
		}
	}
}

// deleteDisk deletes a managed disk that no VM holds.
func (s *Server) deleteDisk(c *call, r *resource) {
	if r.ManagedBy != "" {
		writeError(c.w, errorf(http.StatusConflict, "OperationNotAllowed",
			"Disk %s is attached to VM %s.", r.Name, r.ManagedBy))
		return
	}
	s.deleteDone(c, r, nil)
}

func defaultTo(m map[string]any, k string, v any) {
	if m[k] == nil {
		m[k] = v
	}
}

func mergeObj(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
