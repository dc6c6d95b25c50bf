package mirror

import (
	"unicode"
	"unicode/utf8"
)

// matchSegment reports whether name (one path segment, no '/') matches the
// glob pattern pat (no '/'): '*' matches any run of characters, '?' one
// character, '[...]' one character of a set, and '\' makes the next
// character literal. Characters are runes, so '?' matches "é". A malformed
// pattern (a trailing lone '\') matches nothing; an unclosed '[' is literal.
func matchSegment(pat, name string) bool {
	px, nx := 0, 0
	// The position after the last '*' seen and the name position it was
	// tried at, for backtracking.
	starPx, starNx := -1, -1
	for px < len(pat) || nx < len(name) {
		if px < len(pat) {
			if pat[px] == '*' {
				for px < len(pat) && pat[px] == '*' {
					px++
				}
				starPx, starNx = px, nx
				continue
			}
			if nx < len(name) {
				c, cw := utf8.DecodeRuneInString(name[nx:])
				if ok, pw := matchOne(pat[px:], c); ok {
					px += pw
					nx += cw
					continue
				}
			}
		}
		if starPx >= 0 && starNx < len(name) {
			_, cw := utf8.DecodeRuneInString(name[starNx:])
			starNx += cw
			px, nx = starPx, starNx
			continue
		}
		return false
	}
	return true
}

// matchOne matches the single-character token at the start of pat (not '*')
// against c, and returns how many bytes of pat the token took.
func matchOne(pat string, c rune) (ok bool, width int) {
	switch pat[0] {
	case '?':
		return true, 1
	case '\\':
		if len(pat) == 1 {
			return false, 1
		}
		r, w := utf8.DecodeRuneInString(pat[1:])
		return r == c, 1 + w
	case '[':
		if ok, w, valid := matchClass(pat, c); valid {
			return ok, w
		}
		return c == '[', 1
	}
	r, w := utf8.DecodeRuneInString(pat)
	return r == c, w
}

// matchClass matches a bracket expression at the start of pat against c.
// valid is false when the expression has no closing ']'.
func matchClass(pat string, c rune) (ok bool, width int, valid bool) {
	i := 1
	negate := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		negate = true
		i++
	}
	matched := false
	first := true
	for {
		if i >= len(pat) {
			return false, 0, false
		}
		if pat[i] == ']' && !first {
			i++
			break
		}
		first = false
		if pat[i] == '[' && i+1 < len(pat) && pat[i+1] == ':' {
			if n, in, isClass := matchNamedClass(pat[i:], c); isClass {
				matched = matched || in
				i += n
				continue
			}
		}
		lo, w, ok := classChar(pat, i)
		if !ok {
			return false, 0, false
		}
		i += w
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			h, w2, ok := classChar(pat, i+1)
			if !ok {
				return false, 0, false
			}
			hi = h
			i += 1 + w2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return matched != negate, i, true
}

// classChar reads one (possibly escaped) character of a bracket expression.
func classChar(pat string, i int) (r rune, width int, ok bool) {
	if pat[i] == '\\' {
		if i+1 >= len(pat) {
			return 0, 0, false
		}
		r, w := utf8.DecodeRuneInString(pat[i+1:])
		return r, 1 + w, true
	}
	r, w := utf8.DecodeRuneInString(pat[i:])
	return r, w, true
}

// namedClasses are the POSIX character classes a bracket expression may
// name as [:name:].
var namedClasses = map[string]func(rune) bool{
	"alnum":  func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) },
	"alpha":  unicode.IsLetter,
	"blank":  func(r rune) bool { return r == ' ' || r == '\t' },
	"cntrl":  unicode.IsControl,
	"digit":  func(r rune) bool { return '0' <= r && r <= '9' },
	"graph":  func(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) },
	"lower":  unicode.IsLower,
	"print":  unicode.IsPrint,
	"punct":  unicode.IsPunct,
	"space":  unicode.IsSpace,
	"upper":  unicode.IsUpper,
	"xdigit": func(r rune) bool { return '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F' },
}

// matchNamedClass matches "[:name:]" at the start of pat against c.
func matchNamedClass(pat string, c rune) (width int, in bool, isClass bool) {
	for j := 2; j+1 < len(pat); j++ {
		if pat[j] == ':' && pat[j+1] == ']' {
			f, known := namedClasses[pat[2:j]]
			if !known {
				return 0, false, false
			}
			return j + 2, f(c), true
		}
	}
	return 0, false, false
}
