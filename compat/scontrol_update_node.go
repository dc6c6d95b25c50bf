package compat

import (
	"strings"
)

// nodeStateWords are the State= values of "scontrol update nodename=",
// in the order Slurm 22.05 tries them, with the abbreviation length each
// takes.
var nodeStateWords = []struct {
	name string
	min  int
}{
	{"NORESP", 3}, {"CANCEL_REBOOT", 3}, {"DRAIN", 3}, {"FAIL", 3}, {"FUTURE", 3},
	{"RESUME", 3}, {"POWER_DOWN_ASAP", 12}, {"POWER_DOWN_FORCE", 12}, {"POWER_DOWN", 7},
	{"POWER_UP", 7}, {"UNDRAIN", 3},
	// Base states (node_state_string).
	{"UNKNOWN", 3}, {"DOWN", 3}, {"IDLE", 3}, {"ALLOCATED", 3}, {"MIXED", 3},
}

// parseNodeUpdate parses "update nodename=LIST state=... reason=...".
// Sky Port nodes take State and Reason; other keys are refused with
// Slurm's "not supported" message.
func parseNodeUpdate(r ScontrolRequest, args []string) (ScontrolRequest, error) {
	u := &ScontrolUpdateRequest{Entity: "node", Values: map[string]string{}}
	r.Update = u
	changes := 0
	for _, arg := range args {
		tag, val, ok := strings.Cut(arg, "=")
		if !ok {
			return r, Errorf(1, "scontrol: error: Invalid input: %s  Request aborted\nslurm_update error: No error", arg)
		}
		switch {
		case kwMatch(tag, "NodeName", 3):
			u.Name = val
		case kwMatch(tag, "State", 1):
			state := ""
			for _, w := range nodeStateWords {
				if kwMatch(val, w.name, w.min) {
					state = w.name
					break
				}
			}
			if state == "" {
				return r, Errorf(1, "Invalid input: %s\nRequest aborted\n"+
					"Valid states are: NoResp DRAIN FAIL FUTURE RESUME POWER_DOWN POWER_UP UNDRAIN\n"+
					"Not all states are valid given a node's prior state", arg)
			}
			u.Values["State"] = state
			changes++
		case kwMatch(tag, "Reason", 1):
			u.Values["Reason"] = val
			changes++
		default:
			return r, Errorf(1, "Update of this parameter is not supported: %s\nRequest aborted", arg)
		}
	}
	switch u.Values["State"] {
	case "DOWN", "DRAIN", "FAIL":
		if u.Values["Reason"] == "" {
			return r, Errorf(1, "You must specify a reason when DOWNING or DRAINING a node. Request denied")
		}
	}
	if changes == 0 {
		return r, Errorf(1, "No changes specified")
	}
	return r, nil
}

// parsePartitionUpdate parses "update partitionname=NAME state=...". Sky
// Port partitions take State (UP, DOWN, DRAIN, INACTIVE); other keys are
// refused with Slurm's "not supported" message.
func parsePartitionUpdate(r ScontrolRequest, args []string) (ScontrolRequest, error) {
	u := &ScontrolUpdateRequest{Entity: "partition", Values: map[string]string{}}
	r.Update = u
	changes := 0
	for _, arg := range args {
		tag, val, ok := strings.Cut(arg, "=")
		if !ok {
			return r, Errorf(1, "scontrol: error: Invalid input: %s  Request aborted\nslurm_update error: No error", arg)
		}
		switch {
		case kwMatch(tag, "PartitionName", 3):
			u.Name = val
		case kwMatch(tag, "State", 2):
			state := ""
			for _, w := range []string{"UP", "DOWN", "DRAIN", "INACTIVE"} {
				if kwMatch(val, w, 1) {
					state = w
					break
				}
			}
			if state == "" {
				return r, Errorf(1, "scontrol: error: Invalid input: %s\n"+
					"scontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE\n"+
					"slurm_update error: No error", arg)
			}
			u.Values["State"] = state
			changes++
		default:
			return r, Errorf(1, "scontrol: error: Update of this parameter is not supported: %s\n\n"+
				"scontrol: error: Request aborted\nslurm_update error: No error", arg)
		}
	}
	if changes == 0 {
		return r, Errorf(1, "scontrol: error: No changes specified")
	}
	return r, nil
}
