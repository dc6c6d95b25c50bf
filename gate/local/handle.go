package local

import (
	"encoding/json"
	"fmt"

	"skyport/gate"
	"skyport/gate/internal/runname"
)

// handle is the JSON form of a local gate.Handle. It names the run only,
// so Start returns byte-identical handles for one run whatever happened in
// between (a reopen of the gate, a Reap).
type handle struct {
	Run string `json:"run"`
}

// encodeHandle returns the handle of the run name.
func encodeHandle(name string) gate.Handle {
	b, err := json.Marshal(handle{Run: name})
	if err != nil {
		panic(err) // a struct of one string always marshals
	}
	return b
}

// parseHandle returns the run name in h. A handle this gate did not make is
// gate.ErrNotFound.
func parseHandle(h gate.Handle) (string, error) {
	var v handle
	if err := json.Unmarshal(h, &v); err != nil {
		return "", fmt.Errorf("local: bad handle %q: %w", truncate(h), gate.ErrNotFound)
	}
	if !runname.Valid(v.Run) {
		return "", fmt.Errorf("local: bad run %q in handle: %w", v.Run, gate.ErrNotFound)
	}
	return v.Run, nil
}

// truncate keeps error messages about foreign handles short.
func truncate(b []byte) string {
	const maxLen = 64
	if len(b) > maxLen {
		return string(b[:maxLen]) + "..."
	}
	return string(b)
}
