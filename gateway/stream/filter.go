package stream

import (
	"fmt"
	"slices"
	"strings"

	wire "skyport/gateway/api/stream"
)

// Identity is who a client is: its uid, and whether it may see every
// user's jobs (root, or a daemon configured so).
type Identity struct {
	UID uint32
	All bool
}

// filter is a client's compiled subscription: which events it sees.
// It is immutable once built.
type filter struct {
	who    Identity
	users  map[string]bool
	jobs   map[uint32]bool
	parts  map[string]bool
	states map[string]bool
	types  map[wire.Type]bool // nil: every type
	skip   bool               // OnLag "skip"
}

// newFilter compiles sub for who; it rejects unknown types and lag modes.
func newFilter(who Identity, sub *wire.Subscribe) (*filter, error) {
	f := &filter{who: who, users: set(sub.Users), jobs: set(sub.Jobs), parts: set(sub.Partitions)}
	if len(sub.States) > 0 {
		f.states = map[string]bool{}
		for _, s := range sub.States {
			f.states[strings.ToUpper(s)] = true
		}
	}
	if len(sub.Types) > 0 {
		f.types = map[wire.Type]bool{}
		for _, t := range sub.Types {
			if !slices.Contains(wire.Types, t) {
				return nil, fmt.Errorf("unknown event type %q", t)
			}
			f.types[t] = true
		}
	}
	switch sub.OnLag {
	case "", "close":
	case "skip":
		f.skip = true
	default:
		return nil, fmt.Errorf("on_lag %q: must be close or skip", sub.OnLag)
	}
	for _, o := range sub.Offsets {
		if o.Stream != wire.Stdout && o.Stream != wire.Stderr {
			return nil, fmt.Errorf("offset of job %d: stream %q: must be stdout or stderr", o.JobID, o.Stream)
		}
		if o.Offset < 0 {
			return nil, fmt.Errorf("offset of job %d: negative", o.JobID)
		}
	}
	return f, nil
}

// set makes a lookup set of xs; nil when xs is empty (match all).
func set[T comparable](xs []T) map[T]bool {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[T]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// visible reports whether the client may see jobs of uid.
func (f *filter) visible(uid uint32) bool { return f.who.All || f.who.UID == uid }

// match reports whether the client gets ev.
func (f *filter) match(ev *wire.Event) bool {
	if !f.visible(ev.UID) {
		return false
	}
	if f.types != nil && !f.types[ev.Type] {
		return false
	}
	if f.jobs != nil && !f.jobs[ev.JobID] && (ev.ArrayJobID == 0 || !f.jobs[ev.ArrayJobID]) {
		return false
	}
	if f.users != nil && !f.users[ev.User] {
		return false
	}
	if f.parts != nil && !f.parts[ev.Partition] {
		return false
	}
	if f.states != nil && !f.states[ev.State] {
		return false
	}
	return true
}

// wantsOutput reports whether the client takes Output events at all.
func (f *filter) wantsOutput() bool { return f.types == nil || f.types[wire.Output] }
