package main

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// machine describes where the bench ran.
type machine struct {
	NProc      int
	Model      string
	Kernel     string
	GoBench    string // Go that runs the bench
	GoDaemon   string // Go that built skyportd
	Slurm      string // sbatch --version of real Slurm, "" when not measured
	Start      time.Time
	SkyportBin string
	LoadStart  string // /proc/loadavg's first three fields at the start
	LoadEnd    string // ... and at the end
	True       Stats  // wall clock of /bin/true, the cost of a process
}

// describeMachine collects nproc, the CPU model, the kernel, the Go
// versions and (when measured) real Slurm's version.
func describeMachine(ctx context.Context, bin string, slurm bool) machine {
	m := machine{NProc: runtime.NumCPU(), GoBench: runtime.Version(), Start: time.Now(), SkyportBin: bin}
	m.Model = cpuModel()
	m.LoadStart = loadAvg()
	m.True = spawnBaseline(ctx)
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if bi, err := buildinfo.ReadFile(filepath.Join(bin, "skyportd")); err == nil {
		m.GoDaemon = bi.GoVersion
	}
	if slurm {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, filepath.Join(slurmBin, "sbatch"), "--version").Output(); err == nil {
			m.Slurm = strings.TrimSpace(string(out))
		}
	}
	return m
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAvg is the 1, 5 and 15 minute load averages from /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// spawnBaseline times 20 runs of /bin/true the way client commands are
// timed: what any process costs on this machine right now (REFERENCE.md
// §8 measured a median of 2.3 ms).
func spawnBaseline(ctx context.Context) Stats {
	sys := &system{name: "true", bin: "/bin", env: cleanEnv(), dir: "/"}
	var samples []time.Duration
	for range 20 {
		d, err := sys.timed(ctx, "true")
		if err != nil {
			return Summarize(samples)
		}
		samples = append(samples, d)
	}
	return Summarize(samples)
}
