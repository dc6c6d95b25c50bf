package main

import (
	"context"
	"errors"
	"io"

	wire "skyport/gateway/api/stream"
)

// dashboard prints the address of skyportd's dashboard, with the token
// in its fragment (never sent to a server, never in a log): open it in a
// browser on this machine.
func dashboard(ctx context.Context, d wire.Dialer, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		say(stderr, "usage: skyport dashboard\n")
		return 2
	}
	url, err := wire.DashboardURL(ctx, d.Socket)
	if errors.Is(err, wire.ErrNoDashboard) {
		say(stderr, "skyport dashboard: error: skyportd serves no dashboard: set tcp = \"127.0.0.1:PORT\" in the [stream] table of its configuration\n")
		return 1
	}
	if err != nil {
		return failed(ctx, "dashboard", err, stderr)
	}
	say(stdout, "%s\n", url)
	return 0
}
