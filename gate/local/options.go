package local

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"

	"skyport/gate"
	"skyport/gate/internal/opts"
)

// Options configure a local gate. The zero value is ready to use.
type Options struct {
	// CPUs is the node's CPU count; zero means runtime.NumCPU().
	CPUs int
	// MemMB is the node's memory in MiB; zero means MemTotal of /proc/meminfo.
	MemMB int64
	// Containers is the container runtime ("docker" or "podman") that runs
	// jobs submitted with --container-image; empty means none: such jobs
	// are refused.
	Containers string
	// GPUs is the node's GPU count, numbered 0 to GPUs-1 as the jobs'
	// CUDA_VISIBLE_DEVICES name them; zero means the node offers none.
	GPUs int
	// SupervisorCmd is the command that runs Supervise with the arguments
	// the gate appends (see Supervise). Empty means this executable with
	// the argument "supervise".
	SupervisorCmd []string
	// Logger receives the gate's log; nil means slog.Default().
	Logger *slog.Logger
}

func init() {
	gate.Register("local", open)
}

// open is the Factory of the kind "local".
func open(cfg gate.Config) (gate.Gate, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(cfg.Name, cfg.StateDir, opts)
}

// parseOptions reads Options from a gate's TOML table: "cpus", "gpus" and
// "memory_mb" (non-negative integers), "containers" (a container runtime)
// and "supervisor" (a list of strings).
// Unknown keys are errors.
func parseOptions(m map[string]any) (Options, error) {
	var o Options
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		switch k {
		case "cpus":
			n, err := opts.Int(v)
			if err != nil || n > math.MaxInt32 {
				return Options{}, fmt.Errorf("local: option cpus: want a non-negative integer, got %v", v)
			}
			o.CPUs = int(n)
		case "gpus":
			n, err := opts.Int(v)
			if err != nil || n > math.MaxInt16 {
				return Options{}, fmt.Errorf("local: option gpus: want a non-negative integer, got %v", v)
			}
			o.GPUs = int(n)
		case "memory_mb":
			n, err := opts.Int(v)
			if err != nil {
				return Options{}, fmt.Errorf("local: option memory_mb: want a non-negative integer, got %v", v)
			}
			o.MemMB = n
		case "containers":
			rt, ok := v.(string)
			if !ok || !slices.Contains(gate.ContainerRuntimes, rt) {
				return Options{}, fmt.Errorf("local: option containers: want one of %q, got %v", gate.ContainerRuntimes, v)
			}
			o.Containers = rt
		case "supervisor":
			args, err := toStrings(v)
			if err != nil {
				return Options{}, fmt.Errorf("local: option supervisor: %w", err)
			}
			o.SupervisorCmd = args
		default:
			return Options{}, fmt.Errorf("local: unknown option %q", k)
		}
	}
	return o, nil
}

// toStrings accepts a non-empty list of non-empty strings.
func toStrings(v any) ([]string, error) {
	var out []string
	switch x := v.(type) {
	case []string:
		out = append(out, x...)
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, got an element %T", e)
			}
			out = append(out, s)
		}
	default:
		return nil, fmt.Errorf("want a list of strings, got %T", v)
	}
	if len(out) == 0 || out[0] == "" {
		return nil, fmt.Errorf("want a command, got %q", out)
	}
	return out, nil
}
