package shims

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// maxScript bounds a batch script, as Slurm bounds it (its default
// max_script_size is 4 MiB).
const maxScript = 4 << 20

// Sbatch is sbatch: it parses the command line, reads and checks the
// script, merges SBATCH_* variables and #SBATCH lines, and submits. It
// prints "Submitted batch job N" (or N with --parsable) only once the
// daemon has the job on disk.
func Sbatch(ctx context.Context, inv *Invocation) int {
	cli, scriptPath, scriptArgs, err := compat.ParseSbatchArgs(inv.Args)
	if err != nil {
		return inv.fail("sbatch", err)
	}
	if cli.Show != "" {
		fmt.Fprint(inv.Stdout, cli.Show)
		return 0
	}
	var script []byte
	var directives []string
	absScript := ""
	if cli.Given["wrap"] {
		script = compat.WrapScript(cli.Wrap)
	} else {
		if scriptPath != "" {
			absScript = scriptPath
			if !filepath.IsAbs(absScript) {
				absScript = filepath.Join(inv.Cwd, scriptPath)
			}
			script, err = readScript(absScript)
			if err != nil {
				fmt.Fprintf(inv.Stderr, "sbatch: error: Unable to open file %s\n", scriptPath)
				return 1
			}
		} else {
			script, err = io.ReadAll(io.LimitReader(inv.Stdin, maxScript+1))
			if err != nil {
				fmt.Fprintf(inv.Stderr, "sbatch: error: Unable to read batch script from stdin\n")
				return 1
			}
		}
		if err := compat.ValidateScript(script); err != nil {
			return inv.fail("sbatch", err)
		}
		var warn string
		directives, warn, err = compat.ParseDirectives(script, scriptPath)
		fmt.Fprint(inv.Stderr, warn)
		if err != nil {
			return inv.fail("sbatch", err)
		}
	}
	if len(script) > maxScript {
		fmt.Fprintf(inv.Stderr, "sbatch: error: Batch job submission failed: Pathname of a file, directory or other parameter too long\n")
		return 1
	}
	opts, err := compat.MergeOptions(cli, inv.Env, directives)
	if err != nil {
		return inv.fail("sbatch", err)
	}
	fmt.Fprint(inv.Stderr, compat.CheckExport(opts.Export))
	resp, err := inv.Client.Submit(ctx, api.SubmitRequest{
		Options: opts, Script: script, ScriptPath: absScript, ScriptArgs: scriptArgs,
		Cwd: inv.Cwd, Env: inv.Env,
	})
	if err != nil {
		if unreachable(err) {
			fmt.Fprintln(inv.Stderr, "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)")
			return 1
		}
		return inv.fail("sbatch", err)
	}
	switch {
	case opts.TestOnly:
		fmt.Fprint(inv.Stderr, resp.TestOnly)
	case opts.Parsable:
		if opts.Given["clusters"] {
			fmt.Fprintf(inv.Stdout, "%d;%s\n", resp.JobID, resp.Cluster)
		} else {
			fmt.Fprintf(inv.Stdout, "%d\n", resp.JobID)
		}
	case opts.Given["clusters"]:
		fmt.Fprintf(inv.Stdout, "Submitted batch job %d on cluster %s\n", resp.JobID, resp.Cluster)
	default:
		fmt.Fprintf(inv.Stdout, "Submitted batch job %d\n", resp.JobID)
	}
	if opts.Given["wait"] && !opts.TestOnly {
		return waitJob(ctx, inv, resp.JobID)
	}
	return 0
}

// waitJob is sbatch -W: it waits for the job through the daemon (which
// answers when the job has ended) and returns the job's exit status. A
// daemon that restarts meanwhile is asked again, once a second.
func waitJob(ctx context.Context, inv *Invocation, id uint32) int {
	for {
		resp, err := inv.Client.Wait(ctx, api.WaitRequest{JobID: id})
		if err == nil {
			return resp.Exit
		}
		if !unreachable(err) {
			return inv.fail("sbatch", err)
		}
		select {
		case <-ctx.Done():
			return 1
		case <-time.After(time.Second):
		}
	}
}

// readScript reads a script file. A directory reads as empty, as in Slurm
// ("Batch script is empty!").
func readScript(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxScript+1))
	if errors.Is(err, syscall.EISDIR) {
		return nil, nil
	}
	return b, err
}
