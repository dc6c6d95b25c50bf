// Command skyport-watch is `skyport watch`, `skyport tail` and `skyport
// dashboard`: the event stream of skyportd, as lines or JSON, a job's
// output followed to its end, and the address of the dashboard. It is a
// binary of its own, which skyport runs for these commands, so that the websocket client (and net/http) stays out of the
// shim binary that every sbatch and squeue starts.
//
//	skyport watch [--json] [--output] [--from SEQ] [-j JOBS] [-u USERS] [-p PARTITIONS] [-t STATES] [--types TYPES]
//	skyport tail [-f] JOBID
//	skyport dashboard
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"skyport/gateway/api"
	wire "skyport/gateway/api/stream"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs argv: [skyport-watch] watch|tail|dashboard ARGS... (argv[0] may also be
// named after the command).
func Main(ctx context.Context, argv []string, stdout, stderr io.Writer) int {
	name, args := filepath.Base(argv[0]), argv[1:]
	if name != "watch" && name != "tail" && name != "dashboard" {
		if len(args) == 0 {
			say(stderr, "usage: skyport watch [OPTIONS] | skyport tail [-f] JOBID | skyport dashboard"+"\n")
			return 2
		}
		name, args = args[0], args[1:]
	}
	return run(ctx, wire.Dialer{Socket: api.DefaultSocket(os.Getenv, os.Getuid())}, name, args, stdout, stderr)
}

// run runs one command against the daemon d reaches.
func run(ctx context.Context, d wire.Dialer, name string, args []string, stdout, stderr io.Writer) int {
	switch name {
	case "watch":
		return watch(ctx, d, args, stdout, stderr)
	case "tail":
		return tail(ctx, d, args, stdout, stderr)
	case "dashboard":
		return dashboard(ctx, d, args, stdout, stderr) // dashboard.go
	}
	say(stderr, "skyport: unknown command %q\n", name)
	return 2
}

// failed prints a stream error in the command's words and returns 1; an
// interrupted command returns 130, as a shell reports SIGINT.
func failed(ctx context.Context, cmd string, err error, stderr io.Writer) int {
	if ctx.Err() != nil {
		return 130
	}
	say(stderr, "skyport %s: error: %v\n", cmd, err)
	return 1
}

// say prints a diagnostic; a failed write to stderr has nowhere to go.
func say(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}
