package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sysPath is the PATH after each side's own directory: the system's
// commands, and on the real Slurm side its clients in /usr/bin.
const sysPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// slurmOnly are real Slurm's commands that Sky Port does not provide: on
// the Sky Port side they are shadowed by a stub that fails, so that a case
// (or a job) never reaches real Slurm by accident.
var slurmOnly = []string{
	"srun", "salloc", "sattach", "sbcast", "scrontab", "sdiag", "sprio", "sreport",
	"sshare", "sstat", "strigger", "sacctmgr", "sjobexitmod", "sh5util",
}

// runner runs cases on both sides.
type runner struct {
	bin    string // Sky Port's bin directory
	config string // skyportd's configuration
	root   string // the run's working directories: root/r/CASE, root/s/CASE
	states string // the daemons' state directories
	nonce  string
	slurm  *side
	sky    *side
	maxMem string // the node's memory in MB, $MAXMEM of the cases
	base   []string

	mu   sync.Mutex
	next int // numbers the daemons' state directories
}

// outcome is one case run on both sides.
type outcome struct {
	Case       *Case
	Slurm, Sky *transcript
	Err        error // the case could not be run as written (a daemon would not start...)
	Dropped    int   // lines about other users' jobs dropped from real Slurm's output
	Took       time.Duration
	Retries    int // how many earlier runs of the case differed (see -retries)
}

// newRunner prepares the run's directories and the Sky Port side's stubs.
func newRunner(bin, config, nonce string) (*runner, error) {
	r := &runner{
		bin: bin, config: config, nonce: nonce,
		root:   "/tmp/cdf" + nonce,
		states: "/tmp/cds" + nonce,
	}
	guard := filepath.Join(r.root, "guard")
	for _, d := range []string{filepath.Join(r.root, slurmTag), filepath.Join(r.root, skyTag), guard, r.states} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("compatdiff: %w", err)
		}
	}
	for _, name := range slurmOnly {
		stub := "#!/bin/sh\necho \"" + name + ": not provided by Sky Port\" >&2\nexit 127\n"
		//nolint:gosec // G306: the stub is a command: it must be executable
		if err := os.WriteFile(filepath.Join(guard, name), []byte(stub), 0o700); err != nil {
			return nil, fmt.Errorf("compatdiff: %w", err)
		}
	}
	r.slurm = &side{name: "slurm", tag: slurmTag, bin: "/usr/bin", path: sysPath}
	r.sky = &side{name: "skyport", tag: skyTag, bin: bin, path: bin + ":" + guard + ":" + sysPath}
	home, _ := os.UserHomeDir()
	user := os.Getenv("USER")
	if user == "" {
		user = "root"
	}
	r.base = []string{"HOME=" + home, "USER=" + user, "LOGNAME=" + user, "SHELL=/bin/sh", "LC_ALL=C"}
	if tz, ok := os.LookupEnv("TZ"); ok {
		r.base = append(r.base, "TZ="+tz)
	}
	return r, nil
}

// cleanup removes the run's directories.
func (r *runner) cleanup() {
	_ = os.RemoveAll(r.root)
	_ = os.RemoveAll(r.states)
}

// runAll runs the cases, parallel at a time, then the exclusive ones one
// by one, and calls done after each. Outcomes come back in cases' order.
func (r *runner) runAll(ctx context.Context, cases []*Case, parallel int, done func(*outcome)) []*outcome {
	out := make([]*outcome, len(cases))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Go(func() {
			for i := range work {
				out[i] = r.runCase(ctx, cases[i])
				done(out[i])
			}
		})
	}
	for i, c := range cases {
		if !c.Exclusive && ctx.Err() == nil {
			work <- i
		}
	}
	close(work)
	wg.Wait()
	for i, c := range cases {
		if c.Exclusive && ctx.Err() == nil {
			out[i] = r.runCase(ctx, c)
			done(out[i])
		}
	}
	for i, c := range cases {
		if out[i] == nil {
			out[i] = &outcome{Case: c, Err: fmt.Errorf("not run: %w", context.Cause(ctx))}
		}
	}
	return out
}

// runCase runs one case on both sides at the same time, then cancels
// whatever jobs it left.
func (r *runner) runCase(ctx context.Context, c *Case) *outcome {
	t0 := time.Now()
	o := &outcome{Case: c}
	defer func() { o.Took = time.Since(t0) }()

	r.mu.Lock()
	r.next++
	n := r.next
	r.mu.Unlock()
	sr := &sideRun{side: r.slurm, dir: filepath.Join(r.root, r.slurm.tag, c.Dir())}
	kr := &sideRun{side: r.sky, dir: filepath.Join(r.root, r.sky.tag, c.Dir())}
	for _, d := range []string{sr.dir, kr.dir} {
		if err := os.RemoveAll(d); err != nil { // a retry starts afresh
			o.Err = fmt.Errorf("compatdiff: %w", err)
			return o
		}
		if err := os.MkdirAll(d, 0o750); err != nil {
			o.Err = fmt.Errorf("compatdiff: %w", err)
			return o
		}
	}
	// Sky Port's job IDs start where real Slurm's are now, so that both
	// sides' IDs have as many digits and the columns line up (a fresh
	// Slurm's IDs grow from 1 to 3 digits during a run).
	first, err := r.slurm.nextJobID(ctx, append(slices.Clone(r.base), "PATH="+r.slurm.path))
	if err != nil {
		o.Err = err
		return o
	}
	skyEnv := append(slices.Clone(r.base), "PATH="+r.sky.path)
	d, err := startDaemon(ctx, r.bin, r.config, filepath.Join(r.states, strconv.Itoa(n)), first, skyEnv)
	if err != nil {
		o.Err = err
		return o
	}
	sock := d.sock

	var foreign map[string]bool
	if c.Exclusive {
		foreign, err = r.quiesce(ctx)
		if err != nil {
			o.Err = err
		}
	}
	start := time.Now().Format("2006-01-02T15:04:05")
	for _, s := range []*sideRun{sr, kr} {
		s.env.kv = append(slices.Clone(r.base), "PATH="+s.side.path, "WORK="+s.dir, "RUN="+r.nonce, "T0="+start, "MAXMEM="+r.maxMem)
	}
	kr.env.set("SKYPORT_SOCKET", sock)

	var wg sync.WaitGroup
	var errs [2]error
	for i, s := range []*sideRun{sr, kr} {
		wg.Go(func() { errs[i] = s.run(ctx, c) })
	}
	wg.Wait()

	// Array tasks have job IDs of their own that sbatch never printed.
	for _, s := range []*sideRun{sr, kr} {
		for _, id := range s.side.rawIDs(ctx, s.env.kv, s.tr.IDs) {
			s.addID(id)
		}
	}
	cctx := context.WithoutCancel(ctx)
	errs[0] = errors.Join(errs[0], r.slurm.cancel(cctx, sr.env.kv, sr.tr.IDs, 60*time.Second))
	errs[1] = errors.Join(errs[1], r.sky.cancel(cctx, kr.env.kv, kr.tr.IDs, 60*time.Second))
	d.stop()
	if c.Exclusive {
		if foreign == nil {
			foreign = map[string]bool{}
		}
		if after, err := r.foreignJobs(cctx); err == nil {
			for id := range after {
				foreign[id] = true
			}
		}
		for _, id := range sr.tr.IDs {
			delete(foreign, id)
		}
		o.Dropped = dropForeign(&sr.tr, foreign)
	}
	o.Slurm, o.Sky = &sr.tr, &kr.tr
	o.Err = errors.Join(o.Err, errs[0], errs[1])
	return o
}

// quiesce prepares an exclusive case. Every earlier case has cancelled
// its jobs and waited until real Slurm dropped them from the queue, so
// what squeue still shows (any state) belongs to others or has ended: it
// returns those IDs, whose lines the case's output drops. It then waits
// for the start of a new second, so that "sacct -S $T0" sees only the
// case's jobs.
func (r *runner) quiesce(ctx context.Context) (map[string]bool, error) {
	foreign, err := r.foreignJobs(ctx)
	if err != nil {
		return nil, err
	}
	next := time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)
	return foreign, sleep(ctx, time.Until(next))
}

// foreignJobs returns the jobs real Slurm's squeue shows in any state.
func (r *runner) foreignJobs(ctx context.Context) (map[string]bool, error) {
	env := append(slices.Clone(r.base), "PATH="+r.slurm.path)
	ids, err := r.slurm.queued(ctx, env, true)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m, nil
}

// dropForeign removes from a transcript's outputs the lines whose first
// field is another job's ID (with any .step, _task or + suffix), and
// returns how many it removed (scontrol's "JobId=ID" counts as the ID).
func dropForeign(tr *transcript, foreign map[string]bool) int {
	if len(foreign) == 0 {
		return 0
	}
	n := 0
	keep := func(text string) string {
		var b strings.Builder
		for line := range strings.Lines(text) {
			f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '|' || r == '\n' || r == '\t' })
			if len(f) > 0 {
				id := strings.TrimPrefix(strings.TrimRight(f[0], "+"), "JobId=")
				if i := strings.IndexAny(id, "._"); i > 0 {
					id = id[:i]
				}
				if foreign[id] {
					n++
					continue
				}
			}
			b.WriteString(line)
		}
		return b.String()
	}
	for i := range tr.Results {
		tr.Results[i].Stdout = keep(tr.Results[i].Stdout)
	}
	return n
}
