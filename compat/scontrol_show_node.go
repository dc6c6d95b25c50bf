package compat

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ScontrolShowPartition writes "scontrol show partition [NAME]": every
// partition, or the one named (exact, case-sensitive name). An unknown
// name prints "Partition nosuch not found" on stdout (not with quiet) and
// returns an *Error of exit code 1 and no text. Other errors are the
// writer's.
func ScontrolShowPartition(w io.Writer, parts []Partition, name string, hasName, oneLiner, quiet bool) error {
	bw := bufio.NewWriterSize(w, 8<<10)
	found := false
	for i := range parts {
		p := &parts[i]
		if hasName && p.Name != name {
			continue
		}
		found = true
		if _, err := bw.Write(appendScontrolPartition(nil, p, oneLiner)); err != nil {
			return err
		}
	}
	var status error
	if !found && hasName {
		status = &Error{Code: 1}
		if !quiet {
			if _, err := bw.WriteString("Partition " + name + " not found\n"); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return status
}

// appendScontrolPartition appends one partition record.
func appendScontrolPartition(b []byte, p *Partition, oneLiner bool) []byte {
	r := scontrolRecord{b: b, oneLine: oneLiner}
	r.add("PartitionName=", p.Name)
	r.end()
	r.add("AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL")
	r.end()
	r.add("AllocNodes=ALL Default=", yesNo(p.Default), " QoS=N/A")
	r.end()
	r.add("DefaultTime=")
	if p.DefaultTime == Infinite || p.DefaultTime <= 0 {
		r.add("NONE")
	} else {
		r.b = appendLongClock(r.b, p.DefaultTime*secondsPerMinute)
	}
	r.add(" DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO")
	r.end()
	r.add("MaxNodes=UNLIMITED MaxTime=")
	r.b = appendScontrolLimit(r.b, p.MaxTime)
	r.add(" MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED")
	r.end()
	r.add("Nodes=", orNull(compressHostlist(p.Nodes)))
	r.end()
	r.add("PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO")
	r.end()
	r.add("OverTimeLimit=NONE PreemptMode=OFF")
	r.end()
	r.add("State=", partitionState(p), " TotalCPUs=")
	r.b = appendInt(r.b, int64(p.TotalCPUs))
	r.add(" TotalNodes=")
	r.b = appendInt(r.b, int64(len(p.Nodes)))
	r.add(" SelectTypeParameters=NONE")
	r.end()
	r.add("JobDefaults=(null)")
	r.end()
	r.add("DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED")
	r.end()
	r.add("TRES=cpu=")
	r.b = appendInt(r.b, int64(p.TotalCPUs))
	r.add(",mem=")
	r.b = appendMemMB(r.b, p.TotalMemMB)
	r.add(",node=")
	r.b = appendInt(r.b, int64(len(p.Nodes)))
	r.add(",billing=")
	r.b = appendInt(r.b, int64(p.TotalCPUs))
	r.b = appendGPUTRES(r.b, p.TotalGPUs)
	if oneLiner {
		return append(r.b, '\n')
	}
	return append(r.b, "\n\n"...)
}

// partitionState is a partition's State: p.State, or UP/DOWN from p.Up.
func partitionState(p *Partition) string {
	switch {
	case p.State != "":
		return strings.ToUpper(p.State)
	case p.Up:
		return "UP"
	}
	return "DOWN"
}

// yesNo is "YES" or "NO".
func yesNo(v bool) string {
	if v {
		return "YES"
	}
	return "NO"
}

// ScontrolShowNode writes "scontrol show node [NAME]": every node, or
// the nodes of NAME (a node list such as "vm" or "n[1-2]"), in the
// list's order. Each unknown name prints "Node nosuch not found" on
// stdout in its place (not with quiet) and makes the result an *Error of
// exit code 1 and no text. details > 0 is -d (the GRES usage lines).
// now's Location formats the times. Other errors are the writer's.
func ScontrolShowNode(w io.Writer, nodes []Node, name string, hasName, oneLiner, quiet bool, details int, now time.Time) error {
	bw := bufio.NewWriterSize(w, 8<<10)
	var status error
	write := func(n *Node) error {
		_, err := bw.Write(appendScontrolNode(nil, n, oneLiner, details, now.Location()))
		return err
	}
	if !hasName {
		for i := range nodes {
			if err := write(&nodes[i]); err != nil {
				return err
			}
		}
	}
	for _, h := range expandHostlist(name) {
		i := slices.IndexFunc(nodes, func(n Node) bool { return n.Name == h })
		if i >= 0 {
			if err := write(&nodes[i]); err != nil {
				return err
			}
			continue
		}
		status = &Error{Code: 1}
		if !quiet {
			if _, err := bw.WriteString("Node " + h + " not found\n"); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return status
}

// appendScontrolNode appends one node record.
func appendScontrolNode(b []byte, n *Node, oneLiner bool, details int, loc *time.Location) []byte {
	r := scontrolRecord{b: b, oneLine: oneLiner}
	sockets, cores, threads := nodeSCT(n)
	r.add("NodeName=", n.Name, " ")
	if n.Arch != "" {
		r.add("Arch=", n.Arch, " ")
	}
	r.add("CoresPerSocket=")
	r.b = appendInt(r.b, int64(cores))
	r.add(" ")
	r.end()
	r.add("CPUAlloc=")
	r.b = appendInt(r.b, int64(n.AllocCPUs))
	r.add(" CPUEfctv=")
	r.b = appendInt(r.b, int64(n.CPUs))
	r.add(" CPUTot=")
	r.b = appendInt(r.b, int64(n.CPUs))
	r.add(" CPULoad=")
	r.b = strconv.AppendFloat(r.b, n.CPULoad, 'f', 2, 64)
	r.end()
	r.add("AvailableFeatures=(null)")
	r.end()
	r.add("ActiveFeatures=(null)")
	r.end()
	r.add("Gres=")
	r.b = appendNodeGres(r.b, n.GPUs)
	r.end()
	if details > 0 {
		r.add("GresDrain=N/A")
		r.end()
		r.add("GresUsed=")
		r.b = appendGPUCount(r.b, n.AllocGPUs)
		r.end()
	}
	r.add("NodeAddr=", n.Name, " NodeHostName=", n.Name)
	if n.OS != "" {
		r.add(" Version=22.05.8")
		r.end()
		r.add("OS=", n.OS, " ")
	}
	r.end()
	r.add("RealMemory=")
	r.b = appendInt(r.b, n.MemMB)
	r.add(" AllocMem=")
	r.b = appendInt(r.b, n.AllocMemMB)
	r.add(" FreeMem=")
	r.b = appendInt(r.b, n.FreeMemMB)
	r.add(" Sockets=")
	r.b = appendInt(r.b, int64(sockets))
	r.add(" Boards=1")
	r.end()
	r.add("State=", scontrolNodeState(n), " ThreadsPerCore=")
	r.b = appendInt(r.b, int64(threads))
	r.add(" TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A")
	r.end()
	r.add("Partitions=", strings.Join(n.Partitions, ","), " ")
	r.end()
	r.add("BootTime=")
	r.b = appendNodeTime(r.b, n.BootTime, loc)
	r.add(" SlurmdStartTime=")
	r.b = appendNodeTime(r.b, n.SlurmdStartTime, loc)
	r.end()
	r.add("LastBusyTime=")
	r.b = appendScontrolTime(r.b, n.LastBusyTime, loc)
	r.end()
	r.add("CfgTRES=cpu=")
	r.b = appendInt(r.b, int64(n.CPUs))
	r.add(",mem=")
	r.b = appendMemMB(r.b, n.MemMB)
	r.add(",billing=")
	r.b = appendInt(r.b, int64(n.CPUs))
	r.b = appendGPUTRES(r.b, n.GPUs)
	r.end()
	r.add("AllocTRES=")
	if n.AllocCPUs > 0 {
		r.add("cpu=")
		r.b = appendInt(r.b, int64(n.AllocCPUs))
	}
	if n.AllocMemMB > 0 {
		if n.AllocCPUs > 0 {
			r.add(",")
		}
		r.add("mem=")
		r.b = appendMemMB(r.b, n.AllocMemMB)
	}
	if n.AllocCPUs > 0 || n.AllocMemMB > 0 {
		r.b = appendGPUTRES(r.b, n.AllocGPUs)
	}
	r.end()
	r.add("CapWatts=n/a")
	r.end()
	r.add("CurrentWatts=0 AveWatts=0")
	r.end()
	r.add("ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s")
	if n.Reason != "" {
		r.end()
		r.add("Reason=", n.Reason)
		if !n.ReasonTime.IsZero() {
			r.add(" [", n.ReasonUser, "@")
			r.b = appendTimestamp(r.b, n.ReasonTime, loc)
			r.add("]")
		}
	}
	if oneLiner {
		return append(r.b, '\n')
	}
	return append(r.b, "\n\n"...)
}

// appendNodeTime appends BootTime/SlurmdStartTime: "None" when unknown.
func appendNodeTime(b []byte, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return append(b, "None"...)
	}
	return appendTimestamp(b, t, loc)
}

// scontrolNodeState is a node's State as scontrol prints it: the base
// state in capitals, with "+DRAIN" for a drained or draining node.
func scontrolNodeState(n *Node) string {
	switch strings.ToLower(n.State) {
	case "drained":
		return "IDLE+DRAIN"
	case "draining":
		if n.AllocCPUs >= n.CPUs {
			return "ALLOCATED+DRAIN"
		}
		return "MIXED+DRAIN"
	case "powered_down":
		return "IDLE+POWERED_DOWN"
	case "powering_up":
		return "IDLE+POWERING_UP"
	}
	return strings.ToUpper(n.State)
}
