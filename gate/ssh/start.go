package ssh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"skyport/gate"
	"skyport/gate/internal/runname"
)

// Start prepares the run on the host spec.Node names (the only host when
// Node is empty and there is one), stages the job's files there unless the
// host shares this file system, launches the run's supervisor in a session
// of its own and returns once it has claimed the run.
//
// Start is idempotent per (JobID, Restart), also across gates over the
// same state directory: the handle is recorded here, and a run found
// claimed on the host is not launched again. gate.ErrUnavailable means no
// supervisor claimed the run (the host could not be reached, staging or
// the launch failed); a later Start may try again.
func (g *Gate) Start(ctx context.Context, spec gate.Spec) (gate.Handle, error) {
	if g.closed.Load() {
		return nil, fmt.Errorf("%w: %w", errClosed, gate.ErrUnavailable)
	}
	if spec.Restart < 0 {
		return nil, fmt.Errorf("ssh: start job %d: negative restart %d", spec.JobID, spec.Restart)
	}
	run := runname.Of(spec.JobID, spec.Restart)
	defer g.locks.Lock(run)()
	rec, err := g.store.load(run)
	if err != nil {
		return nil, fmt.Errorf("ssh: start job %d: %w", spec.JobID, err)
	}
	if rec != nil && rec.Handle != nil {
		if rec.Exit == nil {
			g.follow(*rec.Handle)
		}
		return rec.Handle.encode(), nil
	}
	node := spec.Node
	if rec != nil {
		node = rec.Host // prepared on that host before: stay there
	} else if node == "" && len(g.hosts) == 1 {
		node = g.hosts[0].host.Name
	}
	c, err := g.host(node)
	if err != nil {
		return nil, fmt.Errorf("ssh: start job %d: %w", spec.JobID, err)
	}
	h, err := g.start(ctx, c, run, spec, rec)
	if err != nil {
		return nil, fmt.Errorf("ssh: start job %d on %s: %w", spec.JobID, c.host.Name, err)
	}
	g.log.Debug("started", "job_id", spec.JobID, "host", c.host.Name, "run", run)
	return h, nil
}

// start does the work of Start under the run's lock.
func (g *Gate) start(ctx context.Context, c *conn, run string, spec gate.Spec, rec *record) (gate.Handle, error) {
	if spec.Container != nil {
		if c.host.Containers == "" {
			return nil, fmt.Errorf("--container-image: host %s runs no containers (set its containers option)", c.host.Name)
		}
		ct := *spec.Container
		ct.Runtime = c.host.Containers
		spec.Container = &ct
	}
	if n := c.host.MaxJobs; n > 0 && g.active(c.host.Name) >= n {
		return nil, fmt.Errorf("host runs max_jobs=%d jobs already: %w", n, gate.ErrUnavailable)
	}
	bin, err := g.binary()
	if err != nil {
		return nil, err
	}
	inf, err := c.info(ctx, bin)
	if errors.Is(err, errWrongArch) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, gate.ErrUnavailable)
	}
	if err := c.checkReady(ctx); err != nil {
		return nil, err
	}
	jobs := g.jobsDir(inf)
	dir := path.Join(jobs, run)
	streams := streamsOf(spec, c.host.SharedFS)

	// The supervisor reads the spec on the host: it runs the job as the
	// login user there.
	script := spec.Script
	rspec := spec
	rspec.Script = nil
	rspec.UID, rspec.GID = inf.UID, inf.GID
	js, err := json.Marshal(rspec)
	if err != nil {
		return nil, err
	}
	stdin := bytes.NewReader(append(append(js, '\n'), script...))
	out, err := c.output(ctx, scriptArgs(prepareScript, append([]string{dir, jobs}, pathsOf(streams)...)...), stdin)
	if err != nil {
		return nil, fmt.Errorf("prepare run: %w: %w", err, gate.ErrUnavailable)
	}
	first, rest, _ := bytes.Cut(out, []byte("\n"))
	if string(first) == "claimed" {
		// Launched before, by a gate that died before recording it.
		if rec == nil {
			rec = &record{Host: c.host.Name, Dir: dir, Started: time.Now(), Streams: streams}
		}
		return g.claimed(run, rec, c, dir, rest)
	}
	sizes, err := parseSizes(strings.TrimPrefix(string(first), "prepared"), len(streams))
	if err != nil {
		return nil, fmt.Errorf("prepare run: %w: %w", err, gate.ErrUnavailable)
	}
	if rec == nil || rec.Exit != nil {
		rec = &record{Host: c.host.Name, Dir: dir, Started: time.Now(), Streams: streams}
	}
	for i := range rec.Streams {
		setBases(&rec.Streams[i], sizes[i])
	}
	if !c.host.SharedFS {
		if rec.Stage, err = g.push(ctx, c, spec); err != nil {
			return nil, err
		}
	}
	if err := g.store.save(run, rec, true); err != nil {
		return nil, fmt.Errorf("record run: %w: %w", err, gate.ErrUnavailable)
	}
	out, err = g.launch(ctx, c, dir, inf.Bin)
	if err != nil {
		return nil, err
	}
	return g.claimed(run, rec, c, dir, out)
}

// launchAttempts bounds the launches of one Start whose connection failed
// under them (the launch script finds a run claimed and does nothing).
const launchAttempts = 3

// launch runs the launch script and returns supervisor.json. Its error is
// gate.ErrUnavailable only when no supervisor can have claimed the run;
// when the connection failed mid-launch, it launches again (which only
// reads supervisor.json when the first one came up), and when that does
// not succeed the error says the state is unknown: Start again to learn it.
func (g *Gate) launch(ctx context.Context, c *conn, dir, bin string) ([]byte, error) {
	var err error
	for range launchAttempts {
		var out []byte
		out, err = c.output(ctx, scriptArgs(launchScript, dir, bin), nil)
		switch {
		case err == nil:
			return out, nil
		case exitCode(err) == codeNoClaim, errors.Is(err, errNotRun):
			return nil, fmt.Errorf("launch supervisor: %w: %w", err, gate.ErrUnavailable)
		case !errors.Is(err, errUnreachable) || ctx.Err() != nil:
			return nil, fmt.Errorf("launch supervisor: %w", err)
		}
		g.log.Warn("launch interrupted, retrying", "dir", dir, "err", err)
	}
	return nil, fmt.Errorf("launch supervisor: started or not, unknown (Start again to learn): %w", err)
}

// claimed records the handle of a run claimed by the supervisor whose
// supervisor.json is js, and starts following the run.
func (g *Gate) claimed(run string, rec *record, c *conn, dir string, js []byte) (gate.Handle, error) {
	var sr superRecord
	if err := json.Unmarshal(bytes.TrimSpace(js), &sr); err != nil {
		return nil, fmt.Errorf("bad supervisor.json %q: %w", js, err)
	}
	if sr.PID <= 0 {
		return nil, fmt.Errorf("bad supervisor.json %q: no pid", js)
	}
	h := handle{Gateway: g.id, Host: c.host.Name, Run: run, Dir: dir, PID: sr.PID, Ticks: sr.Ticks}
	rec.Handle = &h
	if err := g.store.save(run, rec, true); err != nil {
		// The run is claimed: a later Start finds it so and records it.
		return nil, fmt.Errorf("record handle: %w", err)
	}
	g.follow(h)
	return h.encode(), nil
}

// streamsOf lists the output files to copy back from a host that does not
// share this file system.
func streamsOf(spec gate.Spec, shared bool) []stream {
	if shared {
		return nil
	}
	var out []stream
	for _, p := range []string{spec.StdOut, spec.StdErr} {
		if p == "" || strings.HasPrefix(p, "/dev/") || (len(out) > 0 && out[0].Path == p) {
			continue
		}
		out = append(out, stream{Path: p, Append: spec.Append})
	}
	return out
}

// setBases fixes where the job's bytes start in an appended output file:
// after what the remote file held (remote, -1 when none) and after what
// the local one holds. Truncated files start at 0 on both sides.
func setBases(s *stream, remote int64) {
	s.RemoteBase, s.LocalBase, s.Offset, s.Opened = 0, 0, 0, false
	if !s.Append {
		return
	}
	if fi, err := os.Stat(s.Path); err == nil {
		// Staging sends the local file: both sides then hold the same.
		s.RemoteBase, s.LocalBase = fi.Size(), fi.Size()
	} else if remote > 0 {
		s.RemoteBase = remote
	}
	s.Offset = s.RemoteBase
}

func pathsOf(ss []stream) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Path
	}
	return out
}

// parseSizes reads n space-separated file sizes.
func parseSizes(s string, n int) ([]int64, error) {
	f := strings.Fields(s)
	if len(f) != n {
		return nil, fmt.Errorf("want %d sizes, got %q", n, s)
	}
	out := make([]int64, n)
	for i, x := range f {
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return nil, errors.New("bad size " + strconv.Quote(x))
		}
		out[i] = v
	}
	return out, nil
}
