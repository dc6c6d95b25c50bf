package main

import (
	"fmt"
	"strings"
)

// A docLine is one line of a side's normalised transcript and the step
// (or "files") it belongs to.
type docLine struct {
	Text    string
	Section string // the step's command line, or "files"
}

// opKind is one line of an edit script.
type opKind byte

const (
	opEqual opKind = ' '
	opDel   opKind = '-'
	opAdd   opKind = '+'
)

// edit is one line of the edit script that turns a into b.
type edit struct {
	Kind opKind
	Line docLine
	A, B int // line numbers (0-based) in a and b
}

// diffLines returns a shortest edit script from a to b (longest common
// subsequence of the texts; sections are carried along).
func diffLines(a, b []docLine) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre].Text == b[pre].Text {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf].Text == b[len(b)-1-suf].Text {
		suf++
	}
	var out []edit
	for i := range pre {
		out = append(out, edit{opEqual, a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
	lcs := make([][]int32, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i].Text == mb[j].Text {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i].Text == mb[j].Text:
			out = append(out, edit{opEqual, ma[i], pre + i, pre + j})
			i++
			j++
		case j < len(mb) && (i == len(ma) || lcs[i][j+1] > lcs[i+1][j]):
			out = append(out, edit{opAdd, mb[j], pre + i, pre + j})
			j++
		default:
			out = append(out, edit{opDel, ma[i], pre + i, pre + j})
			i++
		}
	}
	for k := range suf {
		ia, ib := len(a)-suf+k, len(b)-suf+k
		out = append(out, edit{opEqual, a[ia], ia, ib})
	}
	return out
}

// unified formats an edit script as a unified diff with ctx lines of
// context, under the given file labels; "" when there is no change.
func unified(edits []edit, labelA, labelB string, ctx int) string {
	var changes []int
	for i, e := range edits {
		if e.Kind != opEqual {
			changes = append(changes, i)
		}
	}
	if len(changes) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", labelA, labelB)
	for k := 0; k < len(changes); {
		start := max(changes[k]-ctx, 0)
		end := changes[k]
		for k < len(changes) && changes[k] <= end+2*ctx+1 {
			end = changes[k]
			k++
		}
		end = min(end+ctx, len(edits)-1)
		hunk := edits[start : end+1]
		na, nb := 0, 0
		for _, e := range hunk {
			if e.Kind != opAdd {
				na++
			}
			if e.Kind != opDel {
				nb++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", span(hunk[0].A, na), span(hunk[0].B, nb))
		for _, e := range hunk {
			b.WriteByte(byte(e.Kind))
			b.WriteString(e.Line.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// span is a hunk header's "start,count" (1-based start; for an empty
// range the line before it, as diff -u writes).
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
