package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"skyport/gateway/api"
)

// daemon is one skyportd started by the bench with its own, fresh state
// directory, and the system that talks to it.
type daemon struct {
	cmd  *exec.Cmd
	root string // scratch root: state (XDG_STATE_HOME), work dir, log
	sock string
	log  string
	sys  *system
	done chan struct{}
}

// startDaemon starts bin/skyportd -config cfg with XDG_STATE_HOME in a new
// scratch directory under /tmp (short, so the socket path fits), and waits
// until it answers a ping. The caller must call stop.
func startDaemon(ctx context.Context, bin, cfg string) (*daemon, error) {
	root, err := os.MkdirTemp("/tmp", "skb")
	if err != nil {
		return nil, fmt.Errorf("bench: scratch dir: %w", err)
	}
	d := &daemon{
		root: root,
		sock: filepath.Join(root, "skyport", "skyportd.sock"),
		log:  filepath.Join(root, "skyportd.log"),
		done: make(chan struct{}),
	}
	work := filepath.Join(root, "work")
	if err := os.Mkdir(work, 0o750); err != nil {
		_ = os.RemoveAll(root)
		return nil, fmt.Errorf("bench: work dir: %w", err)
	}
	logf, err := os.Create(d.log)
	if err != nil {
		_ = os.RemoveAll(root)
		return nil, fmt.Errorf("bench: daemon log: %w", err)
	}
	defer func() { _ = logf.Close() }() // the child holds its own descriptor
	env := append(cleanEnv(), "XDG_STATE_HOME="+root)
	d.cmd = exec.Command(filepath.Join(bin, "skyportd"), "-config", cfg)
	d.cmd.Env = env
	d.cmd.Dir = work
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		_ = os.RemoveAll(root)
		return nil, fmt.Errorf("bench: start skyportd: %w", err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	d.sys = &system{
		name: "Sky Port", bin: bin, dir: work,
		env: append(cleanEnv(), api.SocketEnv+"="+d.sock),
	}
	if err := d.waitReady(ctx, 15*time.Second); err != nil {
		d.stop()
		return nil, err
	}
	return d, nil
}

// waitReady pings the daemon until it answers, it exits, or wait passes.
func (d *daemon) waitReady(ctx context.Context, wait time.Duration) error {
	cl := api.NewClient(d.sock)
	deadline := time.Now().Add(wait)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := cl.Ping(pctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-d.done:
			return fmt.Errorf("bench: skyportd exited at start-up:\n%s", d.tail())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: skyportd not answering after %s: %w\n%s", wait, err, d.tail())
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// pid returns the daemon's process ID.
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// stop sends SIGTERM, waits up to 15 s (then SIGKILL), and removes the
// scratch directory with the daemon's state. Jobs still running under the
// local gate would survive it: callers drain the queue first. The log is
// printed to stderr when the daemon did not exit cleanly.
func (d *daemon) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	if st := d.cmd.ProcessState; st == nil || !st.Success() {
		fmt.Fprintf(os.Stderr, "bench: skyportd did not exit cleanly (%v); log:\n%s\n", st, d.tail())
	}
	if err := os.RemoveAll(d.root); err != nil {
		fmt.Fprintf(os.Stderr, "bench: removing %s: %v\n", d.root, err)
	}
}

// tail returns the last lines of the daemon's log.
func (d *daemon) tail() string {
	b, _ := os.ReadFile(d.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// memory is a process's resident set size now, its peak, and the part
// of it that is anonymous memory (the Go heap, mostly) rather than mapped
// files (Badger's tables and value log), from /proc/PID/status.
type memory struct {
	RSS, HWM, Anon, File int64 // bytes
}

// readMemory reads VmRSS, VmHWM, RssAnon and RssFile of pid.
func readMemory(pid int) (memory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memory{}, fmt.Errorf("bench: %w", err)
	}
	defer func() { _ = f.Close() }()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		dst := map[string]*int64{"VmRSS": &m.RSS, "VmHWM": &m.HWM, "RssAnon": &m.Anon, "RssFile": &m.File}[k]
		if !ok || dst == nil {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("bench: %s of %d: %w", k, pid, err)
		}
		*dst = kb << 10
	}
	if m.RSS == 0 {
		return m, errors.New("bench: no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return m, sc.Err()
}

// findProcess returns the pid of the first process whose comm is name,
// or 0.
func findProcess(name string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(b)) == name {
			return pid
		}
	}
	return 0
}

// mib formats bytes in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// cleanEnv is the bench's environment without the variables that would
// point a command at another daemon or state directory.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == api.SocketEnv || k == "XDG_STATE_HOME" || strings.HasPrefix(k, "SBATCH_") ||
			strings.HasPrefix(k, "SQUEUE_") || strings.HasPrefix(k, "SACCT_") || strings.HasPrefix(k, "SLURM_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
