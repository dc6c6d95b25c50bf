// Package local is the gate that runs jobs on this machine. It registers
// the gate kind "local".
//
// Every run of a job (a JobID and a Restart) gets a directory
// <StateDir>/jobs/<jobid>.<restart>/ and a supervisor process of its own:
// the daemon re-executes a program (Options.SupervisorCmd, by default
// "<this executable> supervise") in a new session, and that program calls
// Supervise. The supervisor, not the daemon, opens the job's files, runs the
// script, enforces the time limit, carries out kill requests and records the
// exit, so jobs keep running and finish correctly while the daemon is down.
//
// The run directory holds:
//
//	spec.json        the gate.Spec, without its script (written by Start)
//	slurm_script     the script, mode 0700, owned by the job's user
//	supervisor.log   the supervisor's own diagnostics
//	lock             flock'ed (exclusive) by the supervisor until the exit is recorded
//	supervisor.json  written by the supervisor that claimed the run: its pid
//	                 and start ticks, then the job's pid (= its process group)
//	kill.json        the latest gate.KillRequest (written by Kill)
//	exit.json        the gate.Exit, written atomically and synced at the end
//
// A run is claimed once: the first supervisor to hold the lock writes
// supervisor.json, and every later supervisor for the directory finds it and
// leaves without running anything. That makes Start idempotent across daemon
// crashes: a directory without supervisor.json and without a lock holder has
// never run, so Start may launch a supervisor for it again.
//
// To keep a process start out of Start, and its cost out of every job,
// the gate keeps reusable supervisors: started ahead of need, each waits
// on a socket for a run directory, supervises that run, reports "D" once
// the exit is recorded and the lock released, and waits for the next. Up
// to a few idle ones are kept; the others, and all of them at Close, are
// let go by closing their sockets. One whose daemon died (its socket
// closed) exits after the run it supervises, so the run's end is still
// the supervisor's exit to a later daemon.
//
// Liveness is the lock: a supervisor holds it until the run's exit is
// recorded (or it dies), and no pid can be mistaken for it. The daemon
// waits for a run through a pidfd on its supervisor, checked against the
// start ticks recorded in supervisor.json, and wakes at every "D" of its
// reusable supervisors to look for the exit.
package local
