package shims

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"skyport/compat"
)

// taskSet is the processes of one step's tasks, started by srun itself
// (the step's node is this machine), and the files and line buffers
// their standard streams go through.
type taskSet struct {
	cmds  []*exec.Cmd
	ends  []compat.TaskEnd
	files map[string]*os.File // opened -o/-e/-i files, by path: tasks share one
	lines []*lineWriter       // flushed once the tasks have ended
	// afterStart runs once every task is started (closes pipe ends the
	// tasks hold now).
	afterStart []func()
}

// newTaskSet makes the commands of n tasks running argv in dir, task i
// with env(i).
func newTaskSet(n int, argv []string, dir string, env func(i int) []string) *taskSet {
	ts := &taskSet{files: map[string]*os.File{}, ends: make([]compat.TaskEnd, n)}
	for i := range n {
		cmd := exec.Command(argv[0], argv[1:]...)
		if cmd.Err == nil && execFormatKnown(cmd.Path) {
			// As slurmstepd: SLURM_TASK_PID is the task's own pid, and
			// the program runs by its full path (argv[0] included).
			cmd.Args = append([]string{"/bin/sh", "-c", taskPIDWrapper, cmd.Path}, argv[1:]...)
			cmd.Path = "/bin/sh"
		}
		cmd.Dir, cmd.Env = dir, env(i)
		ts.cmds = append(ts.cmds, cmd)
	}
	return ts
}

// taskPIDWrapper runs its $0 with SLURM_TASK_PID set to its own pid,
// which exists only once the process does; exec keeps the pid (the local
// gate starts batch scripts the same way).
const taskPIDWrapper = `SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec "$0" "$@"`

// execFormatKnown reports whether the kernel itself runs path (an ELF
// binary or a #! script): only those go through the wrapper, whose shell
// would run any other file as a shell script where execve fails.
func execFormatKnown(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	return (n >= 2 && string(head[:2]) == "#!") || (n == 4 && string(head[:]) == "\x7fELF")
}

// open opens path once for every task that names it.
func (ts *taskSet) open(path string, flag int) (*os.File, error) {
	if f, ok := ts.files[path]; ok {
		return f, nil
	}
	f, err := os.OpenFile(path, flag, 0o644) //nolint:gosec // output files are 0644, as slurmstepd makes them
	if err != nil {
		return nil, err
	}
	ts.files[path] = f
	return f, nil
}

// close closes the files the tasks' streams went to.
func (ts *taskSet) close() {
	for _, f := range ts.files {
		_ = f.Close()
	}
}

// lineStreams makes the tasks' stdout and stderr go through line buffers
// to where they point now: whole lines, each task's own, as srun writes
// them (with -l, each line starts with the task's label). Task output
// sharing a destination then never mixes within a line.
func (ts *taskSet) lineStreams(label bool) {
	locks := map[io.Writer]*sync.Mutex{}
	lockOf := func(w io.Writer) *sync.Mutex {
		if m, ok := locks[w]; ok {
			return m
		}
		m := &sync.Mutex{}
		locks[w] = m
		return m
	}
	for i, cmd := range ts.cmds {
		prefix := ""
		if label {
			prefix = compat.TaskLabel(i, len(ts.cmds))
		}
		out := &lineWriter{dst: cmd.Stdout, mu: lockOf(cmd.Stdout), prefix: prefix}
		errw := &lineWriter{dst: cmd.Stderr, mu: lockOf(cmd.Stderr), prefix: prefix}
		cmd.Stdout, cmd.Stderr = out, errw
		ts.lines = append(ts.lines, out, errw)
	}
}

// start starts every task. A task that cannot be started gets
// slurmstepd's execve error on its stderr and ends with exit code 2.
func (ts *taskSet) start(node string) (started int) {
	for i, cmd := range ts.cmds {
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(cmd.Stderr, "slurmstepd-%s: error: execve(): %s: %s\n", node, cmd.Args[0], execErrText(err))
			ts.cmds[i] = nil
			ts.ends[i] = compat.TaskEnd{Code: 2}
			continue
		}
		started++
	}
	for _, f := range ts.afterStart {
		f()
	}
	return started
}

// wait returns a channel closed once every started task has ended and
// its output is written out.
func (ts *taskSet) wait() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, cmd := range ts.cmds {
			if cmd != nil {
				wg.Go(func() { _ = cmd.Wait() })
			}
		}
		wg.Wait()
		for _, lw := range ts.lines {
			lw.flush()
		}
		close(done)
	}()
	return done
}

// signal sends sig to every task still running.
func (ts *taskSet) signal(sig os.Signal) {
	for _, cmd := range ts.cmds {
		if cmd != nil && cmd.Process != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Signal(sig)
		}
	}
}

// running lists the ids of the tasks that were started.
func (ts *taskSet) running() []int {
	var ids []int
	for i, cmd := range ts.cmds {
		if cmd != nil {
			ids = append(ids, i)
		}
	}
	return ids
}

// collect records how each started task ended into ts.ends and the
// step's end report: the highest exit code, a signal that killed a task,
// the highest MaxRSS and the CPU times summed.
func (ts *taskSet) collect(rep *stepUsage) (core bool) {
	for i, cmd := range ts.cmds {
		if cmd == nil || cmd.ProcessState == nil {
			continue
		}
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rep.maxRSSKB = max(rep.maxRSSKB, ru.Maxrss)
			rep.userCPU += time.Duration(ru.Utime.Nano())
			rep.systemCPU += time.Duration(ru.Stime.Nano())
		}
		if ws.Signaled() {
			ts.ends[i] = compat.TaskEnd{Signal: int(ws.Signal()), Core: ws.CoreDump()}
			core = core || ws.CoreDump()
		} else {
			ts.ends[i] = compat.TaskEnd{Code: ws.ExitStatus()}
		}
	}
	for _, e := range ts.ends {
		rep.code = max(rep.code, e.Code)
		if e.Signal != 0 && rep.signal == 0 {
			rep.signal = e.Signal
		}
	}
	return core
}

// stepUsage is what a step's tasks used and how they ended, summed up.
type stepUsage struct {
	code, signal       int
	maxRSSKB           int64
	userCPU, systemCPU time.Duration
}

// lineWriter passes whole lines to dst, each with prefix; a last line
// without a newline goes out at flush.
type lineWriter struct {
	dst    io.Writer
	mu     *sync.Mutex // shared by every lineWriter of dst
	prefix string
	buf    []byte
}

// Write implements io.Writer.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	i := bytes.LastIndexByte(w.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	w.emit(w.buf[:i+1])
	w.buf = append(w.buf[:0], w.buf[i+1:]...)
	return len(p), nil
}

// flush writes out what is left.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}

// emit writes complete text, each line with the prefix.
func (w *lineWriter) emit(text []byte) {
	var out []byte
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line = text[:i+1]
		}
		out = append(out, w.prefix...)
		out = append(out, line...)
		text = text[len(line):]
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.dst.Write(out)
}

// cmds0Stderr is where task 0's stderr goes (slurmstepd's lines about the
// step go there), before any line buffering: srun's own when unknown.
func (ts *taskSet) cmds0Stderr(inv *Invocation) io.Writer {
	if len(ts.cmds) > 0 && ts.cmds[0] != nil {
		if lw, ok := ts.cmds[0].Stderr.(*lineWriter); ok {
			return lw.dst
		}
		return ts.cmds[0].Stderr
	}
	return inv.Stderr
}

// broadcastStdin gives every task a copy of what srun reads from in,
// through a pipe each; a task that stops reading is dropped. The pipes'
// read ends are closed here once the tasks have them (after start).
func (ts *taskSet) broadcastStdin(in io.Reader) {
	if in == nil {
		return
	}
	var ws []*os.File
	for _, cmd := range ts.cmds {
		r, w, err := os.Pipe()
		if err != nil {
			return // the tasks keep srun's stdin as it is
		}
		cmd.Stdin = r
		ts.afterStart = append(ts.afterStart, func() { _ = r.Close() })
		ws = append(ws, w)
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := in.Read(buf)
			for i, w := range ws {
				if w != nil && n > 0 {
					if _, werr := w.Write(buf[:n]); werr != nil {
						_ = w.Close()
						ws[i] = nil
					}
				}
			}
			if err != nil {
				break
			}
		}
		for _, w := range ws {
			if w != nil {
				_ = w.Close()
			}
		}
	}()
}
