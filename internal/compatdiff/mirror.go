package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The node real Slurm runs on is the machine itself, and slurm/up.sh
// configures it with what "slurmd -C" detects, which can change from one
// boot to the next (RealMemory 24152 one day, 24105 another). The suite
// therefore gives Sky Port's gate the CPUs and memory real Slurm reports
// for the run, in a copy of the configuration.
var (
	gateCPUsRe   = regexp.MustCompile(`(?m)^cpus = [0-9]+$`)
	gateMemoryRe = regexp.MustCompile(`(?m)^memory = "[0-9]+[MG]?"$`)
)

// slurmNode returns the CPUs and memory (MB) of real Slurm's first node.
func slurmNode(ctx context.Context) (cpus, memMB string, err error) {
	s := &side{name: "slurm", bin: "/usr/bin"}
	out, err := s.client(ctx, []string{"PATH=" + sysPath}, "sinfo", "-h", "-N", "-o", "%c %m")
	if err != nil {
		return "", "", err
	}
	f := strings.Fields(out)
	if len(f) < 2 || !allDigits(f[0]) || !allDigits(f[1]) {
		return "", "", fmt.Errorf("sinfo -h -N -o '%%c %%m' printed %q", out)
	}
	return f[0], f[1], nil
}

// mirrorNode rewrites the one "cpus = N" and the one "memory = ..." line
// of a configuration (the local gate's, in configs/two-partitions.toml)
// to cpus and memMB. It fails when the file has not exactly one of each,
// and says what it changed.
func mirrorNode(config, cpus, memMB string) (string, []string, error) {
	var notes []string
	for _, x := range []struct {
		re   *regexp.Regexp
		line string
	}{
		{gateCPUsRe, "cpus = " + cpus},
		{gateMemoryRe, `memory = "` + memMB + `M"`},
	} {
		found := x.re.FindAllString(config, -1)
		if len(found) != 1 {
			return "", nil, fmt.Errorf("compatdiff: the configuration needs exactly one line like %q, has %d", x.line, len(found))
		}
		if found[0] != x.line {
			notes = append(notes, fmt.Sprintf("%s instead of %s", x.line, found[0]))
			config = x.re.ReplaceAllLiteralString(config, x.line)
		}
	}
	return config, notes, nil
}

// writeMirrored writes the configuration file cfg, mirrored to real
// Slurm's node, into dir and returns its path, what was changed and the
// node's memory in MB.
func writeMirrored(ctx context.Context, cfg, dir string) (path string, notes []string, memMB string, err error) {
	data, err := os.ReadFile(cfg)
	if err != nil {
		return "", nil, "", fmt.Errorf("compatdiff: %w", err)
	}
	cpus, mem, err := slurmNode(ctx)
	if err != nil {
		return "", nil, "", fmt.Errorf("compatdiff: real Slurm's node: %w", err)
	}
	text, notes, err := mirrorNode(string(data), cpus, mem)
	if err != nil {
		return "", nil, "", err
	}
	path = filepath.Join(dir, "skyportd.toml")
	//nolint:gosec // G703: dir is the run's own scratch directory
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", nil, "", fmt.Errorf("compatdiff: %w", err)
	}
	return path, notes, mem, nil
}
