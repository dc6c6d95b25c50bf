package ssh

import (
	"encoding/json"
	"fmt"
	"path"

	"skyport/gate"
	"skyport/gate/internal/runname"
)

// handle is the JSON form of an SSH gate.Handle: the gateway that started
// the run, the host and run directory there, and the supervisor that
// claimed the run (its pid and start ticks). Every field is fixed once the
// run is claimed, so Start returns byte-identical handles for one run.
type handle struct {
	Gateway string `json:"gateway"`
	Host    string `json:"host"`
	Run     string `json:"run"`
	Dir     string `json:"dir"`
	PID     int    `json:"pid"`
	Ticks   uint64 `json:"start_ticks"`
}

// superRecord is the part of supervisor.json the gate reads.
type superRecord struct {
	PID    int    `json:"pid"`
	Ticks  uint64 `json:"start_ticks"`
	JobPID int    `json:"job_pid,omitempty"`
}

// encode returns the handle's bytes.
func (h handle) encode() gate.Handle {
	b, err := json.Marshal(h)
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	return b
}

// parseHandle decodes h; anything this gateway did not make is
// gate.ErrNotFound.
func parseHandle(h gate.Handle, gateway string) (handle, error) {
	var v handle
	if err := json.Unmarshal(h, &v); err != nil {
		return handle{}, fmt.Errorf("ssh: bad handle %q: %w", truncate(h), gate.ErrNotFound)
	}
	if v.Gateway != gateway {
		return handle{}, fmt.Errorf("ssh: handle of gateway %q, not this one: %w", v.Gateway, gate.ErrNotFound)
	}
	if !runname.Valid(v.Run) || !path.IsAbs(v.Dir) || path.Base(v.Dir) != v.Run || v.PID <= 0 {
		return handle{}, fmt.Errorf("ssh: bad handle %q: %w", truncate(h), gate.ErrNotFound)
	}
	return v, nil
}

// truncate keeps error messages about foreign handles short.
func truncate(b []byte) string {
	const maxLen = 64
	if len(b) > maxLen {
		return string(b[:maxLen]) + "..."
	}
	return string(b)
}
