package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// bulkWorkers is how many goroutines submit held jobs concurrently.
const bulkWorkers = 8

// bulkResult is the outcome of one bulk submission.
type bulkResult struct {
	N       int           // jobs acknowledged by the daemon
	Elapsed time.Duration // first request to last answer
}

// rate is jobs per second.
func (b bulkResult) rate() float64 {
	if b.Elapsed <= 0 {
		return 0
	}
	return float64(b.N) / b.Elapsed.Seconds()
}

// heldRequest builds the request "sbatch --hold --wrap=true" sends from
// dir with env: the options go through the same parsing and merging as
// the shim's, so the daemon stores exactly what a real submission stores.
func heldRequest(dir string, env []string) (api.SubmitRequest, error) {
	cli, _, _, err := compat.ParseSbatchArgs([]string{"--hold", "--wrap=true"})
	if err != nil {
		return api.SubmitRequest{}, fmt.Errorf("bench: parse sbatch args: %w", err)
	}
	opts, err := compat.MergeOptions(cli, env, nil)
	if err != nil {
		return api.SubmitRequest{}, fmt.Errorf("bench: merge sbatch options: %w", err)
	}
	return api.SubmitRequest{Options: opts, Script: compat.WrapScript("true"), Cwd: dir, Env: env}, nil
}

// submitHeld submits n held jobs to the daemon on socket through the API
// client, bulkWorkers at a time, each worker with its own client
// (connection). It stops at the first error or when ctx is done and
// returns how many jobs were acknowledged and how long that took.
func submitHeld(ctx context.Context, socket, dir string, env []string, n int) (bulkResult, error) {
	req, err := heldRequest(dir, env)
	if err != nil {
		return bulkResult{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, acked atomic.Int64
		wg          sync.WaitGroup
		once        sync.Once
		firstErr    error
	)
	t0 := time.Now()
	for range bulkWorkers {
		wg.Go(func() {
			cl := api.NewClient(socket)
			for next.Add(1) <= int64(n) {
				rctx, rcancel := context.WithTimeout(ctx, cmdTimeout)
				_, err := cl.Submit(rctx, req)
				rcancel()
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("bench: bulk submit: %w", err); cancel() })
					return
				}
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	return bulkResult{N: int(acked.Load()), Elapsed: time.Since(t0)}, firstErr
}
