// Package compat is the pure translation between Slurm and Sky Port: the
// parsing of Slurm command lines and #SBATCH directives, time, memory and
// filename-pattern syntax, state codes, and the rendering of squeue, sacct,
// sinfo and scontrol output byte for byte as Slurm 22.05 prints it.
//
// compat does no I/O of its own and never reads the clock: callers pass the
// current time, the environment and the writers. It imports only the
// standard library, so the shims can use it without pulling in the daemon.
package compat
