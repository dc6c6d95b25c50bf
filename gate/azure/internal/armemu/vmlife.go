package armemu

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// bootTimeout bounds a guest's start and its sshd's first answer.
const bootTimeout = 2 * time.Minute

// boot starts m's guest and completes op once the VM has booted: after
// BootDelay, when its sshd answers. ReadyDelay later cloud-init has
// finished. A guest that cannot start, or never answers, fails op with
// Azure's provisioning errors.
func (s *Server) boot(op *operation, m *machine) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.BootDelay+bootTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	start := time.Now()
	g, err := s.cfg.Hypervisor.Start(ctx, m.spec)
	s.mu.Lock()
	if err != nil {
		s.log.Error("armemu: guest did not start", "vm", m.spec.Name, "err", err)
		s.failVM(m, op, errorf(http.StatusInternalServerError, "OSProvisioningInternalError",
			"OS Provisioning failed for VM '%s' due to an internal error: %v.", m.spec.Name, err))
		s.mu.Unlock()
		return
	}
	if m.deleted || s.closed {
		s.mu.Unlock()
		_ = g.Stop() // the VM went while its guest started
		return
	}
	m.guest = g
	s.mu.Unlock()

	if !s.sleep(time.Until(start.Add(s.cfg.BootDelay))) {
		return
	}
	err = g.WaitReady(ctx)
	s.mu.Lock()
	if m.deleted || s.closed || m.guest != g {
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.log.Error("armemu: guest never answered", "vm", m.spec.Name, "err", err)
		s.failVM(m, op, errorf(http.StatusInternalServerError, "OSProvisioningTimedOut",
			"OS Provisioning for VM '%s' did not finish in the allotted time: %v.", m.spec.Name, err))
		s.mu.Unlock()
		return
	}
	if vm, ok := s.res.get(m.vmID); ok {
		vm.Props["provisioningState"] = "Succeeded"
	}
	m.power = powerRunning
	finishOp(op, nil)
	s.mu.Unlock()

	if !s.sleep(s.cfg.ReadyDelay) {
		return
	}
	if err := g.Booted(); err != nil {
		s.log.Warn("armemu: cannot mark the guest booted", "vm", m.spec.Name, "err", err)
		return
	}
	s.mu.Lock()
	if m.guest == g {
		m.booted = true
	}
	s.mu.Unlock()
}

// failVM fails a VM's create with e: the VM stays, in the Failed
// provisioning state. The caller holds s.mu.
func (s *Server) failVM(m *machine, op *operation, e *armError) {
	m.failed = e
	m.power = ""
	if vm, ok := s.res.get(m.vmID); ok && !m.deleted {
		vm.Props["provisioningState"] = "Failed"
	}
	finishOp(op, e)
}

// instanceView is a VM's instance view: its provisioning state and power
// state as status codes ("ProvisioningState/succeeded",
// "PowerState/running"...). The caller holds s.mu.
func (s *Server) instanceView(vm *resource) map[string]any {
	m := s.machines[strings.ToLower(vm.ID)]
	now := time.Now().UTC().Format(time.RFC3339Nano)
	ps := strings.ToLower(str(vm.Props, "provisioningState"))
	prov := map[string]any{"code": "ProvisioningState/" + ps, "level": "Info",
		"displayStatus": "Provisioning " + ps, "time": now}
	statuses := []any{prov}
	if m != nil && m.failed != nil {
		prov["code"] = "ProvisioningState/failed/" + m.failed.Code
		prov["level"] = "Error"
		prov["displayStatus"] = "Provisioning failed"
		prov["message"] = m.failed.Message
	}
	if m != nil && m.power != "" {
		statuses = append(statuses, map[string]any{"code": "PowerState/" + m.power, "level": "Info",
			"displayStatus": "VM " + m.power})
	}
	agent := "Not Ready"
	if m != nil && m.booted {
		agent = "Ready"
	}
	disk := str(obj(obj(vm.Props, "storageProfile"), "osDisk"), "name")
	return map[string]any{
		"computerName": str(obj(vm.Props, "osProfile"), "computerName"), "osName": "ubuntu", "osVersion": "24.04",
		"hyperVGeneration": "V2",
		"vmAgent": map[string]any{"vmAgentVersion": "2.11.1.12", "statuses": []any{map[string]any{
			"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": agent, "time": now,
		}}},
		"disks": []any{map[string]any{"name": disk, "statuses": []any{map[string]any{
			"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded", "time": now,
		}}}},
		"statuses": statuses,
	}
}

// evict deallocates the VM named name, as Azure evicts a spot VM: its
// instance view says PowerState/deallocated, and its guest stops.
func (s *Server) evict(name string) error {
	s.mu.Lock()
	var found []*machine
	for _, m := range s.machines {
		if vm, ok := s.res.get(m.vmID); ok && strings.EqualFold(vm.Name, name) && !m.deleted {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		s.mu.Unlock()
		return fmt.Errorf("armemu: evict %s: %d VMs of that name", name, len(found))
	}
	m := found[0]
	g := m.guest
	m.guest, m.power, m.booted = nil, powerDeallocated, false
	s.mu.Unlock()
	if g != nil {
		return g.Stop()
	}
	return nil
}
