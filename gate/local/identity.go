package local

import (
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"skyport/gate"
)

// identity is the user a job runs as, when that is not the supervisor's
// own user.
type identity struct {
	cred *syscall.Credential // nil: the supervisor's own identity
}

// identityOf returns who spec's job runs as. A root supervisor runs a
// non-root job as spec.UID/GID with the user's supplementary groups; a
// non-root supervisor runs only jobs of its own uid.
func identityOf(spec *gate.Spec) (identity, error) {
	euid := os.Geteuid()
	if euid != 0 {
		if spec.UID != uint32(euid) {
			return identity{}, fmt.Errorf("cannot run a job of uid %d as uid %d", spec.UID, euid)
		}
		return identity{}, nil
	}
	if spec.UID == 0 {
		return identity{}, nil
	}
	groups := spec.Groups
	if len(groups) == 0 {
		groups = []uint32{spec.GID}
	}
	return identity{cred: &syscall.Credential{Uid: spec.UID, Gid: spec.GID, Groups: groups}}, nil
}

// do runs fn with the file-system permissions of the identity, so files
// the supervisor opens for the job are opened as the job's user would
// (the same denials, the same owner for created files). It switches the
// fs ids and groups of one locked OS thread only, which dies afterwards.
func (id identity) do(fn func() error) error {
	if id.cred == nil {
		return fn()
	}
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the runtime ends the thread with this goroutine,
		// so no other goroutine ever runs with the job's ids.
		runtime.LockOSThread()
		gs := make([]int, len(id.cred.Groups))
		for i, g := range id.cred.Groups {
			gs[i] = int(g)
		}
		// x/sys/unix calls are per thread, unlike package syscall's.
		if err := unix.Setgroups(gs); err != nil {
			done <- fmt.Errorf("setgroups: %w", err)
			return
		}
		// setfs[ug]id report no errors; asking with -1 returns the current id.
		_, _ = unix.SetfsgidRetGid(int(id.cred.Gid))
		_, _ = unix.SetfsuidRetUid(int(id.cred.Uid))
		gid, _ := unix.SetfsgidRetGid(-1)
		uid, _ := unix.SetfsuidRetUid(-1)
		if uid != int(id.cred.Uid) || gid != int(id.cred.Gid) {
			done <- fmt.Errorf("set fs ids to %d:%d: still %d:%d", id.cred.Uid, id.cred.Gid, uid, gid)
			return
		}
		done <- fn()
	}()
	return <-done
}
