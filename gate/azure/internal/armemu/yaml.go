package armemu

import (
	"fmt"
	"strings"
)

// parseYAML reads the block-style YAML subset cloud-config documents are
// written in: nested mappings and sequences by indentation, "- key: v"
// sequence items that are mappings, literal blocks ("|", "|-"), flow
// sequences of scalars ("[a, "b"]"), double- and single-quoted scalars,
// true/false, and comments. Scalars other than booleans stay strings.
func parseYAML(doc string) (any, error) {
	var ls []yamlLine
	for n, raw := range strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n") {
		t := strings.TrimLeft(raw, " ")
		ls = append(ls, yamlLine{no: n + 1, indent: len(raw) - len(t), text: strings.TrimRight(t, " \t"), raw: raw})
	}
	p := &yamlParser{lines: ls}
	p.skip()
	if p.i >= len(p.lines) {
		return map[string]any{}, nil
	}
	v, err := p.node(p.lines[p.i].indent)
	if err != nil {
		return nil, err
	}
	if p.skip(); p.i < len(p.lines) {
		return nil, fmt.Errorf("yaml: line %d: unexpected indentation", p.lines[p.i].no)
	}
	return v, nil
}

type yamlLine struct {
	no, indent int
	text, raw  string
}

type yamlParser struct {
	lines []yamlLine
	i     int
}

// skip moves past blank and comment lines.
func (p *yamlParser) skip() {
	for p.i < len(p.lines) && (p.lines[p.i].text == "" || strings.HasPrefix(p.lines[p.i].text, "#")) {
		p.i++
	}
}

// node parses the mapping or sequence whose lines start at indent.
func (p *yamlParser) node(indent int) (any, error) {
	if l := p.lines[p.i]; l.text == "-" || strings.HasPrefix(l.text, "- ") {
		return p.seq(indent)
	}
	return p.mapping(indent)
}

func (p *yamlParser) seq(indent int) ([]any, error) {
	out := []any{}
	for p.skip(); p.i < len(p.lines); p.skip() {
		l := p.lines[p.i]
		if l.indent != indent || l.text != "-" && !strings.HasPrefix(l.text, "- ") {
			if l.indent > indent {
				return nil, fmt.Errorf("yaml: line %d: unexpected indentation", l.no)
			}
			break
		}
		item := strings.TrimSpace(strings.TrimPrefix(l.text, "-"))
		if _, _, isKey := splitKey(item); isKey && !strings.HasPrefix(item, "[") && !strings.HasPrefix(item, `"`) {
			// "- key: value": a mapping whose keys line up after "- ".
			col := indent + len(l.text) - len(item)
			p.lines[p.i].indent = col
			p.lines[p.i].text = item
			m, err := p.mapping(col)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
			continue
		}
		p.i++
		if item == "" {
			v, err := p.nested(indent)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		v, err := scalar(item)
		if err != nil {
			return nil, fmt.Errorf("yaml: line %d: %w", l.no, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (p *yamlParser) mapping(indent int) (map[string]any, error) {
	out := map[string]any{}
	for p.skip(); p.i < len(p.lines); p.skip() {
		l := p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, fmt.Errorf("yaml: line %d: unexpected indentation", l.no)
		}
		k, rest, ok := splitKey(l.text)
		if !ok {
			if strings.HasPrefix(l.text, "- ") {
				break // a sequence at the parent's indentation ends this mapping
			}
			return nil, fmt.Errorf("yaml: line %d: want \"key: value\", got %q", l.no, l.text)
		}
		p.i++
		var v any
		var err error
		switch rest {
		case "":
			v, err = p.nested(indent)
		case "|", "|-":
			v = p.literal(indent, rest == "|")
		default:
			v, err = scalar(rest)
		}
		if err != nil {
			return nil, fmt.Errorf("yaml: line %d: %w", l.no, err)
		}
		out[k] = v
	}
	return out, nil
}

// nested parses the value of "key:" on the lines after it: a deeper node,
// a sequence at the key's own indentation, or nothing (null).
func (p *yamlParser) nested(indent int) (any, error) {
	p.skip()
	if p.i >= len(p.lines) {
		return nil, nil
	}
	l := p.lines[p.i]
	if l.indent > indent || l.indent == indent && strings.HasPrefix(l.text, "- ") {
		return p.node(l.indent)
	}
	return nil, nil
}

// literal reads a "|" block: the lines deeper than indent, less the
// first one's indentation, joined by newlines (with a final one if keep).
func (p *yamlParser) literal(indent int, keep bool) string {
	var b []string
	block := -1
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		if l.text == "" {
			b = append(b, "")
			continue
		}
		if l.indent <= indent {
			break
		}
		if block < 0 {
			block = l.indent
		}
		b = append(b, l.raw[min(block, l.indent):])
	}
	for len(b) > 0 && b[len(b)-1] == "" {
		b = b[:len(b)-1]
	}
	s := strings.Join(b, "\n")
	if keep && s != "" {
		s += "\n"
	}
	return s
}

// splitKey splits "key: value" (or "key:"); ok is false for other text.
func splitKey(s string) (key, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "'") {
		return "", "", false
	}
	if k, ok := strings.CutSuffix(s, ":"); ok && !strings.Contains(k, ": ") {
		return strings.TrimSpace(k), "", true
	}
	k, rest, ok := strings.Cut(s, ": ")
	if !ok || strings.ContainsAny(k, "[{") {
		return "", "", false
	}
	return strings.TrimSpace(k), strings.TrimSpace(rest), true
}

// scalar reads one scalar or flow sequence.
func scalar(s string) (any, error) {
	switch {
	case strings.HasPrefix(s, "["):
		inner, ok := strings.CutSuffix(s, "]")
		if !ok {
			return nil, fmt.Errorf("unterminated flow sequence %q", s)
		}
		return flowSeq(inner[1:])
	case strings.HasPrefix(s, `"`), strings.HasPrefix(s, "'"):
		v, rest, err := quoted(s)
		if err != nil {
			return nil, err
		}
		if rest = strings.TrimSpace(rest); rest != "" && !strings.HasPrefix(rest, "#") {
			return nil, fmt.Errorf("text after a quoted scalar: %q", rest)
		}
		return v, nil
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	case "null", "~":
		return nil, nil
	}
	return s, nil
}

// flowSeq reads the items of "[a, "b", c]" (without the brackets).
func flowSeq(s string) ([]any, error) {
	out := []any{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		var item string
		if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "'") {
			v, rest, err := quoted(s)
			if err != nil {
				return nil, err
			}
			item, s = v, strings.TrimSpace(rest)
		} else {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				i = len(s)
			}
			item, s = strings.TrimSpace(s[:i]), s[i:]
		}
		out = append(out, item)
		s = strings.TrimPrefix(s, ",")
	}
	return out, nil
}

// quoted reads the quoted scalar at the start of s and returns the text
// after it.
func quoted(s string) (string, string, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '\'' && c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			return b.String(), s[i+1:], nil
		case q == '"' && c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated quoted scalar %q", s)
}
