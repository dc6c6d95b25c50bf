package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

// The diagnostics below split a Sky Port number into the daemon's share
// and the client process's share: the same request sent through the Go
// API client from inside the bench costs no process start-up.

// apiSubmitLatency times n sequential submissions of the request
// "sbatch --wrap=true" builds, sent through the API client (the jobs run).
func apiSubmitLatency(ctx context.Context, socket, dir string, env []string, n int) (Stats, error) {
	cli, _, _, err := compat.ParseSbatchArgs([]string{"--wrap=true"})
	if err != nil {
		return Stats{}, fmt.Errorf("bench: parse sbatch args: %w", err)
	}
	opts, err := compat.MergeOptions(cli, env, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("bench: merge sbatch options: %w", err)
	}
	req := api.SubmitRequest{Options: opts, Script: compat.WrapScript("true"), Cwd: dir, Env: env}
	cl := api.NewClient(socket)
	samples := make([]time.Duration, 0, n)
	for range n {
		rctx, cancel := context.WithTimeout(ctx, cmdTimeout)
		t0 := time.Now()
		_, err := cl.Submit(rctx, req)
		d := time.Since(t0)
		cancel()
		if err != nil {
			return Summarize(samples), fmt.Errorf("bench: api submit: %w", err)
		}
		samples = append(samples, d)
	}
	return Summarize(samples), nil
}

// apiSqueueLatency times runs renderings of plain squeue's output through
// the API client, discarding the text.
func apiSqueueLatency(ctx context.Context, socket string, env []string, runs int) (Stats, error) {
	o, _, err := compat.ParseSqueueArgs(nil, env, time.Now(), func(string) (uint32, bool) { return 0, false })
	if err != nil {
		return Stats{}, fmt.Errorf("bench: parse squeue args: %w", err)
	}
	cl := api.NewClient(socket)
	samples := make([]time.Duration, 0, runs)
	for range runs {
		rctx, cancel := context.WithTimeout(ctx, cmdTimeout)
		t0 := time.Now()
		err := cl.Render(rctx, api.PathSqueue, api.SqueueRequest{Options: o}, io.Discard)
		d := time.Since(t0)
		cancel()
		if err != nil {
			return Summarize(samples), fmt.Errorf("bench: api squeue: %w", err)
		}
		samples = append(samples, d)
	}
	return Summarize(samples), nil
}

// cpuTime returns the user+system CPU time pid has used so far, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	// The command name (field 2) may contain spaces: count from after ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: too few fields", pid)
	}
	var ticks int64
	for _, x := range f[11:13] { // utime, stime (fields 14, 15 of the line)
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc/%d/stat: %w", pid, err)
		}
		ticks += v
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(ticks) * tick, nil
}

// cpuMeter measures the CPU a process uses between start and per.
type cpuMeter struct {
	pid   int
	start time.Duration
}

// meterCPU starts measuring pid's CPU time.
func meterCPU(pid int) cpuMeter {
	t, _ := cpuTime(pid)
	return cpuMeter{pid: pid, start: t}
}

// per returns the CPU time used since the meter started, divided by n.
func (m cpuMeter) per(n int) time.Duration {
	t, err := cpuTime(m.pid)
	if err != nil || n <= 0 {
		return 0
	}
	return (t - m.start) / time.Duration(n)
}
