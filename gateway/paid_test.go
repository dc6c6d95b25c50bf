package gateway

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gate"
	"skyport/gateway/api"
	"skyport/queue"
)

// paidGate is a gate of kind "testpaid": the local gate with what a cloud
// gate adds, under the test's control: a gate-wide reason (gate.Reasoner),
// Start failures with a reason of their own, a cost per run (gate.Coster)
// and preemption (a spot eviction: the run ends with CausePreempted).
type paidGate struct {
	gate.Gate // the local gate that really runs the jobs

	mu         sync.Mutex
	reason     string        // what Reason returns
	failStarts int           // so many Starts fail with failReason
	failReason string        // "" fails without a reason
	starts     int           // Start calls that reached the local gate
	preempt    chan struct{} // closed: every running job is evicted
}

// paidGates finds the gate a daemon opened, by its state directory.
var paidGates sync.Map // state dir → *paidGate

func init() {
	gate.Register("testpaid", func(cfg gate.Config) (gate.Gate, error) {
		inner, err := gate.Open("local", gate.Config{Name: cfg.Name, StateDir: cfg.StateDir, Options: maps.Clone(cfg.Options)})
		if err != nil {
			return nil, err
		}
		g := &paidGate{Gate: inner, preempt: make(chan struct{})}
		paidGates.Store(cfg.StateDir, g)
		return g, nil
	})
}

// reasonErr is a Start error with a reason, as the Azure gate returns.
type reasonErr struct{ why string }

func (e reasonErr) Error() string  { return e.why + ": " + gate.ErrUnavailable.Error() }
func (e reasonErr) Unwrap() error  { return gate.ErrUnavailable }
func (e reasonErr) Reason() string { return e.why }

func (g *paidGate) Reason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reason
}

func (g *paidGate) Start(ctx context.Context, spec gate.Spec) (gate.Handle, error) {
	g.mu.Lock()
	if g.failStarts > 0 {
		g.failStarts--
		why := g.failReason
		g.mu.Unlock()
		if why == "" {
			return nil, fmt.Errorf("no capacity: %w", gate.ErrUnavailable)
		}
		return nil, reasonErr{why}
	}
	g.starts++
	g.mu.Unlock()
	return g.Gate.Start(ctx, spec)
}

// Cost is 0.25 EUR for every run.
func (g *paidGate) Cost(context.Context, gate.Handle) (float64, string, error) {
	return 0.25, "EUR", nil
}

// Wait ends the run as preempted once preempt is closed: the job is
// killed, as a VM taken back kills it.
func (g *paidGate) Wait(ctx context.Context, h gate.Handle) (gate.Exit, error) {
	type result struct {
		ex  gate.Exit
		err error
	}
	done := make(chan result, 1)
	go func() {
		ex, err := g.Gate.Wait(ctx, h)
		done <- result{ex, err}
	}()
	g.mu.Lock()
	preempt := g.preempt
	g.mu.Unlock()
	select {
	case r := <-done:
		return r.ex, r.err
	case <-preempt:
		_ = g.Kill(ctx, h, gate.KillRequest{Signal: syscall.SIGKILL, Cause: gate.CauseNodeFail})
		r := <-done
		if r.err != nil {
			return r.ex, r.err
		}
		return gate.Exit{Cause: gate.CausePreempted, Detail: "evicted", Start: r.ex.Start, End: r.ex.End}, nil
	}
}

// evict preempts every running job; later jobs run normally.
func (g *paidGate) evict() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.preempt)
	g.preempt = make(chan struct{})
}

func (g *paidGate) set(f func(g *paidGate)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f(g)
}

// paidDaemon starts a daemon whose default partition "cloud" runs on a
// testpaid gate, and returns it with the gate.
func paidDaemon(t *testing.T) (*testDaemon, *paidGate) {
	t.Helper()
	cfg, err := ParseConfig([]byte(`
[daemon]
kill_wait = "1s"
[gates.cloud]
kind = "testpaid"
[[partitions]]
name = "cloud"
gate = "cloud"
default = true
`))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, "")
	d.srv.ctl.requeueDelay.Store(int64(100 * time.Millisecond))
	var g *paidGate
	paidGates.Range(func(k, v any) bool {
		if dir, _ := k.(string); len(dir) > len(d.dir) && dir[:len(d.dir)] == d.dir {
			g = v.(*paidGate)
		}
		return true
	})
	if g == nil {
		t.Fatal("the daemon opened no testpaid gate")
	}
	return d, g
}

// waitReason waits until pending job id shows reason.
func (d *testDaemon) waitReason(t *testing.T, id uint32, reason string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for d.reason(id) != reason {
		if time.Now().After(deadline) {
			t.Fatalf("job %d: reason %q, want %q", id, d.reason(id), reason)
		}
		d.srv.poke()
		time.Sleep(10 * time.Millisecond)
	}
}

// A gate that cannot start any job (a refused credential) shows its reason
// on every pending job of its partitions, and the jobs start once it can.
func TestGateReasonOnPendingJobs(t *testing.T) {
	t.Parallel()
	d, g := paidDaemon(t)
	g.set(func(g *paidGate) { g.reason = "AzureAuthFailed" })
	a := d.submit(t, "true", nil)
	b := d.submit(t, "true", nil)
	d.waitReason(t, a, "AzureAuthFailed")
	d.waitReason(t, b, "AzureAuthFailed")
	if e := d.live(a); e.State != queue.Pending {
		t.Fatalf("job %d is %s while its gate refuses", a, e.State)
	}
	g.set(func(g *paidGate) { g.reason = "" })
	d.srv.poke()
	d.waitState(t, a, queue.Completed)
	d.waitState(t, b, queue.Completed)
}

// A Start that fails with a reason of its own (a quota) puts the job back
// to pending showing that reason, and it is tried again later.
func TestStartFailureReason(t *testing.T) {
	t.Parallel()
	d, g := paidDaemon(t)
	g.set(func(g *paidGate) { g.failStarts, g.failReason = 2, "AzureQuotaExceeded" })
	id := d.submit(t, "true", nil)
	d.waitReason(t, id, "AzureQuotaExceeded")
	e := d.waitState(t, id, queue.Completed)
	if e.job.Restarts != 0 {
		t.Errorf("restarts %d after failed starts, want 0 (it never ran)", e.job.Restarts)
	}
	d.srv.mu.RLock()
	_, left := d.srv.retries[id]
	d.srv.mu.RUnlock()
	if left {
		t.Error("the job's start retry is still recorded after it ran")
	}
	if !errors.Is(reasonErr{"x"}, gate.ErrUnavailable) || startReason(fmt.Errorf("w: %w", reasonErr{"Q"})) != "Q" ||
		startReason(gate.ErrUnavailable) != "Resources" {
		t.Error("startReason does not find the reason through wrapping")
	}
}

// A preempted run (a spot VM evicted) requeues the job under the same ID
// with its restart count up; with --no-requeue it ends PREEMPTED. The cost
// of every run is kept on the job.
func TestPreemptedRequeuedWithCost(t *testing.T) {
	t.Parallel()
	d, g := paidDaemon(t)
	requeue := d.submit(t, "sleep 60", nil)
	final := d.submit(t, "sleep 60", func(o *compat.SubmitOptions) { o.Given["no-requeue"] = true })
	d.waitState(t, requeue, queue.Running)
	d.waitState(t, final, queue.Running)
	d.srv.refreshCosts(t.Context())
	if j := d.live(requeue); j.CostMicros != 250000 || j.CostCurrency != "EUR" {
		t.Errorf("running cost %d %q, want 250000 EUR", j.CostMicros, j.CostCurrency)
	}
	g.evict()
	e := d.waitState(t, final, queue.Preempted)
	if e.job.Restarts != 0 || e.job.CostMicros != 250000 {
		t.Errorf("--no-requeue: restarts %d cost %d, want 0 and 250000", e.job.Restarts, e.job.CostMicros)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := d.live(requeue)
		if j.Restarts == 1 && j.State == queue.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("requeueable job: %s restarts %d, want RUNNING again after one requeue", j.State, j.Restarts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j := d.live(requeue); j.CostMicros != 250000 {
		t.Errorf("cost %d after the first run, want its 250000", j.CostMicros)
	}
	d.srv.refreshCosts(t.Context())
	req, err := compat.ParseScontrolArgs([]string{"show", "job", fmt.Sprint(requeue)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out := d.srv.scontrol(req).Stdout; !strings.Contains(out, "\n   Cost=0.500000 Currency=EUR\n") {
		t.Errorf("scontrol show job of a paid job lacks its cost (both runs):\n%s", out)
	}
	o, err := compat.ParseScancelArgs([]string{fmt.Sprint(requeue)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.client.Scancel(context.Background(), api.ScancelRequest{Options: o}); err != nil {
		t.Fatal(err)
	}
	e = d.waitState(t, requeue, queue.Cancelled)
	if e.job.CostMicros != 500000 || d.view(e).CostMicros != 500000 || d.view(e).CostCurrency != "EUR" {
		t.Errorf("two runs cost %d (view %d %q), want 500000 EUR", e.job.CostMicros, d.view(e).CostMicros, d.view(e).CostCurrency)
	}
}
