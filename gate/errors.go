package gate

import "errors"

// The error classes of every gate; test with errors.Is.
var (
	// ErrNotFound: the gate holds no such job (or no such gate kind).
	ErrNotFound = errors.New("gate: not found")
	// ErrExists: the thing to create exists already.
	ErrExists = errors.New("gate: already exists")
	// ErrUnsupported: this gate cannot do that.
	ErrUnsupported = errors.New("gate: unsupported")
	// ErrUnavailable: the job was certainly not started; it is safe to retry
	// later (the rule of database/sql/driver.ErrBadConn).
	ErrUnavailable = errors.New("gate: unavailable")
	// ErrRunning: the job has not ended yet (from Reap).
	ErrRunning = errors.New("gate: job still running")
)
