package compat

import (
	"strconv"
	"strings"
)

// This file holds the checks slurmctld makes on a submission's generic
// resources (GRES) and the other node requirements Sky Port's nodes cannot
// meet: features (-C), reservations and excluded nodes. Sky Port's nodes
// have no features and no reservations; its one GRES type is "gpu", as on
// a cluster with GresTypes=gpu (gres.go records a request; the gateway
// checks it against the GPUs of the partition's nodes).

// Reasons slurmctld gives for a submission its nodes cannot take.
const (
	ReasonNodeConfig    = "Requested node configuration is not available"
	ReasonBadFeature    = "Invalid feature specification"
	ReasonBadNodeName   = "Invalid node name specified"
	ReasonBadResv       = "Requested reservation is invalid"
	reasonInvalidGres   = "Invalid generic resource (gres) specification"
	sbatchSubmitFailure = "sbatch: error: Batch job submission failed: "
)

// errInvalidGres is Slurm's answer to a GRES request it cannot parse or
// whose type the cluster does not know.
func errInvalidGres(notes ...string) *Error {
	msg := ""
	for _, n := range notes {
		msg += "sbatch: error: " + n + "\n"
	}
	return &Error{Msg: msg + "sbatch: error: " + reasonInvalidGres + "\n", Code: 1}
}

// SubmitRefused is sbatch's message for a submission slurmctld refused
// for reason, exit 1.
func SubmitRefused(reason string) *Error {
	return Errorf(1, "%s%s", sbatchSubmitFailure, reason)
}

// TestOnlyError turns the error a submission got into what sbatch
// --test-only prints for it: slurmctld's refusal reads "allocation
// failure: <reason>" without the notes slurmctld adds to a real
// submission ("Memory specification can not be satisfied"); errors sbatch
// or the GRES checks print themselves stay as they are.
func TestOnlyError(e *Error) *Error {
	if !strings.Contains(e.Msg, sbatchSubmitFailure) {
		return e
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(e.Msg, "\n") {
		switch {
		case line == "sbatch: error: Memory specification can not be satisfied\n":
		case strings.HasPrefix(line, sbatchSubmitFailure):
			b.WriteString("allocation failure: " + line[len(sbatchSubmitFailure):])
		default:
			b.WriteString(line)
		}
	}
	return &Error{Msg: b.String(), Code: e.Code}
}

// CheckGres checks a submission's GPU options as slurmctld does on a
// cluster whose only GRES type is "gpu" (gres_job_state_validate and the
// job spec checks before it). It reports whether the job asks for at
// least one GPU (--gres=gpu, --gpus*, --cpus-per-gpu, --ntasks-per-gpu),
// or Slurm's error for a request that is invalid whatever the nodes.
func CheckGres(o *SubmitOptions) (wantsGPU bool, err error) {
	given := func(k string) bool { _, ok := o.Extra[k]; return ok && o.Given[k] }
	if given("gres") {
		n, ok := gresGPUs(o.Extra["gres"])
		if !ok {
			return false, errInvalidGres()
		}
		wantsGPU = n > 0
	}
	gpuSpec := wantsGPU
	for _, k := range []string{"gpus", "gpus-per-node", "gpus-per-socket", "gpus-per-task"} {
		if given(k) {
			gpuSpec = true
			if tresCount(o.Extra[k]) > 0 {
				wantsGPU = true
			}
		}
	}
	if given("gpus-per-task") && !given("gpus") && !o.Given["ntasks"] {
		return false, errInvalidGres("Failed to validate job spec. --gpus-per-task used without " +
			"either --gpus or -n/--ntasks is not allowed.")
	}
	if given("ntasks-per-gpu") {
		if !gpuSpec && !o.Given["ntasks"] && !o.Given["nodes"] {
			return false, errInvalidGres("gres_job_state_validate: --ntasks-per-tres needs either " +
				"a GRES GPU specification or a node/ntask specification")
		}
		wantsGPU = true
	}
	if given("mem-per-gpu") && !gpuSpec {
		return false, errInvalidGres("Requested mem_per_tres=gres:gpu:" + o.Extra["mem-per-gpu"] +
			" but did not request any GPU.")
	}
	if given("cpus-per-gpu") {
		wantsGPU = true
	}
	return wantsGPU, nil
}

// gresGPUs is the number of GPUs a --gres list asks for: each entry is
// name[:type][:count] (count 1 when absent); "none" asks for nothing. It
// is false when an entry names a type other than gpu.
func gresGPUs(list string) (int64, bool) {
	if strings.EqualFold(list, "none") {
		return 0, true
	}
	var total int64
	for _, ent := range strings.Split(list, ",") {
		if ent == "" {
			continue
		}
		fields := strings.Split(ent, ":")
		if fields[0] != "gpu" {
			return 0, false
		}
		n := int64(1)
		if len(fields) > 1 {
			if c, err := strconv.ParseInt(fields[len(fields)-1], 10, 64); err == nil {
				n = c
			} else if len(fields) > 2 {
				return 0, false // a count that is not a number
			}
		}
		total += n
	}
	return total, true
}

// tresCount is the count of a --gpus style value, "[type:]count"; a value
// with no number counts as 1.
func tresCount(v string) int64 {
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	n, rest, ok := strtolC(v)
	if !ok || rest != "" {
		return 1
	}
	return n
}

// CheckExcludedNodes is slurmctld's check of --exclude: every name in the
// node list must be a node of the cluster; known reports whether one is.
func CheckExcludedNodes(list string, known func(string) bool) error {
	for _, name := range expandHostlist(list) {
		if !known(name) {
			return SubmitRefused(ReasonBadNodeName)
		}
	}
	return nil
}
