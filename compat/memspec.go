package compat

import "math"

// ParseMemory parses a memory size the way sbatch --mem does (Slurm's
// str_to_mbytes) and returns it in MiB. A bare number means MiB; a suffix
// K, M, G or T, in either case and optionally followed by B or b ("4GB",
// "4gb", "4Gb"), scales it; kibibytes round up to whole MiB ("1500K" is
// 2). Like C's strtoll the number may have leading white space and a "+"
// sign; nothing may follow the suffix. "0" is valid (Slurm reads --mem=0
// as all of a node's memory).
//
// A negative number, anything else, or a size whose MiB count does not
// fit in an int64 (Slurm wraps around there) is an *Error with sbatch's
// text "sbatch: error: Invalid --mem specification", exit 255.
func ParseMemory(s string) (int64, error) {
	mb, ok := parseMBytes(s)
	if !ok {
		return 0, sbInvalid("mem")
	}
	return mb, nil
}

// parseMBytes is ParseMemory without the error text.
func parseMBytes(s string) (int64, bool) {
	v, rest, ok := strtolC(s)
	if !ok || v < 0 || v == math.MaxInt64 {
		// strtoll reports ERANGE at the limit; an exact LLONG_MAX without
		// a suffix is refused too, since it cannot be told apart here.
		return 0, false
	}
	if rest == "" {
		return v, true
	}
	unit := rest[0]
	if suffix := rest[1:]; suffix != "" && suffix != "B" && suffix != "b" {
		return 0, false
	}
	switch unit {
	case 'k', 'K':
		kb := v / 1024
		if v%1024 != 0 {
			kb++
		}
		return kb, true
	case 'm', 'M':
		return v, true
	case 'g', 'G':
		return scaleMB(v, 1024)
	case 't', 'T':
		return scaleMB(v, 1024*1024)
	}
	return 0, false
}

// scaleMB multiplies a non-negative v by f, failing on overflow.
func scaleMB(v, f int64) (int64, bool) {
	if v > math.MaxInt64/f {
		return 0, false
	}
	return v * f, true
}
