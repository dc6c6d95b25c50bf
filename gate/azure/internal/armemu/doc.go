// Package armemu is a local emulator of the Azure services the Azure gate
// uses, for tests: Entra ID's client credentials flow and the Azure
// Resource Manager API for resource groups, virtual networks, network
// security groups, public IP addresses, network interfaces, virtual
// machines and managed disks. It implements the wire protocol from ARM's
// REST documentation and does not import the Azure SDK, so that tests of
// the gate against it check the gate, not the SDK against itself.
//
// What it serves (Server is an http.Handler; serve it over HTTPS):
//
//   - GET /{tenant}/v2.0/.well-known/openid-configuration and POST
//     /{tenant}/oauth2/v2.0/token: tenant discovery and the client
//     credentials grant (one tenant, client ID and secret), issuing
//     opaque bearer tokens with expires_in. ARM requests without a valid
//     token get ARM's 401.
//   - ARM under /subscriptions/{sub}/resourceGroups/{rg}: every request
//     needs an api-version (400 MissingApiVersionParameter without);
//     missing resources are 404 ResourceNotFound, missing groups 404
//     ResourceGroupNotFound; errors carry ARM's body
//     {"error":{"code":...,"message":...}}. Long-running operations answer
//     201 or 202 with Azure-AsyncOperation (and, for deletes, Location)
//     headers and Retry-After; their status documents say InProgress,
//     Succeeded or Failed. Lists are {"value":[...],"nextLink":...} pages.
//     IDs are in ARM's format, tags are kept, NICs get private addresses
//     from their subnet (.4, .5, ... as Azure assigns them), public IPs
//     addresses from a documentation range. A VM's create holds its NICs
//     and creates its OS disk as a disk resource; its delete removes what
//     the delete options say. Resources in use refuse deletion as ARM does
//     (NicInUse, PublicIPAddressCannotBeDeleted, a disk attached to a VM).
//
// Each VM runs a guest (Hypervisor): with NSHypervisor a real sshd in new
// network, mount, pid and UTS namespaces, using the host key and login
// user of the VM's cloud-init user data, reachable at the NIC's private
// (and public) address through a veth pair and a bridge in the emulator's
// network namespace. A VM's create completes after the boot delay, once
// its sshd answers; cloud-init's boot-finished appears after the ready
// delay; deleting or evicting the VM stops the guest and all it ran.
//
// ControlHandler is a control API for tests (serve it on a Unix socket):
// Stats (ARM write requests per resource type, the VMs and their sshd
// pids), fault injection (the next N requests matching a method and
// resource type answer a given status and ARM error code, or a VM's
// create fails asynchronously) and spot eviction. The program
// cmd/armemu serves both.
package armemu
