package gateway

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/user"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/gateway/api"
)

// baseTOML is a minimal valid configuration the account tests add to.
const baseTOML = `[gates.local]
kind = "local"
cpus = 1
memory = "1G"
[[partitions]]
name = "debug"
gate = "local"
default = true
`

func TestAccountsConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]byte(baseTOML + `
[[accounts]]
name = "proj"
users = ["alice"]
fairshare = 10
[[accounts]]
name = "sub"
parent = "proj"
users = ["alice", "bob"]
default = true
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []AccountConfig{
		{Name: "proj", Description: "proj", Organization: "proj", Parent: "root", Users: []string{"alice"}, FairShare: 10},
		{Name: "sub", Description: "sub", Organization: "proj", Parent: "proj", Users: []string{"alice", "bob"}, FairShare: 1, Default: true},
	}
	if len(cfg.Accounts) != len(want) {
		t.Fatalf("accounts = %+v", cfg.Accounts)
	}
	for i := range want {
		got := cfg.Accounts[i]
		if got.Name != want[i].Name || got.Description != want[i].Description || got.Organization != want[i].Organization ||
			got.Parent != want[i].Parent || got.FairShare != want[i].FairShare || got.Default != want[i].Default ||
			strings.Join(got.Users, ",") != strings.Join(want[i].Users, ",") {
			t.Errorf("account %d = %+v, want %+v", i, got, want[i])
		}
	}
}

// Bad [[accounts]] tables are refused with the line of the table or key.
func TestAccountsConfigErrors(t *testing.T) {
	t.Parallel()
	// baseTOML has 8 lines; the first [[accounts]] header is line 9.
	for _, tc := range []struct{ toml, want string }{
		{"[[accounts]]\nusers = [\"a\"]\n", "line 9: accounts: an account has no name"},
		{"[[accounts]]\nname = \"a\"\n[[accounts]]\nname = \"a\"\n", `line 12: accounts: "a" is defined twice`},
		{"[[accounts]]\nname = \"a\"\nparent = \"nosuch\"\n", `line 11: accounts: "a": unknown parent "nosuch"`},
		{"[[accounts]]\nname = \"a\"\nparent = \"b\"\n[[accounts]]\nname = \"b\"\nparent = \"a\"\n", `line 11: accounts: "a": parents form a cycle`},
		{"[[accounts]]\nname = \"a b\"\n", `line 10: accounts: name "a b": must not contain commas or blanks`},
		{"[[accounts]]\nname = \"root\"\n", `line 10: accounts: "root" is the implicit top account`},
		{"[[accounts]]\nname = \"a\"\nfairshare = -1\n", `line 11: accounts: "a": fairshare must not be negative`},
		{"[[accounts]]\nname = \"a\"\nusers = [\"x,y\"]\n", `line 11: accounts: "a": user "x,y": must be a user name`},
		{"[[accounts]]\nname = \"a\"\nshares = 3\n", `line 11: unknown key "accounts.shares"`},
	} {
		_, err := ParseConfig([]byte(baseTOML + tc.toml))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s", tc.toml, err, tc.want)
		}
	}
}

// The daemon renders sacctmgr and sshare from its configured accounts
// and refuses sbatch -A for an account the caller is not in.
func TestAccountsDaemon(t *testing.T) {
	t.Parallel()
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	cfg, err := ParseConfig([]byte(baseTOML + `
[daemon]
cluster_name = "c1"
[[accounts]]
name = "proj"
description = "project x"
organization = "lab"
users = ["` + me.Username + `"]
[[accounts]]
name = "other"
users = ["nobody"]
`))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, "")
	ctx := context.Background()
	var out bytes.Buffer
	o := compat.ParseSacctmgrArgs([]string{"-P", "-n", "list", "account", "format=account,descr,org"})
	if err := d.client.Render(ctx, api.PathSacctmgr, api.SacctmgrRequest{Options: o}, &out); err != nil {
		t.Fatal(err)
	}
	if want := "other|other|other\nproj|project x|lab\nroot|default root account|root\n"; out.String() != want {
		t.Errorf("sacctmgr list account = %q, want %q", out.String(), want)
	}
	out.Reset()
	so, err := compat.ParseSshareArgs([]string{"-U", "-P", "-n", "-o", "Account,User,Cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.client.Render(ctx, api.PathSshare, api.SshareRequest{Options: so}, &out); err != nil {
		t.Fatal(err)
	}
	if want := "proj|" + me.Username + "|c1\n"; out.String() != want {
		t.Errorf("sshare -U = %q, want %q", out.String(), want)
	}
	// sbatch -A: only the caller's accounts; the default is proj.
	submit := func(account string) (uint32, error) {
		o := compat.SubmitOptions{Wrap: "true", Account: account, Hold: true, Given: map[string]bool{"wrap": true}}
		resp, err := d.client.Submit(ctx, api.SubmitRequest{Options: o, Script: compat.WrapScript("true"), Cwd: t.TempDir(),
			Env: []string{"PATH=" + os.Getenv("PATH")}})
		return resp.JobID, err
	}
	_, err = submit("other")
	var ce *compat.Error
	if !errors.As(err, &ce) || ce.Msg != "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n" {
		t.Errorf("sbatch -A other: err = %v", err)
	}
	for _, a := range []string{"proj", ""} {
		id, err := submit(a)
		if err != nil {
			t.Fatalf("sbatch -A %q: %v", a, err)
		}
		d.srv.mu.RLock()
		got := d.srv.live[id].job.Account
		d.srv.mu.RUnlock()
		if got != "proj" {
			t.Errorf("sbatch -A %q: account = %q, want proj", a, got)
		}
	}
}

// Without accounts, every user's account is named after the user.
func TestAccountsSynthesised(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]byte(baseTOML))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: cfg, live: map[uint32]*entry{}}
	db := s.acctDB("alice")
	if len(db.Accounts) != 1 || db.Accounts[0].Name != "alice" || db.Accounts[0].Users[0].Name != "alice" {
		t.Errorf("accounts = %+v", db.Accounts)
	}
	if a, err := s.checkAccount("alice", ""); err != nil || a != "alice" {
		t.Errorf("checkAccount(alice, \"\") = %q, %v", a, err)
	}
	if a, err := s.checkAccount("alice", "anything"); err != nil || a != "anything" {
		t.Errorf("checkAccount(alice, anything) = %q, %v", a, err)
	}
}
