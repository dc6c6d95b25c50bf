package mirror

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const sshdPath = "/usr/sbin/sshd"

// sshd is a real OpenSSH sshd on a loopback port, accepting one key for
// the current user.
type sshd struct {
	port    int
	keyFile string // the client's private key, OpenSSH format
	client  *ssh.Client
}

// startSSHD starts sshd -D with a temporary host key and configuration and
// connects to it. It skips when sshd is missing or this is not root (sshd
// needs root to switch users and use /run/sshd).
func startSSHD(tb testing.TB) *sshd {
	tb.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		tb.Skipf("no %s (apt-get install openssh-server): %v", sshdPath, err)
	}
	if os.Geteuid() != 0 {
		tb.Skip("a real sshd needs root")
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		tb.Skip(err)
	}
	dir := tb.TempDir()
	hostKey := writeKey(tb, filepath.Join(dir, "host_key"))
	clientKey := writeKey(tb, filepath.Join(dir, "id_ed25519"))
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, ssh.MarshalAuthorizedKey(clientKey.PublicKey()), 0o600); err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\n"+
		"PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin yes\n"+
		"StrictModes no\nPidFile %s\nLogLevel ERROR\nMaxSessions 100\n",
		port, filepath.Join(dir, "host_key"), auth, filepath.Join(dir, "sshd.pid"))
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		tb.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", cfg)
	if rc := shadowedBashrc(tb, dir); rc != "" {
		// The user's ~/.bashrc, which bash reads for every SSH command,
		// may take seconds (this machine's runs pyenv init): sshd runs in
		// a mount namespace of its own where it is an empty file.
		cmd = exec.Command("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
			`mount --bind "$1" "$2" && exec "$3" -D -e -f "$4"`, "sh",
			filepath.Join(dir, "empty"), rc, sshdPath, cfg)
	}
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &sshd{port: port, keyFile: filepath.Join(dir, "id_ed25519")}
	config := &ssh.ClientConfig{
		User:            currentUser(tb),
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(clientKey)},
		HostKeyCallback: ssh.FixedHostKey(hostKey.PublicKey()),
		Timeout:         5 * time.Second,
	}
	for i := 0; ; i++ {
		s.client, err = ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), config)
		if err == nil {
			break
		}
		if i == 100 {
			tb.Fatalf("dial sshd: %v; sshd said: %s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Cleanup(func() { _ = s.client.Close() })
	return s
}

// shadowedBashrc returns the user's ~/.bashrc when it exists and a mount
// namespace can hide it (an empty file to bind over it is made in dir).
func shadowedBashrc(tb testing.TB, dir string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	rc := filepath.Join(home, ".bashrc")
	if _, err := os.Stat(rc); err != nil {
		return ""
	}
	if err := exec.Command("unshare", "--mount", "true").Run(); err != nil {
		return ""
	}
	if err := os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	return rc
}

func currentUser(tb testing.TB) string {
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// writeKey makes an ed25519 key and stores it in OpenSSH format.
func writeKey(tb testing.TB, file string) ssh.Signer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return signer
}

// sshRemote is a Remote over one SSH connection: a session per command.
type sshRemote struct{ c *ssh.Client }

func (r sshRemote) Run(ctx context.Context, cmd string, stdin io.Reader, stdout io.Writer) error {
	sess, err := r.c.NewSession()
	if err != nil {
		return err
	}
	defer sess.Close() //nolint:errcheck
	sess.Stdin, sess.Stdout = stdin, stdout
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	done := make(chan error, 1)
	go func() { done <- sess.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = sess.Close()
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// TestSSHD runs a push, a job's changes and a pull through a real sshd.
func TestSSHD(t *testing.T) {
	t.Parallel()
	s := startSSHD(t)
	r := sshRemote{s.client}
	f := newFixture(t)
	for _, n := range []string{"a", "sub/b c", "it's", "new\nline", "é"} {
		write(t, f.local(n), "content of "+n, 0o640, t0)
	}
	if err := os.Symlink("sub", f.local("link")); err != nil {
		t.Fatal(err)
	}
	snap, st, err := Push(t.Context(), r, f.plan)
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, f.proj, f.remote(""), true)
	if st.Files == 0 {
		t.Errorf("push stats %+v", st)
	}
	if _, st, err := Push(t.Context(), r, f.plan); err != nil || st != (Stats{}) {
		t.Errorf("re-push: %+v %v", st, err)
	}
	write(t, f.remote("result.txt"), "from the job", 0o600, t0.Add(time.Hour))
	write(t, f.remote("sub/b c"), "changed by the job", 0o640, t0.Add(time.Hour))
	pst, err := Pull(t.Context(), r, f.plan, snap)
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, f.proj, f.remote(""), false)
	if pst.Bytes != int64(len("from the job")+len("changed by the job")) {
		t.Errorf("pull stats %+v", pst)
	}
}
