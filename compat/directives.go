package compat

import (
	"bytes"
	"strconv"
	"strings"
)

// WrapScript is the batch script sbatch --wrap builds around cmd.
func WrapScript(cmd string) []byte {
	return []byte("#!/bin/sh\n# This script was created by sbatch --wrap.\n\n" + cmd + "\n")
}

// ValidateScript checks a batch script as sbatch 22.05 does before
// submitting it, in Slurm's order: empty, only white space (up to the
// first NUL byte, as C reads it), no "#!" at the start, a NUL byte, DOS
// line breaks ("\r\n"). Each failure is an *Error with sbatch's exact
// text, exit 1. A --wrap script is built by WrapScript and not checked.
func ValidateScript(script []byte) error {
	cstr := script
	if i := bytes.IndexByte(cstr, 0); i >= 0 {
		cstr = cstr[:i]
	}
	switch {
	case len(script) == 0:
		return Errorf(1, "sbatch: error: Batch script is empty!")
	case allCSpace(string(cstr)):
		return Errorf(1, "sbatch: error: Batch script contains only whitespace!")
	case !bytes.HasPrefix(script, []byte("#!")):
		return Errorf(1, "sbatch: error: This does not look like a batch script.  The first\n"+
			"sbatch: error: line must start with #! followed by the path to an interpreter.\n"+
			"sbatch: error: For instance: #!/bin/sh")
	case len(cstr) != len(script):
		return Errorf(1, "sbatch: error: The Slurm controller does not allow scripts that\n"+
			"sbatch: error: contain a NULL character '\\0'.")
	case bytes.Contains(script, []byte("\r\n")):
		return Errorf(1, "sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n"+
			"sbatch: error: instead of expected UNIX line breaks (\\n).")
	}
	return nil
}

// HetJobSeparator stands for a "hetjob" component separator in the
// vector ParseDirectives returns; no directive word can hold a NUL byte.
const HetJobSeparator = "\x00hetjob"

// Directive prefixes sbatch reads; #SLURM is deprecated but still obeyed.
const (
	sbatchMagic = "#SBATCH"
	slurmMagic  = "#SLURM"
)

// ParseDirectives returns the options of a batch script's #SBATCH lines
// as one argument vector, in order, for MergeOptions. name is the script
// path as given to sbatch ("" for stdin); only its base name appears in
// messages. Like sbatch 22.05:
//
//   - reading stops at the first line that is neither blank nor a comment
//     (the "#!" line is a comment; so is an indented "#SBATCH");
//   - a directive starts at column 0 with "#SBATCH" (or the deprecated
//     "#SLURM", which adds a warning to warn) and its words are split on
//     white space; single or double quotes group words and are removed, a
//     backslash takes the next character literally, an unquoted "#" ends
//     the line, and so does an empty word (a quoted empty string);
//   - all lines form one vector, so "#SBATCH -t" followed by "#SBATCH 5"
//     is "-t 5".
//
// A "hetjob" (or deprecated "packjob") word, unquoted and in any case,
// separates the components of a heterogeneous job: it appears in args as
// HetJobSeparator, the rest of its line is ignored, and MergeOptions
// refuses the job when options follow it. (Slurm reads a component's
// lines only when it gets to that component, so an unmatched quote after
// a separator is reported here before errors in earlier components.)
//
// warn is text sbatch prints on stderr while reading (empty when none).
// An unmatched quote is an *Error ("sbatch: fatal: job.sh: line 3:
// Unmatched `"` in [...]", exit 1), preceded by any warning. Call it on a
// script ValidateScript accepted.
func ParseDirectives(script []byte, name string) (args []string, warn string, err error) {
	file := "stdin"
	if name != "" {
		file = name[strings.LastIndexByte(name, '/')+1:]
	}
	var w strings.Builder
	slurmWarned := false
	text := string(script)
	for lineno := 1; text != ""; lineno++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if i := strings.IndexByte(line, 0); i >= 0 {
			line = line[:i] // C stops reading the line there
		}
		var body string
		switch {
		case strings.HasPrefix(line, sbatchMagic):
			body = line[len(sbatchMagic):]
		case strings.HasPrefix(line, slurmMagic):
			body = line[len(slurmMagic):]
			if !slurmWarned {
				slurmWarned = true
				w.WriteString("sbatch: error: Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch\n")
			}
		default:
			trimmed := strings.TrimLeftFunc(line, func(r rune) bool { return r < 0x80 && isCSpace(byte(r)) })
			if trimmed != "" && trimmed[0] != '#' {
				return args, w.String(), nil
			}
			continue
		}
		words, err := directiveWords(body)
		if err != nil {
			return nil, "", &Error{Msg: w.String() + "sbatch: fatal: " + file + ": line " +
				strconv.Itoa(lineno) + ": " + err.Error(), Code: 1}
		}
		for _, wd := range words {
			if wd.raw && (strings.EqualFold(wd.text, "hetjob") || strings.EqualFold(wd.text, "packjob")) {
				if strings.EqualFold(wd.text, "packjob") {
					w.WriteString("sbatch: Warning: the \"packjob\" component separator is being deprecated. Please, use \"hetjob\" instead.\n")
				}
				args = append(args, HetJobSeparator)
				break // Slurm ignores the rest of the separator's line
			}
			args = append(args, wd.text)
		}
	}
	return args, w.String(), nil
}

// directiveWord is one word of a directive; raw says it had no quotes or
// backslashes (only such a word can be a component separator).
type directiveWord struct {
	text string
	raw  bool
}

// errUnmatched is the fatal text of an unmatched quote (without the
// "file: line N: " prefix).
type errUnmatched struct {
	quote byte
	rest  string
}

func (e errUnmatched) Error() string {
	return "Unmatched `" + string(e.quote) + "` in [" + e.rest + "]\n"
}

// directiveWords splits the text after "#SBATCH" into words as Slurm's
// _get_argument does.
func directiveWords(body string) ([]directiveWord, error) {
	var words []directiveWord
	s := strings.TrimLeftFunc(body, func(r rune) bool { return r < 0x80 && isCSpace(byte(r)) })
	for {
		start := s
		i := 0
		for i < len(s) && isCSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return words, nil
		}
		var b strings.Builder
		raw := true
		var quote byte
		escaped := false
	scan:
		for ; i < len(s) && (quote != 0 || !isCSpace(s[i])); i++ {
			c := s[i]
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped, raw = true, false
				continue
			case quote != 0:
				if c == quote {
					quote = 0
					continue
				}
			case c == '"' || c == '\'':
				quote, raw = c, false
				continue
			case c == '#':
				break scan
			}
			b.WriteByte(c)
		}
		if quote != 0 {
			return nil, errUnmatched{quote: quote, rest: start}
		}
		if b.Len() == 0 {
			return words, nil // an empty word ends the line, as "#" does
		}
		words = append(words, directiveWord{text: b.String(), raw: raw})
		s = s[i:]
	}
}
