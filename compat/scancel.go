package compat

import (
	"strings"
)

// ScancelTarget is one job named on scancel's command line. Spec is the
// text as the user gave it (after splitting comma lists), which is what
// "scancel -v" echoes. Tasks lists the array tasks named ("57_2",
// "57_[4-5]"), nil for none; Step is -1 when no step was named.
type ScancelTarget struct {
	Spec  string  `json:"spec"`
	JobID uint32  `json:"job_id"`
	Tasks []int64 `json:"tasks,omitempty"`
	Step  int64   `json:"step"`
	// AllTasks is "57_*": every task of the array.
	AllTasks bool `json:"all_tasks,omitempty"`
}

// ScancelOptions is a parsed scancel command line (with SCANCEL_*
// variables applied): plain data for the daemon, which does the
// cancelling. Filters that are empty do not restrict.
type ScancelOptions struct {
	Targets []ScancelTarget `json:"targets,omitempty"`

	// Signal is the signal to send (-s), 0 for a plain cancel.
	Signal      int    `json:"signal,omitempty"`
	Batch       bool   `json:"batch,omitempty"` // -b: signal only the batch shell
	Full        bool   `json:"full,omitempty"`  // -f: batch shell and all steps
	Interactive bool   `json:"interactive,omitempty"`
	Hurry       bool   `json:"hurry,omitempty"`
	Name        string `json:"name,omitempty"`      // -n
	Partition   string `json:"partition,omitempty"` // -p
	Account     string `json:"account,omitempty"`   // -A (lower-cased, as Slurm)
	QOS         string `json:"qos,omitempty"`       // -q (lower-cased, as Slurm)
	Reservation string `json:"reservation,omitempty"`
	Nodelist    string `json:"nodelist,omitempty"` // -w
	WCKey       string `json:"wckey,omitempty"`
	// State is the -t filter: "PENDING", "RUNNING" or "SUSPENDED" (any
	// state name is accepted, as Slurm does), "" for none.
	State string `json:"state,omitempty"`
	// User is -u as given; UID its uid, valid when User != "". Me is
	// --me: the daemon uses the caller's uid (the last of -u and --me wins).
	User string `json:"user,omitempty"`
	UID  uint32 `json:"uid,omitempty"`
	Me   bool   `json:"me,omitempty"`
	// Verbose is the -v count; -Q makes it -1 (quiet).
	Verbose int `json:"verbose,omitempty"`
	// Clusters is -M as given (Sky Port has one cluster).
	Clusters string `json:"clusters,omitempty"`

	// Show, when set, is the whole output (--version, --help, --usage).
	Show string `json:"show,omitempty"`
}

// scancelOpts is scancel 22.05's option table.
var scancelOpts = optTable{
	prog:  "scancel",
	short: "A:bfHiM:n:p:Qq:R:s:t:u:vVw:",
	long: []longOpt{
		{"account", argRequired, 'A'}, {"batch", argNone, 'b'}, {"ctld", argNone, 0x102},
		{"full", argNone, 'f'}, {"help", argNone, 0x100}, {"hurry", argNone, 'H'},
		{"interactive", argNone, 'i'}, {"cluster", argRequired, 'M'}, {"clusters", argRequired, 'M'},
		{"jobname", argRequired, 'n'}, {"me", argNone, 0x105}, {"name", argRequired, 'n'},
		{"nodelist", argRequired, 'w'}, {"partition", argRequired, 'p'}, {"qos", argRequired, 'q'},
		{"quiet", argNone, 'Q'}, {"reservation", argRequired, 'R'}, {"sibling", argRequired, 0x104},
		{"signal", argRequired, 's'}, {"state", argRequired, 't'}, {"usage", argNone, 0x101},
		{"user", argRequired, 'u'}, {"verbose", argNone, 'v'}, {"version", argNone, 'V'},
		{"wckey", argRequired, 0x103},
	},
}

// signalNames are the names scancel -s accepts (with or without "SIG", in
// any case), from Slurm's sig_name2num.
var signalNames = []struct {
	name string
	num  int
}{
	{"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"ABRT", 6}, {"KILL", 9}, {"ALRM", 14},
	{"TERM", 15}, {"USR1", 10}, {"USR2", 12}, {"URG", 23}, {"CONT", 18}, {"STOP", 19},
	{"TSTP", 20}, {"TTIN", 21}, {"TTOU", 22}, {"XCPU", 24},
}

// ParseSignal converts a signal as scancel -s takes it ("USR1", "SIGUSR1",
// "usr1", "10") to its number; 0 means not a signal.
func ParseSignal(s string) int {
	if n, rest := cStrtol(s); rest != s {
		if strings.TrimLeft(rest, " \t\n\v\f\r") == "" {
			return int(n)
		}
		return 0
	}
	name := strings.TrimLeft(s, " \t\n\v\f\r")
	if hasFoldPrefix(name, "SIG") {
		name = name[3:]
	}
	for _, sig := range signalNames {
		if hasFoldPrefix(name, sig.name) && strings.TrimSpace(name[len(sig.name):]) == "" {
			return sig.num
		}
	}
	return 0
}

// ParseScancelArgs parses scancel's command line (args without the
// program name) and its SCANCEL_* variables (SCANCEL_ACCOUNT,
// SCANCEL_BATCH, SCANCEL_FULL, SCANCEL_HURRY, SCANCEL_INTERACTIVE,
// SCANCEL_NAME, SCANCEL_PARTITION, SCANCEL_QOS, SCANCEL_STATE,
// SCANCEL_USER, SCANCEL_VERBOSE, SCANCEL_WCKEY) as Slurm 22.05 does.
// lookupUser resolves a user name or numeric uid string. Errors are *Error values with Slurm's text and exit code
// ("scancel: error: No job identification provided", "scancel: error:
// Invalid job id abc", "scancel: invalid option -- '1'" with its Try line,
// "scancel: error: Invalid user name: nosuchuser").
func ParseScancelArgs(args, env []string, lookupUser func(string) (uint32, bool)) (ScancelOptions, error) {
	var o ScancelOptions
	if err := o.applyEnv(env); err != nil {
		return o, err
	}
	opts, operands, usageMsg := scancelOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'A':
			o.Account = strings.ToLower(op.arg)
		case 'b':
			o.Batch = true
		case 'f':
			o.Full = true
		case 'H':
			o.Hurry = true
		case 'i':
			o.Interactive = true
		case 'M':
			o.Clusters = op.arg
		case 0x105:
			o.User, o.Me = "", true
		case 'n':
			o.Name = op.arg
		case 'p':
			o.Partition = op.arg
		case 'Q':
			o.Verbose = -1
		case 'q':
			o.QOS = strings.ToLower(op.arg)
		case 'R':
			o.Reservation = op.arg
		case 's':
			if o.Signal = ParseSignal(op.arg); o.Signal == 0 {
				return o, &Error{Msg: "Unknown job signal: " + op.arg + "\n", Code: 1}
			}
		case 't':
			st, ok := ParseJobState(op.arg)
			if !ok {
				return o, &Error{Msg: "Invalid job state specified: " + op.arg +
					"\nValid job states are PENDING, RUNNING, and SUSPENDED\n", Code: 1}
			}
			o.State = st
		case 'u':
			o.User, o.Me = op.arg, false
		case 'v':
			o.Verbose++
		case 'V':
			o.Show = SlurmVersionLine
			return o, nil
		case 'w':
			o.Nodelist = op.arg
		case 0x103:
			o.WCKey = op.arg
		case 0x100:
			o.Show = scancelHelpText
			return o, nil
		case 0x101:
			o.Show = scancelUsageText
			return o, nil
		}
	}
	if usageMsg != "" {
		return o, Errorf(1, "%sTry \"scancel --help\" for more information", usageMsg)
	}
	targets, err := parseScancelTargets(operands)
	if err != nil {
		return o, err
	}
	o.Targets = targets
	if o.User != "" {
		uid, ok := uint32(0), false
		if lookupUser != nil {
			uid, ok = lookupUser(o.User)
		}
		if !ok {
			return o, Errorf(1, "scancel: error: Invalid user name: %s", o.User)
		}
		o.UID = uid
	}
	if o.Account == "" && len(o.Targets) == 0 && o.Name == "" && o.Nodelist == "" &&
		o.Partition == "" && o.QOS == "" && o.Reservation == "" && o.State == "" &&
		o.User == "" && !o.Me && o.WCKey == "" {
		return o, Errorf(1, "scancel: error: No job identification provided")
	}
	return o, nil
}

// applyEnv applies the SCANCEL_* variables.
func (o *ScancelOptions) applyEnv(env []string) error {
	boolVar := func(name string, dst *bool) {
		v, ok := envLookup(env, name)
		if !ok {
			return
		}
		switch {
		case strings.EqualFold(v, "true"), strings.EqualFold(v, "T"):
			*dst = true
		case strings.EqualFold(v, "false"), strings.EqualFold(v, "F"):
			*dst = false
		}
	}
	if v, ok := envLookup(env, "SCANCEL_ACCOUNT"); ok {
		o.Account = strings.ToLower(v)
	}
	boolVar("SCANCEL_BATCH", &o.Batch)
	boolVar("SCANCEL_FULL", &o.Full)
	if _, ok := envLookup(env, "SCANCEL_HURRY"); ok {
		o.Hurry = true
	}
	boolVar("SCANCEL_INTERACTIVE", &o.Interactive)
	if v, ok := envLookup(env, "SCANCEL_NAME"); ok {
		o.Name = v
	}
	if v, ok := envLookup(env, "SCANCEL_PARTITION"); ok {
		o.Partition = v
	}
	if v, ok := envLookup(env, "SCANCEL_QOS"); ok {
		o.QOS = strings.ToLower(v)
	}
	if v, ok := envLookup(env, "SCANCEL_STATE"); ok {
		st, valid := ParseJobState(v)
		if !valid {
			return &Error{Msg: "Unrecognized SCANCEL_STATE value: " + v +
				"\nValid job states are PENDING, RUNNING, and SUSPENDED\n", Code: 1}
		}
		o.State = st
	}
	if v, ok := envLookup(env, "SCANCEL_USER"); ok {
		o.User = v
	}
	verbose := false
	if _, ok := envLookup(env, "SCANCEL_VERBOSE"); ok {
		boolVar("SCANCEL_VERBOSE", &verbose)
		if verbose {
			o.Verbose = 1
		}
	}
	if v, ok := envLookup(env, "SCANCEL_WCKEY"); ok {
		o.WCKey = v
	}
	return nil
}
