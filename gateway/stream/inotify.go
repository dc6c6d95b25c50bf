package stream

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// inotify tells which watched files were written to. Read blocks in the
// runtime's poller, and close unblocks it.
type inotify struct {
	fd   int
	file *os.File
}

// watchMask: the file was written to, or a writer closed it.
const watchMask = unix.IN_MODIFY | unix.IN_CLOSE_WRITE

func newInotify() (*inotify, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	return &inotify{fd: fd, file: os.NewFile(uintptr(fd), "inotify")}, nil
}

// add watches path; a path watched twice (the same inode) gets the same wd.
func (n *inotify) add(path string) (int32, error) {
	wd, err := unix.InotifyAddWatch(n.fd, path, watchMask)
	if err != nil {
		return -1, fmt.Errorf("inotify: watch %s: %w", path, err)
	}
	return int32(wd), nil
}

// remove stops watching wd; a watch the kernel dropped already is fine.
func (n *inotify) remove(wd int32) {
	_, _ = unix.InotifyRmWatch(n.fd, uint32(wd))
}

// run reads events until close, calling changed with the watch of each
// written file.
func (n *inotify) run(changed func(wd int32)) {
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		k, err := n.file.Read(buf)
		if err != nil {
			return // closed; or broken, and polling still covers the files
		}
		for off := 0; off+unix.SizeofInotifyEvent <= k; {
			wd := int32(binary.NativeEndian.Uint32(buf[off:]))
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			if mask&watchMask != 0 {
				changed(wd)
			}
			off += unix.SizeofInotifyEvent + nameLen
		}
	}
}

func (n *inotify) close() error { return n.file.Close() }
