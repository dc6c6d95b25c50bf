package compat

import "strings"

// SacctmgrOptions is a parsed sacctmgr command line. Only list/show
// commands reach the daemon; everything else (version, help, the
// modifying commands a non-administrator may not run, errors) is answered
// by the parser through Show, ShowErr and ShowCode.
type SacctmgrOptions struct {
	Entity    string   `json:"entity"` // user, account, association, cluster, qos
	WithAssoc bool     `json:"with_assoc,omitempty"`
	Tree      bool     `json:"tree,omitempty"`
	NoHeader  bool     `json:"no_header,omitempty"`
	Parsable  int      `json:"parsable,omitempty"` // 1: -p (trailing '|'), 2: -P
	Format    []string `json:"format,omitempty"`
	// Selection, from "where" conditions and bare names; nil means any.
	Names     []string `json:"names,omitempty"`
	Users     []string `json:"users,omitempty"`
	Accounts  []string `json:"accounts,omitempty"`
	Clusters  []string `json:"clusters,omitempty"`
	Parents   []string `json:"parents,omitempty"`
	Orgs      []string `json:"orgs,omitempty"`
	Descrs    []string `json:"descrs,omitempty"`
	DefAccts  []string `json:"def_accts,omitempty"`
	Show      string   `json:"-"`
	ShowErr   string   `json:"-"`
	ShowCode  int      `json:"-"`
	Immediate bool     `json:"-"`
}

var sacctmgrOpts = optTable{
	prog:  "sacctmgr",
	short: "hinopPQrsvVM:",
	long: []longOpt{
		{"associations", argNone, 's'}, {"clusters", argRequired, 'M'}, {"help", argNone, 'h'},
		{"immediate", argNone, 'i'}, {"noheader", argNone, 'n'}, {"oneliner", argNone, 'o'},
		{"parsable", argNone, 'p'}, {"parsable2", argNone, 'P'}, {"quiet", argNone, 'Q'},
		{"readonly", argNone, 'r'}, {"usage", argNone, 'h'}, {"verbose", argNone, 'v'},
		{"version", argNone, 'V'}, {"withassoc", argNone, 's'},
	},
}

// sacctmgrNoEntity is sacctmgr's answer to "list" without a known entity.
const sacctmgrNoEntity = "No valid entity in list command\n" +
	"Input line must include \"Account\", \"Association\", \"Cluster\", \"Configuration\",\n" +
	"\"Event\", \"Federation\", \"Problem\", \"QOS\", \"Resource\", \"Reservation\",\n" +
	"\"RunAwayJobs\", \"Stats\", \"Transaction\", \"TRES\", \"User\", or \"WCKey\"\n"

// sacctmgrConfigNote says where Sky Port's accounts come from.
const sacctmgrConfigNote = "sacctmgr: Sky Port: accounts come from skyportd's configuration " +
	"([[accounts]] in its TOML file); edit it and restart skyportd\n"

// ParseSacctmgrArgs parses sacctmgr's command line (without the program
// name) as Slurm 22.05 does for a user who is not an administrator.
func ParseSacctmgrArgs(args []string) SacctmgrOptions {
	var o SacctmgrOptions
	opts, words, msg := sacctmgrOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'h':
			o.Show = sacctmgrHelp
			return o
		case 'V':
			o.Show = SlurmVersionLine
			return o
		case 'n':
			o.NoHeader = true
		case 'p':
			o.Parsable = 1
		case 'P':
			o.Parsable = 2
		case 's':
			o.WithAssoc = true
		case 'i':
			o.Immediate = true
		}
	}
	if msg != "" {
		o.ShowErr, o.ShowCode = msg+"Try \"sacctmgr --help\" for more information\n", 1
		return o
	}
	if len(words) == 0 {
		o.ShowErr, o.ShowCode = "sacctmgr: error: interactive mode is not supported by Sky Port; give the command as arguments\n", 1
		return o
	}
	verb, rest := strings.ToLower(words[0]), words[1:]
	switch verb {
	case "list", "show":
		o.list(rest)
	case "add", "create":
		o.ShowErr, o.ShowCode = " Problem adding "+plural(rest)+": Access/permission denied\n"+sacctmgrConfigNote, 1
	case "modify", "update":
		o.modify(rest)
	case "delete", "remove":
		o.ShowErr, o.ShowCode = "sacctmgr: error: Your user doesn't have privilege to perform this action\n"+
			" Error with request: Access/permission denied\n"+sacctmgrConfigNote, 1
	case "version":
		o.Show = SlurmVersionLine
	case "help":
		o.Show = sacctmgrHelp
	case "quit", "exit":
	default:
		o.ShowErr, o.ShowCode = "invalid keyword: "+words[0]+"\n", 1
	}
	return o
}

// plural names what "add <entity>" was adding, as sacctmgr's message does.
func plural(rest []string) string {
	if len(rest) > 0 {
		if e := sacctmgrEntity(rest[0]); e != "" {
			if e == "association" {
				return "associations"
			}
			return e + "s"
		}
	}
	return "entities"
}

// modify answers "modify ...": a "set" with nothing valid after it is
// Slurm's option error; otherwise the non-administrator's refusal.
func (o *SacctmgrOptions) modify(rest []string) {
	for _, w := range rest {
		k, _, hasValue := strings.Cut(w, "=")
		if hasValue && !mgrKnownCondition(k) && !strings.EqualFold(k, "fairshare") && !strings.EqualFold(k, "share") {
			o.ShowErr, o.ShowCode = " Unknown option: "+w+"\n Use keyword 'where' to modify condition\n", 1
			return
		}
	}
	o.Show = " Nothing modified\n"
	o.ShowErr = "sacctmgr: accounting_storage/slurmdbd: acct_storage_p_modify_assocs: Request didn't affect anything " +
		"or your user doesn't have privilege to perform this action\n" + sacctmgrConfigNote
	o.ShowCode = 1
}

// sacctmgrEntity resolves an entity word ("users", "assoc") to the name
// the renderer knows, "" when it is none of those Sky Port lists.
func sacctmgrEntity(w string) string {
	w = strings.ToLower(w)
	match := func(full string, least int) bool {
		return len(w) >= least && (strings.HasPrefix(full, w) || w == full+"s")
	}
	switch {
	case match("user", 1):
		return "user"
	case match("account", 3), w == "acct", w == "accts":
		return "account"
	case match("association", 3):
		return "association"
	case match("cluster", 2):
		return "cluster"
	case match("qos", 1):
		return "qos"
	}
	return ""
}

// sacctmgrOtherEntity reports whether w names an entity real sacctmgr
// lists but Sky Port does not keep.
func sacctmgrOtherEntity(w string) bool {
	for _, e := range []string{"configuration", "event", "federation", "problem", "resource", "reservation",
		"runawayjobs", "stats", "transaction", "tres", "wckey"} {
		if len(w) >= 2 && strings.HasPrefix(e, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// list parses "list <entity> [where] [cond=value ...] [name ...]".
func (o *SacctmgrOptions) list(rest []string) {
	if len(rest) == 0 {
		o.ShowErr, o.ShowCode = sacctmgrNoEntity, 1
		return
	}
	o.Entity = sacctmgrEntity(rest[0])
	if o.Entity == "" {
		if sacctmgrOtherEntity(rest[0]) {
			o.ShowErr, o.ShowCode = "sacctmgr: error: Sky Port keeps no "+rest[0]+" records\n", 1
			return
		}
		o.ShowErr, o.ShowCode = sacctmgrNoEntity, 1
		return
	}
	for _, w := range rest[1:] {
		k, v, hasValue := strings.Cut(w, "=")
		if !hasValue {
			switch strings.ToLower(w) {
			case "where", "withdeleted", "withcoord", "withsubaccounts":
			case "withassoc", "wa":
				o.WithAssoc = true
			case "tree":
				o.Tree = true
			default:
				o.Names = appendFoldNames(o.Names, w)
			}
			continue
		}
		if !o.condition(strings.ToLower(strings.TrimSuffix(k, "s")), v) {
			o.ShowErr, o.ShowCode = " Unknown condition: "+w+"\n Use keyword 'set' to modify value\n", 1
			return
		}
	}
	if o.Entity == "user" && (o.Accounts != nil || o.Clusters != nil) {
		o.WithAssoc = true // Slurm asks for confirmation; there is nothing to confirm here
	}
}

// mgrKnownCondition reports whether k is a condition key list accepts.
func mgrKnownCondition(k string) bool {
	var probe SacctmgrOptions
	probe.Entity = "association"
	return probe.condition(strings.ToLower(strings.TrimSuffix(k, "s")), "x")
}

// condition records one key=value condition (k lower-case, without a
// plural 's'); false when the key is unknown.
func (o *SacctmgrOptions) condition(k, v string) bool {
	switch k {
	case "name":
		o.Names = appendFoldNames(o.Names, v)
	case "user":
		if o.Entity == "user" {
			o.Names = appendFoldNames(o.Names, v)
		} else {
			o.Users = appendFoldNames(o.Users, v)
		}
	case "account", "acct":
		if o.Entity == "account" {
			o.Names = appendFoldNames(o.Names, v)
		} else {
			o.Accounts = appendFoldNames(o.Accounts, v)
		}
	case "cluster":
		if o.Entity == "cluster" {
			o.Names = appendFoldNames(o.Names, v)
		} else {
			o.Clusters = appendFoldNames(o.Clusters, v)
		}
	case "parent", "parentname":
		o.Parents = appendFoldNames(o.Parents, v)
	case "organization", "org":
		o.Orgs = appendFoldNames(o.Orgs, v)
	case "description", "descr", "desc":
		o.Descrs = appendFoldNames(o.Descrs, v)
	case "defaultaccount":
		o.DefAccts = appendFoldNames(o.DefAccts, v)
	case "format":
		o.Format = append(o.Format, v)
	default:
		return false
	}
	return true
}

// appendFoldNames adds the comma-separated values of v to list.
func appendFoldNames(list []string, v string) []string {
	if list == nil {
		list = []string{}
	}
	for _, n := range splitNonEmpty(v, ",") {
		if !containsFold(list, n) {
			list = append(list, n)
		}
	}
	return list
}
