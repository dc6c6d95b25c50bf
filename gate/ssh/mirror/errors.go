package mirror

import "errors"

// The errors of this package; test with errors.Is.
var (
	// ErrTooLarge: a Push would send more than Plan.MaxBytes. Nothing was
	// sent. The error's text names both sizes.
	ErrTooLarge = errors.New("mirror: too much to send")
	// ErrUnsafe: the host listed or sent a path outside the plan, or a
	// symlink leading out of the planned directories. Pull writes nothing
	// for such an entry and reports it after applying the rest.
	ErrUnsafe = errors.New("mirror: unsafe path from the host")
)
