package ssh

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skyport/gate"
	"skyport/gate/internal/atomicfile"
	"skyport/gate/internal/runname"
)

// record is what the gate keeps locally for one run, in
// <StateDir>/runs/<run>.json. It is written before the supervisor is
// launched (the intent), completed with the handle once the run is
// claimed, then with stream offsets while output flows back, and with the
// exit at the end.
type record struct {
	Handle  *handle   `json:"handle,omitempty"`
	Host    string    `json:"host"`
	Dir     string    `json:"dir"`
	Started time.Time `json:"started"`
	// Streams are the output files copied back by offset (none on a host
	// with a shared file system).
	Streams []stream `json:"streams,omitempty"`
	// Stage is the staging plan and what the host held after the push,
	// for Collect (nil on a host with a shared file system).
	Stage  json.RawMessage `json:"stage,omitempty"`
	Exit   *gate.Exit      `json:"exit,omitempty"`
	Reaped bool            `json:"reaped,omitempty"`
}

// stream is one output file copied back from the host into the same path
// here. Remote byte Offset lands at LocalBase + (Offset - RemoteBase), so
// bytes fetched twice are written twice to the same place, never doubled.
type stream struct {
	Path       string `json:"path"`
	Append     bool   `json:"append,omitempty"`
	RemoteBase int64  `json:"remote_base"` // size of the remote file before the job (append)
	LocalBase  int64  `json:"local_base"`  // size of the local file before the job (append)
	Offset     int64  `json:"offset"`      // remote bytes copied so far, from 0
	Opened     bool   `json:"opened,omitempty"`
}

// store keeps records and the gateway id in the state directory.
type store struct {
	dir string // <StateDir>/runs
}

// openStore creates the state directory's layout and returns the store and
// the gateway id (made once, kept in <StateDir>/gateway-id).
func openStore(stateDir string) (*store, string, error) {
	if stateDir == "" {
		return nil, "", errors.New("ssh: no state directory")
	}
	runs := filepath.Join(stateDir, "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		return nil, "", fmt.Errorf("ssh: state directory: %w", err)
	}
	idFile := filepath.Join(stateDir, "gateway-id")
	b, err := os.ReadFile(idFile)
	if errors.Is(err, fs.ErrNotExist) {
		var r [8]byte
		if _, err := rand.Read(r[:]); err != nil {
			return nil, "", fmt.Errorf("ssh: gateway id: %w", err)
		}
		b = []byte(hex.EncodeToString(r[:]))
		if err := atomicfile.WriteFile(stateDir, "gateway-id", append(b, '\n'), 0o600, true); err != nil {
			return nil, "", fmt.Errorf("ssh: gateway id: %w", err)
		}
	} else if err != nil {
		return nil, "", fmt.Errorf("ssh: gateway id: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" || strings.ContainsAny(id, "/ \t\n'") {
		return nil, "", fmt.Errorf("ssh: bad gateway id %q in %s", id, idFile)
	}
	return &store{dir: runs}, id, nil
}

// load returns the record of run, nil when there is none.
func (s *store) load(run string) (*record, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, run+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode record of %s: %w", run, err)
	}
	return &r, nil
}

// save replaces the record of run; durable syncs it to disk.
func (s *store) save(run string, r *record, durable bool) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(s.dir, run+".json", append(b, '\n'), 0o600, durable)
}

// remove deletes the record of run; a missing one is fine.
func (s *store) remove(run string) error {
	err := os.Remove(filepath.Join(s.dir, run+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// runs lists the runs that have records.
func (s *store) runs() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if run, ok := strings.CutSuffix(e.Name(), ".json"); ok && runname.Valid(run) {
			out = append(out, run)
		}
	}
	return out, nil
}
