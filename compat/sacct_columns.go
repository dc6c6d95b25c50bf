package compat

import (
	"strings"
	"sync"
)

// parseSacctFields resolves a field list ("jobid,jobname%20,") as sacct
// does: names are case-insensitive prefixes matched in --helpformat order,
// a prefix of "ALL" means every field, "%N" sets the width of that field
// everywhere in the list (the last setting wins), and an empty item ends
// the list.
func parseSacctFields(list string) ([]SacctColumn, error) {
	width := make(map[int]int)
	var picked []int
	start := list
	for {
		end := strings.IndexByte(start, ',')
		if end < 0 {
			break
		}
		item := strings.TrimLeft(start[:end], " \t\n\v\f\r")
		if item == "" {
			break
		}
		start = start[end+1:]
		name := item
		newLen, setLen := 0, false
		if i := strings.IndexByte(item, '%'); i >= 0 {
			n, _ := cStrtol(item[i+1:])
			newLen, setLen, name = int(max(min(n, maxFieldWidth), -maxFieldWidth)), true, item[:i]
		}
		if hasFoldPrefix("ALL", name) {
			for i := range sacctFields() {
				if setLen {
					width[i] = newLen
				}
				picked = append(picked, i)
			}
			continue
		}
		found := -1
		for i := range sacctFields() {
			if hasFoldPrefix(sacctFields()[i].name, name) {
				found = i
				break
			}
		}
		for i := range sacctExtFields() {
			if found < 0 && hasFoldPrefix(sacctExtFields()[i].name, name) {
				found = len(sacctFields()) + i
			}
		}
		if found < 0 {
			return nil, Errorf(1, "sacct: error: Invalid field requested: \"%s\"", name)
		}
		if setLen {
			width[found] = newLen
		}
		picked = append(picked, found)
	}
	cols := make([]SacctColumn, len(picked))
	for k, i := range picked {
		f := sacctFieldAt(i)
		w, ok := width[i]
		if !ok {
			w = f.width
		}
		cols[k] = SacctColumn{Name: f.name, Width: w}
	}
	return cols, nil
}

// sacctHelpFormatText is "sacct --helpformat": the field names in columns
// of 19 characters, four to a line.
var sacctHelpFormatText = sync.OnceValue(func() string {
	var b strings.Builder
	for i, f := range sacctFields() {
		if i%4 != 0 {
			b.WriteByte(' ')
		} else if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.name)
		b.WriteString(strings.Repeat(" ", max(0, 19-len(f.name))))
	}
	b.WriteByte('\n')
	return b.String()
})
