package azure

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"skyport/gate"
)

// Env is what New needs beyond Options; the zero value is production.
// Tests replace the ARM transports with the SDK's fake servers, the
// executor with one that runs jobs locally, and drive Tick themselves.
type Env struct {
	Credential azcore.TokenCredential // nil: built from Options.Credential
	Transports Transports
	HTTPClient *http.Client     // for the Retail Prices API; nil: a 30s-timeout client
	Executor   Executor         // nil: SSHExecutor{}
	Now        func() time.Time // nil: time.Now
	Logger     *slog.Logger     // nil: slog.Default()
	// Manual stops the background loop (reconciliation, idle deletion,
	// eviction polling, price refresh): the caller calls Tick.
	Manual bool
}

// Gate is the Azure gate. See the package documentation.
type Gate struct {
	name     string
	stateDir string
	opts     Options
	env      Env
	log      *slog.Logger
	prov     *Provisioner
	pools    map[string]*Pool
	cost     *costBook
	prices   *priceTable

	mu            sync.Mutex
	lastErr       error // the last provisioning failure that blocks every job (auth)
	lastReconcile time.Time
	lastHealth    time.Time
	lastPrices    time.Time

	stop context.CancelFunc
	done chan struct{}
}

func init() {
	gate.Register("azure", open)
}

// open is the Factory of the kind "azure".
func open(cfg gate.Config) (gate.Gate, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(cfg.Name, cfg.StateDir, opts, Env{})
}

// New opens the Azure gate name with its state in stateDir. It does not
// reach Azure: reconciliation and the price refresh run in the background
// loop (or at the caller's Tick with Env.Manual), so a bad credential
// never stops the daemon; it shows as the reason of every pending job.
func New(name, stateDir string, opts Options, env Env) (*Gate, error) {
	o, err := opts.withDefaults(name)
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if env.HTTPClient == nil {
		env.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if env.Executor == nil {
		env.Executor = SSHExecutor{}
	}
	log := env.Logger.With("gate", name)
	for _, d := range []string{"runs", "vms", "hostkeys", "exec", "evictions"} {
		if err := os.MkdirAll(filepath.Join(stateDir, d), 0o700); err != nil {
			return nil, fmt.Errorf("azure: state directory: %w", err)
		}
	}
	id, err := gatewayID(filepath.Join(stateDir, "gateway-id"))
	if err != nil {
		return nil, err
	}
	login, err := loadOrCreateKey(filepath.Join(stateDir, "client", "id_ed25519"), "skyport-"+name)
	if err != nil {
		return nil, err
	}
	cred := env.Credential
	if cred == nil {
		co, custom := o.identityOptions(nil)
		if cred, err = newCredential(o.Credential, co, custom); err != nil {
			return nil, fmt.Errorf("azure: %w", err)
		}
	}
	cl, err := newClients(&o, cred, env.Transports)
	if err != nil {
		return nil, err
	}
	j, err := openJournal(filepath.Join(stateDir, "vms"))
	if err != nil {
		return nil, err
	}
	g := &Gate{name: name, stateDir: stateDir, opts: o, env: env, log: log, pools: map[string]*Pool{}}
	g.prov = &Provisioner{
		opts: &g.opts, gateway: id, prefix: "sp-" + id, c: cl, j: j,
		keysDir: filepath.Join(stateDir, "hostkeys"), loginKey: login, log: log, now: env.Now,
		subnets: map[string]string{}, inflight: map[string]bool{},
	}
	g.prices = newPriceTable(&g.opts)
	if g.cost, err = openCostBook(filepath.Join(stateDir, "costs.json"), g.prices); err != nil {
		return nil, err
	}
	for i := range g.opts.Pools {
		p := &g.opts.Pools[i]
		g.pools[p.Name] = newPool(p, g.prov, g.cost, env.Now)
	}
	if err := g.adoptVMs(); err != nil {
		return nil, err
	}
	if !env.Manual {
		ctx, cancel := context.WithCancel(context.Background())
		g.stop, g.done = cancel, make(chan struct{})
		go g.loop(ctx)
	}
	return g, nil
}

// gatewayID returns this gate's random ID, kept in path: the value of the
// skyport-gateway tag, so that two gateways sharing a resource group never
// take each other's VMs for orphans.
func gatewayID(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("azure: gateway id: %w", err)
	}
	var r [3]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(r[:])
	if err := writeFileAtomic(path, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, nil
}

// adoptVMs puts the journal's live VMs back in their pools, with the node
// of a run that holds them.
func (g *Gate) adoptVMs() error {
	recs, err := g.prov.j.all()
	if err != nil {
		g.log.Warn("journal has unreadable records", "err", err)
	}
	runs, rerr := g.allRuns()
	if rerr != nil {
		return rerr
	}
	nodeOf := map[string]string{}
	for _, r := range runs {
		nodeOf[r.VM] = r.Node
	}
	for _, r := range recs {
		if p, ok := g.pools[r.Pool]; ok && r.State == vmLive {
			p.adopt(r, nodeOf[r.VM])
		}
	}
	return nil
}

// loop runs Tick until ctx ends.
func (g *Gate) loop(ctx context.Context) {
	defer close(g.done)
	t := time.NewTicker(min(g.opts.PollInterval, 5*time.Second))
	defer t.Stop()
	for {
		g.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick does the gate's periodic work once: reconciliation when due (every
// poll interval while authentication fails),
// deletion of VMs past their idle timeout or lease, health and eviction
// checks of busy VMs when due, and the price refresh when due.
func (g *Gate) Tick(ctx context.Context) {
	now := g.env.Now()
	g.mu.Lock()
	// While authentication fails (every pending job shows it), the next
	// reconciliation, which clears it once a call succeeds, comes sooner.
	reconcile := g.lastReconcile.IsZero() || now.Sub(g.lastReconcile) >= g.opts.ReconcileInterval ||
		g.lastErr != nil && now.Sub(g.lastReconcile) >= g.opts.PollInterval
	health := now.Sub(g.lastHealth) >= g.opts.PollInterval
	prices := g.opts.PricesURL != "" && (g.lastPrices.IsZero() || now.Sub(g.lastPrices) >= 24*time.Hour)
	if reconcile {
		g.lastReconcile = now
	}
	if health {
		g.lastHealth = now
	}
	if prices {
		g.lastPrices = now
	}
	g.mu.Unlock()
	if reconcile {
		g.reconcile(ctx)
	}
	g.expire(ctx)
	if health {
		g.checkHealth(ctx)
	}
	if prices {
		var regions, sizes []string
		seen := map[string]bool{}
		for _, p := range g.opts.Pools {
			for _, r := range p.Locations {
				if !seen["r"+r] {
					seen["r"+r] = true
					regions = append(regions, r)
				}
			}
			for _, s := range p.Sizes {
				if !seen["s"+s] {
					seen["s"+s] = true
					sizes = append(sizes, s)
				}
			}
		}
		if err := g.prices.refresh(ctx, g.env.HTTPClient, g.opts.PricesURL, g.opts.Currency, regions, sizes, g.log); err != nil {
			g.log.Info("retail prices unreachable, using the configured prices", "err", err)
		}
	}
}

// reconcile runs the Provisioner's reconciliation and fails the runs of
// live VMs that vanished.
func (g *Gate) reconcile(ctx context.Context) {
	gone, err := g.prov.Reconcile(ctx)
	g.noteErr(err)
	if err != nil {
		g.log.Warn("reconcile", "err", err)
	}
	for _, vm := range gone {
		for _, p := range g.pools {
			if v, ok := p.vm(vm); ok {
				p.lose(v, "gone")
			}
		}
	}
}

// noteErr remembers an authentication failure (shown on every pending job)
// and forgets it after a call that succeeded.
func (g *Gate) noteErr(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case err == nil:
		g.lastErr = nil
	case isAuthError(err):
		g.lastErr = err
	}
}

// Reason is the reason every pending job of this gate shows now ("" when
// none): an authentication failure, until a call succeeds again.
func (g *Gate) Reason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lastErr != nil {
		return ReasonAuth
	}
	return ""
}

// Close stops the background loop and closes the executors' gates. VMs
// and jobs keep running; the next Open re-attaches them.
func (g *Gate) Close() error {
	if g.stop != nil {
		g.stop()
		<-g.done
	}
	var errs []error
	for _, p := range g.pools {
		p.mu.Lock()
		for _, v := range p.vms {
			if v.exec != nil {
				errs = append(errs, v.exec.Close())
				v.exec = nil
			}
		}
		p.mu.Unlock()
	}
	return errors.Join(errs...)
}
