package gateway

import (
	"context"
	"time"
)

// nodeRefresh is how often the gates are asked which of their nodes answer.
const nodeRefresh = 10 * time.Second

// nodeTimeout bounds one gate's Nodes call.
const nodeTimeout = 15 * time.Second

// reasonNodesDown is Slurm's reason for a job whose partition has no node
// up that could run it (REFERENCE.md: squeue of a job on drained nodes).
const reasonNodesDown = "Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions"

// watchNodes asks every gate for its nodes every nodeRefresh until ctx
// ends, so that the scheduler places jobs only on nodes that answer and
// sinfo shows why a node is down.
func (s *Server) watchNodes(ctx context.Context) {
	t := time.NewTicker(nodeRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.refreshNodes(ctx)
		}
	}
}

// refreshNodes records what each gate says of its nodes now: up or down,
// and the reason. A node the gate did not list at start is ignored until a
// restart (partitions are derived from the nodes at start); a gate that
// cannot answer leaves its nodes as they were.
func (s *Server) refreshNodes(ctx context.Context) {
	changed := false
	for name, g := range s.gates {
		cctx, cancel := context.WithTimeout(ctx, nodeTimeout)
		ns, err := g.Nodes(cctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cannot list nodes", "gate", name, "err", err)
			}
			continue
		}
		s.mu.Lock()
		for _, n := range ns {
			nd, ok := s.nodes[nodeKey(name, n.Name)]
			if !ok || (nd.up == n.Up && nd.reason == n.Reason) {
				continue
			}
			if nd.up != n.Up {
				s.log.Info("node state", "gate", name, "node", n.Name, "up", n.Up, "reason", n.Reason)
			}
			nd.up, nd.reason = n.Up, n.Reason
			changed = true
		}
		s.mu.Unlock()
	}
	if changed {
		s.poke()
	}
}
