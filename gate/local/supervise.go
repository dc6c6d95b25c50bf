package local

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// Supervise is the main function of a job's supervisor; args are the
// arguments after the program's own ("skyportd supervise ARGS"):
//
//	[-ready-fd N] RUNDIR
//	-ctl-fd M
//
// With RUNDIR the gate starts it in a new session with the write end of a
// pipe as file descriptor N and waits for that pipe to close; it
// supervises that one run. With -ctl-fd it is a reusable supervisor,
// started ahead of need: descriptor M is a stream socket to the gate, on
// which it reads a run directory per line and supervises those runs one
// after another, sending its stdout and stderr to each run's
// supervisor.log. It answers "R\n" where the pipe would close, and "D\n"
// once the run's exit is recorded and its lock released; it leaves,
// returning 0, when the socket ends (the gate let it go, or the daemon
// died) or a "D" cannot be sent.
//
// For each run Supervise holds the run's lock until the exit is recorded,
// claims the run unless a supervisor did before (then it answers at once),
// starts the job, signals readiness, and watches the job until it ends: it
// enforces the time limit, carries out kill requests (SIGUSR1 says
// kill.json is new), records exit.json atomically and durably, and kills
// what is left of the job's process group. Its own diagnostics go to
// stderr. It returns the process exit status: 0 when the runs are
// recorded or were another supervisor's, 1 on an error of its own, 2 on
// bad arguments.
func Supervise(args []string) int {
	// First of all, so that a kill request never meets SIGUSR1's default
	// action (terminate): the gate only signals a supervisor holding a lock.
	usr1 := make(chan os.Signal, 16)
	signal.Notify(usr1, unix.SIGUSR1)

	fl := flag.NewFlagSet("supervise", flag.ContinueOnError)
	readyFD := fl.Int("ready-fd", -1, "file descriptor to close once the job started")
	ctlFD := fl.Int("ctl-fd", -1, "stream socket to the gate: run directories in, R and D out")
	err := fl.Parse(args)
	wantArgs := 1
	if *ctlFD >= 0 {
		wantArgs = 0
	}
	if err != nil || fl.NArg() != wantArgs || (*ctlFD >= 0 && *readyFD >= 0) {
		fmt.Fprintln(os.Stderr, "usage: supervise {[-ready-fd N] RUNDIR | -ctl-fd M}")
		return 2
	}
	if *ctlFD >= 0 {
		return superviseRuns(*ctlFD, usr1)
	}
	s := newSupervisor(fl.Arg(0), usr1)
	if *readyFD >= 0 {
		unix.CloseOnExec(*readyFD) // the job must not hold the gate waiting
		ready := os.NewFile(uintptr(*readyFD), "ready")
		s.ready = func() { _ = ready.Close() } // closing is the signal
	}
	defer s.signalReady()
	if err := s.run(); err != nil {
		s.log.Error("supervisor failed", "err", err)
		return 1
	}
	return 0
}

// superviseRuns is a reusable supervisor's loop over the run directories
// the gate sends on the socket fd.
func superviseRuns(fd int, usr1 chan os.Signal) int {
	unix.CloseOnExec(fd) // no job may hold the gate's socket
	ctl := os.NewFile(uintptr(fd), "ctl")
	in := bufio.NewReader(ctl)
	for {
		line, err := in.ReadString('\n')
		dir := strings.TrimSuffix(line, "\n")
		if err != nil || dir == "" {
			return 0 // the gate let it go, or the daemon died
		}
		logTo(dir)
		// A kill request for an earlier run may have come after its end.
		for len(usr1) > 0 {
			<-usr1
		}
		s := newSupervisor(dir, usr1)
		s.ready = func() { _, _ = ctl.WriteString("R\n") }
		err = s.run()
		s.signalReady()
		if err != nil {
			s.log.Error("supervisor failed", "err", err)
			return 1 // not reused after an error of its own
		}
		if _, err := ctl.WriteString("D\n"); err != nil {
			return 0 // the daemon that sent the run is gone
		}
	}
}

// logTo sends stdout and stderr to the run's supervisor.log (they stay
// where they are if it cannot be opened).
func logTo(dir string) {
	logf, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer func() { _ = logf.Close() }() // descriptors 1 and 2 stay open on it
	_ = unix.Dup3(int(logf.Fd()), 1, 0)
	_ = unix.Dup3(int(logf.Fd()), 2, 0)
}

// supervisor is the state of one run's supervision.
type supervisor struct {
	dir   string
	log   *slog.Logger
	ready func() // signals readiness; nil once called
	usr1  chan os.Signal
}

func newSupervisor(dir string, usr1 chan os.Signal) *supervisor {
	return &supervisor{
		dir:  dir,
		log:  slog.New(slog.NewTextHandler(os.Stderr, nil)).With("dir", dir, "pid", os.Getpid()),
		usr1: usr1,
	}
}

// signalReady tells the waiting gate the supervisor is done starting;
// repeated calls do nothing.
func (s *supervisor) signalReady() {
	if s.ready != nil {
		s.ready()
		s.ready = nil
	}
}

// run claims the run, starts the job and records its end. It holds the
// run's lock until then: liveness of a claimed run without an exit.
func (s *supervisor) run() error {
	lock, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open lock: %w", err)
	}
	defer func() { _ = lock.Close() }() // after the exit is recorded
	got, err := s.acquireLock(lock)
	if err != nil || !got {
		return err
	}
	if exists(s.dir, superFile) || exists(s.dir, exitFile) {
		s.log.Info("run already claimed")
		return nil
	}
	ticks, err := startTicks(os.Getpid())
	if err != nil {
		return fmt.Errorf("own start time: %w", err)
	}
	rec := superRecord{PID: os.Getpid(), Ticks: ticks}
	if err := writeJSON(s.dir, superFile, rec, false); err != nil {
		return fmt.Errorf("claim run: %w", err)
	}

	var spec gate.Spec
	err = readJSON(s.dir, specFile, &spec)
	if err != nil {
		return s.record(launchFailure(fmt.Errorf("read spec: %w", err)))
	}
	s.log = s.log.With("job_id", spec.JobID)
	j, err := s.startJob(&spec)
	if err != nil {
		return s.record(launchFailure(err))
	}
	rec.JobPID, rec.Started = j.cmd.Process.Pid, j.start
	if err := writeJSON(s.dir, superFile, rec, false); err != nil {
		s.log.Error("record job pid", "err", err) // Signal will not work; go on
	}
	s.signalReady()
	return s.record(s.monitor(j, &spec))
}

// acquireLock takes the run's lock. It reports false when another
// supervisor holds it and has claimed the run. The gate's short probes
// (see lockHeld) make it retry for a while.
func (s *supervisor) acquireLock(f *os.File) (bool, error) {
	delay := time.Millisecond
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			return false, fmt.Errorf("lock: %w", err)
		}
		if exists(s.dir, superFile) || exists(s.dir, exitFile) {
			s.log.Info("run claimed by another supervisor")
			return false, nil
		}
		if time.Now().After(deadline) {
			return false, errors.New("lock: held too long by a process that claims nothing")
		}
		time.Sleep(delay)
		delay = min(2*delay, 20*time.Millisecond)
	}
}

// record writes the exit atomically and durably.
func (s *supervisor) record(e gate.Exit) error {
	if err := writeJSON(s.dir, exitFile, e, true); err != nil {
		return fmt.Errorf("record exit: %w", err)
	}
	s.log.Info("recorded exit", "code", e.Code, "signal", e.Signal, "cause", e.Cause)
	return nil
}

// launchFailure is the exit of a job that never ran.
func launchFailure(err error) gate.Exit {
	now := time.Now()
	return gate.Exit{Cause: gate.CauseLaunchFailed, Detail: err.Error(), Start: now, End: now}
}
