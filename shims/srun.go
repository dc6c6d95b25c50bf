package shims

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// Srun is srun. Inside a job (SLURM_JOB_ID set, or --jobid) it runs the
// command as a new step of that job: it registers the step with the
// daemon, runs the command itself with the step's environment (the job's
// allocation is this machine, and the step stays in the job's process
// group, so scancel ends it with the job), and reports how it ended.
// Outside a job it first makes an allocation (srun_alloc.go) and runs the
// command as its step 0. Its exit status is the task's: the exit code, or
// 128+signal.
func Srun(ctx context.Context, inv *Invocation) int {
	o, err := compat.ParseSrunArgs(inv.Args)
	if err != nil {
		return inv.fail("srun", err)
	}
	if o.Show != "" {
		fmt.Fprint(inv.Stdout, o.Show)
		return 0
	}
	id := o.JobID
	if id == 0 {
		for _, k := range []string{"SLURM_JOB_ID", "SLURM_JOBID"} {
			if v, ok := lookupEnv(inv.Env, k); ok {
				if n, err := strconv.ParseUint(v, 10, 32); err == nil && n > 0 {
					id = uint32(n)
					break
				}
			}
		}
	}
	if id == 0 {
		return srunAlloc(ctx, inv, &o)
	}
	code, _ := runStep(ctx, inv, &o, stepJob{id: id, env: inv.Env, inBatch: true})
	return code
}

// stepJob is the job a step runs in: its id, the environment the step
// starts from, and, for srun's own allocation, the channel that says the
// allocation must end (scancel, time limit).
type stepJob struct {
	id      uint32
	env     []string
	inBatch bool
	abort   <-chan string
}

// runStep registers, runs and reports one step of job j: its tasks (-n,
// else the job's SLURM_NTASKS) run here, each with its own SLURM_PROCID.
// It returns srun's exit status and the step's end as reported.
func runStep(ctx context.Context, inv *Invocation, o *compat.SrunOptions, j stepJob) (int, api.StepEndRequest) {
	name := compat.SrunStepName(o)
	ntasks := o.NTasks
	if ntasks <= 0 {
		ntasks = 1
		if n, err := strconv.Atoi(lookupOr(j.env, "SLURM_NTASKS", "1")); err == nil && n > 1 {
			ntasks = n
		}
	}
	resp, err := inv.Client.StepStart(ctx, api.StepStartRequest{JobID: j.id, Name: name, NTasks: ntasks, CPUs: o.CPUsPerTask,
		CPUsPerTask: o.CPUsPerTask, Overcommit: o.Overcommit})
	if err != nil {
		if unreachable(err) {
			fmt.Fprintf(inv.Stderr, "srun: error: Unable to confirm allocation for job %d: Unable to contact slurm controller (connect failure)\n", j.id)
			return 1, api.StepEndRequest{ExitCode: 1}
		}
		return inv.fail("srun", err), api.StepEndRequest{ExitCode: 1}
	}
	node := resp.Node
	base := withoutVar(j.env, "SLURM_TASK_PID")
	dir := inv.Cwd
	if o.Submit.Chdir != "" {
		dir = compat.ResolveWorkDir(o.Submit.Chdir, inv.Cwd)
	}
	ts := newTaskSet(ntasks, o.Command, dir, func(i int) []string {
		return compat.MergeEnv(base, compat.StepEnv(compat.StepEnvInput{
			JobID: j.id, StepID: resp.StepID, Node: node, NTasks: ntasks, TaskID: i, CPUs: resp.CPUs,
			InBatch: j.inBatch, Umask: currentUmask(),
		}))
	})
	defer ts.close()
	vars := compat.PatternVars{
		JobID: j.id, ArrayTaskID: -1, JobName: lookupOr(base, "SLURM_JOB_NAME", name),
		User: lookupOr(base, "SLURM_JOB_USER", lookupOr(base, "USER", "")), Node: node,
		Step: strconv.FormatUint(uint64(resp.StepID), 10),
	}
	rep := api.StepEndRequest{JobID: j.id, StepID: resp.StepID}
	for i, cmd := range ts.cmds {
		vars.TaskID = i
		if err := stepStdio(ts, cmd, inv, o, dir, vars); err != nil {
			fmt.Fprintf(inv.Stderr, "srun: error: %v\n", err)
			rep.ExitCode = 1
			endStep(ctx, inv, rep)
			return 1, rep
		}
	}
	if o.Label || (ntasks > 1 && !o.Unbuffered) {
		ts.lineStreams(o.Label)
	}
	if ntasks > 1 && o.Input == "" {
		ts.broadcastStdin(inv.Stdin) // srun's default: its stdin to every task
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	ts.start(node)
	done := ts.wait()
	stepName := fmt.Sprintf("StepId=%d.%d", j.id, resp.StepID)
	aborted := false // srun or the daemon ended the step
	var lastInt time.Time
	abort := j.abort
	stderr := ts.cmds0Stderr(inv)
loop:
	for {
		select {
		case <-done:
			break loop
		case why := <-abort:
			abort = nil
			aborted = true
			fmt.Fprint(stderr, compat.StepCancelledLine(j.id, resp.StepID, node, why, time.Now()))
			fmt.Fprint(inv.Stderr, "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.\n")
			ts.signal(syscall.SIGTERM)
		case s := <-sigs:
			switch s {
			case syscall.SIGINT:
				if time.Since(lastInt) > time.Second {
					lastInt = time.Now()
					fmt.Fprintf(inv.Stderr, "srun: interrupt (one more within 1 sec to abort)\nsrun: %s %s: running\n",
						stepName, compat.TaskRange(ts.running()))
					continue
				}
				fmt.Fprintf(inv.Stderr, "srun: sending Ctrl-C to %s\nsrun: forcing job termination\n"+
					"srun: Job step aborted: Waiting up to 32 seconds for job step to finish.\n", stepName)
				rep.Cancelled, aborted = true, true
				ts.signal(syscall.SIGINT)
			case syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP:
				fmt.Fprint(inv.Stderr, "srun: forcing job termination\n"+
					"srun: Job step aborted: Waiting up to 32 seconds for job step to finish.\n")
				fmt.Fprint(stderr, compat.StepCancelledLine(j.id, resp.StepID, node, "cancelled", time.Now()))
				rep.Cancelled, aborted = true, true
				ts.signal(syscall.SIGKILL)
			default:
				ts.signal(s) // USR1/USR2 go to the tasks
			}
		}
	}
	var use stepUsage
	ts.collect(&use)
	rep.ExitCode, rep.Signal = use.code, use.signal
	rep.MaxRSSKB, rep.UserCPU, rep.SystemCPU = use.maxRSSKB, use.userCPU.Nanoseconds(), use.systemCPU.Nanoseconds()
	endStep(ctx, inv, rep)
	msg, code := compat.SrunTasksEnd(node, j.id, resp.StepID, ts.ends)
	switch {
	case rep.Cancelled && rep.Signal == int(syscall.SIGINT):
		// srun's double Ctrl-C: the abort lines said it all.
	case aborted:
		fmt.Fprint(inv.Stderr, compat.StripForceTerminated(msg))
	default:
		fmt.Fprint(inv.Stderr, msg)
	}
	return code, rep
}

// endStep reports a step's end; a daemon that cannot be reached is told
// again once a second for a while (a restart), then given up on.
func endStep(ctx context.Context, inv *Invocation, rep api.StepEndRequest) {
	for range 30 {
		err := inv.Client.StepEnd(context.WithoutCancel(ctx), rep)
		if err == nil || !unreachable(err) {
			return
		}
		time.Sleep(time.Second)
	}
}

// stepStdio connects one task's standard streams: srun's own, or the
// files -o/-e/-i name (patterns expanded for the task, relative to its
// working directory; tasks naming the same file share it).
func stepStdio(ts *taskSet, cmd *exec.Cmd, inv *Invocation, o *compat.SrunOptions, dir string, v compat.PatternVars) error {
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inv.Stdin, inv.Stdout, inv.Stderr
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if o.Submit.OpenMode == "append" {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	open := func(pattern string, flag int) (*os.File, error) {
		path := srunPath(pattern, dir, v)
		f, err := ts.open(path, flag)
		if err != nil {
			return nil, fmt.Errorf("Could not open stdio file %s: %w", path, errors.Unwrap(err)) //nolint:staticcheck // srun's own words
		}
		return f, nil
	}
	if o.Output != "" {
		f, err := open(o.Output, flags)
		if err != nil {
			return err
		}
		cmd.Stdout, cmd.Stderr = f, f
	}
	if o.Error != "" {
		f, err := open(o.Error, flags)
		if err != nil {
			return err
		}
		cmd.Stderr = f
	}
	if o.Input != "" {
		f, err := open(o.Input, os.O_RDONLY)
		if err != nil {
			return err
		}
		cmd.Stdin = f
	}
	return nil
}

// srunPath is the file an srun -o/-e/-i pattern names.
func srunPath(pattern, dir string, v compat.PatternVars) string {
	if pattern == "none" {
		return os.DevNull
	}
	p := compat.ExpandPattern(pattern, v)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return p
}

// execErrText is strerror of a failed exec.
func execErrText(err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
		return "No such file or directory"
	case errors.As(err, &errno):
		return compat.Capitalize(errno.Error())
	case errors.Is(err, os.ErrPermission):
		return "Permission denied"
	}
	return err.Error()
}

// currentUmask is srun's umask as Slurm exports it ("0022").
func currentUmask() string {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return fmt.Sprintf("%04o", m)
}

// lookupEnv finds name in env.
func lookupEnv(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		kv := env[i]
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// lookupOr is name's value in env, or def.
func lookupOr(env []string, name, def string) string {
	if v, ok := lookupEnv(env, name); ok {
		return v
	}
	return def
}

// withoutVar returns env without name.
func withoutVar(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			continue
		}
		out = append(out, kv)
	}
	return out
}
