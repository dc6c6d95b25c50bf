package ssh

import (
	"context"
	"fmt"
	"strings"

	"skyport/gate"
)

// readyScript prints "ready" when the file $1 exists.
const readyScript = `if [ -e "$1" ]; then echo ready; fi`

// checkReady returns nil once the host's ReadyFile exists (at once for a
// host without one), else an error wrapping gate.ErrUnavailable: the run
// was not started and may be started later. A host seen ready is not
// asked again.
func (c *conn) checkReady(ctx context.Context) error {
	if c.host.ReadyFile == "" {
		return nil
	}
	c.mu.Lock()
	ready := c.ready
	c.mu.Unlock()
	if ready {
		return nil
	}
	out, err := c.output(ctx, scriptArgs(readyScript, c.host.ReadyFile), nil)
	if err != nil {
		return fmt.Errorf("check %s: %w: %w", c.host.ReadyFile, err, gate.ErrUnavailable)
	}
	if strings.TrimSpace(string(out)) != "ready" {
		return fmt.Errorf("host %s is not ready for jobs yet (no %s): %w", c.host.Name, c.host.ReadyFile, gate.ErrUnavailable)
	}
	c.mu.Lock()
	c.ready = true
	c.mu.Unlock()
	return nil
}
