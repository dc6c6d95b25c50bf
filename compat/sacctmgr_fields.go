package compat

import (
	"strconv"
	"strings"
	"sync"
)

// mgrRow is one sacctmgr line: a user, an account, an association, the
// cluster or a QOS. Fields that do not apply to the row print blank.
type mgrRow struct {
	db      *AcctDB
	user    *acctUserInfo // list user (with -s also assoc)
	acct    *AcctAccount  // list account (with -s also assoc)
	assoc   *assocRow     // an association line
	cluster bool
	qos     bool
	tree    bool // list assoc tree: the account is indented
	indent  int  // the indentation with tree
}

// mgrField is one sacctmgr format field: the canonical name, the fewest
// letters that select it, its title and default width, and its value.
type mgrField struct {
	name  string
	min   int
	title string
	width int
	kind  sacctKind
	value func(r *mgrRow) string
}

func mgrBlank(*mgrRow) string { return "" }

// mgrShare is an association's (or the cluster's) fair-share value.
func mgrShare(r *mgrRow) string {
	switch {
	case r.cluster:
		return "1"
	case r.assoc == nil:
		return ""
	case r.assoc.user != "":
		return "1"
	}
	return strconv.Itoa(max(r.assoc.acct.Shares, 1))
}

// mgrOnAssoc is v on association and cluster rows, blank elsewhere.
func mgrOnAssoc(v string) func(r *mgrRow) string {
	return func(r *mgrRow) string {
		if r.assoc != nil || r.cluster {
			return v
		}
		return ""
	}
}

// mgrOnQOS is v on QOS rows.
func mgrOnQOS(v string) func(r *mgrRow) string {
	return func(r *mgrRow) string {
		if r.qos {
			return v
		}
		return ""
	}
}

// mgrFields are the fields of every sacctmgr list command, in the order
// names are matched; titles and widths as Slurm 22.05 prints them.
var mgrFields = sync.OnceValue(func() []mgrField {
	return []mgrField{
		{"Account", 3, "Account", 10, sacctStr, func(r *mgrRow) string {
			switch {
			case r.assoc != nil && r.tree:
				return strings.Repeat(" ", r.indent) + r.assoc.acct.Name
			case r.assoc != nil:
				return r.assoc.acct.Name
			case r.acct != nil:
				return r.acct.Name
			}
			return ""
		}},
		{"AdminLevel", 3, "Admin", 9, sacctStr, func(r *mgrRow) string {
			if r.user != nil {
				return "None"
			}
			return ""
		}},
		{"Classification", 5, "Class", 9, sacctStr, mgrBlank},
		{"Cluster", 2, "Cluster", 10, sacctStr, func(r *mgrRow) string {
			if r.assoc != nil || r.cluster {
				return r.db.Cluster
			}
			return ""
		}},
		{"ControlHost", 8, "ControlHost", 15, sacctStr, func(r *mgrRow) string {
			if r.cluster {
				return r.db.ControlHost
			}
			return ""
		}},
		{"ControlPort", 8, "ControlPort", 12, sacctNum, mgrBlank},
		{"Coordinators", 5, "Coord Accounts", 20, sacctStr, mgrBlank},
		{"DefaultAccount", 8, "Def Acct", 10, sacctStr, func(r *mgrRow) string {
			if r.user != nil {
				return r.user.defAcct
			}
			return ""
		}},
		{"DefaultQOS", 8, "Def QOS", 9, sacctStr, mgrBlank},
		{"DefaultWCKey", 8, "Def WCKey", 10, sacctStr, mgrBlank},
		{"Description", 4, "Descr", 20, sacctStr, func(r *mgrRow) string {
			if r.acct != nil {
				return r.acct.Description
			}
			return ""
		}},
		{"FairShare", 2, "Share", 9, sacctNum, mgrShare},
		{"Features", 4, "Features", 20, sacctStr, mgrBlank},
		{"Federation", 3, "Federation", 10, sacctStr, mgrBlank},
		{"Flags", 2, "Flags", 20, sacctStr, mgrBlank},
		{"GraceTime", 3, "GraceTime", 10, sacctStr, mgrOnQOS("00:00:00")},
		{"GrpCPUMins", 7, "GrpCPUMins", 11, sacctStr, mgrBlank},
		{"GrpCPUs", 7, "GrpCPUs", 8, sacctStr, mgrBlank},
		{"GrpJobs", 4, "GrpJobs", 7, sacctStr, mgrBlank},
		{"GrpMem", 4, "GrpMem", 7, sacctStr, mgrBlank},
		{"GrpNodes", 4, "GrpNodes", 8, sacctStr, mgrBlank},
		{"GrpSubmit", 5, "GrpSubmit", 9, sacctStr, mgrBlank},
		{"GrpTRES", 7, "GrpTRES", 13, sacctStr, mgrBlank},
		{"GrpTRESMins", 8, "GrpTRESMins", 13, sacctStr, mgrBlank},
		{"GrpTRESRunMins", 8, "GrpTRESRunMin", 13, sacctStr, mgrBlank},
		{"GrpWall", 4, "GrpWall", 11, sacctStr, mgrBlank},
		{"ID", 2, "ID", 6, sacctNum, func(r *mgrRow) string {
			if r.assoc != nil {
				return strconv.Itoa(r.assoc.id)
			}
			if r.qos {
				return "1"
			}
			return ""
		}},
		{"LFT", 1, "LFT", 6, sacctNum, func(r *mgrRow) string {
			if r.assoc != nil {
				return strconv.Itoa(r.assoc.lft)
			}
			return ""
		}},
		{"MaxCPUMins", 7, "MaxCPUMins", 11, sacctStr, mgrBlank},
		{"MaxCPUs", 7, "MaxCPUs", 8, sacctStr, mgrBlank},
		{"MaxJobs", 4, "MaxJobs", 7, sacctStr, mgrBlank},
		{"MaxJobsPA", 9, "MaxJobsPA", 9, sacctStr, mgrBlank},
		{"MaxJobsPU", 9, "MaxJobsPU", 9, sacctStr, mgrBlank},
		{"MaxNodes", 4, "MaxNodes", 8, sacctStr, mgrBlank},
		{"MaxSubmit", 4, "MaxSubmit", 9, sacctStr, mgrBlank},
		{"MaxSubmitPA", 11, "MaxSubmitPA", 11, sacctStr, mgrBlank},
		{"MaxSubmitPU", 11, "MaxSubmitPU", 11, sacctStr, mgrBlank},
		{"MaxTRES", 7, "MaxTRES", 13, sacctStr, mgrBlank},
		{"MaxTRESMins", 8, "MaxTRESMins", 13, sacctStr, mgrBlank},
		{"MaxTRESPA", 9, "MaxTRESPA", 13, sacctStr, mgrBlank},
		{"MaxTRESPerNode", 11, "MaxTRESPerNode", 14, sacctStr, mgrBlank},
		{"MaxTRESPU", 9, "MaxTRESPU", 13, sacctStr, mgrBlank},
		{"MaxWall", 4, "MaxWall", 11, sacctStr, mgrBlank},
		{"MinTRES", 4, "MinTRES", 13, sacctStr, mgrBlank},
		{"Name", 2, "Name", 10, sacctStr, mgrOnQOS("normal")},
		{"NodeCount", 5, "NodeCount", 9, sacctStr, mgrBlank},
		{"Organization", 1, "Org", 20, sacctStr, func(r *mgrRow) string {
			if r.acct != nil {
				return r.acct.Organization
			}
			return ""
		}},
		{"ParentID", 7, "ParentID", 8, sacctNum, mgrBlank},
		{"ParentName", 7, "ParentName", 10, sacctStr, func(r *mgrRow) string {
			if r.assoc != nil && r.assoc.user == "" {
				return r.assoc.parent
			}
			return ""
		}},
		{"Partition", 4, "Partition", 10, sacctStr, mgrBlank},
		{"PluginIDSelect", 4, "PluginIDSelect", 14, sacctStr, mgrBlank},
		{"Preempt", 7, "Preempt", 10, sacctStr, mgrBlank},
		{"PreemptExemptTime", 8, "PreemptExemptTime", 19, sacctStr, mgrBlank},
		{"PreemptMode", 8, "PreemptMode", 11, sacctStr, mgrOnQOS("cluster")},
		{"Priority", 4, "Priority", 10, sacctNum, mgrOnQOS("0")},
		{"QOS", 3, "QOS", 20, sacctStr, mgrOnAssoc("normal")},
		{"RGT", 1, "RGT", 6, sacctNum, func(r *mgrRow) string {
			if r.assoc != nil {
				return strconv.Itoa(r.assoc.rgt)
			}
			return ""
		}},
		{"RPC", 3, "RPC", 5, sacctNum, func(r *mgrRow) string {
			if r.cluster {
				return "9728"
			}
			return ""
		}},
		{"Share", 1, "Share", 9, sacctNum, mgrShare},
		{"TRES", 4, "TRES", 20, sacctStr, mgrBlank},
		{"UsageFactor", 6, "UsageFactor", 11, sacctNum, mgrOnQOS("1.000000")},
		{"UsageThres", 6, "UsageThres", 10, sacctStr, mgrBlank},
		{"User", 1, "User", 10, sacctStr, func(r *mgrRow) string {
			switch {
			case r.assoc != nil:
				return r.assoc.user
			case r.user != nil:
				return r.user.name
			}
			return ""
		}},
	}
})

// mgrColumn is a chosen field and its width.
type mgrColumn struct {
	field int
	width int
	set   bool // the width was given ("%N")
}

// parseMgrFormat resolves a format list ("user,account%256") as sacctmgr
// does: each item is a case-insensitive prefix of a field name of at
// least the field's minimum length, and "%N" sets its width. An unknown
// name is the error "Unknown field 'x'".
func parseMgrFormat(list []string) ([]mgrColumn, error) {
	var cols []mgrColumn
	for _, item := range list {
		for _, name := range strings.Split(item, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			width, setWidth := 0, false
			if i := strings.IndexByte(name, '%'); i >= 0 {
				n, _ := cStrtol(name[i+1:])
				width, setWidth, name = int(max(min(n, maxFieldWidth), -maxFieldWidth)), true, name[:i]
			}
			found := -1
			for i, f := range mgrFields() {
				if len(name) >= f.min && len(name) <= len(f.name) && strings.EqualFold(f.name[:len(name)], name) {
					found = i
					break
				}
			}
			if found < 0 {
				return nil, Errorf(1, "Unknown field '%s'", name)
			}
			if !setWidth {
				width = mgrFields()[found].width
			}
			cols = append(cols, mgrColumn{field: found, width: width, set: setWidth})
		}
	}
	return cols, nil
}

// mgrDefaultFormat is each entity's default field list (with -s for
// user and account).
var mgrDefaultFormat = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"user":        "User,DefaultAccount,AdminLevel",
		"user-s":      "User,DefaultAccount,AdminLevel,Cluster,Account,Partition,Share,Priority,MaxJobs,MaxNodes,MaxCPUs,MaxSubmit,MaxWall,MaxCPUMins,QOS,DefaultQOS",
		"account":     "Account,Description,Organization",
		"account-s":   "Account,Description,Organization,Cluster,ParentName,User,Share,Priority,GrpJobs,GrpNodes,GrpCPUs,GrpMem,GrpSubmit,GrpWall,GrpCPUMins,MaxJobs,MaxNodes,MaxCPUs,MaxSubmit,MaxWall,MaxCPUMins,QOS,DefaultQOS",
		"association": "Cluster,Account,User,Partition,Share,Priority,GrpJobs,GrpTRES,GrpSubmit,GrpWall,GrpTRESMins,MaxJobs,MaxTRES,MaxTRESPerNode,MaxSubmit,MaxWall,MaxTRESMins,QOS,DefaultQOS,GrpTRESRunMins",
		"cluster":     "Cluster,ControlHost,ControlPort,RPC,Share,GrpJobs,GrpTRES,GrpSubmit,MaxJobs,MaxTRES,MaxSubmit,MaxWall,QOS,DefaultQOS",
		"qos":         "Name,Priority,GraceTime,Preempt,PreemptExemptTime,PreemptMode,Flags%40,UsageThres,UsageFactor,GrpTRES,GrpTRESMins,GrpTRESRunMins,GrpJobs,GrpSubmit,GrpWall,MaxTRES,MaxTRESPerNode,MaxTRESMins,MaxWall,MaxTRESPU,MaxJobsPU,MaxSubmitPU,MaxTRESPA,MaxJobsPA,MaxSubmitPA,MinTRES",
	}
})
