package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Keys of the measurements, used for errors and rows.
const (
	keySbatch     = "sbatch"
	keySqueue     = "squeue"
	keySqueueBig  = "squeue-big"
	keyCompleted  = "completed"
	keyThroughput = "throughput"
	keyRSS        = "rss"
)

// bench holds the configuration of a run and everything it measured.
type bench struct {
	bin, config string
	counts      counts
	quick       bool
	slurm       bool   // real Slurm is measured
	slurmNote   string // why not, when it is not
	machine     machine

	// Sky Port
	idle                      memory
	sbatch, squeue, squeueBig Stats
	rowsSmall, rowsBig        int
	bulkSmall, bulkBig        bulkResult
	bigAfterSubmit, bigAfter  memory
	completed                 Stats
	thr                       throughputResult

	// Sky Port diagnostics: the daemon's share of rows 1 and 2
	apiSbatch, apiSqueue, apiSqueueBig Stats
	cpuSbatch, cpuSqueueBig            time.Duration // skyportd CPU per job / per squeue

	// real Slurm
	slSbatch, slSqueue, slCompleted Stats
	slRows                          int
	slHeld                          bulkResult
	slThr                           throughputResult
	slctldIdle, slctldHeld          memory
	slurmBusy                       map[string]string // scenario → others' jobs seen

	errs map[string]error
}

// withDaemon runs f against a fresh skyportd and stops it afterwards.
func (b *bench) withDaemon(ctx context.Context, key string, f func(*daemon) error) {
	key = "skyport:" + key
	if ctx.Err() != nil {
		b.fail(key, ctx.Err())
		return
	}
	d, err := startDaemon(ctx, b.bin, b.config)
	if err != nil {
		b.fail(key, err)
		return
	}
	defer d.stop()
	b.fail(key, f(d))
}

// withSlurm runs f against real Slurm from a fresh scratch directory,
// then cancels whatever of the bench's jobs is still queued, waits for
// them to leave, and removes the directory.
func (b *bench) withSlurm(ctx context.Context, key string, f func(*system) error) {
	key = "slurm:" + key
	if ctx.Err() != nil {
		b.fail(key, ctx.Err())
		return
	}
	dir, err := os.MkdirTemp("/tmp", "skbslurm")
	if err != nil {
		b.fail(key, err)
		return
	}
	sys := &system{name: "Slurm", bin: slurmBin, env: cleanEnv(), dir: dir}
	defer func() {
		// Clean up even when the run was interrupted.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
		defer cancel()
		b.fail(key, sys.drain(cctx, time.Minute, true))
		if err := os.RemoveAll(dir); err != nil {
			b.fail(key, err)
		}
	}()
	// Real Slurm is shared: give other people's jobs time to finish, and
	// say so in the table when they were there before or after.
	before := sys.waitForeignIdle(ctx, 2*time.Minute)
	b.fail(key, f(sys))
	after, _ := sys.foreignLoad(ctx)
	var notes []string
	if before != "" {
		notes = append(notes, "before: "+before)
	}
	if after != "" {
		notes = append(notes, "after: "+after)
	}
	if len(notes) > 0 {
		if b.slurmBusy == nil {
			b.slurmBusy = map[string]string{}
		}
		b.slurmBusy[strings.TrimPrefix(key, "slurm:")] = strings.Join(notes, "; ")
	}
}

// waitIdle polls "squeue -h -o %i" every 200 ms until it prints nothing
// or wait has passed.
func waitIdle(ctx context.Context, sys *system, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		out, _, err := sys.output(ctx, "squeue", "-h", "-o", "%i")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: queue not empty after %s", sys.name, wait)
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
