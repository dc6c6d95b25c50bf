package gatetest

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// stubborn is a script that shrugs SIGTERM off and runs until killed; it
// creates "started" in the scratch directory once its trap is set.
const stubborn = `trap 'echo got TERM' TERM
touch "$WD/started"
while :; do sleep 0.05; done`

// testKillGrace: Kill writes its line, sends its signal, and SIGKILL
// follows after the grace when the job ignores the signal; the exit says
// cancelled. Kill and Signal of the ended job do nothing.
func testKillGrace(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, stubborn)
	hd := h.start(s)
	h.waitFile("started")
	req := gate.KillRequest{Signal: unix.SIGTERM, Grace: time.Second, Line: "*** KILLED AT %s ***", Cause: gate.CauseCancelled}
	if err := h.gate().Kill(h.ctx(), hd, req); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	e := h.wait(hd)
	checkExit(t, e, 0, 9, gate.CauseCancelled)
	out := h.read(s.StdOut)
	if !hasLine(out, `\*\*\* KILLED AT `+stampRE+` \*\*\*`) {
		t.Errorf("output %q: no kill line", out)
	}
	if !hasLine(out, "got TERM") {
		t.Errorf("output %q: the job never got SIGTERM", out)
	}
	if err := h.gate().Kill(h.ctx(), hd, req); err != nil {
		t.Errorf("Kill of an ended job = %v; want nil", err)
	}
	if err := h.gate().Signal(h.ctx(), hd, unix.SIGUSR1); err != nil {
		t.Errorf("Signal of an ended job = %v; want nil", err)
	}
	if e2 := h.wait(hd); !sameExit(e2, e) {
		t.Errorf("exit changed by a late Kill: %+v, was %+v", e2, e)
	}
}

// testKillTerm: a job that does not catch the signal dies of it; the
// line goes to the separate error file only.
func testKillTerm(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, `touch "$WD/started"; sleep 300`)
	s.StdErr = h.path("err")
	hd := h.start(s)
	h.waitFile("started")
	req := gate.KillRequest{Signal: unix.SIGTERM, Grace: time.Minute, Line: "CANCELLED AT %s", Cause: gate.CauseCancelled}
	if err := h.gate().Kill(h.ctx(), hd, req); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	checkExit(t, h.wait(hd), 0, 15, gate.CauseCancelled)
	if errs := h.read(s.StdErr); !hasLine(errs, "CANCELLED AT "+stampRE) {
		t.Errorf("error file %q: no kill line", errs)
	}
	if out := h.read(s.StdOut); strings.Contains(out, "CANCELLED") {
		t.Errorf("output file %q has the kill line meant for the error file", out)
	}
}

// testKillRace: a Kill racing with the job's own end leaves one
// consistent exit: the natural one, or the cancellation.
func testKillRace(t *testing.T, open Opener) {
	h := newHarness(t, open)
	for i := range 5 {
		hd := h.start(h.spec(uint32(i+1), "exit 0"))
		err := h.gate().Kill(h.ctx(), hd, gate.KillRequest{Signal: unix.SIGKILL, Cause: gate.CauseCancelled})
		if err != nil {
			t.Fatalf("Kill: %v", err)
		}
		e := h.wait(hd)
		natural := e.Cause == gate.CauseNone && e.Code == 0 && e.Signal == 0
		// Cancelled also when the script exited just as the signal went out.
		killed := e.Cause == gate.CauseCancelled && e.Code == 0 && (e.Signal == 9 || e.Signal == 0)
		if !natural && !killed {
			t.Errorf("job %d exit = %+v; want exit 0, or cancelled (by signal 9)", i+1, e)
		}
		r, err := h.gate().Reap(h.ctx(), hd)
		if err != nil || !sameExit(r, e) {
			t.Errorf("Reap = %+v, %v; Wait said %+v", r, err, e)
		}
	}
}

// testTimeLimit: at the time limit the gate writes the timeout line to
// the error file, sends SIGTERM and SIGKILL after KillWait; the exit says
// timeout.
func testTimeLimit(t *testing.T, open Opener) {
	tests := []struct {
		name     string
		body     string
		separate bool
		signal   int
	}{
		{"dies of SIGTERM", `touch "$WD/started"; sleep 300`, false, 15},
		{"ignores SIGTERM", stubborn, true, 9},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, open)
			s := h.spec(uint32(i+1), tc.body)
			s.TimeLimit = 300 * time.Millisecond
			s.KillWait = 500 * time.Millisecond
			s.TimeoutLine = "*** JOB CANCELLED AT %s DUE TO TIME LIMIT ***"
			errFile := s.StdOut
			if tc.separate {
				s.StdErr = h.path("err")
				errFile = s.StdErr
			}
			_, e := h.run(s)
			checkExit(t, e, 0, tc.signal, gate.CauseTimeout)
			if text := h.read(errFile); !hasLine(text, `\*\*\* JOB CANCELLED AT `+stampRE+` DUE TO TIME LIMIT \*\*\*`) {
				t.Errorf("error file %q: no timeout line", text)
			}
			if tc.separate {
				if out := h.read(s.StdOut); strings.Contains(out, "TIME LIMIT") {
					t.Errorf("output file %q has the timeout line meant for the error file", out)
				}
			}
		})
	}
}

// testSignal: Signal delivers the signal to the running script.
func testSignal(t *testing.T, open Opener) {
	h := newHarness(t, open)
	s := h.spec(1, `trap 'echo got USR1; exit 5' USR1
touch "$WD/started"
while :; do sleep 0.05; done`)
	hd := h.start(s)
	h.waitFile("started")
	if err := h.gate().Signal(h.ctx(), hd, unix.SIGUSR1); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	checkExit(t, h.wait(hd), 5, 0, gate.CauseNone)
	// The shell may also report that its sleep died of the signal.
	if out := h.read(s.StdOut); !hasLine(out, "got USR1") {
		t.Errorf("output %q: the trap did not run", out)
	}
}
