// Command skyportd is Sky Port's gateway daemon: it keeps every job in its
// Badger queue, schedules it and runs it through a gate, and serves the
// shims over a Unix socket.
//
//	skyportd [-config FILE]         run the daemon (the default)
//	skyportd config default         print the complete default configuration
//	skyportd config check FILE      validate a configuration file
//	skyportd supervise JOBDIR       (internal) the local gate's per-job supervisor
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	_ "skyport/gate/azure" // the "azure" gate kind
	"skyport/gate/local"
	_ "skyport/gate/ssh" // the "ssh" gate kind
	"skyport/gateway"
)

// memoryLimit is the soft limit of the daemon's Go heap.
const memoryLimit = 256 << 20

// gcPercent is the daemon's GOGC. The live set (about 1.2 KB a queued
// job) is most of its heap, and the default 100 lets the heap grow to
// twice that before collecting: with 100 000 queued jobs, to the memory
// limit. 25 keeps the heap within a quarter of what is live, for more
// frequent collections, which stay cheap while the queue is small.
const gcPercent = 25

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs skyportd with args and returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "supervise":
			return local.Supervise(args[1:])
		case "config":
			return configCmd(args[1:], stdout, stderr)
		case "version", "--version", "-V":
			fmt.Fprintln(stdout, "skyportd (Sky Port) compatible with slurm-wlm 22.05.8")
			return 0
		case "run":
			args = args[1:]
		}
	}
	fs := flag.NewFlagSet("skyportd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", defaultConfigPath(), "configuration file (TOML); none means the built-in defaults")
	stateDir := fs.String("state-dir", "", "override daemon.state_dir")
	socket := fs.String("socket", "", "override daemon.socket")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := gateway.LoadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "skyportd: %v\n", err)
		return 1
	}
	if *stateDir != "" {
		cfg.Daemon.StateDir = *stateDir
	}
	if *socket != "" {
		cfg.Daemon.Socket = *socket
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Keep the Go heap from doubling past what the daemon needs; Badger's
		// mapped files are outside it.
		debug.SetMemoryLimit(memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level(cfg.Daemon.LogLevel)}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv, err := gateway.New(cfg, gateway.Options{Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "skyportd: %v\n", err)
		return 1
	}
	defer func() {
		// Closing flushes the queue: a failure must not pass silently.
		if err := srv.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	if err := srv.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "skyportd: %v\n", err)
		return 1
	}
	return 0
}

// defaultConfigPath is $XDG_CONFIG_HOME/skyport/skyportd.toml (else
// ~/.config/...) when that file exists, else "" (the built-in defaults).
func defaultConfigPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	p := filepath.Join(dir, "skyport", "skyportd.toml")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func configCmd(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && args[0] == "default":
		fmt.Fprint(stdout, gateway.DefaultTOML)
		return 0
	case len(args) == 2 && args[0] == "check":
		if _, err := gateway.LoadConfig(args[1]); err != nil {
			fmt.Fprintf(stderr, "skyportd: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: ok\n", args[1])
		return 0
	}
	fmt.Fprintln(stderr, "usage: skyportd config default | skyportd config check FILE")
	return 2
}

func level(s string) slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(s))
	return l
}
