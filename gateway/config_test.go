package gateway

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"skyport/compat"
)

// Every example in configs/ loads and validates.
func TestExampleConfigs(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../configs/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			if _, err := LoadConfig(f); err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
		})
	}
}

// The printed default file loads to exactly Default().
func TestDefaultTOMLIsDefault(t *testing.T) {
	t.Parallel()
	got, err := ParseConfig([]byte(DefaultTOML))
	if err != nil {
		t.Fatalf("ParseConfig(DefaultTOML): %v", err)
	}
	want := Default()
	if got.Daemon != want.Daemon {
		t.Errorf("daemon = %+v, want %+v", got.Daemon, want.Daemon)
	}
	if len(got.Partitions) != 1 || got.Partitions[0] != want.Partitions[0] {
		t.Errorf("partitions = %+v, want %+v", got.Partitions, want.Partitions)
	}
	if len(got.Gates) != 1 || !reflect.DeepEqual(got.Gates["local"], want.Gates["local"]) {
		t.Errorf("gates = %+v, want %+v", got.Gates, want.Gates)
	}
}

func TestConfigValues(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]byte(`
[daemon]
kill_wait = "5s"
[gates.here]
kind = "local"
cpus = 4
memory = "8G"
[[partitions]]
name = "p"
gate = "here"
default = true
max_time = "1-00:00:00"
`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Daemon.KillWait) != 5*time.Second {
		t.Errorf("kill_wait = %v", time.Duration(cfg.Daemon.KillWait))
	}
	if cfg.Daemon.MinJobAge != Duration(300*time.Second) {
		t.Errorf("min_job_age default lost: %v", time.Duration(cfg.Daemon.MinJobAge))
	}
	if g := cfg.Gates["here"]; g.CPUs != 4 || g.Memory != 8192 {
		t.Errorf("gate = %+v", g)
	}
	p := cfg.Partitions[0]
	if p.MaxTime != 1440 || p.DefaultTime != TimeLimit(compat.Infinite) || p.State != "up" || p.DefMemPerCPU != 1024 {
		t.Errorf("partition = %+v", p)
	}
}

// Bad input names the line and says what is wrong.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, doc, want string }{
		{"unknown top key", "bogus = 1\n", `line 1: unknown key "bogus"`},
		{"unknown daemon key", "[daemon]\ncluster_name = \"x\"\nkillwait = \"3s\"\n", `line 3: unknown key "daemon.killwait"`},
		{"unknown partition key", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"local\"\ndefault = true\nmaxtime = 5\n", `line 7: unknown key "partitions.maxtime"`},
		{"bad duration", "[daemon]\n\nkill_wait = \"soon\"\n", `line 3: daemon.kill_wait: invalid duration "soon"`},
		{"bad memory", "[gates.local]\nkind = \"local\"\nmemory = \"lots\"\n", `line 3`},
		{"bad time", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"local\"\ndefault = true\nmax_time = \"1:2:3:4\"\n", `line 7`},
		{"syntax", "[daemon\n", "to end table name"},
		{"wrong type", "[daemon]\nlog_level = 3\n", "line 2"},
		{"no default", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"local\"\n", "exactly one must have default = true"},
		{"unknown gate", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"nope\"\ndefault = true\n", `unknown gate "nope"`},
		{"bad state", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"local\"\ndefault = true\nstate = \"sleepy\"\n", `state "sleepy"`},
		{"duplicate partition", "[gates.local]\nkind = \"local\"\n[[partitions]]\nname = \"a\"\ngate = \"local\"\ndefault = true\n[[partitions]]\nname = \"a\"\ngate = \"local\"\n", `"a" is defined twice`},
		{"bad log level", "[daemon]\nlog_level = \"loud\"\n", "log_level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseConfig([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	t.Parallel()
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Fatalf("err = %v, want a not-exist error", err)
	}
}

func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestConfigGateTable: a gate of another kind gets its whole table (its
// own keys included), and an unknown key of a local gate is still an error.
func TestConfigGateTable(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]byte(`
[gates.lab]
kind = "ssh"
node_fail_grace = "5s"
[[gates.lab.hosts]]
name = "n1"
address = "n1:22"
[[partitions]]
name = "lab"
gate = "lab"
default = true
`))
	if err != nil {
		t.Fatal(err)
	}
	tbl := cfg.Gates["lab"].options()
	hosts, _ := tbl["hosts"].([]map[string]any)
	if tbl["node_fail_grace"] != "5s" || len(hosts) != 1 || hosts[0]["name"] != "n1" || tbl["kind"] != nil {
		t.Errorf("options = %#v", tbl)
	}
	_, err = ParseConfig([]byte("[gates.local]\nkind = \"local\"\nbogus = 1\n"))
	if err == nil || !strings.Contains(err.Error(), `line 3: unknown key "gates.local.bogus"`) {
		t.Errorf("unknown local key: %v", err)
	}
}
