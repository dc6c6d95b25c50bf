package local

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// job is a started job and the files the supervisor holds for it.
type job struct {
	cmd   *exec.Cmd
	stdin *os.File
	out   *os.File
	err   *os.File // the error file (out itself when joined): kill lines go here
	start time.Time
	// container is set when the script runs inside an image (container.go).
	container *containerRun
}

// close releases the job's files; safe on a partly opened job.
func (j *job) close() {
	for _, f := range []*os.File{j.stdin, j.out, j.err} {
		if f != nil {
			_ = f.Close() // closing out twice when joined is harmless
		}
	}
}

// taskPIDWrapper runs the script (its $0) with SLURM_TASK_PID set to the
// script's own pid, which exists only once the process does; exec keeps
// the pid, so the script is the process group leader the gate signals.
const taskPIDWrapper = `SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec "$0" "$@"`

// startJob opens the job's files in slurmstepd's order (stdin, stdout,
// stderr: the first that fails ends the launch, files opened before it
// stay created) and starts the script in a process group of its own. An
// error is a launch failure.
func (s *supervisor) startJob(spec *gate.Spec) (*job, error) {
	id, err := identityOf(spec)
	if err != nil {
		return nil, err
	}
	j := &job{}
	var wdErr error
	err = id.do(func() error {
		var err error
		in := cmp(spec.StdIn, os.DevNull)
		if j.stdin, err = os.Open(in); err != nil {
			return fmt.Errorf("could not open stdin file %s: %w", in, err)
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if spec.Append {
			flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		}
		out := cmp(spec.StdOut, os.DevNull)
		if j.out, err = os.OpenFile(out, flags, 0o644); err != nil {
			return fmt.Errorf("could not open stdout file %s: %w", out, err)
		}
		j.err = j.out
		if spec.StdErr != "" && spec.StdErr != out {
			if j.err, err = os.OpenFile(spec.StdErr, flags, 0o644); err != nil {
				return fmt.Errorf("could not open stderr file %s: %w", spec.StdErr, err)
			}
		}
		wdErr = enterable(spec.WorkDir)
		return nil
	})
	if err != nil {
		j.close()
		return nil, err
	}
	wd := spec.WorkDir
	if wdErr != nil {
		// slurmstepd's behaviour: complain twice, run in /tmp.
		s.log.Warn("work dir not enterable, using /tmp", "work_dir", wd, "err", wdErr)
		if spec.WorkDirLine != "" {
			line := fillLast(spec.WorkDirLine, strerror(wdErr)) + "\n"
			_, _ = j.err.WriteString(line + line)
		}
		wd = "/tmp"
	}
	argv := append([]string{"/bin/sh", "-c", taskPIDWrapper, filepath.Join(s.dir, scriptFile)}, spec.Args...)
	if isContainerJob(spec) {
		rt, err := lookRuntime(spec.Container.Runtime, spec.Env)
		if err != nil {
			j.close()
			return nil, err
		}
		argv = containerArgv(spec, rt, s.dir, wd, os.Geteuid())
		j.container = &containerRun{runtime: rt, name: containerName(spec, s.dir), env: jobEnv(spec.Env), cred: id.cred}
	}
	j.cmd = &exec.Cmd{
		Path:   argv[0],
		Args:   argv,
		Env:    jobEnv(spec.Env),
		Dir:    wd,
		Stdin:  j.stdin,
		Stdout: j.out,
		Stderr: j.err,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:    true,
			Credential: id.cred,
		},
	}
	j.start = time.Now()
	if err := j.cmd.Start(); err != nil {
		j.close()
		return nil, fmt.Errorf("start script: %w", err)
	}
	_ = j.stdin.Close() // the job holds its own copy
	j.stdin = nil
	return j, nil
}

// cmp returns s, or def when s is empty.
func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// jobEnv is exactly env without SLURM_TASK_PID (the wrapper sets it), and
// never nil: a nil Env would hand the supervisor's own environment over.
func jobEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "SLURM_TASK_PID=") {
			out = append(out, kv)
		}
	}
	return out
}

// enterable reports why the calling thread's file-system identity could
// not chdir into dir, as chdir(2) would.
func enterable(dir string) error {
	if dir == "" {
		return nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &os.PathError{Op: "chdir", Path: dir, Err: unix.ENOTDIR}
	}
	if err := unix.Faccessat(unix.AT_FDCWD, dir, unix.X_OK, unix.AT_EACCESS); err != nil {
		return &os.PathError{Op: "chdir", Path: dir, Err: err}
	}
	return nil
}

// strerror words err's errno as C's strerror does ("No such file or
// directory"); Go's table has the same words in lower case.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// fillLast replaces the last "%s" in line with v. The variable part comes
// last in every line Slurm writes, so a "%s" earlier (inside a path) stays.
func fillLast(line, v string) string {
	i := strings.LastIndex(line, "%s")
	if i < 0 {
		return line
	}
	return line[:i] + v + line[i+2:]
}
