package armemu

import (
	"context"
	"net/netip"
)

// Hypervisor runs the guests of the emulator's VMs. The Server calls
// Start once per created VM, outside its lock, and Stop on the guest when
// the VM is deleted, evicted or the Server closes.
type Hypervisor interface {
	Start(ctx context.Context, spec GuestSpec) (Guest, error)
}

// GuestSpec is what a guest is made from: the VM's name, network and the
// cloud-init user data the VM was created with.
type GuestSpec struct {
	Name string // the VM's computer name: the guest's host name
	// Address is the primary NIC's private address with the length of
	// its subnet; Gateway the subnet's first address.
	Address netip.Prefix
	Gateway netip.Addr
	// PublicAddress is the public IP address of the NIC, if any.
	PublicAddress netip.Addr
	// User is the login cloud-init creates; AuthorizedKeys its keys.
	User           string
	AuthorizedKeys []string
	// HostKey is the SSH host key cloud-init installs (OpenSSH PEM), nil
	// when the user data gives none.
	HostKey []byte
}

// Guest is a running VM.
type Guest interface {
	// WaitReady returns once the guest's SSH server accepts connections.
	WaitReady(ctx context.Context) error
	// Booted records that cloud-init has finished
	// (/var/lib/cloud/instance/boot-finished exists in the guest).
	Booted() error
	// Stop ends the guest and everything that runs in it. Safe to repeat.
	Stop() error
	// PID is the pid of the guest's SSH server; 0 when it has none.
	PID() int
}

// NullHypervisor makes guests that run nothing: VMs boot, but nobody
// answers at their address. For tests of the ARM protocol alone.
type NullHypervisor struct{}

// Start implements Hypervisor.
func (NullHypervisor) Start(context.Context, GuestSpec) (Guest, error) { return nullGuest{}, nil }

type nullGuest struct{}

func (nullGuest) WaitReady(context.Context) error { return nil }
func (nullGuest) Booted() error                   { return nil }
func (nullGuest) Stop() error                     { return nil }
func (nullGuest) PID() int                        { return 0 }

// The power states of a VM's instance view.
const (
	powerStarting    = "starting"
	powerRunning     = "running"
	powerDeallocated = "deallocated"
	powerStopped     = "stopped"
)

// machine is the runtime side of a VM resource; the Server's mutex
// guards it.
type machine struct {
	vmID     string
	spec     GuestSpec
	guest    Guest // nil until started, and after it stopped
	power    string
	booted   bool
	deleted  bool       // the VM is being deleted: a guest that starts now is stopped
	deleteOp *operation // the delete's operation
	failed   *armError
}
