package local

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// warnJob delivers sbatch --signal's signal to the job whose script is
// pid (the leader of the job's process group): to the script alone when
// batchOnly, else to every other process of the group, as Slurm signals
// the job's steps but not its batch shell.
func warnJob(pid int, sig syscall.Signal, batchOnly bool) {
	if batchOnly {
		_ = unix.Kill(pid, sig)
		return
	}
	for _, p := range groupMembers(pid) {
		if p != pid {
			_ = unix.Kill(p, sig)
		}
	}
}

// groupMembers lists the processes whose process group is pgid.
func groupMembers(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if g, ok := statPgrp(b); ok && g == pgid {
			out = append(out, pid)
		}
	}
	return out
}

// statPgrp reads field 5 (pgrp) of a /proc/<pid>/stat text.
func statPgrp(b []byte) (int, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	const idx = 5 - 3
	if len(f) <= idx {
		return 0, false
	}
	n, err := strconv.Atoi(f[idx])
	return n, err == nil
}
