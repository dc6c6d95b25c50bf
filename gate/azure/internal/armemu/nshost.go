package armemu

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// NSConfig configures an NSHypervisor.
type NSConfig struct {
	// StateDir holds each guest's files, in guests/<name>.
	StateDir string
	// Hidden are directories (they must exist) that every guest sees as
	// empty tmpfs mounts owned by its login user: the files a job needs
	// there must be staged into the guest.
	Hidden []string
	// UID and GID of the guests' login user; 0: the first ids from 61000
	// on that this machine's passwd and group files do not use.
	UID, GID int
	SSHD     string // default /usr/sbin/sshd
	// Bridge is the bridge the guests' veths join in the emulator's
	// network namespace; default "armemu0".
	Bridge string
	Logger *slog.Logger // nil: slog.Default()
}

// NSHypervisor runs each guest as a real sshd in new network, mount, pid
// and UTS namespaces: pid 1 of the guest is sshd, its host name is the
// VM's computer name, and a veth pair joins its eth0 (carrying the VM's
// private and public addresses) to a bridge in the emulator's network
// namespace, which holds each subnet's gateway address. Guests see this
// machine's file system, but for their own /run, /home (the login user's
// home, with the authorized keys), /var/lib/cloud, passwd, group and
// shadow files that add the login user, and the hidden directories.
//
// It changes network interfaces, so it refuses to run in this machine's
// initial network namespace: run the emulator under unshare --net.
type NSHypervisor struct {
	cfg NSConfig
	log *slog.Logger

	mu     sync.Mutex
	seq    int             // names veths
	bridge map[string]bool // gateway addresses set on the bridge
	up     bool            // the bridge exists

	spawnOnce sync.Once
	spawn     chan spawnReq // to the thread that starts guests
}

// NewNSHypervisor checks what guests need (root, sshd, ip, a network
// namespace of its own) and returns the hypervisor.
func NewNSHypervisor(cfg NSConfig) (*NSHypervisor, error) {
	if cfg.SSHD == "" {
		cfg.SSHD = "/usr/sbin/sshd"
	}
	if cfg.Bridge == "" {
		cfg.Bridge = "armemu0"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("armemu: guests need root (namespaces, mounts, veths)")
	}
	if _, err := os.Stat(cfg.SSHD); err != nil {
		return nil, fmt.Errorf("armemu: sshd: %w (apt-get install openssh-server)", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, fmt.Errorf("armemu: ip: %w (apt-get install iproute2)", err)
	}
	if !ownNetNS() {
		return nil, errors.New("armemu: refusing to add bridges and veths to this machine's own network namespace: run the emulator in one of its own (unshare --net)")
	}
	// The namespace is the emulator's own: its loopback serves ARM.
	if err := ip("link", "set", "lo", "up"); err != nil {
		return nil, err
	}
	for _, d := range cfg.Hidden {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() || !filepath.IsAbs(d) {
			return nil, fmt.Errorf("armemu: hidden directory %q: want an existing absolute directory", d)
		}
	}
	if cfg.UID == 0 || cfg.GID == 0 {
		uid, gid, err := freeIDs(61000)
		if err != nil {
			return nil, err
		}
		cfg.UID, cfg.GID = uid, gid
	}
	return &NSHypervisor{cfg: cfg, log: cfg.Logger, bridge: map[string]bool{}}, nil
}

// initNetNS is how /proc/<pid>/ns/net names the kernel's initial network
// namespace (its inode number is fixed: PROC_NET_INIT_INO).
const initNetNS = "net:[4026531833]"

// ownNetNS says whether this process runs in a network namespace other
// than the initial one and than pid 1's (in a container, the container's).
func ownNetNS() bool {
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil || self == initNetNS {
		return false
	}
	one, err := os.Readlink("/proc/1/ns/net")
	return err != nil || one != self // unreadable: pid 1 is beyond reach
}

// freeIDs returns the first uid from start that /etc/passwd does not use
// and the first such gid of /etc/group.
func freeIDs(start int) (int, int, error) {
	used := func(file string) (map[int]bool, error) {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("armemu: %w", err)
		}
		defer func() { _ = f.Close() }()
		ids := map[int]bool{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if p := strings.Split(sc.Text(), ":"); len(p) > 2 {
				if n, err := strconv.Atoi(p[2]); err == nil {
					ids[n] = true
				}
			}
		}
		return ids, sc.Err()
	}
	uids, err := used("/etc/passwd")
	if err != nil {
		return 0, 0, err
	}
	gids, err := used("/etc/group")
	if err != nil {
		return 0, 0, err
	}
	uid, gid := start, start
	for uids[uid] {
		uid++
	}
	for gids[gid] {
		gid++
	}
	return uid, gid, nil
}

// guestFiles writes what a guest's init script uses into dir: the host
// key, authorized keys, sshd_config and the passwd, group and shadow
// files with the login user added.
func (h *NSHypervisor) guestFiles(dir string, spec GuestSpec) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("armemu: guest directory: %w", err)
	}
	key := spec.HostKey
	if len(key) == 0 {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("armemu: host key: %w", err)
		}
		block, err := ssh.MarshalPrivateKey(priv, spec.Name)
		if err != nil {
			return fmt.Errorf("armemu: host key: %w", err)
		}
		key = pem.EncodeToMemory(block)
	}
	if _, err := ssh.ParsePrivateKey(key); err != nil {
		return fmt.Errorf("armemu: the cloud-init host key: %w", err)
	}
	user := spec.User
	uid, gid := strconv.Itoa(h.cfg.UID), strconv.Itoa(h.cfg.GID)
	files := map[string]string{
		"ssh_host_ed25519_key": string(key),
		"authorized_keys":      strings.Join(spec.AuthorizedKeys, "\n") + "\n",
		"sshd_config": "ListenAddress 0.0.0.0:22\nHostKey " + filepath.Join(dir, "ssh_host_ed25519_key") + "\n" +
			"AuthorizedKeysFile .ssh/authorized_keys\nPermitRootLogin no\nPasswordAuthentication no\n" +
			"KbdInteractiveAuthentication no\nUsePAM no\nPidFile none\nMaxSessions 64\nMaxStartups 100\nLogLevel ERROR\n",
	}
	for name, line := range map[string]string{
		"passwd": user + ":x:" + uid + ":" + gid + ":" + user + ":/home/" + user + ":/bin/bash",
		"group":  user + ":x:" + gid + ":",
		"shadow": user + ":*:19000:0:99999:7:::",
	} {
		base, err := os.ReadFile("/etc/" + name)
		if err != nil {
			return fmt.Errorf("armemu: %w", err)
		}
		files[name] = withoutEntry(string(base), user) + line + "\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return fmt.Errorf("armemu: guest file: %w", err)
		}
	}
	// passwd and group are read by every process of the guest (through
	// their bind mounts: dir itself stays closed to the guest's user).
	for _, name := range []string{"passwd", "group"} {
		if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil { //nolint:gosec // world-readable, as /etc/passwd is
			return fmt.Errorf("armemu: guest file: %w", err)
		}
	}
	return nil
}

// withoutEntry drops the lines of a passwd-like file for name.
func withoutEntry(file, name string) string {
	var b strings.Builder
	for line := range strings.Lines(file) {
		if strings.HasPrefix(line, name+":") {
			continue
		}
		b.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
