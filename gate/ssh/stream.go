package ssh

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// fetchChunk is the most one fetch asks for.
const fetchChunk = 4 << 20

// syncStreams copies each output file's remote bytes up to its size in
// sizes (-1: the remote file does not exist yet) into the local file of
// the same path, at the offsets the stream maps them to. A local file is
// created (and truncated, unless appending) when the remote one first
// shows up. With final (the job has ended, sizes are the last) a
// truncated local file is cut to the remote's length. It reports whether
// any byte was copied; the offsets in rec advance with what was written,
// also when an error stops it halfway.
func (g *Gate) syncStreams(ctx context.Context, c *conn, rec *record, sizes []int64, final bool) (bool, error) {
	progress := false
	for i := range rec.Streams {
		s := &rec.Streams[i]
		if sizes[i] < 0 {
			continue
		}
		p, err := g.syncStream(ctx, c, s, sizes[i], final)
		progress = progress || p
		if err != nil {
			return progress, fmt.Errorf("copy %s back: %w", s.Path, err)
		}
	}
	return progress, nil
}

// syncStream copies one stream up to size.
func (g *Gate) syncStream(ctx context.Context, c *conn, s *stream, size int64, final bool) (bool, error) {
	flags := os.O_WRONLY | os.O_CREATE
	if !s.Opened && !s.Append {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(s.Path, flags, 0o644) //nolint:gosec // output files are 0644, as slurmstepd makes them
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }()
	progress := !s.Opened
	s.Opened = true
	if size < s.Offset {
		// The job cut its own output file: follow it.
		s.Offset = max(size, s.RemoteBase)
		if err := f.Truncate(s.local(s.Offset)); err != nil {
			return progress, err
		}
	}
	for s.Offset < size {
		n := min(size-s.Offset, fetchChunk)
		w := &offsetWriter{f: f, off: s.local(s.Offset)}
		args := []string{s.Path, strconv.FormatInt(s.Offset, 10), strconv.FormatInt(n, 10)}
		err := c.Run(ctx, scriptArgs(fetchScript, args...), nil, w)
		written := w.written()
		s.Offset += written
		progress = progress || written > 0
		if err != nil {
			return progress, err
		}
		if written == 0 {
			break // shrunk under us; the next look sees its new size
		}
	}
	if final && !s.Append {
		if err := f.Truncate(s.local(size)); err != nil {
			return progress, err
		}
	}
	return progress, nil
}

// local maps a remote offset of the stream to the local file's.
func (s *stream) local(remote int64) int64 { return s.LocalBase + remote - s.RemoteBase }

// offsetWriter writes to a file at consecutive offsets from off, so a
// range written twice lands in the same place.
type offsetWriter struct {
	mu  sync.Mutex
	f   *os.File
	off int64
	n   int64
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.f.WriteAt(p, w.off+w.n)
	w.n += int64(n)
	return n, err
}

func (w *offsetWriter) written() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}
