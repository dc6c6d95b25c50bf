package compat

// Scontrol commands as ScontrolRequest.Command names them. Slurm's own
// spelling of the keyword (any case, any prefix scontrol accepts) is
// normalised to one of these.
const (
	ScontrolCmdShow        = "show"
	ScontrolCmdPing        = "ping"
	ScontrolCmdHold        = "hold"  // admin hold (priority 0, JobHeldAdmin)
	ScontrolCmdUHold       = "uhold" // user hold (JobHeldUser); also "holdu"
	ScontrolCmdRelease     = "release"
	ScontrolCmdRequeue     = "requeue"
	ScontrolCmdRequeueHold = "requeuehold"
	ScontrolCmdSuspend     = "suspend"
	ScontrolCmdResume      = "resume"
	ScontrolCmdUpdate      = "update"
	ScontrolCmdWriteScript = "write_batch_script"
	// ScontrolCmdInteractive is scontrol without a command: Slurm then reads
	// commands from stdin ("scontrol: " prompt). The shim runs that loop
	// with ScontrolSplitLine and ParseScontrolCommand.
	ScontrolCmdInteractive = "interactive"
	// ScontrolCmdExit is "exit"/"quit" (interactive mode only ends the loop).
	ScontrolCmdExit = "exit"
	// ScontrolCmdSet is a keyword answered without the daemon: it changes
	// the flags of the request ("oneliner", "details", "quiet", "verbose",
	// "all", "hide"; the interactive loop keeps them for the next
	// commands) or prints Show ("help", "version").
	ScontrolCmdSet = "set"
)

// ScontrolRequest is a parsed scontrol command line: plain data that
// travels to the daemon. The global options are flags; the command fields
// that matter depend on Command.
type ScontrolRequest struct {
	Command string `json:"command"`

	OneLiner bool `json:"one_liner,omitempty"` // -o, "oneliner"
	Details  int  `json:"details,omitempty"`   // -d (Slurm 22.05 has one level: -dd = -d)
	Quiet    bool `json:"quiet,omitempty"`     // -Q: Slurm then hides most error messages
	Verbose  int  `json:"verbose,omitempty"`   // -v count
	All      bool `json:"all,omitempty"`       // -a (hidden partitions; Sky Port has none)
	// UID is -u/--uid as given ("update job as user"); the daemon checks it.
	UID string `json:"uid,omitempty"`

	// Show, when set, is the whole stdout of the command (--version,
	// --help, "version", "help", "show hostnames"): print it and exit
	// with ShowCode without asking the daemon. ShowErr goes to stderr.
	Show     string `json:"show,omitempty"`
	ShowErr  string `json:"show_err,omitempty"`
	ShowCode int    `json:"show_code,omitempty"`

	// Entity is what "show" shows: "job", "partition", "node", "config",
	// "reservation" and "licenses" (Sky Port has none of either), or
	// "hostnames", "hostlistsorted" and "topology", whose output is
	// already in Show/ShowErr. ScontrolRender prints all of them.
	Entity string `json:"entity,omitempty"`
	// Name is the show argument (partition or node name); HasName says
	// whether one was given (an empty name is still a name).
	Name    string `json:"name,omitempty"`
	HasName bool   `json:"has_name,omitempty"`
	// ShowJob is the job selection of "show job [ID[_TASK]]".
	ShowJob ScontrolJobQuery `json:"show_job,omitzero"`

	// Jobs are the operands of hold/uhold/release/requeue/requeuehold/
	// suspend/resume, in order (Slurm reports each one in turn).
	Jobs []ScontrolJobArg `json:"jobs,omitempty"`
	// SpecialExit is requeue's "state=specialexit" flag.
	SpecialExit bool `json:"special_exit,omitempty"`

	// Update is the parsed "update" command.
	Update *ScontrolUpdateRequest `json:"update,omitempty"`

	// ScriptJob, ScriptFile and HasScriptJob describe "write batch_script
	// ID [FILE|-]": ScriptFile is "slurm-<ID>.sh" when not given, "-"
	// means stdout.
	ScriptJob    uint32 `json:"script_job,omitempty"`
	ScriptFile   string `json:"script_file,omitempty"`
	HasScriptJob bool   `json:"has_script_job,omitempty"`
}

// ScontrolJobQuery selects the records of "show job": All (no id, or id
// 0), or JobID with Task (-1 for none) and HetOffset (-1 for none).
type ScontrolJobQuery struct {
	All       bool   `json:"all,omitempty"`
	JobID     uint32 `json:"job_id,omitempty"`
	Task      int64  `json:"task"`
	HetOffset int64  `json:"het_offset"`
	// Spec is the id as given, for messages.
	Spec string `json:"spec,omitempty"`
}

// scontrolOpts is scontrol 22.05's option table.
var scontrolOpts = optTable{
	prog:  "scontrol",
	short: "adhM:FoQu:vV",
	long: []longOpt{
		{"all", argNone, 'a'}, {"cluster", argRequired, 'M'}, {"clusters", argRequired, 'M'},
		{"details", argNone, 'd'}, {"federation", argNone, 0x105}, {"future", argNone, 'F'},
		{"help", argNone, 'h'}, {"hide", argNone, 0x102}, {"local", argNone, 0x103},
		{"oneliner", argNone, 'o'}, {"quiet", argNone, 'Q'}, {"sibling", argNone, 0x104},
		{"uid", argRequired, 'u'}, {"usage", argNone, 'h'}, {"verbose", argNone, 'v'},
		{"version", argNone, 'V'},
	},
}

// scontrolAPIVersionLine is what -v adds to -V.
const scontrolAPIVersionLine = "slurm_api_version: 2490368, 38.0.0\n"

// ParseScontrolArgs parses scontrol's command line (args without the
// program name) as Slurm 22.05 does: the global options (-o/--oneliner,
// -d/--details, -Q, -v, -a, -u, -M, -V/--version, -h/--help/--usage,
// which may appear anywhere, as getopt permutes them) and then one command.
// env is used for "show hostnames" without a list (SLURM_NODELIST).
//
// The error is an *Error with Slurm's stderr text and exit code (its Msg
// is empty when -Q makes Slurm silent), or a *UsageError when Slurm also
// prints on stdout ("help x"). Commands Sky Port does not implement
// ("shutdown", "create", ...) are an *Error saying so.
func ParseScontrolArgs(args, env []string) (ScontrolRequest, error) {
	var r ScontrolRequest
	opts, operands, usageMsg := scontrolOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'a':
			r.All = true
		case 'd':
			r.Details = 1
		case 'h':
			r.Show = scontrolHelpText
			return r, nil
		case 'o':
			r.OneLiner = true
		case 'Q':
			r.Quiet = true
		case 'u':
			r.UID = op.arg
		case 'v':
			r.Verbose++
		case 'V':
			r.Show = scontrolVersionText(r)
			return r, nil
		case 0x102:
			r.All, r.Details = false, 0
		}
	}
	if usageMsg != "" {
		return r, Errorf(1, "%sTry \"scontrol --help\" for more information", usageMsg)
	}
	if len(operands) == 0 {
		r.Command = ScontrolCmdInteractive
		return r, nil
	}
	return ParseScontrolCommand(operands, r, env)
}

// scontrolVersionText is -V or "version": the version line, plus the API
// version when -v was given before.
func scontrolVersionText(r ScontrolRequest) string {
	if r.Verbose > 0 {
		return SlurmVersionLine + scontrolAPIVersionLine
	}
	return SlurmVersionLine
}
