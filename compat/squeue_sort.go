package compat

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// squeueSortKey is one -S key: a comparison and its direction. start
// marks the start-time key, which Slurm 22.05 sorts differently (see
// sortSqueueRecords).
type squeueSortKey struct {
	cmp     func(ja, jb *Job, a, b *squeueRecord) int
	reverse bool
	start   bool
	// letter is the -S letter (0 for "cluster"); keyed letters can be
	// turned into one integer per record before sorting (see sortKeyed).
	letter byte
}

// parseSqueueSort parses a -S spec ("P,t,-p" when empty). Keys are read
// from the right as Slurm does, so the error names the rightmost bad one.
func parseSqueueSort(spec string) ([]squeueSortKey, error) {
	if spec == "" {
		spec = "P,t,-p"
	}
	var rev []squeueSortKey
	for i := len(spec) - 1; i >= 0; i-- {
		c := spec[i]
		if c == ',' || c == '+' || c == '-' {
			continue
		}
		reverse := i > 0 && spec[i-1] == '-'
		if i >= 6 && strings.EqualFold(spec[i-6:i+1], "cluster") {
			reverse = i >= 7 && spec[i-7] == '-'
			rev = append(rev, squeueSortKey{cmp: func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.Cluster, jb.Cluster) }, reverse: reverse})
			i -= 6
			continue
		}
		f, ok := squeueSorters[c]
		if !ok {
			return nil, Errorf(1, "squeue: error: Invalid sort specification: %s", string([]byte{c}))
		}
		if f != nil {
			rev = append(rev, squeueSortKey{cmp: f, reverse: reverse, start: c == 'S', letter: c})
		}
	}
	slices.Reverse(rev)
	return rev, nil
}

// squeueSorters maps -S letters to comparisons; nil entries are accepted
// letters that do not sort (Slurm ignores them too).
var squeueSorters = map[byte]func(ja, jb *Job, a, b *squeueRecord) int{
	'B': func(ja, jb *Job, _, _ *squeueRecord) int {
		return strings.Compare(firstNode(ja.NodeList), firstNode(jb.NodeList))
	},
	'b': nil, 'c': nil, 'f': nil, 'h': nil, 'n': nil, 'O': nil,
	'H': nil, 'I': nil, 'J': nil, 'z': nil, 'v': nil, 'd': nil,
	'C': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.NumCPUs, jb.NumCPUs) },
	'D': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.NumNodes, jb.NumNodes) },
	'e': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.EndTime.Unix(), jb.EndTime.Unix()) },
	'g': func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.Group, jb.Group) },
	'G': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.GID, jb.GID) },
	'i': func(ja, jb *Job, _, _ *squeueRecord) int {
		ia, ta := squeueSortID(ja)
		ib, tb := squeueSortID(jb)
		if ia != ib {
			return cmp.Compare(ia, ib)
		}
		return cmp.Compare(ta, tb)
	},
	'j': func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.Name, jb.Name) },
	'l': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(limitKey(ja), limitKey(jb)) },
	'L': func(_, _ *Job, a, b *squeueRecord) int { return cmp.Compare(a.left, b.left) },
	'm': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.MinMemoryMB, jb.MinMemoryMB) },
	'M': func(_, _ *Job, a, b *squeueRecord) int { return cmp.Compare(a.used, b.used) },
	'N': func(ja, jb *Job, _, _ *squeueRecord) int {
		return strings.Compare(firstNode(ja.NodeList), firstNode(jb.NodeList))
	},
	'p': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.Priority, jb.Priority) },
	'Q': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.Priority, jb.Priority) },
	'P': func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.Partition, jb.Partition) },
	'S': func(_, _ *Job, a, b *squeueRecord) int { return cmp.Compare(a.start, b.start) },
	't': func(_, _ *Job, a, b *squeueRecord) int {
		return strings.Compare(stateCodeAt(a.code), stateCodeAt(b.code))
	},
	'T': func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.State, jb.State) },
	'u': func(ja, jb *Job, _, _ *squeueRecord) int { return strings.Compare(ja.User, jb.User) },
	'U': func(ja, jb *Job, _, _ *squeueRecord) int { return cmp.Compare(ja.UID, jb.UID) },
	'V': func(ja, jb *Job, _, _ *squeueRecord) int {
		return cmp.Compare(ja.SubmitTime.Unix(), jb.SubmitTime.Unix())
	},
}

// squeueSortID is the id -S i sorts on: the array master and task for
// array tasks (a pending array sorts as task NO_VAL).
func squeueSortID(j *Job) (uint32, uint32) {
	if j.ArrayTaskID >= 0 && j.ArrayTasks == "" {
		return arrayMaster(j), uint32(j.ArrayTaskID)
	}
	return j.JobID, NoValue
}

// limitKey orders time limits with "no limit" last, as Slurm's INFINITE.
func limitKey(j *Job) int64 {
	if j.TimeLimit == Infinite {
		return 1 << 40
	}
	return j.TimeLimit
}

// sortStart is the start time squeue sorts on: unknown starts last, and
// now for a pending job whose expected start has passed.
func sortStart(j *Job, now time.Time) int64 {
	t := effectiveStart(j)
	switch {
	case t.IsZero():
		return 1 << 62
	case j.State == "PENDING" && t.Before(now):
		return now.Unix()
	}
	return t.Unix()
}

// sortSqueueRecords fills sel.order with the records in squeue's order.
//
// Slurm 22.05 sorts a list of jobs in the controller's order (ascending
// job id) first by start time, then by each -S key from the last to the
// first. Every sort keeps the previous order of equal jobs, except the
// start-time sort: it ignores '-' and reverses the order of jobs with equal
// start times (measured on the reference machine with -S S, -S -S, -S S,i
// and -S S,-i). Without a start key in -S, the whole thing is one sort by
// the keys, then start time, then descending job id; otherwise the passes
// are made one by one.
func sortSqueueRecords(sel *squeueSelection, keys []squeueSortKey, now time.Time) {
	sel.order = sel.order[:0]
	if cap(sel.order) < len(sel.recs) {
		sel.order = make([]int32, 0, len(sel.recs))
	}
	for i := range sel.recs {
		r := &sel.recs[i]
		j := sel.jobs[r.job]
		sel.order = append(sel.order, int32(i))
		r.code = stateIndex(j.State)
		r.start = sortStart(j, now)
		row := squeueRow{j: j, now: now}
		r.used = squeueTimeUsed(&row)
		r.left = limitKey(j)
		if j.TimeLimit != Infinite {
			r.left = j.TimeLimit*secondsPerMinute - r.used
		}
	}
	byKeys := func(ks []squeueSortKey, x, y *squeueRecord) int {
		jx, jy := sel.jobs[x.job], sel.jobs[y.job]
		for _, k := range ks {
			if c := k.cmp(jx, jy, x, y); c != 0 {
				if k.reverse {
					return -c
				}
				return c
			}
		}
		return 0
	}
	startThenID := func(x, y *squeueRecord) int {
		if c := cmp.Compare(x.start, y.start); c != 0 {
			return c
		}
		return cmp.Compare(sel.jobs[y.job].JobID, sel.jobs[x.job].JobID)
	}
	if !slices.ContainsFunc(keys, func(k squeueSortKey) bool { return k.start }) {
		if sortKeyed(sel, keys) {
			return
		}
		slices.SortFunc(sel.order, func(xi, yi int32) int {
			x, y := &sel.recs[xi], &sel.recs[yi]
			if c := byKeys(keys, x, y); c != 0 {
				return c
			}
			return startThenID(x, y)
		})
		return
	}
	// The general case: the start sort of the controller's order, then one
	// pass per group of keys between start keys, from the right.
	slices.SortFunc(sel.order, func(xi, yi int32) int { return startThenID(&sel.recs[xi], &sel.recs[yi]) })
	pos := make([]int32, len(sel.recs))
	pass := func(less func(x, y *squeueRecord) int, tiesReversed bool) {
		for p, i := range sel.order {
			pos[i] = int32(p)
		}
		slices.SortFunc(sel.order, func(xi, yi int32) int {
			if c := less(&sel.recs[xi], &sel.recs[yi]); c != 0 {
				return c
			}
			if tiesReversed {
				return cmp.Compare(pos[yi], pos[xi])
			}
			return cmp.Compare(pos[xi], pos[yi])
		})
	}
	end := len(keys)
	for i := len(keys) - 1; i >= -1; i-- {
		if i >= 0 && !keys[i].start {
			continue
		}
		if group := keys[i+1 : end]; len(group) > 0 {
			pass(func(x, y *squeueRecord) int { return byKeys(group, x, y) }, false)
		}
		if i >= 0 {
			pass(func(x, y *squeueRecord) int { return cmp.Compare(x.start, y.start) }, true)
		}
		end = i
	}
}

// keyedLetters are the sort letters whose order is that of one string or
// one number per job, which sortKeyed can precompute.
var keyedLetters = map[byte]bool{'P': true, 't': true, 'p': true, 'Q': true, 'T': true, 'u': true, 'j': true}

// sortKeyed sorts sel.order like the generic comparison of
// sortSqueueRecords (keys, then start, then job ID descending) when every
// key is in keyedLetters, and reports whether it did. It turns each key
// into one integer per record first (a string into its rank among the
// distinct values, which keeps strings.Compare's order), so the sort
// compares small contiguous integers instead of chasing each job's view:
// with 100 000 jobs that is most of squeue's time.
func sortKeyed(sel *squeueSelection, keys []squeueSortKey) bool {
	for _, k := range keys {
		if !keyedLetters[k.letter] {
			return false
		}
	}
	n := len(sel.recs)
	vals := make([]int64, (len(keys)+1)*n)
	for ki, k := range keys {
		col := vals[ki*n : (ki+1)*n]
		switch k.letter {
		case 'p', 'Q':
			for i := range sel.recs {
				col[i] = int64(sel.jobs[sel.recs[i].job].Priority)
			}
			continue
		}
		str := func(i int) string {
			r := &sel.recs[i]
			j := sel.jobs[r.job]
			switch k.letter {
			case 'P':
				return j.Partition
			case 't':
				return stateCodeAt(r.code)
			case 'T':
				return j.State
			case 'u':
				return j.User
			}
			return j.Name
		}
		rank := map[string]int64{}
		for i := range sel.recs {
			rank[str(i)] = 0
		}
		distinct := make([]string, 0, len(rank))
		for v := range rank {
			distinct = append(distinct, v)
		}
		slices.Sort(distinct)
		for r, v := range distinct {
			rank[v] = int64(r)
		}
		for i := range sel.recs {
			col[i] = rank[str(i)]
		}
	}
	ids := vals[len(keys)*n:]
	for i := range sel.recs {
		ids[i] = int64(sel.jobs[sel.recs[i].job].JobID)
	}
	slices.SortFunc(sel.order, func(xi, yi int32) int {
		for ki, k := range keys {
			col := vals[ki*n : (ki+1)*n]
			if c := cmp.Compare(col[xi], col[yi]); c != 0 {
				if k.reverse {
					return -c
				}
				return c
			}
		}
		if c := cmp.Compare(sel.recs[xi].start, sel.recs[yi].start); c != 0 {
			return c
		}
		return cmp.Compare(ids[yi], ids[xi])
	})
	return true
}
