package compat

import "strings"

// String returns the state as squeue and scontrol print it.
func (s DepState) String() string {
	switch s {
	case DepUnfulfilled:
		return "unfulfilled"
	case DepFulfilled:
		return "fulfilled"
	case DepFailed:
		return "failed"
	}
	return "unknown"
}

// String returns the dependency as squeue %E and scontrol print it: the
// items not yet fulfilled with their state, joined by ',' (or '?' for
// Any): "afterok:81(unfulfilled),afterok:82(failed)", "afterok:45_*(...)",
// "after:81+5(...)", "singleton(unfulfilled)". It is "" when nothing is
// left; squeue then prints "(null)".
func (d Dependency) String() string {
	var b strings.Builder
	sep := ""
	for _, it := range d.Items {
		if it.State == DepFulfilled {
			continue
		}
		b.WriteString(sep)
		b.WriteString(string(it.Type))
		if it.Type != DepSingleton {
			b.WriteByte(':')
			b.WriteString(itoa(int64(it.JobID)))
			switch {
			case it.Task == DepAllTasks:
				b.WriteString("_*")
			case it.Task >= 0:
				b.WriteByte('_')
				b.WriteString(itoa(it.Task))
			}
			if it.Delay != 0 {
				b.WriteByte('+')
				b.WriteString(itoa(int64(it.Delay / 60)))
			}
		}
		b.WriteByte('(')
		b.WriteString(it.State.String())
		b.WriteByte(')')
		sep = ","
		if d.Any {
			sep = "?"
		}
	}
	return b.String()
}
