package compat

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// refNode is the reference machine's only node: vm, 2 CPUs (1 socket of
// 2 cores), 24152 MiB, in partitions debug and cloud.
func refNode(state string, alloc int) Node {
	return Node{Name: "vm", Partitions: []string{"debug", "cloud"}, CPUs: 2, AllocCPUs: alloc,
		MemMB: 24152, FreeMemMB: 16877, AllocMemMB: int64(alloc) * 1024, State: state,
		Sockets: 1, CoresPerSocket: 2, ThreadsPerCore: 1, CPULoad: 1.57}
}

// refPartitions are debug (default) and cloud, both MaxTime=INFINITE.
func refPartitions() []Partition {
	return []Partition{
		{Name: "debug", Default: true, Up: true, State: "UP", MaxTime: Infinite, DefaultTime: Infinite,
			Nodes: []string{"vm"}, TotalCPUs: 2, TotalMemMB: 24152},
		{Name: "cloud", Up: true, State: "UP", MaxTime: Infinite, DefaultTime: Infinite,
			Nodes: []string{"vm"}, TotalCPUs: 2, TotalMemMB: 24152},
	}
}

// sinfoFixtures maps golden fixture names to partitions and nodes.
var sinfoFixtures = map[string]func() ([]Partition, []Node){
	"idle":  func() ([]Partition, []Node) { return refPartitions(), []Node{refNode("idle", 0)} },
	"alloc": func() ([]Partition, []Node) { return refPartitions(), []Node{refNode("allocated", 2)} },
	"drain": func() ([]Partition, []Node) {
		n := refNode("drained", 0)
		n.Reason, n.ReasonUser, n.ReasonTime = "maintenance test", "root", refTime(11, 50, 38)
		return refPartitions(), []Node{n}
	},
	"cloud_down": func() ([]Partition, []Node) {
		p := refPartitions()
		p[1].Up, p[1].State = false, "DOWN"
		return p, []Node{refNode("idle", 0)}
	},
	"cloud_inactive": func() ([]Partition, []Node) {
		p := refPartitions()
		p[1].Up, p[1].State = false, "INACTIVE"
		return p, []Node{refNode("idle", 0)}
	},
}

// runSinfo runs sinfo the way the shim and the daemon together do.
func runSinfo(t *testing.T, args, env []string, parts []Partition, nodes []Node, now time.Time) (string, string, int) {
	t.Helper()
	o, warn, err := ParseSinfoArgs(args, env, now)
	if err != nil {
		out, msg, code := errorOutput(t, err)
		return out, warn + msg, code
	}
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back SinfoOptions
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, back) {
		t.Fatalf("options changed over JSON:\n%+v\n%+v", o, back)
	}
	var buf bytes.Buffer
	err = Sinfo(&buf, back, parts, nodes, now)
	_, msg, code := errorOutput(t, err)
	return buf.String(), warn + msg, code
}

func TestSinfoGolden(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldens(t, "sinfo") {
		t.Run(g.path, func(t *testing.T) {
			t.Parallel()
			fix, ok := sinfoFixtures[g.fixture]
			if !ok {
				t.Fatalf("unknown fixture %q", g.fixture)
			}
			parts, nodes := fix()
			out, errOut, code := runSinfo(t, g.args, g.env, parts, nodes, g.now)
			checkGolden(t, g, out, errOut, code)
		})
	}
}

func TestParseSinfoArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  []string
		want SinfoOptions
		warn string
		err  string
	}{
		{name: "default", want: SinfoOptions{FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "long", args: []string{"-l"}, want: SinfoOptions{Long: true, FormatLong: sinfoLongFormat, DefaultFormat: true}},
		{name: "node long", args: []string{"-N", "-l"},
			want: SinfoOptions{Long: true, NodeCentric: true, FormatLong: sinfoNodeLongFormat, DefaultFormat: true}},
		{name: "summarize wins over node", args: []string{"-N", "-s"},
			want: SinfoOptions{NodeCentric: true, Summarize: true, FormatLong: sinfoSummarizeFormat, DefaultFormat: true}},
		{name: "reasons", args: []string{"-R"},
			want: SinfoOptions{ListReasons: true, FormatLong: sinfoReasonFormat, DefaultFormat: true,
				States: &[]string{"down", "fail", "drain"}}},
		{name: "format", args: []string{"-h", "-o", "%P %a"}, want: SinfoOptions{NoHeader: true, Format: "%P %a"}},
		{name: "Format", args: []string{"-O", "partition"}, want: SinfoOptions{FormatLong: "partition"}},
		{name: "env format", env: []string{"SINFO_FORMAT=%P"}, want: SinfoOptions{Format: "%P"}},
		{name: "partitions", args: []string{"-p", "debug,,cloud"},
			want: SinfoOptions{Partitions: &[]string{"debug", "cloud"}, FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "env partition", env: []string{"SINFO_PARTITION=cloud"},
			want: SinfoOptions{Partitions: &[]string{"cloud"}, FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "nodes expanded", args: []string{"-n", "n[1-2],vm"},
			want: SinfoOptions{Nodes: &[]string{"n1", "n2", "vm"}, FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "states", args: []string{"-t", "idle,ALLOC"},
			want: SinfoOptions{States: &[]string{"idle", "ALLOC"}, FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "bad state", args: []string{"-t", "BOGUS"},
			err: "sinfo: error: Bad state string: \"BOGUS\"\nsinfo: error: valid states: " + sinfoValidStates + "\n"},
		{name: "a and p conflict", args: []string{"-a", "-p", "debug"},
			err: "sinfo: error: Conflicting options, -a and -p, specified. Please choose one or the other.\n"},
		{name: "version", args: []string{"-V"}, want: SinfoOptions{Show: SlurmVersionLine}},
		{name: "unknown option", args: []string{"--bogus"},
			err: "sinfo: unrecognized option '--bogus'\nTry \"sinfo --help\" for more information\n"},
		{name: "operands are ignored", args: []string{"foo"}, want: SinfoOptions{FormatLong: sinfoDefaultFormat, DefaultFormat: true}},
		{name: "invalid letter", args: []string{"-o", "%i|%P"}, want: SinfoOptions{Format: "%i|%P"},
			warn: "Invalid node format specification: i\n"},
		{name: "invalid name", args: []string{"-O", "partition,timelimit"}, want: SinfoOptions{FormatLong: "partition,timelimit"},
			warn: "sinfo: error: Invalid job format specification: timelimit\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, warn, err := ParseSinfoArgs(tc.args, tc.env, refTime(12, 0, 0))
			if warn != tc.warn {
				t.Errorf("warnings %q, want %q", warn, tc.warn)
			}
			if tc.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Msg != tc.err || e.Code != 1 {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSinfoRenderCases(t *testing.T) {
	t.Parallel()
	many := func() ([]Partition, []Node) {
		parts := []Partition{{Name: "batch", Default: true, State: "UP", MaxTime: 30},
			{Name: "verylongpartition", State: "UP", MaxTime: 2 * 24 * 60}}
		var nodes []Node
		for i, st := range []string{"idle", "idle", "allocated", "mixed", "drained", "idle"} {
			n := Node{Name: "node" + itoa(int64(i+1)), Partitions: []string{"batch"}, CPUs: 4, MemMB: 8000, State: st}
			if st == "allocated" {
				n.AllocCPUs = 4
			}
			if st == "mixed" {
				n.AllocCPUs = 1
			}
			if i < 2 {
				n.Partitions = append(n.Partitions, "verylongpartition")
			}
			nodes = append(nodes, n)
		}
		return parts, nodes
	}
	tests := []struct {
		name  string
		args  []string
		fix   func() ([]Partition, []Node)
		out   string
		isErr bool
	}{
		{name: "groups by state and widens the partition column", fix: many, out: "" +
			"PARTITION         AVAIL  TIMELIMIT  NODES  STATE NODELIST\n" +
			"batch*               up      30:00      3   idle node[1-2,6]\n" +
			"batch*               up      30:00      1  alloc node3\n" +
			"batch*               up      30:00      1    mix node4\n" +
			"batch*               up      30:00      1  drain node5\n" +
			"verylongpartition    up 2-00:00:00      2   idle node[1-2]\n"},
		{name: "summarize counts", args: []string{"-s"}, fix: many, out: "" +
			"PARTITION         AVAIL  TIMELIMIT   NODES(A/I/O/T) NODELIST\n" +
			"batch*               up      30:00          2/3/1/6 node[1-6]\n" +
			"verylongpartition    up 2-00:00:00          0/2/0/2 node[1-2]\n"},
		// Without a state column, nodes of every state share a line.
		{name: "cpus state", args: []string{"-h", "-o", "%R %C"}, fix: many, out: "" +
			"batch 5/15/4/24\nverylongpartition 0/8/0/8\n"},
		{name: "no partition column merges partitions", args: []string{"-h", "-o", "%N %t"}, fix: many, out: "" +
			"node[1-2,6] idle\nnode3 alloc\nnode4 mix\nnode5 drain\n"},
		{name: "filter leaves an empty line", args: []string{"-n", "nosuch"}, fix: sinfoFixtures["idle"], out: "" +
			"PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n" +
			"debug*       up   infinite      0    n/a \n" +
			"cloud        up   infinite      0    n/a \n"},
		// A filtered partition without a matching node still has its line.
		{name: "state filter", args: []string{"-h", "-t", "drain", "-o", "%P %N"}, fix: many,
			out: "batch* node5\nverylongpartition \n"},
		{name: "Format widths", args: []string{"-O", "partition:5,nodelist:2"}, fix: sinfoFixtures["idle"],
			out: "PARTINO\ndebu*vm\ncloudvm\n"},
		{name: "reservations", args: []string{"-T"}, fix: sinfoFixtures["idle"], out: "No reservations in the system\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts, nodes := tc.fix()
			out, errOut, _ := runSinfo(t, tc.args, nil, parts, nodes, refTime(12, 0, 0))
			if out != tc.out || errOut != "" {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", out, tc.out, errOut)
			}
		})
	}
}

func TestHostlist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hosts []string
		want  string
	}{
		{[]string{"vm"}, "vm"},
		{[]string{"node3", "node1", "node2", "node5"}, "node[1-3,5]"},
		{[]string{"n01", "n02", "n10", "gpu1"}, "gpu1,n[01-02,10]"},
		{[]string{"a", "b1", "b2", "a"}, "a,b[1-2]"},
	}
	for _, tc := range tests {
		got := compressHostlist(tc.hosts)
		if got != tc.want {
			t.Errorf("compressHostlist(%v) = %q, want %q", tc.hosts, got, tc.want)
		}
		back := expandHostlist(got)
		if len(back) == 0 {
			t.Errorf("expandHostlist(%q) is empty", got)
		}
	}
	if got := expandHostlist("n[01-03,7],x"); !reflect.DeepEqual(got, []string{"n01", "n02", "n03", "n7", "x"}) {
		t.Errorf("expandHostlist = %v", got)
	}
}

// FuzzParseSinfoArgs checks that no command line makes sinfo's parser or
// renderer panic, and that every failure is an *Error.
func FuzzParseSinfoArgs(f *testing.F) {
	for _, s := range []string{"-N\x00-l", "-s", "-R\x00-l", "-o\x00%20P %5a %.10l %C", "-O\x00partition:5,nodelist:.2x",
		"-t\x00drain,idle", "-n\x00vm[1-3]", "-p\x00debug", "--all\x00-h", "-O\x00all"} {
		f.Add(s)
	}
	parts, nodes := sinfoFixtures["drain"]()
	f.Fuzz(func(t *testing.T, line string) {
		o, _, err := ParseSinfoArgs(strings.Split(line, "\x00"), nil, refTime(12, 0, 0))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == 0 {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if err := Sinfo(io.Discard, o, parts, nodes, refTime(12, 0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSinfoNodeCentricPerPartition: with -N a node prints once per
// partition, with or without a partition column; without -N and without
// one, once. Recorded on real Slurm 22.05 (vm in debug and cloud).
func TestSinfoNodeCentricPerPartition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"-N", "-o", "%N %c"}, "NODELIST CPUS\nvm 2\nvm 2\n"},
		{[]string{"-N", "-n", "vm", "-o", "%N %c %t"}, "NODELIST CPUS STATE\nvm 2 idle\nvm 2 idle\n"},
		{[]string{"-N", "-p", "cloud", "-o", "%N %c"}, "NODELIST CPUS\nvm 2\n"},
		{[]string{"-N", "-s", "-o", "%N %c"}, "NODELIST CPUS\nvm 2\nvm 2\n"},
		{[]string{"-N", "-O", "NodeList,CPUs"}, "NODELIST            CPUS                \nvm                  2                   \nvm                  2                   \n"},
		{[]string{"-o", "%N %c"}, "NODELIST CPUS\nvm 2\n"},
		{[]string{"-O", "NodeList,CPUs"}, "NODELIST            CPUS                \nvm                  2                   \n"},
	} {
		out, errOut, _ := runSinfo(t, tc.args, nil, refPartitions(), []Node{refNode("idle", 0)}, refTime(12, 0, 0))
		if out != tc.out || errOut != "" {
			t.Errorf("sinfo %q:\n%q\nwant\n%q\nstderr %q", tc.args, out, tc.out, errOut)
		}
	}
}
