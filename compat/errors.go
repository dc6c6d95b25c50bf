package compat

import "fmt"

// Error is a failure to report to the user exactly as Slurm would: Msg is
// the complete text for stderr (each line ending in "\n") and Code the
// process exit status. Commands map it to their output only at the edge.
type Error struct {
	Msg  string
	Code int
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error with code and the formatted message; a missing
// trailing newline is added.
func Errorf(code int, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if len(msg) == 0 || msg[len(msg)-1] != '\n' {
		msg += "\n"
	}
	return &Error{Msg: msg, Code: code}
}
