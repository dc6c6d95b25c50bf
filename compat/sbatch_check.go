package compat

import (
	"errors"
	"math"
	"strings"
	"time"
)

// This file holds the checks sbatch makes on option values beyond plain
// numbers and sizes: -N, -B, -m, --signal, --mail-type, --begin and
// --deadline.

// checkExtraNodeInfo is Slurm's verify_socket_core_thread_count for -B:
// up to three ':'-separated counts (each "N", "min-max" or "*"); a bad
// one is an *Error naming it ("first arg of -B"), exit 1.
func checkExtraNodeInfo(arg string) error {
	names := [3]string{"first", "second", "third"}
	rest := arg
	for j := 0; j < 3; j++ {
		part := rest
		if len(part) > 47 {
			part = part[:47] // Slurm's buffer
		}
		if i := strings.IndexByte(part, ':'); i >= 0 {
			part = part[:i]
		}
		if err := checkResourceRange(part, names[j]+" arg of -B"); err != nil {
			return err
		}
		rest = rest[len(part):]
		if rest == "" {
			break
		}
		if rest[0] == ':' {
			rest = rest[1:]
		}
	}
	return nil
}

// checkResourceRange is Slurm's get_resource_arg_range: "", "*...", "N" or
// "min-max", each number with an optional k or m multiplier.
func checkResourceRange(arg, what string) error {
	if arg == "" || arg[0] == '*' {
		return nil
	}
	bad := Errorf(1, "sbatch: error: Invalid numeric value \"%s\" for %s.", arg, what)
	v, p := resourceNumber(arg)
	if (p != "" && p[0] != '-') || v < 0 {
		return bad
	}
	if v > math.MaxInt32 {
		return Errorf(1, "sbatch: error: Numeric argument (%d) to big for %s.", v, what)
	}
	if p == "" {
		return nil
	}
	v, p = resourceNumber(p[1:])
	if (p != "" && p[0] != '-') || v <= 0 {
		return bad
	}
	if v > math.MaxInt32 {
		return Errorf(1, "sbatch: error: Numeric argument (%d) to big for %s.", v, what)
	}
	return nil
}

// resourceNumber is strtol followed by an optional k/K or m/M multiplier.
func resourceNumber(s string) (int64, string) {
	v, p, _ := strtolC(s)
	switch {
	case p != "" && (p[0] == 'k' || p[0] == 'K'):
		v, p = v*1024, p[1:]
	case p != "" && (p[0] == 'm' || p[0] == 'M'):
		v, p = v*1048576, p[1:]
	}
	return v, p
}

// checkDistribution is Slurm's verify_dist_type for -m.
func checkDistribution(arg string) error {
	if sbHasPrefixFold(arg, "plane") {
		size, ok := "", false
		if _, size, ok = strings.Cut(arg, "="); ok {
			n, rest, digits := strtolC(size)
			ok = digits && rest == "" && n > 0 && n <= math.MaxInt32
		}
		if !ok {
			// Slurm would read SLURM_DIST_PLANESIZE here when there is
			// no "="; the submitter's environment is not consulted.
			return &Error{Msg: "sbatch: error: Invalid plane size or size not specified\n" +
				sbInvalid("distribution").Msg, Code: 255}
		}
		return nil
	}
	if !validDistBase(arg) {
		return sbInvalid("distribution")
	}
	return nil
}

// validDistBase is Slurm's _parse_dist_base: block|cyclic|arbitrary|
// hostfile, or up to three levels of block|cyclic|fcyclic ("*" takes the
// default of its level), or pack|nopack alone; ",pack" or ",nopack" may
// follow.
func validDistBase(s string) bool {
	if s == "" || s[0] == ',' {
		return false
	}
	base, flag, hasFlag := strings.Cut(s, ",")
	var parts []string
	sock := ""
	for _, tok := range strings.Split(base, ":") {
		if tok == "" {
			continue // strtok skips empty fields
		}
		if len(parts) > 2 {
			return false
		}
		if tok == "*" {
			switch len(parts) {
			case 0:
				tok = "block"
			case 1:
				tok = "cyclic"
			default:
				tok = sock
			}
		}
		if len(parts) == 1 {
			sock = tok
		}
		parts = append(parts, strings.ToLower(tok))
	}
	out := strings.Join(parts, ":")
	level := func(t string) bool { return t == "block" || t == "cyclic" || t == "fcyclic" }
	ok := false
	switch len(parts) {
	case 1:
		ok = sbOneOfFold(out, "block", "cyclic", "arbitrary", "hostfile", "pack", "nopack")
	case 2, 3:
		ok = (parts[0] == "block" || parts[0] == "cyclic") && level(parts[1]) &&
			(len(parts) == 2 || level(parts[2]))
	}
	if ok && hasFlag && flag != "" {
		ok = sbOneOfFold(flag, "pack", "nopack")
	}
	return ok
}

// checkTimeOption is Slurm's parse_time check for --begin and --deadline:
// its own message, then "Invalid --<option> specification", exit 255.
// Whether a time is valid does not depend on the clock, so none is read.
func checkTimeOption(key, val string) error {
	_, err := ParseSacctTime(val, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return &Error{Msg: e.Msg + sbInvalid(key).Msg, Code: 255}
	}
	return sbInvalid(key)
}

// sbParseNodes is Slurm's verify_node_count for -N: "N" or "min-max",
// each a C number with an optional k or m multiplier, as C ints.
func sbParseNodes(arg string) (lo, hi int, err error) {
	bad := func(s string) error {
		return Errorf(255, "sbatch: error: \"%s\" is not a valid node count", s)
	}
	if i := strings.IndexByte(arg, '-'); i >= 0 {
		var left string
		if lo, left = sbStrToNodes(arg[:i]); !allCSpace(left) {
			return 0, 0, bad(arg[:i])
		}
		if lo < 0 {
			lo = 1
		}
		if hi, left = sbStrToNodes(arg[i+1:]); !allCSpace(left) {
			return 0, 0, bad(arg[i+1:])
		}
	} else {
		var left string
		lo, left = sbStrToNodes(arg)
		if !allCSpace(left) || lo < 0 {
			return 0, 0, bad(arg)
		}
		hi = lo
	}
	if hi != 0 && hi < lo {
		return 0, 0, Errorf(255, "sbatch: error: Maximum node count %d is less than minimum node count %d", hi, lo)
	}
	return lo, hi, nil
}

// sbStrToNodes is Slurm's _str_to_nodes: -1 and s itself when s has no
// number; a k or m after the number multiplies by 1024 or 1048576.
func sbStrToNodes(s string) (int, string) {
	v, rest, ok := strtolC(s)
	if !ok {
		return -1, s
	}
	if rest != "" && (rest[0] == 'k' || rest[0] == 'K') {
		v *= 1024
		rest = rest[1:]
	}
	if rest != "" && (rest[0] == 'm' || rest[0] == 'M') {
		v *= 1024 * 1024
		rest = rest[1:]
	}
	return int(int32(v)), rest
}

// sbValidSignal is Slurm's get_signal_opts for sbatch --signal:
// [R][B][R][:]SIG[@seconds].
func sbValidSignal(arg string) bool {
	s := arg
	if s != "" && (s[0] == 'R' || s[0] == 'r') {
		s = s[1:]
	}
	if s != "" && (s[0] == 'B' || s[0] == 'b') {
		s = s[1:]
	}
	if s != "" && (s[0] == 'R' || s[0] == 'r') {
		s = s[1:]
	}
	s = strings.TrimPrefix(s, ":")
	name, secs, hasSecs := strings.Cut(s, "@")
	if n := uint16(sbSignalNumber(name)); n < 1 { //nolint:gosec // Slurm casts to uint16_t
		return false
	}
	if !hasSecs {
		return true
	}
	n, rest, _ := strtolC(secs)
	return n >= 0 && n <= 0xffff && rest == ""
}

// sbSignalNames are the names Slurm's sig_name2num knows.
var sbSignalNames = []struct {
	name string
	num  int
}{
	{"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"ABRT", 6}, {"KILL", 9},
	{"ALRM", 14}, {"TERM", 15}, {"USR1", 10}, {"USR2", 12}, {"URG", 23},
	{"CONT", 18}, {"STOP", 19}, {"TSTP", 20}, {"TTIN", 21}, {"TTOU", 22},
	{"XCPU", 24},
}

// sbSignalNumber is Slurm's sig_name2num: a number, or a name with or
// without "SIG" in any case; 0 when unknown.
func sbSignalNumber(s string) int {
	if v, rest, ok := strtolC(s); ok {
		if allCSpace(rest) {
			return int(int32(v))
		}
		return 0
	}
	for s != "" && isCSpace(s[0]) {
		s = s[1:]
	}
	if sbHasPrefixFold(s, "SIG") {
		s = s[3:]
	}
	for _, sn := range sbSignalNames {
		if sbHasPrefixFold(s, sn.name) && allCSpace(s[len(sn.name):]) {
			return sn.num
		}
	}
	return 0
}

// sbOneOfFold reports whether s is one of words, ignoring ASCII case.
func sbOneOfFold(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// sbHasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func sbHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// sbValidMailType is Slurm's parse_mail_type: at least one known type, or NONE.
func sbValidMailType(arg string) bool {
	known := []string{"ARRAY_TASKS", "BEGIN", "END", "FAIL", "INVALID_DEPEND", "REQUEUE",
		"ALL", "STAGE_OUT", "TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50"}
	for _, tok := range strings.Split(arg, ",") {
		if strings.EqualFold(tok, "NONE") {
			return true
		}
		for _, k := range known {
			if strings.EqualFold(tok, k) {
				return true
			}
		}
	}
	return false
}
