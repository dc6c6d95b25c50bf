package compat

import (
	"strings"
)

// ScontrolJobArg is one operand of hold, uhold, release, requeue,
// requeuehold, suspend or resume. Slurm handles operands one by one and
// reports on each before the next, so the daemon answers them in order.
type ScontrolJobArg struct {
	// Arg is the operand as Slurm names it in messages (after a leading
	// "JobID=" or "Job=" is stripped).
	Arg string `json:"arg"`
	// Invalid is an operand that is not a job list: Slurm reports
	// ScontrolJobError(ReasonInvalidJobID, Arg) without asking the
	// controller (hold/release also add the ScontrolHoldError line).
	Invalid bool `json:"invalid,omitempty"`
	// Name is "Name=<job name>" (hold, uhold and release only): every
	// pending job of that name, HasName says it was given.
	Name    string `json:"name,omitempty"`
	HasName bool   `json:"has_name,omitempty"`
	// Targets are the job ids of the list: "40,41", "45_[1-3]" and
	// "[40-42]" expand to one target per element.
	Targets []ScontrolJobTarget `json:"targets,omitempty"`
	// Warning is stderr text Slurm prints after handling Targets, for a
	// bad bracket range that stopped the list ("scontrol: error: Invalid
	// job id: [2-1]"); it does not change the exit status.
	Warning string `json:"warning,omitempty"`
}

// ScontrolJobTarget is one job id of a job list. Spec is the id as Slurm
// sends it to the controller and prints it in messages ("45", "45_2",
// "45_1-3"). JobID is 0 when the id cannot be a job (too large, or a
// task part that is empty or not a task list): the daemon then answers
// "Invalid job id specified". TaskSpec is the array task part ("" for
// none); IncludesTask tests a task against it.
type ScontrolJobTarget struct {
	Spec     string `json:"spec"`
	JobID    uint32 `json:"job_id"`
	TaskSpec string `json:"task_spec,omitempty"`
}

// HasTasks reports whether the target names array tasks ("45_2") rather
// than a whole job.
func (t ScontrolJobTarget) HasTasks() bool { return t.TaskSpec != "" }

// IncludesTask reports whether the target's task list ("1-3", "1,5",
// "0-9:2") names task n; a target without tasks includes every task.
func (t ScontrolJobTarget) IncludesTask(n int64) bool {
	if t.TaskSpec == "" {
		return true
	}
	for _, part := range strings.Split(t.TaskSpec, ",") {
		lo, hi, step, ok := parseTaskRange(part)
		if ok && n >= lo && n <= hi && (n-lo)%step == 0 {
			return true
		}
	}
	return false
}

// parseTaskRange parses one element of a task list: "N", "N-M" or
// "N-M:S".
func parseTaskRange(part string) (lo, hi, step int64, ok bool) {
	rng, stepStr, hasStep := strings.Cut(part, ":")
	a, b, isRange := strings.Cut(rng, "-")
	if !isRange {
		b = a
	}
	lo, ra, okA := strtolC(a)
	hi, rb, okB := strtolC(b)
	step = 1
	if hasStep {
		var rs string
		var okS bool
		if step, rs, okS = strtolC(stepStr); !okS || rs != "" || step <= 0 {
			return 0, 0, 0, false
		}
	}
	if !okA || !okB || ra != "" || rb != "" || lo < 0 || hi < lo || a == "" || a[0] == ' ' {
		return 0, 0, 0, false
	}
	return lo, hi, step, true
}

// validTaskSpec reports whether every element of a task list parses.
func validTaskSpec(spec string) bool {
	for _, part := range strings.Split(spec, ",") {
		if _, _, _, ok := parseTaskRange(part); !ok {
			return false
		}
	}
	return true
}

// parseScontrolJobCommand parses the operands of the job commands.
func parseScontrolJobCommand(r ScontrolRequest, cmd string, words []string) (ScontrolRequest, error) {
	r.Command = cmd
	if len(words) < 2 {
		return r, r.quietError(1, "too few arguments for keyword:%s", words[0])
	}
	args := words[1:]
	if cmd == ScontrolCmdRequeue || cmd == ScontrolCmdRequeueHold {
		for len(args) > 0 && requeueFlag(args[0]) {
			r.SpecialExit = true
			args = args[1:]
		}
	}
	for _, arg := range args {
		r.Jobs = append(r.Jobs, parseScontrolJobArg(cmd, arg))
	}
	return r, nil
}

// requeueFlag reports whether s is requeue's "state=specialexit" (or
// "state=se") flag.
func requeueFlag(s string) bool {
	key, val, ok := strings.Cut(s, "=")
	if !ok || !kwPrefix(key, "state") {
		return false
	}
	return kwPrefix(val, "specialexit") || kwPrefix(val, "se")
}

// parseScontrolJobArg parses one job-command operand.
func parseScontrolJobArg(cmd, s string) ScontrolJobArg {
	switch cmd {
	case ScontrolCmdHold, ScontrolCmdUHold, ScontrolCmdRelease:
		if kwPrefix(s, "JobID=") {
			s = s[6:]
		}
		if kwPrefix(s, "Job=") {
			s = s[4:]
		}
	case ScontrolCmdRequeue, ScontrolCmdSuspend, ScontrolCmdResume:
		if kwPrefix(s, "jobid=") {
			s = s[6:]
		}
		if kwPrefix(s, "job=") {
			s = s[4:]
		}
	}
	a := ScontrolJobArg{Arg: s}
	tokens, ok := splitJobList(s)
	if !ok {
		if (cmd == ScontrolCmdHold || cmd == ScontrolCmdUHold || cmd == ScontrolCmdRelease) && kwPrefix(s, "Name=") {
			a.Name, a.HasName = s[5:], true
			return a
		}
		a.Invalid = true
		return a
	}
	a.Targets, a.Warning = expandJobTokens(tokens)
	return a
}

// maxJobTargets bounds the expansion of one job list ("[1-99999999]").
const maxJobTargets = 1 << 16

// expandJobTokens expands the elements of a job list in order; a bad
// bracket range stops the list with Slurm's warning.
func expandJobTokens(tokens []string) ([]ScontrolJobTarget, string) {
	var out []ScontrolJobTarget
	for _, tok := range tokens {
		targets, warn := expandJobToken(tok)
		if len(out)+len(targets) > maxJobTargets {
			return out, "scontrol: error: too many job ids in one list (Sky Port takes " + itoa(maxJobTargets) + ")\n"
		}
		out = append(out, targets...)
		if warn != "" {
			return out, warn
		}
	}
	return out, ""
}

// splitJobList is Slurm's _is_job_id: s must be digits with at most one
// '_' per element, balanced brackets, '-' only inside brackets or after
// the '_', and elements separated by ',' or ' ' outside brackets. It
// returns the non-empty elements.
func splitJobList(s string) ([]string, bool) {
	var tokens []string
	under, depth, start := false, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			if under {
				return nil, false
			}
			under = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '-':
			if depth == 0 && !under {
				return nil, false
			}
		case c == ',' || c == ' ':
			if depth == 0 {
				if i > start {
					tokens = append(tokens, s[start:i])
				}
				start, under = i+1, false
			}
		case c < '0' || c > '9':
			return nil, false
		}
	}
	if depth != 0 {
		return nil, false
	}
	if start < len(s) {
		tokens = append(tokens, s[start:])
	}
	return tokens, true
}

// expandJobToken is Slurm's _next_job_id for one element: "45", "45_2",
// "45_[1-3]" (brackets stripped: "45_1-3") or a bracketed id range such
// as "[40-42]" or "[40-41]_2" (one target per id).
func expandJobToken(tok string) ([]ScontrolJobTarget, string) {
	idPart, taskSpec, hasUnder := strings.Cut(tok, "_")
	if hasUnder && strings.HasPrefix(taskSpec, "[") {
		taskSpec = taskSpec[1:]
		if end := strings.IndexByte(taskSpec, ']'); end >= 0 {
			taskSpec = taskSpec[:end]
		}
	}
	ids := []string{idPart}
	if strings.Contains(idPart, "[") {
		var bad string
		ids, bad = expandJobRange(idPart)
		if bad != "" {
			return nil, "scontrol: error: _parse_single_range: Invalid range: `" + bad + "'\n" +
				"scontrol: error: Invalid job id: " + tok + "\n"
		}
	}
	out := make([]ScontrolJobTarget, 0, len(ids))
	for _, id := range ids {
		t := ScontrolJobTarget{Spec: id, TaskSpec: taskSpec}
		if hasUnder {
			t.Spec += "_" + taskSpec
		}
		t.JobID = scontrolJobNumber(id)
		if hasUnder && !validTaskSpec(taskSpec) {
			t.JobID = 0 // "45_" or "45_x": the controller rejects the id
		}
		out = append(out, t)
	}
	return out, ""
}

// expandJobRange expands a bracketed id range ("[40-42]", "1[0-2]") as
// Slurm's hostlist does; bad is the first range that is not valid.
func expandJobRange(s string) (ids []string, bad string) {
	open := strings.IndexByte(s, '[')
	end := strings.LastIndexByte(s, ']')
	if end < open {
		return nil, s
	}
	for _, rng := range strings.Split(s[open+1:end], ",") {
		lo, hi, isRange := strings.Cut(rng, "-")
		if !isRange {
			hi = lo
		}
		a, ra := cStrtol(lo)
		b, rb := cStrtol(hi)
		if lo == "" || hi == "" || ra != "" || rb != "" || b < a {
			return nil, rng
		}
	}
	return expandHostlist(s), ""
}

// scontrolJobNumber is the job id of an element, 0 when it is not a
// valid uint32 id.
func scontrolJobNumber(s string) uint32 {
	v, rest, ok := strtolC(s)
	if !ok || rest != "" || v <= 0 || v > 0xfffffffd {
		return 0
	}
	return uint32(v)
}
