package main

import (
	"context"
	"time"
)

// run measures every row. Rows 1 and 2 sample Sky Port and real Slurm
// side by side (see interleave); rows 3 and 4, whose targets are
// absolute, run on Sky Port first and then on Slurm.
func (b *bench) run(ctx context.Context) {
	if b.slurm {
		if pid := findProcess("slurmctld"); pid > 0 {
			b.slctldIdle, _ = readMemory(pid)
		}
	}
	b.rowSbatch(ctx)
	b.rowSqueue(ctx)
	b.rowSqueueBig(ctx)
	b.rowCompleted(ctx)
	b.rowThroughput(ctx)
}

// rowSbatch measures row 1 and the idle memory of row 5, then the
// diagnostic: the same submissions through the API client.
func (b *bench) rowSbatch(ctx context.Context) {
	n := b.counts.Sbatch
	progress("row 1: idle RSS, then %d sequential sbatch --wrap=true", n)
	b.withDaemon(ctx, keySbatch, func(d *daemon) error {
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		var err error
		if b.idle, err = readMemory(d.pid()); err != nil {
			b.fail("skyport:"+keyRSS, err)
		}
		cpu := meterCPU(d.pid())
		sky := &sampler{step: sbatchStep(d.sys)}
		if b.slurm {
			b.withSlurm(ctx, keySbatch, func(sys *system) error {
				sl := &sampler{step: sbatchStep(sys)}
				interleave(ctx, n, sky, sl)
				b.slSbatch = sl.stats()
				return sl.err
			})
		} else {
			interleave(ctx, n, sky)
		}
		b.sbatch = sky.stats()
		if err := firstErr(sky.err, d.sys.drain(ctx, 2*time.Minute, false)); err != nil {
			return err
		}
		b.cpuSbatch = cpu.per(n)
		progress("row 1: %d sequential submissions through the API client (diagnostic)", n)
		b.apiSbatch, err = apiSubmitLatency(ctx, d.sock, d.sys.dir, d.sys.env, n)
		if err != nil {
			return err
		}
		// Wait for those jobs too; they are not tracked by ID.
		return waitIdle(ctx, d.sys, 2*time.Minute)
	})
}

// rowSqueue measures row 2 with the smaller queue, on both systems.
func (b *bench) rowSqueue(ctx context.Context) {
	c := b.counts
	progress("row 2: squeue with %d held jobs", c.HeldSmall)
	b.withDaemon(ctx, keySqueue, func(d *daemon) error {
		var err error
		if b.bulkSmall, err = submitHeld(ctx, d.sock, d.sys.dir, d.sys.env, c.HeldSmall); err != nil {
			return err
		}
		if b.rowsSmall, err = countRows(ctx, d.sys); err != nil {
			return err
		}
		sky := &sampler{step: squeueStep(d.sys)}
		if b.slurm {
			b.withSlurm(ctx, keySqueue, func(sys *system) error {
				var err error
				if b.slHeld, err = submitHeldCLI(ctx, sys, c.HeldSmall); err != nil {
					return err
				}
				if b.slRows, err = countRows(ctx, sys); err != nil {
					return err
				}
				sl := &sampler{step: squeueStep(sys)}
				interleave(ctx, c.SqueueRuns, sky, sl)
				b.slSqueue = sl.stats()
				if pid := findProcess("slurmctld"); pid > 0 {
					b.slctldHeld, _ = readMemory(pid)
				}
				return sl.err
			})
		} else {
			interleave(ctx, c.SqueueRuns, sky)
		}
		b.squeue = sky.stats()
		if sky.err != nil {
			return sky.err
		}
		b.apiSqueue, err = apiSqueueLatency(ctx, d.sock, d.sys.env, c.SqueueRuns)
		return err
	})
}

// rowSqueueBig measures row 2 with the big queue (Sky Port only) and the
// memory of row 5 with it.
func (b *bench) rowSqueueBig(ctx context.Context) {
	c := b.counts
	progress("row 2: submitting %d held jobs through the API (%d workers)", c.HeldBig, bulkWorkers)
	b.withDaemon(ctx, keySqueueBig, func(d *daemon) error {
		var err error
		b.bulkBig, err = submitHeld(ctx, d.sock, d.sys.dir, d.sys.env, c.HeldBig)
		progress("row 2: %d held jobs in %s (%.0f jobs/s)", b.bulkBig.N, b.bulkBig.Elapsed.Round(time.Millisecond), b.bulkBig.rate())
		if err != nil {
			return err
		}
		if b.bigAfterSubmit, err = readMemory(d.pid()); err != nil {
			b.fail("skyport:"+keyRSS, err)
		}
		progress("row 2: squeue with %d held jobs", c.HeldBig)
		cpu := meterCPU(d.pid())
		if b.rowsBig, err = countRows(ctx, d.sys); err != nil {
			return err
		}
		sky := &sampler{step: squeueStep(d.sys)}
		interleave(ctx, c.SqueueRuns, sky)
		b.squeueBig = sky.stats()
		b.cpuSqueueBig = cpu.per(len(sky.samples) + 1) // + the squeue -h that counts rows
		err = sky.err
		if err == nil {
			b.apiSqueueBig, err = apiSqueueLatency(ctx, d.sock, d.sys.env, c.SqueueRuns)
		}
		if m, merr := readMemory(d.pid()); merr != nil {
			b.fail("skyport:"+keyRSS, merr)
		} else {
			b.bigAfter = m
		}
		return err
	})
}

// rowCompleted measures row 3 on Sky Port, then on real Slurm.
func (b *bench) rowCompleted(ctx context.Context) {
	c := b.counts
	progress("row 3: %d × submit→COMPLETED", c.Completed)
	b.withDaemon(ctx, keyCompleted, func(d *daemon) error {
		var err error
		b.completed, err = submitToCompleted(ctx, d.sys, skyCompletedLoop(c.Completed))
		return firstErr(err, d.sys.drain(ctx, time.Minute, false))
	})
	if !b.slurm {
		return
	}
	progress("row 3: Slurm, %d × submit→COMPLETED", c.SlurmCompleted)
	b.withSlurm(ctx, keyCompleted, func(sys *system) error {
		var err error
		b.slCompleted, err = submitToCompleted(ctx, sys, slurmCompletedLoop(c.SlurmCompleted))
		return err
	})
}

// rowThroughput measures row 4 on Sky Port, then on real Slurm (capped).
func (b *bench) rowThroughput(ctx context.Context) {
	c := b.counts
	progress("row 4: throughput, %d jobs", c.Throughput)
	b.withDaemon(ctx, keyThroughput, func(d *daemon) error {
		var err error
		b.thr, err = throughput(ctx, d.sys, c.Throughput, throughputWorkers, 50*time.Millisecond, 5*time.Minute)
		return firstErr(err, d.sys.drain(ctx, 2*time.Minute, false))
	})
	if !b.slurm {
		return
	}
	progress("row 4: Slurm, throughput, %d jobs", c.SlurmThroughput)
	b.withSlurm(ctx, keyThroughput, func(sys *system) error {
		var err error
		b.slThr, err = throughput(ctx, sys, c.SlurmThroughput, throughputWorkers, 50*time.Millisecond, 5*time.Minute)
		return err
	})
}

// skyCompletedLoop is row 3's loop for Sky Port: 10 ms polls and a short
// random gap.
func skyCompletedLoop(n int) completedLoop {
	return completedLoop{N: n, Poll: 10 * time.Millisecond, GapMin: 100 * time.Millisecond, GapMax: 300 * time.Millisecond, PerJob: time.Minute}
}

// slurmCompletedLoop is row 3's loop for real Slurm, as Appendix A (c).
func slurmCompletedLoop(n int) completedLoop {
	return completedLoop{N: n, Poll: 50 * time.Millisecond, GapMin: 500 * time.Millisecond, GapMax: 1500 * time.Millisecond, PerJob: time.Minute}
}
