package compat

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestWrapScript(t *testing.T) {
	t.Parallel()
	// REFERENCE §1.1: scontrol write batch_script of a --wrap job.
	want := "#!/bin/sh\n# This script was created by sbatch --wrap.\n\necho wrapped\n"
	if got := string(WrapScript("echo wrapped")); got != want {
		t.Errorf("WrapScript = %q, want %q", got, want)
	}
	if err := ValidateScript(WrapScript("true")); err != nil {
		t.Errorf("ValidateScript(WrapScript) = %v", err)
	}
}

func TestValidateScript(t *testing.T) {
	t.Parallel()
	const (
		empty  = "sbatch: error: Batch script is empty!\n"
		blank  = "sbatch: error: Batch script contains only whitespace!\n"
		noBang = "sbatch: error: This does not look like a batch script.  The first\n" +
			"sbatch: error: line must start with #! followed by the path to an interpreter.\n" +
			"sbatch: error: For instance: #!/bin/sh\n"
		nul = "sbatch: error: The Slurm controller does not allow scripts that\n" +
			"sbatch: error: contain a NULL character '\\0'.\n"
		dos = "sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n" +
			"sbatch: error: instead of expected UNIX line breaks (\\n).\n"
	)
	tests := []struct{ script, want string }{
		// REFERENCE §1.2 and §1.13.
		{"", empty},
		{"\n\n", blank},
		{"echo no shebang", noBang},
		{"#!/bin/bash\n", ""},
		{"#!/bin/bash\n#SBATCH -J fromstdin\necho from stdin", ""},
		// Checked against sbatch 22.05.8.
		{"  \n\t\n", blank},
		{"\v\f \n", blank},
		{"\r\n", blank},
		{"\x00", blank},
		{"\x00abc", blank},
		{" \x00#!", blank},
		{"echo x\r\n", noBang},
		{"\r\n\r\n#!/bin/sh\n", noBang},
		{" #!/bin/sh\n", noBang},
		{"\n#!/bin/sh\n", noBang},
		{"#\n", noBang},
		{"#!\n", ""},
		{"#!/bin/sh\r\n", dos},
		{"#!/bin/sh\n\x00\n", nul},
		{"#!/bin/sh\r\n\x00", nul},
		{"#!/bin/sh\necho a\rb\n", ""},
		{"#!/bin/sh\necho a\r", ""},
	}
	for _, tc := range tests {
		err := ValidateScript([]byte(tc.script))
		if tc.want == "" {
			if err != nil {
				t.Errorf("ValidateScript(%q) = %v", tc.script, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Msg != tc.want || e.Code != 1 {
			t.Errorf("ValidateScript(%q) = %v, want %q exit 1", tc.script, err, tc.want)
		}
	}
}

func TestParseDirectives(t *testing.T) {
	t.Parallel()
	const slurmWarn = "sbatch: error: Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch\n"
	tests := []struct {
		name, script string
		want         []string
		warn         string
	}{
		{"reference 1.11", "#!/bin/bash\n#SBATCH --job-name=fromdirective\n#SBATCH -t 00:05:00\n#SBATCH -p cloud\n" +
			"#SBATCH --output=dir-%x-%j.out\n#SBATCH -c 1\necho \"name=$SLURM_JOB_NAME\"\n#SBATCH -J ignored-after-first-command\n",
			[]string{"--job-name=fromdirective", "-t", "00:05:00", "-p", "cloud", "--output=dir-%x-%j.out", "-c", "1"}, ""},
		{"quoted comment", "#!/bin/sh\n#SBATCH --comment=\"a b # c\" -J x\ntrue\n", []string{"--comment=a b # c", "-J", "x"}, ""},
		{"inline comment", "#!/bin/sh\n#SBATCH -t 5 # five minutes\ntrue\n", []string{"-t", "5"}, ""},
		{"hash in word", "#!/bin/sh\n#SBATCH -J x#y -t 5\ntrue\n", []string{"-J", "x"}, ""},
		{"quotes join", "#!/bin/sh\n#SBATCH -J \"a\"b'c d'\n", []string{"-J", "abc d"}, ""},
		{"escaped quote", "#!/bin/sh\n#SBATCH -J a\\\"b\n", []string{"-J", "a\"b"}, ""},
		{"other quote inside", "#!/bin/sh\n#SBATCH -J 'a\"b'\n", []string{"-J", "a\"b"}, ""},
		{"escape in quotes", "#!/bin/sh\n#SBATCH -J \"a\\\"b\" -p \"x\\\\y\"\n", []string{"-J", "a\"b", "-p", "x\\y"}, ""},
		{"escaped hash", "#!/bin/sh\n#SBATCH -J a\\#b\n", []string{"-J", "a#b"}, ""},
		{"escaped space splits", "#!/bin/sh\n#SBATCH --comment=a\\ b\n", []string{"--comment=a", "b"}, ""},
		{"trailing backslash", "#!/bin/sh\n#SBATCH -J a\\\n", []string{"-J", "a"}, ""},
		{"empty word ends line", "#!/bin/sh\n#SBATCH -J \"\" -t 5\n#SBATCH -p x\n", []string{"-J", "-p", "x"}, ""},
		{"empty word after value", "#!/bin/sh\n#SBATCH -J x '' -t 5\n", []string{"-J", "x"}, ""},
		{"only comment", "#!/bin/sh\n#SBATCH # -J x\n#SBATCH\n#SBATCH \n", nil, ""},
		{"no space", "#!/bin/sh\n#SBATCH--comment=nospace\n", []string{"--comment=nospace"}, ""},
		{"tabs", "#!/bin/sh\n#SBATCH  \t --comment=tabs\n", []string{"--comment=tabs"}, ""},
		{"blank lines go on", "#!/bin/sh\n\n   \n\t\n#SBATCH --comment=afterblank\n", []string{"--comment=afterblank"}, ""},
		{"indented comment goes on", "#!/bin/sh\n  # c\n#SBATCH -J x\n", []string{"-J", "x"}, ""},
		{"indented directive is a comment", "#!/bin/sh\n  #SBATCH -J indented\n#SBATCH -J x\n", []string{"-J", "x"}, ""},
		{"lower case is a comment", "#!/bin/sh\n#sbatch --comment=lower\n", nil, ""},
		{"no newline at end", "#!/bin/sh\n#SBATCH --comment=noeol", []string{"--comment=noeol"}, ""},
		{"value on next line", "#!/bin/sh\n#SBATCH -t\n#SBATCH 5\ntrue\n", []string{"-t", "5"}, ""},
		{"SBATCHX", "#!/bin/sh\n#SBATCHX --comment=x\n", []string{"X", "--comment=x"}, ""},
		{"#SLURM warns once", "#!/bin/sh\n#SLURM -J a\n#SLURM -J b\n", []string{"-J", "a", "-J", "b"}, slurmWarn},
		{"hetjob at the end", "#!/bin/sh\n#SBATCH -J a -J b hetjob\n", []string{"-J", "a", "-J", "b", HetJobSeparator}, ""},
		{"HETJOB", "#!/bin/sh\n#SBATCH -J a\n#SBATCH HETJOB\n#SBATCH -J b\n", []string{"-J", "a", HetJobSeparator, "-J", "b"}, ""},
		{"separator ends its line", "#!/bin/sh\n#SBATCH -J a hetjob -n\n#SBATCH -J b\n", []string{"-J", "a", HetJobSeparator, "-J", "b"}, ""},
		{"quoted hetjob is a word", "#!/bin/sh\n#SBATCH \"hetjob\"\n", []string{"hetjob"}, ""},
		{"packjob", "#!/bin/sh\n#SBATCH -J a packjob\n", []string{"-J", "a", HetJobSeparator},
			"sbatch: Warning: the \"packjob\" component separator is being deprecated. Please, use \"hetjob\" instead.\n"},
		{"stops at command", "#!/bin/sh\nset -e\n#SBATCH -J late\n", nil, ""},
	}
	for _, tc := range tests {
		got, warn, err := ParseDirectives([]byte(tc.script), "job.sh")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(got, tc.want) || warn != tc.warn {
			t.Errorf("%s: got %q warn %q, want %q warn %q", tc.name, got, warn, tc.want, tc.warn)
		}
	}
}

func TestParseDirectivesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, file, script, want string }{
		// Checked against sbatch 22.05.8 (exit 1 each).
		{"unterminated", "s.sh", "#!/bin/sh\n#SBATCH --comment=\"unterminated\ntrue\n",
			"sbatch: fatal: s.sh: line 2: Unmatched `\"` in [--comment=\"unterminated]\n"},
		{"stdin", "", "#!/bin/sh\n#SBATCH --comment=\"x\n", "sbatch: fatal: stdin: line 2: Unmatched `\"` in [--comment=\"x]\n"},
		{"base name", "/tmp/sbx/q.sh", "#!/bin/sh\n#SBATCH    --comment=\"x\n", "sbatch: fatal: q.sh: line 2: Unmatched `\"` in [--comment=\"x]\n"},
		{"second word", "s.sh", "#!/bin/sh\n\n#SBATCH -J x --comment=\"bad\ntrue\n",
			"sbatch: fatal: s.sh: line 3: Unmatched `\"` in [ --comment=\"bad]\n"},
		{"spaces kept", "s.sh", "#!/bin/sh\n\n#SBATCH   -J x   --comment=\"bad  y\n",
			"sbatch: fatal: s.sh: line 3: Unmatched `\"` in [   --comment=\"bad  y]\n"},
		{"single", "s.sh", "#!/bin/sh\n\n#SBATCH -J 'x\n", "sbatch: fatal: s.sh: line 3: Unmatched `'` in [ 'x]\n"},
		{"reopened", "s.sh", "#!/bin/sh\n\n#SBATCH -J \"x\"y\"z\n", "sbatch: fatal: s.sh: line 3: Unmatched `\"` in [ \"x\"y\"z]\n"},
		{"tab", "s.sh", "#!/bin/sh\n\n#SBATCH\t-J\t\"x\n", "sbatch: fatal: s.sh: line 3: Unmatched `\"` in [\t\"x]\n"},
		{"after #SLURM", "", "#!/bin/sh\n#SLURM -J a\n#SBATCH --comment=\"x\n",
			"sbatch: error: Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch\n" +
				"sbatch: fatal: stdin: line 3: Unmatched `\"` in [--comment=\"x]\n"},
		{"before a bad directive", "", "#!/bin/sh\n#SBATCH -J a b\n#SBATCH --comment=\"x\n",
			"sbatch: fatal: stdin: line 3: Unmatched `\"` in [--comment=\"x]\n"},
	}
	for _, tc := range tests {
		_, _, err := ParseDirectives([]byte(tc.script), tc.file)
		var e *Error
		if !errors.As(err, &e) || e.Msg != tc.want || e.Code != 1 {
			t.Errorf("%s: err = %v, want %q exit 1", tc.name, err, tc.want)
		}
	}
}

func FuzzParseDirectives(f *testing.F) {
	f.Add("#!/bin/sh\n#SBATCH -J \"a b\" -t 5 # c\n#SBATCH --mem=1G\ntrue\n#SBATCH -p x\n")
	f.Add("#!/bin/sh\n#SBATCH --comment='x\n")
	f.Add("#!/bin/sh\n#SLURM -J a\\ b\n#SBATCH hetjob\n#SBATCH -J b\n")
	f.Fuzz(func(t *testing.T, script string) {
		args, warn, err := ParseDirectives([]byte(script), "job.sh")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != 1 || !strings.HasSuffix(e.Msg, "\n") {
				t.Fatalf("ParseDirectives: error %v is not an exit-1 *Error", err)
			}
			return
		}
		if warn != "" && !strings.HasSuffix(warn, "\n") {
			t.Fatalf("warning %q lacks its newline", warn)
		}
		for _, a := range args {
			if a == "" || (a != HetJobSeparator && strings.ContainsAny(a, "\n\x00")) {
				t.Fatalf("ParseDirectives gave word %q", a)
			}
		}
		// Merging the result never panics and fails only with Slurm's codes.
		if _, err := MergeOptions(SubmitOptions{}, nil, args); err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != 1 && e.Code != 255) {
				t.Fatalf("MergeOptions(%q): %v", args, err)
			}
		}
	})
}
