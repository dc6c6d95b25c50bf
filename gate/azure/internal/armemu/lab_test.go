package armemu_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"skyport/gate/azure/internal/armemu"
	"skyport/gateway/api"
)

// A lab is the end-to-end setting: the emulator (cmd/armemu) in a network
// namespace of its own, the real skyportd in the same namespace (it
// reaches the emulator on 127.0.0.1 and the VMs' sshds through the
// emulator's bridge), and the real shims run by the test, which reach
// skyportd over its Unix socket as the emulator's control API (path
// sockets work across network namespaces). This machine's own network
// namespace is never touched.

// labConfig shapes a lab.
type labConfig struct {
	// BootDelay is the time a VM takes to boot; ReadyDelay the time from
	// then until cloud-init has finished (boot-finished exists).
	BootDelay   time.Duration
	ReadyDelay  time.Duration
	IdleTimeout string // the pool's idle_timeout
}

type lab struct {
	tb     testing.TB
	bin    string
	dir    string // short: socket paths
	submit string // the submit directory: hidden (empty) in every VM
	cfg    string // skyportd's configuration
	socket string
	netns  string // the lab's network namespace: /proc/<armemu>/ns/net
	emu    *exec.Cmd
	emuEnd chan struct{}
	ctl    *armemu.Control
	daemon *exec.Cmd
	dEnd   chan struct{}
	starts int
}

// newLab starts the emulator and skyportd; both stop at the end of tb.
func newLab(tb testing.TB, c labConfig) *lab {
	tb.Helper()
	requireLab(tb)
	bin, err := buildBinaries()
	if err != nil {
		tb.Fatal(err)
	}
	l := &lab{tb: tb, bin: bin}
	l.dir = tempDir(tb, "spemu")
	l.submit = tempDir(tb, "spsub")
	l.socket = filepath.Join(l.dir, "d.sock")
	l.startEmulator(c)
	l.writeConfig(c)
	l.startDaemon()
	return l
}

func tempDir(tb testing.TB, prefix string) string {
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func (l *lab) startEmulator(c labConfig) {
	tb := l.tb
	ctl := filepath.Join(l.dir, "emu.sock")
	cmd := exec.Command("unshare", "--net", "--",
		filepath.Join(l.bin, "armemu"), "-listen", "127.0.0.1:8443",
		"-tls-cert", ca.CertFile, "-tls-key", ca.KeyFile, "-tenant", tenant, "-client-id", client,
		"-subscription", sub, "-state-dir", filepath.Join(l.dir, "emu"), "-control", ctl,
		"-hidden", l.submit, "-boot-delay", c.BootDelay.String(), "-ready-delay", c.ReadyDelay.String())
	cmd.Env = append(os.Environ(), "ARMEMU_CLIENT_SECRET="+secret)
	logf, err := os.Create(filepath.Join(l.dir, "armemu.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	l.emu, l.emuEnd = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(l.emuEnd) }()
	tb.Cleanup(func() {
		// SIGTERM: the emulator stops every guest, then exits.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.emuEnd:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-l.emuEnd
			tb.Errorf("armemu did not stop on SIGTERM:\n%s", l.log("armemu.log"))
		}
	})
	l.netns = "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/net"
	l.ctl = armemu.NewControl(ctl)
	tb.Cleanup(l.ctl.Close)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := l.ctl.Stats(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-l.emuEnd:
			tb.Fatalf("armemu exited:\n%s", l.log("armemu.log"))
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("armemu's control API never answered: %v\n%s", err, l.log("armemu.log"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeConfig writes skyportd's configuration: the local gate (the
// default partition "debug") and the Azure gate on the emulator, with one
// pool "az" of two 2-CPU VMs that jobs share.
func (l *lab) writeConfig(c labConfig) {
	cfg := fmt.Sprintf(`[daemon]
kill_wait = "2s"
[gates.local]
kind = "local"
[gates.azure]
kind = "azure"
subscription = %q
resource_group = "skyport-e2e"
locations = ["westeurope"]
endpoint = "https://127.0.0.1:8443/"
authority_host = "https://127.0.0.1:8443/"
poll_interval = "1s"
reconcile_interval = "30s"
boot_timeout = "2m"
prices_url = ""
max_retries = 3
retry_delay = "200ms"
max_retry_delay = "5s"
[gates.azure.credential]
kind = "client_secret"
tenant_id = %q
client_id = %q
secret_env = "SKYPORT_AZURE_SECRET"
[gates.azure.network]
ssh_sources = ["10.77.0.0/16"]
public_ip = true
[gates.azure.pools.az]
sizes = ["Standard_D2s_v5"]
max_vms = 2
share = true
idle_timeout = %q
[gates.azure.prices.westeurope]
Standard_D2s_v5 = 0.096
[[partitions]]
name = "debug"
gate = "local"
default = true
[[partitions]]
name = "az"
gate = "azure"
`, sub, tenant, client, c.IdleTimeout)
	l.cfg = filepath.Join(l.dir, "skyportd.toml")
	if err := os.WriteFile(l.cfg, []byte(cfg), 0o600); err != nil {
		l.tb.Fatal(err)
	}
}

// env is the environment of skyportd and the shims.
func (l *lab) env() []string {
	return []string{
		"PATH=" + l.bin + ":/usr/local/bin:/usr/bin:/bin", "HOME=" + l.dir, "USER=root", "TZ=UTC",
		"XDG_STATE_HOME=" + l.dir, "XDG_CONFIG_HOME=" + filepath.Join(l.dir, "config"),
		"SKYPORT_SOCKET=" + l.socket, "SSL_CERT_FILE=" + ca.CAFile,
	}
}

// startDaemon starts skyportd in the lab's network namespace and waits
// until it answers.
func (l *lab) startDaemon() {
	tb := l.tb
	l.starts++
	logName := fmt.Sprintf("skyportd-%d.log", l.starts)
	cmd := exec.Command("nsenter", "--net="+l.netns, "--",
		filepath.Join(l.bin, "skyportd"), "-config", l.cfg, "-state-dir", filepath.Join(l.dir, "state"), "-socket", l.socket)
	cmd.Env = append(l.env(), "SKYPORT_AZURE_SECRET="+secret)
	cmd.Dir = l.dir
	logf, err := os.Create(filepath.Join(l.dir, logName))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	end := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(end) }()
	l.daemon, l.dEnd = cmd, end
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-end:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-end
		}
	})
	c := api.NewClient(l.socket)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-end:
			tb.Fatalf("skyportd exited:\n%s", l.log(logName))
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("skyportd did not answer: %v\n%s", err, l.log(logName))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killDaemon kills skyportd with SIGKILL and waits for it.
func (l *lab) killDaemon() {
	_ = l.daemon.Process.Kill()
	<-l.dEnd
}

func (l *lab) log(name string) string {
	b, _ := os.ReadFile(filepath.Join(l.dir, name))
	return string(b)
}

// logs is every log of the lab, for a failure's report.
func (l *lab) logs() string {
	var b strings.Builder
	names := []string{"armemu.log"}
	for i := 1; i <= l.starts; i++ {
		names = append(names, fmt.Sprintf("skyportd-%d.log", i))
	}
	for _, n := range names {
		fmt.Fprintf(&b, "---- %s\n%s", n, l.log(n))
	}
	return b.String()
}
