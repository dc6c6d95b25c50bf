package shims_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"skyport/gate/ssh/sshtest"
	"skyport/gateway/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/script (make golden)")

// binDir holds the real binaries, built once by TestMain.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := buildAndRun(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

// buildAndRun builds skyportd and the shim binary (with its links) the way
// `make build` does, then runs the tests against those real binaries.
func buildAndRun(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "skyport-bin-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	for _, b := range []struct {
		out, pkg string
		cgo      bool
	}{
		{"skyportd", "skyport/cmd/skyportd", true},
		{"skyport-supervise", "skyport/cmd/skyport-supervise", false},
		{"skyport", "skyport/cmd/skyport", false},
	} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b.out), b.pkg)
		if !b.cgo {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build`
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("build %s: %w", b.pkg, err)
		}
	}
	for _, s := range []string{"sbatch", "squeue", "scancel", "sacct", "sinfo", "scontrol", "srun", "sacctmgr", "sshare"} {
		if err := os.Symlink("skyport", filepath.Join(dir, s)); err != nil {
			return 0, err
		}
	}
	binDir = dir
	return m.Run(), nil
}

// TestScripts runs testdata/script/*.txtar: each script gets its own
// daemon state and socket, and drives the real binaries.
func TestScripts(t *testing.T) {
	t.Parallel()
	lab := sshLab(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// Socket paths must stay short: keep the state in a short temp dir.
			state, err := os.MkdirTemp("", "sp")
			if err != nil {
				return err
			}
			env.Defer(func() { os.RemoveAll(state) })
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("XDG_STATE_HOME", state)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("SKYPORT_SOCKET", filepath.Join(state, "skyport", "skyportd.sock"))
			env.Setenv("STATE", filepath.Join(state, "skyport"))
			env.Setenv("USER", currentUser())
			env.Setenv("TZ", "UTC")
			env.Setenv("HOST", shortHost())
			env.Setenv("CONFIGS", configsDir)
			env.Values[daemonKey{}] = &daemonSlot{}
			return lab(env.WorkDir)
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Getuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"skyportd":  cmdSkyportd,
			"waitstate": cmdWaitState,
		},
	})
}

// configsDir holds the example configurations the scripts run with.
var configsDir, _ = filepath.Abs("../configs")

// shortHost is the node name of the local gate: the host name up to the first dot.
func shortHost() string {
	h, _ := os.Hostname()
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return strconv.Itoa(os.Getuid())
}

// daemon is a skyportd a script started.
type daemon struct {
	cmd  *exec.Cmd
	done chan error
}

// cmdSkyportd controls the script's daemon:
//
//	skyportd start [args...]  start it in the background; wait until it answers
//	skyportd stop             SIGTERM, and wait for it to exit
//	skyportd kill             SIGKILL (the crash case), and wait for it to exit
func cmdSkyportd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: skyportd start|stop|kill")
	}
	slot := ts.Value(daemonKey{}).(*daemonSlot)
	d := slot.d
	switch args[0] {
	case "start":
		if d != nil && !neg {
			ts.Fatalf("skyportd already started")
		}
		n := slot.started + 1
		slot.started = n
		logPath := filepath.Join(ts.Getenv("WORK"), fmt.Sprintf("skyportd-%d.log", n))
		d := startDaemon(ts, logPath, args[1:])
		if neg {
			// Expect it to refuse: it must exit non-zero; its words go to stderr.
			select {
			case werr := <-d.done:
				log, _ := os.ReadFile(logPath)
				fmt.Fprint(ts.Stderr(), string(log))
				if werr == nil {
					ts.Fatalf("skyportd exited 0, expected a failure")
				}
			case <-time.After(20 * time.Second):
				ts.Fatalf("skyportd still running after 20s, expected it to fail")
			}
			return
		}
		c := api.NewClient(ts.Getenv("SKYPORT_SOCKET"))
		deadline := time.Now().Add(20 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := c.Ping(ctx)
			cancel()
			if err == nil {
				break
			}
			select {
			case werr := <-d.done:
				log, _ := os.ReadFile(logPath)
				ts.Fatalf("skyportd exited: %v\n%s", werr, log)
			default:
			}
			if time.Now().After(deadline) {
				ts.Fatalf("skyportd did not answer within 20s: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		ts.Setenv("SKYPORTD_PID", strconv.Itoa(d.cmd.Process.Pid))
		slot.d = d
	case "stop", "kill":
		if d == nil {
			ts.Fatalf("skyportd not started")
		}
		sig := syscall.SIGTERM
		if args[0] == "kill" {
			sig = syscall.SIGKILL
		}
		ts.Check(d.cmd.Process.Signal(sig))
		select {
		case err := <-d.done:
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				ts.Fatalf("wait: %v", err)
			}
		case <-time.After(15 * time.Second):
			ts.Fatalf("skyportd did not exit after %v", sig)
		}
		slot.d = nil
	default:
		ts.Fatalf("unknown skyportd subcommand %q", args[0])
	}
}

type daemonKey struct{}

// daemonSlot holds the daemon a script started (testscript values are
// per script) and counts the starts, which name the log files.
type daemonSlot struct {
	d       *daemon
	started int
}

// startDaemon starts skyportd with args in the background, logging to
// logPath; the script's end stops it (SIGTERM, then SIGKILL).
func startDaemon(ts *testscript.TestScript, logPath string, args []string) *daemon {
	cmd := exec.Command(filepath.Join(binDir, "skyportd"), args...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = scriptEnv(ts)
	logf, err := os.Create(logPath)
	ts.Check(err)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ts.Check(cmd.Start())
	d := &daemon{cmd: cmd, done: make(chan error, 1)}
	go func() { d.done <- cmd.Wait(); logf.Close() }()
	ts.Defer(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return d
}

// scriptEnv is the environment of the script, for processes the custom
// commands start.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "USER", "TZ", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "SKYPORT_SOCKET", "TMPDIR"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// cmdWaitState waits until sacct reports job ID in one of the states
// (comma-separated), for at most the timeout (default 30s).
//
//	waitstate ID STATE[,STATE...] [TIMEOUT]
func cmdWaitState(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: waitstate ID STATE[,STATE] [TIMEOUT]")
	}
	timeout := 30 * time.Second
	if len(args) > 2 {
		var err error
		timeout, err = time.ParseDuration(args[2])
		ts.Check(err)
	}
	want := strings.Split(args[1], ",")
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		cmd := exec.Command(filepath.Join(binDir, "sacct"), "-n", "-X", "-P", "-o", "State", "-j", args[0])
		cmd.Env = scriptEnv(ts)
		out, err := cmd.Output()
		last = strings.TrimSpace(string(out))
		if err == nil {
			for _, w := range want {
				if last == w || strings.HasPrefix(last, w+" ") {
					return
				}
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	ts.Fatalf("job %s: state %q after %v, want %s", args[0], last, timeout, args[1])
}

// sshLab starts one in-process SSH server for the scripts and returns a
// Setup step that writes $WORK/sshlab.toml: a config whose partition "lab"
// runs jobs on that server's host "n1" through the SSH gate (the server
// runs commands on this machine, so the host shares this file system),
// beside the local partition "debug".
func sshLab(t *testing.T) func(work string) error {
	keyFile, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	return func(work string) error {
		cfg := fmt.Sprintf(`[daemon]
kill_wait = "2s"
[gates.local]
kind = "local"
[gates.lab]
kind = "ssh"
poll_interval = "200ms"
[[gates.lab.hosts]]
name = "n1"
address = %q
user = %q
key_file = %q
host_key = %q
cpus = 2
memory = "2G"
remote_dir = %q
shared_fs = true
[[partitions]]
name = "debug"
gate = "local"
default = true
[[partitions]]
name = "lab"
gate = "lab"
`, srv.Addr, currentUser(), keyFile, srv.AuthorizedKey(), filepath.Join(work, ".remote"))
		return os.WriteFile(filepath.Join(work, "sshlab.toml"), []byte(cfg), 0o600)
	}
}
