package shims

import (
	"context"
	"fmt"
	"os"
	"strings"

	"skyport/compat"
	"skyport/gateway/api"
)

// Scontrol is scontrol: the command line is parsed here; show and ping are
// answered by the daemon.
func Scontrol(ctx context.Context, inv *Invocation) int {
	req, err := compat.ParseScontrolArgs(inv.Args, inv.Env)
	if err != nil {
		return inv.fail("scontrol", err)
	}
	if req.Show != "" || req.ShowErr != "" {
		fmt.Fprint(inv.Stdout, req.Show)
		fmt.Fprint(inv.Stderr, req.ShowErr)
		return req.ShowCode
	}
	if req.Command == compat.ScontrolCmdInteractive {
		fmt.Fprintln(inv.Stderr, "scontrol: error: interactive mode is not supported by Sky Port; give the command as arguments")
		return 1
	}
	if req.Command == compat.ScontrolCmdWriteScript {
		return writeBatchScript(ctx, inv, req)
	}
	resp, err := inv.Client.Scontrol(ctx, api.ScontrolRequest{Request: req})
	if err != nil {
		if unreachable(err) {
			if req.Command == compat.ScontrolCmdPing {
				fmt.Fprint(inv.Stdout, "Slurmctld(primary) at "+shortHost()+" is DOWN\n"+
					"*****************************************\n"+
					"** RESTORE SLURMCTLD DAEMON TO SERVICE **\n"+
					"*****************************************\n")
				return 1
			}
			fmt.Fprintln(inv.Stderr, scontrolLoadCall(req.Entity)+" error: Unable to contact slurm controller (connect failure)")
			return 1
		}
		return inv.fail("scontrol", err)
	}
	fmt.Fprint(inv.Stdout, resp.Stdout)
	fmt.Fprint(inv.Stderr, resp.Stderr)
	return resp.Exit
}

// scontrolLoadCall names the Slurm API call whose failure scontrol reports
// for what it shows.
func scontrolLoadCall(entity string) string {
	switch entity {
	case "partition":
		return "slurm_load_partitions"
	case "node":
		return "slurm_load_node"
	case "config":
		return "slurm_load_ctl_conf"
	}
	return "slurm_load_jobs"
}

// shortHost is this machine's name up to the first dot.
func shortHost() string {
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}
