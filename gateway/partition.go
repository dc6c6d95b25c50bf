package gateway

import (
	"context"
	"fmt"
	"sort"
	"time"

	"skyport/compat"
	"skyport/gate"
)

// partition is a configured partition with its effective limits and the
// resources its running jobs hold.
type partition struct {
	cfg      PartitionConfig
	gateName string
	gate     gate.Gate
	nodes    []*node // the gate's nodes, in the gate's order
	cpus     int     // limit on the CPUs its jobs hold together
	memMB    int64   // limit on the memory its jobs hold together
	maxNode  int     // CPUs of its largest node: a bigger job can never run
	maxMem   int64   // memory of its largest node
	maxGPUs  int     // GPUs of the node with the most (gpu.go)
	gpus     int     // GPUs of all its nodes

	usedCPUs int
	usedMem  int64
}

// node is one node of a gate and what the running jobs hold on it.
type node struct {
	gateName string
	name     string
	cpus     int
	memMB    int64
	up       bool
	reason   string
	// containers is the node's container runtime ("" none).
	containers string
	usedCPUs   int
	usedMem    int64
	lastBusy   time.Time // when a job last left it; zero: never since start
	// gpuUsed has one entry per GPU of the node: whether a job holds it.
	gpuUsed []bool
}

// loadPartitions asks each gate for its nodes and derives every
// partition's limits: the configured ones, else all of the gate.
func (s *Server) loadPartitions(ctx context.Context) error {
	names := make([]string, 0, len(s.gates))
	for n := range s.gates {
		names = append(names, n)
	}
	sort.Strings(names)
	byGate := map[string][]*node{}
	for _, gn := range names {
		ns, err := s.gates[gn].Nodes(ctx)
		if err != nil {
			return fmt.Errorf("gate %s: list nodes: %w", gn, err)
		}
		for _, n := range ns {
			nd := &node{gateName: gn, name: n.Name, cpus: n.CPUs, memMB: n.MemMB, up: n.Up, reason: n.Reason, containers: n.Containers}
			nd.gpuUsed = make([]bool, max(n.GPUs, 0))
			s.nodes[nodeKey(gn, n.Name)] = nd
			byGate[gn] = append(byGate[gn], nd)
		}
	}
	for _, pc := range s.cfg.Partitions {
		p := &partition{cfg: pc, gateName: pc.Gate, gate: s.gates[pc.Gate], nodes: byGate[pc.Gate]}
		var totalCPU int
		var totalMem int64
		for _, n := range p.nodes {
			totalCPU += n.cpus
			totalMem += n.memMB
			p.maxNode = max(p.maxNode, n.cpus)
			p.maxMem = max(p.maxMem, n.memMB)
			p.maxGPUs = max(p.maxGPUs, len(n.gpuUsed))
			p.gpus += len(n.gpuUsed)
		}
		p.cpus, p.memMB = totalCPU, totalMem
		if pc.CPUs > 0 {
			p.cpus = min(pc.CPUs, totalCPU)
			p.maxNode = min(p.maxNode, pc.CPUs)
		}
		if pc.Memory > 0 {
			p.memMB = min(int64(pc.Memory), totalMem)
			p.maxMem = min(p.maxMem, int64(pc.Memory))
		}
		s.parts = append(s.parts, p)
		s.byName[pc.Name] = p
	}
	return nil
}

// defaultPartition is the partition marked default.
func (s *Server) defaultPartition() *partition {
	for _, p := range s.parts {
		if p.cfg.Default {
			return p
		}
	}
	return s.parts[0]
}

// partitionViews returns sinfo's and scontrol's view of the partitions.
func (s *Server) partitionViews() []compat.Partition {
	out := make([]compat.Partition, 0, len(s.parts))
	for _, p := range s.parts {
		v := compat.Partition{
			Name: p.cfg.Name, Default: p.cfg.Default, State: upper(p.cfg.State),
			Up: p.cfg.State == "up", MaxTime: int64(p.cfg.MaxTime), DefaultTime: int64(p.cfg.DefaultTime),
			TotalCPUs: p.cpus, TotalMemMB: p.memMB, TotalGPUs: p.gpus,
		}
		for _, n := range p.nodes {
			v.Nodes = append(v.Nodes, n.name)
		}
		out = append(out, v)
	}
	return out
}

// nodeViews returns sinfo's view of the nodes; the caller holds s.mu.
func (s *Server) nodeViews() []compat.Node {
	var out []compat.Node
	seen := map[*node]int{}
	for _, p := range s.parts {
		for _, n := range p.nodes {
			if i, ok := seen[n]; ok {
				out[i].Partitions = append(out[i].Partitions, p.cfg.Name)
				continue
			}
			state := "idle"
			switch {
			case !n.up:
				state = "down"
			case n.usedCPUs >= n.cpus:
				state = "allocated"
			case n.usedCPUs > 0:
				state = "mixed"
			}
			seen[n] = len(out)
			out = append(out, compat.Node{
				Name: n.name, Partitions: []string{p.cfg.Name}, CPUs: n.cpus, AllocCPUs: n.usedCPUs,
				MemMB: n.memMB, AllocMemMB: n.usedMem, FreeMemMB: n.memMB - n.usedMem,
				State: state, Reason: n.reason, GPUs: len(n.gpuUsed), AllocGPUs: n.usedGPUs(),
			})
			if s.cfg.Gates[n.gateName].Kind == "local" {
				m := localMachine()
				v := &out[len(out)-1]
				v.Arch, v.OS, v.BootTime = m.arch, m.os, m.boot
				v.SlurmdStartTime, v.LastBusyTime = s.started, s.started
				if !n.lastBusy.IsZero() {
					v.LastBusyTime = n.lastBusy
				}
			}
		}
	}
	return out
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
