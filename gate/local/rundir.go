package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
	"skyport/gate/internal/atomicfile"
)

// The files of a run directory (see the package documentation).
const (
	specFile   = "spec.json"
	scriptFile = "slurm_script"
	logFile    = "supervisor.log"
	lockFile   = "lock"
	superFile  = "supervisor.json"
	killFile   = "kill.json"
	exitFile   = "exit.json"
)

// superRecord is supervisor.json: the supervisor that claimed the run and,
// once the job started, the job's process (its pid is its process group).
type superRecord struct {
	PID int `json:"pid"`
	// Ticks is field 22 of /proc/<pid>/stat, to tell the supervisor from a
	// later process that got the same pid.
	Ticks   uint64    `json:"start_ticks"`
	JobPID  int       `json:"job_pid,omitempty"`
	Started time.Time `json:"started,omitzero"`
}

// writeJSON stores v as dir/name atomically (see atomicfile.WriteFile).
func writeJSON(dir, name string, v any, durable bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(dir, name, append(b, '\n'), 0o600, durable)
}

// readJSON decodes dir/name into v; a missing file is fs.ErrNotExist.
func readJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// readExit returns the recorded exit of the run in dir.
func readExit(dir string) (gate.Exit, error) {
	var e gate.Exit
	err := readJSON(dir, exitFile, &e)
	return e, err
}

// exists reports whether dir/name exists; errors other than "does not
// exist" count as existing, which errs on the side of not starting a run
// twice.
func exists(dir, name string) bool {
	_, err := os.Lstat(filepath.Join(dir, name))
	return !errors.Is(err, fs.ErrNotExist)
}

// lockHeld reports whether a supervisor holds the run's lock. It probes
// with a shared lock it releases at once; a supervisor that meets the
// probe retries (see acquireLock).
func lockHeld(dir string) (bool, error) {
	f, err := os.Open(filepath.Join(dir, lockFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }()
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		lerr = unix.Flock(int(fd), unix.LOCK_SH|unix.LOCK_NB)
		if lerr == nil {
			lerr = unix.Flock(int(fd), unix.LOCK_UN)
		}
	}); err != nil {
		return false, err
	}
	if errors.Is(lerr, unix.EWOULDBLOCK) {
		return true, nil
	}
	return false, lerr
}

// runState is what the files of a run directory say about the run.
type runState int

const (
	stateMissing   runState = iota // no directory
	stateUnclaimed                 // prepared, never claimed by a supervisor
	stateRunning                   // a supervisor is alive
	stateEnded                     // exit.json is recorded
	stateLost                      // claimed, supervisor gone, no exit recorded
)

// inspect classifies the run in dir. The order of the checks makes a run
// that ends while it is inspected come out as ended, never as lost.
func inspect(dir string) (runState, error) {
	if exists(dir, exitFile) {
		return stateEnded, nil
	}
	held, err := lockHeld(dir)
	if err != nil {
		return 0, err
	}
	switch {
	case held:
		return stateRunning, nil
	case exists(dir, exitFile):
		return stateEnded, nil
	case exists(dir, superFile):
		return stateLost, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return stateMissing, nil
	} else if err != nil {
		return 0, err
	}
	return stateUnclaimed, nil
}
