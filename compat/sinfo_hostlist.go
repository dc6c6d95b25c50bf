package compat

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// maxHostlistHosts bounds the expansion of a node range such as vm[1-9999999].
const maxHostlistHosts = 1 << 16

// expandHostlist lists the hosts of a Slurm node list: "vm" is ["vm"],
// "node[1-3,5],gpu01" is [node1 node2 node3 node5 gpu01]. Zero padding of
// range bounds is kept ("n[01-02]" gives n01, n02).
func expandHostlist(list string) []string {
	var out []string
	for _, part := range splitHostlist(list) {
		open := strings.IndexByte(part, '[')
		if open < 0 || !strings.HasSuffix(part, "]") {
			out = append(out, part)
			continue
		}
		prefix, body := part[:open], part[open+1:len(part)-1]
		for _, rng := range splitNonEmpty(body, ",") {
			lo, hi, isRange := strings.Cut(rng, "-")
			if !isRange {
				hi = lo
			}
			a, errA := strconv.ParseUint(lo, 10, 32)
			b, errB := strconv.ParseUint(hi, 10, 32)
			if errA != nil || errB != nil || b < a {
				out = append(out, prefix+"["+rng+"]")
				continue
			}
			width := len(lo)
			for n := a; n <= b && len(out) < maxHostlistHosts; n++ {
				s := strconv.FormatUint(n, 10)
				if len(s) < width {
					s = strings.Repeat("0", width-len(s)) + s
				}
				out = append(out, prefix+s)
			}
		}
	}
	return out
}

// splitHostlist splits a node list at the commas outside brackets.
func splitHostlist(list string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(list); i++ {
		switch list[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				if i > start {
					parts = append(parts, list[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(list) {
		parts = append(parts, list[start:])
	}
	return parts
}

// hostKey splits a host name into its prefix and numeric suffix.
type hostKey struct {
	prefix string
	num    uint64
	width  int // digits in the suffix; 0 when there is none
}

// splitHost returns the hostKey of name.
func splitHost(name string) hostKey {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == len(name) || len(name)-i > 18 {
		return hostKey{prefix: name}
	}
	n, _ := strconv.ParseUint(name[i:], 10, 64)
	return hostKey{prefix: name[:i], num: n, width: len(name) - i}
}

// compressHostlist writes hosts as Slurm's ranged node list: sorted, and
// runs of numbered hosts with the same prefix folded into "node[1-3,5]".
func compressHostlist(hosts []string) string {
	keys := make([]hostKey, 0, len(hosts))
	for _, h := range hosts {
		keys = append(keys, splitHost(h))
	}
	slices.SortFunc(keys, func(a, b hostKey) int {
		if c := strings.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		if c := cmp.Compare(a.width, b.width); c != 0 && (a.width == 0 || b.width == 0) {
			return c
		}
		return cmp.Compare(a.num, b.num)
	})
	keys = slices.Compact(keys)
	var b strings.Builder
	for i := 0; i < len(keys); {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		k := keys[i]
		if k.width == 0 {
			b.WriteString(k.prefix)
			i++
			continue
		}
		j := i + 1
		for j < len(keys) && keys[j].prefix == k.prefix && keys[j].width != 0 {
			j++
		}
		if j == i+1 {
			b.WriteString(k.prefix + padNum(k.num, k.width))
			i = j
			continue
		}
		b.WriteString(k.prefix + "[")
		for r := i; r < j; {
			e := r
			for e+1 < j && keys[e+1].num == keys[e].num+1 && keys[e+1].width == keys[r].width {
				e++
			}
			if r > i {
				b.WriteByte(',')
			}
			b.WriteString(padNum(keys[r].num, keys[r].width))
			if e > r {
				b.WriteString("-" + padNum(keys[e].num, keys[e].width))
			}
			r = e + 1
		}
		b.WriteByte(']')
		i = j
	}
	return b.String()
}

// padNum formats n with at least width digits.
func padNum(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}
