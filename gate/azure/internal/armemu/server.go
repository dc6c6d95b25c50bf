package armemu

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Config configures a Server. Zero durations and sizes take the defaults
// named on each field.
type Config struct {
	// TenantID, ClientID and ClientSecret are the one application the
	// token endpoint accepts (client credentials grant).
	TenantID     string
	ClientID     string
	ClientSecret string
	// Subscription is the one subscription ARM knows.
	Subscription string
	// BootDelay is the time from a VM's create until its provisioning
	// succeeds (the PUT's operation completes); ReadyDelay the time from
	// then until cloud-init has finished (boot-finished exists).
	BootDelay  time.Duration
	ReadyDelay time.Duration
	// DeleteDelay is how long deleting a VM takes.
	DeleteDelay time.Duration
	// NetworkDelay keeps network operations (and disk deletes) in
	// progress this long; 0 completes them in the request, as the network
	// provider often does.
	NetworkDelay time.Duration
	// RetryAfter is the Retry-After, in seconds, of answers that start or
	// continue a long-running operation; default 1.
	RetryAfter int
	// PageSize bounds a list page (the rest follows nextLink); default 100.
	PageSize int
	// PublicCIDR is where public IP addresses come from; default
	// 198.51.100.0/24 (a documentation range).
	PublicCIDR netip.Prefix
	// TokenLifetime is the expires_in of access tokens; default 1h.
	TokenLifetime time.Duration
	// Hypervisor runs the VMs' guests; nil: guests that do nothing.
	Hypervisor Hypervisor
	Logger     *slog.Logger // nil: slog.Default()
}

func (c *Config) withDefaults() error {
	if c.TenantID == "" || c.ClientID == "" || c.ClientSecret == "" || c.Subscription == "" {
		return errors.New("armemu: tenant, client id, client secret and subscription are required")
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 1
	}
	if c.PageSize <= 0 {
		c.PageSize = 100
	}
	if !c.PublicCIDR.IsValid() {
		c.PublicCIDR = netip.MustParsePrefix("198.51.100.0/24")
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = time.Hour
	}
	if c.Hypervisor == nil {
		c.Hypervisor = NullHypervisor{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Server is the emulator: an http.Handler for Entra ID's token flow and
// ARM's resource API, plus the VMs' lifecycle. Serve it over HTTPS (the
// SDK sends bearer tokens over TLS only). Every method is safe for
// concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	res      *store
	ops      map[string]*operation
	machines map[string]*machine // by lower-case VM ID
	tokens   map[string]token
	faults   []*faultRule
	stats    counters
	closed   bool

	stop chan struct{}  // closed by Close: delayed work is dropped
	wg   sync.WaitGroup // background work: boots, deletes
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	return &Server{
		cfg: cfg, log: cfg.Logger, res: newStore(), ops: map[string]*operation{},
		machines: map[string]*machine{}, tokens: map[string]token{}, stats: newCounters(),
		stop: make(chan struct{}),
	}, nil
}

// ServeHTTP implements http.Handler: /subscriptions/... is ARM, the rest
// is the identity provider.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-ms-request-id", newGUID())
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/subscriptions/") {
		s.serveARM(w, r)
		return
	}
	s.serveIdentity(w, r)
}

// Close stops every VM's guest and waits for the background work. The
// resources stay in memory; requests after Close get 503.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		close(s.stop)
	}
	s.closed = true
	var guests []Guest
	for _, m := range s.machines {
		if m.guest != nil {
			guests = append(guests, m.guest)
			m.guest = nil
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, g := range guests {
		errs = append(errs, g.Stop())
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// background runs f in the background, unless the server is closed; the caller
// holds s.mu.
func (s *Server) background(f func()) {
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// newGUID returns a random GUID in its usual text form.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:])
}
