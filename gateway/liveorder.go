package gateway

import (
	"cmp"
	"slices"
)

// liveOrder is the live set's entries in job ID order, kept next to the
// map that finds them by ID, so that the readers listing every job
// (squeue, scontrol show job) copy it instead of sorting the map: with
// 100 000 jobs that is most of a snapshot's time. publish and forgetOld
// keep it in step with s.live; the caller holds s.mu for writing.
type liveOrder struct {
	xs []idEntry
}

// idEntry is a live entry and its job ID.
type idEntry struct {
	id uint32
	e  *entry
}

// put stores e as job id's entry. New IDs come from one sequence, so they
// are appended, or inserted close to the end.
func (o *liveOrder) put(id uint32, e *entry) {
	if n := len(o.xs); n == 0 || o.xs[n-1].id < id {
		o.xs = append(o.xs, idEntry{id, e})
		return
	}
	i, found := slices.BinarySearchFunc(o.xs, id, func(x idEntry, id uint32) int { return cmp.Compare(x.id, id) })
	if found {
		o.xs[i].e = e
		return
	}
	o.xs = slices.Insert(o.xs, i, idEntry{id, e})
}

// removeFunc removes the entries of the jobs gone reports.
func (o *liveOrder) removeFunc(gone func(id uint32) bool) {
	o.xs = slices.DeleteFunc(o.xs, func(x idEntry) bool { return gone(x.id) })
}
