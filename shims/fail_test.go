package shims_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skyport/gateway/api"
	"skyport/shims"
)

// A command-line error prints what Slurm prints before it contacts the
// controller: squeue's stray operand shows the usage text on stdout (as
// real Slurm 22.05 does) and the message on stderr.
func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cmd        shims.Command
		args       []string
		stdoutHead string // "" means stdout stays empty
		stderr     string
		code       int
	}{
		{
			name: "squeue stray operand", cmd: shims.Squeue, args: []string{"foo"},
			stdoutHead: "Usage: squeue [-A account] [--clusters names]",
			stderr:     "squeue: error: Unrecognized option: foo\n", code: 1,
		},
		{
			name: "squeue unknown option", cmd: shims.Squeue, args: []string{"--bogus"},
			stderr: "squeue: unrecognized option '--bogus'\nTry \"squeue --help\" for more information\n", code: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr strings.Builder
			inv := &shims.Invocation{
				Args: tc.args, Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
				Cwd: t.TempDir(), Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
				Client: api.NewClient(filepath.Join(t.TempDir(), "none.sock")),
			}
			code := tc.cmd(t.Context(), inv)
			if code != tc.code {
				t.Errorf("exit status = %d; want %d", code, tc.code)
			}
			if got := stderr.String(); got != tc.stderr {
				t.Errorf("stderr = %q; want %q", got, tc.stderr)
			}
			got := stdout.String()
			if tc.stdoutHead == "" && got != "" || !strings.HasPrefix(got, tc.stdoutHead) {
				t.Errorf("stdout = %q; want it to start with %q", got, tc.stdoutHead)
			}
		})
	}
}
