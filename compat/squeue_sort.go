package compat

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"
)

// squeueSortKey is one -S key: what it sorts on and its direction. Every
// key is one number or one string per row, which selectSqueueJobs reads
// from the job's view into a column (see squeueSelection), so that sorting
// compares small integers and never goes back to the views. start marks
// the start-time key, which Slurm 22.05 sorts differently (see
// sortSqueueRecords).
type squeueSortKey struct {
	// num is the key as an order-preserving unsigned number; nil when
	// the key is a string (str).
	num     func(j *Job, r *squeueRecord, row *squeueRow) uint64
	str     func(j *Job, r *squeueRecord) string
	reverse bool
	start   bool
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
			rev = append(rev, squeueSortKey{str: func(j *Job, _ *squeueRecord) string { return j.Cluster }, reverse: reverse})
			i -= 6
			continue
		}
		k, ok := squeueSorters()[c]
		if !ok {
			return nil, Errorf(1, "squeue: error: Invalid sort specification: %s", string([]byte{c}))
		}
		if k.num != nil || k.str != nil {
			k.reverse, k.start = reverse, c == 'S'
			rev = append(rev, k)
		}
	}
	slices.Reverse(rev)
	return rev, nil
}

// CheckSqueueSort returns the error Squeue gives for the -S spec (after
// printing the header), nil when Squeue accepts it.
func CheckSqueueSort(spec string) error {
	_, err := parseSqueueSort(spec)
	return err
}

// ordInt maps a signed number to an unsigned one of the same order.
func ordInt(x int64) uint64 { return uint64(x) ^ 1<<63 }

// numKey is a key on a signed number of the job.
func numKey(get func(j *Job) int64) squeueSortKey {
	return squeueSortKey{num: func(j *Job, _ *squeueRecord, _ *squeueRow) uint64 { return ordInt(get(j)) }}
}

// strKey is a key on a string of the job.
func strKey(get func(j *Job) string) squeueSortKey {
	return squeueSortKey{str: func(j *Job, _ *squeueRecord) string { return get(j) }}
}

// squeueSorters maps -S letters to keys; empty entries are accepted
// letters that do not sort (Slurm ignores them too).
var squeueSorters = sync.OnceValue(func() map[byte]squeueSortKey {
	return map[byte]squeueSortKey{
		'B': strKey(func(j *Job) string { return firstNode(j.NodeList) }),
		'b': {}, 'c': {}, 'f': {}, 'h': {}, 'n': {}, 'O': {},
		'H': {}, 'I': {}, 'J': {}, 'z': {}, 'v': {}, 'd': {},
		'C': numKey(func(j *Job) int64 { return int64(j.NumCPUs) }),
		'D': numKey(func(j *Job) int64 { return int64(j.NumNodes) }),
		'e': numKey(func(j *Job) int64 { return j.EndTime.Unix() }),
		'g': strKey(func(j *Job) string { return j.Group }),
		'G': numKey(func(j *Job) int64 { return int64(j.GID) }),
		'i': {num: func(j *Job, _ *squeueRecord, _ *squeueRow) uint64 {
			id, task := squeueSortID(j)
			return uint64(id)<<32 | uint64(task)
		}},
		'j': strKey(func(j *Job) string { return j.Name }),
		'l': numKey(limitKey),
		'L': {num: func(j *Job, _ *squeueRecord, row *squeueRow) uint64 {
			if j.TimeLimit == Infinite {
				return ordInt(limitKey(j))
			}
			return ordInt(j.TimeLimit*secondsPerMinute - squeueTimeUsed(row))
		}},
		'm': numKey(func(j *Job) int64 { return j.MinMemoryMB }),
		'M': {num: func(_ *Job, _ *squeueRecord, row *squeueRow) uint64 { return ordInt(squeueTimeUsed(row)) }},
		'N': strKey(func(j *Job) string { return firstNode(j.NodeList) }),
		'p': numKey(func(j *Job) int64 { return int64(j.Priority) }),
		'Q': numKey(func(j *Job) int64 { return int64(j.Priority) }),
		'P': strKey(func(j *Job) string { return j.Partition }),
		'S': {num: func(_ *Job, r *squeueRecord, _ *squeueRow) uint64 { return ordInt(r.start) }},
		't': {str: func(_ *Job, r *squeueRecord) string { return stateCodeAt(r.code) }},
		'T': strKey(func(j *Job) string { return j.State }),
		'u': strKey(func(j *Job) string { return j.User }),
		'U': numKey(func(j *Job) int64 { return int64(j.UID) }),
		'V': numKey(func(j *Job) int64 { return j.SubmitTime.Unix() }),
	}
})

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

// fillSortFields sets the fields of r that sorting reads: the job id,
// the state code and the start.
func fillSortFields(r *squeueRecord, j *Job, now time.Time) {
	r.id = j.JobID
	r.code = stateIndex(j.State)
	r.start = sortStart(j, now)
}

// sortSqueueRecords fills sel.order with the records in squeue's order,
// from the key columns selectSqueueJobs filled.
//
// Slurm 22.05 sorts a list of jobs in the controller's order (ascending
// job id) first by start time, then by each -S key from the last to the
// first. Every sort keeps the previous order of equal jobs, except the
// start-time sort: it ignores '-' and reverses the order of jobs with equal
// start times (measured on the reference machine with -S S, -S -S, -S S,i
// and -S S,-i). Without a start key in -S, the whole thing is one sort by
// the keys, then start time, then descending job id; otherwise the passes
// are made one by one.
func sortSqueueRecords(sel *squeueSelection, keys []squeueSortKey) {
	sel.rankStrings(keys)
	n := len(sel.recs)
	sel.order = sel.order[:0]
	if cap(sel.order) < n {
		sel.order = make([]int32, 0, n)
	}
	for i := range n {
		sel.order = append(sel.order, int32(i))
	}
	col := func(ki int) []uint64 { return sel.cols[ki] }
	byKeys := func(from, to int, x, y int32) int {
		for ki := from; ki < to; ki++ {
			c := col(ki)
			if d := cmp.Compare(c[x], c[y]); d != 0 {
				if keys[ki].reverse {
					return -d
				}
				return d
			}
		}
		return 0
	}
	startThenID := func(x, y int32) int {
		rx, ry := &sel.recs[x], &sel.recs[y]
		if c := cmp.Compare(rx.start, ry.start); c != 0 {
			return c
		}
		return cmp.Compare(ry.id, rx.id)
	}
	if !slices.ContainsFunc(keys, func(k squeueSortKey) bool { return k.start }) {
		slices.SortFunc(sel.order, func(x, y int32) int {
			if c := byKeys(0, len(keys), x, y); c != 0 {
				return c
			}
			return startThenID(x, y)
		})
		return
	}
	// The general case: the start sort of the controller's order, then one
	// pass per group of keys between start keys, from the right.
	slices.SortFunc(sel.order, startThenID)
	pos := make([]int32, n)
	pass := func(less func(x, y int32) int, tiesReversed bool) {
		for p, i := range sel.order {
			pos[i] = int32(p)
		}
		slices.SortFunc(sel.order, func(x, y int32) int {
			if c := less(x, y); c != 0 {
				return c
			}
			if tiesReversed {
				return cmp.Compare(pos[y], pos[x])
			}
			return cmp.Compare(pos[x], pos[y])
		})
	}
	end := len(keys)
	for i := len(keys) - 1; i >= -1; i-- {
		if i >= 0 && !keys[i].start {
			continue
		}
		if from, to := i+1, end; to > from {
			pass(func(x, y int32) int { return byKeys(from, to, x, y) }, false)
		}
		if i >= 0 {
			pass(func(x, y int32) int { return cmp.Compare(sel.recs[x].start, sel.recs[y].start) }, true)
		}
		end = i
	}
}
