package compat

import (
	"slices"
	"strings"
	"time"
)

// buildSinfoRecords turns partitions and nodes into the lines to print.
func buildSinfoRecords(o *SinfoOptions, items []fmtItem, parts []Partition, nodes []Node, loc *time.Location) []sinfoRecord {
	byName := make(map[string]*Node, len(nodes))
	for i := range nodes {
		byName[nodes[i].Name] = &nodes[i]
	}
	filtering := o.Dead || o.Nodes != nil || o.States != nil || o.Partitions != nil
	keep := func(n *Node) bool {
		if o.Dead {
			return false // Sky Port's nodes always respond
		}
		if o.Nodes != nil && !slices.Contains(*o.Nodes, n.Name) {
			return false
		}
		return o.States == nil || nodeStateSelected(n.State, *o.States)
	}
	membersOf := func(p *Partition) []*Node {
		var out []*Node
		if len(p.Nodes) > 0 {
			for _, name := range p.Nodes {
				if n := byName[name]; n != nil && keep(n) {
					out = append(out, n)
				}
			}
			return out
		}
		for i := range nodes {
			if slices.Contains(nodes[i].Partitions, p.Name) && keep(&nodes[i]) {
				out = append(out, &nodes[i])
			}
		}
		return out
	}
	var recs []sinfoRecord
	// Node-centric (-N) lines are per partition and node, and so are
	// summaries, with a partition column or not (real Slurm 22.05:
	// `sinfo -N -o "%N %c"` prints a node of two partitions twice).
	perPartition := o.Summarize || o.NodeCentric || slices.ContainsFunc(items, func(it fmtItem) bool {
		return it.col >= 0 && sinfoFields()[it.col].kind == sinfoPartAttr
	})
	if !perPartition {
		// Without a partition column Slurm lists each node once.
		var sel []*Node
		seen := map[string]bool{}
		for i := range parts {
			p := &parts[i]
			if o.Partitions != nil && !slices.Contains(*o.Partitions, p.Name) {
				continue
			}
			for _, n := range membersOf(p) {
				if !seen[n.Name] {
					seen[n.Name] = true
					sel = append(sel, n)
				}
			}
		}
		if o.Partitions == nil {
			for i := range nodes {
				if n := &nodes[i]; !seen[n.Name] && keep(n) {
					seen[n.Name] = true
					sel = append(sel, n)
				}
			}
		}
		recs = groupSinfoNodes(nil, sel, items, loc)
	} else {
		for i := range parts {
			p := &parts[i]
			if o.Partitions != nil && !slices.Contains(*o.Partitions, p.Name) {
				continue
			}
			members := membersOf(p)
			switch {
			case o.Summarize:
				recs = append(recs, sinfoRecord{part: p, nodes: members, loc: loc})
			case o.NodeCentric:
				for _, n := range members {
					recs = append(recs, sinfoRecord{part: p, nodes: []*Node{n}, loc: loc})
				}
			case len(members) == 0:
				if filtering || len(p.Nodes) == 0 {
					recs = append(recs, sinfoRecord{part: p, loc: loc})
				}
			default:
				recs = append(recs, groupSinfoNodes(p, members, items, loc)...)
			}
		}
	}
	if o.NodeCentric && !o.Summarize {
		slices.SortStableFunc(recs, func(a, b sinfoRecord) int {
			return compareHosts(a.nodes[0].Name, b.nodes[0].Name)
		})
	}
	return recs
}

// compareHosts orders host names by prefix, then numerically.
func compareHosts(a, b string) int {
	ka, kb := splitHost(a), splitHost(b)
	if c := strings.Compare(ka.prefix, kb.prefix); c != 0 {
		return c
	}
	if ka.num != kb.num {
		if ka.num < kb.num {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// groupSinfoNodes splits the nodes of one partition into lines: nodes on
// the same line print the same value in every non-aggregate column.
func groupSinfoNodes(p *Partition, members []*Node, items []fmtItem, loc *time.Location) []sinfoRecord {
	var recs []sinfoRecord
	index := map[string]int{}
	var key []byte
	for _, n := range members {
		key = key[:0]
		one := sinfoRecord{part: p, nodes: []*Node{n}, loc: loc}
		for _, it := range items {
			if it.col < 0 {
				continue
			}
			f := &sinfoFields()[it.col]
			switch {
			case f.kind == sinfoNodeAttr:
				key = f.value(key, &one)
			case f.letter == 'C':
				key = appendInt(key, int64(n.CPUs))
			}
			key = append(key, 0)
		}
		if i, ok := index[string(key)]; ok {
			recs[i].nodes = append(recs[i].nodes, n)
			continue
		}
		index[string(key)] = len(recs)
		recs = append(recs, one)
	}
	return recs
}

// nodeStateSelected reports whether a node in state matches one of the
// -t words (each a possibly abbreviated state name or compact code).
func nodeStateSelected(state string, words []string) bool {
	long := strings.ToLower(state)
	code := NodeStateCode(state)
	for _, w := range words {
		w = strings.ToLower(w)
		switch {
		case w == "all":
			return true
		case strings.HasPrefix(long, w), strings.HasPrefix(code, w):
			return true
		case strings.HasPrefix("drain", w) && (long == "drained" || long == "draining"):
			return true
		case strings.HasPrefix("drng", w) && long == "draining":
			return true
		case (strings.HasPrefix("resv", w) || strings.HasPrefix("reserved", w)) && long == "reserved":
			return true
		}
	}
	return false
}
