package shims

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"skyport/compat"
	"skyport/gateway/api"
)

// writeBatchScript is "scontrol write batch_script ID [FILE|-]": like
// Slurm it creates the file first (relative to the caller's directory),
// then asks the daemon for the script, and removes the file again when
// there is none. Slurm exits 0 even then; only an unreachable daemon
// fails.
func writeBatchScript(ctx context.Context, inv *Invocation, req compat.ScontrolRequest) int {
	if !req.HasScriptJob {
		return 0
	}
	var f *os.File
	path := req.ScriptFile
	if path != "-" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(inv.Cwd, path)
		}
		var err error
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666); err != nil { //nolint:gosec // 0666 less the umask, as scontrol writes it
			fmt.Fprint(inv.Stderr, compat.ScontrolScriptOpenError(req.ScriptFile, errnoText(err)))
			return 0
		}
		defer func() { _ = f.Close() }()
	}
	resp, err := inv.Client.Scontrol(ctx, api.ScontrolRequest{Request: req})
	if err != nil {
		if f != nil {
			_ = os.Remove(path)
		}
		if unreachable(err) {
			fmt.Fprintln(inv.Stderr, "job script retrieval failed: Unable to contact slurm controller (connect failure)")
			return 1
		}
		return inv.fail("scontrol", err)
	}
	if resp.Stderr != "" {
		if f != nil {
			_ = os.Remove(path)
		}
		fmt.Fprint(inv.Stderr, resp.Stderr)
		return resp.Exit
	}
	if f == nil {
		fmt.Fprint(inv.Stdout, resp.Stdout)
		return 0
	}
	if _, err := f.WriteString(resp.Stdout); err != nil {
		fmt.Fprintf(inv.Stderr, "scontrol: error: write %s: %v\n", req.ScriptFile, err)
		return 1
	}
	if !req.Quiet {
		fmt.Fprint(inv.Stdout, compat.ScontrolScriptWritten(req.ScriptJob, req.ScriptFile))
	}
	return 0
}

// errnoText is strerror's text for err's errno ("No such file or
// directory"), else err's own text.
func errnoText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		if t := en.Error(); t != "" && t[0] >= 'a' && t[0] <= 'z' {
			return string(t[0]-'a'+'A') + t[1:]
		}
	}
	return err.Error()
}
