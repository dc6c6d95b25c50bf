package local

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// spare is a supervisor started ahead of need: it waits, claiming nothing,
// until it reads its run directory from a pipe, so a Start does not wait
// for a process to exec and initialise. It leaves quietly when the pipe
// closes empty (Close, or the daemon died).
type spare struct {
	pid    int
	dirW   *os.File // the run directory is written here, then closed
	readyR *os.File // closed by the supervisor once ready (see launch)
}

// supervisorCmd returns the command of a supervisor started in a session
// of its own with extra files as descriptors 3, 4, ...; args follow the
// gate's supervisor command.
func (g *Gate) supervisorCmd(extra []*os.File, args ...string) *exec.Cmd {
	all := append(append([]string(nil), g.cmd[1:]...), args...)
	cmd := exec.Command(g.cmd[0], all...)
	cmd.Dir = "/"
	cmd.Env = supervisorEnv(os.Environ())
	cmd.ExtraFiles = extra
	// A session of its own: the supervisor outlives the daemon and no
	// terminal signal of the daemon's reaches it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd
}

// supervisorEnv is the environment of a supervisor: env (the daemon's)
// with GOMAXPROCS=1 unless env sets it. A supervisor waits on one job,
// and a Go program with one processor starts fewer threads: about 4 ms of
// CPU less per job (of some 35 for the supervisor, its wrapper shell and
// a `true` script on a 2-vCPU VM), which bounds how many jobs a second
// the machine runs. The job's environment is the spec's, not this.
func supervisorEnv(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, "GOMAXPROCS=1")
}

// startSpare starts a spare supervisor.
func (g *Gate) startSpare() (*spare, error) {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	dirR, dirW, err := os.Pipe()
	if err != nil {
		_ = readyR.Close()
		_ = readyW.Close()
		return nil, err
	}
	cmd := g.supervisorCmd([]*os.File{readyW, dirR}, "-ready-fd=3", "-dir-fd=4")
	err = cmd.Start()
	_ = readyW.Close()
	_ = dirR.Close()
	if err != nil {
		_ = readyR.Close()
		_ = dirW.Close()
		return nil, fmt.Errorf("run supervisor %s: %w", g.cmd[0], err)
	}
	go g.reap(cmd, "")
	return &spare{pid: cmd.Process.Pid, dirW: dirW, readyR: readyR}, nil
}

// hand gives the spare its run directory; it owns readyR afterwards.
func (s *spare) hand(dir string) error {
	_, err := s.dirW.WriteString(dir)
	if cerr := s.dirW.Close(); err == nil {
		err = cerr
	}
	return err
}

// discard lets an unused spare go.
func (s *spare) discard() {
	_ = s.dirW.Close()
	_ = s.readyR.Close()
}

// takeSpare returns the spare supervisor, if there is one, and has a new
// one started in the background.
func (g *Gate) takeSpare() *spare {
	g.mu.Lock()
	defer g.mu.Unlock()
	sp := g.spare
	g.spare = nil
	if !g.refilling && !g.closed.Load() {
		g.refilling = true
		go g.refill()
	}
	return sp
}

// refill starts the next spare supervisor.
func (g *Gate) refill() {
	sp, err := g.startSpare()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refilling = false
	if err != nil {
		g.log.Warn("spare supervisor", "err", err)
		return
	}
	if g.closed.Load() || g.spare != nil {
		sp.discard()
		return
	}
	g.spare = sp
}

// dropSpare lets the spare supervisor go (at Close).
func (g *Gate) dropSpare() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.spare != nil {
		g.spare.discard()
		g.spare = nil
	}
}

// reap waits for a supervisor the gate started, so it leaves no zombie.
// Wait watches supervisors through pidfds, not through this.
func (g *Gate) reap(cmd *exec.Cmd, dir string) {
	if err := cmd.Wait(); err != nil {
		g.log.Warn("supervisor failed", "dir", dir, "err", err)
	}
}
