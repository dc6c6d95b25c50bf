package gateway

import (
	"slices"
	"strconv"
	"strings"
)

// taskRun is a run of consecutive array task ids, lo to hi inclusive.
type taskRun struct{ lo, hi int64 }

// taskSet is a set of array task ids kept as sorted, disjoint and
// non-adjacent runs: "0-9999" costs one run, not ten thousand ids. The
// zero value is the empty set. Methods that change the set return a new
// one and leave the receiver alone.
type taskSet []taskRun

// taskSetOf returns the set of the ids in tasks (any order, repeats allowed).
func taskSetOf(tasks []int64) taskSet {
	sorted := slices.Clone(tasks)
	slices.Sort(sorted)
	var s taskSet
	for _, t := range sorted {
		if n := len(s); n > 0 && t <= s[n-1].hi+1 {
			s[n-1].hi = max(s[n-1].hi, t)
			continue
		}
		s = append(s, taskRun{t, t})
	}
	return s
}

// parseTaskSet reads the form String writes ("3,5-6,9"); parts that do
// not parse are skipped (the string comes from the daemon's own records).
func parseTaskSet(text string) taskSet {
	if text == "" {
		return nil
	}
	var s taskSet
	for _, part := range strings.Split(text, ",") {
		a, b, isRange := strings.Cut(part, "-")
		lo, err1 := strconv.ParseInt(a, 10, 64)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.ParseInt(b, 10, 64)
		}
		if err1 != nil || err2 != nil || hi < lo {
			continue
		}
		if n := len(s); n > 0 && lo <= s[n-1].hi+1 {
			s[n-1].hi = max(s[n-1].hi, hi)
			continue
		}
		s = append(s, taskRun{lo, hi})
	}
	return s
}

// String writes the set as Slurm prints an array's pending tasks: runs
// "a-b" and single ids joined by commas ("3,5-6,9"); "" when empty.
func (s taskSet) String() string {
	var b []byte
	for i, r := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, r.lo, 10)
		if r.hi > r.lo {
			b = append(b, '-')
			b = strconv.AppendInt(b, r.hi, 10)
		}
	}
	return string(b)
}

// Len is the number of ids in the set.
func (s taskSet) Len() int64 {
	var n int64
	for _, r := range s {
		n += r.hi - r.lo + 1
	}
	return n
}

// Contains reports whether t is in the set.
func (s taskSet) Contains(t int64) bool {
	i, found := slices.BinarySearchFunc(s, t, func(r taskRun, t int64) int {
		switch {
		case r.hi < t:
			return -1
		case r.lo > t:
			return 1
		}
		return 0
	})
	return found && i < len(s)
}

// Remove returns the set without t.
func (s taskSet) Remove(t int64) taskSet {
	out := make(taskSet, 0, len(s)+1)
	for _, r := range s {
		switch {
		case t < r.lo || t > r.hi:
			out = append(out, r)
		case r.lo == r.hi:
		case t == r.lo:
			out = append(out, taskRun{r.lo + 1, r.hi})
		case t == r.hi:
			out = append(out, taskRun{r.lo, r.hi - 1})
		default:
			out = append(out, taskRun{r.lo, t - 1}, taskRun{t + 1, r.hi})
		}
	}
	return out
}

// Intersect returns the ids in both s and o.
func (s taskSet) Intersect(o taskSet) taskSet {
	var out taskSet
	i, k := 0, 0
	for i < len(s) && k < len(o) {
		lo, hi := max(s[i].lo, o[k].lo), min(s[i].hi, o[k].hi)
		if lo <= hi {
			out = append(out, taskRun{lo, hi})
		}
		if s[i].hi < o[k].hi {
			i++
		} else {
			k++
		}
	}
	return out
}

// Each calls fn with the ids in ascending order until fn returns false.
func (s taskSet) Each(fn func(t int64) bool) {
	for _, r := range s {
		for t := r.lo; t <= r.hi; t++ {
			if !fn(t) {
				return
			}
		}
	}
}

// Minus returns the ids of s that are not in o.
func (s taskSet) Minus(o taskSet) taskSet {
	var out taskSet
	k := 0
	for _, r := range s {
		lo := r.lo
		for k < len(o) && o[k].hi < lo {
			k++
		}
		for j := k; j < len(o) && o[j].lo <= r.hi && lo <= r.hi; j++ {
			if o[j].lo > lo {
				out = append(out, taskRun{lo, o[j].lo - 1})
			}
			lo = max(lo, o[j].hi+1)
		}
		if lo <= r.hi {
			out = append(out, taskRun{lo, r.hi})
		}
	}
	return out
}
