package compat

import "strings"

// parseScancelTargets parses the job operands: "57", "57_2", "57_[4-5]",
// "57_*", "57.0", and comma lists of those.
func parseScancelTargets(operands []string) ([]ScancelTarget, error) {
	var out []ScancelTarget
	queue := append([]string(nil), operands...)
	for len(queue) > 0 {
		arg := queue[0]
		queue = queue[1:]
		bad := Errorf(1, "scancel: error: Invalid job id %s", arg)
		id, rest := cStrtol(arg)
		if id <= 0 || id > 0xffffffff {
			return nil, bad
		}
		t := ScancelTarget{Spec: arg, JobID: uint32(id), Step: -1}
		switch {
		case strings.HasPrefix(rest, "_["):
			end := strings.IndexByte(rest, ']')
			if end < 0 || end != len(rest)-1 {
				return nil, bad
			}
			tasks, ok := parseTaskRanges(rest[2:end])
			if !ok {
				return nil, bad
			}
			t.Tasks = tasks
			out = append(out, t)
			continue
		case strings.HasPrefix(rest, "_*"):
			t.AllTasks = true
			rest = rest[2:]
		case strings.HasPrefix(rest, "_"):
			var n int64
			n, rest = cStrtol(rest[1:])
			if n < 0 {
				return nil, bad
			}
			t.Tasks = []int64{n}
		case strings.HasPrefix(rest, "+"):
			var n int64
			n, rest = cStrtol(rest[1:])
			if n < 0 {
				return nil, bad
			}
		}
		if strings.HasPrefix(rest, ".") {
			var n int64
			n, rest = cStrtol(rest[1:])
			if n < 0 {
				return nil, bad
			}
			t.Step = n
		}
		switch {
		case strings.HasPrefix(rest, ","):
			t.Spec = arg[:len(arg)-len(rest)]
			queue = append([]string{rest[1:]}, queue...)
		case rest != "":
			return nil, bad
		}
		out = append(out, t)
	}
	return out, nil
}

// parseTaskRanges parses the inside of "57_[...]": "4-5", "1,3,7-9".
func parseTaskRanges(s string) ([]int64, bool) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, ra := cStrtol(lo)
		b, rb := cStrtol(hi)
		if lo == "" || ra != "" || rb != "" || a < 0 || b < a {
			return nil, false
		}
		for n := a; n <= b && len(out) < maxArrayTasks; n++ {
			out = append(out, n)
		}
	}
	return out, len(out) > 0
}
