package compat

import (
	"cmp"
	"slices"
	"strings"
)

// maxTaskRange is the most ids one range of a task list may span
// (MAX_RANGE of Slurm's hostlist parser, which scancel uses).
const maxTaskRange = 64 * 1024

// maxTaskListID bounds the ids a task list selects: Slurm's controller
// ignores the whole list when an id reaches MaxArraySize, whose largest
// allowed value is 4000001.
const maxTaskListID = 4000001

// TaskListError is ParseTaskList's complaint about one range of a task
// list, worded as Slurm's hostlist parser prints it after
// "scancel: error: ".
type TaskListError struct {
	Range   string // the range as given, e.g. "8-12:2" or ""
	TooMany bool   // the range spans more than 65536 ids
}

func (e *TaskListError) Error() string {
	if e.TooMany {
		return "_parse_single_range: Too many hosts in range `" + e.Range + "'"
	}
	return "_parse_single_range: Invalid range: `" + e.Range + "'"
}

// ParseTaskList parses the array task selection of "57_[1,3-5]" as
// scancel does: the text between the brackets (a surrounding "[...]" is
// also accepted). Each comma-separated range is "N" or "N-M"; scancel
// checks it with Slurm's hostlist rules and refuses it with a
// *TaskListError: an empty range ("1,,2", "1,"), a step or throttle
// ("8-12:2", "1%2"), N > M, an 'x', or more than 65536 ids in one range.
//
// The ids returned, ascending and without repeats, are the ones Slurm's
// controller then selects. It reads the list again with strtol and
// quietly selects nothing when any range is one it cannot read: "9-"
// (passes scancel's check but selects nothing, while "0-" selects 0),
// "7 -8", or an id of 4000001 or more. The daemon applies its own
// MaxArraySize: Slurm also selects nothing when any id is at or above it.
func ParseTaskList(s string) ([]int64, error) {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	pieces := strings.Split(s, ",")
	for _, p := range pieces {
		if err := checkTaskRange(p); err != nil {
			return nil, err
		}
	}
	ranges := make([][2]int64, 0, len(pieces))
	for _, p := range pieces {
		first, last, _, ok := parseArrayToken(p, maxTaskListID)
		if !ok {
			return nil, nil
		}
		ranges = append(ranges, [2]int64{first, last})
	}
	// Merge overlapping ranges first, so repeats cost nothing.
	slices.SortFunc(ranges, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	var out []int64
	next := int64(0)
	for _, r := range ranges {
		for t := max(r[0], next); t <= r[1]; t++ {
			out = append(out, t)
		}
		next = max(next, r[1]+1)
	}
	return out, nil
}

// checkTaskRange applies the checks of Slurm's _parse_single_range to one
// range "N" or "N-M" (numbers read with strtoul).
func checkTaskRange(r string) error {
	bad := &TaskListError{Range: r}
	if strings.IndexByte(r, 'x') >= 0 {
		return bad
	}
	loStr, hiStr, hasHi := strings.Cut(r, "-")
	if strings.HasPrefix(hiStr, "-") {
		return bad
	}
	lo, loRest, ok := strtoulC(loStr)
	if !ok {
		return bad
	}
	hi := lo
	if hasHi && hiStr != "" {
		var rest string
		hi, rest, ok = strtoulC(hiStr)
		if !ok || rest != "" {
			return bad
		}
	} else if loRest != "" {
		return bad
	}
	if lo > hi {
		return bad
	}
	// C's unsigned arithmetic: a range of all 2^64 ids wraps to 0.
	if hi-lo+1 > maxTaskRange {
		return &TaskListError{Range: r, TooMany: true}
	}
	return nil
}
