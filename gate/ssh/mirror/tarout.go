package mirror

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// writeTar writes the entries to w as a PAX tar stream (nanosecond times,
// any name) with member names relative to "/", and returns the entries as
// sent: a file is described as it was when opened. A file that vanished or
// stopped being a regular file since the scan is left out (the host keeps
// its old copy; the next Push sends it). A file that shrank while being
// read is an error: the stream cannot be repaired.
func writeTar(ctx context.Context, w io.Writer, send []Entry) ([]Entry, Stats, error) {
	tw := tar.NewWriter(w)
	buf := make([]byte, 256<<10)
	sent := make([]Entry, 0, len(send))
	var st Stats
	for _, e := range send {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		name := strings.TrimPrefix(e.Path, "/")
		if name == "" {
			continue
		}
		hdr := &tar.Header{Name: name, Mode: int64(e.Mode), ModTime: time.Unix(0, e.MTime), Format: tar.FormatPAX}
		switch e.Kind {
		case KindDir:
			hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
		case KindSymlink:
			hdr.Typeflag, hdr.Linkname, hdr.Mode, hdr.ModTime = tar.TypeSymlink, e.Link, 0o777, time.Unix(0, 0)
		case KindFile:
			fe, ok, err := writeFile(tw, e, name, buf)
			if err != nil {
				return nil, st, err
			}
			if ok {
				sent = append(sent, fe)
				st.Files++
				st.Bytes += fe.Size
			}
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, st, err
		}
		sent = append(sent, e)
		st.Files++
	}
	// The host's tar may exit as soon as it sees the end marker.
	if err := tw.Close(); err != nil && !errors.Is(err, errHostExited) {
		return nil, st, err
	}
	return sent, st, nil
}

// writeFile writes one regular file; ok is false when it is skipped.
func writeFile(tw *tar.Writer, e Entry, name string, buf []byte) (Entry, bool, error) {
	f, err := os.OpenFile(e.Path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ELOOP) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("mirror: read %s: %w", e.Path, err)
	}
	defer f.Close() //nolint:errcheck // read-only
	fi, err := f.Stat()
	if err != nil {
		return Entry{}, false, fmt.Errorf("mirror: read %s: %w", e.Path, err)
	}
	fe, ok := entryOf(e.Path, fi)
	if !ok || fe.Kind != KindFile {
		return Entry{}, false, nil
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: name, Mode: int64(fe.Mode), Size: fe.Size,
		ModTime: time.Unix(0, fe.MTime), Format: tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return Entry{}, false, err
	}
	n, err := io.CopyBuffer(tw, io.LimitReader(f, fe.Size), buf)
	if err != nil {
		return Entry{}, false, fmt.Errorf("mirror: send %s: %w", e.Path, err)
	}
	if n < fe.Size {
		return Entry{}, false, fmt.Errorf("mirror: send %s: it shrank while being sent; push again", e.Path)
	}
	return fe, true, nil
}
