package compat

import (
	"strconv"
	"strings"
)

// xlateArrayDep rewrites the "id_[list]" parts of a dependency value into
// "id_a:id_b:..." as Slurm's controller does before parsing it:
// "afterok:45_[1-2]+5" becomes "afterok:45_1:45_2+5". ok is false when
// there is nothing to rewrite or a list is invalid (no ']', no task, a
// task at or above maxArraySize); the value is then parsed as given,
// which fails on the "_[".
func xlateArrayDep(spec string, maxArraySize int) (string, bool) {
	if !strings.Contains(spec, "_[") {
		return "", false
	}
	var b strings.Builder
	idStart := -1
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		b.WriteByte(c)
		switch {
		case c >= '0' && c <= '9':
			if idStart < 0 {
				idStart = i
			}
		case c == '_' && i+1 < len(spec) && spec[i+1] == '[' && idStart >= 0:
			id, _ := cStrtol(spec[idStart:])
			jobID := uint32(id)
			i += 2
			end := strings.IndexByte(spec[i:], ']')
			if end < 0 {
				return "", false
			}
			tasks, ok := bitUnfmt(spec[i:i+end], maxArraySize)
			if !ok || len(tasks) == 0 {
				return "", false
			}
			i += end // at ']', which the loop steps over
			var num []byte
			for k, t := range tasks {
				if k > 0 {
					b.WriteByte(':')
					b.Write(strconv.AppendUint(num[:0], uint64(jobID), 10))
					b.WriteByte('_')
				}
				num = strconv.AppendInt(num[:0], t, 10)
				b.Write(num)
			}
			idStart = -1
		default:
			idStart = -1
		}
	}
	return b.String(), true
}

// bitUnfmt reads a task list as Slurm's bit_unfmt does into a bitmap of
// size bits and returns the set bits in order. Without ':' the list is
// "a-b,c" read digit by digit into 32-bit sums (other characters are
// skipped, "-" alone starts a range at the sum so far, a trailing ','
// adds task 0); with ':' it must be exactly "a-b:s", which gives a,
// a+s, ... strictly below b. ok is false when a task falls outside the
// bitmap or the step form is malformed; "" sets nothing.
func bitUnfmt(s string, size int) ([]int64, bool) {
	var pairs [][2]int32
	if strings.IndexByte(s, ':') < 0 {
		var sum int32
		start := int32(-1)
		for i := 0; i <= len(s); i++ {
			c := byte(0)
			if i < len(s) {
				c = s[i]
			}
			switch {
			case c >= '0' && c <= '9':
				sum = sum*10 + int32(c-'0') // C's int arithmetic
			case c == '-':
				start, sum = sum, 0
			case c == ',' || c == 0:
				if i == 0 {
					i = len(s) // stop: nothing before the first ','
					continue
				}
				if start == -1 {
					start = sum
				}
				pairs = append(pairs, [2]int32{start, sum})
				start, sum = -1, 0
			}
		}
	} else {
		a, rest := cStrtol(s)
		if !strings.HasPrefix(rest, "-") {
			return nil, false
		}
		b, rest := cStrtol(rest[1:])
		if !strings.HasPrefix(rest, ":") {
			return nil, false
		}
		st, rest := cStrtol(rest[1:])
		first, last, step := int32(a), int32(b), int32(st)
		if rest != "" || last < first || step <= 0 {
			return nil, false
		}
		for t := first; t < last; t += step {
			if t < 0 || int(t) >= size {
				return nil, false
			}
			pairs = append(pairs, [2]int32{t, t})
		}
	}
	set := make([]bool, size)
	for _, p := range pairs {
		if p[0] < 0 || int(p[0]) >= size || p[1] < 0 || int(p[1]) >= size {
			return nil, false
		}
		for t := p[0]; t <= p[1]; t++ {
			set[t] = true
		}
	}
	var out []int64
	for t, on := range set {
		if on {
			out = append(out, int64(t))
		}
	}
	return out, true
}
