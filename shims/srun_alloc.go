package shims

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// srunAlloc is srun outside a job: it asks for an allocation, waits for
// it (printing Slurm's "queued and waiting" lines only when it had to
// wait), runs the command as step 0 while renewing the allocation's
// lease, and releases the allocation with the step's exit status. The
// job ends when the step ends; a double Ctrl-C cancels it.
func srunAlloc(ctx context.Context, inv *Invocation, o *compat.SrunOptions) int {
	resp, err := inv.Client.Alloc(ctx, api.AllocRequest{Options: o.Submit, Command: o.Command, Cwd: inv.Cwd, Env: inv.Env})
	if err != nil {
		if unreachable(err) {
			fmt.Fprintln(inv.Stderr, "srun: error: Unable to allocate resources: Unable to contact slurm controller (connect failure)")
			return 1
		}
		return inv.fail("srun", err)
	}
	id := resp.JobID
	w, ok := waitAlloc(ctx, inv, id)
	if !ok {
		return 1
	}
	lease := time.Duration(max(resp.LeaseSeconds, 3)) * time.Second
	abort := make(chan string, 1)
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			b, err := inv.Client.AllocBeat(ctx, id)
			if err == nil && b.End {
				abort <- b.Reason
				return
			}
		}
	}()
	code, rep := runStep(ctx, inv, o, stepJob{id: id, env: w.Env, abort: abort})
	close(stop)
	rel := api.AllocReleaseRequest{JobID: id, ExitCode: rep.ExitCode, Signal: rep.Signal,
		Cancel: rep.Cancelled && rep.Signal == int(syscall.SIGINT)}
	for range 30 {
		err := inv.Client.AllocRelease(context.WithoutCancel(ctx), rel)
		if err == nil || !unreachable(err) {
			break
		}
		time.Sleep(time.Second)
	}
	return code
}

// waitAlloc waits until allocation id runs. A Ctrl-C meanwhile gives it
// up (the daemon cancels it).
func waitAlloc(ctx context.Context, inv *Invocation, id uint32) (api.AllocWaitResponse, bool) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	queued := false
	timeout := 1000 // the first answer comes at once: the scheduler starts what fits
	for {
		select {
		case <-sigs:
			fmt.Fprintf(inv.Stderr, "srun: Job allocation %d has been revoked\n", id)
			_ = inv.Client.AllocRelease(context.WithoutCancel(ctx), api.AllocReleaseRequest{JobID: id, Cancel: true})
			return api.AllocWaitResponse{}, false
		default:
		}
		w, err := inv.Client.AllocWait(ctx, api.AllocWaitRequest{JobID: id, TimeoutMS: timeout})
		switch {
		case err != nil && unreachable(err):
			time.Sleep(time.Second)
			continue
		case err != nil:
			inv.fail("srun", err)
			return w, false
		case w.Running:
			if queued {
				fmt.Fprintf(inv.Stderr, "srun: job %d has been allocated resources\n", id)
			}
			return w, true
		case w.Ended:
			fmt.Fprintf(inv.Stderr, "srun: error: Unable to allocate resources: Job/step already completing or completed\n")
			return w, false
		}
		if !queued {
			fmt.Fprintf(inv.Stderr, "srun: job %d queued and waiting for resources\n", id)
			queued = true
		}
		timeout = 2000
	}
}
