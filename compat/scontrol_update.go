package compat

import (
	"strings"
	"sync"
)

// ScontrolUpdateRequest is a parsed "scontrol update". Entity is "job",
// "node" or "partition".
//
// For a job, Job is the JobId= list (nil when only JobName= selects the
// jobs: the daemon then updates every job of that name, as Slurm does),
// Values maps the canonical key names of ScontrolJobKeys to the values as
// given, and TimeLimit is the parsed TimeLimit. For a node or partition,
// Name is the NodeName= or PartitionName= value and Values holds "State"
// (canonical upper-case state) and, for nodes, "Reason".
type ScontrolUpdateRequest struct {
	Entity string            `json:"entity"`
	Job    *ScontrolJobArg   `json:"job,omitempty"`
	Name   string            `json:"name,omitempty"`
	Values map[string]string `json:"values,omitempty"`
	// TimeLimit is set when Values has "TimeLimit".
	TimeLimit *ScontrolTimeLimit `json:"time_limit,omitempty"`
	// ResetAccrueTime is the bare "ResetAccrueTime" flag.
	ResetAccrueTime bool `json:"reset_accrue_time,omitempty"`
}

// ScontrolTimeLimit is an update of a job's time limit: Op is "" (set),
// "+" (add) or "-" (subtract) and Minutes the amount (Infinite for
// UNLIMITED; 0 is zero minutes, unlike sbatch). With "+" or "-" the daemon
// adds to the current limit as C's uint32 does (UNLIMITED+5 is 4) and
// refuses a decrement larger than the limit with
// ScontrolTimeLimitDecrementError.
type ScontrolTimeLimit struct {
	Op      string `json:"op,omitempty"`
	Minutes int64  `json:"minutes"`
}

// scontrolJobKey is one key "scontrol update job" accepts: its canonical
// name, the shortest abbreviation Slurm takes and its value check.
type scontrolJobKey struct {
	name  string
	alias string // a second spelling ("ReqProcs" for NumTasks), or ""
	min   int
	check func(name, val string) *Error
}

// ScontrolJobKeys lists the keys "scontrol update jobid=..." accepts in
// Slurm 22.05, by canonical name, in the order Slurm tries them (a prefix
// belongs to the first key it abbreviates).
var ScontrolJobKeys = sync.OnceValue(func() []string {
	names := make([]string, len(scontrolJobKeys()))
	for i, k := range scontrolJobKeys() {
		names[i] = k.name
	}
	return names
})

// scontrolJobKeys is update_job.c's chain of keys (minimum lengths
// measured against the real scontrol).
var scontrolJobKeys = sync.OnceValue(func() []scontrolJobKey {
	return []scontrolJobKey{
		{"JobId", "", 3, nil},
		{"AdminComment", "", 6, nil},
		{"SiteFactor", "", 5, checkRangeValue("SiteFactor")},
		{"ArrayTaskThrottle", "", 10, checkThrottle},
		{"Clusters", "", 8, nil},
		{"ClusterFeatures", "", 8, nil},
		{"Comment", "", 3, nil},
		{"DelayBoot", "", 5, checkDelayBoot},
		{"TimeLimit", "", 5, nil},
		{"TimeMin", "", 5, checkTimeMin},
		{"Priority", "", 2, checkUint(0xfffffffe)},
		{"Nice", "", 2, checkRangeValue("Nice")},
		{"CPUsPerTask", "", 9, checkUint(0xfffe)},
		{"CpusPerTres", "", 9, nil},
		{"NumCPUs", "", 6, checkNumCPUs},
		{"NumTasks", "ReqProcs", 8, checkUint(0xfffffffe)},
		{"Requeue", "", 4, checkUint(0xfffe)},
		{"NumNodes", "ReqNodes", 8, checkNumNodes},
		{"ReqSockets", "", 4, checkUint(0xfffe)},
		{"ReqCores", "", 4, checkUint(0xfffe)},
		{"TasksPerNode", "", 2, checkUint(0xfffe)},
		{"ReqThreads", "", 4, checkUint(0xfffe)},
		{"MinCPUsNode", "", 4, checkUint(0xfffe)},
		{"MinMemoryNode", "", 10, checkUint(1 << 62)},
		{"MinMemoryCPU", "", 10, checkUint(1 << 62)},
		{"MinTmpDiskNode", "", 5, checkUint(0xfffffffe)},
		{"Partition", "", 2, nil},
		{"QOS", "", 2, nil},
		{"ReservationName", "", 3, nil},
		{"JobName", "Name", 2, nil},
		{"WCKey", "", 1, nil},
		{"StdOut", "", 6, nil},
		{"Switches", "", 5, nil},
		{"wait-for-switch", "", 5, checkUint(0xfffffffe)},
		{"OverSubscribe", "Shared", 2, checkYesNo("OverSubscribe")},
		{"Contiguous", "", 3, checkYesNo("Contiguous")},
		{"CoreSpec", "", 4, checkSpec("CoreSpec")},
		{"MemPerTres", "", 5, nil},
		{"ThreadSpec", "", 4, checkSpec("ThreadSpec")},
		{"TresBind", "", 5, nil},
		{"TresFreq", "", 5, nil},
		{"TresPerJob", "", 8, nil},
		{"TresPerNode", "", 8, nil},
		{"TresPerSocket", "", 8, nil},
		{"TresPerTask", "", 8, nil},
		{"ExcNodeList", "", 3, nil},
		{"ReqNodeList", "NodeList", 8, nil},
		{"Features", "", 1, nil},
		{"Prefer", "", 3, nil},
		{"Gres", "", 2, nil},
		{"Account", "", 1, nil},
		{"BurstBuffer", "", 1, nil},
		{"Dependency", "", 1, nil},
		{"Licenses", "", 1, nil},
		{"EligibleTime", "StartTime", 2, nil},
		{"EndTime", "", 2, nil},
		{"Reboot", "", 3, checkYesNoReboot},
		{"UserID", "", 3, nil},
		{"Deadline", "", 3, nil},
		{"WorkDir", "", 2, nil},
		{"MailType", "", 5, checkMailType},
		{"MailUser", "", 5, nil},
	}
})

// matchJobKey returns the key tag abbreviates, or nil.
func matchJobKey(tag string) *scontrolJobKey {
	for i := range scontrolJobKeys() {
		k := &scontrolJobKeys()[i]
		if k.name == "JobName" {
			// "Name" takes two letters, "JobName" four.
			if kwMatch(tag, "Name", 2) || kwMatch(tag, "JobName", 4) {
				return k
			}
			continue
		}
		if kwMatch(tag, k.name, k.min) || (k.alias != "" && kwMatch(tag, k.alias, aliasMin(k))) {
			return k
		}
	}
	return nil
}

// aliasMin is the abbreviation length of a key's second spelling.
func aliasMin(k *scontrolJobKey) int {
	switch k.alias {
	case "StartTime", "Shared":
		return 2
	}
	return len(k.alias)
}

// parseScontrolUpdate parses the words after "update".
func parseScontrolUpdate(r ScontrolRequest, args []string) (ScontrolRequest, error) {
	r.Command = ScontrolCmdUpdate
	entity := ""
	rank := 99
	for i := 0; i < len(args); i++ {
		tag, _, hasEq := strings.Cut(args[i], "=")
		if !hasEq {
			i++
		}
		e, n := "", 99
		switch {
		case kwMatch(tag, "NodeName", 3):
			e, n = "node", 3
		case kwMatch(tag, "PartitionName", 3):
			e, n = "partition", 5
		case kwMatch(tag, "JobId", 3), kwMatch(tag, "JobNAME", 3):
			e, n = "job", 0
		case kwMatch(tag, "StepId", 4):
			e, n = "step", 1
		case kwMatch(tag, "FrontendName", 2):
			e, n = "frontend", 4
		case kwMatch(tag, "ReservationName", 3):
			e, n = "reservation", 2
		case kwMatch(tag, "SlurmctldDebug", 2):
			e, n = "debug", 6
		}
		if e != "" && n < rank {
			entity, rank = e, n
		}
	}
	switch entity {
	case "job":
		return parseJobUpdate(r, args)
	case "node":
		return parseNodeUpdate(r, args)
	case "partition":
		return parsePartitionUpdate(r, args)
	case "":
		return r, Errorf(1, "No valid entity in update command\n"+
			"Input line must include \"NodeName\", \"PartitionName\", \"Reservation\", \"JobId\", or \"SlurmctldDebug\"")
	}
	return r, Errorf(1, "scontrol: error: %s updates are not supported by Sky Port", entity)
}

// parseJobUpdate is scontrol_update_job's parsing.
func parseJobUpdate(r ScontrolRequest, args []string) (ScontrolRequest, error) {
	u := &ScontrolUpdateRequest{Entity: "job", Values: map[string]string{}}
	r.Update = u
	jobSpec, hasJob, changes := "", false, 0
	for i := 0; i < len(args); i++ {
		arg := args[i]
		tag, val, hasEq := strings.Cut(arg, "=")
		op := ""
		switch {
		case hasEq && strings.HasSuffix(tag, "+"):
			op, tag = "+", tag[:len(tag)-1]
		case hasEq && strings.HasSuffix(tag, "-"):
			op, tag = "-", tag[:len(tag)-1]
		case hasEq:
		case kwMatch(tag, "Nice", 2):
			u.Values["Nice"] = "100"
			changes++
			continue
		case kwMatch(tag, "ResetAccrueTime", 3):
			u.ResetAccrueTime = true
			changes++
			continue
		case i+1 < len(args):
			i++
			val = args[i]
		default:
			return r, Errorf(1, "Invalid input: %s\nRequest aborted", arg)
		}
		k := matchJobKey(tag)
		if k == nil {
			return r, Errorf(1, "Update of this parameter is not supported: %s\nRequest aborted", arg)
		}
		switch k.name {
		case "JobId":
			jobSpec, hasJob = val, true
			continue
		case "AdminComment":
			if op == "-" {
				return r, Errorf(1, "scontrol: error: Invalid syntax, AdminComment can not be subtracted from.")
			}
			if op == "+" {
				val = "+=" + val // Slurm stores the text from the '+' on
			}
		case "TimeLimit":
			tl, err := parseUpdateTimeLimit(val, op, hasJob)
			if err != nil {
				return r, err
			}
			u.TimeLimit = tl
		}
		if k.check != nil {
			if err := k.check(k.name, val); err != nil {
				return r, err
			}
		}
		if op != "" && k.name != "TimeLimit" && k.name != "AdminComment" {
			return r, Errorf(1, "scontrol: error: Option %s does not accept [+|-]= syntax", arg)
		}
		u.Values[k.name] = val
		changes++
	}
	if changes == 0 {
		return r, Errorf(1, "No changes specified")
	}
	if !hasJob {
		if _, ok := u.Values["JobName"]; ok {
			return r, nil // the daemon selects the jobs by name
		}
		return r, Errorf(1, "scontrol: error: No job ID specified")
	}
	arg := ScontrolJobArg{Arg: jobSpec}
	if tokens, ok := splitJobList(jobSpec); ok {
		arg.Targets, arg.Warning = expandJobTokens(tokens)
	} else {
		arg.Invalid = true
		if r.Quiet {
			return r, &Error{Code: 1}
		}
		return r, Errorf(1, "%s for job %s", ReasonInvalidJobID, jobSpec)
	}
	u.Job = &arg
	return r, nil
}

// parseUpdateTimeLimit parses TimeLimit's value: "[+|-]time" or, with op
// from "TimeLimit+=" / "TimeLimit-=", a plain time.
func parseUpdateTimeLimit(val, op string, hasJob bool) (*ScontrolTimeLimit, error) {
	if op != "" && val != "" && (val[0] == '+' || val[0] == '-') {
		return nil, Errorf(1, "scontrol: error: Invalid syntax, variations of +=- are not accepted.")
	}
	if op == "" && val != "" && (val[0] == '+' || val[0] == '-') {
		op, val = val[:1], val[1:]
	}
	secs := slurmTimeSecs(val)
	if secs == cNoVal {
		return nil, Errorf(1, "scontrol: error: Invalid TimeLimit value")
	}
	mins := int64(Infinite)
	if secs != cInfinite {
		mins = int64(uint32((secs + 59) / 60)) //nolint:gosec // the uint32 Slurm stores
	}
	if op != "" && !hasJob {
		return nil, Errorf(1, "scontrol: error: JobId must precede TimeLimit increment or decrement")
	}
	return &ScontrolTimeLimit{Op: op, Minutes: mins}, nil
}
