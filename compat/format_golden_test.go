package compat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// golden is one recorded Slurm invocation under testdata/<cmd>/*.golden.
//
// The file starts with comment lines ("# ...") saying where the output
// comes from (REFERENCE.md section, or the real command run on the
// reference machine), then sections introduced by "-- name --" lines:
// fixture (which Go fixture supplies the jobs or nodes), now (the clock,
// UTC), uid (the caller), args (one argument per line), env (one VAR=value
// per line), stdout, stderr and exit. Section bodies are verbatim.
type golden struct {
	path     string
	fixture  string
	now      time.Time
	uid      uint32
	args     []string
	env      []string
	stdout   string
	stderr   string
	exitCode int
}

// loadGoldens reads every golden file of testdata/<dir>.
func loadGoldens(t *testing.T, dir string) []golden {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no golden files in testdata/%s", dir)
	}
	var out []golden
	for _, p := range paths {
		out = append(out, parseGolden(t, p))
	}
	return out
}

// parseGolden reads one golden file.
func parseGolden(t *testing.T, path string) golden {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g := golden{path: path}
	sections := map[string]string{}
	name := ""
	var body strings.Builder
	flush := func() {
		if name != "" {
			sections[name] = body.String()
		}
		body.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			name = trimmed[3 : len(trimmed)-3]
			continue
		}
		if name == "" {
			continue // the comment header
		}
		body.WriteString(line)
	}
	flush()
	g.fixture = strings.TrimSpace(sections["fixture"])
	if s := strings.TrimSpace(sections["now"]); s != "" {
		g.now, err = time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
		if err != nil {
			t.Fatalf("%s: now: %v", path, err)
		}
	}
	if s := strings.TrimSpace(sections["uid"]); s != "" {
		n, _ := cStrtol(s)
		g.uid = uint32(n)
	}
	g.args = splitLines(sections["args"])
	g.env = splitLines(sections["env"])
	g.stdout = sections["stdout"]
	g.stderr = sections["stderr"]
	if s := strings.TrimSpace(sections["exit"]); s != "" {
		n, _ := cStrtol(s)
		g.exitCode = int(n)
	}
	return g
}

// splitLines returns the lines of s without their newlines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// testUsers resolves the users of the reference machine.
func testUsers(name string) (uint32, bool) {
	switch name {
	case "root", "0":
		return 0, true
	case "nobody", "65534":
		return 65534, true
	}
	return 0, false
}

// errorOutput splits an error into the stdout and stderr text and the
// exit code a shim would produce.
func errorOutput(t *testing.T, err error) (stdout, stderr string, code int) {
	t.Helper()
	if err == nil {
		return "", "", 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Stdout, ue.Err.Msg, ue.Err.Code
	}
	var ce *Error
	if errors.As(err, &ce) {
		return "", ce.Msg, ce.Code
	}
	t.Fatalf("unexpected error type %T: %v", err, err)
	return "", "", 0
}

// checkGolden compares an invocation's result with its golden file.
func checkGolden(t *testing.T, g golden, stdout, stderr string, code int) {
	t.Helper()
	if stdout != g.stdout {
		t.Errorf("%s: stdout differs\n--- got ---\n%s--- want ---\n%s", g.path, stdout, g.stdout)
	}
	if stderr != g.stderr {
		t.Errorf("%s: stderr differs\n--- got ---\n%q\n--- want ---\n%q", g.path, stderr, g.stderr)
	}
	if code != g.exitCode {
		t.Errorf("%s: exit %d, want %d", g.path, code, g.exitCode)
	}
}
