package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// costBook prices VM time. A run is charged its VM's price per hour times
// the time it held the VM, times its share of the VM: 1 on a VM of its
// own, its CPUs over the VM's CPUs on a shared VM. A pool is charged the
// whole life of its VMs (idle time included); its Budget stops new VMs
// once that passes the cap. Spending survives restarts in costs.json.
// Methods are safe for concurrent use.
type costBook struct {
	path   string
	prices *priceTable

	mu    sync.Mutex
	runs  map[string]*runCost // by runKey.String()
	live  map[string]liveVM   // by VM name
	spend map[string]float64  // settled spending by pool
}

type runCost struct {
	VM      string    `json:"vm"`
	PerHour float64   `json:"per_hour"` // price × share
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
}

type liveVM struct {
	pool    string
	perHour float64
	created time.Time
}

type costFile struct {
	Runs  map[string]*runCost `json:"runs"`
	Spend map[string]float64  `json:"spend"`
}

func openCostBook(path string, prices *priceTable) (*costBook, error) {
	c := &costBook{path: path, prices: prices, runs: map[string]*runCost{}, live: map[string]liveVM{}, spend: map[string]float64{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("azure: costs: %w", err)
	}
	var f costFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("azure: costs %s: %w", path, err)
	}
	if f.Runs != nil {
		c.runs = f.Runs
	}
	if f.Spend != nil {
		c.spend = f.Spend
	}
	return c, nil
}

// save writes the book; the caller holds c.mu. A failure is only logged
// by callers: costs are reports, not the state of record.
func (c *costBook) save() error {
	b, err := json.Marshal(costFile{Runs: c.runs, Spend: c.spend})
	if err != nil {
		return err
	}
	return writeFileAtomic(c.path, b, 0o600)
}

// vmPrice is the price per hour of v.
func (c *costBook) vmPrice(v *vmState) float64 {
	return c.prices.price(v.rec.Region, v.rec.Size, v.rec.Spot)
}

// startRun starts charging run on v (no-op when it is charged already).
func (c *costBook) startRun(run runKey, v *vmState, shared bool, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	price := c.vmPrice(v)
	if _, ok := c.live[v.rec.VM]; !ok {
		c.live[v.rec.VM] = liveVM{pool: v.rec.Pool, perHour: price, created: v.rec.Created}
	}
	if r, ok := c.runs[run.String()]; ok && r.End.IsZero() {
		return
	}
	share := 1.0
	if shared && v.size.CPUs > 0 {
		share = float64(v.runs[run]) / float64(v.size.CPUs)
	}
	c.runs[run.String()] = &runCost{VM: v.rec.VM, PerHour: price * share, Start: t}
	_ = c.save()
}

// endRun stops charging run at t. Safe to repeat.
func (c *costBook) endRun(run runKey, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.runs[run.String()]; ok && r.End.IsZero() {
		r.End = t
		_ = c.save()
	}
}

// vmGone settles the spending of a deleted VM on its pool.
func (c *costBook) vmGone(pool string, v *vmState, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.live[v.rec.VM]
	if !ok {
		l = liveVM{pool: pool, perHour: c.vmPrice(v), created: v.rec.Created}
	}
	c.spend[pool] += l.perHour * t.Sub(l.created).Hours()
	delete(c.live, v.rec.VM)
	_ = c.save()
}

// spent is what pool has cost up to now, its live VMs included.
func (c *costBook) spent(pool string, now time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.spend[pool]
	for _, l := range c.live {
		if l.pool == pool {
			s += l.perHour * now.Sub(l.created).Hours()
		}
	}
	return s
}

// cost is what run has cost up to now (or its end).
func (c *costBook) cost(run runKey, now time.Time) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.runs[run.String()]
	if !ok {
		return 0, false
	}
	end := r.End
	if end.IsZero() {
		end = now
	}
	return r.PerHour * max(end.Sub(r.Start).Hours(), 0), true
}

// forget drops run's record (Remove).
func (c *costBook) forget(run runKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, run.String())
	_ = c.save()
}
