package compat

import (
	"strings"
	"time"
)

// SinfoOptions is a parsed sinfo command line (with SINFO_* variables
// applied), plain data so that it can travel to the daemon; Sinfo renders
// it. nil filters select everything.
type SinfoOptions struct {
	// Format is a -o spec (or SINFO_FORMAT); FormatLong a -O spec, which
	// is also how the default formats are expressed. DefaultFormat records
	// that no format was given, so partition and node list columns widen
	// to fit (Slurm's "compute size later").
	Format        string `json:"format,omitempty"`
	FormatLong    string `json:"format_long,omitempty"`
	DefaultFormat bool   `json:"default_format,omitempty"`

	NoHeader    bool `json:"no_header,omitempty"`    // -h
	Long        bool `json:"long,omitempty"`         // -l
	NodeCentric bool `json:"node_centric,omitempty"` // -N
	Summarize   bool `json:"summarize,omitempty"`    // -s
	ListReasons bool `json:"list_reasons,omitempty"` // -R
	Dead        bool `json:"dead,omitempty"`         // -d: only non-responding nodes
	Reservation bool `json:"reservation,omitempty"`  // -T

	Partitions *[]string `json:"partitions,omitempty"` // -p
	Nodes      *[]string `json:"nodes,omitempty"`      // -n, expanded host names
	States     *[]string `json:"states,omitempty"`     // -t, as typed

	// Show, when set, is the whole output (--version, --help, --usage).
	Show string `json:"show,omitempty"`
}

// Default sinfo formats, from "sinfo -v" on 22.05.
const (
	sinfoDefaultFormat   = "partition:9 ,available:.5 ,time:.10 ,nodes:.6 ,statecompact:.6 ,nodelist:0"
	sinfoLongFormat      = "partition:9 ,available:.5 ,time:.10 ,size:.10 ,root:.4 ,oversubscribe:.8 ,groups:.10 ,nodes:.6 ,statelong:.11 ,nodelist:0"
	sinfoSummarizeFormat = "partition:9 ,available:.5 ,time:.10 ,nodeaiot:.16 ,nodelist:0"
	sinfoNodeFormat      = "nodelist:0 ,nodes:.6 ,partition:.9 ,statecompact:6"
	sinfoNodeLongFormat  = "nodelist:0 ,nodes:.6 ,partition:.9 ,statelong:.11 ,cpus:4 ,socketcorethread:.8 ,memory:.6 ,disk:.8 ,weight:.6 ,features:.8 ,reason:20"
	sinfoReasonFormat    = "reason:20 ,user:9 ,timestamp:19 ,nodelist:0"
	sinfoReasonLongFmt   = "reason:20 ,userlong:12 ,timestamp:19 ,statecompact:6 ,nodelist:0"
)

// sinfoOpts is sinfo 22.05's option table.
var sinfoOpts = optTable{
	prog:  "sinfo",
	short: "adehi:lM:n:No:O:p:rRsS:t:TvV",
	long: []longOpt{
		{"all", argNone, 'a'}, {"dead", argNone, 'd'}, {"exact", argNone, 'e'},
		{"federation", argNone, 0x105}, {"help", argNone, 0x100}, {"hide", argNone, 0x102},
		{"iterate", argRequired, 'i'}, {"json", argNone, 0x106}, {"local", argNone, 0x103},
		{"long", argNone, 'l'}, {"cluster", argRequired, 'M'}, {"clusters", argRequired, 'M'},
		{"nodes", argRequired, 'n'}, {"noconvert", argNone, 0x104}, {"noheader", argNone, 'h'},
		{"Node", argNone, 'N'}, {"format", argRequired, 'o'}, {"Format", argRequired, 'O'},
		{"partition", argRequired, 'p'}, {"responding", argNone, 'r'}, {"list-reasons", argNone, 'R'},
		{"summarize", argNone, 's'}, {"sort", argRequired, 'S'}, {"states", argRequired, 't'},
		{"reservation", argNone, 'T'}, {"usage", argNone, 0x101}, {"verbose", argNone, 'v'},
		{"version", argNone, 'V'}, {"yaml", argNone, 0x107},
	},
}

// sinfoValidStates is the list sinfo prints after "Bad state string".
const sinfoValidStates = "unknown,down,idle,allocated,?,mixed,future,drain,drained,draining,no_respond,reserved,perfctrs,cloud,completing,powering_down,powered_down,power_down,powering_up,fail,maint,reboot,reboot^,unknown"

// sinfoStateNames are the node state words -t accepts (each may be
// abbreviated); see nodeStateSelected.
var sinfoStateNames = []string{
	"unknown", "unk", "down", "idle", "allocated", "alloc", "mixed", "mix", "future", "futr",
	"drain", "drained", "draining", "drng", "no_respond", "reserved", "resv", "perfctrs", "npc",
	"cloud", "completing", "comp", "powering_down", "powered_down", "power_down", "powering_up",
	"fail", "failing", "failg", "maint", "reboot", "planned", "plnd",
}

// ParseSinfoArgs parses sinfo's command line (args without the program
// name) and its SINFO_* variables as Slurm 22.05 does. warnings is stderr
// text that does not change the exit status (invalid format letters); err
// is an *Error with Slurm's message and exit code. now is unused but kept
// for symmetry with the other parsers.
func ParseSinfoArgs(args, env []string, now time.Time) (SinfoOptions, string, error) {
	_ = now
	var o SinfoOptions
	var warn strings.Builder
	envAll, envPart := false, false
	if _, ok := envLookup(env, "SINFO_ALL"); ok {
		envAll = true
	}
	if v, ok := envLookup(env, "SINFO_PARTITION"); ok {
		envPart = true
		o.Partitions = listPtr(splitNonEmpty(v, ","))
	}
	if envAll && envPart {
		return o, "", Errorf(1, "sinfo: error: Conflicting options, SINFO_ALL and SINFO_PARTITION, specified. Please choose one or the other.")
	}
	optA, optP, longForm := false, false, false
	opts, _, usageMsg := sinfoOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'a':
			optA = true
			o.Partitions = nil
		case 'd':
			o.Dead = true
		case 'h':
			o.NoHeader = true
		case 'i':
			if n, _ := cStrtol(op.arg); n <= 0 {
				return o, warn.String(), Errorf(1, "sinfo: error: Error: invalid entry for --iterate=%s", op.arg)
			}
		case 'l':
			o.Long = true
		case 'n':
			o.Nodes = listPtr(expandHostlist(op.arg))
		case 'N':
			o.NodeCentric = true
		case 'o':
			o.Format, longForm = op.arg, false
		case 'O':
			o.Format, longForm = op.arg, true
		case 'p':
			optP = true
			o.Partitions = listPtr(splitNonEmpty(op.arg, ","))
		case 'R':
			o.ListReasons = true
		case 's':
			o.Summarize = true
		case 't':
			states, bad := parseSinfoStates(op.arg)
			if bad != "" {
				return o, warn.String(), Errorf(1, "sinfo: error: Bad state string: \"%s\"\nsinfo: error: valid states: %s", bad, sinfoValidStates)
			}
			o.States = &states
		case 'T':
			o.Reservation = true
		case 'V':
			o.Show = SlurmVersionLine
			return o, warn.String(), nil
		case 0x100:
			o.Show = sinfoHelpText
			return o, warn.String(), nil
		case 0x101:
			o.Show = sinfoUsageText
			return o, warn.String(), nil
		case 0x106, 0x107:
			return o, warn.String(), errStructuredOutput("sinfo", op.spelled)
		}
	}
	if usageMsg != "" {
		return o, warn.String(), Errorf(1, "%sTry \"sinfo --help\" for more information", usageMsg)
	}
	if optA && optP {
		return o, warn.String(), Errorf(1, "sinfo: error: Conflicting options, -a and -p, specified. Please choose one or the other.")
	}
	if o.Format == "" {
		o.DefaultFormat, longForm = true, true
		switch {
		case o.Summarize:
			o.Format = sinfoSummarizeFormat
		case o.NodeCentric && o.Long:
			o.Format = sinfoNodeLongFormat
		case o.NodeCentric:
			o.Format = sinfoNodeFormat
		case o.ListReasons && o.Long:
			o.Format = sinfoReasonLongFmt
		case o.ListReasons:
			o.Format = sinfoReasonFormat
		default:
			if v, ok := envLookup(env, "SINFO_FORMAT"); ok {
				o.Format, o.DefaultFormat, longForm = v, false, false
			} else if o.Long {
				o.Format = sinfoLongFormat
			} else {
				o.Format = sinfoDefaultFormat
			}
		}
	}
	if longForm {
		o.FormatLong, o.Format = o.Format, ""
	}
	if o.ListReasons && o.States == nil {
		o.States = &[]string{"down", "fail", "drain"}
	}
	_, bad := o.compileFormat()
	for _, b := range bad {
		if o.FormatLong != "" {
			warn.WriteString("sinfo: error: Invalid job format specification: " + b + "\n")
		} else {
			warn.WriteString("Invalid node format specification: " + b + "\n")
		}
	}
	return o, warn.String(), nil
}

// parseSinfoStates checks a -t list; the words are kept as typed. bad is
// the first word that names no state.
func parseSinfoStates(s string) (states []string, bad string) {
	if strings.EqualFold(s, "all") {
		return []string{"all"}, ""
	}
	states = []string{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '&' }) {
		ok := false
		for _, name := range sinfoStateNames {
			if len(w) <= len(name) && strings.EqualFold(name[:len(w)], w) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, w
		}
		states = append(states, w)
	}
	return states, ""
}

// compileFormat returns the columns to print and the invalid letters or
// names of the format.
func (o *SinfoOptions) compileFormat() ([]fmtItem, []string) {
	if o.FormatLong != "" {
		return parseSinfoLongFormat(o.FormatLong)
	}
	return parsePercentFormat(o.Format, sinfoLetter, " ")
}

// parseSinfoLongFormat compiles a -O spec, where "all" stands for "%all".
func parseSinfoLongFormat(spec string) ([]fmtItem, []string) {
	var items []fmtItem
	var bad []string
	for _, tok := range splitNonEmpty(spec, ",") {
		name, _, _ := strings.Cut(tok, ":")
		if strings.EqualFold(name, "all") {
			all, _ := parsePercentFormat("%all", sinfoLetter, " ")
			items = append(items, all...)
			continue
		}
		it, b := parseLongFormat(tok, sinfoLongName)
		items = append(items, it...)
		bad = append(bad, b...)
	}
	return items, bad
}
