package ssh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"skyport/gate"
	"skyport/gate/ssh/mirror"
)

var _ mirror.Remote = (*conn)(nil)

// staged is what a record keeps of a job's staging: the plan and what the
// host held after the push, for Pull.
type staged struct {
	Plan     mirror.Plan     `json:"plan"`
	Snapshot mirror.Snapshot `json:"snapshot"`
}

// planOf says what a job needs on a host that does not share this file
// system: its submit and work directories, its stdin file and output
// files (so that appending continues them, and Pull brings them back),
// and the directories of its output files. Only what exists here is
// planned: a missing work directory or output directory stays missing on
// the host too, and the job fails there as it would here.
func planOf(spec gate.Spec, maxBytes int64) mirror.Plan {
	p := mirror.Plan{MaxBytes: maxBytes}
	isDir := func(d string) bool {
		fi, err := os.Stat(d)
		return err == nil && fi.IsDir()
	}
	for _, d := range []string{spec.SubmitDir, spec.WorkDir} {
		if d != "" && filepath.IsAbs(d) && isDir(d) {
			p.Dirs = append(p.Dirs, d)
		}
	}
	for _, f := range []string{spec.StdIn, spec.StdOut, spec.StdErr} {
		if f != "" && filepath.IsAbs(f) && !strings.HasPrefix(f, "/dev/") {
			p.Files = append(p.Files, f)
		}
	}
	for _, f := range []string{spec.StdOut, spec.StdErr} {
		if d := filepath.Dir(f); f != "" && filepath.IsAbs(f) && !strings.HasPrefix(f, "/dev/") && isDir(d) {
			p.MkDirs = append(p.MkDirs, d)
		}
	}
	return p
}

// push stages the job's files on the host and returns the record of it.
// An error is gate.ErrUnavailable unless the files are too large to send.
func (g *Gate) push(ctx context.Context, c *conn, spec gate.Spec) (json.RawMessage, error) {
	p := planOf(spec, g.opts.MaxStageBytes)
	snap, stats, err := mirror.Push(ctx, c, p)
	if errors.Is(err, mirror.ErrTooLarge) {
		return nil, fmt.Errorf("stage files: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("stage files: %w: %w", err, gate.ErrUnavailable)
	}
	g.log.Debug("staged", "job_id", spec.JobID, "host", c.host.Name, "files", stats.Files, "bytes", stats.Bytes)
	b, err := json.Marshal(staged{Plan: p, Snapshot: snap})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// pull brings back the new and changed files of a staged job.
func (g *Gate) pull(ctx context.Context, c *conn, raw json.RawMessage) error {
	var s staged
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("decode staging record: %w", err)
	}
	stats, err := mirror.Pull(ctx, c, s.Plan, s.Snapshot)
	if err != nil {
		return err
	}
	g.log.Debug("collected", "host", c.host.Name, "files", stats.Files, "bytes", stats.Bytes)
	return nil
}
