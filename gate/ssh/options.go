package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"

	"skyport/gate"
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
	for _, k := range sortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "hosts":
			o.Hosts, err = parseHosts(v)
		case "supervisor":
			o.Supervisor, err = toString(v)
		case "node_fail_grace":
			o.NodeFailGrace, err = toDuration(v)
		case "keepalive_interval":
			o.KeepAliveInterval, err = toDuration(v)
		case "keepalive_timeout":
			o.KeepAliveTimeout, err = toDuration(v)
		case "connect_timeout":
			o.ConnectTimeout, err = toDuration(v)
		case "poll_interval":
			o.PollInterval, err = toDuration(v)
		case "max_stage_size":
			var mb int64
			mb, err = toMemMB(v)
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
	for _, k := range sortedKeys(t) {
		v := t[k]
		var err error
		switch k {
		case "name":
			h.Name, err = toString(v)
		case "address":
			h.Address, err = toString(v)
		case "user":
			h.User, err = toString(v)
		case "key_file":
			h.KeyFile, err = toString(v)
		case "cpus":
			var n int64
			n, err = toInt(v)
			if err == nil && n > math.MaxInt32 {
				err = fmt.Errorf("too large: %d", n)
			}
			h.CPUs = int(n)
		case "memory":
			h.MemMB, err = toMemMB(v)
		case "max_jobs":
			var n int64
			n, err = toInt(v)
			if err == nil && n > math.MaxInt32 {
				err = fmt.Errorf("too large: %d", n)
			}
			h.MaxJobs = int(n)
		case "known_hosts":
			if s, ok := v.(string); ok {
				h.KnownHosts = []string{s}
			} else {
				h.KnownHosts, err = toStrings(v)
			}
		case "host_key":
			h.HostKey, err = toString(v)
		case "shared_fs":
			b, ok := v.(bool)
			if !ok {
				err = fmt.Errorf("want true or false, got %T", v)
			}
			h.SharedFS = b
		case "remote_dir":
			h.RemoteDir, err = toString(v)
		default:
			return Host{}, fmt.Errorf("unknown option %q", k)
		}
		if err != nil {
			return Host{}, fmt.Errorf("option %s: %w", k, err)
		}
	}
	return h, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func toString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %T", v)
	}
	return s, nil
}

// toStrings accepts a list of strings.
func toStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, got an element %T", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or a list of strings, got %T", v)
}

// toInt accepts the non-negative integers a TOML or JSON decoder produces.
func toInt(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || x > math.MaxInt64 || x < 0 {
			return 0, fmt.Errorf("not a whole number: %v", x)
		}
		n = int64(x)
	default:
		return 0, fmt.Errorf("want an integer, got %T", v)
	}
	if n < 0 {
		return 0, fmt.Errorf("negative: %d", n)
	}
	return n, nil
}

// toDuration accepts a Go duration string ("90s", "2m") or whole seconds.
func toDuration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a duration like \"90s\", got %q", s)
		}
		return d, nil
	}
	n, err := toInt(v)
	if err != nil {
		return 0, err
	}
	return time.Duration(n) * time.Second, nil
}

// toMemMB accepts megabytes as an integer, or a Slurm-style size: a number
// with an optional suffix K, M, G or T (M when left out).
func toMemMB(v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return toInt(v)
	}
	mult := map[byte]float64{'K': 1.0 / 1024, 'M': 1, 'G': 1024, 'T': 1024 * 1024}
	num, m := strings.TrimSpace(s), 1.0
	if num != "" {
		if f, ok := mult[strings.ToUpper(num[len(num)-1:])[0]]; ok {
			num, m = num[:len(num)-1], f
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a size like \"16G\" or megabytes, got %q", s)
	}
	mb := f * m
	if mb > math.MaxInt64/2 {
		return 0, fmt.Errorf("too large: %q", s)
	}
	return int64(math.Ceil(mb)), nil
}
