package api

import "skyport/compat"

// Paths of the accounting commands; the daemon answers with the rendered text.
const (
	PathSacctmgr = "/v1/sacctmgr"
	PathSshare   = "/v1/sshare"
)

// SacctmgrRequest asks for the output of a sacctmgr list command.
type SacctmgrRequest struct {
	Options compat.SacctmgrOptions `json:"options"`
}

// SshareRequest asks for sshare's output.
type SshareRequest struct {
	Options compat.SshareOptions `json:"options"`
}
