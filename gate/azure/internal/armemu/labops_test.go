package armemu_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"skyport/gate/azure/internal/armemu"
)

// What a test does in a lab: run the shims, read the emulator's stats,
// wait for a condition.

// shim runs a shim in the submit directory and returns its stdout.
func (l *lab) shim(name string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(l.bin, name), args...)
	cmd.Env, cmd.Dir = l.env(), l.submit
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func (l *lab) mustShim(name string, args ...string) string {
	l.tb.Helper()
	out, err := l.shim(name, args...)
	if err != nil {
		l.tb.Fatalf("%v\n%s", err, l.logs())
	}
	return out
}

func (l *lab) stats() armemu.Stats {
	l.tb.Helper()
	st, err := l.ctl.Stats(context.Background())
	if err != nil {
		l.tb.Fatal(err)
	}
	return st
}

// sbatch submits and returns the job ID.
func (l *lab) sbatch(args ...string) string {
	l.tb.Helper()
	out := l.mustShim("sbatch", append([]string{"--parsable"}, args...)...)
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if _, err := strconv.Atoi(id); err != nil {
		l.tb.Fatalf("sbatch printed %q", out)
	}
	return id
}

// waitFor polls cond every 20ms until it is true, for at most timeout.
func (l *lab) waitFor(what string, timeout time.Duration, cond func() bool) {
	l.tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			l.tb.Fatalf("%s: not after %v\n%s", what, timeout, l.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// states returns sacct's State of each job (and array task) of id.
func (l *lab) states(id string) map[string]string {
	out, err := l.shim("sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", id)
	m := map[string]string{}
	if err != nil {
		return m
	}
	for line := range strings.Lines(out) {
		if j, st, ok := strings.Cut(strings.TrimSpace(line), "|"); ok {
			m[j] = strings.Fields(st + " ")[0]
		}
	}
	return m
}

// alive says whether pid is a live process.
func alive(pid int) bool {
	return pid > 0 && !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
