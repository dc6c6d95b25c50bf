package compat

// SubmitOptions are the sbatch options of one submission after command
// line, SBATCH_* variables and #SBATCH lines have been merged (in that
// order of precedence). Zero values mean "not given"; Given records which
// long option names were given, because Slurm exports some variables only
// then (SLURM_NTASKS, SLURM_CPUS_PER_TASK, ...).
type SubmitOptions struct {
	JobName   string `json:"job_name,omitempty"`
	Output    string `json:"output,omitempty"` // -o pattern as given (relative to Chdir)
	Error     string `json:"error,omitempty"`  // -e pattern as given
	Input     string `json:"input,omitempty"`  // -i
	Chdir     string `json:"chdir,omitempty"`  // -D as given
	Partition string `json:"partition,omitempty"`
	Account   string `json:"account,omitempty"`
	QOS       string `json:"qos,omitempty"`
	Comment   string `json:"comment,omitempty"`
	OpenMode  string `json:"open_mode,omitempty"` // "append" or "truncate"

	// TimeLimit in minutes (Infinite for UNLIMITED); valid when Given["time"].
	TimeLimit   int64 `json:"time_limit,omitempty"`
	CPUsPerTask int   `json:"cpus_per_task,omitempty"`
	NTasks      int   `json:"ntasks,omitempty"`
	MinNodes    int   `json:"min_nodes,omitempty"`
	MaxNodes    int   `json:"max_nodes,omitempty"`
	MemMB       int64 `json:"mem_mb,omitempty"`         // --mem, MiB per node
	MemPerCPUMB int64 `json:"mem_per_cpu_mb,omitempty"` // --mem-per-cpu

	// Export is --export as given: "" (default ALL), "ALL", "NONE", or a
	// list such as "ALL,FOO=bar" or "FOO=bar,MYVAR".
	Export   string `json:"export,omitempty"`
	Parsable bool   `json:"parsable,omitempty"`
	Hold     bool   `json:"hold,omitempty"`
	Wrap     string `json:"wrap,omitempty"`
	TestOnly bool   `json:"test_only,omitempty"`

	// Extra holds options that are parsed and recorded but not acted on
	// yet (long name → value), e.g. "constraint", "gres", "mail-type".
	Extra map[string]string `json:"extra,omitempty"`
	// Given lists the long names of the options that were set.
	Given map[string]bool `json:"given,omitempty"`

	// Show, when set, is the whole output of --help, --usage or --version:
	// print it on stdout and exit 0 without submitting anything.
	Show string `json:"show,omitempty"`
}
