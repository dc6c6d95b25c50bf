package gate

import (
	"fmt"
	"sort"
	"sync"
)

// Config is what a gate factory receives: the gate's name, the directory
// it may keep state in (it survives daemon restarts) and its own TOML
// table, already decoded into a generic map by the configs layer.
type Config struct {
	Name     string
	StateDir string
	Options  map[string]any
}

// Factory opens a gate of one kind.
type Factory func(cfg Config) (Gate, error)

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a gate kind available to Open. It panics when kind is
// registered twice, as database/sql.Register does; call it from init.
func Register(kind string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[kind]; dup {
		panic("gate: Register called twice for kind " + kind)
	}
	factories[kind] = f
}

// Kinds lists the registered gate kinds, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	ks := make([]string, 0, len(factories))
	for k := range factories {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Open opens the gate cfg.Name of the given kind.
func Open(kind string, cfg Config) (Gate, error) {
	mu.RLock()
	f, ok := factories[kind]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown gate kind %q (forgotten import?): %w", kind, ErrNotFound)
	}
	g, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("gate %s (%s): %w", cfg.Name, kind, err)
	}
	return g, nil
}
