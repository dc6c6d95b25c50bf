package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os/user"
	"slices"
	"strings"
	"time"

	"skyport/gate"
	"skyport/gate/internal/opts"
)

// Options configure an SSH gate. Durations left zero take the defaults
// below.
type Options struct {
	// Hosts are the nodes of the gate, at least one.
	Hosts []Host
	// Supervisor is the local path of the supervisor binary uploaded to the
	// hosts (it is run as "BINARY supervise -ready-fd=3 RUNDIR"). Empty
	// means skyport-supervise beside this executable, else in PATH.
	Supervisor string
	// NodeFailGrace is how long a job's host may stay unreachable before
	// Wait gives up with gate.CauseNodeFail; default 60s.
	NodeFailGrace time.Duration
	// KeepAliveInterval is the time between keepalive@openssh.com requests
	// on an idle or busy connection; default 15s.
	KeepAliveInterval time.Duration
	// KeepAliveTimeout is how long a keepalive may go unanswered before the
	// connection is dropped (and redialled when next needed); default 15s.
	KeepAliveTimeout time.Duration
	// ConnectTimeout bounds one dial plus SSH handshake; default 10s.
	ConnectTimeout time.Duration
	// PollInterval is the longest pause between two looks at a running
	// job's exit and output; default 1s (busy jobs are looked at sooner).
	PollInterval time.Duration
	// MaxStageBytes caps what one job's staging may send; 0 means no cap.
	MaxStageBytes int64

	// Logger receives the gate's log; nil means slog.Default().
	Logger *slog.Logger
	// Dial opens the TCP connection to a host's address; nil means a
	// net.Dialer. Tests use it to reach hosts in other network namespaces
	// and to cut connections.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Host is one SSH host of the gate: one node.
type Host struct {
	Name    string // node name, as squeue and sinfo show it
	Address string // host:port (port 22 when left out)
	User    string // login user; default the current user
	// KeyFile is an unencrypted private key; empty means ssh-agent through
	// SSH_AUTH_SOCK.
	KeyFile string
	CPUs    int   // 0: what the host says (nproc)
	MemMB   int64 // 0: what the host says (MemTotal)
	MaxJobs int   // 0: no limit on jobs running at once
	// GPUs is the host's GPU count, numbered 0 to GPUs-1 as the jobs'
	// CUDA_VISIBLE_DEVICES name them; 0: the host offers none.
	GPUs int
	// KnownHosts are known_hosts files to check the host key against.
	// HostKey pins the key instead (authorized_keys format). With neither,
	// ~/.ssh/known_hosts is used.
	KnownHosts []string
	HostKey    string
	// SharedFS says the host sees this machine's files at the same paths
	// (a shared file system): nothing is staged and output is not streamed.
	SharedFS bool
	// RemoteDir holds the gate's files on the host; relative paths are
	// relative to the remote home. Default ".skyport".
	RemoteDir string
	// Containers is the host's container runtime ("docker" or "podman")
	// for jobs submitted with --container-image; empty refuses them.
	Containers string
	// ReadyFile, when set, is a file that exists on the host once it is
	// ready for jobs (a new cloud VM's cloud-init has finished); until
	// then Start says gate.ErrUnavailable. Set by the Azure gate, not a
	// TOML key.
	ReadyFile string
}

// The defaults of Options.
const (
	defaultNodeFailGrace  = 60 * time.Second
	defaultKeepAlive      = 15 * time.Second
	defaultConnectTimeout = 10 * time.Second
	defaultPollInterval   = time.Second
	defaultRemoteDir      = ".skyport"
)

func init() {
	gate.Register("ssh", open)
}

// open is the Factory of the kind "ssh".
func open(cfg gate.Config) (gate.Gate, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(cfg.Name, cfg.StateDir, opts)
}

// withDefaults fills in the defaults and checks the hosts.
func (o Options) withDefaults() (Options, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.NodeFailGrace, defaultNodeFailGrace)
	def(&o.KeepAliveInterval, defaultKeepAlive)
	def(&o.KeepAliveTimeout, defaultKeepAlive)
	def(&o.ConnectTimeout, defaultConnectTimeout)
	def(&o.PollInterval, defaultPollInterval)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if len(o.Hosts) == 0 {
		return o, errors.New("ssh: no hosts")
	}
	seen := map[string]bool{}
	hosts := make([]Host, len(o.Hosts))
	for i, h := range o.Hosts {
		if h.Name == "" || strings.ContainsAny(h.Name, " \t\n,/") {
			return o, fmt.Errorf("ssh: host #%d: bad or missing name %q", i+1, h.Name)
		}
		if seen[h.Name] {
			return o, fmt.Errorf("ssh: host %s: named twice", h.Name)
		}
		seen[h.Name] = true
		if h.Address == "" {
			return o, fmt.Errorf("ssh: host %s: no address", h.Name)
		}
		if _, _, err := net.SplitHostPort(h.Address); err != nil {
			h.Address = net.JoinHostPort(h.Address, "22")
		}
		if h.User == "" {
			u, err := user.Current()
			if err != nil {
				return o, fmt.Errorf("ssh: host %s: no user and no current user: %w", h.Name, err)
			}
			h.User = u.Username
		}
		if h.RemoteDir == "" {
			h.RemoteDir = defaultRemoteDir
		}
		if h.HostKey != "" {
			if _, err := parsePinnedKey(h.HostKey); err != nil {
				return o, fmt.Errorf("ssh: host %s: host_key: %w", h.Name, err)
			}
		}
		hosts[i] = h
	}
	o.Hosts = hosts
	return o, nil
}

// parseOptions reads Options from a gate's TOML table. Top-level keys:
// hosts (an array of tables), supervisor, node_fail_grace,
// keepalive_interval, keepalive_timeout, connect_timeout, poll_interval
// (durations: "90s" or whole seconds) and max_stage_size ("2G" or MB).
// Unknown keys, at the top or in a host, are errors naming the key.
func parseOptions(m map[string]any) (Options, error) {
	var o Options
	for _, k := range opts.SortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "hosts":
			o.Hosts, err = parseHosts(v)
		case "supervisor":
			o.Supervisor, err = opts.String(v)
		case "node_fail_grace":
			o.NodeFailGrace, err = opts.Duration(v)
		case "keepalive_interval":
			o.KeepAliveInterval, err = opts.Duration(v)
		case "keepalive_timeout":
			o.KeepAliveTimeout, err = opts.Duration(v)
		case "connect_timeout":
			o.ConnectTimeout, err = opts.Duration(v)
		case "poll_interval":
			o.PollInterval, err = opts.Duration(v)
		case "max_stage_size":
			var mb int64
			mb, err = opts.MemMB(v)
			o.MaxStageBytes = mb << 20
		default:
			return Options{}, fmt.Errorf("ssh: unknown option %q", k)
		}
		if err != nil {
			return Options{}, fmt.Errorf("ssh: option %s: %w", k, err)
		}
	}
	return o, nil
}

// parseHosts reads the array of host tables.
func parseHosts(v any) ([]Host, error) {
	var tables []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		tables = x
	case []any:
		for _, e := range x {
			t, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("want an array of tables, got an element %T", e)
			}
			tables = append(tables, t)
		}
	default:
		return nil, fmt.Errorf("want an array of tables ([[...hosts]]), got %T", v)
	}
	hosts := make([]Host, 0, len(tables))
	for i, t := range tables {
		h, err := parseHost(t)
		if err != nil {
			return nil, fmt.Errorf("host #%d: %w", i+1, err)
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// parseHost reads one host table.
func parseHost(t map[string]any) (Host, error) {
	var h Host
	for _, k := range opts.SortedKeys(t) {
		v := t[k]
		var err error
		switch k {
		case "name":
			h.Name, err = opts.String(v)
		case "address":
			h.Address, err = opts.String(v)
		case "user":
			h.User, err = opts.String(v)
		case "key_file":
			h.KeyFile, err = opts.String(v)
		case "cpus":
			var n int64
			n, err = opts.Int(v)
			if err == nil && n > math.MaxInt32 {
				err = fmt.Errorf("too large: %d", n)
			}
			h.CPUs = int(n)
		case "memory":
			h.MemMB, err = opts.MemMB(v)
		case "gpus":
			var n int64
			n, err = opts.Int(v)
			if err == nil && n > math.MaxInt16 {
				err = fmt.Errorf("too large: %d", n)
			}
			h.GPUs = int(n)
		case "max_jobs":
			var n int64
			n, err = opts.Int(v)
			if err == nil && n > math.MaxInt32 {
				err = fmt.Errorf("too large: %d", n)
			}
			h.MaxJobs = int(n)
		case "known_hosts":
			if s, ok := v.(string); ok {
				h.KnownHosts = []string{s}
			} else {
				h.KnownHosts, err = opts.Strings(v)
			}
		case "host_key":
			h.HostKey, err = opts.String(v)
		case "shared_fs":
			b, ok := v.(bool)
			if !ok {
				err = fmt.Errorf("want true or false, got %T", v)
			}
			h.SharedFS = b
		case "remote_dir":
			h.RemoteDir, err = opts.String(v)
		case "containers":
			h.Containers, err = opts.String(v)
			if err == nil && !slices.Contains(gate.ContainerRuntimes, h.Containers) {
				err = fmt.Errorf("want one of %q, got %q", gate.ContainerRuntimes, h.Containers)
			}
		default:
			return Host{}, fmt.Errorf("unknown option %q", k)
		}
		if err != nil {
			return Host{}, fmt.Errorf("option %s: %w", k, err)
		}
	}
	return h, nil
}
