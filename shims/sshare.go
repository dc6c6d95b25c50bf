package shims

import (
	"context"
	"fmt"

	"skyport/compat"
	"skyport/gateway/api"
)

// Sshare is sshare: options parsed here, the association tree rendered
// by the daemon from its configured accounts.
func Sshare(ctx context.Context, inv *Invocation) int {
	o, err := compat.ParseSshareArgs(inv.Args)
	if err != nil {
		return inv.fail("sshare", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	err = inv.Client.Render(ctx, api.PathSshare, api.SshareRequest{Options: o}, inv.Stdout)
	return inv.renderErr("sshare", err, "sshare: error: Problem talking to the database: Connection refused\n")
}
