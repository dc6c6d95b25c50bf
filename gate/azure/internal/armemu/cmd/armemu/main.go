// Command armemu serves the local ARM emulator (package armemu) for
// tests: Entra ID and ARM over HTTPS, and the control API on a Unix
// socket. With -guests ns (the default) each VM runs a real sshd in
// namespaces of its own, which needs root and a network namespace of the
// emulator's own:
//
//	unshare --net armemu -tls-cert c.pem -tls-key k.pem -state-dir /tmp/emu \
//	    -control /tmp/emu/control.sock -hidden /tmp/submit
//
// The client secret comes from -client-secret or ARMEMU_CLIENT_SECRET.
// SIGTERM or SIGINT deletes every guest and exits.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"skyport/gate/azure/internal/armemu"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("armemu", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8443", "HTTPS address of Entra ID and ARM")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM; required)")
	key := fs.String("tls-key", "", "TLS private key (PEM; required)")
	tenant := fs.String("tenant", "11111111-1111-1111-1111-111111111111", "the tenant ID accepted")
	client := fs.String("client-id", "22222222-2222-2222-2222-222222222222", "the client ID accepted")
	secret := fs.String("client-secret", "", "the client secret accepted (default $ARMEMU_CLIENT_SECRET)")
	sub := fs.String("subscription", "00000000-0000-0000-0000-000000000000", "the subscription ID")
	state := fs.String("state-dir", "", "directory of the guests' files (required with -guests ns)")
	control := fs.String("control", "", "Unix socket of the control API (none when empty)")
	hidden := fs.String("hidden", "", "comma-separated directories every guest sees empty (tmpfs)")
	guests := fs.String("guests", "ns", `what VMs run: "ns" (sshd in namespaces) or "none"`)
	boot := fs.Duration("boot-delay", time.Second, "from a VM's create until it has booted")
	ready := fs.Duration("ready-delay", 0, "from boot until cloud-init's boot-finished")
	del := fs.Duration("delete-delay", 0, "how long a VM's delete takes")
	netDelay := fs.Duration("network-delay", 0, "how long network operations stay in progress (0: synchronous)")
	retry := fs.Int("retry-after", 1, "Retry-After seconds of long-running operations")
	page := fs.Int("page-size", 100, "items per list page")
	public := fs.String("public-cidr", "198.51.100.0/24", "where public IP addresses come from")
	uid := fs.Int("uid", 0, "uid of the guests' login user (0: a free one)")
	gid := fs.Int("gid", 0, "gid of the guests' login user (0: a free one)")
	debug := fs.Bool("debug", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *secret == "" {
		*secret = os.Getenv("ARMEMU_CLIENT_SECRET")
	}
	pub, err := netip.ParsePrefix(*public)
	if err != nil {
		fmt.Fprintln(os.Stderr, "armemu: -public-cidr:", err)
		return 2
	}
	if *cert == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "armemu: -tls-cert and -tls-key are required (the SDK sends tokens over TLS only)")
		return 2
	}
	cfg := armemu.Config{
		TenantID: *tenant, ClientID: *client, ClientSecret: *secret, Subscription: *sub,
		BootDelay: *boot, ReadyDelay: *ready, DeleteDelay: *del, NetworkDelay: *netDelay,
		RetryAfter: *retry, PageSize: *page, PublicCIDR: pub, Logger: log,
	}
	switch *guests {
	case "none":
	case "ns":
		if *state == "" {
			fmt.Fprintln(os.Stderr, "armemu: -state-dir is required with -guests ns")
			return 2
		}
		var dirs []string
		for _, d := range strings.Split(*hidden, ",") {
			if d = strings.TrimSpace(d); d != "" {
				dirs = append(dirs, d)
			}
		}
		hv, err := armemu.NewNSHypervisor(armemu.NSConfig{StateDir: *state, Hidden: dirs, UID: *uid, GID: *gid, Logger: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		cfg.Hypervisor = hv
	default:
		fmt.Fprintf(os.Stderr, "armemu: -guests %q: want ns or none\n", *guests)
		return 2
	}
	srv, err := armemu.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := serve(srv, *listen, *cert, *key, *control, *debug, log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// serve serves srv until SIGTERM or SIGINT, then stops every guest.
func serve(srv *armemu.Server, listen, cert, key, control string, debug bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return fmt.Errorf("armemu: %w", err)
	}
	ln, err := tls.Listen("tcp", listen, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return fmt.Errorf("armemu: %w", err)
	}
	var h http.Handler = srv
	if debug {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Debug("request", "method", r.Method, "url", r.URL.String())
			srv.ServeHTTP(w, r)
		})
	}
	servers := []*http.Server{{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	lns := []net.Listener{ln}
	if control != "" {
		_ = os.Remove(control) // a stale socket of an earlier run
		cl, err := net.Listen("unix", control)
		if err != nil {
			return fmt.Errorf("armemu: control socket: %w", err)
		}
		defer func() { _ = os.Remove(control) }()
		if err := os.Chmod(control, 0o600); err != nil {
			return fmt.Errorf("armemu: control socket: %w", err)
		}
		servers = append(servers, &http.Server{Handler: srv.ControlHandler(), ReadHeaderTimeout: 10 * time.Second})
		lns = append(lns, cl)
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(lns[i]) }()
	}
	log.Info("armemu: listening", "url", "https://"+ln.Addr().String()+"/", "control", control)
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(sctx) // stopping anyway
	}
	cerr := srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, cerr)
}
