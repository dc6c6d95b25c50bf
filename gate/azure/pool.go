package azure

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"skyport/gate"
)

// runKey names one run of a job.
type runKey struct {
	Job     uint32
	Restart int
}

func (k runKey) String() string { return fmt.Sprintf("%d.%d", k.Job, k.Restart) }

// vmState is a VM the pool holds: its record, the runs on it (with their
// CPUs), and a channel closed when the VM is lost.
type vmState struct {
	rec       vmRecord
	size      Size
	node      string // the slot the VM serves
	runs      map[runKey]int
	idleSince time.Time
	exec      gate.Gate // opened on first use
	lost      chan struct{}
	lostWhy   string // "evicted", "gone" or "lease"
	deleting  bool
}

func (v *vmState) usedCPUs() int {
	n := 0
	for _, c := range v.runs {
		n += c
	}
	return n
}

// Pool is the VMs of one partition. Its nodes are slots "<pool>-<i>", i
// below MaxVMs; a job started on a slot gets the slot's VM when it has
// room (Share and enough free CPUs, or no job at all), else an idle VM of
// the pool, else a new VM. Every method is safe for concurrent use.
type Pool struct {
	opts *PoolOptions
	prov *Provisioner
	cost *costBook
	size Size // the smallest of the pool's sizes: what a node promises
	now  func() time.Time

	mu       sync.Mutex
	vms      map[string]*vmState // by VM name
	creating map[string]bool     // slots whose VM is being created
}

func newPool(o *PoolOptions, prov *Provisioner, cost *costBook, now func() time.Time) *Pool {
	return &Pool{
		opts: o, prov: prov, cost: cost, now: now,
		size: smallest(prov.opts.Sizes, o.Sizes),
		vms:  map[string]*vmState{}, creating: map[string]bool{},
	}
}

// nodes are the pool's slots.
func (p *Pool) nodes() []gate.Node {
	out := make([]gate.Node, 0, p.opts.MaxVMs)
	for i := range p.opts.MaxVMs {
		out = append(out, gate.Node{Name: fmt.Sprintf("%s-%d", p.opts.Name, i), CPUs: p.size.CPUs, MemMB: p.size.MemMB, Up: true,
			Containers: p.opts.runtime(), GPUs: p.size.GPUs})
	}
	return out
}

// adopt puts a live VM from the journal back in the pool (at start-up),
// idle until Recover attaches its runs.
func (p *Pool) adopt(rec vmRecord, node string) *vmState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.vms[rec.VM]; ok {
		return v
	}
	v := &vmState{rec: rec, size: p.prov.opts.Sizes[rec.Size], node: node, runs: map[runKey]int{},
		idleSince: p.now(), lost: make(chan struct{})}
	p.vms[rec.VM] = v
	return v
}

// fits says whether a run of cpus CPUs may join v now.
func (p *Pool) fits(v *vmState, cpus int) bool {
	if v.deleting || isClosed(v.lost) || p.pastLease(v) {
		return false
	}
	if len(v.runs) == 0 {
		return true
	}
	return p.opts.Share && v.usedCPUs()+max(cpus, 1) <= v.size.CPUs
}

func (p *Pool) pastLease(v *vmState) bool {
	return p.opts.Lease > 0 && p.now().Sub(v.rec.Created) >= p.opts.Lease
}

// acquire returns a VM for run on node, creating one when none fits; it
// blocks while the VM is created (the job shows CONFIGURING). Errors are
// *ReasonError wrapping gate.ErrUnavailable when the job may simply wait.
func (p *Pool) acquire(ctx context.Context, node string, run runKey, cpus int, o owner, spot bool) (*vmState, error) {
	p.mu.Lock()
	if v := p.pick(node, cpus); v != nil {
		v.node = node
		v.runs[run] = max(cpus, 1)
		p.cost.startRun(run, v, p.opts.Share, p.now())
		p.mu.Unlock()
		return v, nil
	}
	if p.creating[node] {
		p.mu.Unlock()
		return nil, unavailable(ReasonBusy, fmt.Errorf("node %s: its vm is being created", node))
	}
	if len(p.vms)+len(p.creating) >= p.opts.MaxVMs {
		p.mu.Unlock()
		return nil, unavailable(ReasonMaxVMs, fmt.Errorf("pool %s: %d vms, the most it may have", p.opts.Name, p.opts.MaxVMs))
	}
	if p.opts.Budget > 0 && p.cost.spent(p.opts.Name, p.now()) >= p.opts.Budget {
		p.mu.Unlock()
		return nil, unavailable(ReasonBudget, fmt.Errorf("pool %s: budget %.2f spent", p.opts.Name, p.opts.Budget))
	}
	p.creating[node] = true
	p.mu.Unlock()

	rec, err := p.prov.create(ctx, createRequest{Pool: p.opts, Owner: o, Spot: spot})

	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.creating, node)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", gate.ErrUnavailable, err)
	}
	v := &vmState{rec: rec, size: p.prov.opts.Sizes[rec.Size], node: node,
		runs: map[runKey]int{run: max(cpus, 1)}, lost: make(chan struct{})}
	p.vms[rec.VM] = v
	p.cost.startRun(run, v, p.opts.Share, p.now())
	return v, nil
}

// pick finds, under p.mu, the VM for a run on node: the node's own VM when
// the run fits, else an idle VM of the pool (warm reuse).
func (p *Pool) pick(node string, cpus int) *vmState {
	var idle []*vmState
	for _, v := range p.vms {
		if v.node == node {
			if p.fits(v, cpus) {
				return v
			}
			if len(v.runs) > 0 {
				continue // busy: another VM serves this run
			}
		}
		if len(v.runs) == 0 && p.fits(v, cpus) && v.size.CPUs >= cpus {
			idle = append(idle, v)
		}
	}
	if len(idle) == 0 {
		return nil
	}
	sort.Slice(idle, func(a, b int) bool { return idle[a].rec.VM < idle[b].rec.VM })
	return idle[0]
}

// attach records that run is on vm (Recover after a restart).
func (p *Pool) attach(vm string, run runKey, cpus int) (*vmState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.vms[vm]
	if !ok {
		return nil, false
	}
	if _, had := v.runs[run]; !had {
		v.runs[run] = max(cpus, 1)
		p.cost.startRun(run, v, p.opts.Share, p.now())
	}
	return v, true
}

// Release ends run's use of its VM; a VM left without runs starts its
// idle time. Safe to repeat.
func (p *Pool) Release(vm string, run runKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.vms[vm]
	if !ok {
		return
	}
	if _, had := v.runs[run]; !had {
		return
	}
	delete(v.runs, run)
	p.cost.endRun(run, p.now())
	if len(v.runs) == 0 {
		v.idleSince = p.now()
	}
}

// lose marks v lost for why; its runs' Waits end.
func (p *Pool) lose(v *vmState, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !isClosed(v.lost) {
		v.lostWhy = why
		close(v.lost)
	}
}

// expired lists the VMs to delete now: idle for IdleTimeout, idle past
// their lease, lost, or busy past their lease (a hard lease: their runs
// are failed first). It marks them deleting.
func (p *Pool) expired() (idle, lease []*vmState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for _, v := range p.vms {
		if v.deleting {
			continue
		}
		switch {
		case len(v.runs) == 0 && (now.Sub(v.idleSince) >= p.opts.IdleTimeout || p.pastLease(v) || isClosed(v.lost)):
			v.deleting = true
			idle = append(idle, v)
		case p.pastLease(v):
			lease = append(lease, v)
		}
	}
	return idle, lease
}

// forget drops a deleted VM.
func (p *Pool) forget(vm string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.vms[vm]; ok {
		p.cost.vmGone(p.opts.Name, v, p.now())
	}
	delete(p.vms, vm)
}

// busy lists the VMs with runs, for eviction polling.
func (p *Pool) inUse() []*vmState {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*vmState
	for _, v := range p.vms {
		if len(v.runs) > 0 && !isClosed(v.lost) {
			out = append(out, v)
		}
	}
	return out
}

func (p *Pool) vm(name string) (*vmState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.vms[name]
	return v, ok
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func unavailable(why string, err error) error {
	return &ReasonError{Why: why, Err: fmt.Errorf("%w: %w", gate.ErrUnavailable, err)}
}
