package local

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"skyport/gate"
	"skyport/gate/internal/runname"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      map[string]any
		want    Options
		wantErr string
	}{
		{name: "empty", in: nil, want: Options{}},
		{
			name: "all, as TOML decodes them",
			in:   map[string]any{"cpus": int64(4), "memory_mb": int64(2048), "supervisor": []any{"/usr/bin/skyportd", "supervise"}},
			want: Options{CPUs: 4, MemMB: 2048, SupervisorCmd: []string{"/usr/bin/skyportd", "supervise"}},
		},
		{
			name: "as JSON decodes them",
			in:   map[string]any{"cpus": float64(2), "supervisor": []string{"/x"}},
			want: Options{CPUs: 2, SupervisorCmd: []string{"/x"}},
		},
		{name: "containers", in: map[string]any{"containers": "podman"}, want: Options{Containers: "podman"}},
		{name: "unknown container runtime", in: map[string]any{"containers": "lxc"}, wantErr: "containers"},
		{name: "unknown key", in: map[string]any{"cpu": 1}, wantErr: `unknown option "cpu"`},
		{name: "negative cpus", in: map[string]any{"cpus": int64(-1)}, wantErr: "cpus"},
		{name: "fractional memory", in: map[string]any{"memory_mb": 1.5}, wantErr: "memory_mb"},
		{name: "cpus as a string", in: map[string]any{"cpus": "4"}, wantErr: "cpus"},
		{name: "supervisor not a list", in: map[string]any{"supervisor": "/x"}, wantErr: "supervisor"},
		{name: "supervisor empty", in: map[string]any{"supervisor": []any{}}, wantErr: "supervisor"},
		{name: "supervisor with a number", in: map[string]any{"supervisor": []any{"/x", 1}}, wantErr: "supervisor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseOptions(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseOptions = %v; want an error about %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseOptions = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	if !slices.Contains(gate.Kinds(), "local") {
		t.Fatalf("kinds %v lack local", gate.Kinds())
	}
	g, err := gate.Open("local", gate.Config{
		Name: "here", StateDir: t.TempDir(),
		Options: map[string]any{"cpus": int64(3), "memory_mb": int64(1000)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	nodes, err := g.Nodes(t.Context())
	if err != nil || len(nodes) != 1 || nodes[0].CPUs != 3 || nodes[0].MemMB != 1000 || !nodes[0].Up {
		t.Errorf("Nodes = %+v, %v; want one up node with 3 CPUs and 1000 MB", nodes, err)
	}
	if _, err := gate.Open("local", gate.Config{Name: "x", StateDir: t.TempDir(), Options: map[string]any{"bogus": 1}}); err == nil {
		t.Error("Open with an unknown option succeeded")
	}
}

func TestNodesDefaults(t *testing.T) {
	t.Parallel()
	g := openTest(t, t.TempDir())
	nodes, err := g.Nodes(t.Context())
	if err != nil || len(nodes) != 1 {
		t.Fatalf("Nodes = %v, %v", nodes, err)
	}
	n := nodes[0]
	host, _ := os.Hostname()
	if n.Name == "" || strings.Contains(n.Name, ".") || !strings.HasPrefix(host, n.Name) {
		t.Errorf("name %q; want the short form of %q", n.Name, host)
	}
	if n.CPUs != runtime.NumCPU() || n.MemMB <= 0 || !n.Up {
		t.Errorf("node %+v; want %d CPUs, some memory, up", n, runtime.NumCPU())
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	g := openTest(t, t.TempDir())
	g.Close()
	if _, err := g.Start(t.Context(), testSpec(1, t.TempDir(), "#!/bin/sh\n")); !errors.Is(err, gate.ErrUnavailable) {
		t.Errorf("Start on a closed gate = %v; want gate.ErrUnavailable", err)
	}
	if _, err := g.Nodes(t.Context()); err == nil {
		t.Error("Nodes on a closed gate succeeded")
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	state := t.TempDir()
	g := openTest(t, state)
	wd := t.TempDir()
	var want []string
	for _, id := range []uint32{3, 1} {
		h, err := g.Start(ctx, testSpec(id, wd, "#!/bin/sh\ntrue\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Wait(ctx, h); err != nil {
			t.Fatal(err)
		}
		want = append(want, string(h))
	}
	// Debris of a Start that died half-way is no run.
	if err := os.Mkdir(filepath.Join(state, "jobs", ".new-9.0-123"), 0o700); err != nil {
		t.Fatal(err)
	}
	hs, err := g.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hs {
		got = append(got, string(h))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("List = %q; want %q", got, want)
	}
}

func TestSweep(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	jobs := filepath.Join(state, "jobs")
	old, fresh := filepath.Join(jobs, ".new-1.0-1"), filepath.Join(jobs, ".new-2.0-2")
	for _, d := range []string{old, fresh} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	openTest(t, state)
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale %s survived: %v", old, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh %s removed: %v", fresh, err)
	}
}

func TestParseHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" for gate.ErrNotFound
	}{
		{`{"run":"42.0"}`, "42.0"},
		{`{"run":"4294967295.12"}`, "4294967295.12"},
		{`{"run":"4294967296.0"}`, ""},
		{`{"run":"42"}`, ""},
		{`{"run":"042.0"}`, ""},
		{`{"run":"42.-1"}`, ""},
		{`{"run":"../42.0"}`, ""},
		{`{"run":"42.0/.."}`, ""},
		{`{"run":"+42.0"}`, ""},
		{`{"run":""}`, ""},
		{`{}`, ""},
		{`not json`, ""},
		{``, ""},
	}
	for _, tc := range tests {
		got, err := parseHandle(gate.Handle(tc.in))
		if tc.want == "" {
			if !errors.Is(err, gate.ErrNotFound) {
				t.Errorf("parseHandle(%s) = %q, %v; want gate.ErrNotFound", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseHandle(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseHandle(f *testing.F) {
	for _, s := range []string{`{"run":"42.0"}`, `{"run":"../x"}`, `{"run":"1.2","x":1}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		name, err := parseHandle(b)
		if err != nil {
			if !errors.Is(err, gate.ErrNotFound) {
				t.Fatalf("error %v is not gate.ErrNotFound", err)
			}
			return
		}
		if !runname.Valid(name) || strings.ContainsAny(name, "/\\") || filepath.Base(name) != name {
			t.Fatalf("accepted run name %q", name)
		}
		if again, err := parseHandle(encodeHandle(name)); err != nil || again != name {
			t.Fatalf("round trip of %q = %q, %v", name, again, err)
		}
	})
}

func TestParseStatTicks(t *testing.T) {
	t.Parallel()
	rest := " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21"
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"123 (sleep)" + rest, 987654, true},
		{"123 (a) b (c))" + rest, 987654, true},
		{"123 (with space)" + rest, 987654, true},
		{"123 sleep" + rest, 0, false},
		{"123 (sleep) S 1 2", 0, false},
		{"123 (sleep)" + strings.Replace(rest, "987654", "x", 1), 0, false},
	}
	for _, tc := range tests {
		got, err := parseStatTicks([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseStatTicks(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	self, err := startTicks(os.Getpid())
	if err != nil || self == 0 {
		t.Errorf("startTicks(self) = %d, %v", self, err)
	}
}

func FuzzParseStatTicks(f *testing.F) {
	f.Add([]byte("1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 42 1000 10"))
	f.Add([]byte("1 ()))) S"))
	f.Fuzz(func(_ *testing.T, b []byte) {
		_, _ = parseStatTicks(b) // must not panic
	})
}

func TestParseMemTotal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       24683620 kB\nMemFree: 1 kB\n", 24105, true}, // what slurmd -C says here
		{"MemFree: 1 kB\nMemTotal: 2048 kB", 2, true},
		{"MemTotal: 2048 MB\n", 0, false},
		{"MemTotal: -5 kB\n", 0, false},
		{"MemTotal:\n", 0, false},
		{"MemFree: 1 kB\n", 0, false},
	}
	for _, tc := range tests {
		got, err := parseMemTotal([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseMemTotal(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseMemTotal(f *testing.F) {
	f.Add([]byte("MemTotal:       24683620 kB\n"))
	f.Add([]byte("MemTotal: kB kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		mb, err := parseMemTotal(b)
		if err == nil && mb < 0 {
			t.Fatalf("negative memory %d", mb)
		}
	})
}

func TestFillLast(t *testing.T) {
	t.Parallel()
	tests := []struct{ line, v, want string }{
		{"AT %s ***", "T", "AT T ***"},
		{"dir `/a%s': %s: going", "E", "dir `/a%s': E: going"},
		{"no verb", "x", "no verb"},
	}
	for _, tc := range tests {
		if got := fillLast(tc.line, tc.v); got != tc.want {
			t.Errorf("fillLast(%q, %q) = %q; want %q", tc.line, tc.v, got, tc.want)
		}
	}
}

// TestScriptModeIgnoresUmask: a restrictive umask in the daemon (the umask
// is the whole process's) must not leave the job's script unrunnable.
// Not parallel: it changes the process's umask while it runs alone.
func TestScriptModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o177)
	defer syscall.Umask(old)
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	h, err := g.Start(ctx, testSpec(1, t.TempDir(), "#!/bin/sh\nexit 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := g.Wait(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Code != 7 {
		t.Errorf("exit %d (%s), want 7: the script did not run", ex.Code, ex.Detail)
	}
}
