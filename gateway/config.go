package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"skyport/compat"
	"skyport/gate"
)

// Config is skyportd's whole configuration: one TOML file. Every key has a
// default in code (Default); unknown keys and bad values are errors that
// name the line.
type Config struct {
	Daemon     DaemonConfig          `toml:"daemon"`
	Gates      map[string]GateConfig `toml:"gates"`
	Partitions []PartitionConfig     `toml:"partitions"`
	Stream     StreamConfig          `toml:"stream"`   // events_config.go
	Accounts   []AccountConfig       `toml:"accounts"` // accounts_config.go
}

// DaemonConfig holds the daemon-wide settings.
type DaemonConfig struct {
	StateDir    string   `toml:"state_dir"`
	Socket      string   `toml:"socket"`
	ClusterName string   `toml:"cluster_name"`
	KillWait    Duration `toml:"kill_wait"`
	MinJobAge   Duration `toml:"min_job_age"`
	Retention   Duration `toml:"retention"`
	LogLevel    string   `toml:"log_level"`
	// MaxArraySize is Slurm's MaxArraySize: --array task ids must be
	// below it. 0 means Slurm's default, 1001.
	MaxArraySize int `toml:"max_array_size"`
}

// GateConfig is one gate: its kind and the kind's own options.
type GateConfig struct {
	Kind   string `toml:"kind"`
	CPUs   int    `toml:"cpus"`
	Memory Memory `toml:"memory"`
	// Containers is the local gate's container runtime for jobs submitted
	// with --container-image ("docker" or "podman"; "" refuses them).
	Containers string `toml:"containers"`
	// GPUs is the local gate's GPU count (Slurm's Gres=gpu:N); 0: none.
	GPUs int `toml:"gpus"`
	// Table is the gate's whole TOML table (without kind) for kinds other
	// than "local": those gates define and check their own keys.
	Table map[string]any `toml:"-"`
}

// PartitionConfig maps a Slurm partition to a gate with limits.
type PartitionConfig struct {
	Name        string    `toml:"name"`
	Gate        string    `toml:"gate"`
	Default     bool      `toml:"default"`
	CPUs        int       `toml:"cpus"`
	Memory      Memory    `toml:"memory"`
	MaxTime     TimeLimit `toml:"max_time"`
	DefaultTime TimeLimit `toml:"default_time"`
	// DefMemPerCPU is the memory of a job that asks for none, per CPU.
	DefMemPerCPU Memory `toml:"def_mem_per_cpu"`
	State        string `toml:"state"`
}

// Duration is a time.Duration written as "30s", "5m" or a number of seconds.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (use e.g. \"30s\", \"5m\", \"24h\")", b)
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: negative", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Memory is an amount of memory in MiB, written as Slurm writes it
// ("512M", "16G", a bare number of MiB); "" or 0 means "all there is".
type Memory int64

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Memory) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = 0
		return nil
	}
	v, err := compat.ParseMemory(string(b))
	if err != nil {
		return fmt.Errorf("invalid memory %q (use e.g. \"512M\", \"16G\")", b)
	}
	*m = Memory(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (m Memory) MarshalText() ([]byte, error) {
	if m == 0 {
		return nil, nil
	}
	return fmt.Appendf(nil, "%dM", int64(m)), nil
}

// options turns a gate's table into the generic options a gate factory reads.
func (g GateConfig) options() map[string]any {
	if g.Kind != "local" {
		return g.Table
	}
	o := map[string]any{"cpus": g.CPUs, "memory_mb": int64(g.Memory)}
	if g.Containers != "" {
		o["containers"] = g.Containers
	}
	if g.GPUs > 0 {
		o["gpus"] = g.GPUs
	}
	return o
}

// TimeLimit is a time limit in minutes written in any sbatch --time form,
// or "UNLIMITED".
type TimeLimit int64

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *TimeLimit) UnmarshalText(b []byte) error {
	v, err := compat.ParseTimeLimit(string(b))
	if err != nil {
		return fmt.Errorf("invalid time limit %q (use e.g. \"UNLIMITED\", \"30\", \"1-00:00:00\")", b)
	}
	*t = TimeLimit(v)
	return nil
}

// defMemPerCPU is the default DefMemPerCPU in MiB, as on the reference cluster.
const defMemPerCPU = 1024

// Default returns the built-in configuration: one local gate with all of
// this machine, and one default partition "debug" on it.
func Default() Config {
	return Config{
		Daemon: DaemonConfig{
			ClusterName:  "skyport",
			KillWait:     Duration(30 * time.Second),
			MinJobAge:    Duration(300 * time.Second),
			LogLevel:     "info",
			MaxArraySize: compat.DefaultMaxArraySize,
		},
		Gates:  map[string]GateConfig{"local": {Kind: "local"}},
		Stream: defaultStream(),
		Partitions: []PartitionConfig{{
			Name: "debug", Gate: "local", Default: true,
			MaxTime: TimeLimit(compat.Infinite), DefaultTime: TimeLimit(compat.Infinite),
			DefMemPerCPU: defMemPerCPU, State: "up",
		}},
	}
}

// DefaultTOML is the complete, commented configuration file that
// `skyportd config default` prints; loading it gives Default().
const DefaultTOML = `# skyportd configuration. Every key is optional; the values shown are the defaults.

[daemon]
# Where jobs, their output of record and the daemon's lock live.
# "" means $XDG_STATE_HOME/skyport, else ~/.local/state/skyport.
state_dir = ""
# The API socket (directory 0700, socket 0600). "" means <state_dir>/skyportd.sock
# (or /tmp/skyport-<uid>/skyportd.sock when that path would be too long).
# Shims find a non-default socket through SKYPORT_SOCKET.
socket = ""
# SLURM_CLUSTER_NAME and sacct's Cluster.
cluster_name = "skyport"
# Time between SIGTERM and SIGKILL when a job is cancelled or times out.
kill_wait = "30s"
# How long a finished job stays visible to squeue (Slurm's MinJobAge).
min_job_age = "5m0s"
# How long finished jobs stay in sacct. "0s" keeps them forever.
retention = "0s"
# debug, info, warn or error.
log_level = "info"
# Array task ids (sbatch --array) must be below this (Slurm's MaxArraySize).
max_array_size = 1001

# Gates run jobs. "local" runs them on this machine.
[gates.local]
kind = "local"
# CPUs and memory this gate may use; 0 and "" mean all of this machine.
cpus = 0
memory = ""
# The container runtime ("docker" or "podman") that runs jobs submitted with
# --container-image; "" refuses them.
containers = ""
# GPUs of this machine that jobs asking for them (--gres=gpu, --gpus) get;
# 0: jobs asking for a GPU are refused.
gpus = 0

# Partitions map Slurm partition names to gates. Exactly one is the default.
[[partitions]]
name = "debug"
gate = "local"
default = true
# Limits of the partition; 0 and "" mean all of the gate's node.
cpus = 0
memory = ""
# Longest time limit a job may ask for, and the limit of a job that asks for none.
max_time = "UNLIMITED"
default_time = "UNLIMITED"
# Memory of a job that asks for none (no --mem or --mem-per-cpu), per CPU.
def_mem_per_cpu = "1024M"
# up, down (jobs are accepted and wait), or inactive (jobs are refused).
state = "up"
` + accountsTOML + streamTOML

// LoadConfig reads the TOML file at path over the defaults. An empty path
// gives Default().
func LoadConfig(path string) (Config, error) {
	if path == "" {
		return Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses a TOML document over the defaults and validates it.
func ParseConfig(data []byte) (Config, error) {
	cfg := Default()
	// A file that lists gates or partitions replaces the default ones.
	cfg.Gates = nil
	cfg.Partitions = nil
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if pe.LastKey != "" {
				return Config{}, fmt.Errorf("line %d: %s: %s", pe.Position.Line, pe.LastKey, pe.Message)
			}
			return Config{}, fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return Config{}, err
	}
	if err := gateTables(data, cfg.Gates); err != nil {
		return Config{}, err
	}
	for _, k := range md.Undecoded() {
		if len(k) > 2 && k[0] == "gates" && cfg.Gates[k[1]].Kind != "local" {
			continue // the gate's own key (gateTables)
		}
		return Config{}, fmt.Errorf("line %d: unknown key %q", keyLine(data, k), k.String())
	}
	def := Default()
	if !md.IsDefined("gates") {
		cfg.Gates = def.Gates
	}
	if !md.IsDefined("partitions") {
		cfg.Partitions = def.Partitions
	}
	for i := range cfg.Partitions {
		p := &cfg.Partitions[i]
		// A time limit never parses to 0 ("0" is UNLIMITED), so 0 is "not set".
		if p.MaxTime == 0 {
			p.MaxTime = TimeLimit(compat.Infinite)
		}
		if p.DefaultTime == 0 {
			p.DefaultTime = TimeLimit(compat.Infinite)
		}
		if p.State == "" {
			p.State = "up"
		}
		if p.DefMemPerCPU == 0 {
			p.DefMemPerCPU = defMemPerCPU
		}
	}
	if err := prepareAccounts(data, cfg.Accounts); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, withLine(data, err)
	}
	return cfg, nil
}

var keyRe = regexp.MustCompile(`^\s*"?([A-Za-z0-9_-]+)"?\s*=`)

// keyLine finds the line of an undecoded key: the first line inside the
// key's table (plain or array table) that assigns the key's last part, or
// the table header itself when the key is a whole table. 0 if not found.
func keyLine(data []byte, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	full := k.String()
	table := strings.Join(k[:len(k)-1], ".")
	inTable := table == ""
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			name := strings.TrimSpace(strings.Trim(t, "[]"))
			if name == full {
				return i + 1
			}
			inTable = name == table
			continue
		}
		if m := keyRe.FindStringSubmatch(line); inTable && m != nil && m[1] == k[len(k)-1] {
			return i + 1
		}
	}
	return 0
}

// Validate checks the cross-references and values of a configuration.
func (c *Config) Validate() error {
	switch c.Daemon.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("daemon.log_level %q: must be debug, info, warn or error", c.Daemon.LogLevel)
	}
	if c.Daemon.MaxArraySize < 0 || c.Daemon.MaxArraySize > 4000001 {
		return fmt.Errorf("daemon.max_array_size %d: must be between 1 and 4000001", c.Daemon.MaxArraySize)
	}
	if c.Daemon.ClusterName == "" {
		return errors.New("daemon.cluster_name: must not be empty")
	}
	if len(c.Gates) == 0 {
		return errors.New("no gates configured")
	}
	for name, g := range c.Gates {
		if g.Kind == "" {
			return fmt.Errorf("gates.%s: kind is missing", name)
		}
		if g.CPUs < 0 {
			return fmt.Errorf("gates.%s: cpus must not be negative", name)
		}
		if g.GPUs < 0 {
			return fmt.Errorf("gates.%s: gpus must not be negative", name)
		}
		if g.Containers != "" && !slices.Contains(gate.ContainerRuntimes, g.Containers) {
			return fmt.Errorf("gates.%s: containers %q: must be one of %q", name, g.Containers, gate.ContainerRuntimes)
		}
	}
	if len(c.Partitions) == 0 {
		return errors.New("no partitions configured")
	}
	seen := map[string]bool{}
	defaults := 0
	for _, p := range c.Partitions {
		if p.Name == "" {
			return errors.New("partitions: a partition has no name")
		}
		if strings.ContainsAny(p.Name, ", \t") {
			return fmt.Errorf("partitions: name %q: must not contain commas or spaces", p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("partitions: %q is defined twice", p.Name)
		}
		seen[p.Name] = true
		if _, ok := c.Gates[p.Gate]; !ok {
			return fmt.Errorf("partitions: %q: unknown gate %q", p.Name, p.Gate)
		}
		if p.Default {
			defaults++
		}
		if p.CPUs < 0 {
			return fmt.Errorf("partitions: %q: cpus must not be negative", p.Name)
		}
		switch p.State {
		case "up", "down", "inactive", "drain":
		default:
			return fmt.Errorf("partitions: %q: state %q: must be up, down, drain or inactive", p.Name, p.State)
		}
	}
	if defaults != 1 {
		return fmt.Errorf("partitions: exactly one must have default = true (found %d)", defaults)
	}
	if err := prepareAccounts(nil, c.Accounts); err != nil {
		return err
	}
	return c.Stream.validate()
}

// gateTables gives every gate of a kind other than "local" its whole TOML
// table, which that gate's factory reads and checks (gate.Config.Options).
func gateTables(data []byte, gates map[string]GateConfig) error {
	var raw struct {
		Gates map[string]map[string]any `toml:"gates"`
	}
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		return fmt.Errorf("config: gates: %w", err)
	}
	for name, g := range gates {
		if g.Kind == "local" {
			continue
		}
		t := raw.Gates[name]
		delete(t, "kind")
		g.Table = t
		gates[name] = g
	}
	return nil
}
