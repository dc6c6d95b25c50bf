package stream

import (
	"errors"
	"io"
	"os"
	"sync"
	"time"

	wire "skyport/gateway/api/stream"
)

// Files are the output files of a job: Stderr is "" when stderr goes to
// the stdout file. Every gate writes a job's output into these local files
// (the local gate directly, the SSH gate by streaming it back), so
// following them works for every gate.
type Files struct {
	Stdout, Stderr string
}

// chunkSize bounds the data of one Output event.
const chunkSize = 64 << 10

// passBytes bounds what one pass reads from one file, so that a job
// writing fast does not hold up the others; the rest is read next pass.
const passBytes = 1 << 20

// fstream is one followed output file.
type fstream struct {
	name string // wire.Stdout or wire.Stderr
	path string
	f    *os.File // nil until the file exists
	pos  int64    // the next byte to read
	wd   int32    // inotify watch, -1 when none
	more bool     // the last pass stopped at passBytes
}

// followed is one job whose output is followed.
type followed struct {
	tmpl    wire.Event // the job's fields for its Output events
	streams []*fstream
}

// follower reads the output files of running jobs as they grow. It is
// used by one goroutine (the service's loop), except for the set of
// changed watches, which inotify's goroutine fills.
type follower struct {
	ino    *inotify // nil: polling only
	jobs   map[uint32]*followed
	byWD   map[int32][]*fstream
	wanted func() bool
	now    func() time.Time

	mu      sync.Mutex // guards changed
	changed map[int32]bool
	signal  chan struct{} // a watch changed
}

func newFollower(wanted func() bool, now func() time.Time) *follower {
	f := &follower{
		jobs: map[uint32]*followed{}, byWD: map[int32][]*fstream{},
		wanted: wanted, now: now,
		changed: map[int32]bool{}, signal: make(chan struct{}, 1),
	}
	if ino, err := newInotify(); err == nil {
		f.ino = ino
		go ino.run(f.markChanged)
	}
	return f
}

func (f *follower) markChanged(wd int32) {
	f.mu.Lock()
	f.changed[wd] = true
	f.mu.Unlock()
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// add follows a job's files from their start. tmpl carries the job's
// fields (ID, user, partition, state) for its Output events.
func (f *follower) add(tmpl wire.Event, files Files) {
	if _, ok := f.jobs[tmpl.JobID]; ok {
		f.remove(tmpl.JobID)
	}
	tmpl.Type, tmpl.Seq, tmpl.Exit, tmpl.Reason, tmpl.Name, tmpl.Gate, tmpl.Node = wire.Output, 0, nil, "", "", "", ""
	j := &followed{tmpl: tmpl}
	for _, s := range []struct{ name, path string }{{wire.Stdout, files.Stdout}, {wire.Stderr, files.Stderr}} {
		if s.path == "" || (s.name == wire.Stderr && s.path == files.Stdout) {
			continue
		}
		st := &fstream{name: s.name, path: s.path, wd: -1}
		f.open(st)
		j.streams = append(j.streams, st)
	}
	f.jobs[tmpl.JobID] = j
}

// open opens and watches a stream's file once it exists. Only regular
// files are followed (not /dev/null).
func (f *follower) open(st *fstream) {
	if st.f != nil {
		return
	}
	fh, err := os.Open(st.path)
	if err != nil {
		return
	}
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = fh.Close()
		return
	}
	st.f = fh
	if f.ino != nil {
		if wd, err := f.ino.add(st.path); err == nil {
			st.wd = wd
			f.byWD[wd] = append(f.byWD[wd], st)
		}
	}
}

// remove stops following a job.
func (f *follower) remove(id uint32) {
	j, ok := f.jobs[id]
	if !ok {
		return
	}
	delete(f.jobs, id)
	for _, st := range j.streams {
		f.close(st)
	}
}

func (f *follower) close(st *fstream) {
	if st.wd >= 0 {
		list := f.byWD[st.wd]
		for i, x := range list {
			if x == st {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(f.byWD, st.wd)
			if f.ino != nil {
				f.ino.remove(st.wd)
			}
		} else {
			f.byWD[st.wd] = list
		}
		st.wd = -1
	}
	if st.f != nil {
		_ = st.f.Close()
		st.f = nil
	}
}

// drain reads what is left of a job's files, stops following it and
// returns the final sizes (stdout, stderr) with the events read.
func (f *follower) drain(id uint32, out []wire.Event) ([]wire.Event, int64, int64) {
	j, ok := f.jobs[id]
	if !ok {
		return out, 0, 0
	}
	var stdout, stderr int64
	for _, st := range j.streams {
		f.open(st)
		for {
			st.more = false
			out = f.read(j, st, out)
			if !st.more {
				break
			}
		}
		if st.name == wire.Stdout {
			stdout = st.pos
		} else {
			stderr = st.pos
		}
	}
	f.remove(id)
	return out, stdout, stderr
}

// pass reads the files inotify reported, those left over from the last
// pass and, when poll is set, every followed file (the safety net for
// files inotify cannot watch, and for files that did not exist yet).
func (f *follower) pass(poll bool, out []wire.Event) []wire.Event {
	f.mu.Lock()
	changed := f.changed
	f.changed = map[int32]bool{}
	f.mu.Unlock()
	for _, j := range f.jobs {
		for _, st := range j.streams {
			due := poll || st.more || (st.wd >= 0 && changed[st.wd])
			if !due {
				continue
			}
			st.more = false
			f.open(st)
			out = f.read(j, st, out)
		}
	}
	return out
}

// pending reports whether a file has more to read right away.
func (f *follower) pending() bool {
	for _, j := range f.jobs {
		for _, st := range j.streams {
			if st.more {
				return true
			}
		}
	}
	return false
}

// read turns what st's file gained since the last read into Output
// events. When no client takes output, it only moves to the end. A file
// that shrank was truncated (a requeued job's new run): it is read again
// from its start.
func (f *follower) read(j *followed, st *fstream, out []wire.Event) []wire.Event {
	if st.f == nil {
		return out
	}
	fi, err := st.f.Stat()
	if err != nil {
		return out
	}
	size := fi.Size()
	if size < st.pos {
		st.pos = 0
	}
	if !f.wanted() {
		st.pos = size
		return out
	}
	end := min(size, st.pos+passBytes)
	st.more = end < size
	now := f.now()
	for st.pos < end {
		buf := make([]byte, min(end-st.pos, chunkSize))
		n, err := st.f.ReadAt(buf, st.pos)
		if n > 0 {
			ev := j.tmpl
			ev.Time, ev.Stream, ev.Offset, ev.Data = now, st.name, st.pos, buf[:n]
			out = append(out, ev)
			st.pos += int64(n)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				st.more = false
			}
			break
		}
	}
	return out
}

// stop releases the watches and files.
func (f *follower) stop() {
	for id := range f.jobs {
		f.remove(id)
	}
	if f.ino != nil {
		_ = f.ino.close()
	}
}
