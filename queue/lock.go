package queue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the file in the store's directory that the open store holds
// an exclusive flock on. Badger locks the directory too, but reports a
// conflict only as text; this lock makes ErrLocked certain.
const lockFile = "skyport.lock"

// lockDir takes the store's lock in dir and returns the open lock file;
// closing it releases the lock. It fails with ErrLocked, at once, when
// another open file description holds it (another process, or another
// Open in this one).
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return f, nil
	}
	_ = f.Close()
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, ErrLocked
	}
	return nil, fmt.Errorf("lock: %w", err)
}
