package compat

import (
	"slices"
	"strings"
	"sync"
)

// squeueRecord is a selected job: its sort fields and the span of
// squeueSelection.text that holds its lines (the job's own, or one per
// array task it stands for). It holds no pointers, so that a large queue
// costs the garbage collector nothing to scan.
type squeueRecord struct {
	id uint32 // the job id, the last tie-breaker
	// code is %t's index in jobStates (fillSortFields); start is the
	// start time squeue sorts on.
	code     uint8
	start    int64
	off, end int
}

// squeueSelection is the outcome of selecting and sorting: records, their
// lines already rendered, the sort key columns and the printing order.
// Each job's view is read once, while selecting: its lines are rendered
// then, so that printing is copying text in the sorted order.
type squeueSelection struct {
	recs []squeueRecord
	text []byte
	// cols holds one column per sort key: cols[k][i] is key k of record
	// i. A string key's column holds codes handed out in the order the
	// strings came (dicts[k]), which rankStrings turns into their ranks.
	cols    [][]uint64
	dicts   []map[string]uint64
	order   []int32
	scratch []byte // to format one value
	// last caches each string key's latest string and code: jobs in a row
	// mostly share their partition, user and state.
	last []lastString
}

// lastString is a string key's latest string and its code.
type lastString struct {
	s    string
	code uint64
	ok   bool
}

// squeueSelectionPool recycles selections between calls.
var squeueSelectionPool = sync.Pool{New: func() any { return new(squeueSelection) }}

// reset empties sel for a selection sorted on keys among n jobs.
func (sel *squeueSelection) reset(keys []squeueSortKey, n int) {
	sel.recs, sel.text = sel.recs[:0], sel.text[:0]
	if cap(sel.recs) < n {
		sel.recs = make([]squeueRecord, 0, n)
	}
	for len(sel.cols) < len(keys) {
		sel.cols = append(sel.cols, nil)
		sel.dicts = append(sel.dicts, nil)
		sel.last = append(sel.last, lastString{})
	}
	for k, key := range keys {
		sel.cols[k] = sel.cols[k][:0]
		if cap(sel.cols[k]) < n {
			sel.cols[k] = make([]uint64, 0, n)
		}
		sel.last[k] = lastString{}
		if key.num == nil {
			sel.dicts[k] = map[string]uint64{}
		}
	}
}

// release drops what sel points to outside itself before it goes back to
// the pool: the strings of the dictionaries.
func (sel *squeueSelection) release() {
	clear(sel.dicts)
	clear(sel.last)
}

// addKeys appends record r's value of every key, read from j.
func (sel *squeueSelection) addKeys(keys []squeueSortKey, j *Job, r *squeueRecord, row *squeueRow) {
	for k, key := range keys {
		if key.num != nil {
			sel.cols[k] = append(sel.cols[k], key.num(j, r, row))
			continue
		}
		s := key.str(j, r)
		if l := &sel.last[k]; !l.ok || l.s != s {
			code, seen := sel.dicts[k][s]
			if !seen {
				code = uint64(len(sel.dicts[k]))
				sel.dicts[k][s] = code
			}
			*l = lastString{s: s, code: code, ok: true}
		}
		sel.cols[k] = append(sel.cols[k], sel.last[k].code)
	}
}

// rankStrings replaces the codes of each string key's column by the
// ranks of their strings among the column's distinct values, which keeps
// strings.Compare's order.
func (sel *squeueSelection) rankStrings(keys []squeueSortKey) {
	for k, key := range keys {
		if key.num != nil {
			continue
		}
		distinct := make([]string, len(sel.dicts[k]))
		for s, code := range sel.dicts[k] {
			distinct[code] = s
		}
		byRank := make([]uint64, len(distinct)) // indexes into distinct
		for i := range byRank {
			byRank[i] = uint64(i)
		}
		slices.SortFunc(byRank, func(a, b uint64) int { return strings.Compare(distinct[a], distinct[b]) })
		rank := make([]uint64, len(distinct)) // code → rank
		for r, code := range byRank {
			rank[code] = uint64(r)
		}
		col := sel.cols[k]
		for i, code := range col {
			col[i] = rank[code]
		}
	}
}

// selectSqueueJobs applies the filters of o to the jobs of src, renders
// the lines of each job it keeps (one per array task where -r or a "-j
// 45_2" selector asks for them) and records the job's sort keys.
func selectSqueueJobs(sel *squeueSelection, o *SqueueOptions, src JobSource, keys []squeueSortKey, items []fmtItem, row *squeueRow, myUID uint32) {
	n := src.Len()
	sel.reset(keys, n)
	need := squeueNeed(items)
	var view Job
	for i := range n {
		j := src.View(i, &view, need)
		if !o.selectsJob(j, myUID) {
			continue
		}
		var tasks []int64
		if o.Jobs != nil {
			var ok bool
			if tasks, ok = squeueJobMatch(*o.Jobs, j); !ok {
				continue
			}
		}
		if tasks == nil && j.ArrayTasks != "" && o.Array {
			tasks = expandArrayTasks(j.ArrayTasks)
		}
		sel.recs = append(sel.recs, squeueRecord{off: len(sel.text)})
		r := &sel.recs[len(sel.recs)-1]
		row.j, row.task = j, -1
		if tasks == nil {
			sel.text, sel.scratch = appendSqueueLine(sel.text, sel.scratch, items, row)
		}
		for _, row.task = range tasks {
			sel.text, sel.scratch = appendSqueueLine(sel.text, sel.scratch, items, row)
		}
		r.end = len(sel.text)
		if len(sel.recs) == 1 {
			// Lines are about the same length: size the text once.
			sel.text = slices.Grow(sel.text, (r.end-r.off)*(n-i)*9/8)
		}
		fillSortFields(r, j, row.now)
		sel.addKeys(keys, j, r, row)
	}
	row.j = nil
}
