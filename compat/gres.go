package compat

import (
	"errors"
	"strconv"
	"strings"
)

// GRES is a job's GPU request as slurmctld records it: each field is the
// value of one of the lines scontrol show job prints for it, empty when
// the job has none. Recorded on Slurm 22.05 with a two-GPU node
// (internal/compatdiff/testdata/gpu):
//
//	--gres=gpu:1              TresPerNode=gres:gpu:1
//	--gres=gpu                TresPerNode=gres:gpu
//	--gpus-per-node=1         TresPerNode=gres:gpu:1
//	--gpus-per-node=2 --gres=gpu:1   TresPerNode=gres:gpu:2,gres:gpu:1
//	--gpus=1                  TresPerJob=gres:gpu:1
//	--gpus-per-task=1 -n2     TresPerTask=gres:gpu:1
//	--cpus-per-gpu=2          CpusPerTres=gres:gpu:2
//	--mem-per-gpu=1G          MemPerTres=gres:gpu:1024 (MiB)
//
// The zero value asks for nothing.
type GRES struct {
	CPUsPerTRES string // CpusPerTres=
	MemPerTRES  string // MemPerTres=
	PerJob      string // TresPerJob=
	PerNode     string // TresPerNode=
	PerSocket   string // TresPerSocket=
	PerTask     string // TresPerTask=
}

// gresKeys are GRES's fields in the order scontrol prints their lines
// (CpusPerTres before TresPerJob, MemPerTres before TresPerJob, as
// recorded) with the name of each.
var gresKeys = [...]struct {
	name string
	at   func(*GRES) *string
}{
	{"CpusPerTres", func(g *GRES) *string { return &g.CPUsPerTRES }},
	{"MemPerTres", func(g *GRES) *string { return &g.MemPerTRES }},
	{"TresPerJob", func(g *GRES) *string { return &g.PerJob }},
	{"TresPerNode", func(g *GRES) *string { return &g.PerNode }},
	{"TresPerSocket", func(g *GRES) *string { return &g.PerSocket }},
	{"TresPerTask", func(g *GRES) *string { return &g.PerTask }},
}

// IsZero reports whether g asks for nothing.
func (g GRES) IsZero() bool { return g == GRES{} }

// String encodes g as scontrol prints it on one line: "Key=value" items
// in scontrol's order, separated by spaces ("CpusPerTres=gres:gpu:2
// TresPerJob=gres:gpu:1"); "" for the zero GRES. ParseGRESRecord reads it
// back.
func (g GRES) String() string {
	var b []byte
	for _, k := range gresKeys {
		if v := *k.at(&g); v != "" {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, k.name...)
			b = append(b, '=')
			b = append(b, v...)
		}
	}
	return string(b)
}

// errBadGRES is ParseGRESRecord's error.
var errBadGRES = errors.New("compat: invalid GRES record")

// ParseGRESRecord decodes what GRES.String encodes. Every item must be a
// known key, at most once, with a value of gres entries
// ("gres:gpu[:type][:count]", comma-separated).
func ParseGRESRecord(s string) (GRES, error) {
	var g GRES
	if s == "" {
		return g, nil
	}
	for _, item := range strings.Split(s, " ") {
		key, val, ok := strings.Cut(item, "=")
		if !ok || val == "" {
			return GRES{}, errBadGRES
		}
		found := false
		for _, k := range gresKeys {
			if k.name == key {
				if p := k.at(&g); *p == "" {
					*p, found = val, true
				}
				break
			}
		}
		if !found {
			return GRES{}, errBadGRES
		}
		for _, ent := range strings.Split(val, ",") {
			if _, _, ok := parseGresEntry(ent); !ok {
				return GRES{}, errBadGRES
			}
		}
	}
	return g, nil
}

// parseGresEntry reads one "gres:gpu[:type][:count]" entry: its type ("")
// and count (1 when absent).
func parseGresEntry(ent string) (typ string, count int64, ok bool) {
	rest, found := strings.CutPrefix(ent, "gres:gpu")
	if !found {
		return "", 0, false
	}
	if rest == "" {
		return "", 1, true
	}
	if rest[0] != ':' {
		return "", 0, false
	}
	fields := strings.Split(rest[1:], ":")
	if len(fields) > 2 {
		return "", 0, false
	}
	last := fields[len(fields)-1]
	n, err := strconv.ParseInt(last, 10, 64)
	switch {
	case err == nil && n >= 0 && len(fields) == 1:
		return "", n, true
	case err == nil && n >= 0 && validGresType(fields[0]):
		return fields[0], n, true
	case err != nil && len(fields) == 1 && validGresType(last):
		return last, 1, true
	}
	return "", 0, false
}

// validGresType reports whether s can be a GPU type name.
func validGresType(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// lastCount is the count of the last entry of a list of gres entries (0
// for none): slurmctld allocates by the last one when a list names the
// GPU twice (--gpus-per-node=2 --gres=gpu:1 got one GPU).
func lastCount(list string) int64 {
	if list == "" {
		return 0
	}
	_, n, _ := parseGresEntry(list[strings.LastIndexByte(list, ',')+1:])
	return min(n, maxGPUCount)
}

// maxGPUCount bounds the counts GRES's methods compute with.
const maxGPUCount = 1 << 20

// GPUsPerNode is how many GPUs a job of g with ntasks tasks and sockets
// sockets per node holds on its node: the largest of its per-node count,
// its per-job count (Sky Port's jobs run on one node), its per-task count
// times ntasks and its per-socket count times sockets. 0: it asks for no
// GPU (--cpus-per-gpu alone holds none).
func (g GRES) GPUsPerNode(ntasks, sockets int) int {
	n := max(lastCount(g.PerNode), lastCount(g.PerJob),
		lastCount(g.PerTask)*int64(max(ntasks, 1)), lastCount(g.PerSocket)*int64(max(sockets, 1)))
	return int(min(n, maxGPUCount))
}

// Typed reports whether g names a GPU type ("gpu:tesla:1"): Sky Port's
// nodes have untyped GPUs only, so slurmctld's answer is "Requested node
// configuration is not available".
func (g GRES) Typed() bool {
	for _, list := range []string{g.PerJob, g.PerNode, g.PerSocket, g.PerTask} {
		for _, ent := range splitNonEmpty(list, ",") {
			if typ, _, _ := parseGresEntry(ent); typ != "" {
				return true
			}
		}
	}
	return false
}

// CPUsPerGPU is --cpus-per-gpu (0 when not given).
func (g GRES) CPUsPerGPU() int { return int(lastCount(g.CPUsPerTRES)) }

// MemPerGPUMB is --mem-per-gpu in MiB (0 when not given).
func (g GRES) MemPerGPUMB() int64 { return lastCount(g.MemPerTRES) }

// InvalidGres is sbatch's error for a GPU request it cannot record.
func InvalidGres() *Error { return errInvalidGres() }

// GRESOf builds the GRES of a submission's options (--gres, --gpus,
// --gpus-per-node, --gpus-per-socket, --gpus-per-task, --cpus-per-gpu,
// --mem-per-gpu), which CheckGres has accepted. Entries that ask for no
// GPU (--gres=none, gpu:0, --gpus=0) are left out. It is false when a
// value cannot be recorded (a count or memory size that does not parse).
func GRESOf(o *SubmitOptions) (GRES, bool) {
	given := func(k string) (string, bool) {
		v, ok := o.Extra[k]
		return v, ok && o.Given[k] && v != ""
	}
	var g GRES
	ok := true
	entry := func(v string) string {
		ent := "gres:gpu:" + v
		_, n, valid := parseGresEntry(ent)
		if !valid {
			ok = false
			return ""
		}
		if n == 0 {
			return ""
		}
		return ent
	}
	var perNode []string
	if v, set := given("gpus-per-node"); set {
		if ent := entry(v); ent != "" {
			perNode = append(perNode, ent)
		}
	}
	if v, set := given("gres"); set && !strings.EqualFold(v, "none") {
		for _, item := range splitNonEmpty(v, ",") {
			rest, isGPU := strings.CutPrefix(item, "gpu")
			switch {
			case !isGPU || (rest != "" && rest[0] != ':'):
				ok = false
			case rest == "":
				perNode = append(perNode, "gres:gpu")
			default:
				if ent := entry(rest[1:]); ent != "" {
					perNode = append(perNode, ent)
				}
			}
		}
	}
	g.PerNode = strings.Join(perNode, ",")
	for _, f := range []struct {
		key string
		at  *string
	}{{"gpus", &g.PerJob}, {"gpus-per-socket", &g.PerSocket}, {"gpus-per-task", &g.PerTask}, {"cpus-per-gpu", &g.CPUsPerTRES}} {
		if v, set := given(f.key); set {
			*f.at = entry(v)
		}
	}
	if v, set := given("mem-per-gpu"); set {
		mb, valid := parseMBytes(v)
		if !valid {
			return GRES{}, false
		}
		g.MemPerTRES = entry(strconv.FormatInt(mb, 10))
	}
	if !ok {
		return GRES{}, false
	}
	return g, true
}
