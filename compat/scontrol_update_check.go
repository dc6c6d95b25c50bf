package compat

import (
	"strings"
)

// checkUint is Slurm's parse_uint16/32/64: a base-10 number (leading
// blanks allowed) with nothing after it, not negative, below limit.
func checkUint(limit int64) func(name, val string) *Error {
	return func(name, val string) *Error {
		v, rest, _ := strtolC(val)
		if rest != "" || v < 0 || v >= limit || v == 1<<63-1 {
			return Errorf(1, "scontrol: error: Invalid %s value: %s", name, val)
		}
		return nil
	}
}

// checkRangeValue is the check of Nice and SiteFactor: strtoll, then at
// most NICE_OFFSET-3 in absolute value.
func checkRangeValue(name string) func(string, string) *Error {
	return func(_, val string) *Error {
		v, _, _ := strtolC(val)
		if v > 2147483645 || v < -2147483645 {
			return Errorf(1, "scontrol: error: %s value out of range (+/- 2147483645). Value ignored", name)
		}
		return nil
	}
}

// checkThrottle refuses a negative ArrayTaskThrottle.
func checkThrottle(_, val string) *Error {
	if v, _, _ := strtolC(val); v < 0 {
		return Errorf(1, "scontrol: error: Invalid ArrayTaskThrottle value")
	}
	return nil
}

// checkDelayBoot requires a valid time.
func checkDelayBoot(_, val string) *Error {
	if slurmTimeSecs(val) == cNoVal {
		return Errorf(1, "scontrol: error: Invalid DelayBoot value")
	}
	return nil
}

// checkTimeMin requires a valid time (or UNLIMITED).
func checkTimeMin(_, val string) *Error {
	if slurmTimeSecs(val) == cNoVal {
		return Errorf(1, "scontrol: error: Invalid TimeMin value")
	}
	return nil
}

// checkNumCPUs is get_resource_arg_range for NumCPUs, then min > 0 and
// max >= min.
func checkNumCPUs(_, val string) *Error {
	lo, hi, err := scontrolResourceRange(val, "NumCPUs")
	if err != nil {
		return err
	}
	if lo <= 0 || (hi != 0 && hi < lo) {
		return Errorf(1, "scontrol: error: Invalid NumCPUs value: %s", val)
	}
	return nil
}

// checkNumNodes accepts "0", "ALL" or a node count range.
func checkNumNodes(_, val string) *Error {
	if val == "0" || strings.EqualFold(val, "ALL") {
		return nil
	}
	_, _, err := scontrolResourceRange(val, "requested node count")
	return err
}

// scontrolResourceRange is get_resource_arg_range: "N" or "min-max",
// each with an optional k/m multiplier; hi is 0 when no max was given.
func scontrolResourceRange(val, what string) (lo, hi int64, err *Error) {
	bad := Errorf(1, "scontrol: error: Invalid numeric value \"%s\" for %s.", val, what)
	if val == "" || val[0] == '*' {
		return 0, 0, nil
	}
	lo, p := resourceNumber(val)
	if (p != "" && p[0] != '-') || lo < 0 {
		return 0, 0, bad
	}
	if lo > 1<<31-1 {
		return 0, 0, Errorf(1, "scontrol: error: Numeric argument (%d) to big for %s.", lo, what)
	}
	if p == "" {
		return lo, 0, nil
	}
	hi, p = resourceNumber(p[1:])
	if (p != "" && p[0] != '-') || hi <= 0 {
		return 0, 0, bad
	}
	if hi > 1<<31-1 {
		return 0, 0, Errorf(1, "scontrol: error: Numeric argument (%d) to big for %s.", hi, what)
	}
	return lo, hi, nil
}

// checkYesNo accepts YES, NO (any prefix) or a number.
func checkYesNo(name string) func(string, string) *Error {
	return func(_, val string) *Error {
		if kwMatch(val, "YES", 1) || kwMatch(val, "NO", 1) {
			return nil
		}
		if checkUint(0xfffe)(name, val) != nil {
			return Errorf(1, "scontrol: error: Invalid %s value: %s", name, val)
		}
		return nil
	}
}

// checkYesNoReboot is checkYesNo with Reboot's lower-case message.
func checkYesNoReboot(_, val string) *Error {
	if checkYesNo("reboot")("", val) != nil {
		return Errorf(1, "scontrol: error: Invalid reboot value: %s", val)
	}
	return nil
}

// checkSpec accepts "-1", "*" or a count (CoreSpec, ThreadSpec).
func checkSpec(name string) func(string, string) *Error {
	return func(_, val string) *Error {
		if val == "-1" || val == "*" {
			return nil
		}
		return checkUint(0xfffe)(name, val)
	}
}

// checkMailType requires a known --mail-type list.
func checkMailType(_, val string) *Error {
	if !sbValidMailType(val) {
		return Errorf(1, "Invalid MailType: %s", val)
	}
	return nil
}
