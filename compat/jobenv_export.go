package compat

import (
	"slices"
	"strings"
)

// hostOnlyVar reports whether a submitter's variable belongs to its
// session or host and is not replayed into a job: a stale SLURM_*, the X
// display, SSH agent and connection, XDG session and D-Bus variables.
func hostOnlyVar(name string) bool {
	return name == "DISPLAY" || strings.HasPrefix(name, "SLURM_") ||
		strings.HasPrefix(name, "SSH_") || strings.HasPrefix(name, "XDG_") ||
		strings.HasPrefix(name, "DBUS_")
}

// ExportEnv returns the environment a batch job starts from, before
// MergeEnv adds JobEnv's variables, following sbatch --export (pass
// opts.Export; "" and "ALL" are the default, and an empty --export= given
// on the command line behaves as "NONE"):
//
//   - ALL replays the submitter's environment (submitEnv);
//   - NONE starts from the user's login environment (loginEnv, called
//     only then; nil gives none), as Slurm's --get-user-env does;
//   - a list ("FOO=bar,MYVAR", "ALL,FOO=bar") starts from the login
//     environment, or from login then submit environment when it names
//     ALL, and adds each NAME=value and each named variable of submitEnv.
//
// Precedence, lowest first: login environment, the replayed submitter's
// environment, the list's variables; MergeEnv then puts JobEnv's
// variables over all of them. Unlike Slurm, the replay leaves out the
// submitter's host-bound variables (DISPLAY, SSH_*, XDG_*, DBUS_*) and any
// SLURM_* it had (Slurm passes those on, so a job submitted from inside
// another job saw stale values); a variable named in the list is always
// passed. Quotes group a list entry as in Slurm (`FOO="a,b"` sets FOO to
// `"a,b"`; a wholly quoted entry loses its quotes); see CheckExport for a
// malformed list.
func ExportEnv(submitEnv []string, export string, loginEnv func() []string) []string {
	if export == "" || strings.EqualFold(export, "ALL") {
		return replayEnv(nil, submitEnv)
	}
	var env []string
	if loginEnv != nil {
		env = setEnvVars(nil, loginEnv())
	}
	if strings.EqualFold(export, "NONE") {
		return env
	}
	toks, _ := exportTokens(export)
	if slices.ContainsFunc(toks, func(t string) bool { return strings.EqualFold(t, "ALL") }) {
		env = replayEnv(env, submitEnv)
	}
	for _, t := range toks {
		switch {
		case strings.Contains(t, "="):
			env = setEnvVars(env, []string{t})
		case strings.EqualFold(t, "ALL") || strings.EqualFold(t, "NONE"):
		default:
			if v, ok := lookupEnvVar(submitEnv, t); ok {
				env = setEnvVars(env, []string{t + "=" + v})
			}
		}
	}
	return env
}

// CheckExport returns what sbatch prints on stderr for a malformed
// --export list (a quote left open: "sbatch: error: Improperly formed
// environment variable (FOO="a)"), or "" when there is nothing to say.
// sbatch still submits the job and exits 0; ExportEnv then takes the rest
// of the list from the open quote on as one entry, as Slurm does.
func CheckExport(export string) string {
	if strings.EqualFold(export, "ALL") || strings.EqualFold(export, "NONE") {
		return ""
	}
	if _, bad := exportTokens(export); bad != "" {
		return "sbatch: error: Improperly formed environment variable (" + bad + ")\n"
	}
	return ""
}

// exportTokens splits an --export list at commas outside quotes, as
// Slurm's find_quote_token: an entry wholly inside one kind of quotes
// loses them; from an unclosed quote on, the rest is one entry, also
// returned as bad.
func exportTokens(s string) (toks []string, bad string) {
	for s != "" {
		single, double := false, false
		i := 0
	scan:
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\'':
				single = !single
			case c == '"':
				double = !double
			case c == ',' && !single && !double:
				break scan
			}
		}
		if single || double {
			return append(toks, s), s
		}
		tok := s[:i]
		if len(tok) >= 2 && (tok[0] == '\'' || tok[0] == '"') && tok[len(tok)-1] == tok[0] {
			tok = tok[1 : len(tok)-1]
		}
		toks = append(toks, tok)
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return toks, ""
}

// replayEnv sets the submitter's variables, less the host-bound ones, on env.
func replayEnv(env, submitEnv []string) []string {
	keep := make([]string, 0, len(submitEnv))
	for _, e := range submitEnv {
		if k, _, ok := strings.Cut(e, "="); ok && k != "" && !hostOnlyVar(k) {
			keep = append(keep, e)
		}
	}
	return setEnvVars(env, keep)
}

// setEnvVars sets each "NAME=value" of vars on env, replacing an existing
// NAME in place and appending new ones; entries without a name are skipped.
func setEnvVars(env, vars []string) []string {
	index := make(map[string]int, len(env))
	for i, e := range env {
		k, _, _ := strings.Cut(e, "=")
		index[k] = i
	}
	for _, e := range vars {
		k, _, ok := strings.Cut(e, "=")
		if !ok || k == "" {
			continue
		}
		if i, ok := index[k]; ok {
			env[i] = e
			continue
		}
		index[k] = len(env)
		env = append(env, e)
	}
	return env
}

// MergeEnv is the environment a batch job's script starts with: exported
// (from ExportEnv) with job (from JobEnv) set over it, and TMPDIR=/tmp
// added when neither has TMPDIR, as slurmd does.
func MergeEnv(exported, job []string) []string {
	env := setEnvVars(slices.Clone(exported), job)
	if _, ok := lookupEnvVar(env, "TMPDIR"); !ok {
		env = append(env, "TMPDIR=/tmp")
	}
	return env
}
