package compat

import (
	"strings"
)

// sbatchTry is the line sbatch prints after every usage error.
const sbatchTry = "Try \"sbatch --help\" for more information\n"

// sbFound is one option occurrence found on a command line or in the
// #SBATCH lines.
type sbFound struct {
	opt    *sbOption
	val    string
	hasVal bool
}

// sbUsage is a getopt usage error: glibc's text, the "Try" line, exit 255.
func sbUsage(msg string) *Error {
	return &Error{Msg: "sbatch: " + msg + "\n" + sbatchTry, Code: 255}
}

// scanSbatch walks args as glibc's getopt_long does with sbatch's option
// string, which starts with "+": scanning stops at the first operand, so
// everything after the script name belongs to the script. It calls fn for
// each option in order and stops at fn's first error. It returns the index
// of the first operand (len(args) when there is none); "--" is consumed.
func scanSbatch(args []string, fn func(sbFound) error) (int, error) {
	i := 0
	for i < len(args) {
		a := args[i]
		switch {
		case a == "--":
			return i + 1, nil
		case strings.HasPrefix(a, "--"):
			f, used, err := scanSbatchLong(a[2:], args[i+1:])
			if err != nil {
				return i, err
			}
			i += 1 + used
			if err := fn(f); err != nil {
				return i, err
			}
		case len(a) > 1 && a[0] == '-':
			used, err := scanSbatchShort(a[1:], args[i+1:], fn)
			if err != nil {
				return i, err
			}
			i += 1 + used
		default:
			return i, nil
		}
	}
	return i, nil
}

// scanSbatchLong handles one "--name[=value]" element; rest are the
// elements after it and used says how many of them were consumed.
func scanSbatchLong(body string, rest []string) (f sbFound, used int, err error) {
	name, value, hasValue := strings.Cut(body, "=")
	var match *sbOption
	var ambiguous []*sbOption
	for i := range sbatchOptions {
		o := &sbatchOptions[i]
		if !strings.HasPrefix(o.name, name) {
			continue
		}
		if o.name == name {
			match, ambiguous = o, nil
			break
		}
		switch {
		case match == nil:
			match = o
		case o.key != match.key || o.arg != match.arg:
			if ambiguous == nil {
				ambiguous = append(ambiguous, match)
			}
			ambiguous = append(ambiguous, o)
		}
	}
	if len(ambiguous) > 0 {
		var b strings.Builder
		b.WriteString("option '--" + body + "' is ambiguous; possibilities:")
		for _, o := range ambiguous {
			b.WriteString(" '--" + o.name + "'")
		}
		return f, 0, sbUsage(b.String())
	}
	if match == nil {
		return f, 0, sbUsage("unrecognized option '--" + body + "'")
	}
	f.opt = match
	switch match.arg {
	case sbNoArg:
		if hasValue {
			return f, 0, sbUsage("option '--" + match.name + "' doesn't allow an argument")
		}
	case sbOptionalArg:
		f.val, f.hasVal = value, hasValue
	case sbRequiredArg:
		switch {
		case hasValue:
			f.val, f.hasVal = value, true
		case len(rest) > 0:
			f.val, f.hasVal, used = rest[0], true, 1
		default:
			return f, 0, sbUsage("option '--" + match.name + "' requires an argument")
		}
	}
	return f, used, nil
}

// scanSbatchShort handles one cluster of short options ("-Hc2", "-t", "5").
func scanSbatchShort(cluster string, rest []string, fn func(sbFound) error) (used int, err error) {
	for j := 0; j < len(cluster); j++ {
		c := cluster[j]
		o, ok := sbatchShort()[c]
		if !ok {
			return used, sbUsage("invalid option -- '" + string(c) + "'")
		}
		f := sbFound{opt: o}
		tail := cluster[j+1:]
		switch o.arg {
		case sbOptionalArg:
			f.val, f.hasVal = tail, tail != ""
			j = len(cluster)
		case sbRequiredArg:
			switch {
			case tail != "":
				f.val, f.hasVal = tail, true
			case len(rest) > 0:
				f.val, f.hasVal, used = rest[0], true, 1
			default:
				return used, sbUsage("option requires an argument -- '" + string(c) + "'")
			}
			j = len(cluster)
		}
		if err := fn(f); err != nil {
			return used, err
		}
	}
	return used, nil
}

// ParseSbatchArgs parses sbatch's command line (without the program name)
// exactly as sbatch 22.05's first pass does: getopt_long syntax ("--k=v",
// "--k v", "-kv", "-k v", bundled flags, unique prefixes of long names,
// "--" ending the options), values checked in order, and scanning stopped
// at the first operand, which is the script path; the rest are its
// arguments. An empty script means the script comes from stdin (or from
// --wrap; see Given["wrap"]). The result holds only what the command line
// said; MergeOptions adds SBATCH_* variables and #SBATCH lines.
//
// --help, --usage and --version stop the parsing as in Slurm: opts.Show
// then holds the whole text to print on stdout before exiting 0. Errors are
// *Error with Slurm's exact stderr text: usage errors and most bad values
// exit 255, bad numbers 1, "Script arguments not permitted with --wrap
// option" 1. A heterogeneous job (a ":" component separator) is refused
// with exit 1: Sky Port runs single-component jobs only.
func ParseSbatchArgs(args []string) (opts SubmitOptions, script string, scriptArgs []string, err error) {
	next, err := scanSbatch(args, func(f sbFound) error {
		switch f.opt.key {
		case "help":
			opts.Show = SbatchHelpText
			return errShow
		case "usage":
			opts.Show = SbatchUsageText
			return errShow
		case "version":
			opts.Show = SlurmVersionLine
			return errShow
		}
		return applySbatch(&opts, f.opt.key, f.val, f.hasVal)
	})
	if isShow(err) {
		return opts, "", nil, nil
	}
	if err != nil {
		return opts, "", nil, err
	}
	rest := args[next:]
	if len(rest) > 0 && rest[0] == ":" {
		// Check the other components' options as sbatch would, then refuse.
		for len(rest) > 0 && rest[0] == ":" {
			var other SubmitOptions
			rest = rest[1:]
			n, err := scanSbatch(rest, func(f sbFound) error {
				if f.opt.key == "help" || f.opt.key == "usage" || f.opt.key == "version" {
					return nil
				}
				return applySbatch(&other, f.opt.key, f.val, f.hasVal)
			})
			if err != nil {
				return opts, "", nil, err
			}
			rest = rest[n:]
		}
		return opts, "", nil, hetJobError()
	}
	if opts.Given["wrap"] {
		if len(rest) > 0 {
			return opts, "", nil, Errorf(1, "sbatch: error: Script arguments not permitted with --wrap option")
		}
		return opts, "", nil, nil
	}
	if len(rest) > 0 {
		script, scriptArgs = rest[0], rest[1:]
	}
	return opts, script, scriptArgs, nil
}

// errShow stops the scan at --help, --usage or --version.
var errShow = &Error{Msg: "show\n"}

// hetJobError refuses a job with several components (":" on the command
// line, "hetjob" in #SBATCH lines).
func hetJobError() *Error {
	return Errorf(1, "sbatch: error: Heterogeneous jobs are not supported")
}

// DefaultJobName is the job name sbatch uses without -J: "wrap" for
// --wrap, the script's base name, or "sbatch" for a script read from stdin.
func DefaultJobName(opts SubmitOptions, script string) string {
	switch {
	case opts.Given["wrap"]:
		return "wrap"
	case script != "":
		return script[strings.LastIndexByte(script, '/')+1:]
	}
	return "sbatch"
}

// ResolveWorkDir is the job's working directory as sbatch records it: the
// submit directory without -D, -D itself when absolute, else -D appended to
// the submit directory with a "/" and not cleaned ("-D ." gives "/x/.").
func ResolveWorkDir(chdir, submitDir string) string {
	switch {
	case chdir == "":
		return submitDir
	case chdir[0] == '/':
		return chdir
	}
	return submitDir + "/" + chdir
}
