package local

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// partScript traps USR1 and USR2 in the batch shell and starts two
// children that log the USR1 they get: a plain one and an srun step's
// (SLURM_STEP_ID set). Everything ends once $WD/go exists.
const partScript = `#!/bin/sh
trap 'echo USR1 >> "$WD/shell"' USR1
trap 'echo USR2 >> "$WD/shell"' USR2
sh -c 'trap "echo USR1 >> \"$WD/child\"" USR1; touch "$WD/child-up"; while [ ! -e "$WD/go" ]; do sleep 0.02; done; echo end >> "$WD/child"' &
SLURM_STEP_ID=0 sh -c 'trap "echo USR1 >> \"$WD/step\"" USR1; touch "$WD/step-up"; while [ ! -e "$WD/go" ]; do sleep 0.02; done; echo end >> "$WD/step"' &
touch "$WD/started"
while [ ! -e "$WD/go" ]; do sleep 0.02; done
wait
`

// TestSignalPart: scancel's default signal reaches only the srun step's
// processes, --batch only the script; a signal already sent is handled
// before the processes see $WD/go, so what each logged is all it got.
func TestSignalPart(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	g := openTest(t, t.TempDir())
	wd := t.TempDir()
	h, err := g.Start(ctx, testSpec(1, wd, partScript))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"started", "child-up", "step-up"} {
		waitFile(ctx, t, filepath.Join(wd, f))
	}
	if err := g.SignalPart(ctx, h, syscall.SIGUSR1, false); err != nil {
		t.Fatal(err)
	}
	waitFile(ctx, t, filepath.Join(wd, "step"))
	if err := g.SignalPart(ctx, h, syscall.SIGUSR2, true); err != nil {
		t.Fatal(err)
	}
	waitFile(ctx, t, filepath.Join(wd, "shell"))
	touch(t, filepath.Join(wd, "go"))
	if _, err := g.Wait(ctx, h); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"shell": "USR2\n", "child": "end\n", "step": "USR1\nend\n"}
	for name, w := range want {
		b, err := os.ReadFile(filepath.Join(wd, name))
		if err != nil || string(b) != w {
			t.Errorf("%s logged %q (%v); want %q", name, b, err, w)
		}
	}
}
