package compat

import (
	"io"
	"slices"
	"strings"
)

// Sacctmgr writes the output of a sacctmgr list command to w: the rows of
// o.Entity in db that o's conditions select, in o's format. Errors are
// *Error values with Slurm's message ("Unknown field 'x'").
func Sacctmgr(w io.Writer, o SacctmgrOptions, db *AcctDB) error {
	format := o.Format
	if len(format) == 0 {
		key := o.Entity
		if o.WithAssoc && (key == "user" || key == "account") {
			key += "-s"
		}
		def, ok := mgrDefaultFormat()[key]
		if !ok {
			return Errorf(1, "%s", strings.TrimSuffix(sacctmgrNoEntity, "\n"))
		}
		format = []string{def}
	}
	cols, err := parseMgrFormat(format)
	if err != nil {
		return err
	}
	if o.Tree && o.Entity == "association" {
		for i := range cols {
			if mgrFields()[cols[i].field].name == "Account" && !cols[i].set {
				cols[i].width = -20
			}
		}
	}
	heads := make([]SacctColumn, len(cols))
	for i, c := range cols {
		heads[i] = SacctColumn{Name: mgrFields()[c.field].title, Width: c.width}
	}
	var b []byte
	if !o.NoHeader {
		b = appendSacctHeader(b, heads, o.Parsable, "|")
	}
	for _, r := range o.rows(db) {
		for i, c := range cols {
			f := &mgrFields()[c.field]
			v := []byte(f.value(&r))
			b = appendSacctValue(b, v, true, f.kind, c.width, o.Parsable, "|", i == len(cols)-1)
		}
		b = append(b, '\n')
	}
	_, err = w.Write(b)
	return err
}

// rows selects the lines of o.Entity.
func (o *SacctmgrOptions) rows(db *AcctDB) []mgrRow {
	var out []mgrRow
	switch o.Entity {
	case "user":
		tree := db.assocTree()
		for _, u := range db.users() {
			if !matchFold(o.Names, u.name) || !matchFold(o.DefAccts, u.defAcct) {
				continue
			}
			if !o.WithAssoc {
				out = append(out, mgrRow{db: db, user: &u})
				continue
			}
			var mine []mgrRow
			for i := range tree {
				a := &tree[i]
				if a.user == u.name && matchFold(o.Accounts, a.acct.Name) && matchFold(o.Clusters, db.Cluster) {
					mine = append(mine, mgrRow{db: db, user: &u, assoc: a})
				}
			}
			slices.SortStableFunc(mine, func(x, y mgrRow) int { return strings.Compare(x.assoc.acct.Name, y.assoc.acct.Name) })
			out = append(out, mine...)
		}
	case "account":
		tree := db.assocTree()
		for _, a := range db.accounts() {
			if !matchFold(o.Names, a.Name) || !matchFold(o.Orgs, a.Organization) || !matchFold(o.Descrs, a.Description) {
				continue
			}
			if !o.WithAssoc {
				out = append(out, mgrRow{db: db, acct: a})
				continue
			}
			for i := range tree {
				r := &tree[i]
				if r.acct.Name != a.Name || !o.assocMatches(db, r) {
					continue
				}
				out = append(out, mgrRow{db: db, acct: a, assoc: r})
			}
		}
	case "association":
		tree := db.assocTree()
		shown := make([]bool, len(tree))
		for i := range tree {
			r := &tree[i]
			shown[i] = matchFold(o.Names, r.acct.Name) && matchFold(o.Accounts, r.acct.Name) && o.assocMatches(db, r)
		}
		indents := treeIndents(tree, shown)
		for i := range tree {
			if shown[i] {
				out = append(out, mgrRow{db: db, assoc: &tree[i], tree: o.Tree, indent: indents[i]})
			}
		}
	case "cluster":
		if matchFold(o.Names, db.Cluster) {
			out = append(out, mgrRow{db: db, cluster: true})
		}
	case "qos":
		if matchFold(o.Names, "normal") {
			out = append(out, mgrRow{db: db, qos: true})
		}
	}
	return out
}

// assocMatches applies the user, cluster and parent conditions to an
// association: with users named, only those users' rows match.
func (o *SacctmgrOptions) assocMatches(db *AcctDB, r *assocRow) bool {
	if !matchFold(o.Clusters, db.Cluster) {
		return false
	}
	if o.Users != nil && (r.user == "" || !containsFold(o.Users, r.user)) {
		return false
	}
	if o.Parents != nil && (r.user != "" || !containsFold(o.Parents, r.parent)) {
		return false
	}
	return true
}

// matchFold reports whether v is in list (case-insensitively); a nil
// list matches everything.
func matchFold(list []string, v string) bool {
	return list == nil || containsFold(list, v)
}
