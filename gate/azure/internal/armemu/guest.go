package armemu

import (
	"context"
	"errors"
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
	"time"
)

// guestInit is pid 1 of a guest's new namespaces until it becomes sshd:
// it makes the guest's mounts (private to it), names the host, sets up
// the login user, waits for eth0 (the emulator moves it in) and gives it
// the VM's addresses. Arguments: dir name user uid gid addr/bits gateway
// public-address-or-"" sshd hidden-dir...
const guestInit = `set -e
dir=$1 name=$2 user=$3 uid=$4 gid=$5 addr=$6 gw=$7 pub=$8 sshd=$9
shift 9
ulimit -n 1024
mount --make-rprivate /
mount -t proc proc /proc
mount -t tmpfs -o mode=0755 armemu-run /run
mkdir -p /run/sshd /run/armemu/upper /run/armemu/work
hostname "$name"
mount --bind "$dir/passwd" /etc/passwd
mount --bind "$dir/group" /etc/group
mount --bind "$dir/shadow" /etc/shadow
mount -t tmpfs -o mode=0755 armemu-home /home
mkdir -m 0755 "/home/$user"
mkdir -m 0700 "/home/$user/.ssh"
cp "$dir/authorized_keys" "/home/$user/.ssh/authorized_keys"
chmod 0600 "/home/$user/.ssh/authorized_keys"
chown -R "$uid:$gid" "/home/$user"
if [ ! -d /var/lib/cloud ]; then
	# An overlay makes room for it without touching this machine's /var/lib.
	mount -t overlay -o lowerdir=/var/lib,upperdir=/run/armemu/upper,workdir=/run/armemu/work armemu-varlib /var/lib
	mkdir /var/lib/cloud
fi
mount -t tmpfs -o mode=0755 armemu-cloud /var/lib/cloud
mkdir -p /var/lib/cloud/instance
for d in "$@"; do mount -t tmpfs -o "mode=0755,uid=$uid,gid=$gid" armemu-hidden "$d"; done
ip link set lo up
i=0
until ip link show eth0 >/dev/null 2>&1; do
	i=$((i+1)); [ $i -lt 1000 ] || { echo "armemu: eth0 never came" >&2; exit 1; }
	sleep 0.01
done
ip addr add "$addr" dev eth0
[ -z "$pub" ] || ip addr add "$pub/32" dev eth0
ip link set eth0 up
ip route add default via "$gw"
exec "$sshd" -D -e -f "$dir/sshd_config"
`

// Start implements Hypervisor: it writes the guest's files, starts its
// init in new namespaces and plugs its eth0 into the bridge.
func (h *NSHypervisor) Start(_ context.Context, spec GuestSpec) (Guest, error) {
	if !spec.Address.IsValid() || !spec.Gateway.IsValid() || spec.User == "" {
		return nil, fmt.Errorf("armemu: guest %s: an address, a gateway and a user are required", spec.Name)
	}
	dir := filepath.Join(h.cfg.StateDir, "guests", spec.Name)
	if err := h.guestFiles(dir, spec); err != nil {
		return nil, err
	}
	if err := h.ensureBridge(netip.PrefixFrom(spec.Gateway, spec.Address.Bits())); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "guest.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("armemu: guest log: %w", err)
	}
	pub := ""
	if spec.PublicAddress.IsValid() {
		pub = spec.PublicAddress.String()
	}
	args := append([]string{"-c", guestInit, "armemu-guest", dir, spec.Name, spec.User,
		strconv.Itoa(h.cfg.UID), strconv.Itoa(h.cfg.GID), spec.Address.String(), spec.Gateway.String(), pub, h.cfg.SSHD},
		h.cfg.Hidden...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC,
		// The guest dies with the emulator, whatever kills it.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := h.start(cmd); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("armemu: start guest %s: %w", spec.Name, err)
	}
	g := &nsGuest{h: h, name: spec.Name, pid: cmd.Process.Pid, exited: make(chan struct{}),
		addr: spec.Address.Addr(), pub: pub, logPath: logf.Name()}
	go func() {
		_ = cmd.Wait() // pid 1 of the guest: its exit ends every process in it
		_ = logf.Close()
		close(g.exited)
	}()
	g.veth = h.nextVeth()
	if err := ip("link", "add", g.veth, "type", "veth", "peer", "name", "eth0", "netns", strconv.Itoa(g.pid)); err != nil {
		return nil, errors.Join(err, g.Stop())
	}
	if err := ip("link", "set", g.veth, "master", h.cfg.Bridge, "up"); err != nil {
		return nil, errors.Join(err, g.Stop())
	}
	if pub != "" {
		if err := ip("route", "replace", pub+"/32", "dev", h.cfg.Bridge); err != nil {
			return nil, errors.Join(err, g.Stop())
		}
	}
	h.log.Info("armemu: guest started", "vm", spec.Name, "pid", g.pid, "address", spec.Address, "public", pub)
	return g, nil
}

// start starts cmd on the one OS thread that starts every guest, which
// never exits: Pdeathsig fires when the thread that forked the child
// ends, not the process.
func (h *NSHypervisor) start(cmd *exec.Cmd) error {
	h.spawnOnce.Do(func() {
		h.spawn = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for r := range h.spawn {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	h.spawn <- spawnReq{cmd, done}
	return <-done
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// ensureBridge creates the bridge (once) and gives it the gateway
// address of a subnet.
func (h *NSHypervisor) ensureBridge(gw netip.Prefix) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.up {
		if err := ip("link", "add", h.cfg.Bridge, "type", "bridge"); err != nil && !strings.Contains(err.Error(), "File exists") {
			return err
		}
		if err := ip("link", "set", h.cfg.Bridge, "up"); err != nil {
			return err
		}
		h.up = true
	}
	if !h.bridge[gw.String()] {
		if err := ip("addr", "replace", gw.String(), "dev", h.cfg.Bridge); err != nil {
			return err
		}
		h.bridge[gw.String()] = true
	}
	return nil
}

func (h *NSHypervisor) nextVeth() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	return "armemu-v" + strconv.Itoa(h.seq)
}

// ip runs ip(8) with args.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("armemu: ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// nsGuest is a guest of an NSHypervisor.
type nsGuest struct {
	h       *NSHypervisor
	name    string
	pid     int
	exited  chan struct{}
	addr    netip.Addr
	pub     string
	veth    string
	logPath string

	stopOnce sync.Once
}

// WaitReady implements Guest: sshd has sent its banner on the private
// address.
func (g *nsGuest) WaitReady(ctx context.Context) error {
	addr := netip.AddrPortFrom(g.addr, 22).String()
	for {
		var d net.Dialer
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err == nil {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 8)
			n, rerr := c.Read(buf)
			_ = c.Close()
			if rerr == nil && strings.HasPrefix(string(buf[:n]), "SSH-") {
				return nil
			}
		}
		select {
		case <-g.exited:
			log, _ := os.ReadFile(g.logPath)
			return fmt.Errorf("armemu: guest %s exited: %s", g.name, strings.TrimSpace(string(log)))
		case <-ctx.Done():
			return fmt.Errorf("armemu: guest %s: sshd at %s: %w", g.name, addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Booted implements Guest: it writes boot-finished into the guest's
// /var/lib/cloud through /proc/<pid>/root, which resolves in the guest's
// mount namespace.
func (g *nsGuest) Booted() error {
	select {
	case <-g.exited:
		return fmt.Errorf("armemu: guest %s has stopped", g.name)
	default:
	}
	p := filepath.Join("/proc", strconv.Itoa(g.pid), "root", "var/lib/cloud/instance/boot-finished")
	line := fmt.Sprintf("%.2f - %s - v. 24.4\n", 0.0, time.Now().UTC().Format(time.RFC1123Z))
	if err := os.WriteFile(p, []byte(line), 0o644); err != nil { //nolint:gosec // world-readable, as cloud-init writes it
		return fmt.Errorf("armemu: guest %s: %w", g.name, err)
	}
	return nil
}

// Stop implements Guest: SIGKILL to the guest's pid 1 ends every process
// in its pid namespace (the kernel reaps them before pid 1's exit is
// reported); the veth goes with the network namespace, and the public
// address's route is removed.
func (g *nsGuest) Stop() error {
	g.stopOnce.Do(func() {
		_ = syscall.Kill(g.pid, syscall.SIGKILL) // already gone: nothing to kill
		<-g.exited
		_ = ip("link", "del", g.veth) // normally gone with the namespace
		if g.pub != "" {
			_ = ip("route", "del", g.pub+"/32", "dev", g.h.cfg.Bridge)
		}
		g.h.log.Info("armemu: guest stopped", "vm", g.name, "pid", g.pid)
	})
	return nil
}

// PID implements Guest.
func (g *nsGuest) PID() int {
	select {
	case <-g.exited:
		return 0
	default:
		return g.pid
	}
}
