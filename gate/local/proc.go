package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errGone means the process is no longer the one that was recorded.
var errGone = errors.New("process gone")

// startTicks returns field 22 (starttime) of /proc/<pid>/stat.
func startTicks(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatTicks(b)
}

// parseStatTicks extracts the starttime field from the text of a
// /proc/<pid>/stat file. The command name in parentheses may itself hold
// spaces and parentheses, so fields are counted after its last ')'.
func parseStatTicks(b []byte) (uint64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	// Fields after the name start at field 3 (state); starttime is 22.
	f := strings.Fields(string(b[i+1:]))
	const idx = 22 - 3
	if len(f) <= idx {
		return 0, fmt.Errorf("stat: %d fields after the name, want more than %d", len(f), idx)
	}
	n, err := strconv.ParseUint(f[idx], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat: starttime: %w", err)
	}
	return n, nil
}

// openProcess returns a pidfd for pid when pid is still the process that
// started at ticks, and errGone when it is not. Opening before checking
// makes the check race-free: a pidfd never follows a reused pid.
func openProcess(pid int, ticks uint64) (*os.File, error) {
	if pid <= 0 {
		return nil, errGone
	}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if errors.Is(err, unix.ESRCH) {
		return nil, errGone
	}
	if err != nil {
		return nil, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	t, err := startTicks(pid)
	if err != nil || t != ticks {
		_ = f.Close()
		return nil, errGone
	}
	return f, nil
}

// waitProcess blocks until the process pid that started at ticks has
// exited (it need not be a child) or ctx ends. It returns nil once the
// process is gone, ctx's error otherwise.
func waitProcess(ctx context.Context, pid int, ticks uint64) error {
	f, err := openProcess(pid, ticks)
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	// A pidfd becomes readable when its process exits; the runtime's poller
	// wakes this goroutine then, and the deadline above on cancellation.
	err = rc.Read(func(fd uintptr) bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, perr := unix.Poll(p, 0)
		return perr == nil && n > 0
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("wait for process %d: %w", pid, err)
	}
	return nil
}

// signalProcess sends sig to pid if it is still the process that started
// at ticks; otherwise it returns errGone.
func signalProcess(pid int, ticks uint64, sig syscall.Signal) error {
	f, err := openProcess(pid, ticks)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.PidfdSendSignal(int(fd), sig, nil, 0)
	}); err != nil {
		return err
	}
	if errors.Is(serr, unix.ESRCH) {
		return errGone
	}
	return serr
}

// shortHostname is the host name up to its first dot.
func shortHostname() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", err
	}
	name, _, _ := strings.Cut(h, ".")
	return name, nil
}

// memTotalMB reads MemTotal from /proc/meminfo in MiB.
func memTotalMB() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	return parseMemTotal(b)
}

// parseMemTotal extracts MemTotal (given in kB) from /proc/meminfo text and
// returns it in MiB.
func parseMemTotal(b []byte) (int64, error) {
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(line, "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("meminfo: bad MemTotal line %q", strings.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("meminfo: bad MemTotal %q", f[0])
		}
		return kb / 1024, nil
	}
	return 0, errors.New("meminfo: no MemTotal")
}
