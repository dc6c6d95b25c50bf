package compat

import (
	"strings"
)

// This file holds the command-line scanner shared by the query commands
// (squeue, sacct, sinfo, scancel). It behaves like glibc's getopt_long as
// those commands call it: options and operands may be mixed (operands are
// moved to the end), "--" ends the options, short options cluster ("-hj77"),
// long options may be abbreviated to any unambiguous prefix, and the error
// texts are glibc's.

// argKind says whether an option takes an argument.
type argKind int

const (
	argNone     argKind = iota // a flag
	argRequired                // "-u name", "-uname", "--user=name", "--user name"
	argOptional                // only attached: "-j77", "--jobs=77"
)

// longOpt is one entry of a getopt_long option table; key is the short
// letter the option is an alias of, or a private value above 0xff.
type longOpt struct {
	name string
	kind argKind
	key  int
}

// optTable describes the options of one command.
type optTable struct {
	prog  string    // "squeue": the prefix of glibc's messages
	short string    // getopt short-option string, e.g. "ahj::o:"
	long  []longOpt // in the command's table order (it orders ambiguity lists)
}

// scannedOpt is one option found on the command line.
type scannedOpt struct {
	key    int
	arg    string
	hasArg bool
	// spelled is the option as the user typed it ("-u", "--user"), for messages.
	spelled string
}

// shortKind reports how the short option c is declared in t.short.
func (t *optTable) shortKind(c byte) (argKind, bool) {
	if c == ':' || c == '-' {
		return argNone, false
	}
	i := strings.IndexByte(t.short, c)
	if i < 0 {
		return argNone, false
	}
	switch {
	case strings.HasPrefix(t.short[i+1:], "::"):
		return argOptional, true
	case strings.HasPrefix(t.short[i+1:], ":"):
		return argRequired, true
	}
	return argNone, true
}

// scan splits args into options and operands. On a usage error it returns
// the glibc message (ending in "\n") with the options found before it, so
// that the caller can act on them in order first, as getopt's caller does
// (an earlier --version still wins).
func (t *optTable) scan(args []string) (opts []scannedOpt, operands []string, msg string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			return opts, operands, ""
		case strings.HasPrefix(a, "--"):
			o, used, m := t.scanLong(a[2:], args[i+1:])
			if m != "" {
				return opts, operands, m
			}
			i += used
			opts = append(opts, o)
		case len(a) > 1 && a[0] == '-':
			found, used, m := t.scanShort(a[1:], args[i+1:])
			opts = append(opts, found...)
			if m != "" {
				return opts, operands, m
			}
			i += used
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, ""
}

// scanLong handles one "--name[=value]" element; rest are the elements
// after it, used counts how many of them were consumed as the argument.
func (t *optTable) scanLong(body string, rest []string) (o scannedOpt, used int, msg string) {
	name, value, hasValue := strings.Cut(body, "=")
	var match *longOpt
	exact := false
	var ambiguous []int
	first := -1
	for i := range t.long {
		l := &t.long[i]
		if !strings.HasPrefix(l.name, name) {
			continue
		}
		if l.name == name {
			match, exact = l, true
			break
		}
		if match == nil {
			match, first = l, i
			continue
		}
		if l.kind != match.kind || l.key != match.key {
			if len(ambiguous) == 0 {
				ambiguous = append(ambiguous, first)
			}
			ambiguous = append(ambiguous, i)
		}
	}
	if !exact && len(ambiguous) > 0 {
		var b strings.Builder
		b.WriteString(t.prog + ": option '--" + body + "' is ambiguous; possibilities:")
		for _, i := range ambiguous {
			b.WriteString(" '--" + t.long[i].name + "'")
		}
		b.WriteString("\n")
		return o, 0, b.String()
	}
	if match == nil || name == "" {
		return o, 0, t.prog + ": unrecognized option '--" + body + "'\n"
	}
	o = scannedOpt{key: match.key, spelled: "--" + match.name}
	switch match.kind {
	case argNone:
		if hasValue {
			return o, 0, t.prog + ": option '--" + match.name + "' doesn't allow an argument\n"
		}
	case argOptional:
		o.arg, o.hasArg = value, hasValue
	case argRequired:
		switch {
		case hasValue:
			o.arg, o.hasArg = value, true
		case len(rest) > 0:
			o.arg, o.hasArg, used = rest[0], true, 1
		default:
			return o, 0, t.prog + ": option '--" + match.name + "' requires an argument\n"
		}
	}
	return o, used, ""
}

// scanShort handles one cluster of short options ("hj77" from "-hj77").
func (t *optTable) scanShort(cluster string, rest []string) (opts []scannedOpt, used int, msg string) {
	for j := 0; j < len(cluster); j++ {
		c := cluster[j]
		kind, ok := t.shortKind(c)
		if !ok {
			return opts, 0, t.prog + ": invalid option -- '" + string([]byte{c}) + "'\n"
		}
		o := scannedOpt{key: int(c), spelled: "-" + string([]byte{c})}
		tail := cluster[j+1:]
		switch kind {
		case argNone:
			opts = append(opts, o)
			continue
		case argOptional:
			if tail != "" {
				o.arg, o.hasArg = tail, true
			}
		case argRequired:
			switch {
			case tail != "":
				o.arg, o.hasArg = tail, true
			case len(rest) > 0:
				o.arg, o.hasArg, used = rest[0], true, 1
			default:
				return opts, 0, t.prog + ": option requires an argument -- '" + string([]byte{c}) + "'\n"
			}
		}
		opts = append(opts, o)
		return opts, used, ""
	}
	return opts, used, ""
}

// envLookup returns the value of name in env and whether it is set; the
// first definition wins, as with getenv.
func envLookup(env []string, name string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// splitNonEmpty splits s on sep and drops empty elements, like strtok.
func splitNonEmpty(s, sep string) []string {
	parts := strings.Split(s, sep)
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// UsageError is a command-line error after which Slurm prints a text on
// stdout (its usage summary) before the message on stderr. Unwrap gives
// the *Error with the stderr text and the exit code.
type UsageError struct {
	Stdout string
	Err    *Error
}

func (e *UsageError) Error() string { return e.Err.Msg }

// Unwrap returns the stderr message and exit code.
func (e *UsageError) Unwrap() error { return e.Err }

// SlurmVersionLine is what every Slurm 22.05.8 client prints for -V.
const SlurmVersionLine = "slurm-wlm 22.05.8\n"

// errStructuredOutput is the error for --json and --yaml, which Slurm
// 22.05 answers with its OpenAPI data parser: Sky Port does not produce
// that output, and says so rather than printing something else.
func errStructuredOutput(prog, option string) *Error {
	return Errorf(1, "%s: error: %s output is not supported by Sky Port", prog, option)
}
