package compat

import "strings"

// DefaultMaxArraySize is Slurm's default MaxArraySize: array task ids run
// from 0 to DefaultMaxArraySize-1.
const DefaultMaxArraySize = 1001

// ReasonInvalidArray is the controller's reason for an --array value it
// refuses; sbatch prints it after "Batch job submission failed: ".
const ReasonInvalidArray = "Invalid job array specification"

// errInvalidArray is sbatch's whole message for a refused --array value.
var errInvalidArray = &Error{Code: 1, Msg: "sbatch: error: Batch job submission failed: " + ReasonInvalidArray + "\n"}

// ArraySpec is a parsed --array value.
type ArraySpec struct {
	// Tasks are the task ids, ascending and without repeats. It is empty
	// when the value names no task at all ("" or only commas): Slurm then
	// submits an ordinary job, not an array.
	Tasks []int64 `json:"tasks,omitempty"`
	// Throttle is the "%N" limit on tasks running at once, 0 for none.
	Throttle int `json:"throttle,omitempty"`
	// Step is SLURM_ARRAY_TASK_STEP as Slurm sets it: the number after the
	// first ':' of the value (whatever range it belongs to, 0 when no
	// digits follow), or 1 when there is no ':'. "1-9:2" gives 2, "1,3,7"
	// gives 1, "1-5:2,10-20:5" gives 2.
	Step int64 `json:"step,omitempty"`
}

// ParseArray parses an --array value the way Slurm 22.05's controller does.
// The value is a comma list of tokens "N", "N-M" or "N-M:S", each of which
// may be wrapped in "[...]"; "%T" anywhere sets the throttle. Numbers are
// read like C's strtol (leading blanks and a sign are accepted, a token
// may end early only at '%'), task ids must lie in [0, maxArraySize) and a
// step in (0, maxArraySize). maxArraySize <= 0 means DefaultMaxArraySize.
//
// ParseArray returns an *Error carrying sbatch's message
// ("Invalid job array specification", exit 1) for a value Slurm refuses.
// An empty result (no Tasks) with a nil error means "not an array".
func ParseArray(spec string, maxArraySize int) (ArraySpec, error) {
	if i := strings.IndexByte(spec, 0); i >= 0 {
		spec = spec[:i] // C strings end at the first NUL
	}
	if maxArraySize <= 0 {
		maxArraySize = DefaultMaxArraySize
	}
	limit := int64(maxArraySize)
	var set []bool
	count := 0
	for _, tok := range strings.Split(spec, ",") {
		if tok == "" {
			continue
		}
		first, last, step, ok := parseArrayToken(tok, limit)
		if !ok {
			return ArraySpec{}, errInvalidArray
		}
		if set == nil {
			set = make([]bool, maxArraySize)
		}
		for t := first; t <= last; t += step {
			if !set[t] {
				set[t] = true
				count++
			}
		}
	}
	if count == 0 {
		return ArraySpec{}, nil
	}
	a := ArraySpec{Tasks: make([]int64, 0, count), Step: 1}
	for t, on := range set {
		if on {
			a.Tasks = append(a.Tasks, int64(t))
		}
	}
	if i := strings.IndexByte(spec, '%'); i >= 0 {
		// Slurm keeps the throttle in a C int: only a positive value counts.
		n, _ := cStrtol(spec[i+1:])
		if th := int32(n); th > 0 {
			a.Throttle = int(th)
		}
	}
	if i := strings.IndexByte(spec, ':'); i >= 0 {
		n, _ := cStrtol(spec[i+1:])
		a.Step = int64(int32(n))
	}
	return a, nil
}

// parseArrayToken parses one comma-separated token of an --array value:
// "N", "N-M" or "N-M:S", with an optional leading '[', a ']' allowed after
// each number, and anything after a '%' ignored.
func parseArrayToken(tok string, limit int64) (first, last, step int64, ok bool) {
	tok = strings.TrimPrefix(tok, "[")
	first, rest := cStrtol(tok)
	rest = strings.TrimPrefix(rest, "]")
	if first < 0 {
		return 0, 0, 0, false
	}
	step = 1
	last = first
	if strings.HasPrefix(rest, "-") {
		last, rest = cStrtol(rest[1:])
		rest = strings.TrimPrefix(rest, "]")
		if strings.HasPrefix(rest, ":") {
			step, rest = cStrtol(rest[1:])
			rest = strings.TrimPrefix(rest, "]")
			if step <= 0 || step >= limit {
				return 0, 0, 0, false
			}
		}
		if last < first {
			return 0, 0, 0, false
		}
	}
	if rest != "" && rest[0] != '%' {
		return 0, 0, 0, false
	}
	if last >= limit {
		return 0, 0, 0, false
	}
	return first, last, step, true
}

// String returns the array as squeue and scontrol print it: "0-5%2",
// "1,3,7", "1,3,5,7,9" for "1-9:2"; "" for no array.
func (a ArraySpec) String() string {
	return FormatArrayTasks(a.Tasks, a.Throttle)
}

// Count is SLURM_ARRAY_TASK_COUNT: the number of tasks.
func (a ArraySpec) Count() int64 { return int64(len(a.Tasks)) }

// Min is SLURM_ARRAY_TASK_MIN: the lowest task id (0 for no array).
func (a ArraySpec) Min() int64 {
	if len(a.Tasks) == 0 {
		return 0
	}
	return a.Tasks[0]
}

// Max is SLURM_ARRAY_TASK_MAX: the highest task id (0 for no array).
func (a ArraySpec) Max() int64 {
	if len(a.Tasks) == 0 {
		return 0
	}
	return a.Tasks[len(a.Tasks)-1]
}
