// Package atomicfile writes the small state files the gates keep (run
// records, handles, journals, keys) so that a reader, or a process that
// starts after a crash, sees the old content or the new, never a part.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces dir/name with data through a temporary file in dir and
// a rename. The file gets mode perm. With durable the file is synced before
// the rename and dir after it, so the new content survives a crash of the
// machine; without, it survives a crash of the process. On error dir/name
// is left as it was and no temporary file stays behind.
func WriteFile(dir, name string, data []byte, perm os.FileMode, durable bool) error {
	f, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if durable {
		return SyncDir(dir)
	}
	return nil
}

// SyncDir makes the entries of dir (a rename, a removal) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
