// Package shims implements Slurm's commands (sbatch, squeue, scancel,
// sacct, sinfo) on top of skyportd's local API. Each command is a function
// from an Invocation to an exit status; it prints results on stdout,
// diagnostics on stderr in Slurm's own words, and nothing else. The shims
// import only compat and gateway/api, so they start fast and never touch
// the daemon's state.
package shims

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strconv"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// Invocation is everything a shim may use: no globals, no os.* reads.
type Invocation struct {
	Args   []string // without the command name
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Cwd    string
	UID    uint32
	Now    time.Time
	Client *api.Client
}

// Command is one Slurm command.
type Command func(ctx context.Context, inv *Invocation) int

// Commands maps each command name to its implementation.
var Commands = map[string]Command{
	"sbatch":   Sbatch,
	"squeue":   Squeue,
	"scancel":  Scancel,
	"sacct":    Sacct,
	"sinfo":    Sinfo,
	"scontrol": Scontrol,
	"srun":     Srun,     // srun.go
	"sacctmgr": Sacctmgr, // sacctmgr.go
	"sshare":   Sshare,   // sshare.go
}

// fail prints err as Slurm would and returns its exit status: a
// *compat.Error verbatim (after the stdout text of a *compat.UsageError),
// anything else with the command's prefix.
func (inv *Invocation) fail(cmd string, err error) int {
	var ue *compat.UsageError
	if errors.As(err, &ue) {
		fmt.Fprint(inv.Stdout, ue.Stdout)
	}
	var ce *compat.Error
	if errors.As(err, &ce) {
		fmt.Fprint(inv.Stderr, ce.Msg)
		return ce.Code
	}
	fmt.Fprintf(inv.Stderr, "%s: error: %v\n", cmd, err)
	return 1
}

// unreachable reports whether err means the daemon could not be contacted.
func unreachable(err error) bool { return errors.Is(err, api.ErrUnreachable) }

// lookupUser returns a resolver of user names (or numeric uids) for
// Slurm's -u. The binary is built without cgo (it starts faster), so
// os/user reads /etc/passwd only; a name not found there is asked of the
// daemon, which resolves it through the system's name service.
func (inv *Invocation) lookupUser(ctx context.Context) func(name string) (uint32, bool) {
	return func(name string) (uint32, bool) {
		if n, err := strconv.ParseUint(name, 10, 32); err == nil {
			return uint32(n), true
		}
		if u, err := user.Lookup(name); err == nil {
			if n, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
				return uint32(n), true
			}
		}
		if inv.Client == nil {
			return 0, false
		}
		resp, err := inv.Client.LookupUser(ctx, name)
		return resp.UID, err == nil && resp.Found
	}
}
