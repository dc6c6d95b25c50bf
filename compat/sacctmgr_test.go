package compat

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refAcctDB is the reference cluster's accounting data when
// testdata/acct/reference.txt was recorded: root (with user root), proj
// under root with user nobody, and sub under proj with user nobody.
func refAcctDB() *AcctDB {
	return &AcctDB{
		Cluster: "refcluster",
		Caller:  "root",
		Accounts: []AcctAccount{
			{Name: "root", Description: "default root account", Organization: "root", Shares: 1, Users: []AcctUser{{Name: "root"}}},
			{Name: "proj", Description: "project x", Organization: "lab", Parent: "root", Shares: 10, Users: []AcctUser{{Name: "nobody"}}},
			{Name: "sub", Description: "sub of proj", Organization: "lab", Parent: "proj", Shares: 1, Users: []AcctUser{{Name: "nobody"}}},
		},
	}
}

// runAcctCommand runs sshare or sacctmgr over db as the shims and the
// daemon together do, returning stdout and stderr merged and the status.
func runAcctCommand(args []string, db *AcctDB) (string, int) {
	var out bytes.Buffer
	switch args[0] {
	case "sshare":
		o, err := ParseSshareArgs(args[1:])
		if err == nil {
			err = Sshare(&out, o, db)
		}
		return out.String() + errText(err), errCode(err)
	case "sacctmgr":
		o := ParseSacctmgrArgs(args[1:])
		if o.Show != "" || o.ShowErr != "" || o.Entity == "" {
			return o.Show + o.ShowErr, o.ShowCode
		}
		err := Sacctmgr(&out, o, db)
		return out.String() + errText(err), errCode(err)
	}
	return "", -1
}

func errText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

func errCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// TestAcctReference replays every command recorded on the reference
// cluster (testdata/acct/reference.txt: "### <status> <command>" and the
// output, stdout and stderr merged) and compares byte for byte. Only the
// admin level differs by design (Sky Port's users are never
// administrators), so the recording avoids that field.
func TestAcctReference(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/acct/reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	cases := strings.Split(string(data), "### ")[1:]
	if len(cases) < 50 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		head, want, _ := strings.Cut(c, "\n")
		code, cmd, _ := strings.Cut(head, " ")
		wantCode, _ := strconv.Atoi(code)
		t.Run(cmd, func(t *testing.T) {
			got, gotCode := runAcctCommand(strings.Fields(cmd), refAcctDB())
			if got != want || gotCode != wantCode {
				t.Errorf("%s: exit %d, want %d\n--- got\n%s--- want\n%s", cmd, gotCode, wantCode, got, want)
			}
		})
	}
}
