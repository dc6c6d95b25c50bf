package compat

import "strings"

// Slurm's INFINITE and NO_VAL as the C int that time_str2secs returns.
const (
	cInfinite int32 = -1
	cNoVal    int32 = -2
)

// ParseTimeLimit parses a time limit the way sbatch -t does (Slurm's
// time_str2mins) and returns it in minutes, or Infinite. The forms are M,
// M:S, H:M:S, D-H, D-H:M and D-H:M:S; no field is limited to its usual
// range ("0:3600" is an hour, "90" is 1:30:00) and seconds round up to
// the next minute. "UNLIMITED", "INFINITE" (any case), "-1" and a total of
// zero ("0", "0:0", "0-0") mean Infinite.
//
// Slurm computes in C ints and stores the result in a uint32; this is
// reproduced, so its quirks are too: "-5" (read as -5 days) gives
// 4294960097 minutes, as real sbatch records it, and overflowing values
// wrap ("71582789" minutes is 1 minute). Anything else is an *Error with
// sbatch's text "sbatch: error: Invalid --time specification", exit 255.
func ParseTimeLimit(s string) (int64, error) {
	m, ok := timeLimitMinutes(s)
	if !ok {
		return 0, sbInvalid("time")
	}
	return m, nil
}

// timeLimitMinutes is ParseTimeLimit without the error text.
func timeLimitMinutes(s string) (int64, bool) {
	secs := slurmTimeSecs(s)
	switch secs {
	case cNoVal:
		return 0, false
	case cInfinite:
		return Infinite, true
	}
	mins := (secs + 59) / 60 // C's ROUNDUP in int, wrapping like the C
	switch mins {
	case cNoVal:
		return 0, false
	case 0, cInfinite:
		return Infinite, true
	}
	return int64(uint32(mins)), true //nolint:gosec // the uint32 Slurm stores
}

// slurmTimeSecs is Slurm's time_str2secs with C int arithmetic.
func slurmTimeSecs(s string) int32 {
	if s == "" {
		return cNoVal
	}
	if s == "-1" || strings.EqualFold(s, "INFINITE") || strings.EqualFold(s, "UNLIMITED") {
		return cInfinite
	}
	if !validTimespec(s) {
		return cNoVal
	}
	if strings.Contains(s, "-") {
		// days-[hours[:minutes[:seconds]]]
		v, _ := scanCInts(s, "-::")
		return v[0]*86400 + v[1]*3600 + v[2]*60 + v[3]
	}
	v, n := scanCInts(s, "::")
	if n == 3 { // hours:minutes:seconds
		return v[0]*3600 + v[1]*60 + v[2]
	}
	return v[0]*60 + v[1] // minutes[:seconds]
}

// validTimespec is Slurm's _is_valid_timespec: digits, at most one '-'
// (before any ':'), at most two ':', and enough numbers around them.
func validTimespec(s string) bool {
	digits, dashes, colons := 0, 0, 0
	inNumber := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if !inNumber {
				digits++
				inNumber = true
			}
		case c == '-':
			inNumber = false
			dashes++
			if colons > 0 {
				return false
			}
		case c == ':':
			inNumber = false
			colons++
		default:
			return false
		}
	}
	switch {
	case digits == 0 || dashes > 1 || colons > 2:
		return false
	case dashes > 0:
		return (colons != 1 || digits >= 3) && (colons != 2 || digits >= 4)
	}
	return (colons != 1 || digits >= 2) && (colons != 2 || digits >= 3)
}

// scanCInts is sscanf(s, "%d<sep0>%d<sep1>%d...") as glibc runs it: it
// stops at the first mismatch, leaving the remaining values 0, and n says
// how many were read. The values are C ints (strtol's saturated long,
// truncated).
func scanCInts(s, seps string) (v [4]int32, n int) {
	for n <= len(seps) && n < len(v) {
		if n > 0 {
			if s == "" || s[0] != seps[n-1] {
				break
			}
			s = s[1:]
		}
		num, rest, ok := scanCInt(s)
		if !ok {
			break
		}
		v[n] = num
		n++
		s = rest
	}
	return v, n
}

// scanCInt reads one %d: an optional sign and digits (no white space
// can occur in a valid timespec).
func scanCInt(s string) (int32, string, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == len(s) || s[i] < '0' || s[i] > '9' {
		return 0, s, false
	}
	v, rest, _ := strtolC(s)
	return int32(v), rest, true //nolint:gosec // C's (int) conversion
}
