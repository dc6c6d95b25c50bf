// Package sshtest holds SSH servers for tests of the SSH gate: Server, an
// in-process golang.org/x/crypto/ssh server that runs exec requests with
// /bin/sh -c on this machine, and SSHD, a real OpenSSH sshd started in
// network and mount namespaces of its own. Both authenticate one client
// key and can be told to fail, so that tests see connections drop and
// hosts become unreachable.
package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// Server is an in-process SSH server on a loopback port. It accepts the
// client keys it was made with, answers global requests (such as
// keepalive@openssh.com) with a failure as OpenSSH does, and serves
// "session" channels: "env", "exec" (run with /bin/sh -c in a process
// group of its own, stdin, stdout and stderr attached, ending with
// "exit-status" or "exit-signal") and "signal". Safe for concurrent use.
type Server struct {
	// Addr is the server's host:port.
	Addr string
	// HostKey is the server's host key.
	HostKey ssh.Signer

	cfg *ssh.ServerConfig
	ln  net.Listener

	mu    sync.Mutex
	conns map[net.Conn]bool
	procs map[*os.Process]bool
	down  bool
	muted bool // global requests go unanswered
	wg    sync.WaitGroup
}

// NewServer starts a server accepting the given client keys; it stops at
// the end of the test.
func NewServer(t testing.TB, authorized ...ssh.PublicKey) *Server {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{HostKey: signer, conns: map[net.Conn]bool{}, procs: map[*os.Process]bool{}}
	s.cfg = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			for _, k := range authorized {
				if string(k.Marshal()) == string(key.Marshal()) {
					return &ssh.Permissions{}, nil
				}
			}
			return nil, errors.New("unknown client key")
		},
	}
	s.cfg.AddHostKey(signer)
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = s.ln.Addr().String()
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// AuthorizedKey returns the host key in authorized_keys format (for the
// gate's host_key option).
func (s *Server) AuthorizedKey() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.HostKey.PublicKey())))
}

// SetDown makes the host unreachable (every connection is dropped, new
// ones are closed at once) or reachable again.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
	if down {
		s.DropAll()
	}
}

// MuteKeepalives makes the server leave global requests unanswered (a
// connection that hangs) or answer them again.
func (s *Server) MuteKeepalives(mute bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.muted = mute
}

// DropAll closes every connection, as a network failure would, and kills
// the commands running in their sessions (not what they started in
// sessions of their own). It returns how many connections it closed.
func (s *Server) DropAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	for c := range s.conns {
		_ = c.Close()
	}
	for p := range s.procs {
		_ = unix.Kill(-p.Pid, unix.SIGKILL)
	}
	return n
}

// Conns returns how many connections are open.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close stops the server and drops its connections.
func (s *Server) Close() {
	_ = s.ln.Close()
	s.DropAll()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.down {
			s.mu.Unlock()
			_ = nc.Close()
			continue
		}
		s.conns[nc] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(nc)
			s.mu.Lock()
			delete(s.conns, nc)
			s.mu.Unlock()
			_ = nc.Close()
		}()
	}
}

// serve runs one connection.
func (s *Server) serve(nc net.Conn) {
	_, chans, reqs, err := ssh.NewServerConn(nc, s.cfg)
	if err != nil {
		return
	}
	go func() {
		for r := range reqs {
			s.mu.Lock()
			muted := s.muted
			s.mu.Unlock()
			if r.WantReply && !muted {
				_ = r.Reply(false, nil)
			}
		}
	}()
	var wg sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		wg.Go(func() { s.session(ch, creqs) })
	}
	wg.Wait()
}

// session serves one session channel's requests.
func (s *Server) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer func() { _ = ch.Close() }()
	var env []string
	var proc chan *os.Process // the exec'd command, once started
	var exited chan struct{}
	for {
		var r *ssh.Request
		var ok bool
		if exited == nil {
			r, ok = <-reqs
		} else {
			select {
			case r, ok = <-reqs:
			case <-exited:
				return
			}
		}
		if !ok {
			if exited != nil {
				<-exited
			}
			return
		}
		switch r.Type {
		case "env":
			var kv struct{ Name, Value string }
			err := ssh.Unmarshal(r.Payload, &kv)
			env = append(env, kv.Name+"="+kv.Value)
			_ = r.Reply(err == nil, nil)
		case "exec":
			var cmd struct{ Command string }
			if exited != nil || ssh.Unmarshal(r.Payload, &cmd) != nil {
				_ = r.Reply(false, nil)
				continue
			}
			_ = r.Reply(true, nil)
			proc, exited = make(chan *os.Process, 1), make(chan struct{})
			go func() {
				defer close(exited)
				s.exec(ch, cmd.Command, env, proc)
			}()
		case "signal":
			var sig struct{ Signal string }
			if ssh.Unmarshal(r.Payload, &sig) == nil && proc != nil {
				select {
				case p := <-proc:
					proc <- p
					if n := unix.SignalNum("SIG" + sig.Signal); n != 0 {
						_ = p.Signal(n)
					}
				default:
				}
			}
			if r.WantReply {
				_ = r.Reply(true, nil)
			}
		default:
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
	}
}

// exec runs command and reports how it ended on the channel.
func (s *Server) exec(ch ssh.Channel, command string, env []string, proc chan<- *os.Process) {
	c := exec.Command("/bin/sh", "-c", command)
	c.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + os.Getenv("HOME"), "SHELL=/bin/sh"}, env...)
	if u := os.Getenv("USER"); u != "" {
		c.Env = append(c.Env, "USER="+u)
	}
	c.Dir = os.Getenv("HOME")
	c.Stdout = ch
	c.Stderr = ch.Stderr()
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := c.StdinPipe()
	if err == nil {
		err = c.Start()
	}
	if err != nil {
		_, _ = io.WriteString(ch.Stderr(), err.Error()+"\n")
		sendStatus(ch, 127)
		return
	}
	go func() {
		_, _ = io.Copy(stdin, ch)
		_ = stdin.Close()
	}()
	proc <- c.Process
	s.mu.Lock()
	s.procs[c.Process] = true
	s.mu.Unlock()
	// Wait returns once the command exited and every holder of its
	// stdout and stderr closed them, as sshd waits for.
	_ = c.Wait()
	s.mu.Lock()
	delete(s.procs, c.Process)
	s.mu.Unlock()
	ws, _ := c.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		name := strings.TrimPrefix(unix.SignalName(ws.Signal()), "SIG")
		_, _ = ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{Signal: name}))
		return
	}
	sendStatus(ch, uint32(ws.ExitStatus()))
}

func sendStatus(ch ssh.Channel, code uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], code)
	_, _ = ch.SendRequest("exit-status", false, b[:])
}
