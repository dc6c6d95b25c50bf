package sshtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

var errNetUnreachable = syscall.ENETUNREACH

// sshdPath is where Debian's openssh-server installs sshd.
const sshdPath = "/usr/sbin/sshd"

// SSHD is a real OpenSSH sshd running in a network namespace and a mount
// namespace of its own: it listens on Addr in the namespace's loopback,
// reached only through Dial, and the directories it was told to hide are
// empty tmpfs mounts for it and every session it runs (so a job there
// sees those directories empty unless files are staged into them).
type SSHD struct {
	// Addr is sshd's address inside its network namespace.
	Addr string
	// HostKey is sshd's host key.
	HostKey ssh.PublicKey

	pid   int
	netns string // /proc/<pid>/ns/net
	log   *syncBuffer
}

// StartSSHD starts sshd -D as root with a temporary host key and
// configuration, accepting the client key authorized for root, in new
// network and mount namespaces where each of hidden (existing directories)
// is covered by an empty tmpfs. It skips the test when the namespaces
// cannot be created, and fails it when sshd is not installed (apt-get
// install openssh-server iproute2). sshd stops at the end of the test;
// what its sessions started in sessions of their own does not.
func StartSSHD(t testing.TB, authorized ssh.PublicKey, hidden ...string) *SSHD {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("sshtest: a real sshd in namespaces needs root")
	}
	if out, err := exec.Command("unshare", "--net", "--mount", "true").CombinedOutput(); err != nil {
		t.Skipf("sshtest: cannot create network and mount namespaces (unshare --net --mount): %v: %s", err, out)
	}
	if _, err := os.Stat(sshdPath); err != nil {
		t.Fatalf("sshtest: %s missing: apt-get install -y openssh-server iproute2", sshdPath)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("sshtest: ip missing: apt-get install -y iproute2")
	}
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	writeKey(t, hostKey, priv)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	authFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authFile, ssh.MarshalAuthorizedKey(authorized), 0o600); err != nil {
		t.Fatal(err)
	}
	const addr = "127.0.0.1:22"
	config := fmt.Sprintf(`ListenAddress %s
HostKey %s
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
MaxSessions 64
MaxStartups 100
LogLevel ERROR
`, addr, hostKey, authFile)
	cfgFile := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// Users' login shells become /bin/sh: rc files of this machine's
	// accounts (slow ones, too) stay out of every session.
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	passwdFile := filepath.Join(dir, "passwd")
	if err := os.WriteFile(passwdFile, shellsToSh(passwd), 0o600); err != nil {
		t.Fatal(err)
	}
	// In the namespaces: a small descriptor limit (sshd closes every
	// descriptor up to it for each session), loopback up, the passwd copy,
	// the hidden directories covered, then sshd in place of the shell
	// (same pid, same namespaces).
	script := `ulimit -n 1024
ip link set lo up || exit 1
mkdir -p /run/sshd || exit 1
mount --bind "$2" /etc/passwd || exit 1
c=$1; shift 2
for d in "$@"; do mount -t tmpfs -o size=256m skyport-hidden "$d" || exit 1; done
exec ` + sshdPath + ` -D -e -f "$c"`
	args := append([]string{"--net", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", cfgFile, passwdFile}, hidden...)
	cmd := exec.Command("unshare", args...)
	d := &SSHD{Addr: addr, HostKey: signer.PublicKey(), log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = d.log, d.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.pid = cmd.Process.Pid
	d.netns = "/proc/" + strconv.Itoa(d.pid) + "/ns/net"
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		nc, err := d.Dial(ctx, "tcp", addr)
		if err == nil {
			_ = nc.Close()
			return d
		}
		select {
		case <-exited:
			t.Fatalf("sshtest: sshd exited: %s", d.log.String())
		case <-ctx.Done():
			t.Fatalf("sshtest: sshd never listened: %v: %s", err, d.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// shellsToSh sets the login shell of every account in a passwd file's
// text to /bin/sh.
func shellsToSh(passwd []byte) []byte {
	var out bytes.Buffer
	for line := range strings.Lines(string(passwd)) {
		f := strings.Split(strings.TrimRight(line, "\n"), ":")
		if len(f) == 7 {
			f[6] = "/bin/sh"
		}
		out.WriteString(strings.Join(f, ":") + "\n")
	}
	return out.Bytes()
}

// Log returns what sshd wrote so far.
func (d *SSHD) Log() string { return d.log.String() }

// Dial connects to addr (an IPv4 address and port) inside sshd's network
// namespace: the socket is made there by a thread that enters the
// namespace for that call only.
func (d *SSHD) Dial(_ context.Context, network, addr string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() || network != "tcp" {
		return nil, fmt.Errorf("sshtest: dial %s %s: want tcp to an IPv4 address", network, addr)
	}
	fd, err := socketIn(d.netns)
	if err != nil {
		return nil, err
	}
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	// Loopback connects at once, or fails at once.
	if err := unix.Connect(fd, sa); err != nil {
		_ = unix.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", err)}
	}
	f := os.NewFile(uintptr(fd), "sshd-conn")
	defer func() { _ = f.Close() }()
	return net.FileConn(f)
}

// socketIn makes a TCP socket in the network namespace at nsPath.
func socketIn(nsPath string) (int, error) {
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, err}
			return
		}
		defer func() { _ = unix.Close(self) }()
		target, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, err}
			return
		}
		defer func() { _ = unix.Close(target) }()
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, fmt.Errorf("setns: %w", err)}
			return
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		// Back home; a thread that cannot go back dies with this goroutine.
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

// SetLoopback brings the loopback interface of sshd's namespace up or
// down: down, sshd is unreachable and established connections stall.
func (d *SSHD) SetLoopback(up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	out, err := exec.Command("nsenter", "--net="+d.netns, "ip", "link", "set", "lo", state).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip link set lo %s: %w: %s", state, err, out)
	}
	return nil
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
