package shims

import (
	"context"
	"fmt"

	"skyport/compat"
	"skyport/gateway/api"
)

// Squeue is squeue: options parsed here, jobs selected and rendered by the daemon.
func Squeue(ctx context.Context, inv *Invocation) int {
	o, warn, err := compat.ParseSqueueArgs(inv.Args, inv.Env, inv.Now, inv.lookupUser(ctx))
	fmt.Fprint(inv.Stderr, warn)
	if err != nil {
		return inv.fail("squeue", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	err = inv.Client.Render(ctx, api.PathSqueue, api.SqueueRequest{Options: o}, inv.Stdout)
	return inv.renderErr("squeue", err, "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n")
}

// Sacct is sacct: options parsed here, jobs selected and rendered by the daemon.
func Sacct(ctx context.Context, inv *Invocation) int {
	o, err := compat.ParseSacctArgs(inv.Args, inv.Env, inv.Now, inv.lookupUser(ctx))
	if err != nil {
		return inv.fail("sacct", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	err = inv.Client.Render(ctx, api.PathSacct, api.SacctRequest{Options: o}, inv.Stdout)
	return inv.renderErr("sacct", err,
		"sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:"+
			inv.Client.Socket()+": Connection refused\n"+
			"sacct: error: Sending PersistInit msg: Connection refused\n"+
			"sacct: error: Problem talking to the database: Connection refused\n")
}

// Sinfo is sinfo: options parsed here, rendered by the daemon.
func Sinfo(ctx context.Context, inv *Invocation) int {
	o, warn, err := compat.ParseSinfoArgs(inv.Args, inv.Env, inv.Now)
	fmt.Fprint(inv.Stderr, warn)
	if err != nil {
		return inv.fail("sinfo", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	err = inv.Client.Render(ctx, api.PathSinfo, api.SinfoRequest{Options: o}, inv.Stdout)
	return inv.renderErr("sinfo", err, "slurm_load_partitions: Unable to contact slurm controller (connect failure)\n")
}

// Scancel is scancel: the daemon records the cancel and returns at once;
// the jobs end asynchronously.
func Scancel(ctx context.Context, inv *Invocation) int {
	o, err := compat.ParseScancelArgs(inv.Args, inv.Env, inv.lookupUser(ctx))
	if err != nil {
		return inv.fail("scancel", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	resp, err := inv.Client.Scancel(ctx, api.ScancelRequest{Options: o})
	if err != nil {
		if unreachable(err) {
			// Slurm reports the failure once per job named and exits 8
			// (ESLURM_... & 0xff of "Unable to contact slurm controller").
			for _, t := range o.Targets {
				fmt.Fprint(inv.Stderr, compat.ScancelKillError(t.Spec, "Unable to contact slurm controller (connect failure)"))
			}
			if len(o.Targets) == 0 {
				fmt.Fprintln(inv.Stderr, "scancel: error: Unable to contact slurm controller (connect failure)")
			}
			return 8
		}
		return inv.fail("scancel", err)
	}
	fmt.Fprint(inv.Stderr, resp.Stderr)
	return resp.Exit
}

// renderErr maps a rendering call's error to output and an exit status.
func (inv *Invocation) renderErr(cmd string, err error, unreachableMsg string) int {
	if err == nil {
		return 0
	}
	if unreachable(err) {
		fmt.Fprint(inv.Stderr, unreachableMsg)
		return 1
	}
	return inv.fail(cmd, err)
}
