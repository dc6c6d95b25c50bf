package compat

import "strings"

// sinfoConst returns a value function printing s.
func sinfoConst(s string) func([]byte, *sinfoRecord) []byte {
	return func(b []byte, _ *sinfoRecord) []byte { return append(b, s...) }
}

// sinfoPartConst prints s, or "n/a" for a line without a partition.
func sinfoPartConst(s string) func([]byte, *sinfoRecord) []byte {
	return func(b []byte, r *sinfoRecord) []byte {
		if r.part == nil {
			return append(b, "n/a"...)
		}
		return append(b, s...)
	}
}

// sinfoNodeList prints the ranged list of the line's nodes.
func sinfoNodeList(b []byte, r *sinfoRecord) []byte {
	return append(b, sinfoHostlist(r.nodes)...)
}

// sinfoHostlist is the ranged node list of nodes.
func sinfoHostlist(nodes []*Node) string {
	if len(nodes) == 1 {
		return nodes[0].Name
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	return compressHostlist(names)
}

// sinfoReasonUser prints who set the nodes' reason, "Unknown" if nobody.
func sinfoReasonUser(b []byte, r *sinfoRecord) []byte {
	if u := firstOf(r.nodes).ReasonUser; u != "" {
		return append(b, u...)
	}
	return append(b, "Unknown"...)
}

// zeroNode stands for the attributes of a line without nodes.
var zeroNode = &Node{}

// firstOf returns the first node of a line (all share the printed
// attributes), or an empty node.
func firstOf(nodes []*Node) *Node {
	if len(nodes) == 0 {
		return zeroNode
	}
	return nodes[0]
}

// nodeSCT returns a node's sockets, cores per socket and threads per core.
func nodeSCT(n *Node) (int, int, int) {
	s, c, t := n.Sockets, n.CoresPerSocket, n.ThreadsPerCore
	if s <= 0 {
		s = 1
	}
	if t <= 0 {
		t = 1
	}
	if c <= 0 {
		c = max(n.CPUs/(s*t), 1)
	}
	return s, c, t
}

// nodeCounts returns how many nodes are allocated (or mixed), idle and
// otherwise unavailable.
func nodeCounts(nodes []*Node) (alloc, idle, other int) {
	for _, n := range nodes {
		switch {
		case nodeUnavailable(n.State):
			other++
		case nodeAllocated(n.State):
			alloc++
		default:
			idle++
		}
	}
	return alloc, idle, other
}

// partitionAvail is sinfo's AVAIL: "up", "down", "drain" or "inactive".
func partitionAvail(p *Partition) string {
	switch strings.ToUpper(p.State) {
	case "UP":
		return "up"
	case "DOWN":
		return "down"
	case "DRAIN":
		return "drain"
	case "INACTIVE":
		return "inactive"
	case "":
		if p.Up {
			return "up"
		}
		return "down"
	}
	return "unknown"
}

// appendSinfoPartition prints %P: the name, with "*" after the default
// partition (replacing the last character when the name fills the width).
func appendSinfoPartition(b []byte, r *sinfoRecord, width int) []byte {
	if r.part == nil {
		return append(b, "n/a"...)
	}
	name := r.part.Name
	if !r.part.Default {
		return append(b, name...)
	}
	if width == 0 || len(name) < width {
		b = append(b, name...)
		return append(b, '*')
	}
	b = append(b, name[:width-1]...)
	return append(b, '*')
}
