package compat

import (
	"errors"
	"slices"
	"strings"
)

// MergeOptions gives the options of one submission: the command line (as
// ParseSbatchArgs returned it) over the SBATCH_* variables of env over the
// script's #SBATCH lines (directives, from ParseDirectives; nil for
// --wrap, whose script sbatch does not read for directives). This is
// sbatch 22.05's second pass, with its errors in its order: the
// directives' usage and value errors (an operand among them is "Invalid
// directive found in batch script: <word>", exit 255), then the
// variables', then the checks made on the merged result, then the other
// components of a heterogeneous job, which is then refused (exit 1):
// Sky Port runs single-component jobs. --help,
// --usage, --version, --wrap, -v and -Q count only on the command line.
//
// As in Slurm, --mem, --mem-per-cpu and --mem-per-gpu exclude each other
// when more than one comes from the command line and the #SBATCH lines
// together ("sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are
// mutually exclusive.", exit 1); one given there silences the others set
// by variables, whatever the usual precedence.
//
// A flag variable (SBATCH_HOLD-like: SBATCH_REQUEUE, SBATCH_WAIT, ...)
// is on when empty, "yes" (any case) or a non-zero number, as in Slurm.
// Given in the result lists every option set by any source.
func MergeOptions(cli SubmitOptions, env []string, directives []string) (SubmitOptions, error) {
	var o SubmitOptions
	fromEnv := map[string]bool{} // the last source of each option was a variable
	directives, others := splitHetJob(directives)
	next, err := scanSbatch(directives, func(f sbFound) error {
		if sbatchCLIOnly()[f.opt.key] {
			return nil
		}
		delete(fromEnv, f.opt.key)
		return applySbatch(&o, f.opt.key, f.val, f.hasVal)
	})
	if err != nil {
		return o, err
	}
	if next < len(directives) {
		return o, Errorf(255, "sbatch: error: Invalid directive found in batch script: %s", directives[next])
	}
	for _, v := range sbatchEnvVars {
		val, ok := lookupEnvVar(env, v.name)
		if !ok {
			continue
		}
		opt := sbatchByKey()[v.key]
		hasVal := true
		switch opt.arg {
		case sbNoArg:
			if !envFlagOn(val) {
				continue
			}
			val, hasVal = "", false
		case sbOptionalArg:
			hasVal = val != ""
		}
		if err := applySbatch(&o, v.key, val, hasVal); err != nil {
			return o, err
		}
		fromEnv[v.key] = true
	}
	for key := range cli.Given {
		copySbatchOption(&o, &cli, key)
		delete(fromEnv, key)
	}
	if err := checkMemoryOptions(&o, fromEnv); err != nil {
		return o, err
	}
	if o.CPUsPerTask < 0 {
		return o, Errorf(1, "sbatch: error: invalid number of cpus per task (-c %d)", o.CPUsPerTask)
	}
	if o.NTasks < 0 {
		return o, Errorf(1, "sbatch: error: invalid number of tasks (-n %d)", o.NTasks)
	}
	for _, comp := range others {
		// sbatch reads the other components' lines in later passes.
		var other SubmitOptions
		next, err := scanSbatch(comp, func(f sbFound) error {
			if sbatchCLIOnly()[f.opt.key] {
				return nil
			}
			return applySbatch(&other, f.opt.key, f.val, f.hasVal)
		})
		if err != nil {
			return o, err
		}
		if next < len(comp) {
			return o, Errorf(255, "sbatch: error: Invalid directive found in batch script: %s", comp[next])
		}
	}
	if len(others) > 0 {
		return o, hetJobError()
	}
	return o, nil
}

// splitHetJob splits directives at HetJobSeparator; components without
// options are dropped (a trailing "hetjob" makes no second component).
func splitHetJob(directives []string) (first []string, others [][]string) {
	i := slices.Index(directives, HetJobSeparator)
	if i < 0 {
		return directives, nil
	}
	first = directives[:i]
	for rest := directives[i+1:]; ; {
		j := slices.Index(rest, HetJobSeparator)
		if j < 0 {
			j = len(rest)
		}
		if j > 0 {
			others = append(others, rest[:j])
		}
		if j == len(rest) {
			return first, others
		}
		rest = rest[j+1:]
	}
}

// sbatchMemKeys are the memory options that exclude each other.
var sbatchMemKeys = []string{"mem", "mem-per-cpu", "mem-per-gpu"}

// checkMemoryOptions is Slurm's _validate_memory_options.
func checkMemoryOptions(o *SubmitOptions, fromEnv map[string]bool) error {
	var cli, env []string
	for _, k := range sbatchMemKeys {
		switch {
		case !o.Given[k]:
		case fromEnv[k]:
			env = append(env, k)
		default:
			cli = append(cli, k)
		}
	}
	switch {
	case len(cli) > 1:
		return Errorf(1, "sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.")
	case len(cli) == 1:
		for _, k := range env {
			resetSbatchOption(o, k)
		}
	case len(env) > 1:
		return Errorf(1, "sbatch: fatal: SLURM_MEM_PER_CPU, SLURM_MEM_PER_GPU, and SLURM_MEM_PER_NODE are mutually exclusive.")
	}
	return nil
}

// resetSbatchOption forgets option key.
func resetSbatchOption(o *SubmitOptions, key string) {
	var zero SubmitOptions
	copySbatchOption(o, &zero, key)
	delete(o.Given, key)
	delete(o.Extra, key)
}

// copySbatchOption copies option key from src to dst and marks it given.
func copySbatchOption(dst, src *SubmitOptions, key string) {
	switch key {
	case "job-name":
		dst.JobName = src.JobName
	case "output":
		dst.Output = src.Output
	case "error":
		dst.Error = src.Error
	case "input":
		dst.Input = src.Input
	case "chdir":
		dst.Chdir = src.Chdir
	case "partition":
		dst.Partition = src.Partition
	case "account":
		dst.Account = src.Account
	case "qos":
		dst.QOS = src.QOS
	case "comment":
		dst.Comment = src.Comment
	case "open-mode":
		dst.OpenMode = src.OpenMode
	case "time":
		dst.TimeLimit = src.TimeLimit
	case "cpus-per-task":
		dst.CPUsPerTask = src.CPUsPerTask
	case "ntasks":
		dst.NTasks = src.NTasks
	case "nodes":
		dst.MinNodes, dst.MaxNodes = src.MinNodes, src.MaxNodes
	case "mem":
		dst.MemMB = src.MemMB
	case "mem-per-cpu":
		dst.MemPerCPUMB = src.MemPerCPUMB
	case "export":
		dst.Export = src.Export
	case "parsable":
		dst.Parsable = src.Parsable
	case "hold":
		dst.Hold = src.Hold
	case "wrap":
		dst.Wrap = src.Wrap
	case "test-only":
		dst.TestOnly = src.TestOnly
	default:
		if v, ok := src.Extra[key]; ok {
			if dst.Extra == nil {
				dst.Extra = make(map[string]string)
			}
			dst.Extra[key] = v
		}
	}
	markGiven(dst, key)
}

// lookupEnvVar finds name in a "NAME=value" list as getenv does (the
// first entry wins).
func lookupEnvVar(env []string, name string) (string, bool) {
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// envFlagOn is how sbatch reads a flag variable: on when empty, "yes" in
// any case, or a non-zero number (C's atoi).
func envFlagOn(v string) bool {
	if v == "" || strings.EqualFold(v, "yes") {
		return true
	}
	n, _, _ := strtolC(v)
	return int32(n) != 0 //nolint:gosec // atoi's int
}

// isShow reports whether err is the marker of --help/--usage/--version.
func isShow(err error) bool { return errors.Is(err, errShow) }
