package compat

import (
	"strings"
)

// kwMatch is Slurm's xstrncasecmp(tag, name, MAX(strlen(tag), least)) ==
// 0: tag is a case-insensitive prefix of name, at least least bytes long.
func kwMatch(tag, name string, least int) bool {
	return len(tag) >= least && len(tag) <= len(name) && strings.EqualFold(tag, name[:len(tag)])
}

// kwPrefix is xstrncasecmp(tag, name, strlen(name)) == 0: tag starts with
// name (any case).
func kwPrefix(tag, name string) bool {
	return len(tag) >= len(name) && strings.EqualFold(tag[:len(name)], name)
}

// quietError is err's message unless -Q silences it (exit code kept).
func (r *ScontrolRequest) quietError(code int, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	if r.Quiet {
		e.Msg = ""
	}
	return e
}

// unsupportedKeyword is the error for a keyword Slurm knows but Sky Port
// does not implement.
func unsupportedKeyword(tag string) *Error {
	return Errorf(1, "scontrol: error: %s is not supported by Sky Port", tag)
}

// ParseScontrolCommand parses one scontrol command (words[0] is the
// keyword) with the flags of base, as the command line or an interactive
// line gives it. Keywords are matched as Slurm does: in any case and by
// the unique prefixes scontrol accepts ("sho", "rel", "u", "requeueholdX").
func ParseScontrolCommand(words []string, base ScontrolRequest, env []string) (ScontrolRequest, error) {
	r := base
	r.Command, r.Show, r.ShowErr, r.ShowCode = "", "", "", 0
	if len(words) == 0 {
		return r, &Error{Code: 1} // an empty interactive line: silent, exit status 1
	}
	tag := words[0]
	argc := len(words)
	tooMany := func() *Error { return Errorf(1, "too many arguments for keyword:%s", tag) }
	switch {
	case kwMatch(tag, "abort", 5):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "all", 2):
		r.Command, r.All = ScontrolCmdSet, true
	case kwMatch(tag, "cancel_reboot", 3), kwMatch(tag, "completing", 2), kwMatch(tag, "cluster", 2),
		kwMatch(tag, "create", 2):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "details", 1):
		if argc > 1 {
			return r, tooMany()
		}
		r.Command, r.Details = ScontrolCmdSet, 1
	case kwMatch(tag, "errnumstr", 2), kwMatch(tag, "errnostr", 2):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "exit", 2):
		r.Command = ScontrolCmdExit
		if argc > 1 {
			return r, tooMany()
		}
	case kwMatch(tag, "gethost", 7):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "help", 2):
		r.Command, r.Show = ScontrolCmdSet, scontrolHelpText
		if argc > 1 {
			return r, &UsageError{Stdout: scontrolHelpText, Err: tooMany()}
		}
	case kwMatch(tag, "hide", 2):
		r.Command, r.All, r.Details = ScontrolCmdSet, false, 0
	case kwMatch(tag, "oneliner", 1):
		if argc > 1 {
			return r, tooMany()
		}
		r.Command, r.OneLiner = ScontrolCmdSet, true
	case kwMatch(tag, "pidinfo", 3):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "ping", 3):
		if argc > 1 {
			return r, tooMany()
		}
		r.Command = ScontrolCmdPing
	case kwPrefix(tag, `\q`), kwMatch(tag, "quiet", 4):
		if argc > 1 {
			return r, tooMany()
		}
		r.Command, r.Quiet = ScontrolCmdSet, true
	case kwMatch(tag, "quit", 4):
		r.Command = ScontrolCmdExit
		if argc > 1 {
			return r, tooMany()
		}
	case kwMatch(tag, "reboot_nodes", 3), kwMatch(tag, "reconfigure", 3):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "requeue", 3):
		return parseScontrolJobCommand(r, ScontrolCmdRequeue, words)
	case kwPrefix(tag, "requeuehold"):
		return parseScontrolJobCommand(r, ScontrolCmdRequeueHold, words)
	case kwPrefix(tag, "hold"), kwPrefix(tag, "uhold"), kwMatch(tag, "release", 3):
		cmd := ScontrolCmdRelease
		switch {
		case kwPrefix(tag, "holdu"), kwPrefix(tag, "uhold"):
			cmd = ScontrolCmdUHold
		case kwPrefix(tag, "hold"):
			cmd = ScontrolCmdHold
		}
		return parseScontrolJobCommand(r, cmd, words)
	case kwMatch(tag, "suspend", 2):
		return parseScontrolJobCommand(r, ScontrolCmdSuspend, words)
	case kwMatch(tag, "resume", 3):
		return parseScontrolJobCommand(r, ScontrolCmdResume, words)
	case kwMatch(tag, "top", 3), kwMatch(tag, "token", 3), kwMatch(tag, "wait_job", 2),
		kwMatch(tag, "setdebugflags", 9), kwMatch(tag, "fsdampeningfactor", 3),
		kwMatch(tag, "fairsharedampeningfactor", 3), kwMatch(tag, "setdebug", 2),
		kwMatch(tag, "schedloglevel", 3):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "show", 3):
		return parseScontrolShow(r, words, env)
	case kwMatch(tag, "write", 5):
		return parseScontrolWrite(r, words)
	case kwMatch(tag, "takeover", 8), kwMatch(tag, "shutdown", 8):
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "update", 1):
		if argc < 2 {
			return r, Errorf(1, "too few arguments for %s keyword", tag)
		}
		return parseScontrolUpdate(r, words[1:])
	case kwMatch(tag, "delete", 1):
		if argc < 2 {
			return r, Errorf(1, "too few arguments for %s keyword", tag)
		}
		return r, unsupportedKeyword(tag)
	case kwMatch(tag, "verbose", 4):
		r.Command, r.Verbose = ScontrolCmdSet, max(r.Verbose, 1)
		if argc > 1 {
			return r, Errorf(1, "too many arguments for %s keyword", tag)
		}
	case kwMatch(tag, "version", 4):
		r.Command, r.Show = ScontrolCmdSet, scontrolVersionText(r)
		if argc > 1 {
			r.ShowErr, r.ShowCode = "too many arguments for "+tag+" keyword\n", 1
		}
	case kwMatch(tag, "listpids", 1), kwMatch(tag, "getent", 6), kwMatch(tag, "notify", 1),
		kwMatch(tag, "callerid", 3):
		return r, unsupportedKeyword(tag)
	default:
		return r, Errorf(1, "invalid keyword: %s", tag)
	}
	return r, nil
}

// parseScontrolWrite parses "write batch_script ID [FILE]" ("write
// config" is not supported).
func parseScontrolWrite(r ScontrolRequest, words []string) (ScontrolRequest, error) {
	tag := words[0]
	if len(words) < 2 {
		return r, Errorf(1, "too few arguments for keyword:%s", tag)
	}
	switch {
	case kwMatch(words[1], "batch_script", 5):
		if len(words) > 4 {
			return r, Errorf(1, "too many arguments for keyword:%s", tag)
		}
		r.Command = ScontrolCmdWriteScript
		if len(words) < 3 {
			return r, nil // Slurm does nothing and exits 0
		}
		// atoll, then C's (uint32_t) conversion.
		id, _, _ := strtolC(words[2])
		r.ScriptJob, r.HasScriptJob = uint32(id), true //nolint:gosec // C's conversion
		r.ScriptFile = "slurm-" + itoa(int64(r.ScriptJob)) + ".sh"
		if len(words) > 3 {
			r.ScriptFile = words[3]
		}
		return r, nil
	case kwMatch(words[1], "config", 6):
		return r, unsupportedKeyword(tag + " " + words[1])
	}
	return r, Errorf(1, "invalid write argument:%s", words[1])
}

// ScontrolSplitLine splits one line typed in interactive mode into words
// as scontrol does: at white space outside single or double quotes. The
// quotes themselves stay in the words, as in Slurm.
func ScontrolSplitLine(line string) []string {
	var words []string
	for i := 0; i < len(line); i++ {
		if isCSpace(line[i]) {
			continue
		}
		start := i
		dq, sq := false, false
		for i++; i < len(line); i++ {
			c := line[i]
			switch c {
			case '"':
				dq = !dq
				continue
			case '\'':
				sq = !sq
				continue
			}
			if dq || sq {
				continue
			}
			if isCSpace(c) {
				break
			}
		}
		words = append(words, line[start:i])
	}
	return words
}
