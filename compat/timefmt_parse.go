package compat

import (
	"strings"
	"time"
)

// sacctTimeUnits are the unit words of "now+N<unit>", longest spelling
// first so that "minutes" is not read as "minute" + "s".
var sacctTimeUnits = []struct {
	name string
	secs int64
}{
	{"seconds", 1}, {"second", 1},
	{"minutes", secondsPerMinute}, {"minute", secondsPerMinute},
	{"hours", secondsPerHour}, {"hour", secondsPerHour},
	{"days", secondsPerDay}, {"day", secondsPerDay},
	{"weeks", 7 * secondsPerDay}, {"week", 7 * secondsPerDay},
}

// timeSpec accumulates what a time specification names; -1 is "not given".
type timeSpec struct {
	year, month, mday    int // month 1..12
	hour, minute, second int
}

// ParseSacctTime parses a sacct -S/-E value the way Slurm's parse_time
// does for sacct (dates without a year look into the past): "HH:MM[:SS]
// [AM|PM]", "MMDD[YY]", "MM/DD[/YY]", "MM.DD[.YY]", "MM/DD[/YY]-HH:MM[:SS]",
// "YYYY-MM-DD[THH:MM[:SS]]", "today", "tomorrow", "midnight", "noon",
// "elevenses", "fika", "teatime", "now[{+|-}N[seconds|minutes|hours|days|
// weeks]]" and "uts<unix seconds>". Times are in now's location. A
// specification that names neither a date nor a time gives the zero time,
// as Slurm's 0. Invalid input gives an *Error with Slurm's message
// "Invalid time specification (pos=N): <spec>" and exit code 1.
func ParseSacctTime(spec string, now time.Time) (time.Time, error) {
	loc := now.Location()
	fail := func(pos int) (time.Time, error) {
		return time.Time{}, Errorf(1, "Invalid time specification (pos=%d): %s", pos, spec)
	}
	if len(spec) >= 3 && strings.EqualFold(spec[:3], "uts") {
		n, rest := cStrtol(spec[3:])
		if n < 1000000 || rest != "" || len(spec) == 3 {
			return fail(0)
		}
		return time.Unix(n, 0).In(loc), nil
	}
	ts := timeSpec{year: -1, month: -1, mday: -1, hour: -1, minute: -1}
	setDate := func(t time.Time) { ts.year, ts.month, ts.mday = t.Year(), int(t.Month()), t.Day() }
	setClock := func(h, m, s int) { ts.hour, ts.minute, ts.second = h, m, s }
	at := func(i int) byte {
		if i < len(spec) {
			return spec[i]
		}
		return 0
	}
	words := []struct {
		word string
		hour int
	}{{"midnight", 0}, {"noon", 12}, {"elevenses", 11}, {"fika", 15}, {"teatime", 16}}
scan:
	for pos := 0; pos < len(spec) && spec[pos] != '\n'; pos++ {
		c := spec[pos]
		if c == ' ' || c == '\t' || c == '-' || c == 'T' {
			continue
		}
		rest := spec[pos:]
		if hasFoldPrefix(rest, "today") {
			setDate(now)
			pos += 4
			continue
		}
		if hasFoldPrefix(rest, "tomorrow") {
			setDate(now.Add(24 * time.Hour))
			pos += 7
			continue
		}
		for _, w := range words {
			if hasFoldPrefix(rest, w.word) {
				setClock(w.hour, 0, 0)
				pos += len(w.word) - 1
				continue scan
			}
		}
		if hasFoldPrefix(rest, "now") {
			var delta int64
			for i := pos + 3; ; i++ {
				switch at(i) {
				case '+', '-':
					// Slurm adds the index to pos rather than setting it.
					pos += i
					d, end, ok := parseTimeDelta(spec, pos)
					if !ok {
						return fail(end)
					}
					pos = end
					if at(i) == '-' {
						d = -d
					}
					delta = d
				case ' ', '\t':
					continue
				case 0, '\n':
					pos += i - 1
				default:
					return fail(pos + i)
				}
				break
			}
			later := now.Add(time.Duration(delta) * time.Second)
			setDate(later)
			setClock(later.Hour(), later.Minute(), later.Second())
			continue
		}
		if c < '0' || c > '9' {
			return fail(pos)
		}
		var end int
		var ok bool
		if at(pos+1) == ':' || at(pos+2) == ':' {
			end, ok = parseClockSpec(spec, pos, &ts)
		} else {
			end, ok = parseDateSpec(spec, pos, &ts)
		}
		if !ok {
			return fail(end)
		}
		pos = end
	}
	switch {
	case ts.hour == -1 && ts.month == -1:
		return time.Time{}, nil
	case ts.hour == -1:
		ts.hour, ts.minute = 0, 0
	case ts.month == -1:
		setDate(now) // a time without a date: today (sacct looks into the past)
	}
	if ts.year == -1 {
		ts.year = now.Year()
		if ts.month > int(now.Month()) {
			ts.year--
		}
	}
	return time.Date(ts.year, time.Month(ts.month), ts.mday, ts.hour, ts.minute, ts.second, 0, loc), nil
}

// hasFoldPrefix reports whether s starts with prefix, ignoring ASCII case.
func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// parseTimeDelta reads the "N[unit]" after the sign at spec[sign]. It
// returns the seconds and the index of the last character read; on error
// the index is where Slurm reports the problem.
func parseTimeDelta(spec string, sign int) (secs int64, end int, ok bool) {
	var cnt int64
	digits := 0
	off := sign + 1
	for ; off < len(spec) && spec[off] != '\n'; off++ {
		c := spec[off]
		if isCSpace(c) {
			continue
		}
		unit := false
		for _, u := range sacctTimeUnits {
			if hasFoldPrefix(spec[off:], u.name) {
				off += len(u.name)
				cnt *= u.secs
				unit = true
				break
			}
		}
		if unit {
			break
		}
		if c >= '0' && c <= '9' {
			if cnt < 1<<40 {
				cnt = cnt*10 + int64(c-'0')
			}
			digits++
			continue
		}
		return 0, off - 1, false
	}
	if digits == 0 {
		return 0, sign, false
	}
	return cnt, off - 1, true
}

// parseClockSpec reads "HH:MM[:SS] [AM|PM]" at spec[pos]. It returns the
// index of the last character read, or on error where Slurm reports it.
func parseClockSpec(spec string, pos int, ts *timeSpec) (int, bool) {
	at := func(i int) byte {
		if i < len(spec) {
			return spec[i]
		}
		return 0
	}
	digit := func(i int) bool { return at(i) >= '0' && at(i) <= '9' }
	off := pos
	if !digit(off) {
		return off, false
	}
	hr := int(at(off) - '0')
	off++
	if at(off) != ':' {
		if !digit(off) {
			return off, false
		}
		hr = hr*10 + int(at(off)-'0')
		off++
	}
	if hr > 23 {
		return off - 2, false
	}
	if at(off) != ':' {
		return off, false
	}
	off++
	if !digit(off) {
		return off, false
	}
	mn := int(at(off) - '0')
	off++
	if !digit(off) {
		return off, false
	}
	mn = mn*10 + int(at(off)-'0')
	off++
	if mn > 59 {
		return off - 2, false
	}
	sec := 0
	if at(off) == ':' {
		off++
		if !digit(off) {
			return off, false
		}
		sec = int(at(off) - '0')
		off++
		if !digit(off) {
			return off, false
		}
		sec = sec*10 + int(at(off)-'0')
		off++
		if sec > 59 {
			return off - 2, false
		}
	}
	for isCSpace(at(off)) {
		off++
	}
	switch {
	case hasFoldPrefix(spec[min(off, len(spec)):], "pm"):
		hr += 12
		if hr > 23 {
			if hr != 24 {
				return off, false
			}
			hr = 12
		}
		off += 2
	case hasFoldPrefix(spec[min(off, len(spec)):], "am"):
		if hr > 11 {
			if hr != 12 {
				return off, false
			}
			hr = 0
		}
		off += 2
	}
	ts.hour, ts.minute, ts.second = hr, mn, sec
	return off - 1, true
}

// parseDateSpec reads "YYYY-MM-DD" or "MMDD[YY]", "MM/DD[/YY]",
// "MM.DD[.YY]" at spec[pos]. It returns the index of the last character
// read, or on error where Slurm reports it.
func parseDateSpec(spec string, pos int, ts *timeSpec) (int, bool) {
	at := func(i int) byte {
		if i < len(spec) {
			return spec[i]
		}
		return 0
	}
	digit := func(i int) bool { return at(i) >= '0' && at(i) <= '9' }
	off := pos
	// upTo2 reads the character at off as a digit and a second digit when
	// one follows, as Slurm reads a month or a day.
	upTo2 := func() int {
		v := int(at(off)) - '0'
		off++
		if digit(off) {
			v = v*10 + int(at(off)-'0')
			off++
		}
		return v
	}
	if len(spec) >= off+7 && at(off+4) == '-' && at(off+7) == '-' {
		yr := 0
		for range 4 {
			if !digit(off) {
				return off, false
			}
			yr = yr*10 + int(at(off)-'0')
			off++
		}
		off++ // the '-'
		mon := upTo2()
		if mon < 1 || mon > 12 {
			return off - 2, false
		}
		off++ // the '-'
		if !digit(off) {
			return off, false
		}
		day := upTo2()
		if day < 1 || day > 31 {
			return off - 2, false
		}
		ts.year, ts.month, ts.mday = yr, mon, day
		return off - 1, true
	}
	mon := upTo2()
	if mon < 1 || mon > 12 {
		return off - 2, false
	}
	if at(off) == '.' || at(off) == '/' {
		off++
	}
	if !digit(off) {
		return off, false
	}
	day := upTo2()
	if day < 1 || day > 31 {
		return off - 2, false
	}
	if at(off) == '.' || at(off) == '/' {
		off++
	}
	yr := 0
	if digit(off) {
		yr = int(at(off) - '0')
		off++
		if !digit(off) {
			return off, false
		}
		yr = yr*10 + int(at(off)-'0')
		off++
	}
	ts.month, ts.mday = mon, day
	if yr != 0 {
		// Slurm drops a year of "00": the date then takes the default year.
		ts.year = 2000 + yr
	}
	return off - 1, true
}
