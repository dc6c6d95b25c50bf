package mirror

import (
	"context"
	"io"
)

// Remote runs commands on the host. Run runs the shell command line cmd
// with stdin and stdout attached (nil means none) and returns when it has
// exited; a non-zero exit is an error that carries the command's stderr.
// Run must honour ctx: when it is done, the command is abandoned and Run
// returns. Push and Pull read stdout and write stdin concurrently.
type Remote interface {
	Run(ctx context.Context, cmd string, stdin io.Reader, stdout io.Writer) error
}

// Plan says what to mirror. Every path is absolute; the host keeps each
// one at Root followed by the same path.
type Plan struct {
	// Dirs are directories mirrored recursively (the submit directory,
	// -D), minus what their .skyportignore files exclude.
	Dirs []string
	// Files are single files (the script; and the job's -o/-e files, so
	// that Pull brings them back): never ignored, skipped by Push while
	// they do not exist locally.
	Files []string
	// MkDirs are directories that must exist on the host (the directories
	// of -o and -e). Push creates them; their content is not mirrored
	// unless it is inside Dirs or listed in Files.
	MkDirs []string
	// MaxBytes caps the bytes of file content one Push may send; 0 means
	// no cap. Beyond it Push sends nothing and returns ErrTooLarge.
	MaxBytes int64
	// Root is the host's prefix for every path, for tests: "" means "/".
	Root string
}
