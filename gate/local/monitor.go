package local

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// stampLayout is how kill and timeout lines show the time (local time).
const stampLayout = "2006-01-02T15:04:05"

// monitor watches the started job until its script exits, carrying out the
// time limit and kill requests meanwhile, then kills what is left of the
// job's process group and returns the exit to record.
func (s *supervisor) monitor(j *job, spec *gate.Spec) gate.Exit {
	pid := j.cmd.Process.Pid
	exited := make(chan struct{})
	go func() {
		waitExited(pid)
		close(exited)
	}()
	var limit, warn <-chan time.Time
	if spec.TimeLimit > 0 {
		t := time.NewTimer(time.Until(j.start.Add(spec.TimeLimit)))
		defer t.Stop()
		limit = t.C
		if spec.WarnSignal != 0 {
			w := time.NewTimer(time.Until(j.start.Add(spec.TimeLimit - spec.WarnBefore)))
			defer w.Stop()
			warn = w.C
		}
	}
	k := &killer{pgid: pid, errFile: j.err, container: j.container}
	defer k.stop()
	// A Kill that came before the job started is read now.
	if exists(s.dir, killFile) {
		s.usr1 <- unix.SIGUSR1
	}

	for done := false; !done; {
		select {
		case <-exited:
			done = true
		case <-s.usr1:
			var req gate.KillRequest
			if err := readJSON(s.dir, killFile, &req); errors.Is(err, fs.ErrNotExist) {
				continue // meant for the run this supervisor had before
			} else if err != nil {
				s.log.Error("read kill request", "err", err)
				continue
			}
			s.log.Info("kill request", "signal", req.Signal, "grace", req.Grace, "cause", req.Cause)
			k.kill(req)
		case <-warn:
			s.log.Info("signal before the time limit", "signal", spec.WarnSignal, "before", spec.WarnBefore)
			warnJob(pid, spec.WarnSignal, spec.WarnBatchOnly)
		case <-limit:
			s.log.Info("time limit reached", "limit", spec.TimeLimit)
			k.kill(gate.KillRequest{
				Signal: unix.SIGTERM, Grace: spec.KillWait,
				Line: spec.TimeoutLine, Cause: gate.CauseTimeout,
			})
		case <-k.graceC():
			_ = unix.Kill(-pid, unix.SIGKILL)
		}
	}
	// The script's pid still holds its group id (unreaped): nothing of the
	// job outlives it, as nothing outlives a Slurm batch step.
	_ = unix.Kill(-pid, unix.SIGKILL)
	err := j.cmd.Wait()
	end := time.Now()
	j.close()
	if j.container != nil && k.cause != gate.CauseNone {
		j.container.remove(s.log) // container.go: the client may not have passed the kill on
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		s.log.Error("wait for job", "err", err)
	}
	return exitOf(j.cmd.ProcessState, k.cause, j.start, end)
}

// exitOf turns the script's process state into the recorded exit.
func exitOf(ps *os.ProcessState, cause gate.Cause, start, end time.Time) gate.Exit {
	e := gate.Exit{Cause: cause, Start: start, End: end}
	if ps == nil {
		return e
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
		switch {
		case ws.Exited():
			e.Code = ws.ExitStatus()
		case ws.Signaled():
			e.Signal = int(ws.Signal())
		}
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		e.MaxRSSKB = ru.Maxrss // kB on Linux
	}
	e.UserCPU, e.SystemCPU = ps.UserTime(), ps.SystemTime()
	return e
}

// killer carries out kill requests and the time limit for one job.
type killer struct {
	pgid     int
	errFile  *os.File
	cause    gate.Cause // set by the first request
	grace    *time.Timer
	deadline time.Time
	// container, when set, takes the signal to the job's main process.
	container *containerRun
}

// kill acts on req unless the script has exited already (then the job
// ended first and its exit stands). The first request writes its line and
// fixes the cause; every request sends SIGCONT and its signal (SIGTERM to
// the script and its steps only, other signals to the whole group) and
// may bring the SIGKILL deadline forward.
func (k *killer) kill(req gate.KillRequest) {
	if hasExited(k.pgid) {
		return
	}
	now := time.Now()
	if k.cause == gate.CauseNone {
		k.cause = req.Cause
		if k.cause == gate.CauseNone {
			k.cause = gate.CauseCancelled
		}
		if req.Line != "" {
			_, _ = k.errFile.WriteString(fillLast(req.Line, now.Format(stampLayout)) + "\n")
		}
	}
	sig := req.Signal
	if sig == 0 {
		sig = unix.SIGTERM
	}
	_ = unix.Kill(-k.pgid, unix.SIGCONT)
	switch {
	case k.container != nil && k.container.signal(sig) == nil:
		// sent by the runtime
	case sig == unix.SIGTERM:
		signalBatchAndSteps(k.pgid, sig) // steps.go
	default:
		_ = unix.Kill(-k.pgid, sig)
	}
	grace := max(req.Grace, 0)
	switch deadline := now.Add(grace); {
	case k.grace == nil:
		k.grace, k.deadline = time.NewTimer(grace), deadline
	case deadline.Before(k.deadline):
		k.grace.Reset(grace)
		k.deadline = deadline
	}
}

// graceC fires when the grace of the first kill is over; nil before.
func (k *killer) graceC() <-chan time.Time {
	if k.grace == nil {
		return nil
	}
	return k.grace.C
}

// stop releases the grace timer.
func (k *killer) stop() {
	if k.grace != nil {
		k.grace.Stop()
	}
}

// waitExited blocks until the child pid has exited, without reaping it.
func waitExited(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// hasExited reports whether the child pid has exited (not reaped yet).
func hasExited(pid int) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT|unix.WNOHANG, nil)
	return err == nil && info.Signo == int32(unix.SIGCHLD)
}
