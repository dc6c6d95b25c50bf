package mirror

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// createCommand makes the host's tar write the files named on stdin
// (NUL-separated, relative to the tar directory, taken verbatim) to stdout
// as a PAX stream with nanosecond times. Hard links are sent as files, and
// a file that vanished since the listing is skipped.
func createCommand(pl *plan) string {
	return "cd " + shellQuote(pl.tarDir()) + " && tar -c -b 512 -f - --format=posix " +
		"--pax-option=delete=atime,delete=ctime --hard-dereference --no-recursion " +
		"--ignore-failed-read --verbatim-files-from --null -T -"
}

// fetchFiles asks the host for the files and writes each one as it
// arrives. A member the host sends that was not asked for, or that is not
// a regular file, is skipped and recorded as ErrUnsafe.
func fetchFiles(ctx context.Context, r Remote, pl *plan, w *writer, files []planned) error {
	if len(files) == 0 {
		return nil
	}
	want := make(map[string]planned, len(files))
	var names strings.Builder
	for _, f := range files {
		n := strings.TrimPrefix(f.e.Path, "/")
		want[n] = f
		names.WriteString(n)
		names.WriteByte(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := r.Run(ctx, createCommand(pl), strings.NewReader(names.String()), pw)
		_ = pw.CloseWithError(err)
		done <- err
	}()
	err := readMembers(tar.NewReader(pr), want, w)
	if err == nil {
		// tar pads its output to a whole record after the end marker; a
		// failure here is the host's, reported by Run.
		_, _ = io.Copy(io.Discard, pr)
	}
	if err != nil {
		cancel()
		_ = pr.CloseWithError(err)
	}
	rerr := <-done
	if err != nil {
		return err
	}
	if rerr != nil {
		return fmt.Errorf("mirror: fetch from the host: %w", rerr)
	}
	return nil
}

// readMembers applies every wanted member of the stream.
func readMembers(tr *tar.Reader, want map[string]planned, w *writer) error {
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mirror: fetch from the host: %w", err)
		}
		p, ok := want[hdr.Name]
		if !ok || hdr.Typeflag != tar.TypeReg {
			w.unsafe = append(w.unsafe, fmt.Errorf("%w: the host sent %q (type %q), which was not asked for",
				ErrUnsafe, hdr.Name, hdr.Typeflag))
			continue
		}
		delete(want, hdr.Name)
		if err := w.writeFile(p, hdr, tr); err != nil {
			return err
		}
	}
}
