package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"skyport/gate/internal/atomicfile"
)

// The states of a VM in the journal.
const (
	vmCreating = "creating" // intent recorded; resources may exist in part
	vmLive     = "live"     // created and booted; address known
	vmDeleting = "deleting" // intent recorded; resources may remain in part
)

// vmRecord is the journal's record of one VM: written (and synced) before
// any create or delete of its resources, so that after a crash the gate
// knows which tagged resources are its own live VMs and which are debris.
type vmRecord struct {
	VM        string    `json:"vm"`
	Pool      string    `json:"pool"`
	State     string    `json:"state"`
	Region    string    `json:"region"`
	Zone      string    `json:"zone,omitempty"`
	Size      string    `json:"size"`
	Spot      bool      `json:"spot,omitempty"`
	Address   string    `json:"address,omitempty"` // where SSH reaches it
	HostKey   string    `json:"host_key"`          // its pinned public host key
	Created   time.Time `json:"created"`
	Ready     time.Time `json:"ready,omitzero"`
	Evictions int       `json:"evictions,omitempty"`
}

// journal keeps vmRecords as files <dir>/<vm>.json, each written
// atomically. It is safe for concurrent use.
type journal struct {
	dir string
	mu  sync.Mutex
}

func openJournal(dir string) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("azure: journal: %w", err)
	}
	return &journal{dir: dir}, nil
}

func (j *journal) path(vm string) string { return filepath.Join(j.dir, vm+".json") }

// put writes r, replacing any earlier record of its VM.
func (j *journal) put(r vmRecord) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("azure: journal %s: %w", r.VM, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := writeFileAtomic(j.path(r.VM), b, 0o600); err != nil {
		return fmt.Errorf("azure: journal: %w", err)
	}
	return nil
}

// get reads the record of vm; fs.ErrNotExist when there is none.
func (j *journal) get(vm string) (vmRecord, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.read(j.path(vm))
}

func (j *journal) read(path string) (vmRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return vmRecord{}, err
	}
	var r vmRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return vmRecord{}, fmt.Errorf("azure: journal %s: %w", path, err)
	}
	return r, nil
}

// remove deletes the record of vm; removing a missing record is no error.
func (j *journal) remove(vm string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := os.Remove(j.path(vm)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("azure: journal: %w", err)
	}
	if err := atomicfile.SyncDir(j.dir); err != nil {
		return fmt.Errorf("azure: journal: sync %s: %w", j.dir, err)
	}
	return nil
}

// all returns every record, sorted by VM name. Unreadable records are
// skipped with their error joined into err.
func (j *journal) all() ([]vmRecord, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return nil, fmt.Errorf("azure: journal: %w", err)
	}
	var out []vmRecord
	var errs []error
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		r, err := j.read(filepath.Join(j.dir, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].VM < out[b].VM })
	return out, errors.Join(errs...)
}
