// Package azure is the gate that runs jobs on Azure virtual machines. It
// registers the gate kind "azure" and is the only package of Sky Port that
// imports the Azure SDK.
//
// The gate is two halves joined by a seam. The provisioning half, in this
// package, owns the cloud: a Provisioner creates and deletes the resource
// group, virtual network, subnet, network security group, public IP, NIC
// and VM through the ARM clients; a Pool per partition keeps VMs warm,
// shares them between jobs that fit, deletes them after their idle timeout
// and watches spot VMs for eviction. The execution half is an Executor
// (see executor.go): given a booted VM's address, login and pinned host
// key, it opens a gate.Gate that runs jobs there (the SSH gate).
//
// Nodes. Each pool (one per partition name) offers max_vms nodes named
// "<pool>-<i>". A node is a slot, not a VM: the VM behind it is created
// when a job is started on it, reused by the next jobs while it is warm
// and deleted after idle_timeout. While the VM boots, Start blocks and the
// gateway shows the job CONFIGURING with its node set.
//
// Crash safety. Before every create or delete the Provisioner writes its
// intent to a journal in the gate's state directory (journal.go), and
// every resource carries the tags skyport-gateway, skyport-vm,
// skyport-job, skyport-user and skyport-partition. Reconcile (at Open and
// periodically) lists the tagged resources, keeps those of VMs that the
// journal knows as live, and deletes the rest, so that a kill -9 in the
// middle of a create or a delete leaks nothing.
//
// State directory:
//
//	hostkeys/<vm>{,.pub}                 each VM's host key (private: 0600)
//	client/id_ed25519{,.pub}             the gateway's login key
//	vms/<vm>.json                        the journal: one record per VM
//	runs/<jobid>.<restart>.json          which VM a run was started on
//	exec/<vm>/                           the executor's state for that VM
//	evictions/<jobid>.<restart>          a run ended by a spot eviction
//	gateway-id                           the value of the skyport-gateway tag
//	costs.json                           runs' charges and pools' spending
package azure
