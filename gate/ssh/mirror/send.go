package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Streams are sent in parallel when there are many files: creating a file
// costs a file system round trip on the host that one tar process waits
// for, one file after the other, so a few tar processes side by side keep
// the link and the disk busy. Small pushes use one stream.
const (
	maxStreams     = 3
	filesPerStream = 64 // fewer files than this per stream: fewer streams
)

// extractCommand unpacks a tar stream from stdin into the host's tree,
// keeping modes and times, not owners, and keeping the host's symlinks to
// directories (a planned directory may be one there). It reads 256 KiB
// records, gathering short pipe reads (-B): a third less system time than
// tar's default 10 KiB.
func extractCommand(pl *plan) string {
	return "tar -x -p --no-same-owner --keep-directory-symlink -B -b 512 -f - -C " + shellQuote(pl.tarDir())
}

// sendTar sends the entries to the host and returns them as sent. Regular
// files go first, split into up to maxStreams streams of about equal bytes
// (each a contiguous run in path order) unpacked side by side; then
// directories and symlinks in a last stream, so that directory times and
// modes are set after every write into them. With few files everything
// goes in one stream, whose tar sets directory times at its end.
func sendTar(ctx context.Context, r Remote, pl *plan, send []Entry) ([]Entry, Stats, error) {
	files, rest := splitFiles(send)
	n := min(maxStreams, len(files)/filesPerStream)
	if n <= 1 {
		return sendStream(ctx, r, pl, send)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sent []Entry
		st   Stats
		errs []error
	)
	for _, g := range balance(files, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, gst, err := sendStream(ctx, r, pl, g)
			mu.Lock()
			defer mu.Unlock()
			sent = append(sent, s...)
			st.Files += gst.Files
			st.Bytes += gst.Bytes
			if err != nil {
				errs = append(errs, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, st, errs[0]
	}
	s, rst, err := sendStream(ctx, r, pl, rest)
	st.Files += rst.Files
	st.Bytes += rst.Bytes
	if err != nil {
		return nil, st, err
	}
	return append(sent, s...), st, nil
}

// splitFiles separates regular files from directories and symlinks,
// keeping the order.
func splitFiles(send []Entry) (files, rest []Entry) {
	for _, e := range send {
		if e.Kind == KindFile {
			files = append(files, e)
		} else {
			rest = append(rest, e)
		}
	}
	return files, rest
}

// balance cuts files into n contiguous groups of about equal size (bytes
// plus a little per file, for its creation).
func balance(files []Entry, n int) [][]Entry {
	const perFile = 16 << 10
	var total int64
	for _, e := range files {
		total += e.Size + perFile
	}
	groups := make([][]Entry, 0, n)
	start, acc := 0, int64(0)
	for i, e := range files {
		acc += e.Size + perFile
		if len(groups) < n-1 && acc >= total*int64(len(groups)+1)/int64(n) {
			groups = append(groups, files[start:i+1])
			start = i + 1
		}
	}
	if start < len(files) {
		groups = append(groups, files[start:])
	}
	return groups
}

// sendStream streams the entries to one tar on the host and returns them
// as sent (files as they were when read).
func sendStream(ctx context.Context, r Remote, pl *plan, send []Entry) ([]Entry, Stats, error) {
	if len(send) == 0 {
		return nil, Stats{}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	type result struct {
		sent []Entry
		st   Stats
		err  error
	}
	done := make(chan result, 1)
	go func() {
		sent, st, err := writeTar(ctx, pw, send)
		_ = pw.CloseWithError(err)
		done <- result{sent, st, err}
	}()
	rerr := r.Run(ctx, extractCommand(pl), pr, nil)
	_ = pr.CloseWithError(errHostExited)
	res := <-done
	switch {
	case res.err != nil && !errors.Is(res.err, errHostExited):
		return nil, res.st, fmt.Errorf("mirror: send: %w", res.err) // the cause, when reading locally failed
	case rerr != nil:
		return nil, res.st, fmt.Errorf("mirror: unpack on the host: %w", rerr)
	case res.err != nil:
		return nil, res.st, errors.New("mirror: send: the host's tar exited before the end of the stream")
	}
	return res.sent, res.st, nil
}

// errHostExited ends a stream whose reader on the host has gone.
var errHostExited = errors.New("mirror: the host's end has exited")
