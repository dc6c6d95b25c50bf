package gateway

import (
	"errors"
	"fmt"
	"strings"
)

// AccountConfig is one Slurm account ([[accounts]] in the TOML file):
// what sacctmgr and sshare list and what sbatch -A accepts. With no
// account configured, every user's account is named after the user.
type AccountConfig struct {
	Name         string   `toml:"name"`
	Description  string   `toml:"description"`  // default: the name
	Organization string   `toml:"organization"` // default: the parent, or the name under root
	Parent       string   `toml:"parent"`       // default: "root"
	Users        []string `toml:"users"`
	FairShare    int      `toml:"fairshare"` // default: 1
	// Default makes this the default account of its users (sbatch
	// without -A); else a user's default is the first account naming them.
	Default bool `toml:"default"`
}

// accountsTOML is the commented [[accounts]] example of DefaultTOML.
const accountsTOML = `
# Accounts for sacctmgr, sshare and sbatch -A. None by default: then every
# user's account is named after the user and any -A is accepted. Once some
# are listed, sbatch -A must name an account the user is in.
# [[accounts]]
# name = "proj"
# description = "project x"   # default: the name
# organization = "lab"         # default: the parent's name (the name under root)
# parent = "root"              # "root" is the implicit top account
# users = ["alice", "bob"]
# fairshare = 1
# default = false              # the default account of its users
`

// accountError is a problem with the index-th [[accounts]] table; key
// names the offending key ("" for the table itself).
type accountError struct {
	index int
	key   string
	msg   string
}

func (e *accountError) Error() string { return "accounts: " + e.msg }

// prepareAccounts applies the defaults of accts and checks them: names
// present, unique and without commas or blanks, parents that exist, no
// cycles, fair shares not negative. When data (the TOML text) is given,
// the error names the line of the offending table or key.
func prepareAccounts(data []byte, accts []AccountConfig) error {
	err := checkAccounts(accts)
	var ae *accountError
	if errors.As(err, &ae) && data != nil {
		if line := accountLine(data, ae.index, ae.key); line > 0 {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	return err
}

func checkAccounts(accts []AccountConfig) error {
	index := map[string]int{}
	for i := range accts {
		a := &accts[i]
		switch {
		case a.Name == "":
			return &accountError{i, "", "an account has no name"}
		case strings.ContainsAny(a.Name, ", \t\n"):
			return &accountError{i, "name", fmt.Sprintf("name %q: must not contain commas or blanks", a.Name)}
		case strings.EqualFold(a.Name, "root"):
			return &accountError{i, "name", `"root" is the implicit top account: use parent = "root"`}
		}
		if _, dup := index[strings.ToLower(a.Name)]; dup {
			return &accountError{i, "name", fmt.Sprintf("%q is defined twice", a.Name)}
		}
		index[strings.ToLower(a.Name)] = i
		if a.FairShare < 0 {
			return &accountError{i, "fairshare", fmt.Sprintf("%q: fairshare must not be negative", a.Name)}
		}
		if a.FairShare == 0 {
			a.FairShare = 1
		}
		if a.Parent == "" {
			a.Parent = "root"
		}
		for _, u := range a.Users {
			if u == "" || strings.ContainsAny(u, ", \t\n") {
				return &accountError{i, "users", fmt.Sprintf("%q: user %q: must be a user name", a.Name, u)}
			}
		}
	}
	for i, a := range accts {
		if _, ok := index[strings.ToLower(a.Parent)]; !ok && a.Parent != "root" {
			return &accountError{i, "parent", fmt.Sprintf("%q: unknown parent %q", a.Name, a.Parent)}
		}
	}
	for i := range accts {
		a := &accts[i]
		// Walk up: a chain longer than the number of accounts is a cycle.
		p := a.Parent
		for steps := 0; p != "root"; steps++ {
			if steps > len(accts) {
				return &accountError{i, "parent", fmt.Sprintf("%q: parents form a cycle", a.Name)}
			}
			p = accts[index[strings.ToLower(p)]].Parent
		}
		if a.Description == "" {
			a.Description = a.Name
		}
		if a.Organization == "" {
			a.Organization = a.Name
			if a.Parent != "root" {
				a.Organization = a.Parent
			}
		}
	}
	return nil
}

// accountLine finds the line of key in the index-th [[accounts]] table,
// or of the table's header when key is "" or not written there.
func accountLine(data []byte, index int, key string) int {
	header, n := 0, -1
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			if header > 0 {
				break // past the table
			}
			if strings.ReplaceAll(t, " ", "") == "[[accounts]]" {
				if n++; n == index {
					header = i + 1
				}
			}
			continue
		}
		if m := keyRe.FindStringSubmatch(line); header > 0 && key != "" && m != nil && m[1] == key {
			return i + 1
		}
	}
	return header
}
