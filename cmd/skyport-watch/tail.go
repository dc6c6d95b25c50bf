package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	wire "skyport/gateway/api/stream"
)

// errNotFound: the daemon knows no job of that ID that the caller may see.
var errNotFound = errors.New("job not found")

// tail prints a job's output (stdout to stdout, stderr to stderr). With
// -f it follows the job through its whole life, waiting while it is
// pending, and exits with the job's exit status: its exit code, 128+signal
// for a job killed by a signal, 1 for a job that ended otherwise without
// success (NODE_FAIL, a launch failure).
func tail(ctx context.Context, d wire.Dialer, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skyport tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	follow := fs.Bool("f", false, "follow the output until the job ends, and exit with its exit status")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		say(stderr, "usage: skyport tail [-f] JOBID"+"\n")
		return 2
	}
	n, err := strconv.ParseUint(fs.Arg(0), 10, 32)
	if err != nil || n == 0 {
		say(stderr, "skyport tail: bad job ID %q\n", fs.Arg(0))
		return 2
	}
	id := uint32(n)
	sub := wire.Subscribe{Jobs: []uint32{id}, Offsets: []wire.Offset{
		{JobID: id, Stream: wire.Stdout}, {JobID: id, Stream: wire.Stderr},
	}}
	seen, ready, code := false, false, 0
	err = d.Follow(ctx, sub, wire.Handler{
		Event: func(ev wire.Event) error {
			if ev.JobID != id {
				return nil // another task of the array
			}
			seen = true
			switch ev.Type {
			case wire.Output:
				w := stdout
				if ev.Stream == wire.Stderr {
					w = stderr
				}
				_, err := w.Write(ev.Data)
				return err
			case wire.Finished:
				if *follow {
					code = exitStatus(ev)
					return wire.ErrStop
				}
			}
			return nil
		},
		Notice: func(f wire.Frame) error {
			if f.Ready == nil || ready {
				return nil
			}
			ready = true // the replay is over: the job's state and output so far came
			switch {
			case !seen:
				return fmt.Errorf("job %d: %w", id, errNotFound)
			case !*follow:
				return wire.ErrStop
			}
			return nil
		},
	})
	if err != nil {
		return failed(ctx, "tail", err, stderr)
	}
	return code
}

// exitStatus is the exit status tail -f ends with for a finished job.
func exitStatus(ev wire.Event) int {
	switch x := ev.Exit; {
	case x == nil:
		return 1
	case x.Signal != 0:
		return 128 + x.Signal
	case x.Code != 0:
		return x.Code
	case ev.State == "COMPLETED":
		return 0
	}
	return 1
}
