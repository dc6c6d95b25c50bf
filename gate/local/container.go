package local

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"skyport/gate"
)

// containerRun is a job whose script runs inside an image: the runtime
// client (docker run, podman run) is the job's process, in the job's
// process group. Kill requests reach the container's main process through
// the runtime (signal), other signals through the client's signal proxy;
// what the client cannot pass on (SIGKILL at the end of the grace) is
// made up for by removing the container by name once the job has ended.
type containerRun struct {
	runtime string // the runtime's path
	name    string
	env     []string
	cred    *syscall.Credential
}

// containerEnvSkip are variables of the job's environment the image keeps
// its own values of: the host's PATH and HOME name places that need not
// exist inside.
var containerEnvSkip = map[string]bool{"PATH": true, "HOME": true, "HOSTNAME": true, "TERM": true}

// containerArgv returns the command that runs the job's script (in the
// run directory runDir) inside spec.Container's image, starting in wd
// (the container's WorkDir when set): "RUNTIME run --rm -i --name NAME
// --network host USER -v ... -w DIR -e NAME... --entrypoint /bin/sh IMAGE
// -c WRAPPER SCRIPT ARGS...". The job's submit directory, work directory
// and run directory (read-only) are mounted at their own paths, and the
// --container-mounts items where they say. The job runs as its own user:
// --user UID:GID with its groups, or, for podman run by that user without
// root, --userns=keep-id.
func containerArgv(spec *gate.Spec, runtime, runDir, wd string, euid int) []string {
	c := spec.Container
	argv := []string{runtime, "run", "--rm", "-i", "--name", containerName(spec, runDir), "--network", "host"}
	if filepath.Base(runtime) == "podman" && euid != 0 {
		argv = append(argv, "--userns=keep-id")
	} else {
		argv = append(argv, "--user", strconv.FormatUint(uint64(spec.UID), 10)+":"+strconv.FormatUint(uint64(spec.GID), 10))
		for _, g := range spec.Groups {
			if g != spec.GID {
				argv = append(argv, "--group-add", strconv.FormatUint(uint64(g), 10))
			}
		}
	}
	mounted := map[string]bool{}
	bind := func(src, dst, flags string) {
		if src == "" || mounted[dst] {
			return
		}
		mounted[dst] = true
		v := src + ":" + dst
		if flags != "" {
			v += ":" + flags
		}
		argv = append(argv, "-v", v)
	}
	bind(runDir, runDir, "ro")
	bind(spec.SubmitDir, spec.SubmitDir, "")
	if !under(wd, spec.SubmitDir) && wd != "/tmp" {
		bind(wd, wd, "")
	}
	for _, m := range c.Mounts {
		src, dst, flags := splitMount(m)
		bind(src, dst, flags)
	}
	dir := wd
	if c.WorkDir != "" {
		dir = c.WorkDir
	}
	argv = append(argv, "-w", dir)
	for _, kv := range jobEnv(spec.Env) {
		name, _, _ := strings.Cut(kv, "=")
		if name != "" && !containerEnvSkip[name] {
			argv = append(argv, "-e", name) // the value comes from the client's environment
		}
	}
	argv = append(argv, "--entrypoint", "/bin/sh", c.Image, "-c", taskPIDWrapper, filepath.Join(runDir, scriptFile))
	return append(argv, spec.Args...)
}

// splitMount reads a --container-mounts item "SRC[:DST[:FLAGS]]".
func splitMount(m string) (src, dst, flags string) {
	parts := strings.SplitN(m, ":", 3)
	src, dst = parts[0], parts[0]
	if len(parts) > 1 && parts[1] != "" {
		dst = parts[1]
	}
	if len(parts) > 2 {
		flags = parts[2]
	}
	return src, dst, flags
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// containerName names a run's container: the job, the run, and a hash of
// the run directory, so that two daemons on one machine never collide.
func containerName(spec *gate.Spec, runDir string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(runDir))
	return fmt.Sprintf("skyport-%d-%d-%08x", spec.JobID, spec.Restart, h.Sum32())
}

// lookRuntime finds the runtime program in the job's PATH, else in the
// supervisor's.
func lookRuntime(name string, env []string) (string, error) {
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			for _, d := range filepath.SplitList(p) {
				if f := filepath.Join(d, name); d != "" && isExecutable(f) {
					return f, nil
				}
			}
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("container runtime %s not found in PATH: %w", name, err)
	}
	return p, nil
}

// remove deletes the container (and stops what runs in it) after the job
// ended by a kill: the client may have died without passing it on. It is
// best effort and bounded; a container already gone is fine.
func (c *containerRun) remove(log interface{ Warn(string, ...any) }) {
	args := []string{"rm", "-f", c.name} // docker: SIGKILL at once
	if filepath.Base(c.runtime) == "podman" {
		args = []string{"rm", "-f", "-t", "0", c.name} // else SIGTERM and 10 s
	}
	out, err := c.run(60*time.Second, args...)
	var ee *exec.ExitError
	gone := errors.As(err, &ee) && strings.Contains(strings.ToLower(string(out)), "no such container")
	if err != nil && !gone {
		log.Warn("remove container", "name", c.name, "err", err, "output", strings.TrimSpace(string(out)))
	}
}

// signal sends sig to the container's main process through the runtime
// ("kill --signal"), which reaches it even before the client's signal
// proxy is in place. An error means it was not sent (the container is
// not running yet, or is gone).
func (c *containerRun) signal(sig syscall.Signal) error {
	if out, err := c.run(30*time.Second, "kill", "--signal", strconv.Itoa(int(sig)), c.name); err != nil {
		return fmt.Errorf("%s kill %s: %w: %s", filepath.Base(c.runtime), c.name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// run runs the runtime with args as the job's user, in its environment,
// for at most timeout, and returns what it printed.
func (c *containerRun) run(timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.runtime, args...)
	cmd.Env = c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd.CombinedOutput()
}

// isContainerJob reports whether the supervisor runs spec in a container.
func isContainerJob(spec *gate.Spec) bool {
	return spec.Container != nil && spec.Container.Image != ""
}
