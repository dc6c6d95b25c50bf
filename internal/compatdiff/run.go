package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cmdTimeout bounds every command line of a case.
const cmdTimeout = 60 * time.Second

// maxFileBytes is how much of a file the jobs wrote is compared.
const maxFileBytes = 64 << 10

// A result is what one step printed on one side.
type result struct {
	Text   string // the step as written in the case
	Stdout string
	Stderr string
	Exit   int
}

// A transcript is what one case did on one side.
type transcript struct {
	Results []result
	Files   []fileResult // files created or changed in the working directory
	IDs     []string     // job IDs, in the order they were seen
}

// fileResult is one file a case's commands or jobs left behind.
type fileResult struct {
	Name    string // relative to the working directory
	Content string
}

// env is the environment of a case on one side, as an ordered list so
// that every command sees the same order.
type env struct{ kv []string }

func (e *env) set(k, v string) {
	e.unset(k)
	e.kv = append(e.kv, k+"="+v)
}

func (e *env) unset(k string) {
	e.kv = slices.DeleteFunc(e.kv, func(s string) bool { return strings.HasPrefix(s, k+"=") })
}

func (e *env) get(k string) string {
	for _, s := range e.kv {
		if v, ok := strings.CutPrefix(s, k+"="); ok {
			return v
		}
	}
	return ""
}

// sideRun runs one case on one side.
type sideRun struct {
	side *side
	dir  string // the case's working directory
	env  env
	tr   transcript
}

var (
	submittedRe = regexp.MustCompile(`(?m)^Submitted batch job ([0-9]+)( on cluster \S+)?$`)
	parsableRe  = regexp.MustCompile(`(?m)^([0-9]+)(;[^\n]*)?$`)
	testOnlyRe  = regexp.MustCompile(`(?m)^sbatch: Job ([0-9]+) to start at`)
	sbatchWord  = regexp.MustCompile(`(^|[\s;&|(])sbatch(\s|$)`)
)

// run executes the case's steps in order. It stops only when ctx is done;
// a failing command is a result like any other.
func (r *sideRun) run(ctx context.Context, c *Case) error {
	if err := writeFiles(r.dir, c.Files); err != nil {
		return err
	}
	for _, st := range c.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch st.Kind {
		case StepEnv:
			if st.Unset {
				r.env.unset(st.Key)
			} else {
				r.env.set(st.Key, os.Expand(st.Value, r.env.get))
			}
		case StepSleep:
			if err := sleep(ctx, st.Pause); err != nil {
				return err
			}
		case StepWait:
			r.tr.Results = append(r.tr.Results, r.wait(ctx, st))
		case StepCmd, StepQuiet:
			res := r.command(ctx, st.Text)
			r.learnIDs(st.Text, res)
			if st.Kind == StepCmd {
				r.tr.Results = append(r.tr.Results, res)
			}
		}
	}
	files, err := snapshot(r.dir, c.Files)
	r.tr.Files = files
	return err
}

// command runs one shell command line in the case's directory.
func (r *sideRun) command(ctx context.Context, text string) result {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", text)
	cmd.Dir = r.dir
	cmd.Env = r.env.kv
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{Text: text, Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.Exit = -1
		res.Stderr += fmt.Sprintf("compatdiff: command timed out after %s\n", cmdTimeout)
	case errors.As(err, &ee):
		res.Exit = ee.ExitCode()
	default:
		res.Exit = -1
		res.Stderr += "compatdiff: " + err.Error() + "\n"
	}
	return res
}

// learnIDs records the job IDs an sbatch command line printed, and sets
// J1, J2, ... for the later steps.
func (r *sideRun) learnIDs(text string, res result) {
	if !sbatchWord.MatchString(text) {
		return
	}
	var found []string
	for _, m := range submittedRe.FindAllStringSubmatch(res.Stdout, -1) {
		found = append(found, m[1])
	}
	if strings.Contains(text, "--parsable") {
		for _, m := range parsableRe.FindAllStringSubmatch(res.Stdout, -1) {
			found = append(found, m[1])
		}
	}
	for _, m := range testOnlyRe.FindAllStringSubmatch(res.Stderr, -1) {
		found = append(found, m[1])
	}
	for _, id := range found {
		r.addID(id)
	}
}

// addID records a job ID once and names it J<n>.
func (r *sideRun) addID(id string) {
	if slices.Contains(r.tr.IDs, id) {
		return
	}
	r.tr.IDs = append(r.tr.IDs, id)
	r.env.set("J"+strconv.Itoa(len(r.tr.IDs)), id)
}

// wait polls the side's sacct until the job (every task of an array) is
// in one of the states, and reports the outcome as a result (so a timeout
// on one side only shows as a difference).
func (r *sideRun) wait(ctx context.Context, st Step) result {
	text := "wait $" + st.Key + " " + strings.Join(st.States, ",")
	id := r.env.get(st.Key)
	if id == "" {
		return result{Text: text, Stderr: "compatdiff: no job " + st.Key + "\n", Exit: -1}
	}
	deadline := time.Now().Add(st.Timeout)
	var last []string
	for {
		last = r.side.jobStates(ctx, r.env.kv, id)
		done := len(last) > 0
		for _, s := range last {
			first, _, _ := strings.Cut(s, " ")
			done = done && slices.Contains(st.States, first)
		}
		if done {
			return result{Text: text}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return result{Text: text, Exit: -1,
				Stderr: fmt.Sprintf("compatdiff: still %q after %s\n", strings.Join(last, ","), st.Timeout)}
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return result{Text: text, Exit: -1, Stderr: "compatdiff: " + err.Error() + "\n"}
		}
	}
}

// writeFiles writes the setup files into dir.
func writeFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return fmt.Errorf("compatdiff: setup: %w", err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(string(data), "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, data, mode); err != nil {
			return fmt.Errorf("compatdiff: setup: %w", err)
		}
	}
	return nil
}

// snapshot returns the files under dir that are not unchanged setup
// files, sorted by name, each cut to maxFileBytes.
func snapshot(dir string, setup map[string][]byte) ([]fileResult, error) {
	var out []fileResult
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("compatdiff: snapshot: %w", err)
	}
	defer func() { _ = root.Close() }()
	err = fs.WalkDir(root.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := root.ReadFile(rel)
		if err != nil {
			return err
		}
		if orig, ok := setup[filepath.ToSlash(rel)]; ok && bytes.Equal(orig, data) {
			return nil
		}
		if len(data) > maxFileBytes {
			data = append(data[:maxFileBytes:maxFileBytes], "\n[... cut]\n"...)
		}
		out = append(out, fileResult{Name: filepath.ToSlash(rel), Content: string(data)})
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("compatdiff: snapshot %s: %w", dir, err)
	}
	return out, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
