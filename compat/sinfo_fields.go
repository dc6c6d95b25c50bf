package compat

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// sinfoRecord is one sinfo line: a partition (nil when the line is about
// nodes alone, as with -R) and the nodes it stands for.
type sinfoRecord struct {
	part  *Partition
	nodes []*Node
	loc   *time.Location
}

// sinfoKind says how a column relates to the nodes of a line.
type sinfoKind int

const (
	sinfoNodeAttr  sinfoKind = iota // equal on every node of a line (lines split on it)
	sinfoPartAttr                   // a partition attribute
	sinfoAggregate                  // computed over the nodes of a line
)

// sinfoField is one sinfo column.
type sinfoField struct {
	letter byte
	name   string // the -O name
	header string
	kind   sinfoKind
	value  func(b []byte, r *sinfoRecord) []byte
}

// sinfoFields is the table of sinfo columns; letters and -O names from
// Slurm 22.05 (sinfo -o %all and -O checked on the reference machine).
var sinfoFields = sync.OnceValue(func() []sinfoField {
	return []sinfoField{
		{'a', "available", "AVAIL", sinfoPartAttr, func(b []byte, r *sinfoRecord) []byte {
			if r.part == nil {
				return append(b, "n/a"...)
			}
			return append(b, partitionAvail(r.part)...)
		}},
		{'A', "nodeai", "NODES(A/I)", sinfoAggregate, func(b []byte, r *sinfoRecord) []byte {
			a, i, _ := nodeCounts(r.nodes)
			b = appendInt(b, int64(a))
			b = append(b, '/')
			return appendInt(b, int64(i))
		}},
		{'b', "features_act", "ACTIVE_FEATURES", sinfoNodeAttr, sinfoConst("(null)")},
		{'B', "maxcpuspernode", "MAX_CPUS_PER_NODE", sinfoPartAttr, sinfoConst("UNLIMITED")},
		{'c', "cpus", "CPUS", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return appendInt(b, int64(firstOf(r.nodes).CPUs))
		}},
		{'C', "cpusstate", "CPUS(A/I/O/T)", sinfoAggregate, func(b []byte, r *sinfoRecord) []byte {
			var alloc, idle, other, total int
			for _, n := range r.nodes {
				total += n.CPUs
				if nodeUnavailable(n.State) {
					other += n.CPUs
					continue
				}
				alloc += n.AllocCPUs
				idle += n.CPUs - n.AllocCPUs
			}
			for i, v := range [4]int{alloc, idle, other, total} {
				if i > 0 {
					b = append(b, '/')
				}
				b = appendInt(b, int64(v))
			}
			return b
		}},
		{'d', "disk", "TMP_DISK", sinfoNodeAttr, sinfoConst("0")},
		{'D', "nodes", "NODES", sinfoAggregate, func(b []byte, r *sinfoRecord) []byte {
			return appendInt(b, int64(len(r.nodes)))
		}},
		{'e', "freemem", "FREE_MEM", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return appendInt(b, firstOf(r.nodes).FreeMemMB)
		}},
		{'E', "reason", "REASON", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if reason := firstOf(r.nodes).Reason; reason != "" && !strings.HasPrefix(reason, "(null)") {
				return append(b, reason...)
			}
			return append(b, "none"...)
		}},
		{'f', "features", "AVAIL_FEATURES", sinfoNodeAttr, sinfoConst("(null)")},
		{'F', "nodeaiot", "NODES(A/I/O/T)", sinfoAggregate, func(b []byte, r *sinfoRecord) []byte {
			a, i, o := nodeCounts(r.nodes)
			for k, v := range [4]int{a, i, o, len(r.nodes)} {
				if k > 0 {
					b = append(b, '/')
				}
				b = appendInt(b, int64(v))
			}
			return b
		}},
		{'g', "groups", "GROUPS", sinfoPartAttr, sinfoPartConst("all")},
		{'G', "gres", "GRES", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return appendNodeGres(b, firstOf(r.nodes).GPUs)
		}},
		{'h', "oversubscribe", "OVERSUBSCRIBE", sinfoPartAttr, sinfoPartConst("NO")},
		{'H', "timestamp", "TIMESTAMP", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if t := firstOf(r.nodes).ReasonTime; !t.IsZero() {
				return appendTimestamp(b, t, r.loc)
			}
			return append(b, "Unknown"...)
		}},
		{'I', "priorityjobfactor", "PRIO_JOB_FACTOR", sinfoPartAttr, sinfoConst("1")},
		{'l', "time", "TIMELIMIT", sinfoPartAttr, func(b []byte, r *sinfoRecord) []byte {
			switch {
			case r.part == nil:
				return append(b, "n/a"...)
			case r.part.MaxTime == Infinite:
				return append(b, "infinite"...)
			}
			return appendClock(b, r.part.MaxTime*secondsPerMinute, false)
		}},
		{'L', "defaulttime", "DEFAULTTIME", sinfoPartAttr, func(b []byte, r *sinfoRecord) []byte {
			if r.part == nil || r.part.DefaultTime == Infinite {
				return append(b, "n/a"...)
			}
			return appendClock(b, r.part.DefaultTime*secondsPerMinute, false)
		}},
		{'m', "memory", "MEMORY", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return appendInt(b, firstOf(r.nodes).MemMB)
		}},
		{'M', "preemptmode", "PREEMPT_MODE", sinfoPartAttr, sinfoConst("OFF")},
		{'n', "nodehost", "HOSTNAMES", sinfoAggregate, sinfoNodeList},
		{'N', "nodelist", "NODELIST", sinfoAggregate, sinfoNodeList},
		{'o', "nodeaddr", "NODE_ADDR", sinfoAggregate, sinfoNodeList},
		{'O', "cpusload", "CPU_LOAD", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return strconv.AppendFloat(b, firstOf(r.nodes).CPULoad, 'f', 2, 64)
		}},
		{'p', "prioritytier", "PRIO_TIER", sinfoPartAttr, sinfoConst("1")},
		{'P', "partition", "PARTITION", sinfoPartAttr, nil}, // printed by appendSinfoPartition
		{'r', "root", "ROOT", sinfoPartAttr, sinfoPartConst("no")},
		{'R', "partitionname", "PARTITION", sinfoPartAttr, func(b []byte, r *sinfoRecord) []byte {
			if r.part == nil {
				return append(b, "n/a"...)
			}
			return append(b, r.part.Name...)
		}},
		{'s', "size", "JOB_SIZE", sinfoPartAttr, sinfoPartConst("1-infinite")},
		{'S', "allocnodes", "ALLOCNODES", sinfoPartAttr, sinfoPartConst("all")},
		{'t', "statecompact", "STATE", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if len(r.nodes) == 0 {
				return append(b, "n/a"...)
			}
			return append(b, NodeStateCode(r.nodes[0].State)...)
		}},
		{'T', "statelong", "STATE", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if len(r.nodes) == 0 {
				return append(b, "n/a"...)
			}
			return append(b, strings.ToLower(r.nodes[0].State)...)
		}},
		{'u', "user", "USER", sinfoNodeAttr, sinfoReasonUser},
		{'U', "userlong", "USER", sinfoNodeAttr, sinfoReasonUser},
		{'v', "version", "VERSION", sinfoNodeAttr, sinfoConst("22.05.8")},
		{'V', "cluster", "CLUSTER", sinfoPartAttr, sinfoConst("N/A")},
		{'w', "weight", "WEIGHT", sinfoNodeAttr, sinfoConst("1")},
		{'X', "sockets", "SOCKETS", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			s, _, _ := nodeSCT(firstOf(r.nodes))
			return appendInt(b, int64(s))
		}},
		{'Y', "cores", "CORES", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			_, c, _ := nodeSCT(firstOf(r.nodes))
			return appendInt(b, int64(c))
		}},
		{'Z', "threads", "THREADS", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			_, _, t := nodeSCT(firstOf(r.nodes))
			return appendInt(b, int64(t))
		}},
		{'z', "socketcorethread", "S:C:T", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			s, c, t := nodeSCT(firstOf(r.nodes))
			b = appendInt(b, int64(s))
			b = append(b, ':')
			b = appendInt(b, int64(c))
			b = append(b, ':')
			return appendInt(b, int64(t))
		}},
		{0, "allocmem", "ALLOCMEM", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			return appendInt(b, firstOf(r.nodes).AllocMemMB)
		}},
		{0, "comment", "COMMENT", sinfoNodeAttr, sinfoConst("(null)")},
		{0, "extra", "EXTRA", sinfoNodeAttr, sinfoConst("(null)")},
		{0, "gresused", "GRES_USED", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if n := firstOf(r.nodes); n.GPUs > 0 {
				return appendGPUCount(b, n.AllocGPUs)
			}
			return append(b, "(null)"...)
		}},
		{0, "port", "PORT", sinfoNodeAttr, sinfoConst("6818")},
		{0, "share", "OVERSUBSCRIBE", sinfoPartAttr, sinfoPartConst("NO")},
		{0, "statecomplete", "STATECOMPLETE", sinfoNodeAttr, func(b []byte, r *sinfoRecord) []byte {
			if len(r.nodes) == 0 {
				return append(b, "n/a"...)
			}
			return append(b, strings.ToLower(r.nodes[0].State)...)
		}},
	}
})

// sinfoColByLetter and sinfoColByName index sinfoFields.
var (
	sinfoColByLetter [256]int
	sinfoColByName   = map[string]int{}
	sinfoPartCol     = -1
)

func init() {
	for i := range sinfoColByLetter {
		sinfoColByLetter[i] = -1
	}
	for i, f := range sinfoFields() {
		if f.letter != 0 {
			sinfoColByLetter[f.letter] = i
		}
		sinfoColByName[f.name] = i
		if f.letter == 'P' {
			sinfoPartCol = i
		}
	}
}

// sinfoLetter looks up a -o letter.
func sinfoLetter(c byte) (int, bool) {
	i := sinfoColByLetter[c]
	return i, i >= 0
}

// sinfoLongName looks up a -O name, ignoring case.
func sinfoLongName(name string) (int, bool) {
	i, ok := sinfoColByName[strings.ToLower(name)]
	return i, ok
}
