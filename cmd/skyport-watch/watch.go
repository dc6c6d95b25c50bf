package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	wire "skyport/gateway/api/stream"
)

// watch prints the event stream until interrupted.
func watch(ctx context.Context, d wire.Dialer, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skyport watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print each event as one line of JSON")
	output := fs.Bool("output", false, "include the jobs' output")
	from := fs.Uint64("from", 0, "replay kept events from this sequence number on")
	jobs := fs.String("j", "", "only these job IDs (comma-separated)")
	users := fs.String("u", "", "only these users' jobs (comma-separated)")
	parts := fs.String("p", "", "only jobs in these partitions (comma-separated)")
	states := fs.String("t", "", "only events that leave a job in these states (comma-separated)")
	types := fs.String("types", "", "only these event types (comma-separated: "+typeList()+")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		say(stderr, "skyport watch: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	sub := wire.Subscribe{From: *from, Users: list(*users), Partitions: list(*parts), States: list(*states)}
	for _, j := range list(*jobs) {
		id, err := strconv.ParseUint(j, 10, 32)
		if err != nil {
			say(stderr, "skyport watch: bad job ID %q\n", j)
			return 2
		}
		sub.Jobs = append(sub.Jobs, uint32(id))
	}
	for _, t := range list(*types) {
		sub.Types = append(sub.Types, wire.Type(t))
	}
	if len(sub.Types) == 0 && !*output {
		for _, t := range wire.Types {
			if t != wire.Output {
				sub.Types = append(sub.Types, t)
			}
		}
	}
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	err := d.Follow(ctx, sub, wire.Handler{
		Event: func(ev wire.Event) error {
			if *asJSON {
				if err := enc.Encode(ev); err != nil {
					return err
				}
			} else {
				_, _ = w.WriteString(line(ev)) // an error shows in Flush
			}
			return w.Flush()
		},
		Notice: func(f wire.Frame) error {
			switch {
			case f.Gap != nil:
				say(stderr, "skyport watch: events %d to %d are no longer kept\n", f.Gap.From, f.Gap.To-1)
			case f.Lagged != nil && !f.Lagged.Closing:
				say(stderr, "skyport watch: too slow, events skipped from %d\n", f.Lagged.Resume)
			}
			return nil
		},
	})
	if err != nil {
		return failed(ctx, "watch", err, stderr)
	}
	return 0
}

// line is the human-readable form of an event.
func line(ev wire.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %8d  job %-8d %-9s", ev.Time.Local().Format(time.DateTime), ev.Seq, ev.JobID, ev.Type)
	switch ev.Type {
	case wire.Output:
		fmt.Fprintf(&b, " %s +%d at %d: %q\n", ev.Stream, len(ev.Data), ev.Offset, clip(ev.Data, 120))
		return b.String()
	case wire.CostUpdate:
		if ev.Cost != nil {
			fmt.Fprintf(&b, " %.4f %s (%.4f/h)\n", ev.Cost.Total, ev.Cost.Currency, ev.Cost.PerHour)
			return b.String()
		}
	}
	fmt.Fprintf(&b, " %s", ev.State)
	if ev.Reason != "" && ev.Reason != "None" {
		fmt.Fprintf(&b, " (%s)", ev.Reason)
	}
	if ev.Name != "" {
		fmt.Fprintf(&b, " name=%s", ev.Name)
	}
	if ev.Type == wire.Submitted {
		fmt.Fprintf(&b, " user=%s partition=%s", ev.User, ev.Partition)
	}
	if ev.Node != "" {
		fmt.Fprintf(&b, " node=%s gate=%s", ev.Node, ev.Gate)
	}
	if ev.Exit != nil {
		fmt.Fprintf(&b, " exit=%d:%d", ev.Exit.Code, ev.Exit.Signal)
	}
	b.WriteByte('\n')
	return b.String()
}

// clip is data cut to at most n bytes.
func clip(data []byte, n int) []byte {
	if len(data) > n {
		return data[:n]
	}
	return data
}

// list splits a comma-separated list; "" is no list.
func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func typeList() string {
	names := make([]string, len(wire.Types))
	for i, t := range wire.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
