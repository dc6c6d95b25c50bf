package compat

import (
	"io"
	"strconv"
	"strings"
	"sync"
)

// SshareOptions is a parsed sshare command line.
type SshareOptions struct {
	All       bool     `json:"all,omitempty"`        // -a
	Accounts  []string `json:"accounts,omitempty"`   // -A
	Users     []string `json:"users,omitempty"`      // -u
	UsersOnly bool     `json:"users_only,omitempty"` // -U
	Long      bool     `json:"long,omitempty"`
	Partition bool     `json:"partition,omitempty"` // -m
	Clusters  string   `json:"clusters,omitempty"`  // -M
	NoHeader  bool     `json:"no_header,omitempty"`
	Parsable  int      `json:"parsable,omitempty"` // 1: -p, 2: -P
	Format    []string `json:"format,omitempty"`   // -o, accumulated
	Show      string   `json:"-"`                  // --help, -V, -e
}

var sshareOpts = optTable{
	prog:  "sshare",
	short: "aA:ehlmM:no:pPqUu:t:vV",
	long: []longOpt{
		{"accounts", argRequired, 'A'}, {"all", argNone, 'a'}, {"helpformat", argNone, 'e'},
		{"long", argNone, 'l'}, {"partition", argNone, 'm'}, {"cluster", argRequired, 'M'},
		{"clusters", argRequired, 'M'}, {"noheader", argNone, 'n'}, {"format", argRequired, 'o'},
		{"parsable", argNone, 'p'}, {"parsable2", argNone, 'P'}, {"users", argRequired, 'u'},
		{"Users", argNone, 'U'}, {"verbose", argNone, 'v'}, {"version", argNone, 'V'},
		{"help", argNone, 'h'}, {"usage", argNone, 'h'},
	},
}

// sshareField is one sshare output field: its width (negative:
// left-justified), kind and value for a row.
type sshareField struct {
	name  string
	width int
	kind  sacctKind
	value func(r *sshareRow) string
}

// sshareRow is one sshare line: an account's row or a user's.
type sshareRow struct {
	db     *AcctDB
	a      *assocRow
	indent int
}

// sshareTRES is the TRES list Slurm prints with zero usage.
const sshareTRES = "cpu=0,mem=0,energy=0,node=0,billing=0,fs/disk=0,vmem=0,pages=0"

func sshareZero(*sshareRow) string { return "0.000000" }

// sshareFields are sshare's fields in --helpformat order (the order in
// which a name prefix is matched).
var sshareFields = []sshareField{
	{"Account", -20, sacctStr, func(r *sshareRow) string { return strings.Repeat(" ", r.indent) + r.a.acct.Name }},
	{"Cluster", 10, sacctStr, func(r *sshareRow) string { return r.db.Cluster }},
	{"EffectvUsage", 13, sacctNum, sshareZero},
	{"FairShare", 10, sacctNum, func(r *sshareRow) string {
		if r.a.user == "" {
			return ""
		}
		return "0.000000"
	}},
	{"GrpTRESMins", 30, sacctStr, func(*sshareRow) string { return "" }},
	{"GrpTRESRaw", 30, sacctStr, func(*sshareRow) string { return sshareTRES }},
	{"ID", 6, sacctNum, func(r *sshareRow) string { return strconv.Itoa(r.a.id) }},
	{"LevelFS", 10, sacctNum, sshareZero},
	{"NormShares", 11, sacctNum, func(*sshareRow) string { return "" }},
	{"NormUsage", 11, sacctNum, func(*sshareRow) string { return "" }},
	{"Partition", 12, sacctStr, func(*sshareRow) string { return "" }},
	{"RawShares", 10, sacctNum, func(r *sshareRow) string {
		switch {
		case r.a.user != "":
			return "1"
		case r.a.depth == 0:
			return ""
		}
		return strconv.Itoa(max(r.a.acct.Shares, 1))
	}},
	{"RawUsage", 11, sacctNum, func(*sshareRow) string { return "0" }},
	{"TRESRunMins", 30, sacctStr, func(*sshareRow) string { return sshareTRES }},
	{"User", 10, sacctStr, func(r *sshareRow) string { return r.a.user }},
}

// sshareFormats are the default field lists.
const (
	sshareDefault = "Account,User,RawShares,NormShares,RawUsage,EffectvUsage,FairShare"
	sshareLong    = "Account,User,RawShares,NormShares,RawUsage,NormUsage,EffectvUsage,FairShare,LevelFS,GrpTRESMins,TRESRunMins"
)

// ParseSshareArgs parses sshare's command line (without the program
// name) as Slurm 22.05 does. Errors are *Error values with Slurm's text.
func ParseSshareArgs(args []string) (SshareOptions, error) {
	var o SshareOptions
	opts, _, msg := sshareOpts.scan(args)
	for _, op := range opts {
		switch op.key {
		case 'a':
			o.All = true
		case 'A':
			o.Accounts = appendFoldNames(o.Accounts, op.arg)
		case 'e':
			o.Show = sshareHelpFormat()
		case 'h':
			o.Show = sshareHelp
		case 'l':
			o.Long = true
		case 'm':
			o.Partition = true
		case 'M':
			o.Clusters = op.arg
		case 'n':
			o.NoHeader = true
		case 'o':
			o.Format = append(o.Format, op.arg)
		case 'p':
			o.Parsable = 1
		case 'P':
			o.Parsable = 2
		case 'u':
			o.Users = appendFoldNames(o.Users, op.arg)
		case 'U':
			o.UsersOnly = true
		case 'V':
			o.Show = SlurmVersionLine
		}
		if o.Show != "" {
			return o, nil
		}
	}
	if msg != "" {
		return o, &Error{Msg: msg + "Try \"sshare --help\" for more information\n", Code: 1}
	}
	_, err := o.columns()
	return o, err
}

// sshareHelpFormat is "sshare --helpformat": the names padded to 17
// and separated by a blank, four to a line.
var sshareHelpFormat = sync.OnceValue(func() string {
	var b strings.Builder
	for i, f := range sshareFields {
		switch {
		case i > 0 && i%4 == 0:
			b.WriteByte('\n')
		case i > 0:
			b.WriteByte(' ')
		}
		b.WriteString(f.name)
		b.WriteString(strings.Repeat(" ", 17-len(f.name)))
	}
	b.WriteByte('\n')
	return b.String()
})

// sshareCol is a chosen field with its width.
type sshareCol struct {
	field int
	width int
}

// columns resolves the field list: -o lists, else the default or -l
// one, with Partition after User for -m.
func (o *SshareOptions) columns() ([]sshareCol, error) {
	list := strings.Join(o.Format, ",")
	if len(o.Format) == 0 {
		list = sshareDefault
		if o.Long {
			list = sshareLong
		}
		if o.Partition {
			list = strings.Replace(list, "User,", "User,Partition,", 1)
		}
	}
	var cols []sshareCol
	for _, item := range splitNonEmpty(list, ",") {
		name := item
		width, set := 0, false
		if i := strings.IndexByte(item, '%'); i >= 0 {
			n, _ := cStrtol(item[i+1:])
			width, set, name = int(max(min(n, maxFieldWidth), -maxFieldWidth)), true, item[:i]
		}
		found := -1
		for i, f := range sshareFields {
			if name != "" && hasFoldPrefix(f.name, name) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, Errorf(1, "sshare: error: Invalid field requested: \"%s\"", name)
		}
		if !set {
			width = sshareFields[found].width
		}
		cols = append(cols, sshareCol{field: found, width: width})
	}
	return cols, nil
}

// Sshare writes sshare's output for o over db to w.
func Sshare(w io.Writer, o SshareOptions, db *AcctDB) error {
	if o.Show != "" {
		_, err := io.WriteString(w, o.Show)
		return err
	}
	cols, err := o.columns()
	if err != nil {
		return err
	}
	var b []byte
	if o.Clusters != "" {
		b = append(b, "CLUSTER: "+db.Cluster+"\n"...)
	}
	if !o.NoHeader {
		heads := make([]SacctColumn, len(cols))
		for i, c := range cols {
			heads[i] = SacctColumn{Name: sshareFields[c.field].name, Width: c.width}
		}
		b = appendSacctHeader(b, heads, o.Parsable, "|")
	}
	for _, r := range o.rows(db) {
		for i, c := range cols {
			f := &sshareFields[c.field]
			b = appendSacctValue(b, []byte(f.value(&r)), true, f.kind, c.width, o.Parsable, "|", i == len(cols)-1)
		}
		b = append(b, '\n')
	}
	_, err = w.Write(b)
	return err
}

// rows selects sshare's lines: every account row (unless -U), and the
// rows of the users -u names, of every user with -a, else the caller's;
// -A keeps only the named accounts, indented by how many of their
// ancestors are shown.
func (o *SshareOptions) rows(db *AcctDB) []sshareRow {
	tree := db.assocTree()
	shown := make([]bool, len(tree))
	var out []sshareRow
	for i := range tree {
		a := &tree[i]
		if !matchFold(o.Accounts, a.acct.Name) {
			continue
		}
		if a.user != "" {
			switch {
			case o.Users != nil:
				if !containsFold(o.Users, a.user) {
					continue
				}
			case !o.All && a.user != db.Caller:
				continue
			}
		}
		shown[i] = true
	}
	indents := treeIndents(tree, shown)
	for i := range tree {
		if !shown[i] || (o.UsersOnly && tree[i].user == "") {
			continue
		}
		indent := indents[i]
		if o.UsersOnly {
			indent = 0
		}
		out = append(out, sshareRow{db: db, a: &tree[i], indent: indent})
	}
	return out
}
