package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"skyport/gateway/api"
)

// defaultStateDir is $XDG_STATE_HOME/skyport or ~/.local/state/skyport.
func defaultStateDir() string { return api.StateDir(os.Getenv) }

// defaultSocket is the socket of a daemon whose state is in dir.
func defaultSocket(dir string) string { return api.SocketIn(dir, os.Getuid()) }

// shortHostname is the host name up to the first dot, as Slurm names nodes.
func shortHostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}

// lockState takes the exclusive lock of the state directory, so that a
// second skyportd on the same state refuses to start. The lock lives as
// long as the returned file is open (a crashed daemon's lock is released
// by the kernel, so there is never a stale lock).
func lockState(dir string) (*os.File, error) {
	path := filepath.Join(dir, "skyportd.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory %s is not writable: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			who := strings.TrimSpace(string(pid))
			if who != "" {
				who = " (pid " + who + ")"
			}
			return nil, fmt.Errorf("another skyportd is already running with state in %s%s", dir, who)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// listenUnix listens on the socket path: its directory is made 0700, a
// stale socket left by a dead daemon is removed (the state lock proves no
// live daemon owns it), and the socket itself is 0600.
func listenUnix(path string) (net.Listener, error) {
	if len(path) > 104 {
		return nil, fmt.Errorf("socket path %s is %d bytes, longer than a Unix socket allows", path, len(path))
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("socket directory %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("socket directory %s: %w", dir, err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%s exists and is not a socket; refusing to remove it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
		}
	}
	// The socket is made 0600 after the fact, not through the umask: the
	// umask is the whole process's, and jobs started meanwhile (recovery)
	// would inherit it. The 0700 directory covers the moment in between.
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("socket %s: %w", path, err)
	}
	return ln, nil
}

// peer is the identity of the process at the other end of the socket,
// from SO_PEERCRED: never from the request body.
type peer struct {
	UID, GID uint32
	PID      int32
}

type peerKey struct{}

// withPeer is http.Server.ConnContext: it records the peer's credentials.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return ctx
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return ctx
	}
	return context.WithValue(ctx, peerKey{}, peer{UID: cred.Uid, GID: cred.Gid, PID: cred.Pid})
}

// peerOf returns the caller's credentials; ok is false when unknown.
func peerOf(ctx context.Context) (peer, bool) {
	p, ok := ctx.Value(peerKey{}).(peer)
	return p, ok
}

// userCache maps uids and gids to names (and back) without asking NSS twice.
type userCache struct {
	mu     sync.Mutex
	users  map[uint32]string
	groups map[uint32]string
	// groupLists caches supplementaryGroups.
	groupLists map[uint32][]uint32
}

// userName returns the login name of uid, or the number when unknown.
func (c *userCache) userName(uid uint32) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.users[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	if c.users == nil {
		c.users = map[uint32]string{}
	}
	c.users[uid] = n
	return n
}

// groupName returns the name of gid, or the number when unknown.
func (c *userCache) groupName(gid uint32) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.groups[gid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(n); err == nil {
		n = g.Name
	}
	if c.groups == nil {
		c.groups = map[uint32]string{}
	}
	c.groups[gid] = n
	return n
}
