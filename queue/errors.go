package queue

import "errors"

// Sentinel errors of the queue; test with errors.Is.
var (
	// ErrNotFound: no job with that ID is stored (never submitted, or purged).
	ErrNotFound = errors.New("job not found")
	// ErrIllegalTransition: the change of state is not in the table of legal transitions.
	ErrIllegalTransition = errors.New("illegal state transition")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("queue closed")
	// ErrLocked: another process (or another Open in this one) has the
	// store's directory open.
	ErrLocked = errors.New("store in use by another process")
	// ErrExists: Insert was given the ID of a job that is already stored.
	ErrExists = errors.New("job already exists")
	// ErrInvalidJob: the record breaks a rule of the store, such as a
	// final state without an end time.
	ErrInvalidJob = errors.New("invalid job record")
)
