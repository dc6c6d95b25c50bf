package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"skyport/gate"
)

// runRecord is what the gate keeps for one run of a job: the VM it holds
// (written before the executor starts it) and the executor's handle.
type runRecord struct {
	Job        uint32         `json:"job"`
	Restart    int            `json:"restart"`
	VM         string         `json:"vm"`
	Pool       string         `json:"pool"`
	Node       string         `json:"node"`
	CPUs       int            `json:"cpus"`
	WarnSignal syscall.Signal `json:"warn_signal,omitempty"`
	Exec       gate.Handle    `json:"exec,omitempty"`
	// Lost, when set, is the run's end: its VM was lost.
	Lost *gate.Exit `json:"lost,omitempty"`
}

func (r runRecord) key() runKey { return runKey{r.Job, r.Restart} }

// handle is the gate.Handle of a run: its key. Everything else is in the
// run record, so a handle stays valid across restarts.
type handle struct {
	Job     uint32 `json:"job"`
	Restart int    `json:"restart"`
	VM      string `json:"vm"`
}

func encodeHandle(r runRecord) gate.Handle {
	b, _ := json.Marshal(handle{r.Job, r.Restart, r.VM}) // cannot fail
	return b
}

func decodeHandle(h gate.Handle) (runKey, error) {
	var x handle
	if err := json.Unmarshal(h, &x); err != nil {
		return runKey{}, fmt.Errorf("azure: bad handle: %w", gate.ErrNotFound)
	}
	return runKey{x.Job, x.Restart}, nil
}

func (g *Gate) runPath(k runKey) string {
	return filepath.Join(g.stateDir, "runs", k.String()+".json")
}

func (g *Gate) putRun(r runRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("azure: run %s: %w", r.key(), err)
	}
	return writeFileAtomic(g.runPath(r.key()), b, 0o600)
}

// getRun reads the run record of k; gate.ErrNotFound when there is none.
func (g *Gate) getRun(k runKey) (runRecord, error) {
	b, err := os.ReadFile(g.runPath(k))
	if errors.Is(err, fs.ErrNotExist) {
		return runRecord{}, fmt.Errorf("azure: run %s: %w", k, gate.ErrNotFound)
	}
	if err != nil {
		return runRecord{}, fmt.Errorf("azure: run %s: %w", k, err)
	}
	var r runRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return runRecord{}, fmt.Errorf("azure: run %s: %w", k, err)
	}
	return r, nil
}

func (g *Gate) removeRun(k runKey) error {
	if err := os.Remove(g.runPath(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("azure: run %s: %w", k, err)
	}
	return nil
}

// allRuns lists every run record.
func (g *Gate) allRuns() ([]runRecord, error) {
	ents, err := os.ReadDir(filepath.Join(g.stateDir, "runs"))
	if err != nil {
		return nil, fmt.Errorf("azure: runs: %w", err)
	}
	var out []runRecord
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		var k runKey
		if _, err := fmt.Sscanf(name, "%d.%d", &k.Job, &k.Restart); err != nil {
			continue
		}
		r, err := g.getRun(k)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
