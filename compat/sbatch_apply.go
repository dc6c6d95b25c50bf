package compat

import (
	"math"
	"strconv"
	"strings"
	"sync"
)

// applySbatch sets the option key to val on o, checking val as sbatch
// 22.05 does when it meets the option, and records key in o.Given. Values
// Sky Port does not act on yet go to o.Extra (normalized when sbatch
// converts them to a number, as given otherwise; "" for a flag).
func applySbatch(o *SubmitOptions, key, val string, hasVal bool) error {
	switch key {
	case "job-name":
		o.JobName = val
	case "output":
		o.Output = devNullIfNone(val)
	case "error":
		o.Error = devNullIfNone(val)
	case "input":
		o.Input = devNullIfNone(val)
	case "chdir":
		o.Chdir = val
	case "partition":
		o.Partition = val
	case "account":
		o.Account = val
	case "qos":
		o.QOS = val
	case "comment":
		o.Comment = val
	case "export":
		o.Export = val
	case "wrap":
		o.Wrap = val
	case "parsable":
		o.Parsable = true
	case "hold":
		o.Hold = true
	case "test-only":
		o.TestOnly = true
	case "open-mode":
		switch {
		case val != "" && (val[0] == 'a' || val[0] == 'A'):
			o.OpenMode = "append"
		case val != "" && (val[0] == 't' || val[0] == 'T'):
			o.OpenMode = "truncate"
		default:
			return sbInvalid("open-mode")
		}
	case "time":
		m, err := ParseTimeLimit(val)
		if err != nil {
			return err
		}
		o.TimeLimit = m
	case "cpus-per-task", "ntasks":
		n, err := sbParseInt(key, val, true)
		if err != nil {
			return err
		}
		if key == "ntasks" {
			o.NTasks = n
		} else {
			o.CPUsPerTask = n
		}
	case "nodes":
		lo, hi, err := sbParseNodes(val)
		if err != nil {
			return err
		}
		o.MinNodes, o.MaxNodes = lo, hi
	case "mem", "mem-per-cpu":
		mb, ok := parseMBytes(val)
		if !ok {
			return sbInvalid(key)
		}
		if key == "mem" {
			o.MemMB = mb
		} else {
			o.MemPerCPUMB = mb
		}
	default:
		v, err := checkExtra(key, val, hasVal)
		if err != nil {
			return err
		}
		if key == "verbose" {
			n, _ := strconv.Atoi(o.Extra["verbose"])
			v = strconv.Itoa(n + 1)
		}
		if o.Extra == nil {
			o.Extra = make(map[string]string)
		}
		o.Extra[key] = v
	}
	markGiven(o, key)
	return nil
}

// markGiven records key as set; --requeue and --no-requeue undo each other.
func markGiven(o *SubmitOptions, key string) {
	if o.Given == nil {
		o.Given = make(map[string]bool)
	}
	o.Given[key] = true
	if other, ok := sbatchOpposite()[key]; ok {
		delete(o.Given, other)
		delete(o.Extra, other)
	}
}

// sbatchOpposite pairs the flags that cancel each other (the last wins).
var sbatchOpposite = sync.OnceValue(func() map[string]string { return map[string]string{"requeue": "no-requeue", "no-requeue": "requeue"} })

// sbatchIntOpts are the recorded options sbatch reads with parse_int;
// true means the value must be positive, false only non-negative.
var sbatchIntOpts = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"ntasks-per-node": true, "cpus-per-gpu": true, "ntasks-per-gpu": true,
		"ntasks-per-tres": true, "mincpus": true, "threads-per-core": true,
		"sockets-per-node": true, "cores-per-socket": true, "ntasks-per-core": true,
		"ntasks-per-socket": true, "thread-spec": true, "core-spec": false,
	}
})

// checkExtra checks the value of a recorded option where sbatch checks it
// before submitting, and returns what to record.
func checkExtra(key, val string, hasVal bool) (string, error) {
	if positive, ok := sbatchIntOpts()[key]; ok {
		n, err := sbParseInt(key, val, positive)
		return strconv.Itoa(n), err
	}
	switch key {
	case "wait-all-nodes":
		n, err := sbParseInt(key, val, false)
		if err != nil {
			return "", err
		}
		if n > 1 {
			return "", sbInvalid(key)
		}
		return strconv.Itoa(n), nil
	case "mem-per-gpu", "tmp":
		mb, ok := parseMBytes(val)
		if !ok {
			return "", sbInvalid(key)
		}
		return strconv.FormatInt(mb, 10), nil
	case "time-min":
		m, ok := timeLimitMinutes(val)
		if !ok {
			return "", sbInvalid(key)
		}
		return strconv.FormatInt(m, 10), nil
	case "distribution":
		return val, checkDistribution(val)
	case "container-mounts":
		return val, checkContainerMounts(val)
	case "container-workdir":
		if !strings.HasPrefix(val, "/") {
			return "", sbInvalid(key)
		}
	case "container-image":
		if strings.TrimSpace(val) == "" {
			return "", sbInvalid(key)
		}
	case "extra-node-info":
		return val, checkExtraNodeInfo(val)
	case "begin", "deadline":
		return val, checkTimeOption(key, val)
	case "delay-boot":
		if slurmTimeSecs(val) == cNoVal {
			return "", sbInvalid(key)
		}
	case "signal":
		if !sbValidSignal(val) {
			return "", sbInvalid(key)
		}
	case "mail-type":
		if !sbValidMailType(val) {
			return "", sbInvalid(key)
		}
	case "priority":
		if !strings.EqualFold(val, "TOP") {
			switch n, _, _ := strtolC(val); {
			case n < 0:
				return "", Errorf(255, "sbatch: error: Priority must be >= 0")
			case n >= NoValue:
				return "", Errorf(255, "sbatch: error: Priority must be < %d", NoValue)
			}
		}
	case "exclusive":
		if hasVal && val != "" && !sbOneOfFold(val, "exclusive", "oversubscribe", "user", "mcs") {
			return "", sbInvalid(key)
		}
	case "kill-on-invalid-dep":
		if !sbOneOfFold(val, "yes", "no") {
			return "", sbInvalid(key)
		}
	case "no-kill":
		if hasVal && !sbOneOfFold(val, "set", "off", "no") {
			return "", sbInvalid(key)
		}
	case "get-user-env":
		if hasVal {
			_, rest, _ := strtolC(val)
			if rest != "" && !strings.ContainsRune("sSlL", rune(rest[0])) {
				return "", sbInvalid(key)
			}
		}
	}
	return val, nil
}

// sbInvalid is sbatch's "Invalid --<option> specification", exit 255.
func sbInvalid(key string) *Error {
	return Errorf(255, "sbatch: error: Invalid --%s specification", key)
}

// devNullIfNone maps sbatch's "none" (any case) for -o/-e/-i to /dev/null.
func devNullIfNone(v string) string {
	if strings.EqualFold(v, "none") {
		return "/dev/null"
	}
	return v
}

// sbParseInt is Slurm's parse_int for option --key: a C strtol number
// with nothing after it, not negative (not zero either when positive),
// converted to a C int (so 4294967297 becomes 1). Errors exit 1.
func sbParseInt(key, val string, positive bool) (int, error) {
	v, rest, _ := strtolC(val)
	if rest != "" || v < 0 || (positive && v == 0) {
		return 0, Errorf(1, "sbatch: error: Invalid numeric value \"%s\" for --%s.", val, key)
	}
	if v == math.MaxInt64 {
		return 0, Errorf(1, "sbatch: error: Numeric argument (%d) to big for --%s.", v, key)
	}
	return int(int32(v)), nil
}

// allCSpace reports whether s is empty or only C white space.
func allCSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isCSpace(s[i]) {
			return false
		}
	}
	return true
}
