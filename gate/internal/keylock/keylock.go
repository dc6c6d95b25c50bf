// Package keylock provides mutexes by key, such as one per run of a job,
// made on first use and dropped when nobody holds or waits for them.
package keylock

import "sync"

// Map is a set of mutexes by key. The zero value is ready to use; a Map
// must not be copied after first use.
type Map struct {
	mu    sync.Mutex
	locks map[string]*entry
}

type entry struct {
	mu   sync.Mutex
	refs int // holders and waiters
}

// Lock takes the mutex of key, waiting while another holds it, and
// returns the function that releases it (call it exactly once).
func (m *Map) Lock(key string) (unlock func()) {
	m.mu.Lock()
	if m.locks == nil {
		m.locks = map[string]*entry{}
	}
	e := m.locks[key]
	if e == nil {
		e = &entry{}
		m.locks[key] = e
	}
	e.refs++
	m.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		m.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(m.locks, key)
		}
		m.mu.Unlock()
	}
}
