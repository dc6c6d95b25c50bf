package compat

import "strings"

// Reasons the controller gives for a --dependency value it refuses; sbatch
// prints them after "Batch job submission failed: ".
const (
	ReasonDependency   = "Job dependency problem"
	ReasonNotSupported = "Requested operation not supported on this system"
)

// sbatch's whole messages for a refused --dependency value.
var (
	errDependency   = &Error{Code: 1, Msg: "sbatch: error: Batch job submission failed: " + ReasonDependency + "\n"}
	errNotSupported = &Error{Code: 1, Msg: "sbatch: error: Batch job submission failed: " + ReasonNotSupported + "\n"}
)

// DepType is a dependency condition, spelled as Slurm prints it.
type DepType string

// The dependency conditions of Slurm 22.05 (its "expand" is refused).
const (
	DepAfter            DepType = "after"            // the job started (or was cancelled), +time minutes ago
	DepAfterAny         DepType = "afterany"         // the job ended, however
	DepAfterOK          DepType = "afterok"          // the job ended COMPLETED (exit 0)
	DepAfterNotOK       DepType = "afternotok"       // the job ended otherwise
	DepAfterCorr        DepType = "aftercorr"        // the same task id of an array ended COMPLETED
	DepAfterBurstBuffer DepType = "afterburstbuffer" // the job ended (Sky Port has no burst buffers)
	DepSingleton        DepType = "singleton"        // no earlier job of the same user and name is active
)

// DepState is how one dependency stands. Fulfilled and failed are final:
// Slurm never looks at such a dependency again.
type DepState uint8

// The states of one dependency, as squeue prints them in parentheses.
const (
	DepUnfulfilled DepState = iota
	DepFulfilled
	DepFailed
)

// Special values of DepItem.Task.
const (
	DepNoTask   int64 = -1 // the job as named ("afterok:81")
	DepAllTasks int64 = -2 // every task of an array ("afterok:45_*")
)

// DepItem is one dependency: a condition on one job, array task or array.
type DepItem struct {
	Type  DepType `json:"type"`
	JobID uint32  `json:"job_id,omitempty"` // 0 for singleton
	// Task is an array task id, DepNoTask or DepAllTasks.
	Task int64 `json:"task"`
	// Delay is the "+time" of the item in seconds, as Slurm keeps it
	// (minutes × 60 in 32 bits); only "after" waits for it, but every type
	// prints it ("+5").
	Delay uint32   `json:"delay,omitempty"`
	State DepState `json:"state,omitempty"`
}

// Dependency is a parsed --dependency value with the state of each item.
// The zero value is "no dependency".
type Dependency struct {
	Items []DepItem `json:"items,omitempty"`
	// Any is set when the value used '?': one satisfied item is enough.
	// Otherwise every item must be satisfied.
	Any bool `json:"any,omitempty"`
}

// ParseDependency parses a --dependency value the way Slurm 22.05's
// controller does, including its quirks:
//
//   - "" and "0" mean no dependency;
//   - "type:id[_task|_*][+minutes][:id...]" groups joined by ',' (all
//     must hold) or '?' (any may hold; one '?' makes the whole list
//     "any"), types matched case-insensitively by prefix
//     ("afterburstb" is enough), "singleton" alone;
//   - a bare "id[,id...]" list means afterany, but only when no ':'
//     follows anywhere;
//   - "id_[1-3,5]" is expanded to one item per task (ids read as
//     bit_unfmt does; a step range "a-b:s" stops before b);
//   - numbers are read like strtol and stored in 32 bits ("-1" is job
//     4294967295, "_-1" is "_*"); a "+time" carries over to the later ids
//     of its group; after a "+time" or a "(state)" anything that is not
//     ':', ',' or '?' ends the value silently;
//   - "(failed)" after an id or singleton, as Slurm itself prints it,
//     makes that item failed from the start; Slurm looks for the '('
//     anywhere further on, so "afterok:1:2(failed)" is "afterok:1(failed)".
//
// Repeated items (same type, job and task) are kept once. Job ids are not
// looked up here: DependencyStatus drops unknown ones, and the daemon
// refuses a job that names itself (see DependsOn). maxArraySize bounds
// the task ids of "_[...]"; <= 0 means DefaultMaxArraySize.
//
// ParseDependency returns an *Error carrying sbatch's message: "Job
// dependency problem", or "Requested operation not supported on this
// system" for "expand:" (exit 1 both).
func ParseDependency(spec string, maxArraySize int) (Dependency, error) {
	if i := strings.IndexByte(spec, 0); i >= 0 {
		spec = spec[:i] // C strings end at the first NUL
	}
	if spec == "" || spec == "0" {
		return Dependency{}, nil
	}
	if maxArraySize <= 0 {
		maxArraySize = DefaultMaxArraySize
	}
	tok := spec
	if x, ok := xlateArrayDep(spec, maxArraySize); ok {
		tok = x
	}
	p := depParser{seen: map[depKey]bool{}}
	for {
		if len(tok) >= 9 && strings.EqualFold(tok[:9], "singleton") {
			state, rest, ok := p.state(tok[9:])
			if !ok {
				return Dependency{}, errDependency
			}
			p.add(DepItem{Type: DepSingleton, Task: DepNoTask, State: state})
			switch {
			case strings.HasPrefix(rest, ","):
				tok = rest[1:]
				continue
			case strings.HasPrefix(rest, "?"):
				tok = rest[1:]
				p.dep.Any = true
				continue
			case rest != "":
				return Dependency{}, errDependency
			}
			return p.dep, nil
		}
		colon := strings.IndexByte(tok, ':')
		if colon < 0 {
			if tok == "" || tok[0] < '0' || tok[0] > '9' {
				return Dependency{}, errDependency
			}
			rest, ok := p.oldFormat(tok)
			if !ok {
				return Dependency{}, errDependency
			}
			if !strings.HasPrefix(rest, ",") {
				return p.dep, nil
			}
			tok = rest[1:]
			continue
		}
		typ, known := depTypeOf(tok)
		if !known {
			return Dependency{}, errDependency
		}
		if typ == "expand" {
			return Dependency{}, errNotSupported
		}
		rest, ok := p.jobIDs(tok[colon+1:], typ)
		if !ok {
			return Dependency{}, errDependency
		}
		switch {
		case strings.HasPrefix(rest, ","):
			tok = rest[1:]
		case strings.HasPrefix(rest, "?"):
			tok = rest[1:]
			p.dep.Any = true
		default:
			return p.dep, nil
		}
	}
}

// depTypeOf matches the type at the start of tok as Slurm does: by
// case-insensitive prefix, with "afterburstbuffer:" cut to its first 11
// characters.
func depTypeOf(tok string) (DepType, bool) {
	for _, t := range []struct {
		prefix string
		typ    DepType
	}{
		{"afternotok:", DepAfterNotOK},
		{"aftercorr:", DepAfterCorr},
		{"afterany:", DepAfterAny},
		{"afterok:", DepAfterOK},
		{"afterburstb", DepAfterBurstBuffer},
		{"after:", DepAfter},
		{"expand:", "expand"},
	} {
		if len(tok) >= len(t.prefix) && strings.EqualFold(tok[:len(t.prefix)], t.prefix) {
			return t.typ, true
		}
	}
	return "", false
}

// depKey identifies an item for de-duplication.
type depKey struct {
	typ   DepType
	jobID uint32
	task  int64
}

// depParser collects the items of one ParseDependency call.
type depParser struct {
	dep  Dependency
	seen map[depKey]bool
	// noParen is set once a search found no '(' further on: the parser
	// only moves forward, so none will be found again (this keeps a long
	// value from costing a scan to its end per item).
	noParen bool
}

// state reads an optional "(state)" at or after s (see parseDepState).
func (p *depParser) state(s string) (DepState, string, bool) {
	if p.noParen {
		return DepUnfulfilled, s, true
	}
	if strings.IndexByte(s, '(') < 0 {
		p.noParen = true
		return DepUnfulfilled, s, true
	}
	return parseDepState(s)
}

// add appends it unless an item of the same type, job and task is there.
func (p *depParser) add(it DepItem) {
	k := depKey{it.Type, it.JobID, it.Task}
	if p.seen[k] {
		return
	}
	p.seen[k] = true
	p.dep.Items = append(p.dep.Items, it)
}

// jobRef reads "id", "id_task" or "id_*" as Slurm does (strtol, then the
// uint32 it stores) and returns the rest.
func jobRef(s string) (jobID uint32, task int64, rest string) {
	id, rest := cStrtol(s)
	task = DepNoTask
	if strings.HasPrefix(rest, "_") {
		if strings.HasPrefix(rest[1:], "*") {
			return uint32(id), DepAllTasks, rest[2:]
		}
		var t int64
		t, rest = cStrtol(rest[1:])
		switch u := uint32(t); u {
		case 0xffffffff: // INFINITE
			task = DepAllTasks
		case 0xfffffffe: // NO_VAL
			task = DepNoTask
		default:
			task = int64(u)
		}
	}
	return uint32(id), task, rest
}

// oldFormat reads one id of the bare "id,id" form (afterany).
func (p *depParser) oldFormat(tok string) (string, bool) {
	id, task, rest := jobRef(tok)
	if id == 0 || (rest != "" && rest[0] != ',') {
		return rest, false
	}
	p.add(DepItem{Type: DepAfterAny, JobID: id, Task: task})
	return rest, true
}

// jobIDs reads the "id[+time][(state)][:id...]" list of one type and
// returns what follows it.
func (p *depParser) jobIDs(s string, typ DepType) (string, bool) {
	var delay uint32
	for {
		id, task, rest := jobRef(s)
		if id == 0 || (rest != "" && strings.IndexByte(",?:+(", rest[0]) < 0) {
			return rest, false
		}
		if strings.HasPrefix(rest, "+") {
			var t int64
			t, rest = cStrtol(rest[1:])
			mins := int32(t) // a C int
			if mins <= 0 {
				return rest, false
			}
			delay = uint32(mins * 60) // C's int arithmetic, kept in 32 bits
		}
		state, rest, ok := p.state(rest)
		if !ok {
			return rest, false
		}
		p.add(DepItem{Type: typ, JobID: id, Task: task, Delay: delay, State: state})
		if !strings.HasPrefix(rest, ":") {
			return rest, true
		}
		s = rest[1:]
	}
}

// parseDepState reads a "(state)" as Slurm does: it looks for '(' and ')'
// anywhere in s, takes "failed" (any case) as failed and anything else as
// unfulfilled, and goes on after the ')'. ok is false for a '(' without
// any ')'.
func parseDepState(s string) (DepState, string, bool) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return DepUnfulfilled, s, true
	}
	closing := strings.IndexByte(s, ')')
	if closing < 0 {
		return DepUnfulfilled, s, false
	}
	text := s[open+1:]
	if closing > open {
		text = s[open+1 : closing]
	}
	if strings.EqualFold(text, "failed") {
		return DepFailed, s[closing+1:], true
	}
	return DepUnfulfilled, s[closing+1:], true
}

// DependsOn reports whether d names job id (the daemon refuses a job whose
// dependency names the job itself, or for an array the array itself,
// with ReasonDependency).
func (d Dependency) DependsOn(id uint32) bool {
	for _, it := range d.Items {
		if it.Type != DepSingleton && it.JobID == id {
			return true
		}
	}
	return false
}
