package queue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockFile is the file in the store's directory that the open store holds
// an exclusive flock on. Badger locks the directory too, but reports a
// conflict only as text; this lock makes ErrLocked certain.
const lockFile = "skyport.lock"

// lockWait is how long lockDir keeps trying a lock that is held. A
// process that closed its store a moment ago may still hold the lock
// through a child it was forking (a fork shares the open file until the
// child's exec closes it); a store open elsewhere holds it for good.
const lockWait = 2 * time.Second

// lockDir takes the store's lock in dir and returns the open lock file;
// closing it releases the lock. It fails with ErrLocked when another open
// file description holds it (another process, or another Open in this
// one) for lockWait.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = f.Close()
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, ErrLocked
	}
	return nil, fmt.Errorf("lock: %w", err)
}
