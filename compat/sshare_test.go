package compat

import (
	"bytes"
	"strings"
	"testing"
)

func TestSacctmgrArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args         string
		entity       string
		stdout, errs string // prefixes of Show and ShowErr
		code         int
	}{
		{args: "list user", entity: "user"},
		{args: "-i show users --immediate", entity: "user"},
		{args: "list assoc", entity: "association"},
		{args: "list associations", entity: "association"},
		{args: "list accounts", entity: "account"},
		{args: "list acct", entity: "account"},
		{args: "show cluster", entity: "cluster"},
		{args: "list qos", entity: "qos"},
		{args: "-V", stdout: "slurm-wlm 22.05.8\n"},
		{args: "--help", stdout: "sacctmgr [<OPTION>] [<COMMAND>]"},
		{args: "", errs: "sacctmgr: error: interactive mode", code: 1},
		{args: "-x list user", errs: "sacctmgr: invalid option -- 'x'\nTry \"sacctmgr --help\"", code: 1},
		{args: "bogus", errs: "invalid keyword: bogus\n", code: 1},
		{args: "list", errs: "No valid entity in list command\n", code: 1},
		{args: "list foo", errs: "No valid entity in list command\n", code: 1},
		{args: "list event", errs: "sacctmgr: error: Sky Port keeps no event records\n", code: 1},
		{args: "list user frob=1", entity: "user", errs: " Unknown condition: frob=1\n Use keyword 'set' to modify value\n", code: 1},
		{args: "add account foo", errs: " Problem adding accounts: Access/permission denied\n", code: 1},
		{args: "-i create user bob account=proj", errs: " Problem adding users: Access/permission denied\n", code: 1},
		{args: "delete account proj", errs: "sacctmgr: error: Your user doesn't have privilege to perform this action\n Error with request: Access/permission denied\n", code: 1},
		{args: "modify user nobody set fairshare=3", stdout: " Nothing modified\n", errs: "sacctmgr: accounting_storage/slurmdbd: acct_storage_p_modify_assocs: Request didn't affect anything", code: 1},
		{args: "update user nobody set x=1", errs: " Unknown option: x=1\n Use keyword 'where' to modify condition\n", code: 1},
	} {
		o := ParseSacctmgrArgs(strings.Fields(tc.args))
		if o.Entity != tc.entity || !strings.HasPrefix(o.Show, tc.stdout) || !strings.HasPrefix(o.ShowErr, tc.errs) ||
			o.ShowCode != tc.code || (tc.stdout == "" && o.Show != "") || (tc.errs == "" && o.ShowErr != "") {
			t.Errorf("%q: entity %q, show %q, err %q, code %d", tc.args, o.Entity, o.Show, o.ShowErr, o.ShowCode)
		}
	}
	o := ParseSacctmgrArgs(strings.Fields("-n -P -s list user where name=a,b user=c account=x format=user,account%20 tree"))
	if !o.NoHeader || o.Parsable != 2 || !o.WithAssoc || !o.Tree || strings.Join(o.Names, ",") != "a,b,c" ||
		strings.Join(o.Accounts, ",") != "x" || strings.Join(o.Format, ";") != "user,account%20" {
		t.Errorf("options = %+v", o)
	}
	// A condition on associations makes "list user" list them.
	if o := ParseSacctmgrArgs(strings.Fields("list user account=x")); !o.WithAssoc {
		t.Errorf("list user account=x: WithAssoc not set")
	}
}

func TestSshareArgs(t *testing.T) {
	t.Parallel()
	o, err := ParseSshareArgs(strings.Fields("-a -A p,q -u x -U -l -m -n -P -o Account --format User -M c"))
	if err != nil {
		t.Fatal(err)
	}
	if !o.All || strings.Join(o.Accounts, ",") != "p,q" || strings.Join(o.Users, ",") != "x" || !o.UsersOnly || !o.Long ||
		!o.Partition || !o.NoHeader || o.Parsable != 2 || strings.Join(o.Format, ",") != "Account,User" || o.Clusters != "c" {
		t.Errorf("options = %+v", o)
	}
	for _, tc := range []struct{ args, err string }{
		{"-o x", "sshare: error: Invalid field requested: \"x\"\n"},
		{"-o nu", "sshare: error: Invalid field requested: \"nu\"\n"},
		{"-u", "sshare: option requires an argument -- 'u'\nTry \"sshare --help\" for more information\n"},
		{"--bogus", "sshare: unrecognized option '--bogus'\nTry \"sshare --help\" for more information\n"},
	} {
		_, err := ParseSshareArgs(strings.Fields(tc.args))
		if errText(err) != tc.err || errCode(err) != 1 {
			t.Errorf("%q: err = %q", tc.args, errText(err))
		}
	}
	for _, a := range []string{"--help", "--usage", "-V", "-e", "--helpformat"} {
		if o, err := ParseSshareArgs([]string{a}); err != nil || o.Show == "" {
			t.Errorf("%s: show %q, err %v", a, o.Show, err)
		}
	}
}

// The tree of associations indents by the rows shown (recorded on the
// reference cluster with nobody in proj and sub).
func TestSacctmgrTreeSelection(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	o := ParseSacctmgrArgs(strings.Fields("list assoc tree user=nobody format=account,user,share"))
	if err := Sacctmgr(&out, o, refAcctDB()); err != nil {
		t.Fatal(err)
	}
	want := "Account                    User     Share \n" +
		"-------------------- ---------- --------- \n" +
		"proj                     nobody         1 \n" +
		"sub                      nobody         1 \n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// Sky Port's account model answers sbatch's questions.
func TestAcctDBDefaults(t *testing.T) {
	t.Parallel()
	db := &AcctDB{Accounts: []AcctAccount{
		{Name: "a", Users: []AcctUser{{Name: "u"}, {Name: "v"}}},
		{Name: "b", Users: []AcctUser{{Name: "v", Default: true}}},
	}}
	for _, tc := range []struct {
		user, def string
		ok        bool
	}{{"u", "a", true}, {"v", "b", true}, {"w", "", false}} {
		if def, ok := db.DefaultAccount(tc.user); def != tc.def || ok != tc.ok {
			t.Errorf("DefaultAccount(%s) = %q, %v", tc.user, def, ok)
		}
	}
	if !db.HasAssoc("u", "A") || db.HasAssoc("u", "b") {
		t.Error("HasAssoc wrong")
	}
}

func FuzzSacctmgrArgs(f *testing.F) {
	for _, s := range []string{"list user", "-s list user format=account%256", "list assoc tree where user=a account=b",
		"-P -n list account withassoc name=x", "modify user x set fairshare=1", "list qos format=name%-5", "list cluster"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o := ParseSacctmgrArgs(strings.Fields(s))
		if o.Entity == "" {
			return
		}
		var out bytes.Buffer
		if err := Sacctmgr(&out, o, refAcctDB()); err == nil && !o.NoHeader && out.Len() == 0 {
			t.Errorf("%q: no header", s)
		}
	})
}

func FuzzSshareArgs(f *testing.F) {
	for _, s := range []string{"-a", "-l -U", "-A proj,sub -P", "-o Account%-5,User%3 -p", "-u nobody -m", "-n -M x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseSshareArgs(strings.Fields(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Sshare(&out, o, refAcctDB()); err != nil {
			t.Errorf("%q: Sshare after a successful parse: %v", s, err)
		}
	})
}
