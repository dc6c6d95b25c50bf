package compat

import (
	"strings"
	"sync"
)

// jobStates lists Slurm 22.05's job state names with their compact codes,
// in the order squeue's "Valid job states include:" message lists them.
var jobStates = []struct{ name, code string }{
	{"PENDING", "PD"},
	{"RUNNING", "R"},
	{"SUSPENDED", "S"},
	{"COMPLETED", "CD"},
	{"CANCELLED", "CA"},
	{"FAILED", "F"},
	{"TIMEOUT", "TO"},
	{"NODE_FAIL", "NF"},
	{"PREEMPTED", "PR"},
	{"BOOT_FAIL", "BF"},
	{"DEADLINE", "DL"},
	{"OUT_OF_MEMORY", "OOM"},
	{"COMPLETING", "CG"},
	{"CONFIGURING", "CF"},
	{"RESIZING", "RS"},
	{"RESV_DEL_HOLD", "RD"},
	{"REQUEUED", "RQ"},
	{"REQUEUE_FED", "RF"},
	{"REQUEUE_HOLD", "RH"},
	{"REVOKED", "RV"},
	{"SIGNALING", "SI"},
	{"SPECIAL_EXIT", "SE"},
	{"STAGE_OUT", "SO"},
	{"STOPPED", "ST"},
}

// validJobStatesList is the state list of squeue's -t error message.
var validJobStatesList = sync.OnceValue(func() string {
	names := make([]string, len(jobStates))
	for i, s := range jobStates {
		names[i] = s.name
	}
	return strings.Join(names, ",")
})

// StateCode returns the compact code squeue prints for a job state name
// (%t): "PD" for PENDING, "R" for RUNNING, "CG" for COMPLETING, "OOM" for
// OUT_OF_MEMORY, and so on. An unknown name gives "?".
func StateCode(state string) string {
	for _, s := range jobStates {
		if s.name == state {
			return s.code
		}
	}
	return "?"
}

// stateIndex returns the position of a state name in jobStates, or 255.
func stateIndex(state string) uint8 {
	for i, s := range jobStates {
		if s.name == state {
			return uint8(i)
		}
	}
	return 255
}

// stateCodeAt returns the compact code of jobStates[i] ("?" for 255).
func stateCodeAt(i uint8) string {
	if int(i) < len(jobStates) {
		return jobStates[i].code
	}
	return "?"
}

// ParseJobState maps a state as users type it for squeue -t, sacct -s and
// scancel -t (a full name or a compact code, in any case) to the full
// state name. ok is false for anything else ("pend" and "CANCELED" are
// not states).
func ParseJobState(s string) (name string, ok bool) {
	for _, st := range jobStates {
		if strings.EqualFold(s, st.name) || strings.EqualFold(s, st.code) {
			return st.name, true
		}
	}
	return "", false
}

// jobFinished reports whether a job in state can no longer run: the
// states squeue hides by default and sacct -s treats as ended.
func jobFinished(state string) bool {
	switch state {
	case "PENDING", "RUNNING", "SUSPENDED", "COMPLETING", "CONFIGURING",
		"RESIZING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD",
		"SIGNALING", "STAGE_OUT", "STOPPED":
		return false
	}
	return true
}

// stateMatches reports whether a job in state is selected by the filter
// state want (both full names). Like Slurm, a configuring job is also
// running and a stopped or signaling job keeps its running base state.
func stateMatches(state, want string) bool {
	if state == want {
		return true
	}
	if want == "RUNNING" {
		return state == "CONFIGURING" || state == "SIGNALING" || state == "STOPPED"
	}
	return false
}

// Reason names used by the renderers.
const (
	reasonNone = "None"
)

// nodeStates maps the long node state names the Node view carries to
// sinfo's compact spelling (%t).
var nodeStates = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"idle":         "idle",
		"mixed":        "mix",
		"allocated":    "alloc",
		"down":         "down",
		"drained":      "drain",
		"draining":     "drng",
		"completing":   "comp",
		"unknown":      "unk",
		"future":       "futr",
		"reserved":     "resv",
		"maint":        "maint",
		"fail":         "fail",
		"failing":      "failg",
		"planned":      "plnd",
		"inval":        "inval",
		"perfctrs":     "npc",
		"reboot":       "boot",
		"powered_down": "idle~",
		"powering_up":  "idle#",
	}
})

// NodeStateCode returns sinfo's compact node state (%t) for a long node
// state name such as "allocated" ("alloc") or "drained" ("drain").
// Unknown names are returned lower-cased.
func NodeStateCode(state string) string {
	state = strings.ToLower(state)
	if c, ok := nodeStates()[state]; ok {
		return c
	}
	return state
}

// nodeUnavailable reports whether a node in state counts as "other" in
// sinfo's A/I/O/T counts and is listed by sinfo -R.
func nodeUnavailable(state string) bool {
	switch strings.ToLower(state) {
	case "down", "drained", "draining", "fail", "failing", "unknown", "future", "inval", "maint", "reboot":
		return true
	}
	return false
}

// nodeAllocated reports whether a node in state counts as allocated.
func nodeAllocated(state string) bool {
	switch strings.ToLower(state) {
	case "allocated", "mixed", "completing":
		return true
	}
	return false
}
