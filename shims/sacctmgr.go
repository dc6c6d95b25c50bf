package shims

import (
	"context"
	"fmt"

	"skyport/compat"
	"skyport/gateway/api"
)

// sacctdbUnreachable is what Slurm's accounting commands print when
// slurmdbd cannot be reached.
const sacctdbUnreachable = "sacctmgr: error: Problem talking to the database: Connection refused\n"

// Sacctmgr is sacctmgr: the command line is parsed here; list and show
// are rendered by the daemon from its configured accounts. Modifying
// commands get Slurm's answer for a user who is not an administrator.
func Sacctmgr(ctx context.Context, inv *Invocation) int {
	o := compat.ParseSacctmgrArgs(inv.Args)
	if o.Show != "" || o.ShowErr != "" || o.Entity == "" {
		fmt.Fprint(inv.Stdout, o.Show)
		fmt.Fprint(inv.Stderr, o.ShowErr)
		return o.ShowCode
	}
	err := inv.Client.Render(ctx, api.PathSacctmgr, api.SacctmgrRequest{Options: o}, inv.Stdout)
	return inv.renderErr("sacctmgr", err, sacctdbUnreachable)
}
