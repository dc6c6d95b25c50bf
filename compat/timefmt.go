package compat

import (
	"time"
)

// secondsPerDay and friends keep the duration arithmetic readable.
const (
	secondsPerMinute = 60
	secondsPerHour   = 60 * secondsPerMinute
	secondsPerDay    = 24 * secondsPerHour
)

// appendClock appends squeue/sinfo's compact duration: "M:SS", "H:MM:SS"
// or "D-HH:MM:SS". Negative durations and durations above a year print
// "INVALID" (squeue's rule; sinfo passes limitYear=false).
func appendClock(b []byte, secs int64, limitYear bool) []byte {
	if secs < 0 || (limitYear && secs > 365*secondsPerDay) {
		return append(b, "INVALID"...)
	}
	days := secs / secondsPerDay
	hours := secs / secondsPerHour % 24
	mins := secs / secondsPerMinute % 60
	s := secs % 60
	switch {
	case days > 0:
		b = appendInt(b, days)
		b = append(b, '-')
		b = append2(b, hours)
		b = append(b, ':')
		b = append2(b, mins)
	case hours > 0:
		b = appendInt(b, hours)
		b = append(b, ':')
		b = append2(b, mins)
	default:
		b = appendInt(b, mins)
	}
	b = append(b, ':')
	return append2(b, s)
}

// appendLongClock appends sacct/scontrol's duration: "HH:MM:SS" or
// "D-HH:MM:SS" (Slurm's secs2time_str); negative values print "INVALID".
func appendLongClock(b []byte, secs int64) []byte {
	if secs < 0 {
		return append(b, "INVALID"...)
	}
	days := secs / secondsPerDay
	if days > 0 {
		b = appendInt(b, days)
		b = append(b, '-')
	}
	b = append2(b, secs/secondsPerHour%24)
	b = append(b, ':')
	b = append2(b, secs/secondsPerMinute%60)
	b = append(b, ':')
	return append2(b, secs%60)
}

// appendCPUTime appends sacct's CPU time (TotalCPU, UserCPU, SystemCPU):
// "D-HH:MM:SS", "HH:MM:SS" from an hour on, "MM:SS.mmm" below an hour
// when there are milliseconds, "00:MM:SS" otherwise.
func appendCPUTime(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	secs := int64(d / time.Second)
	millis := int64(d%time.Second) / int64(time.Millisecond)
	days, hours := secs/secondsPerDay, secs/secondsPerHour%24
	mins, s := secs/secondsPerMinute%60, secs%60
	switch {
	case days > 0:
		b = appendInt(b, days)
		b = append(b, '-')
		b = append2(b, hours)
		b = append(b, ':')
	case hours > 0:
		b = append2(b, hours)
		b = append(b, ':')
	case millis > 0:
		b = append2(b, mins)
		b = append(b, ':')
		b = append2(b, s)
		b = append(b, '.')
		b = append(b, byte('0'+millis/100), byte('0'+millis/10%10), byte('0'+millis%10))
		return b
	default:
		b = append(b, "00:"...)
	}
	b = append2(b, mins)
	b = append(b, ':')
	return append2(b, s)
}

// append2 appends n (0..99 expected) with at least two digits.
func append2(b []byte, n int64) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return appendInt(b, n)
}

// appendTimestamp appends t as Slurm prints dates ("2026-11-27T11:33:24")
// in loc.
func appendTimestamp(b []byte, t time.Time, loc *time.Location) []byte {
	return t.In(loc).AppendFormat(b, "2006-01-02T15:04:05")
}

// ctimeLine is the date line of "squeue -l" and "sinfo -l", as C's ctime
// prints it: "Fri Nov 27 11:33:31 2026\n".
func ctimeLine(now time.Time) string {
	return now.Format("Mon Jan _2 15:04:05 2006") + "\n"
}
