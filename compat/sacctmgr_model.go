package compat

import (
	"slices"
	"strings"
)

// AcctDB is the accounting data sacctmgr and sshare show: the cluster,
// its accounts and the users associated with them. The daemon builds it
// from its configuration (or synthesises one account per user when none
// is configured); the renderers only read it.
type AcctDB struct {
	Cluster     string        `json:"cluster"`
	ControlHost string        `json:"control_host,omitempty"`
	Accounts    []AcctAccount `json:"accounts"` // without "root", which is implicit
	// Caller is the name of the user who runs the command: sshare shows
	// only that user's rows unless -a or -u says otherwise.
	Caller string `json:"caller"`
}

// AcctAccount is one account: its parent ("" or "root" for the top
// level), its fair-share value and its users, each with an association.
type AcctAccount struct {
	Name         string     `json:"name"`
	Description  string     `json:"description,omitempty"`
	Organization string     `json:"organization,omitempty"`
	Parent       string     `json:"parent,omitempty"`
	Shares       int        `json:"shares"`
	Users        []AcctUser `json:"users,omitempty"`
}

// AcctUser is a user's association with an account. Default marks the
// user's default account (sacctmgr's "Def Acct").
type AcctUser struct {
	Name    string `json:"name"`
	Default bool   `json:"default,omitempty"`
}

// acctRoot is the description and organization Slurm gives its root account.
const (
	acctRootDescr = "default root account"
	acctRootOrg   = "root"
)

// assocRow is one association in tree order: an account's own row (user
// "") or a user's row in that account.
type assocRow struct {
	acct   *AcctAccount
	user   string
	depth  int // 0 for root
	id     int // association id, in tree order from 1
	lft    int
	rgt    int
	parent string // the parent account of an account row
}

// assocTree returns every association in Slurm's hierarchical order: an
// account, then its users (by name), then its sub-accounts (by name),
// each with nested-set bounds (lft/rgt) as slurmdbd numbers them.
func (db *AcctDB) assocTree() []assocRow {
	root := &AcctAccount{Name: "root", Description: acctRootDescr, Organization: acctRootOrg, Shares: 1}
	children := map[string][]*AcctAccount{}
	for i := range db.Accounts {
		a := &db.Accounts[i]
		if a.Name == "root" {
			root = a
			continue
		}
		p := a.Parent
		if p == "" {
			p = "root"
		}
		children[p] = append(children[p], a)
	}
	var rows []assocRow
	counter := 0
	seen := map[string]bool{}
	var walk func(a *AcctAccount, parent string, depth int)
	walk = func(a *AcctAccount, parent string, depth int) {
		if seen[a.Name] {
			return // a cycle: the configuration is checked, but never loop
		}
		seen[a.Name] = true
		counter++
		me := len(rows)
		rows = append(rows, assocRow{acct: a, depth: depth, lft: counter, parent: parent})
		users := slices.Clone(a.Users)
		slices.SortFunc(users, func(x, y AcctUser) int { return strings.Compare(x.Name, y.Name) })
		for _, u := range users {
			counter++
			rows = append(rows, assocRow{acct: a, user: u.Name, depth: depth + 1, lft: counter})
			counter++
			rows[len(rows)-1].rgt = counter
		}
		kids := children[a.Name]
		slices.SortFunc(kids, func(x, y *AcctAccount) int { return strings.Compare(x.Name, y.Name) })
		for _, k := range kids {
			walk(k, a.Name, depth+1)
		}
		counter++
		rows[me].rgt = counter
	}
	walk(root, "", 0)
	for i := range rows {
		rows[i].id = i + 1
	}
	return rows
}

// accounts returns root and every account, sorted by name.
func (db *AcctDB) accounts() []*AcctAccount {
	out := []*AcctAccount{}
	hasRoot := false
	for i := range db.Accounts {
		out = append(out, &db.Accounts[i])
		hasRoot = hasRoot || db.Accounts[i].Name == "root"
	}
	if !hasRoot {
		out = append(out, &AcctAccount{Name: "root", Description: acctRootDescr, Organization: acctRootOrg, Shares: 1})
	}
	slices.SortFunc(out, func(x, y *AcctAccount) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// acctUserInfo is a user as sacctmgr lists it: the name and the default account.
type acctUserInfo struct {
	name, defAcct string
}

// users returns every user with an association, sorted by name, with the
// default account: the one marked default, else the first listed.
func (db *AcctDB) users() []acctUserInfo {
	first, marked := map[string]string{}, map[string]string{}
	var names []string
	for _, a := range db.Accounts {
		for _, u := range a.Users {
			if _, ok := first[u.Name]; !ok {
				first[u.Name] = a.Name
				names = append(names, u.Name)
			}
			if u.Default && marked[u.Name] == "" {
				marked[u.Name] = a.Name
			}
		}
	}
	slices.Sort(names)
	out := make([]acctUserInfo, len(names))
	for i, n := range names {
		d := marked[n]
		if d == "" {
			d = first[n]
		}
		out[i] = acctUserInfo{name: n, defAcct: d}
	}
	return out
}

// DefaultAccount returns user's default account and whether the user has
// any association.
func (db *AcctDB) DefaultAccount(user string) (string, bool) {
	for _, u := range db.users() {
		if u.name == user {
			return u.defAcct, true
		}
	}
	return "", false
}

// HasAssoc reports whether user is associated with account.
func (db *AcctDB) HasAssoc(user, account string) bool {
	for _, a := range db.Accounts {
		if strings.EqualFold(a.Name, account) {
			for _, u := range a.Users {
				if u.Name == user {
					return true
				}
			}
		}
	}
	return false
}

// treeIndents gives each shown row of tree its indentation when only the
// shown rows print: an account is indented one more than its nearest
// shown ancestor account (0 with none), a user one more than its nearest
// shown account, its own included.
func treeIndents(tree []assocRow, shown []bool) []int {
	indents := make([]int, len(tree))
	var stack []int // per account depth: its indentation, -1 when hidden
	nearest := func() int {
		for k := len(stack) - 1; k >= 0; k-- {
			if stack[k] >= 0 {
				return stack[k] + 1
			}
		}
		return 0
	}
	for i := range tree {
		a := &tree[i]
		if a.user != "" {
			indents[i] = nearest()
			continue
		}
		stack = stack[:min(len(stack), a.depth)]
		d := nearest()
		indents[i] = d
		if !shown[i] {
			d = -1
		}
		stack = append(stack, d)
	}
	return indents
}
