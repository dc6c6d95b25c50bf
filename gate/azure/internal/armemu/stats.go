package armemu

import "sort"

// counters are what the Server counts; the Server's mutex guards them.
type counters struct {
	requests      int            // ARM requests that passed authentication
	writes        map[string]int // PUT, PATCH, DELETE and POST requests by resource type
	writesTotal   int
	unauthorized  int // ARM requests refused with 401
	tokenRequests int
	tokensIssued  int
	faultsServed  int
}

func newCounters() counters { return counters{writes: map[string]int{}} }

// Stats is a snapshot of the emulator, as the control API returns it.
type Stats struct {
	// Requests counts the ARM requests that passed authentication.
	Requests int `json:"requests"`
	// Writes counts the ARM write requests (PUT, PATCH, DELETE, POST on a
	// resource or group) by resource type, whatever their answer; a
	// request the SDK retries counts once per try.
	Writes      map[string]int `json:"writes"`
	WritesTotal int            `json:"writes_total"`
	// Unauthorized counts the ARM requests answered 401.
	Unauthorized  int `json:"unauthorized"`
	TokenRequests int `json:"token_requests"`
	TokensIssued  int `json:"tokens_issued"`
	FaultsServed  int `json:"faults_served"`
	// Resources counts the resources that exist, by type.
	Resources map[string]int `json:"resources"`
	// VMs are the virtual machines that exist, sorted by name.
	VMs []VMStat `json:"vms"`
}

// VMStat describes one virtual machine and its guest.
type VMStat struct {
	Name              string `json:"name"`
	ID                string `json:"id"`
	ProvisioningState string `json:"provisioning_state"`
	// Power is the power state of the instance view: "starting",
	// "running", "deallocated" or "stopped".
	Power     string `json:"power"`
	PrivateIP string `json:"private_ip,omitempty"`
	PublicIP  string `json:"public_ip,omitempty"`
	// SSHDPID is the pid (in the emulator's pid namespace) of the guest's
	// sshd; 0 when none runs.
	SSHDPID int `json:"sshd_pid"`
	// Booted says cloud-init has finished (boot-finished exists).
	Booted bool `json:"booted"`
}

// snapshot returns the Stats; the caller holds s.mu.
func (s *Server) snapshot() Stats {
	st := Stats{
		Requests: s.stats.requests, Writes: map[string]int{}, WritesTotal: s.stats.writesTotal,
		Unauthorized: s.stats.unauthorized, TokenRequests: s.stats.tokenRequests,
		TokensIssued: s.stats.tokensIssued, FaultsServed: s.stats.faultsServed,
		Resources: s.res.count(), VMs: []VMStat{},
	}
	for k, v := range s.stats.writes {
		st.Writes[k] = v
	}
	for _, m := range s.machines {
		vm, ok := s.res.get(m.vmID)
		if !ok {
			continue
		}
		v := VMStat{
			Name: vm.Name, ID: vm.ID, ProvisioningState: str(vm.Props, "provisioningState"),
			Power: m.power, Booted: m.booted,
		}
		if m.spec.Address.IsValid() {
			v.PrivateIP = m.spec.Address.Addr().String()
		}
		if m.spec.PublicAddress.IsValid() {
			v.PublicIP = m.spec.PublicAddress.String()
		}
		if m.guest != nil {
			v.SSHDPID = m.guest.PID()
		}
		st.VMs = append(st.VMs, v)
	}
	sort.Slice(st.VMs, func(i, j int) bool { return st.VMs[i].Name < st.VMs[j].Name })
	return st
}
