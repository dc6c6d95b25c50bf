package compat

import "strings"

// mailTypeOrder lists the --mail-type bits in the order Slurm's
// print_mail_type names them.
var mailTypeOrder = []string{"ARRAY_TASKS", "INVALID_DEPEND", "BEGIN", "END", "FAIL", "REQUEUE",
	"STAGE_OUT", "TIME_LIMIT_50", "TIME_LIMIT_80", "TIME_LIMIT_90", "TIME_LIMIT"}

// MailType is --mail-type as scontrol show job prints it: the known types
// of the comma list in Slurm's order, ALL standing for INVALID_DEPEND,
// BEGIN, END, FAIL, REQUEUE and STAGE_OUT; "" when the list names none or
// says NONE (which ends the list, as in Slurm's parse_mail_type).
func MailType(arg string) string {
	set := map[string]bool{}
	for _, tok := range strings.Split(arg, ",") {
		tok = strings.ToUpper(tok)
		switch tok {
		case "NONE":
			return ""
		case "ALL":
			for _, t := range []string{"INVALID_DEPEND", "BEGIN", "END", "FAIL", "REQUEUE", "STAGE_OUT"} {
				set[t] = true
			}
		default:
			set[tok] = true
		}
	}
	var out []string
	for _, t := range mailTypeOrder {
		if set[t] {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

// OverSubscribe is the job's OverSubscribe as scontrol show job prints it
// for --exclusive[=user|mcs] or --oversubscribe (given reports which were
// set, value is --exclusive's); "" means neither: the partition's "OK".
func OverSubscribe(given map[string]bool, exclusive string) string {
	switch {
	case given["exclusive"] && strings.EqualFold(exclusive, "user"):
		return "USER"
	case given["exclusive"] && strings.EqualFold(exclusive, "mcs"):
		return "MCS"
	case given["exclusive"] && strings.EqualFold(exclusive, "oversubscribe"):
		return "YES"
	case given["exclusive"]:
		return "NO"
	case given["oversubscribe"]:
		return "YES"
	}
	return ""
}
