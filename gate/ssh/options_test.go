package ssh

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"skyport/gate"
	"skyport/gate/internal/opts"
	"skyport/gate/ssh/sshtest"
)

// gateTable decodes a TOML document and returns the table of the gate
// "lab", as the configs layer hands it to the factory.
func gateTable(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(doc, &m); err != nil {
		t.Fatal(err)
	}
	tab := m["gates"].(map[string]any)["lab"].(map[string]any)
	delete(tab, "kind")
	return tab
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tab := gateTable(t, `
[gates.lab]
kind = "ssh"
supervisor = "/opt/skyport/skyport-supervise"
node_fail_grace = "90s"
keepalive_interval = 20
connect_timeout = "5s"
max_stage_size = "2G"

[[gates.lab.hosts]]
name = "gpu1"
address = "gpu1.example:2222"
user = "alice"
key_file = "/home/alice/.ssh/id_ed25519"
cpus = 32
memory = "16G"
max_jobs = 4
gpus = 2
known_hosts = ["/home/alice/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"]
containers = "docker"

[[gates.lab.hosts]]
name = "cpu1"
address = "cpu1.example"
memory = 2048
host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK5YcYNVPYXHq6p9u40D4c+VImF0LYmLCGD0wWrrJ3Uq cpu1"
shared_fs = true
remote_dir = "/scratch/skyport"
`)
	got, err := parseOptions(tab)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		Supervisor:        "/opt/skyport/skyport-supervise",
		NodeFailGrace:     90 * time.Second,
		KeepAliveInterval: 20 * time.Second,
		ConnectTimeout:    5 * time.Second,
		MaxStageBytes:     2 << 30,
		Hosts: []Host{
			{Name: "gpu1", Address: "gpu1.example:2222", User: "alice", KeyFile: "/home/alice/.ssh/id_ed25519",
				CPUs: 32, MemMB: 16384, MaxJobs: 4, GPUs: 2,
				KnownHosts: []string{"/home/alice/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"}, Containers: "docker"},
			{Name: "cpu1", Address: "cpu1.example", MemMB: 2048,
				HostKey:  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK5YcYNVPYXHq6p9u40D4c+VImF0LYmLCGD0wWrrJ3Uq cpu1",
				SharedFS: true, RemoteDir: "/scratch/skyport"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseOptions =\n%+v\nwant\n%+v", got, want)
	}
	full, err := got.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if h := full.Hosts[1]; h.Address != "cpu1.example:22" || h.User == "" {
		t.Errorf("defaults: host %+v; want port 22 and the current user", h)
	}
	if full.KeepAliveTimeout != defaultKeepAlive || full.PollInterval != defaultPollInterval {
		t.Errorf("defaults: %+v", full)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	t.Parallel()
	host := func(kv string) string {
		return "[gates.lab]\n[[gates.lab.hosts]]\nname = \"a\"\naddress = \"a:22\"\n" + kv + "\n"
	}
	tests := []struct {
		name, doc, want string
	}{
		{"unknown top key", "[gates.lab]\nhots = 1\n", `unknown option "hots"`},
		{"unknown host key", host(`adress = "x"`), `unknown option "adress"`},
		{"bad memory", host(`memory = "lots"`), "memory"},
		{"negative cpus", host(`cpus = -1`), "cpus"},
		{"bad duration", "[gates.lab]\nnode_fail_grace = \"soon\"\n", "node_fail_grace"},
		{"shared_fs not bool", host(`shared_fs = "yes"`), "shared_fs"},
		{"unknown container runtime", host(`containers = "lxc"`), "containers"},
		{"hosts not tables", "[gates.lab]\nhosts = [1]\n", "hosts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseOptions(gateTable(t, tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseOptions = %v; want an error about %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		hosts []Host
		want  string
	}{
		{"no hosts", nil, "no hosts"},
		{"no address", []Host{{Name: "a"}}, "no address"},
		{"twice", []Host{{Name: "a", Address: "x"}, {Name: "a", Address: "y"}}, "named twice"},
		{"bad pinned key", []Host{{Name: "a", Address: "x", HostKey: "nonsense"}}, "host_key"},
	} {
		if _, err := (Options{Hosts: tc.hosts}).withDefaults(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: withDefaults = %v; want an error about %q", tc.name, err, tc.want)
		}
	}
}

func TestMemSizes(t *testing.T) {
	t.Parallel()
	for in, want := range map[any]int64{
		int64(512): 512, "512": 512, "16G": 16384, "16g": 16384, "1T": 1 << 20, "1536K": 2, "100M": 100,
	} {
		if got, err := opts.MemMB(in); err != nil || got != want {
			t.Errorf("MemMB(%v) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestRegistry opens the gate by kind through the registry, from options
// as TOML gives them, and reaches the in-process server.
func TestRegistry(t *testing.T) {
	t.Parallel()
	if !slices.Contains(gate.Kinds(), "ssh") {
		t.Fatalf("kinds %v lack ssh", gate.Kinds())
	}
	key, pub := sshtest.NewKey(t)
	srv := sshtest.NewServer(t, pub)
	exe := testOptions(t).Supervisor
	g, err := gate.Open("ssh", gate.Config{Name: "lab", StateDir: t.TempDir(), Options: map[string]any{
		"supervisor": exe,
		"hosts": []map[string]any{{
			"name": "n1", "address": srv.Addr, "user": "root", "key_file": key,
			"host_key": srv.AuthorizedKey(), "cpus": int64(3), "memory": "1G", "remote_dir": remoteDir,
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Close() }()
	nodes, err := g.Nodes(t.Context())
	if err != nil || len(nodes) != 1 || nodes[0] != (gate.Node{Name: "n1", CPUs: 3, MemMB: 1024, Up: true}) {
		t.Errorf("Nodes = %+v, %v; want n1 up with 3 CPUs and 1024 MB", nodes, err)
	}
	if _, err := gate.Open("ssh", gate.Config{Name: "x", StateDir: t.TempDir(), Options: map[string]any{"bogus": 1}}); err == nil ||
		!strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("Open with an unknown option = %v; want an error naming it", err)
	}
}
