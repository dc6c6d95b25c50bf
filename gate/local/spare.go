package local

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// spare is a reusable supervisor (Supervise with -ctl-fd): started ahead
// of need, it waits, claiming nothing, until the gate sends it a run
// directory on its socket, supervises that run, says when the run is
// recorded, and waits for the next one. Reusing it saves a process start
// and a Go runtime's start-up per job, which on a small machine is most
// of a trivial job's cost. It leaves when the socket closes (the gate let
// it go, or the daemon died) and after the run it is supervising when the
// daemon that sent it has died.
type spare struct {
	pid  int
	ctl  *os.File      // the gate's end of the socket
	dead chan struct{} // closed when the socket ends: the process is gone

	mu    sync.Mutex
	ready chan struct{} // of the run handed last; closed by its "R"
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

// maxIdle is how many idle reusable supervisors the gate keeps; more
// are let go as their runs end.
const maxIdle = 4

// startSpare starts a reusable supervisor.
func (g *Gate) startSpare() (*spare, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("supervisor socket: %w", err)
	}
	// Ours non-blocking, so that the runtime polls it and Close ends the
	// read pending in listen at once: the supervisor then reads the end.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		_ = unix.Close(fds[0])
		_ = unix.Close(fds[1])
		return nil, fmt.Errorf("supervisor socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "ctl"), os.NewFile(uintptr(fds[1]), "ctl")
	cmd := g.supervisorCmd([]*os.File{theirs}, "-ctl-fd=3")
	err = cmd.Start()
	_ = theirs.Close()
	if err != nil {
		_ = ours.Close()
		return nil, fmt.Errorf("run supervisor %s: %w", g.cmd[0], err)
	}
	go g.reap(cmd, "")
	sp := &spare{pid: cmd.Process.Pid, ctl: ours, dead: make(chan struct{})}
	go g.listen(sp)
	return sp, nil
}

// listen reads what the supervisor says: "R" wakes the launch waiting
// for it, "D" wakes every Wait (a reusable supervisor does not exit when
// its run ends) and makes the supervisor idle again.
func (g *Gate) listen(sp *spare) {
	defer g.runEnded()
	defer close(sp.dead)
	in := bufio.NewReader(sp.ctl)
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			_ = sp.ctl.Close()
			g.forget(sp)
			return
		}
		switch line {
		case "R\n":
			sp.mu.Lock()
			if sp.ready != nil {
				close(sp.ready)
				sp.ready = nil
			}
			sp.mu.Unlock()
		case "D\n":
			g.runEnded()
			g.idle(sp)
		default:
			g.log.Warn("supervisor said something unexpected", "pid", sp.pid, "line", line)
		}
	}
}

// hand gives the supervisor its next run directory, and returns the
// channel its "R" for that run closes.
func (s *spare) hand(dir string) (<-chan struct{}, error) {
	ready := make(chan struct{})
	s.mu.Lock()
	s.ready = ready
	s.mu.Unlock()
	_, err := s.ctl.WriteString(dir + "\n")
	return ready, err
}

// awaitReady waits until the supervisor has claimed the run handed (or
// found it claimed, or recorded a launch failure): ready is closed; or it
// died, or ctx ended.
func (s *spare) awaitReady(ctx context.Context, ready <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	case <-s.dead:
		return nil // the caller inspects the run directory
	case <-ctx.Done():
		return fmt.Errorf("supervisor not ready: %w", ctx.Err())
	}
}

// discard lets an idle supervisor go: it reads the end of its socket and
// exits.
func (s *spare) discard() { _ = s.ctl.Close() }

// takeSpare returns an idle supervisor, if there is one, and has a new one
// started in the background when none is left.
func (g *Gate) takeSpare() *spare {
	g.mu.Lock()
	defer g.mu.Unlock()
	var sp *spare
	if n := len(g.spares); n > 0 {
		sp, g.spares = g.spares[n-1], g.spares[:n-1]
	}
	if len(g.spares) == 0 && !g.refilling && !g.closed.Load() {
		g.refilling = true
		go g.refill()
	}
	return sp
}

// refill starts a supervisor for the idle list.
func (g *Gate) refill() {
	sp, err := g.startSpare()
	g.mu.Lock()
	g.refilling = false
	g.mu.Unlock()
	if err != nil {
		g.log.Warn("spare supervisor", "err", err)
		return
	}
	g.idle(sp)
}

// idle puts a supervisor on the idle list, or lets it go when the gate
// is closed or has enough.
func (g *Gate) idle(sp *spare) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed.Load() || len(g.spares) >= maxIdle {
		sp.discard()
		return
	}
	g.spares = append(g.spares, sp)
}

// forget takes a supervisor that is gone off the idle list.
func (g *Gate) forget(sp *spare) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.spares = slices.DeleteFunc(g.spares, func(s *spare) bool { return s == sp })
}

// dropSpares lets the idle supervisors go (at Close).
func (g *Gate) dropSpares() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, sp := range g.spares {
		sp.discard()
	}
	g.spares = nil
}

// runEnded wakes every Wait to look at its run again, and arms the next
// wake-up.
func (g *Gate) runEnded() {
	g.endMu.Lock()
	defer g.endMu.Unlock()
	if g.ended != nil {
		close(g.ended)
	}
	g.ended = make(chan struct{})
}

// endSignal returns the channel the next runEnded closes.
func (g *Gate) endSignal() <-chan struct{} {
	g.endMu.Lock()
	defer g.endMu.Unlock()
	if g.ended == nil {
		g.ended = make(chan struct{})
	}
	return g.ended
}

// reap waits for a supervisor the gate started, so it leaves no zombie.
// Wait watches supervisors through pidfds, not through this.
func (g *Gate) reap(cmd *exec.Cmd, dir string) {
	if err := cmd.Wait(); err != nil {
		g.log.Warn("supervisor failed", "dir", dir, "err", err)
	}
}
