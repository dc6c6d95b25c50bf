// Command skyport is Sky Port's client binary. Called through a link named
// after a Slurm command (sbatch, squeue, scancel, sacct, sinfo) it is that
// command; called as skyport it takes the command as its first argument
// (`skyport squeue -l`). It never opens the daemon's state: it talks to
// skyportd over the socket named by SKYPORT_SOCKET (default: in the state
// directory).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"skyport/gateway/api"
	"skyport/shims"
)

func main() {
	os.Exit(Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// Main dispatches on argv[0] (or argv[1] when called as skyport).
func Main(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := filepath.Base(argv[0])
	args := argv[1:]
	cmd, ok := shims.Commands[name]
	if !ok {
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			usage(stdout)
			return 0
		}
		name, args = args[0], args[1:]
		if name == "watch" || name == "tail" || name == "dashboard" {
			return execWatch(name, args, stderr) // watch.go
		}
		if cmd, ok = shims.Commands[name]; !ok {
			fmt.Fprintf(stderr, "skyport: unknown command %q\n", name)
			usage(stderr)
			return 2
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: getcwd failed: %v\n", name, err)
		return 1
	}
	uid := os.Getuid()
	inv := &shims.Invocation{
		Args: args, Env: os.Environ(), Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Cwd: cwd, UID: uint32(uid), Now: time.Now(),
		Client: api.NewClient(api.DefaultSocket(os.Getenv, uid)),
	}
	return run(name, cmd, inv)
}

// run calls the command; a bug in it ends with an error line in the
// command's name and exit status 1, never a stack trace that a client
// would have to parse.
func run(name string, cmd shims.Command, inv *shims.Invocation) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(inv.Stderr, "%s: error: internal error: %v\n", name, r)
			code = 1
		}
	}()
	return cmd(context.Background(), inv)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: skyport COMMAND [ARGS...]   (or call a link named after the command)")
	names := make([]string, 0, len(shims.Commands))
	for n := range shims.Commands {
		names = append(names, n)
	}
	names = append(names, "dashboard", "tail", "watch")
	sort.Strings(names)
	fmt.Fprintln(w, "commands:", names)
}
