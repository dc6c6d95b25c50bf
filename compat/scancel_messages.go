package compat

import "strings"

// ScancelVerboseTerminating is the line "scancel -v" prints before
// cancelling a target ("scancel: Terminating job 57"; with -f "scancel:
// Terminating full job 57").
func ScancelVerboseTerminating(spec string, full bool) string {
	if full {
		return "scancel: Terminating full job " + spec + "\n"
	}
	return "scancel: Terminating job " + spec + "\n"
}

// ScancelKillError is the error line for a target the daemon could not
// cancel, e.g. reason "Invalid job id specified" or "Job/step already
// completing or completed". Slurm prints it only with -v for those two
// reasons (exit 0), always otherwise.
func ScancelKillError(spec, reason string) string {
	return "scancel: error: Kill job error on job id " + spec + ": " + reason + "\n"
}

// ScancelStepKillError is the error line for a step target ("57.0").
func ScancelStepKillError(spec, reason string) string {
	return "scancel: error: Kill job error on job step id " + spec + ": " + reason + "\n"
}

// ScancelNoMatch is the "-v" line printed when the filters (-n, -u, -t,
// ...) matched no active job; empty when no filter was given.
func ScancelNoMatch(o ScancelOptions) string {
	var b strings.Builder
	add := func(key, val string) {
		if val != "" {
			b.WriteString(key + "=" + val + " ")
		}
	}
	add("account", o.Account)
	add("job_name", o.Name)
	add("nodelist", o.Nodelist)
	add("partition", o.Partition)
	add("qos", o.QOS)
	add("reservation", o.Reservation)
	add("state", o.State)
	add("user_name", o.User)
	add("wckey", o.WCKey)
	if b.Len() == 0 {
		return ""
	}
	return "scancel: error: No active jobs match ALL job filters, including: " + b.String() + "\n"
}
