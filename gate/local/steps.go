package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// stepEnvMark is how a process of a job shows it belongs to an srun step:
// srun exports SLURM_STEP_ID to the step's command, and its children
// inherit it; the batch shell and what it runs itself do not have it.
var stepEnvMark = []byte("SLURM_STEP_ID=")

// stepMembers lists the processes of the job whose script is pgid that
// belong to an srun step: the processes Slurm signals by default (scancel
// without --batch or --full, and with SIGTERM on cancel).
func stepMembers(pgid int) []int {
	var out []int
	for _, pid := range groupMembers(pgid) {
		if pid == pgid {
			continue
		}
		env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.HasPrefix(kv, stepEnvMark) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// signalBatchAndSteps sends sig to the job's script (pgid, the group
// leader) and to its srun steps' processes, not to the other processes
// the script started: Slurm's SIGTERM when it cancels a job or the time
// limit ends it. The script, if it lives on, is killed with the rest at
// the end of the grace.
func signalBatchAndSteps(pgid int, sig syscall.Signal) {
	_ = unix.Kill(pgid, sig)
	for _, pid := range stepMembers(pgid) {
		_ = unix.Kill(pid, sig)
	}
}

// SignalPart sends sig to part of a running job, as scancel does without
// --full: to the script alone when batch (scancel --batch), else only to
// the processes of its srun steps (the default; with no step running,
// nobody). Like Signal it does nothing for an ended job and returns
// gate.ErrNotFound for a run it does not hold.
func (g *Gate) SignalPart(_ context.Context, h gate.Handle, sig syscall.Signal, batch bool) error {
	dir, rec, ended, err := g.runningRun(h, "signal")
	if err != nil || ended || rec.JobPID <= 0 {
		return err
	}
	pids := []int{rec.JobPID}
	if !batch {
		pids = stepMembers(rec.JobPID)
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("local: signal %s: %w", filepath.Base(dir), err)
		}
	}
	return nil
}
