package compat

import (
	"strconv"
	"strings"
)

// SrunOptions is a parsed srun command line: the options Sky Port acts on
// (one task on one node), the others recorded in Submit so that an
// allocation made outside a job gets them as sbatch would. Command is
// what follows the options: the program and its arguments.
type SrunOptions struct {
	NTasks      int    // -n; 0 when not given
	CPUsPerTask int    // -c; 0 when not given
	CPUBind     string // --cpu-bind as given ("q", "quiet", "none", ...)
	Unbuffered  bool   // -u
	Output      string // -o pattern (%j %s %t %u %x %N %%)
	Error       string // -e pattern
	Input       string // -i
	Overlap     bool   // --overlap
	JobID       uint32 // --jobid; 0 when not given
	JobName     string // -J; "" when not given
	Label       bool   // -l: prefix lines with the task id
	Overcommit  bool   // -O: more tasks than the job's CPUs
	Quiet       bool   // -Q
	// Submit holds the options that shape an allocation srun makes when
	// it runs outside a job (-J, -p, -t, --mem, -A, -D, --export, ...).
	Submit  SubmitOptions
	Command []string
	// Show, when set, is the whole output of --help, --usage or -V.
	Show string
}

// srunOpts is srun 22.05's option table (the part Sky Port knows; the
// rest are refused as getopt refuses unknown options).
var srunOpts = optTable{
	prog:  "srun",
	short: "A:c:C:D:e:hi:J:lm:n:N:o:Op:q:Qt:uvVw:W:x:K",
	long: []longOpt{
		{"account", argRequired, 'A'}, {"cpus-per-task", argRequired, 'c'}, {"constraint", argRequired, 'C'},
		{"chdir", argRequired, 'D'}, {"error", argRequired, 'e'}, {"help", argNone, 'h'},
		{"input", argRequired, 'i'}, {"job-name", argRequired, 'J'}, {"label", argNone, 'l'},
		{"distribution", argRequired, 'm'}, {"ntasks", argRequired, 'n'}, {"nodes", argRequired, 'N'},
		{"output", argRequired, 'o'}, {"partition", argRequired, 'p'}, {"qos", argRequired, 'q'},
		{"quiet", argNone, 'Q'}, {"time", argRequired, 't'}, {"unbuffered", argNone, 'u'},
		{"verbose", argNone, 'v'}, {"version", argNone, 'V'}, {"nodelist", argRequired, 'w'},
		{"wait", argRequired, 'W'}, {"exclude", argRequired, 'x'}, {"kill-on-bad-exit", argOptional, 'K'},
		{"cpu-bind", argRequired, 0x100}, {"cpu_bind", argRequired, 0x100}, {"overlap", argNone, 0x101},
		{"jobid", argRequired, 0x102}, {"mem", argRequired, 0x103}, {"mem-per-cpu", argRequired, 0x104},
		{"export", argRequired, 0x105}, {"exact", argNone, 0x106}, {"exclusive", argOptional, 0x106},
		{"mpi", argRequired, 0x106}, {"gres", argRequired, 0x107}, {"gpus", argRequired, 0x107},
		{"pty", argNone, 0x106}, {"ntasks-per-node", argRequired, 0x108}, {"comment", argRequired, 0x109},
		{"usage", argNone, 0x10a}, {"propagate", argOptional, 0x106}, {"mem-bind", argRequired, 0x106},
		{"immediate", argOptional, 0x106}, {"open-mode", argRequired, 0x10b}, {"overcommit", argNone, 'O'},
	},
}

// ParseSrunArgs parses srun's command line (args without the program
// name). Options end at the first operand, which starts the command (srun
// scans its options as getopt does with "+"). Errors are *Error values
// with srun's message and exit status.
func ParseSrunArgs(args []string) (SrunOptions, error) {
	o := SrunOptions{Submit: SubmitOptions{Given: map[string]bool{}, Extra: map[string]string{}}}
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		var found []scannedOpt
		var used int
		var msg string
		if strings.HasPrefix(a, "--") {
			var so scannedOpt
			so, used, msg = srunOpts.scanLong(a[2:], args[i+1:])
			found = []scannedOpt{so}
		} else {
			found, used, msg = srunOpts.scanShort(a[1:], args[i+1:])
		}
		if msg != "" {
			return o, &Error{Msg: msg + "Try \"srun --help\" for more information\n", Code: 255}
		}
		for _, op := range found {
			if err := o.apply(op); err != nil {
				return o, err
			}
			if o.Show != "" {
				return o, nil
			}
		}
		i += 1 + used
	}
	o.Command = append([]string(nil), args[i:]...)
	if len(o.Command) == 0 {
		return o, &Error{Msg: "srun: fatal: No command given to execute.\n", Code: 1}
	}
	return o, nil
}

// apply records one option.
func (o *SrunOptions) apply(op scannedOpt) error {
	s := &o.Submit
	give := func(name string) { s.Given[name] = true }
	num := func(name string) (int, error) {
		n, err := strconv.Atoi(op.arg)
		if err != nil || n <= 0 {
			return 0, Errorf(1, "srun: error: Invalid numeric value \"%s\" for --%s.", op.arg, name)
		}
		return n, nil
	}
	var err error
	switch op.key {
	case 'A':
		s.Account = op.arg
		give("account")
	case 'c':
		if o.CPUsPerTask, err = num("cpus-per-task"); err == nil {
			s.CPUsPerTask = o.CPUsPerTask
			give("cpus-per-task")
		}
	case 'D':
		s.Chdir = op.arg
		give("chdir")
	case 'e':
		o.Error = op.arg
	case 'h', 0x10a:
		o.Show = srunUsageText
	case 'i':
		o.Input = op.arg
	case 'J':
		o.JobName, s.JobName = op.arg, op.arg
		give("job-name")
	case 'l':
		o.Label = true
	case 'n':
		if o.NTasks, err = num("ntasks"); err == nil {
			s.NTasks = o.NTasks
			give("ntasks")
		}
	case 'N':
		var n int
		if n, err = num("nodes"); err == nil {
			s.MinNodes, s.MaxNodes = n, n
			give("nodes")
		}
	case 'o':
		o.Output = op.arg
	case 'p':
		s.Partition = op.arg
		give("partition")
	case 'q':
		s.QOS = op.arg
		give("qos")
	case 'O':
		o.Overcommit = true
		s.Extra["overcommit"], s.Given["overcommit"] = "", true
	case 'Q':
		o.Quiet = true
	case 't':
		v, perr := ParseTimeLimit(op.arg)
		if perr != nil {
			return Errorf(1, "srun: error: Invalid --time specification")
		}
		s.TimeLimit = v
		give("time")
	case 'u':
		o.Unbuffered = true
	case 'V':
		o.Show = SlurmVersionLine
	case 0x100:
		if !validCPUBind(op.arg) {
			return Errorf(1, "srun: error: unrecognized --cpu-bind argument \"%s\"\nsrun: fatal: Failed to parse --cpu-bind= values.", op.arg)
		}
		o.CPUBind = op.arg
	case 0x101:
		o.Overlap = true
	case 0x102:
		n, perr := strconv.ParseUint(op.arg, 10, 32)
		if perr != nil || n == 0 {
			return Errorf(1, "srun: error: Invalid numeric value \"%s\" for --jobid.", op.arg)
		}
		o.JobID = uint32(n)
	case 0x103, 0x104:
		v, perr := ParseMemory(op.arg)
		if perr != nil {
			return Errorf(1, "srun: error: Invalid --mem specification")
		}
		if op.key == 0x103 {
			s.MemMB = v
			give("mem")
		} else {
			s.MemPerCPUMB = v
			give("mem-per-cpu")
		}
	case 0x105:
		s.Export = op.arg
		give("export")
	case 0x109:
		s.Comment = op.arg
		give("comment")
	case 0x10b:
		s.OpenMode = op.arg
		give("open-mode")
	}
	return err
}

// validCPUBind reports whether v is a --cpu-bind value srun accepts: a
// comma list of verbosity words and one binding type.
func validCPUBind(v string) bool {
	if v == "" {
		return false
	}
	for _, w := range strings.Split(v, ",") {
		w, _, _ = strings.Cut(w, ":") // map_cpu:0,1 mask_cpu:0x3
		switch strings.ToLower(w) {
		case "q", "quiet", "v", "verbose", "no", "none", "cores", "sockets", "threads", "ldoms", "rank",
			"rank_ldom", "map_cpu", "mask_cpu", "map_ldom", "mask_ldom", "boards", "help":
		default:
			return false
		}
	}
	return true
}

// srunUsageText is what srun --help and --usage print (the options Sky
// Port knows).
const srunUsageText = `Usage: srun [OPTIONS(0)... [executable(0) [args(0)...]]] [ : [OPTIONS(N)...]] executable(N) [args(N)...]

Parallel run options:
  -A, --account=name          charge job to specified account
  -c, --cpus-per-task=ncpus   number of cpus required per task
      --comment=name          arbitrary comment
      --cpu-bind=...          bind tasks to CPUs
  -D, --chdir=path            change remote current working directory
      --export=env_vars|NONE  environment variables passed to launcher with
                              optional values or NONE (pass no variables)
  -e, --error=err             location of stderr redirection
  -i, --input=in              location of stdin redirection
  -J, --job-name=jobname      name of job
      --jobid=id              run under already allocated job
  -l, --label                 prepend task number to lines of stdout/err
  -n, --ntasks=ntasks         number of tasks to run
  -N, --nodes=N               number of nodes on which to run (N = min[-max])
  -o, --output=out            location of stdout redirection
      --overlap               Allow other steps to overlap this step
  -p, --partition=partition   partition requested
  -q, --qos=qos               quality of service
  -Q, --quiet                 quiet mode (suppress informational messages)
  -t, --time=minutes          time limit
  -u, --unbuffered            do not line-buffer stdout/err

Help options:
  -h, --help                  show this help message
      --usage                 display brief usage message

Other options:
  -V, --version               output version information and exit

`
