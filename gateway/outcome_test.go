package gateway

import (
	"testing"

	"skyport/gate"
	"skyport/queue"
)

// outcomeOf maps how a run ended to Slurm's job and .batch states, as the
// reference cluster records them (REFERENCE.md §4.4, §1.3).
func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ex   gate.Exit
		want outcome
	}{
		{"ok", gate.Exit{}, outcome{queue.Completed, "None", 0, 0, queue.Completed, 0, 0}},
		{"exit 1", gate.Exit{Code: 1}, outcome{queue.Failed, "NonZeroExitCode", 1, 0, queue.Failed, 1, 0}},
		{"command not found", gate.Exit{Code: 127}, outcome{queue.Failed, "NonZeroExitCode", 127, 0, queue.Failed, 127, 0}},
		{"kill -9 $$", gate.Exit{Signal: 9}, outcome{queue.Failed, "NonZeroExitCode", 0, 9, queue.Cancelled, 0, 9}},
		{"timeout, TERM", gate.Exit{Signal: 15, Cause: gate.CauseTimeout}, outcome{queue.Timeout, "TimeLimit", 0, 0, queue.Cancelled, 0, 15}},
		{"timeout, KILL", gate.Exit{Signal: 9, Cause: gate.CauseTimeout}, outcome{queue.Timeout, "TimeLimit", 0, 0, queue.Cancelled, 0, 9}},
		{"scancel", gate.Exit{Signal: 15, Cause: gate.CauseCancelled}, outcome{queue.Cancelled, "None", 0, 0, queue.Cancelled, 0, 15}},
		{"scancel, trapped", gate.Exit{Code: 143, Cause: gate.CauseCancelled}, outcome{queue.Cancelled, "None", 0, 0, queue.Failed, 143, 0}},
		{"launch failure", gate.Exit{Cause: gate.CauseLaunchFailed}, outcome{queue.Failed, "JobLaunchFailure", 0, 53, queue.Cancelled, 0, 53}},
		{"oom", gate.Exit{Cause: gate.CauseOutOfMemory, Signal: 9}, outcome{queue.OutOfMemory, "OutOfMemory", 0, 125, queue.OutOfMemory, 0, 125}},
		{"node gone", gate.Exit{Cause: causeNodeFail}, outcome{queue.NodeFail, "NodeDown", 0, 0, queue.Cancelled, 0, 0}},
	}
	for _, c := range cases {
		if got := outcomeOf(c.ex); got != c.want {
			t.Errorf("%s: outcomeOf(%+v) = %+v, want %+v", c.name, c.ex, got, c.want)
		}
		if !queue.CanTransition(queue.Running, c.want.state) {
			t.Errorf("%s: RUNNING -> %s is not a legal transition", c.name, c.want.state)
		}
	}
}

func TestInsertSorted(t *testing.T) {
	t.Parallel()
	got := []uint32{}
	for _, id := range []uint32{5, 1, 9, 3, 7, 3} {
		got = insertSorted(got, id)
	}
	want := []uint32{1, 3, 3, 5, 7, 9}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
