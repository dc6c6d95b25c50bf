package compat

import (
	"strconv"
	"strings"
)

// PatternVars are the values a batch job's -o/-e/-i pattern can name.
type PatternVars struct {
	JobID       uint32 // %j and %J: the job's own id (an array task's raw id)
	ArrayJobID  uint32 // %A for an array task: the array's master id
	ArrayTaskID int64  // %a; -1 when the job is not an array task
	JobName     string // %x
	User        string // %u
	Node        string // %N: the (first) node's name
	NodeID      int    // %n: 0 for the batch step
	TaskID      int    // %t: 0 for the batch step
	Step        string // %s: the step ("0", "1", ...); "" is "batch"
}

// maxPatternWidth is the widest zero padding slurmstepd applies.
const maxPatternWidth = 10

// ExpandPattern expands the % sequences of an output, error or input
// file pattern as slurmstepd 22.05 does for a batch job: %j and %J (the
// job id), %A (the array's master id, or the job id when the job is not
// an array task), %a (the array task id, 4294967294 when none), %x (job
// name), %u (user), %N (node name), %n and %t (0), %s ("batch") and %%.
// A width between % and the letter zero-pads the numeric ones ("%4j" is
// "0042", widths above 10 count as 10); it is read but has no effect on
// %x, %u, %N and %s. Sequences Slurm does not know stay as written ("%q",
// a lone "%" at the end), except that a width before an unknown letter
// loses its "%" and all but its last digit ("%12.x" gives "2.x", as in
// Slurm). A pattern containing a backslash is not expanded at all: the
// backslashes are removed and the rest is kept literally.
func ExpandPattern(pattern string, v PatternVars) string {
	if strings.IndexByte(pattern, '\\') >= 0 {
		return strings.ReplaceAll(pattern, "\\", "")
	}
	var b strings.Builder
	q := 0 // start of the text not yet copied
	p := 0
	for p < len(pattern) {
		if pattern[p] != '%' {
			p++
			continue
		}
		if p+1 < len(pattern) && pattern[p+1] == '%' {
			b.WriteString(pattern[q : p+1])
			p += 2
			q = p
			continue
		}
		pct := p
		p++
		width := 0
		hasWidth := p < len(pattern) && isDigit(pattern[p])
		if hasWidth {
			b.WriteString(pattern[q:pct])
			start := p
			for p < len(pattern) && isDigit(pattern[p]) {
				p++
			}
			width = patternWidth(pattern[start:p])
			q = p - 1 // Slurm keeps the last digit as literal text
		}
		if p == len(pattern) {
			break
		}
		val, ok := patternValue(pattern[p], width, v)
		if !ok {
			continue // unknown: left in place, the scan goes on from here
		}
		if !hasWidth {
			b.WriteString(pattern[q:pct])
		}
		b.WriteString(val)
		p++
		q = p
	}
	b.WriteString(pattern[q:])
	return b.String()
}

// patternWidth is strtoul of the digits, capped at maxPatternWidth.
func patternWidth(digits string) int {
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > maxPatternWidth {
		return maxPatternWidth
	}
	return int(n)
}

// patternValue expands the letter c of a pattern, zero-padded to width.
func patternValue(c byte, width int, v PatternVars) (string, bool) {
	num := func(n uint64) string {
		s := strconv.FormatUint(n, 10)
		if len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		return s
	}
	switch c {
	case 'a':
		if v.ArrayTaskID < 0 {
			return num(NoValue), true
		}
		return num(uint64(v.ArrayTaskID)), true
	case 'A':
		if v.ArrayTaskID < 0 {
			return num(uint64(v.JobID)), true
		}
		return num(uint64(v.ArrayJobID)), true
	case 'j', 'J':
		return num(uint64(v.JobID)), true
	case 'n':
		return num(uint64(uint32(v.NodeID))), true //nolint:gosec // C's %u
	case 't':
		return num(uint64(uint32(v.TaskID))), true //nolint:gosec // C's %u
	case 'N':
		return v.Node, true
	case 'u':
		return v.User, true
	case 'x':
		return v.JobName, true
	case 's':
		if v.Step != "" {
			return v.Step, true
		}
		return "batch", true
	}
	return "", false
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// DefaultOutputPattern is sbatch's output pattern without -o:
// "slurm-%j.out", or "slurm-%A_%a.out" for an array job.
func DefaultOutputPattern(array bool) string {
	if array {
		return "slurm-%A_%a.out"
	}
	return "slurm-%j.out"
}

// ResolveOutput is the file a batch job's pattern names, as slurmstepd
// opens it: the pattern expanded by ExpandPattern and, unless the pattern
// starts with "/", put under workDir (the job's working directory: -D or
// the submit directory, see ResolveWorkDir) with one "/" between them.
// workDir itself is not expanded. An empty pattern stands for
// DefaultOutputPattern(v.ArrayTaskID >= 0). For -e without a value the
// caller uses the output file; -o/-e/-i "none" were already turned into
// /dev/null by the option parser.
func ResolveOutput(pattern, workDir string, v PatternVars) string {
	if pattern == "" {
		pattern = DefaultOutputPattern(v.ArrayTaskID >= 0)
	}
	name := ExpandPattern(pattern, v)
	if pattern[0] == '/' || workDir == "" {
		return name
	}
	if !strings.HasSuffix(workDir, "/") {
		workDir += "/"
	}
	return workDir + name
}
