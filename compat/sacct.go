package compat

import (
	"strings"
	"time"
)

// SacctJobSelector is one element of sacct -j: "45", "45_2", "45.batch".
// Task is -1 when no array task was given; Step is "" (the whole job),
// "batch", "extern", "interactive" or a step number.
type SacctJobSelector struct {
	JobID uint32 `json:"job_id"`
	Task  int64  `json:"task"`
	Step  string `json:"step,omitempty"`
	// None marks a selector that names no Sky Port job: a heterogeneous
	// job component ("45+0") or an id beyond 32 bits.
	None bool `json:"none,omitempty"`
}

// SacctColumn is one output column: a field name from sacct --helpformat
// (canonical spelling) and its width (negative: left-justified).
type SacctColumn struct {
	Name  string `json:"name"`
	Width int    `json:"width"`
}

// SacctOptions is a parsed sacct command line (with SACCT_FORMAT
// applied). It is plain data so that it can travel to the daemon, which
// may use the selection fields to pre-select candidates from its store;
// Sacct applies the same selection again, so passing more jobs is safe.
// For the list filters nil means "no filter".
type SacctOptions struct {
	Columns []SacctColumn `json:"columns"`
	// Parsable is 0 for aligned columns, 1 for -p (a delimiter after
	// every field) and 2 for -P (no delimiter after the last one).
	Parsable    int    `json:"parsable,omitempty"`
	Delimiter   string `json:"delimiter,omitempty"` // --delimiter; "" is "|"
	NoHeader    bool   `json:"no_header,omitempty"`
	Allocations bool   `json:"allocations,omitempty"` // -X: no step rows
	Duplicates  bool   `json:"duplicates,omitempty"`  // -D

	Jobs *[]SacctJobSelector `json:"jobs,omitempty"`
	// Start and End are the -S/-E window (zero when not set). Without -j
	// and -S, Start is midnight today, or now when -s is given; with -s
	// and no -E, End equals Start (Slurm 22.05's behaviour).
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// States are full state names (-s).
	States *[]string `json:"states,omitempty"`
	// AllUsers is -a (or -u -1, or implied by -j); Users the -u list.
	// When neither is set sacct shows the caller's jobs: see ForCaller.
	AllUsers   bool      `json:"all_users,omitempty"`
	Users      *[]uint32 `json:"users,omitempty"`
	Names      *[]string `json:"names,omitempty"`      // --name
	Partitions *[]string `json:"partitions,omitempty"` // -r
	Accounts   *[]string `json:"accounts,omitempty"`   // -A
	Groups     *[]string `json:"groups,omitempty"`     // -g: group names or gids
	QOS        *[]string `json:"qos,omitempty"`        // -q
	Nodes      *[]string `json:"nodes,omitempty"`      // -N, expanded: jobs that ran on any of them

	// Show, when set, is the whole output (--helpformat, --help, --usage,
	// -V): print it on stdout and exit 0.
	Show string `json:"show,omitempty"`
}

// ForCaller applies sacct's user rule for the calling user: root sees
// every user's jobs, others only their own, unless -a, -u or -j chose.
// The daemon calls it with the uid from the socket's peer credentials.
func (o *SacctOptions) ForCaller(uid uint32) {
	if o.AllUsers || o.Users != nil {
		return
	}
	if uid == 0 {
		o.AllUsers = true
		return
	}
	o.Users = &[]uint32{uid}
}

// Field lists of sacct 22.05 (sacct.h; -l as printed by sacct -l -P).
const (
	sacctDefaultFields = "jobid,jobname,partition,account,alloccpus,state,exitcode"
	sacctBriefFields   = "jobid,state,exitcode"
	sacctLongFields    = "jobid,jobidraw,jobname,partition,maxvmsize,maxvmsizenode,maxvmsizetask,avevmsize,maxrss,maxrssnode,maxrsstask,averss,maxpages,maxpagesnode,maxpagestask,avepages,mincpu,mincpunode,mincputask,avecpu,ntasks,alloccpus,elapsed,state,exitcode,avecpufreq,reqcpufreqmin,reqcpufreqmax,reqcpufreqgov,reqmem,consumedenergy,maxdiskread,maxdiskreadnode,maxdiskreadtask,avediskread,maxdiskwrite,maxdiskwritenode,maxdiskwritetask,avediskwrite,reqtres,alloctres,tresusageinave,tresusageinmax,tresusageinmaxnode,tresusageinmaxtask,tresusageinmin,tresusageinminnode,tresusageinmintask,tresusageintot,tresusageoutmax,tresusageoutmaxnode,tresusageoutmaxtask,tresusageoutave,tresusageouttot"
)

// sacctOpts is sacct 22.05's option table.
var sacctOpts = optTable{
	prog:  "sacct",
	short: "aA:bBcC:DeE:f:F:g:hi:I:j:k:K:lLM:nN:o:pPq:r:R:s:S:Ttu:UvVW:x:X",
	long: []longOpt{
		{"allusers", argNone, 'a'}, {"accounts", argRequired, 'A'}, {"allocations", argNone, 'X'},
		{"brief", argNone, 'b'}, {"batch-script", argNone, 'B'}, {"completion", argNone, 'c'},
		{"constraints", argRequired, 'C'}, {"delimiter", argRequired, 0x100}, {"duplicates", argNone, 'D'},
		{"env-vars", argNone, 0x108}, {"federation", argNone, 0x105}, {"helpformat", argNone, 'e'},
		{"help-fields", argNone, 'e'}, {"endtime", argRequired, 'E'}, {"file", argRequired, 'f'},
		{"flags", argRequired, 'F'}, {"gid", argRequired, 'g'}, {"group", argRequired, 'g'},
		{"help", argNone, 'h'}, {"json", argNone, 0x109}, {"local", argNone, 0x101},
		{"name", argRequired, 0x102}, {"nnodes", argRequired, 'i'}, {"ncpus", argRequired, 'I'},
		{"jobs", argRequired, 'j'}, {"timelimit-min", argRequired, 'k'}, {"timelimit-max", argRequired, 'K'},
		{"long", argNone, 'l'}, {"allclusters", argNone, 'L'}, {"cluster", argRequired, 'M'},
		{"clusters", argRequired, 'M'}, {"nodelist", argRequired, 'N'}, {"noconvert", argNone, 0x103},
		{"units", argRequired, 0x104}, {"noheader", argNone, 'n'}, {"fields", argRequired, 'o'},
		{"format", argRequired, 'o'}, {"parsable", argNone, 'p'}, {"parsable2", argNone, 'P'},
		{"qos", argRequired, 'q'}, {"partition", argRequired, 'r'}, {"reason", argRequired, 'R'},
		{"state", argRequired, 's'}, {"starttime", argRequired, 'S'}, {"truncate", argNone, 'T'},
		{"uid", argRequired, 'u'}, {"usage", argNone, 'U'}, {"user", argRequired, 'u'},
		{"verbose", argNone, 'v'}, {"version", argNone, 'V'}, {"wckeys", argRequired, 'W'},
		{"whole-hetjob", argOptional, 0x106}, {"associations", argRequired, 'x'}, {"yaml", argNone, 0x10a},
	},
}

// ParseSacctArgs parses sacct's command line (args without the program
// name) and SACCT_FORMAT as Slurm 22.05 does. Dates are read in now's
// location; lookupUser resolves user names and numeric uid strings.
// Errors are *Error values with Slurm's message and exit code ("sacct:
// error: Invalid field requested: \"Bogus\"", "sacct: fatal: Bad job/step
// specified: abc", "Invalid time specification (pos=0): garbage", ...).
func ParseSacctArgs(args, env []string, now time.Time, lookupUser func(string) (uint32, bool)) (SacctOptions, error) {
	var o SacctOptions
	var fieldList strings.Builder
	brief, long, help := false, false, ""
	opts, operands, usageMsg := sacctOpts.scan(args)
	for _, op := range opts {
		var err error
		switch op.key {
		case 'a':
			o.AllUsers = true
		case 'A':
			o.Accounts = appendNames(o.Accounts, op.arg)
		case 'b':
			brief = true
		case 'D':
			o.Duplicates = true
		case 'e':
			help = sacctHelpFormatText()
		case 'E':
			o.End, err = ParseSacctTime(op.arg, now)
		case 'g':
			o.Groups = appendNames(o.Groups, op.arg)
		case 'h':
			help = sacctHelpText
		case 'j':
			err = o.addJobs(op.arg)
		case 'l':
			long = true
		case 'n':
			o.NoHeader = true
		case 'o':
			fieldList.WriteString(op.arg + ",")
		case 'p':
			o.Parsable = 1
		case 'P':
			o.Parsable = 2
		case 'r':
			o.Partitions = appendNames(o.Partitions, op.arg)
		case 's':
			err = o.addStates(op.arg)
		case 'S':
			o.Start, err = ParseSacctTime(op.arg, now)
		case 'u':
			if op.arg == "-1" {
				o.AllUsers = true
				break
			}
			o.AllUsers = false
			err = o.addUsers(op.arg, lookupUser)
		case 'U':
			help = sacctUsageText
		case 'V':
			o.Show = SlurmVersionLine
			return o, nil
		case 'X', 't':
			o.Allocations = true
		case 0x100:
			o.Delimiter = op.arg
		case 0x102:
			o.Names = appendNames(o.Names, op.arg)
		case 'q':
			o.QOS = appendNames(o.QOS, op.arg)
		case 'N':
			o.Nodes = listPtr(expandHostlist(op.arg))
		case 0x109, 0x10a:
			err = errStructuredOutput("sacct", op.spelled)
		}
		if err != nil {
			return o, err
		}
	}
	if usageMsg != "" {
		return o, &Error{Msg: usageMsg, Code: 1}
	}
	if help != "" {
		o.Show = help
		return o, nil
	}
	if o.Start.IsZero() && o.Jobs == nil {
		o.Start = now
		if o.States == nil {
			y, m, d := now.Date()
			o.Start = time.Date(y, m, d, 0, 0, 0, 0, now.Location())
		}
	}
	if o.States != nil && o.End.IsZero() && !o.Start.IsZero() {
		o.End = o.Start
	}
	if o.Users == nil && (o.Jobs != nil || o.Nodes != nil) {
		o.AllUsers = true
	}
	if brief {
		fieldList.WriteString(sacctBriefFields + ",")
	}
	if long {
		fieldList.WriteString(sacctLongFields + ",")
	}
	if fieldList.Len() == 0 {
		if v, ok := envLookup(env, "SACCT_FORMAT"); ok {
			fieldList.WriteString(v + ",")
		} else {
			fieldList.WriteString(sacctDefaultFields + ",")
		}
	}
	cols, err := parseSacctFields(fieldList.String())
	if err != nil {
		return o, err
	}
	o.Columns = cols
	if len(operands) > 0 {
		var b strings.Builder
		b.WriteString("sacct: error: Unknown arguments:\n")
		for _, a := range operands {
			b.WriteString("sacct: error:  " + a + "\n")
		}
		return o, &Error{Msg: b.String(), Code: 1}
	}
	return o, nil
}
