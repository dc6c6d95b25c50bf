package compat

import (
	"strconv"
	"strings"
)

// This file is the %-format engine shared by squeue and sinfo: "-o" specs
// such as "%.18i %.9P %R" and "-O" specs such as "JobID:8,Name:.10".
//
// Slurm's rules, as measured on 22.05:
//   - Text before the first '%' is printed as is on every line.
//   - The spec is cut at every '%' (several in a row count as one), so "%%"
//     is no escape. Each piece is [.][digits]<letter><literal text>.
//   - Width N pads to N and cuts longer values; '.' right-justifies. A width
//     of 0 (or none) prints the value as is.
//   - An unknown letter prints its piece literally ("%-10j|") and gives the
//     warning "Invalid ... format specification: <letter>".
//   - "-O" names are case-insensitive, default to width 20, take ":N" or
//     ":.N" and any text after the number as a literal suffix.

// maxFieldWidth bounds widths so that hostile specs cannot make huge lines.
const maxFieldWidth = 1 << 15

// fmtItem is one compiled column: the field to print (an index into the
// command's field table, or colLiteral/colInvalid), its width, its
// justification and the literal text printed after it.
type fmtItem struct {
	col    int
	width  int
	right  bool
	suffix string
}

const (
	colLiteral = -1 // prints only its suffix (the text before the first '%')
	colInvalid = -2 // an unknown field: prints only its suffix
)

// parsePercentFormat compiles a "-o" spec. lookup maps a field letter to a
// column index (false when the letter is unknown). allUpperSuffix is the
// text glibc-era Slurm put after each upper-case letter of "%all". It
// returns the items and the invalid letters in order (a NUL-free string
// each; empty when the spec ended after the width).
func parsePercentFormat(format string, lookup func(byte) (int, bool), allUpperSuffix string) (items []fmtItem, invalid []string) {
	spec := format
	if i := strings.IndexByte(spec, '%'); i != 0 {
		if i < 0 {
			return []fmtItem{{col: colLiteral, suffix: spec}}, nil
		}
		items = append(items, fmtItem{col: colLiteral, suffix: spec[:i]})
		spec = spec[i:]
	}
	all := strings.EqualFold(spec, "%all")
	if all {
		var b strings.Builder
		b.WriteString("%a")
		for c := byte('b'); c <= 'z'; c++ {
			b.WriteString("|%" + string(c))
		}
		for c := byte('A'); c <= 'Z'; c++ {
			b.WriteString("|%" + string(c) + allUpperSuffix)
		}
		spec = b.String()
	}
	for _, tok := range splitNonEmpty(spec, "%") {
		it := fmtItem{}
		i := 0
		if tok[0] == '.' {
			it.right = true
			i++
		}
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			it.width = min(it.width*10+int(tok[i]-'0'), maxFieldWidth)
			i++
		}
		var letter byte
		if i < len(tok) {
			letter = tok[i]
			i++
		}
		col, ok := lookup(letter)
		if letter != 0 && ok {
			it.col, it.suffix = col, tok[i:]
			items = append(items, it)
			continue
		}
		if all {
			continue
		}
		it.col, it.suffix = colInvalid, "%"+tok
		items = append(items, it)
		if letter == 0 {
			invalid = append(invalid, "")
		} else {
			invalid = append(invalid, string([]byte{letter}))
		}
	}
	return items, invalid
}

// parseLongFormat compiles a "-O" spec. lookup maps a field name (as
// typed, before any ':') to a column index. It returns the items and the
// names that were not recognised, in order.
func parseLongFormat(format string, lookup func(string) (int, bool)) (items []fmtItem, invalid []string) {
	for _, tok := range splitNonEmpty(format, ",") {
		name, after, hasWidth := strings.Cut(tok, ":")
		it := fmtItem{width: 20}
		if hasWidth {
			if strings.HasPrefix(after, ".") {
				it.right = true
				after = after[1:]
			}
			n, rest := cStrtol(after)
			if n < 0 {
				// Slurm passes the negative width to printf, which
				// left-justifies in |N| columns.
				n, it.right = -n, false
			}
			it.width = int(min(n, maxFieldWidth))
			it.suffix = rest
		}
		col, ok := lookup(name)
		if !ok {
			it.col = colInvalid
			items = append(items, it)
			invalid = append(invalid, name)
			continue
		}
		it.col = col
		items = append(items, it)
	}
	return items, invalid
}

// appendField appends s to b the way Slurm's _print_str does: width 0
// prints s as is; a left-justified field is cut to width and padded with
// spaces; a right-justified one is padded on the left and cut to width
// only when cut is set.
func appendField[S ~string | ~[]byte](b []byte, s S, width int, right, cut bool) []byte {
	if width <= 0 {
		return append(b, s...)
	}
	if right {
		if len(s) >= width {
			if cut {
				s = s[:width]
			}
			return append(b, s...)
		}
		b = appendSpaces(b, width-len(s))
		return append(b, s...)
	}
	if len(s) > width {
		s = s[:width]
	}
	b = append(b, s...)
	return appendSpaces(b, width-len(s))
}

// spaces is a run of blanks to pad from without allocating.
const spaces = "                                                                "

// appendSpaces appends n blanks to b.
func appendSpaces(b []byte, n int) []byte {
	for n > len(spaces) {
		b = append(b, spaces...)
		n -= len(spaces)
	}
	if n > 0 {
		b = append(b, spaces[:n]...)
	}
	return b
}

// appendUint appends the decimal form of n.
func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }

// appendInt appends the decimal form of n.
func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
