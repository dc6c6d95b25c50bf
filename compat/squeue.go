package compat

import (
	"strings"
	"time"
)

// JobSelector is one element of a -j list: a job id and, for "45_2", an
// array task (Task is -1 when none was given).
type JobSelector struct {
	JobID uint32 `json:"job_id"`
	Task  int64  `json:"task"`
}

// SqueueOptions is a parsed squeue command line (with its SQUEUE_*
// variables applied). It is plain data so that it can travel to the
// daemon; Squeue renders it. For the filters, nil means "no filter" and a
// non-nil, possibly empty list selects only the jobs matching one of its
// values (so "-u nosuchuser" selects nothing, as in Slurm).
type SqueueOptions struct {
	// Format is the -o spec (or SQUEUE_FORMAT); FormatLong the -O spec (or
	// SQUEUE_FORMAT2). Both empty means the default format.
	Format     string `json:"format,omitempty"`
	FormatLong string `json:"format_long,omitempty"`
	Long       bool   `json:"long,omitempty"`      // -l
	NoHeader   bool   `json:"no_header,omitempty"` // -h
	Array      bool   `json:"array,omitempty"`     // -r: one line per array task
	Start      bool   `json:"start,omitempty"`     // --start
	Steps      bool   `json:"steps,omitempty"`     // -s: list job steps
	// Sort is the -S spec (or SQUEUE_SORT); empty means "P,t,-p".
	Sort string `json:"sort,omitempty"`

	Jobs       *[]JobSelector `json:"jobs,omitempty"`
	Users      *[]uint32      `json:"users,omitempty"`
	Me         bool           `json:"me,omitempty"` // --me: only the caller's jobs
	States     *[]string      `json:"states,omitempty"`
	Partitions *[]string      `json:"partitions,omitempty"`
	Names      *[]string      `json:"names,omitempty"`
	Accounts   *[]string      `json:"accounts,omitempty"`
	QOS        *[]string      `json:"qos,omitempty"`
	Nodes      *[]string      `json:"nodes,omitempty"`
	// Reservation selects jobs of a reservation; Sky Port has none, so a
	// non-empty value selects nothing.
	Reservation string `json:"reservation,omitempty"`
	// Clusters is the -M/--clusters list. When it is set, a line
	// "CLUSTER: NAME" precedes the header (after -l's date line), NAME
	// being ClusterName, which the caller fills with the cluster's name
	// (else the -M value is printed).
	Clusters    string `json:"clusters,omitempty"`
	ClusterName string `json:"cluster_name,omitempty"`

	// Show, when set, is the whole output (--version, --help, --usage):
	// print it on stdout and exit 0 without asking the daemon.
	Show string `json:"show,omitempty"`
}

// Default squeue formats (from squeue -v on 22.05).
const (
	squeueDefaultFormat = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
	squeueLongFormat    = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
	squeueStartFormat   = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R"
	squeueStepsFormat   = "%.15i %.8j %.9P %.8u %.9M %N"
)

// squeueOpts is squeue 22.05's option table.
var squeueOpts = optTable{
	prog:  "squeue",
	short: "A:ahi:j::lL:n:M:O:o:p:Pq:R:rs::S:t:u:U:vVw:",
	long: []longOpt{
		{"accounts", argRequired, 'A'}, {"all", argNone, 'a'}, {"array", argNone, 'r'},
		{"array-unique", argNone, 0x105}, {"Format", argRequired, 'O'}, {"format", argRequired, 'o'},
		{"federation", argNone, 0x108}, {"help", argNone, 0x100}, {"hide", argNone, 0x102},
		{"iterate", argRequired, 'i'}, {"jobs", argOptional, 'j'}, {"json", argNone, 0x10a}, {"local", argNone, 0x106},
		{"long", argNone, 'l'}, {"licenses", argRequired, 'L'}, {"cluster", argRequired, 'M'},
		{"clusters", argRequired, 'M'}, {"me", argNone, 0x109}, {"name", argRequired, 'n'},
		{"noconvert", argNone, 0x104}, {"node", argRequired, 'w'}, {"nodes", argRequired, 'w'},
		{"nodelist", argRequired, 'w'}, {"noheader", argNone, 'h'}, {"partitions", argRequired, 'p'},
		{"priority", argNone, 'P'}, {"qos", argRequired, 'q'}, {"reservation", argRequired, 'R'},
		{"sib", argNone, 0x107}, {"sibling", argNone, 0x107}, {"sort", argRequired, 'S'},
		{"start", argNone, 0x103}, {"steps", argOptional, 's'}, {"states", argRequired, 't'},
		{"usage", argNone, 0x101}, {"user", argRequired, 'u'}, {"users", argRequired, 'u'},
		{"verbose", argNone, 'v'}, {"version", argNone, 'V'}, {"yaml", argNone, 0x10b},
	},
}

// ParseSqueueArgs parses squeue's command line (args without the program
// name) and its SQUEUE_* variables (SQUEUE_FORMAT, SQUEUE_FORMAT2,
// SQUEUE_SORT, SQUEUE_STATES, SQUEUE_USERS, SQUEUE_PARTITION,
// SQUEUE_NAMES, SQUEUE_ACCOUNT, SQUEUE_QOS, SQUEUE_ARRAY) as Slurm 22.05
// does. lookupUser resolves a user name or a numeric uid string.
//
// warnings is text for stderr that does not change the exit status (an
// unknown user, an invalid format letter). err is an *Error (or a
// *UsageError, which also carries stdout text) with Slurm's message and
// exit code.
func ParseSqueueArgs(args, env []string, now time.Time, lookupUser func(string) (uint32, bool)) (SqueueOptions, string, error) {
	_ = now
	var o SqueueOptions
	var warn strings.Builder
	if _, ok := envLookup(env, "SQUEUE_ARRAY"); ok {
		o.Array = true
	}
	if v, ok := envLookup(env, "SQUEUE_SORT"); ok {
		o.Sort = v
	}
	overrideEnvFormat := false
	jobFlag, formatSet, formatLongSet := false, false, false
	opts, operands, usageMsg := squeueOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'A', 'U':
			o.Accounts = listPtr(splitNonEmpty(op.arg, ","))
		case 'h':
			o.NoHeader = true
		case 'i':
			if n, _ := cStrtol(op.arg); n <= 0 {
				return o, warn.String(), Errorf(1, "squeue: error: --iterate=%s\n\n", op.arg)
			}
		case 'j':
			if op.hasArg {
				jobs, err := parseSqueueJobList(op.arg)
				if err != nil {
					return o, warn.String(), err
				}
				o.Jobs = &jobs
			}
			jobFlag = true
		case 'l':
			o.Long = true
			overrideEnvFormat = true
		case 'M':
			o.Clusters = op.arg
		case 'L', 'a', 'P', 'v', 0x102, 0x104, 0x105, 0x106, 0x107, 0x108:
			// Accepted; one local cluster, no licenses, no federation.
		case 'n':
			o.Names = listPtr(splitNonEmpty(op.arg, ","))
		case 'O':
			if formatSet {
				return o, warn.String(), Errorf(1, "squeue: error: -O (--Format) is incompatible with -o (--format)")
			}
			o.FormatLong, formatLongSet, overrideEnvFormat = op.arg, true, true
		case 'o':
			if formatLongSet {
				return o, warn.String(), Errorf(1, "squeue: error: -o (--format) is incompatible with -O (--Format)")
			}
			o.Format, formatSet, overrideEnvFormat = op.arg, true, true
		case 'p':
			o.Partitions = listPtr(splitNonEmpty(op.arg, ","))
		case 'q':
			o.QOS = listPtr(splitNonEmpty(op.arg, ","))
		case 'R':
			o.Reservation = op.arg
		case 'r':
			o.Array = true
		case 's':
			o.Steps = true
			overrideEnvFormat = true
		case 'S':
			o.Sort = op.arg
		case 't':
			states, err := parseSqueueStates(op.arg)
			if err != nil {
				return o, warn.String(), err
			}
			o.States = &states
		case 'u':
			o.Users = listPtr(parseSqueueUsers(op.arg, lookupUser, &warn))
			o.Me = false
		case 'V':
			o.Show = SlurmVersionLine
			return o, warn.String(), nil
		case 'w':
			o.Nodes = listPtr(splitNonEmpty(op.arg, ","))
		case 0x100:
			o.Show = squeueHelpText
			return o, warn.String(), nil
		case 0x101:
			o.Show = squeueUsageText
			return o, warn.String(), nil
		case 0x103:
			o.Start = true
			overrideEnvFormat = true
		case 0x109:
			o.Users, o.Me = nil, true
		case 0x10a, 0x10b:
			return o, warn.String(), errStructuredOutput("squeue", op.spelled)
		}
	}
	if usageMsg != "" {
		return o, warn.String(), Errorf(1, "%sTry \"squeue --help\" for more information", usageMsg)
	}
	if o.Long && formatSet {
		return o, warn.String(), Errorf(1, "squeue: fatal: Options -o(--format) and -l(--long) are mutually exclusive. Please remove one and retry.")
	}
	if !overrideEnvFormat {
		if v, ok := envLookup(env, "SQUEUE_FORMAT"); ok {
			o.Format = v
		} else if v, ok := envLookup(env, "SQUEUE_FORMAT2"); ok {
			o.FormatLong = v
		}
	}
	if len(operands) > 0 {
		if jobFlag {
			jobs, err := parseSqueueJobList(operands[0])
			if err != nil {
				return o, warn.String(), err
			}
			o.Jobs = &jobs
			operands = operands[1:]
		} else if o.Steps {
			operands = operands[1:]
		}
		if len(operands) > 0 {
			return o, warn.String(), &UsageError{
				Stdout: squeueUsageText,
				Err:    Errorf(1, "squeue: error: Unrecognized option: %s", operands[0]),
			}
		}
	}
	if v, ok := envLookup(env, "SQUEUE_ACCOUNT"); ok && o.Accounts == nil {
		o.Accounts = listPtr(splitNonEmpty(v, ","))
	}
	if v, ok := envLookup(env, "SQUEUE_NAMES"); ok && o.Names == nil {
		o.Names = listPtr(splitNonEmpty(v, ","))
	}
	if v, ok := envLookup(env, "SQUEUE_PARTITION"); ok && o.Partitions == nil {
		o.Partitions = listPtr(splitNonEmpty(v, ","))
	}
	if v, ok := envLookup(env, "SQUEUE_QOS"); ok && o.QOS == nil {
		o.QOS = listPtr(splitNonEmpty(v, ","))
	}
	if v, ok := envLookup(env, "SQUEUE_STATES"); ok && o.States == nil {
		states, err := parseSqueueStates(v)
		if err != nil {
			return o, warn.String(), err
		}
		o.States = &states
	}
	if v, ok := envLookup(env, "SQUEUE_USERS"); ok && o.Users == nil && !o.Me {
		o.Users = listPtr(parseSqueueUsers(v, lookupUser, &warn))
	}
	if o.Start && !o.Steps {
		if o.Format == "" && o.FormatLong == "" {
			o.Format = squeueStartFormat
		}
		if o.Sort == "" {
			o.Sort = "S"
		}
		if o.States == nil {
			o.States = &[]string{"PENDING"}
		}
	}
	_, bad := o.compileFormat()
	for _, letter := range bad {
		warn.WriteString("squeue: error: Invalid job format specification: " + letter + "\n")
	}
	return o, warn.String(), nil
}

// listPtr returns a pointer to s, never nil (an empty list is a filter).
func listPtr[T any](s []T) *[]T {
	if s == nil {
		s = []T{}
	}
	return &s
}

// parseSqueueJobList parses a -j list: "40,41", "45_2". Like strtol, each
// id may have leading blanks and trailing junk; an id that is not
// positive is an error.
func parseSqueueJobList(s string) ([]JobSelector, error) {
	jobs := []JobSelector{}
	for _, tok := range splitNonEmpty(s, ",") {
		id, rest := cStrtol(tok)
		sel := JobSelector{JobID: uint32(id), Task: -1}
		if strings.HasPrefix(rest, "_") {
			t, _ := cStrtol(rest[1:])
			sel.Task = t
		}
		if id <= 0 || id > 0xffffffff {
			return nil, Errorf(1, "squeue: error: Invalid job id: %s", tok)
		}
		jobs = append(jobs, sel)
	}
	return jobs, nil
}

// parseSqueueStates parses a -t list into full state names; "all" (alone,
// any case) selects every state.
func parseSqueueStates(s string) ([]string, error) {
	if strings.EqualFold(s, "all") {
		all := make([]string, len(jobStates))
		for i, st := range jobStates {
			all[i] = st.name
		}
		return all, nil
	}
	states := []string{}
	for _, tok := range splitNonEmpty(s, ",") {
		name, ok := ParseJobState(tok)
		if !ok {
			return nil, Errorf(1, "squeue: error: Invalid job state specified: %s\nsqueue: error: Valid job states include: %s\n\n",
				tok, validJobStatesList())
		}
		states = append(states, name)
	}
	return states, nil
}

// parseSqueueUsers resolves a -u list; unknown users are reported on warn
// (with Slurm's extra blank line) and skipped.
func parseSqueueUsers(s string, lookupUser func(string) (uint32, bool), warn *strings.Builder) []uint32 {
	uids := []uint32{}
	for _, name := range splitNonEmpty(s, ",") {
		uid, ok := uint32(0), false
		if lookupUser != nil {
			uid, ok = lookupUser(name)
		}
		if !ok {
			warn.WriteString("squeue: error: Invalid user: " + name + "\n\n")
			continue
		}
		uids = append(uids, uid)
	}
	return uids
}

// compileFormat returns the columns to print and the invalid letters or
// names of the format.
func (o *SqueueOptions) compileFormat() ([]fmtItem, []string) {
	switch {
	case o.Steps:
		return parsePercentFormat(squeueStepsFormat, squeueLetter, "")
	case o.FormatLong != "":
		return parseLongFormat(o.FormatLong, squeueLongName)
	case o.Format != "":
		return parsePercentFormat(o.Format, squeueLetter, "")
	case o.Long:
		return parsePercentFormat(squeueLongFormat, squeueLetter, "")
	}
	return parsePercentFormat(squeueDefaultFormat, squeueLetter, "")
}
