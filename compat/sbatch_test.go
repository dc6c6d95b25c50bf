package compat

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// given builds a Given map.
func given(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func TestParseSbatchArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		want       SubmitOptions
		script     string
		scriptArgs []string
	}{
		{"plain", []string{"job.sh"}, SubmitOptions{}, "job.sh", nil},
		{"stdin", nil, SubmitOptions{}, "", nil},
		{"dash is a file", []string{"--parsable", "-"}, SubmitOptions{Parsable: true, Given: given("parsable")}, "-", nil},
		{"wrap", []string{"--wrap=echo wrapped"}, SubmitOptions{Wrap: "echo wrapped", Given: given("wrap")}, "", nil},
		{"empty wrap still wraps", []string{"--wrap="}, SubmitOptions{Given: given("wrap")}, "", nil},
		{"script args are not parsed", []string{"-J", "n", "job.sh", "-J", "x", "--foo"},
			SubmitOptions{JobName: "n", Given: given("job-name")}, "job.sh", []string{"-J", "x", "--foo"}},
		{"double dash", []string{"-H", "--", "-J", "a"}, SubmitOptions{Hold: true, Given: given("hold")}, "-J", []string{"a"}},
		{"forms", []string{"--job-name=a", "-p", "cloud", "-Acct", "--qos", "normal", "-t5", "--comment", "c d"},
			SubmitOptions{JobName: "a", Partition: "cloud", Account: "cct", QOS: "normal", TimeLimit: 5, Comment: "c d",
				Given: given("job-name", "partition", "account", "qos", "time", "comment")}, "", nil},
		{"bundled flags", []string{"-HJfoo", "-Qvc2"},
			SubmitOptions{Hold: true, JobName: "foo", CPUsPerTask: 2, Extra: map[string]string{"quiet": "", "verbose": "1"},
				Given: given("hold", "job-name", "quiet", "verbose", "cpus-per-task")}, "", nil},
		{"value looks like an option", []string{"-J", "--foo", "-c", "3"},
			SubmitOptions{JobName: "--foo", CPUsPerTask: 3, Given: given("job-name", "cpus-per-task")}, "", nil},
		{"abbreviations", []string{"--part=cloud", "--pars", "--comm=c", "--mem-per-c=2G", "--clusters=x", "--tasks=4"},
			SubmitOptions{Partition: "cloud", Parsable: true, Comment: "c", MemPerCPUMB: 2048,
				Extra: map[string]string{"clusters": "x", "ntasks-per-node": "4"},
				Given: given("partition", "parsable", "comment", "mem-per-cpu", "clusters", "ntasks-per-node")}, "", nil},
		{"exact name beats longer ones", []string{"--mem=1G", "--gpus=1", "--export=NONE", "--cluster=c"},
			SubmitOptions{MemMB: 1024, Export: "NONE", Extra: map[string]string{"gpus": "1", "clusters": "c"},
				Given: given("mem", "gpus", "export", "clusters")}, "", nil},
		{"resources", []string{"-c", "2", "-n", "3", "-N", "1-2", "--mem", "4GB", "-o", "o-%j", "-e", "none", "-i", "in", "-D", "/w"},
			SubmitOptions{CPUsPerTask: 2, NTasks: 3, MinNodes: 1, MaxNodes: 2, MemMB: 4096, Output: "o-%j", Error: "/dev/null",
				Input: "in", Chdir: "/w", Given: given("cpus-per-task", "ntasks", "nodes", "mem", "output", "error", "input", "chdir")}, "", nil},
		{"snakemake", []string{"--job-name", "uuid", "-o", ".snakemake/slurm_logs/rule_a/%j.log", "--export=ALL", "-A", "acct",
			"-p", "debug", "-t", "30", "-C", "c", "--mem-per-cpu", "1000", "--cpus-per-task=2", "-D", "/wd", "--wrap=python -m snakemake"},
			SubmitOptions{JobName: "uuid", Output: ".snakemake/slurm_logs/rule_a/%j.log", Export: "ALL", Account: "acct", Partition: "debug",
				TimeLimit: 30, MemPerCPUMB: 1000, CPUsPerTask: 2, Chdir: "/wd", Wrap: "python -m snakemake",
				Extra: map[string]string{"constraint": "c"},
				Given: given("job-name", "output", "export", "account", "partition", "time", "constraint", "mem-per-cpu", "cpus-per-task", "chdir", "wrap")}, "", nil},
		{"toil", []string{"-J", "toil_job_1_x", "--mem=100", "--cpus-per-task=1", "--time=0:3600", "-o", "o", "-e", "e", "--wrap=exec x"},
			SubmitOptions{JobName: "toil_job_1_x", MemMB: 100, CPUsPerTask: 1, TimeLimit: 60, Output: "o", Error: "e", Wrap: "exec x",
				Given: given("job-name", "mem", "cpus-per-task", "time", "output", "error", "wrap")}, "", nil},
		{"signal with spaces and flags", []string{"--signal", "B:USR2@30", "--no-requeue", "--requeue", "--exclusive", "-a", "0-3%2", "-d", "afterok:1"},
			SubmitOptions{Extra: map[string]string{"signal": "B:USR2@30", "requeue": "", "exclusive": "", "array": "0-3%2", "dependency": "afterok:1"},
				Given: given("signal", "requeue", "exclusive", "array", "dependency")}, "", nil},
		{"optional arguments", []string{"-kset", "--nice=5", "--get-user-env=10L", "-k", "job.sh"},
			SubmitOptions{Extra: map[string]string{"no-kill": "", "nice": "5", "get-user-env": "10L"},
				Given: given("no-kill", "nice", "get-user-env")}, "job.sh", nil},
		{"open mode and test", []string{"--open-mode=T", "--test-only", "-H"},
			SubmitOptions{OpenMode: "truncate", TestOnly: true, Hold: true, Given: given("open-mode", "test-only", "hold")}, "", nil},
		{"numbers as C reads them", []string{"-c", " +2", "-n", "4294967297", "-N", "4294967297", "--ntasks-per-node=07"},
			SubmitOptions{CPUsPerTask: 2, NTasks: 1, MinNodes: 1, MaxNodes: 1, Extra: map[string]string{"ntasks-per-node": "7"},
				Given: given("cpus-per-task", "ntasks", "nodes", "ntasks-per-node")}, "", nil},
		{"node forms", []string{"-N", "-1", "--nodes=1k"}, SubmitOptions{MinNodes: 1024, MaxNodes: 1024, Given: given("nodes")}, "", nil},
		{"time zero", []string{"-t", "0"}, SubmitOptions{TimeLimit: Infinite, Given: given("time")}, "", nil},
	}
	for _, tc := range tests {
		opts, script, args, err := ParseSbatchArgs(tc.args)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(opts, tc.want) || script != tc.script || !slices.Equal(args, tc.scriptArgs) {
			t.Errorf("%s:\n got %+v %q %q\nwant %+v %q %q", tc.name, opts, script, args, tc.want, tc.script, tc.scriptArgs)
		}
	}
}

func TestParseSbatchArgsShow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, SbatchHelpText},
		{[]string{"-h", "-V"}, SbatchHelpText},
		{[]string{"--usage", "--version"}, SbatchUsageText},
		{[]string{"-V", "--foo"}, "slurm-wlm 22.05.8\n"},
		{[]string{"-V", "-t", "abc"}, "slurm-wlm 22.05.8\n"},
		{[]string{"--vers"}, "slurm-wlm 22.05.8\n"},
		{[]string{"--help", "-t", "abc"}, SbatchHelpText},
	}
	for _, tc := range tests {
		opts, _, _, err := ParseSbatchArgs(tc.args)
		if err != nil || opts.Show != tc.want {
			t.Errorf("ParseSbatchArgs(%q): Show %.30q, err %v", tc.args, opts.Show, err)
		}
	}
	if !strings.HasPrefix(SbatchHelpText, "Usage: sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0) [args(0)...]\n\nParallel run options:\n") ||
		!strings.HasSuffix(SbatchHelpText, "  -V, --version               output version information and exit\n\n") ||
		len(SbatchHelpText) != 8202 || len(SbatchUsageText) != 1652 {
		t.Errorf("help/usage texts differ from sbatch 22.05.8's (%d, %d bytes)", len(SbatchHelpText), len(SbatchUsageText))
	}
}

func TestParseSbatchArgsErrors(t *testing.T) {
	t.Parallel()
	const try = "Try \"sbatch --help\" for more information\n"
	tests := []struct {
		args []string
		want string
		code int
	}{
		// REFERENCE §1.1, §1.5, §1.6, §1.13 verbatim.
		{[]string{"--foo", "job.sh"}, "sbatch: unrecognized option '--foo'\n" + try, 255},
		{[]string{"-t", "abc", "--wrap=true"}, "sbatch: error: Invalid --time specification\n", 255},
		{[]string{"-t", "1:2:3:4", "--wrap=true"}, "sbatch: error: Invalid --time specification\n", 255},
		{[]string{"-t", "1:xx", "job.sh"}, "sbatch: error: Invalid --time specification\n", 255},
		{[]string{"--mem=abc", "--wrap=true"}, "sbatch: error: Invalid --mem specification\n", 255},
		{[]string{"-c", "0", "--wrap=true"}, "sbatch: error: Invalid numeric value \"0\" for --cpus-per-task.\n", 1},
		{[]string{"-n", "0", "--wrap=true"}, "sbatch: error: Invalid numeric value \"0\" for --ntasks.\n", 1},
		{[]string{"--wrap=true", "job.sh"}, "sbatch: error: Script arguments not permitted with --wrap option\n", 1},
		// Checked against sbatch 22.05.8.
		{[]string{"-Z"}, "sbatch: invalid option -- 'Z'\n" + try, 255},
		{[]string{"-H-"}, "sbatch: invalid option -- '-'\n" + try, 255},
		{[]string{"-W=1", "x"}, "sbatch: invalid option -- '='\n" + try, 255},
		{[]string{"-:"}, "sbatch: invalid option -- ':'\n" + try, 255},
		{[]string{"-J"}, "sbatch: option requires an argument -- 'J'\n" + try, 255},
		{[]string{"--job"}, "sbatch: option '--job-name' requires an argument\n" + try, 255},
		{[]string{"--foo=bar", "x"}, "sbatch: unrecognized option '--foo=bar'\n" + try, 255},
		{[]string{"---"}, "sbatch: unrecognized option '---'\n" + try, 255},
		{[]string{"--par=x", "y"}, "sbatch: option '--par=x' is ambiguous; possibilities: '--parsable' '--partition'\n" + try, 255},
		{[]string{"--clu", "x"}, "sbatch: option '--clu' is ambiguous; possibilities: '--cluster-constraint' '--cluster' '--clusters'\n" + try, 255},
		{[]string{"--a"}, "sbatch: option '--a' is ambiguous; possibilities: '--account' '--acctg-freq' '--array'\n" + try, 255},
		{[]string{"--hold=yes", "x"}, "sbatch: option '--hold' doesn't allow an argument\n" + try, 255},
		{[]string{"--pars=1", "x"}, "sbatch: option '--parsable' doesn't allow an argument\n" + try, 255},
		{[]string{"-c", "0", "-t", "abc"}, "sbatch: error: Invalid numeric value \"0\" for --cpus-per-task.\n", 1},
		{[]string{"-t", "abc", "-c", "0"}, "sbatch: error: Invalid --time specification\n", 255},
		{[]string{"-cH", "x"}, "sbatch: error: Invalid numeric value \"H\" for --cpus-per-task.\n", 1},
		{[]string{"-c", "9223372036854775808"}, "sbatch: error: Numeric argument (9223372036854775807) to big for --cpus-per-task.\n", 1},
		{[]string{"-N", "abc"}, "sbatch: error: \"abc\" is not a valid node count\n", 255},
		{[]string{"-N", "2-1"}, "sbatch: error: Maximum node count 1 is less than minimum node count 2\n", 255},
		{[]string{"-N", "1-"}, "sbatch: error: Maximum node count -1 is less than minimum node count 1\n", 255},
		{[]string{"-N", "2147483648"}, "sbatch: error: \"2147483648\" is not a valid node count\n", 255},
		{[]string{"-N", "1-2-3"}, "sbatch: error: \"2-3\" is not a valid node count\n", 255},
		{[]string{"-N", ""}, "sbatch: error: \"\" is not a valid node count\n", 255},
		{[]string{"--open-mode=bad"}, "sbatch: error: Invalid --open-mode specification\n", 255},
		{[]string{"--open-mode="}, "sbatch: error: Invalid --open-mode specification\n", 255},
		{[]string{"--mem-per-cpu=abc"}, "sbatch: error: Invalid --mem-per-cpu specification\n", 255},
		{[]string{"--mem-per-gpu=abc"}, "sbatch: error: Invalid --mem-per-gpu specification\n", 255},
		{[]string{"--tmp=5x"}, "sbatch: error: Invalid --tmp specification\n", 255},
		{[]string{"--ntasks-per-node=0"}, "sbatch: error: Invalid numeric value \"0\" for --ntasks-per-node.\n", 1},
		{[]string{"--thread-spec=0"}, "sbatch: error: Invalid numeric value \"0\" for --thread-spec.\n", 1},
		{[]string{"--core-spec=-1"}, "sbatch: error: Invalid numeric value \"-1\" for --core-spec.\n", 1},
		{[]string{"--signal=FOO"}, "sbatch: error: Invalid --signal specification\n", 255},
		{[]string{"--signal=65536"}, "sbatch: error: Invalid --signal specification\n", 255},
		{[]string{"--signal=USR2@70000"}, "sbatch: error: Invalid --signal specification\n", 255},
		{[]string{"--mail-type=bogus"}, "sbatch: error: Invalid --mail-type specification\n", 255},
		{[]string{"--priority=-1"}, "sbatch: error: Priority must be >= 0\n", 255},
		{[]string{"--priority=4294967294"}, "sbatch: error: Priority must be < 4294967294\n", 255},
		{[]string{"--exclusive=topo"}, "sbatch: error: Invalid --exclusive specification\n", 255},
		{[]string{"--kill-on-invalid-dep="}, "sbatch: error: Invalid --kill-on-invalid-dep specification\n", 255},
		{[]string{"-kj"}, "sbatch: error: Invalid --no-kill specification\n", 255},
		{[]string{"--get-user-env=10X"}, "sbatch: error: Invalid --get-user-env specification\n", 255},
		{[]string{"--wait-all-nodes=5"}, "sbatch: error: Invalid --wait-all-nodes specification\n", 255},
		{[]string{"--wait-all-nodes=abc"}, "sbatch: error: Invalid numeric value \"abc\" for --wait-all-nodes.\n", 1},
		{[]string{"--time-min=x"}, "sbatch: error: Invalid --time-min specification\n", 255},
		{[]string{"--delay-boot=x"}, "sbatch: error: Invalid --delay-boot specification\n", 255},
		{[]string{"--begin=bogus"}, "Invalid time specification (pos=0): bogus\nsbatch: error: Invalid --begin specification\n", 255},
		{[]string{"--deadline=x"}, "Invalid time specification (pos=0): x\nsbatch: error: Invalid --deadline specification\n", 255},
		{[]string{"-m", "block,foo"}, "sbatch: error: Invalid --distribution specification\n", 255},
		{[]string{"-m", "fcyclic"}, "sbatch: error: Invalid --distribution specification\n", 255},
		{[]string{"-m", "plane"}, "sbatch: error: Invalid plane size or size not specified\nsbatch: error: Invalid --distribution specification\n", 255},
		{[]string{"-B", "x"}, "sbatch: error: Invalid numeric value \"x\" for first arg of -B.\n", 1},
		{[]string{"-B", "1:x"}, "sbatch: error: Invalid numeric value \"x\" for second arg of -B.\n", 1},
		{[]string{"-B", "1-2147483648"}, "sbatch: error: Numeric argument (2147483648) to big for first arg of -B.\n", 1},
		{[]string{"-J", "a", ":", "-J", "b", "x.sh"}, hetJobError().Msg, 1},
		{[]string{":", "--foo"}, "sbatch: unrecognized option '--foo'\n" + try, 255},
	}
	for _, tc := range tests {
		_, _, _, err := ParseSbatchArgs(tc.args)
		var e *Error
		if !errors.As(err, &e) || e.Msg != tc.want || e.Code != tc.code {
			t.Errorf("ParseSbatchArgs(%q) = %v, want %q exit %d", tc.args, err, tc.want, tc.code)
		}
	}
}

func TestSbatchOptionValuesAccepted(t *testing.T) {
	t.Parallel()
	// Values real sbatch 22.05.8 takes for options Sky Port only records.
	for _, args := range [][]string{
		{"--signal=B:USR2@30"}, {"--signal=R:10@5"}, {"--signal=RB:USR1"}, {"--signal=SIGUSR1"}, {"--signal=usr1"},
		{"--signal=:USR1"}, {"--signal=-1"}, {"--signal=USR2@"}, {"--signal= USR2"}, {"--mail-type=BEGIN,bogus"},
		{"--mail-type=none"}, {"--priority=abc"}, {"--priority=TOP"}, {"--priority=4294967293"}, {"--exclusive=user"},
		{"--exclusive=MCS"}, {"--exclusive="}, {"--exclusive=oversubscribe"}, {"--no-kill=off"}, {"--no-kill=SET"},
		{"--get-user-env=S"}, {"--get-user-env="}, {"--kill-on-invalid-dep=NO"}, {"--wait-all-nodes=0"}, {"--core-spec=0"},
		{"-m", "block:fcyclic"}, {"-m*:*:*"}, {"-mpack"}, {"-m", "block,pack"}, {"-m", "plane=4"}, {"-m", "planex=3"},
		{"-m", "Block"}, {"-m", "block::cyclic"}, {"-m", "block,"}, {"-m", "cyclic:*"}, {"-m", "hostfile"},
		{"-B", "1:2"}, {"-B*:*"}, {"-B", ""}, {"-B", "1:2:3:4"}, {"-B", "1k"}, {"-B0"}, {"-B", "1-2:3"},
		{"--begin=now+1hour"}, {"--deadline=2030-01-01"}, {"-b", "12:00"}, {"--nice=abc"}, {"--nice=-10"},
	} {
		if _, _, _, err := ParseSbatchArgs(args); err != nil {
			t.Errorf("ParseSbatchArgs(%q): %v", args, err)
		}
	}
}

func TestDefaultJobNameAndWorkDir(t *testing.T) {
	t.Parallel()
	if got := DefaultJobName(SubmitOptions{}, "/a/b/job.sh"); got != "job.sh" {
		t.Errorf("DefaultJobName(script) = %q", got)
	}
	if got := DefaultJobName(SubmitOptions{Given: given("wrap")}, ""); got != "wrap" {
		t.Errorf("DefaultJobName(wrap) = %q", got)
	}
	if got := DefaultJobName(SubmitOptions{}, ""); got != "sbatch" {
		t.Errorf("DefaultJobName(stdin) = %q", got)
	}
	for _, tc := range []struct{ chdir, dir, want string }{
		{"", "/tmp/sbx", "/tmp/sbx"},
		{"/tmp/sref/wd", "/x", "/tmp/sref/wd"},
		{"sub", "/tmp/sbx", "/tmp/sbx/sub"},
		{".", "/tmp/sbx", "/tmp/sbx/."},
		{"~", "/tmp/sbx", "/tmp/sbx/~"},
		{"sub/../x/", "/tmp/sbx", "/tmp/sbx/sub/../x/"},
	} {
		if got := ResolveWorkDir(tc.chdir, tc.dir); got != tc.want {
			t.Errorf("ResolveWorkDir(%q, %q) = %q, want %q", tc.chdir, tc.dir, got, tc.want)
		}
	}
}

func FuzzParseSbatchArgs(f *testing.F) {
	f.Add("-J\x00n\x00--time=5\x00job.sh\x00-x")
	f.Add("--par\x00cloud")
	f.Add("-HJfoo\x00-c\x000\x00--wrap=true")
	f.Add("-N\x001-2k\x00--mem=4GB\x00--signal=B:USR2@30\x00:\x00-t")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		opts, script, scriptArgs, err := ParseSbatchArgs(args)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != 1 && e.Code != 255) || !strings.HasSuffix(e.Msg, "\n") {
				t.Fatalf("ParseSbatchArgs(%q): bad error %v", args, err)
			}
			return
		}
		if opts.Show != "" {
			return
		}
		// The script and its arguments are the tail of args, untouched.
		n := len(scriptArgs)
		if script != "" {
			n++
		}
		if n > len(args) || (script != "" && args[len(args)-n] != script) ||
			!slices.Equal(args[len(args)-len(scriptArgs):], scriptArgs) {
			t.Fatalf("ParseSbatchArgs(%q): script %q args %q are not the tail", args, script, scriptArgs)
		}
		for k := range opts.Extra {
			if !opts.Given[k] {
				t.Fatalf("Extra[%q] without Given", k)
			}
		}
		// Merging the command line alone gives it back.
		merged, err := MergeOptions(opts, nil, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != 1 {
				t.Fatalf("MergeOptions(%+v): %v", opts, err)
			}
			return
		}
		if !reflect.DeepEqual(merged, opts) {
			t.Fatalf("MergeOptions(cli) = %+v, want %+v", merged, opts)
		}
	})
}

func BenchmarkSbatchOptions(b *testing.B) {
	args := []string{"--parsable", "--job-name", "uuid", "-o", "logs/%j.log", "--export=ALL", "-A", "acct", "-p", "debug",
		"-t", "1-00:00:00", "--mem-per-cpu", "4GB", "--cpus-per-task=2", "-D", "/work", "job.sh", "a"}
	script := []byte(directivesScript)
	env := []string{"SBATCH_QOS=normal", "PATH=/bin"}
	for b.Loop() {
		opts, _, _, err := ParseSbatchArgs(args)
		if err != nil {
			b.Fatal(err)
		}
		dirs, _, err := ParseDirectives(script, "job.sh")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := MergeOptions(opts, env, dirs); err != nil {
			b.Fatal(err)
		}
	}
}
