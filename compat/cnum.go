package compat

import "math"

// Slurm reads numbers with C's strtol and strtoul; these are the one Go
// copy of those rules that every parser here uses.

// isCSpace reports whether c is white space for C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// scanCNumber reads what strtol/strtoul read: leading white space, an
// optional sign, decimal digits. u is the magnitude (valid when !over),
// rest what follows the digits; ok is false (rest = s) without digits.
func scanCNumber(s string) (u uint64, neg, over bool, rest string, ok bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			over = true
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, false, false, s, false
	}
	return u, neg, over, s[i:], true
}

// strtolC reads s as C's strtol(s, &end, 10) does with a 64-bit long: the
// value saturates at the limits; rest is what end points to (s itself
// when no digit was read, and ok is then false).
func strtolC(s string) (v int64, rest string, ok bool) {
	u, neg, over, rest, ok := scanCNumber(s)
	switch {
	case !ok:
		return 0, s, false
	case neg && (over || u > 1<<63):
		v = math.MinInt64
	case neg:
		v = int64(-u) //nolint:gosec // two's complement negation of at most 1<<63
	case over || u > math.MaxInt64:
		v = math.MaxInt64
	default:
		v = int64(u)
	}
	return v, rest, true
}

// strtoulC reads s as C's strtoul does: '-' negates modulo 2^64, and the
// value saturates at the uint64 limit. ok is false when there are no digits.
func strtoulC(s string) (v uint64, rest string, ok bool) {
	u, neg, over, rest, ok := scanCNumber(s)
	switch {
	case !ok:
		return 0, s, false
	case over:
		return math.MaxUint64, rest, true
	case neg:
		return -u, rest, true
	}
	return u, rest, true
}

// cStrtol is strtolC without ok: the value (0 without digits) and the rest.
func cStrtol(s string) (int64, string) {
	v, rest, _ := strtolC(s)
	return v, rest
}
