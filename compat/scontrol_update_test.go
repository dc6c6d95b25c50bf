package compat

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseScontrolUpdateJob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   string
		values map[string]string
		tl     *ScontrolTimeLimit
		job    string // the JobId= spec; "-" when no JobId was given
		reset  bool
	}{
		{"update jobid=42 timelimit=10 name=renamed partition=cloud",
			map[string]string{"TimeLimit": "10", "JobName": "renamed", "Partition": "cloud"}, &ScontrolTimeLimit{Minutes: 10}, "42", false},
		{"update jobid=42 TimeLimit=+5", map[string]string{"TimeLimit": "+5"}, &ScontrolTimeLimit{Op: "+", Minutes: 5}, "42", false},
		{"update jobid=42 timelimit=-1:30", map[string]string{"TimeLimit": "-1:30"}, &ScontrolTimeLimit{Op: "-", Minutes: 2}, "42", false},
		{"update jobid=42 timelimit+=5", map[string]string{"TimeLimit": "5"}, &ScontrolTimeLimit{Op: "+", Minutes: 5}, "42", false},
		{"update jobid=42 timelimit-=1-0", map[string]string{"TimeLimit": "1-0"}, &ScontrolTimeLimit{Op: "-", Minutes: 1440}, "42", false},
		{"update jobid=42 timel=UNLIMITED", map[string]string{"TimeLimit": "UNLIMITED"}, &ScontrolTimeLimit{Minutes: Infinite}, "42", false},
		{"update jobid=42 timelimit=0", map[string]string{"TimeLimit": "0"}, &ScontrolTimeLimit{Minutes: 0}, "42", false},
		{"update jobid 42 timelimit 7", map[string]string{"TimeLimit": "7"}, &ScontrolTimeLimit{Minutes: 7}, "42", false},
		{"update jobid=42 nice", map[string]string{"Nice": "100"}, nil, "42", false},
		{"update jobid=42 ni", map[string]string{"Nice": "100"}, nil, "42", false},
		{"update jobid=42 res", nil, nil, "42", true},
		{"update job=42 nice=-5 comment=x", map[string]string{"Nice": "-5", "Comment": "x"}, nil, "42", false},
		{"update jobid=42 admincomment+=x", map[string]string{"AdminComment": "+=x"}, nil, "42", false},
		{"update jobid=42 W=k Wo=/d Pr=5 Pre=f JobN=n Na=m", map[string]string{
			"WCKey": "k", "WorkDir": "/d", "Priority": "5", "Prefer": "f", "JobName": "m"}, nil, "42", false},
		{"update jobid=42 numtasks=2 reqprocs=3 numnodes=1-2 nodelist=vm shared=no starttime=now",
			map[string]string{"NumTasks": "3", "NumNodes": "1-2", "ReqNodeList": "vm", "OverSubscribe": "no",
				"EligibleTime": "now"}, nil, "42", false},
		{"update jobid=42 priority=4294967293 requeue=0 numcpus=1k mincpusnode=2 minmemorynode=100",
			map[string]string{"Priority": "4294967293", "Requeue": "0", "NumCPUs": "1k", "MinCPUsNode": "2",
				"MinMemoryNode": "100"}, nil, "42", false},
		{"update jobid=42 dependency=afterok:41 account=a qos=normal mailtype=BEGIN,END",
			map[string]string{"Dependency": "afterok:41", "Account": "a", "QOS": "normal", "MailType": "BEGIN,END"}, nil, "42", false},
		{"update jobname=x timelimit=5", map[string]string{"JobName": "x", "TimeLimit": "5"}, &ScontrolTimeLimit{Minutes: 5}, "-", false},
		{"update jobid=42,43 comment=x", map[string]string{"Comment": "x"}, nil, "42,43", false},
		{"update jobid= timelimit=5", map[string]string{"TimeLimit": "5"}, &ScontrolTimeLimit{Minutes: 5}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			r, err := ParseScontrolArgs(strings.Fields(tt.args), nil)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			u := r.Update
			if r.Command != ScontrolCmdUpdate || u == nil || u.Entity != "job" {
				t.Fatalf("got %+v", r)
			}
			want := tt.values
			if want == nil {
				want = map[string]string{}
			}
			if !reflect.DeepEqual(u.Values, want) {
				t.Errorf("values %v, want %v", u.Values, want)
			}
			if !reflect.DeepEqual(u.TimeLimit, tt.tl) {
				t.Errorf("time limit %+v, want %+v", u.TimeLimit, tt.tl)
			}
			switch {
			case tt.job == "-" && u.Job != nil:
				t.Errorf("job %+v, want none", u.Job)
			case tt.job != "-" && (u.Job == nil || u.Job.Arg != tt.job):
				t.Errorf("job %+v, want %q", u.Job, tt.job)
			}
			if u.ResetAccrueTime != tt.reset {
				t.Errorf("ResetAccrueTime %v", u.ResetAccrueTime)
			}
			if len(want) > 0 {
				checkScontrolJSON(t, r)
			}
		})
	}
}

func TestParseScontrolUpdateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, msg string }{
		{"update jobid=42 bogus=1", "Update of this parameter is not supported: bogus=1\nRequest aborted\n"},
		{"update jobid=42 time=10", "Update of this parameter is not supported: time=10\nRequest aborted\n"},
		{"update jobid=42 stderr=/tmp/x", "Update of this parameter is not supported: stderr=/tmp/x\nRequest aborted\n"},
		{"update jobid=42 =5", "Update of this parameter is not supported: =5\nRequest aborted\n"},
		{"update jobid=42 timelimit++=5", "Update of this parameter is not supported: timelimit++=5\nRequest aborted\n"},
		{"update jobid=42 timelimit=abc", "scontrol: error: Invalid TimeLimit value\n"},
		{"update jobid=42 timelimit=1:2:3:4", "scontrol: error: Invalid TimeLimit value\n"},
		{"update timelimit=+5 jobid=42", "scontrol: error: JobId must precede TimeLimit increment or decrement\n"},
		{"update jobid=42 timelimit-=+5", "scontrol: error: Invalid syntax, variations of +=- are not accepted.\n"},
		{"update jobid=42", "No changes specified\n"},
		{"update jobid=abc timelimit=5", "Invalid job id specified for job abc\n"},
		{"update jobid=42 timelimit", "Invalid input: timelimit\nRequest aborted\n"},
		{"update jobid=42 n", "Invalid input: n\nRequest aborted\n"},
		{"update jobid=42 ni 5", "Invalid input: 5\nRequest aborted\n"},
		{"update jobid=42 timelimit 5 bogus", "Invalid input: bogus\nRequest aborted\n"},
		{"update comment=x", "No valid entity in update command\n" +
			"Input line must include \"NodeName\", \"PartitionName\", \"Reservation\", \"JobId\", or \"SlurmctldDebug\"\n"},
		{"update name=x comment=y", "No valid entity in update command\n" +
			"Input line must include \"NodeName\", \"PartitionName\", \"Reservation\", \"JobId\", or \"SlurmctldDebug\"\n"},
		{"update jobid=1 partitionname=cloud", "Update of this parameter is not supported: partitionname=cloud\nRequest aborted\n"},
		{"update jobid=42 numcpus=0", "scontrol: error: Invalid NumCPUs value: 0\n"},
		{"update jobid=42 numcpus=2-1", "scontrol: error: Invalid NumCPUs value: 2-1\n"},
		{"update jobid=42 numcpus=abc", "scontrol: error: Invalid numeric value \"abc\" for NumCPUs.\n"},
		{"update jobid=42 numnodes=-1", "scontrol: error: Invalid numeric value \"-1\" for requested node count.\n"},
		{"update jobid=42 priority=-1", "scontrol: error: Invalid Priority value: -1\n"},
		{"update jobid=42 priority=4294967294", "scontrol: error: Invalid Priority value: 4294967294\n"},
		{"update jobid=42 priority=0x10", "scontrol: error: Invalid Priority value: 0x10\n"},
		{"update jobid=42 requeue=65534", "scontrol: error: Invalid Requeue value: 65534\n"},
		{"update jobid=42 cpuspertask=-1", "scontrol: error: Invalid CPUsPerTask value: -1\n"},
		{"update jobid=42 minmemorynode=1G", "scontrol: error: Invalid MinMemoryNode value: 1G\n"},
		{"update jobid=42 mintmpdisknode=x", "scontrol: error: Invalid MinTmpDiskNode value: x\n"},
		{"update jobid=42 timemin=abc", "scontrol: error: Invalid TimeMin value\n"},
		{"update jobid=42 delayboot=abc", "scontrol: error: Invalid DelayBoot value\n"},
		{"update jobid=42 arraytaskthrottle=-1", "scontrol: error: Invalid ArrayTaskThrottle value\n"},
		{"update jobid=42 nice=2147483646", "scontrol: error: Nice value out of range (+/- 2147483645). Value ignored\n"},
		{"update jobid=42 sitefactor=3000000000", "scontrol: error: SiteFactor value out of range (+/- 2147483645). Value ignored\n"},
		{"update jobid=42 oversubscribe=x", "scontrol: error: Invalid OverSubscribe value: x\n"},
		{"update jobid=42 contiguous=maybe", "scontrol: error: Invalid Contiguous value: maybe\n"},
		{"update jobid=42 corespec=x", "scontrol: error: Invalid CoreSpec value: x\n"},
		{"update jobid=42 reboot=x", "scontrol: error: Invalid reboot value: x\n"},
		{"update jobid=42 mailtype=bogus", "Invalid MailType: bogus\n"},
		{"update jobid=42 comment+=x", "scontrol: error: Option comment+=x does not accept [+|-]= syntax\n"},
		{"update jobid=42 nice+=abc", "scontrol: error: Option nice+=abc does not accept [+|-]= syntax\n"},
		{"update jobid=42 numcpus+=0", "scontrol: error: Invalid NumCPUs value: 0\n"},
		{"update jobid=42 admincomment-=x", "scontrol: error: Invalid syntax, AdminComment can not be subtracted from.\n"},
		{"update partitionname=cloud state=bogus", "scontrol: error: Invalid input: state=bogus\n" +
			"scontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE\nslurm_update error: No error\n"},
		{"update partitionname=cloud state=", "scontrol: error: Invalid input: state=\n" +
			"scontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE\nslurm_update error: No error\n"},
		{"update partitionname=cloud s=up", "scontrol: error: Update of this parameter is not supported: s=up\n\n" +
			"scontrol: error: Request aborted\nslurm_update error: No error\n"},
		{"update partitionname=cloud", "scontrol: error: No changes specified\n"},
		{"update partitionname=cloud state", "scontrol: error: Invalid input: state  Request aborted\nslurm_update error: No error\n"},
		{"update nodename=vm bogus=1", "Update of this parameter is not supported: bogus=1\nRequest aborted\n"},
		{"update nodename=vm", "No changes specified\n"},
		{"update nodename=vm state=d", "Invalid input: state=d\nRequest aborted\n" +
			"Valid states are: NoResp DRAIN FAIL FUTURE RESUME POWER_DOWN POWER_UP UNDRAIN\n" +
			"Not all states are valid given a node's prior state\n"},
		{"update nodename=vm state=fail", "You must specify a reason when DOWNING or DRAINING a node. Request denied\n"},
		{"update nodename=vm state=down reason=", "You must specify a reason when DOWNING or DRAINING a node. Request denied\n"},
		{"update nodename nosuch state=resume", "scontrol: error: Invalid input: nodename  Request aborted\nslurm_update error: No error\n"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			_, err := ParseScontrolArgs(strings.Fields(tt.args), nil)
			if err == nil {
				t.Fatal("expected an error")
			}
			msg, code := scontrolErrText(t, err)
			if msg != tt.msg || code != 1 {
				t.Errorf("got %q exit %d, want %q exit 1", msg, code, tt.msg)
			}
		})
	}
}

func TestParseScontrolUpdateNodePartition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args, entity, name string
		values             map[string]string
	}{
		{"update partitionname=cloud state=down", "partition", "cloud", map[string]string{"State": "DOWN"}},
		{"update part=cloud state=i", "partition", "cloud", map[string]string{"State": "INACTIVE"}},
		{"update PartitionName=cloud State=dr", "partition", "cloud", map[string]string{"State": "DRAIN"}},
		{"update partition=cloud st=u", "partition", "cloud", map[string]string{"State": "UP"}},
		{"update nodename=vm state=resume", "node", "vm", map[string]string{"State": "RESUME"}},
		{"update node=vm s=dow r=maintenance", "node", "vm", map[string]string{"State": "DOWN", "Reason": "maintenance"}},
		{"update nodename=n[1-2] state=dra reason=x", "node", "n[1-2]", map[string]string{"State": "DRAIN", "Reason": "x"}},
		{"update nodename=vm state=idl", "node", "vm", map[string]string{"State": "IDLE"}},
		{"update nodename=vm state=power_down_a", "node", "vm", map[string]string{"State": "POWER_DOWN_ASAP"}},
		{"update nodename=vm state=power_d", "node", "vm", map[string]string{"State": "POWER_DOWN"}},
		{"update nodename=vm state=und", "node", "vm", map[string]string{"State": "UNDRAIN"}},
		{"update nodename=vm reason=", "node", "vm", map[string]string{"Reason": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			r, err := ParseScontrolArgs(strings.Fields(tt.args), nil)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			u := r.Update
			if u.Entity != tt.entity || u.Name != tt.name || !reflect.DeepEqual(u.Values, tt.values) {
				t.Errorf("got %+v, want %s %q %v", u, tt.entity, tt.name, tt.values)
			}
			checkScontrolJSON(t, r)
		})
	}
}

func TestScontrolJobKeysOrder(t *testing.T) {
	t.Parallel()
	// A prefix belongs to the first key of Slurm's chain it abbreviates.
	for prefix, want := range map[string]string{
		"Job": "JobId", "JobN": "JobName", "Name": "JobName", "A": "Account", "Ac": "Account",
		"D": "Dependency", "Dea": "Deadline", "Del": "", "DelayB": "DelayBoot", "St": "EligibleTime",
		"StdOut": "StdOut", "Ta": "TasksPerNode", "Tim": "", "TimeL": "TimeLimit", "TimeM": "TimeMin",
		"Requ": "Requeue", "Req": "", "Res": "ReservationName", "CPUsPerT": "", "CPUsPerTa": "CPUsPerTask",
		"CpusPerTr": "CpusPerTres", "Co": "", "Com": "Comment", "Con": "Contiguous", "wait-": "wait-for-switch",
		"F": "Features", "G": "", "Gr": "Gres", "E": "", "El": "EligibleTime", "Ex": "", "Exc": "ExcNodeList",
		"En": "EndTime", "MinC": "MinCPUsNode", "MinMemoryN": "MinMemoryNode", "MinMemoryC": "MinMemoryCPU",
		"NumC": "", "NumCPU": "NumCPUs", "NodeList": "ReqNodeList", "P": "", "Pa": "Partition",
		"Admin": "", "AdminC": "AdminComment", "Clusters": "Clusters", "Cluster": "", "U": "", "Use": "UserID",
	} {
		got := ""
		if k := matchJobKey(prefix); k != nil {
			got = k.name
		}
		if got != want {
			t.Errorf("matchJobKey(%q) = %q, want %q", prefix, got, want)
		}
	}
	if len(ScontrolJobKeys()) != len(scontrolJobKeys()) || ScontrolJobKeys()[0] != "JobId" {
		t.Errorf("ScontrolJobKeys() = %v", ScontrolJobKeys())
	}
}
