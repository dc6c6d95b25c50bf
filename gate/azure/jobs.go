package azure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"skyport/gate"
)

// Nodes implements gate.Gate: every pool's slots.
func (g *Gate) Nodes(context.Context) ([]gate.Node, error) {
	var out []gate.Node
	for _, name := range g.opts.poolNames() {
		out = append(out, g.pools[name].nodes()...)
	}
	return out, nil
}

// poolOf returns the pool of a node "<pool>-<i>".
func (g *Gate) poolOf(node string) (*Pool, error) {
	i := strings.LastIndexByte(node, '-')
	if i > 0 {
		if p, ok := g.pools[node[:i]]; ok {
			return p, nil
		}
	}
	return nil, fmt.Errorf("azure: node %q belongs to no pool of gate %s", node, g.name)
}

// Start implements gate.Gate. It takes a VM for the run from the node's
// pool (creating one, which may take minutes: the job is CONFIGURING
// meanwhile), then starts the run there through the executor. It is
// idempotent per (JobID, Restart). A run whose VM could not be had fails
// with a *ReasonError wrapping gate.ErrUnavailable.
func (g *Gate) Start(ctx context.Context, spec gate.Spec) (gate.Handle, error) {
	k := runKey{spec.JobID, spec.Restart}
	r, err := g.getRun(k)
	if err == nil && r.Exec != nil {
		return encodeHandle(r), nil
	}
	pool, perr := g.poolOf(spec.Node)
	if perr != nil {
		return nil, perr
	}
	var v *vmState
	if err == nil { // a crash between taking the VM and starting the run
		if v, _ = g.attachRun(r); v == nil {
			_ = g.removeRun(k)
		}
	}
	if v == nil {
		spot := pool.opts.Spot && g.evictions(spec.JobID) < pool.opts.SpotFallbackAfter
		v, err = pool.acquire(ctx, spec.Node, k, spec.CPUs, owner{Pool: pool.opts.Name, JobID: spec.JobID, User: spec.User}, spot)
		g.noteErr(err)
		if err != nil {
			return nil, err
		}
		r = runRecord{Job: spec.JobID, Restart: spec.Restart, VM: v.rec.VM, Pool: pool.opts.Name,
			Node: spec.Node, CPUs: spec.CPUs, WarnSignal: spec.WarnSignal}
		if err := g.putRun(r); err != nil {
			pool.Release(v.rec.VM, k)
			return nil, err
		}
	}
	inner, err := g.startOn(ctx, v, spec)
	if err != nil {
		pool.Release(v.rec.VM, k)
		return nil, errors.Join(err, g.removeRun(k))
	}
	r.Exec = inner
	if err := g.putRun(r); err != nil {
		return nil, err
	}
	return encodeHandle(r), nil
}

// startOn starts spec through v's executor, retrying while the VM is
// still booting (the executor says ErrUnavailable) up to BootTimeout
// after the VM's creation.
func (g *Gate) startOn(ctx context.Context, v *vmState, spec gate.Spec) (gate.Handle, error) {
	// The executor's one host is the VM, named after it: the pool's slot
	// (spec.Node) is no name it knows.
	spec.Node = v.rec.VM
	deadline := v.rec.Created.Add(g.opts.BootTimeout)
	for {
		ex, err := g.executor(ctx, v)
		var h gate.Handle
		if err == nil {
			h, err = ex.Start(ctx, spec)
			if err == nil {
				return h, nil
			}
		}
		if !errors.Is(err, gate.ErrUnavailable) || g.env.Now().After(deadline) {
			return nil, &ReasonError{Why: ReasonBoot, Err: fmt.Errorf("%w: vm %s: %w", gate.ErrUnavailable, v.rec.VM, err)}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", gate.ErrUnavailable, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

// executor returns v's executor gate, opening it on first use.
func (g *Gate) executor(ctx context.Context, v *vmState) (gate.Gate, error) {
	p := g.pools[v.rec.Pool]
	p.mu.Lock()
	ex := v.exec
	p.mu.Unlock()
	if ex != nil {
		return ex, nil
	}
	addr := v.rec.Address
	if !strings.Contains(addr, ":") || strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "[") {
		addr = joinPort(addr)
	}
	ex, err := g.env.Executor.Open(ctx, HostInfo{
		Name: v.rec.VM, Address: addr, User: g.opts.AdminUser, KeyFile: g.prov.loginKey.Path,
		HostKey: v.rec.HostKey, CPUs: v.size.CPUs, MemMB: v.size.MemMB,
		StateDir: filepath.Join(g.stateDir, "exec", v.rec.VM), ReadyFile: readyFile,
		Containers: p.opts.runtime(),
	})
	if err != nil {
		return nil, fmt.Errorf("azure: executor for %s: %w", v.rec.VM, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if v.exec != nil { // opened concurrently: keep the first
		_ = ex.Close()
		return v.exec, nil
	}
	v.exec = ex
	return ex, nil
}

func joinPort(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:22"
	}
	return host + ":22"
}

// attachRun finds the VM of r and records the run on it.
func (g *Gate) attachRun(r runRecord) (*vmState, bool) {
	p, ok := g.pools[r.Pool]
	if !ok {
		return nil, false
	}
	return p.attach(r.VM, r.key(), r.CPUs)
}

// run returns the record of h and its VM (nil when the VM is gone).
func (g *Gate) run(h gate.Handle) (runRecord, *vmState, error) {
	k, err := decodeHandle(h)
	if err != nil {
		return runRecord{}, nil, err
	}
	r, err := g.getRun(k)
	if err != nil {
		return runRecord{}, nil, err
	}
	p, ok := g.pools[r.Pool]
	if !ok {
		return r, nil, nil
	}
	v, _ := p.vm(r.VM)
	return r, v, nil
}

// Recover implements gate.Gate: the run's VM must still be live in the
// journal; the executor then re-attaches to the run.
func (g *Gate) Recover(ctx context.Context, h gate.Handle) error {
	r, _, err := g.run(h)
	if err != nil {
		return err
	}
	if r.Lost != nil {
		return nil // its end is recorded
	}
	v, ok := g.attachRun(r)
	if !ok {
		return fmt.Errorf("azure: run %s: vm %s is gone: %w", r.key(), r.VM, gate.ErrNotFound)
	}
	ex, err := g.executor(ctx, v)
	if err != nil {
		return err
	}
	return ex.Recover(ctx, r.Exec)
}

// Wait implements gate.Gate. When the run's VM is lost it returns an Exit
// with gate.CausePreempted (a spot eviction) or gate.CauseNodeFail
// (deleted under the gate, past its hard lease) and a Detail saying why.
func (g *Gate) Wait(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	r, v, err := g.run(h)
	if err != nil {
		return gate.Exit{}, err
	}
	if r.Lost != nil {
		return *r.Lost, nil
	}
	if v == nil {
		return g.recordLost(r, "gone")
	}
	ex, err := g.executor(ctx, v)
	if err != nil {
		return gate.Exit{}, err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-v.lost:
			cancel()
		case <-wctx.Done():
		}
	}()
	e, err := ex.Wait(wctx, r.Exec)
	if isClosed(v.lost) && (err != nil || e.Cause == gate.CauseNodeFail) {
		return g.recordLost(r, v.lostWhy)
	}
	return e, err
}

// recordLost records the end of a run whose VM was lost.
func (g *Gate) recordLost(r runRecord, why string) (gate.Exit, error) {
	now := g.env.Now().UTC()
	e := gate.Exit{Cause: gate.CauseNodeFail, Detail: "azure: vm " + r.VM + " " + why, End: now, Start: now}
	if why == "evicted" {
		e.Cause = gate.CausePreempted
		e.Detail = "azure: spot vm " + r.VM + " evicted"
		// Counted apart from the run record, which Remove deletes.
		if err := writeFileAtomic(filepath.Join(g.stateDir, "evictions", r.key().String()), nil, 0o600); err != nil {
			return gate.Exit{}, err
		}
	}
	r.Lost = &e
	if err := g.putRun(r); err != nil {
		return gate.Exit{}, err
	}
	return e, nil
}

// Signal implements gate.Gate.
func (g *Gate) Signal(ctx context.Context, h gate.Handle, sig syscall.Signal) error {
	ex, r, err := g.live(ctx, h)
	if err != nil {
		return err
	}
	return ex.Signal(ctx, r.Exec, sig)
}

// Kill implements gate.Gate.
func (g *Gate) Kill(ctx context.Context, h gate.Handle, req gate.KillRequest) error {
	ex, r, err := g.live(ctx, h)
	if err != nil {
		return err
	}
	return ex.Kill(ctx, r.Exec, req)
}

// live returns the executor of a run whose VM is still there.
func (g *Gate) live(ctx context.Context, h gate.Handle) (gate.Gate, runRecord, error) {
	r, v, err := g.run(h)
	if err != nil {
		return nil, r, err
	}
	if r.Lost != nil || v == nil || isClosed(v.lost) {
		return nil, r, fmt.Errorf("azure: run %s: its vm is gone: %w", r.key(), gate.ErrNotFound)
	}
	ex, err := g.executor(ctx, v)
	return ex, r, err
}

// Reap implements gate.Gate: the executor's Exit (or the recorded end of
// a run whose VM was lost), and the VM goes back to the pool.
func (g *Gate) Reap(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	r, v, err := g.run(h)
	if err != nil {
		return gate.Exit{}, err
	}
	var e gate.Exit
	switch {
	case r.Lost != nil:
		e = *r.Lost
	case v == nil:
		if e, err = g.recordLost(r, "gone"); err != nil {
			return gate.Exit{}, err
		}
	default:
		ex, err := g.executor(ctx, v)
		if err != nil {
			return gate.Exit{}, err
		}
		if e, err = ex.Reap(ctx, r.Exec); err != nil {
			return gate.Exit{}, err
		}
	}
	if p, ok := g.pools[r.Pool]; ok {
		p.Release(r.VM, r.key())
	}
	return e, nil
}

// Remove implements gate.Gate.
func (g *Gate) Remove(ctx context.Context, h gate.Handle) error {
	k, err := decodeHandle(h)
	if err != nil {
		return err
	}
	r, v, err := g.run(h)
	if errors.Is(err, gate.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if v != nil && !isClosed(v.lost) && r.Exec != nil {
		if ex, err := g.executor(ctx, v); err == nil {
			if err := ex.Remove(ctx, r.Exec); err != nil && !errors.Is(err, gate.ErrNotFound) {
				return err
			}
		}
	}
	if p, ok := g.pools[r.Pool]; ok {
		p.Release(r.VM, k)
	}
	g.cost.forget(k)
	return g.removeRun(k)
}

// List implements gate.Lister.
func (g *Gate) List(context.Context) ([]gate.Handle, error) {
	runs, err := g.allRuns()
	if err != nil {
		return nil, err
	}
	out := make([]gate.Handle, 0, len(runs))
	for _, r := range runs {
		out = append(out, encodeHandle(r))
	}
	return out, nil
}

// Collect implements gate.Collector when the executor does: results come
// back from the VM while the job shows COMPLETING.
func (g *Gate) Collect(ctx context.Context, h gate.Handle) error {
	ex, r, err := g.live(ctx, h)
	if err != nil {
		return nil // nothing left to collect from a lost VM
	}
	if c, ok := ex.(gate.Collector); ok {
		return c.Collect(ctx, r.Exec)
	}
	return nil
}

// Cost returns what the run has cost so far (final once it ended) in the
// gate's currency: its VM's price per hour × the time it held the VM ×
// its CPU share of a shared VM.
func (g *Gate) Cost(_ context.Context, h gate.Handle) (float64, string, error) {
	k, err := decodeHandle(h)
	if err != nil {
		return 0, "", err
	}
	c, ok := g.cost.cost(k, g.env.Now())
	if !ok {
		return 0, "", fmt.Errorf("azure: cost of run %s: %w", k, gate.ErrNotFound)
	}
	return c, g.opts.Currency, nil
}

// evictions is how many runs of job were ended by a spot eviction.
func (g *Gate) evictions(job uint32) int {
	ents, _ := os.ReadDir(filepath.Join(g.stateDir, "evictions")) // none yet: 0
	n := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), fmt.Sprintf("%d.", job)) {
			n++
		}
	}
	return n
}

// expire deletes the VMs past their idle timeout, and fails the runs of
// busy VMs past their hard lease (the VM goes once they are reaped).
func (g *Gate) expire(ctx context.Context) {
	for _, p := range g.pools {
		idle, lease := p.expired()
		for _, v := range lease {
			g.log.Warn("vm past its lease, failing its jobs", "vm", v.rec.VM)
			p.lose(v, "past its lease")
		}
		for _, v := range idle {
			g.deleteVM(ctx, p, v)
		}
	}
}

// deleteVM closes v's executor and deletes the VM with what it owns.
func (g *Gate) deleteVM(ctx context.Context, p *Pool, v *vmState) {
	p.mu.Lock()
	ex := v.exec
	v.exec = nil
	p.mu.Unlock()
	if ex != nil {
		_ = ex.Close()
	}
	err := g.prov.Delete(ctx, v.rec.VM)
	g.noteErr(err)
	if err != nil {
		g.log.Error("cannot delete vm; reconciliation retries", "vm", v.rec.VM, "err", err)
		p.mu.Lock()
		v.deleting = false
		p.mu.Unlock()
		return
	}
	_ = os.RemoveAll(filepath.Join(g.stateDir, "exec", v.rec.VM))
	p.forget(v.rec.VM)
}

// checkHealth reads the instance view of every busy VM: an evicted spot
// VM gets its runs' --signal and is lost (the gateway requeues them); a
// VM gone from Azure is lost (NODE_FAIL).
func (g *Gate) checkHealth(ctx context.Context) {
	for _, p := range g.pools {
		for _, v := range p.inUse() {
			h, err := g.prov.health(ctx, v.rec)
			g.noteErr(err)
			if err != nil || h == vmRunning {
				continue
			}
			g.log.Warn("vm lost", "vm", v.rec.VM, "health", h.String())
			if h == vmEvicted {
				g.signalRuns(ctx, v)
			}
			p.lose(v, h.String())
		}
	}
}

// signalRuns sends each run on v its --signal, if it asked for one.
func (g *Gate) signalRuns(ctx context.Context, v *vmState) {
	p := g.pools[v.rec.Pool]
	p.mu.Lock()
	keys := make([]runKey, 0, len(v.runs))
	for k := range v.runs {
		keys = append(keys, k)
	}
	ex := v.exec
	p.mu.Unlock()
	if ex == nil {
		return
	}
	for _, k := range keys {
		r, err := g.getRun(k)
		if err == nil && r.WarnSignal != 0 && r.Exec != nil {
			_ = ex.Signal(ctx, r.Exec, r.WarnSignal) // best effort: the VM is going
		}
	}
}
