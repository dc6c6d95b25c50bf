package azure

import (
	"context"

	"skyport/gate"
	"skyport/gate/ssh"
)

// HostInfo describes a booted VM to an Executor: everything needed to log
// in and to trust the host on first contact.
type HostInfo struct {
	Name    string // the VM's name, also its host name
	Address string // host:port where SSH answers
	User    string // the login cloud-init created
	KeyFile string // the gateway's private login key (mode 0600)
	HostKey string // the VM's pinned public host key, authorized_keys format
	CPUs    int
	MemMB   int64
	// StateDir is a directory the executor may keep state in for this VM;
	// it survives daemon restarts and is removed with the VM.
	StateDir string
	// ReadyFile exists on the VM once cloud-init has finished.
	ReadyFile string
	// Containers is the container runtime cloud-init installed ("docker",
	// "podman"; empty: none) for jobs submitted with --container-image.
	Containers string
}

// Executor is the seam between provisioning and execution: it opens a
// gate.Gate that runs jobs on one booted VM. The Azure gate calls Open at
// most once per VM and process, and Close on the gate it returned before
// the VM is deleted. Handles of the returned gate are stored inside the
// Azure gate's own handles, so Recover after a restart reaches the same
// executor state through HostInfo.StateDir.
type Executor interface {
	Open(ctx context.Context, host HostInfo) (gate.Gate, error)
}

// SSHExecutor runs jobs on the VMs through the SSH gate, one SSH gate per
// VM with the pinned host key. Base supplies the gate-wide SSH options
// (supervisor binary, timeouts); its Hosts are ignored.
type SSHExecutor struct {
	Base ssh.Options
}

// Open implements Executor.
func (e SSHExecutor) Open(_ context.Context, h HostInfo) (gate.Gate, error) {
	o := e.Base
	o.Hosts = []ssh.Host{{
		Name: h.Name, Address: h.Address, User: h.User, KeyFile: h.KeyFile,
		CPUs: h.CPUs, MemMB: h.MemMB, HostKey: h.HostKey, Containers: h.Containers,
		ReadyFile: h.ReadyFile, // no job before cloud-init has finished
	}}
	return ssh.New(h.Name, h.StateDir, o)
}
