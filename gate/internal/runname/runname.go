// Package runname names one run of a job (a job ID and its restart count)
// the way the gates that run the per-job supervisor key their state: the
// run directory <jobid>.<restart>, on this machine or on a host.
package runname

import (
	"strconv"
	"strings"
)

// Of is the name of run restart of job jobID.
func Of(jobID uint32, restart int) string {
	return strconv.FormatUint(uint64(jobID), 10) + "." + strconv.Itoa(restart)
}

// Valid reports whether s is exactly what Of produces, so that a name read
// from a handle can never point outside the directory of runs.
func Valid(s string) bool {
	id, restart, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	j, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return false
	}
	r, err := strconv.Atoi(restart)
	if err != nil || r < 0 {
		return false
	}
	return Of(uint32(j), r) == s
}
