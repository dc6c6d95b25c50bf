package local

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// Supervise is the main function of a job's supervisor; args are the
// arguments after the program's own ("skyportd supervise ARGS"):
//
//	[-ready-fd N] RUNDIR
//	[-ready-fd N] -dir-fd M
//
// The gate starts it in a new session with the write end of a pipe as
// file descriptor N and waits for that pipe to close. With -dir-fd the
// supervisor is a spare started ahead of need: it reads the run directory
// from descriptor M until EOF (and leaves, returning 0, when there is
// none), then sends its stdout and stderr to the run's supervisor.log.
//
// Supervise holds the run's lock for its whole life, claims the run unless
// a supervisor did before (then it closes the pipe and returns 0 at once),
// starts the job, closes the pipe, and watches the job until it ends: it
// enforces the time limit, carries out kill requests (SIGUSR1 says
// kill.json is new), records exit.json atomically and durably, and kills
// what is left of the job's process group. Its own diagnostics go to
// stderr. It returns the process exit status: 0 when the run is recorded
// or was another supervisor's, 1 on an error of its own, 2 on bad
// arguments.
func Supervise(args []string) int {
	// First of all, so that a kill request never meets SIGUSR1's default
	// action (terminate): the gate only signals a supervisor holding the lock.
	usr1 := make(chan os.Signal, 16)
	signal.Notify(usr1, unix.SIGUSR1)

	fl := flag.NewFlagSet("supervise", flag.ContinueOnError)
	readyFD := fl.Int("ready-fd", -1, "file descriptor to close once the job started")
	dirFD := fl.Int("dir-fd", -1, "file descriptor to read the run directory from")
	err := fl.Parse(args)
	wantArgs := 1
	if *dirFD >= 0 {
		wantArgs = 0
	}
	if err != nil || fl.NArg() != wantArgs {
		fmt.Fprintln(os.Stderr, "usage: supervise [-ready-fd N] {RUNDIR | -dir-fd M}")
		return 2
	}
	var ready *os.File
	if *readyFD >= 0 {
		unix.CloseOnExec(*readyFD) // the job must not hold the gate waiting
		ready = os.NewFile(uintptr(*readyFD), "ready")
	}
	dir := fl.Arg(0)
	if *dirFD >= 0 {
		if dir, err = awaitRun(*dirFD); err != nil || dir == "" {
			return 0 // no run came: the gate closed, or the daemon died
		}
	}
	s := &supervisor{
		dir:   dir,
		log:   slog.New(slog.NewTextHandler(os.Stderr, nil)).With("dir", dir, "pid", os.Getpid()),
		ready: ready,
		usr1:  usr1,
	}
	defer s.signalReady()
	if err := s.run(); err != nil {
		s.log.Error("supervisor failed", "err", err)
		return 1
	}
	return 0
}

// awaitRun reads a spare supervisor's run directory from fd, then sends
// stdout and stderr to the run's supervisor.log.
func awaitRun(fd int) (string, error) {
	f := os.NewFile(uintptr(fd), "run")
	b, err := io.ReadAll(io.LimitReader(f, 1<<16))
	_ = f.Close()
	if err != nil || len(b) == 0 {
		return "", err
	}
	dir := string(b)
	logf, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return dir, nil // keep logging wherever stderr goes
	}
	defer func() { _ = logf.Close() }() // descriptors 1 and 2 stay open on it
	_ = unix.Dup3(int(logf.Fd()), 1, 0)
	_ = unix.Dup3(int(logf.Fd()), 2, 0)
	return dir, nil
}

// supervisor is the state of one Supervise call.
type supervisor struct {
	dir   string
	log   *slog.Logger
	ready *os.File
	usr1  chan os.Signal
}

// signalReady tells the waiting gate the supervisor is done starting;
// repeated calls do nothing.
func (s *supervisor) signalReady() {
	if s.ready != nil {
		_ = s.ready.Close() // closing is the signal
		s.ready = nil
	}
}

// run claims the run, starts the job and records its end.
func (s *supervisor) run() error {
	lock, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open lock: %w", err)
	}
	// The lock stays held until the process exits: never closed, and kept
	// from the garbage collector, whose finalizer would close it.
	defer runtime.KeepAlive(lock)
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
