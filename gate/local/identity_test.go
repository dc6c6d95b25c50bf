package local

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"skyport/gate"
)

// TestRunAsUser: a root gate runs a job as its user: the script, the files
// it creates and the files the supervisor opens for it are the user's, and
// so are the permission denials.
func TestRunAsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	t.Parallel()
	state, wd := t.TempDir(), t.TempDir()
	// t.TempDir makes 0700 directories: let the user through to its script
	// and its files.
	for _, d := range []string{filepath.Dir(state), state, filepath.Dir(wd)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(wd, 0o777); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(wd, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	g := openTest(t, state)

	tests := []struct {
		name  string
		edit  func(s *gate.Spec)
		check func(t *testing.T, s gate.Spec, e gate.Exit)
	}{
		{"runs as the user", nil, func(t *testing.T, s gate.Spec, e gate.Exit) {
			if e.Code != 0 || e.Cause != gate.CauseNone {
				t.Fatalf("exit = %+v", e)
			}
			want := u.Uid + "\n" + u.Gid + "\n"
			if b, _ := os.ReadFile(s.StdOut); string(b) != want {
				t.Errorf("output = %q; want %q", b, want)
			}
			for _, p := range []string{s.StdOut, filepath.Join(wd, "mine")} {
				if owner(t, p) != uid {
					t.Errorf("%s owned by uid %d; want %d", p, owner(t, p), uid)
				}
			}
		}},
		{"output where the user cannot write", func(s *gate.Spec) {
			s.StdOut = filepath.Join(locked, "out")
		}, func(t *testing.T, _ gate.Spec, e gate.Exit) {
			if e.Cause != gate.CauseLaunchFailed || !strings.Contains(e.Detail, "permission denied") {
				t.Errorf("exit = %+v; want a launch failure, permission denied", e)
			}
		}},
		{"work dir the user cannot enter", func(s *gate.Spec) {
			s.WorkDir = locked
			s.WorkDirLine = "chdir: %s"
			s.Script = []byte("#!/bin/sh\npwd -P\n")
		}, func(t *testing.T, s gate.Spec, e gate.Exit) {
			want := "chdir: Permission denied\nchdir: Permission denied\n/tmp\n"
			if b, _ := os.ReadFile(s.StdOut); e.Code != 0 || string(b) != want {
				t.Errorf("exit %+v, output %q; want code 0, output %q", e, b, want)
			}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			s := testSpec(uint32(i+1), wd, "#!/bin/sh\nid -u; id -g; touch \"$WD/mine\"\n")
			s.StdOut = filepath.Join(wd, "out"+strconv.Itoa(i))
			s.User, s.UID, s.GID = u.Username, uint32(uid), uint32(gid)
			if tc.edit != nil {
				tc.edit(&s)
			}
			h, err := g.Start(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			e, err := g.Wait(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s, e)
		})
	}
}

// owner returns the uid owning path.
func owner(t *testing.T, path string) int {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Sys().(*syscall.Stat_t).Uid)
}

// TestForeignUID: a gate that is not root refuses to run another user's
// job, as a launch failure.
func TestForeignUID(t *testing.T) {
	t.Parallel()
	s := gate.Spec{UID: uint32(os.Geteuid()) + 1}
	_, err := identityOf(&s)
	if os.Geteuid() == 0 {
		if err != nil {
			t.Errorf("root: identityOf = %v", err)
		}
		return
	}
	if err == nil {
		t.Error("a non-root supervisor accepted another uid")
	}
}
