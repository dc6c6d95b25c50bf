package compat

import (
	"strings"
	"sync"
)

// squeueLongNames maps the -O names (lower case) to the header of the
// column they select (headers are unique except where two names share a
// column, which the table resolves).
var squeueLongNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"account": "ACCOUNT", "jobid": "JOBID#A", "gres": "TRES_PER_NODE", "tres-per-node": "TRES_PER_NODE",
		"batchhost": "EXEC_HOST", "burstbuffer": "BURST_BUFFER", "burstbufferstate": "BURST_BUFFER_STATE",
		"cluster": "CLUSTER", "delayboot": "DELAY_BOOT", "mincpus": "MIN_CPUS", "numcpus": "CPUS",
		"mintmpdisk": "MIN_TMP_DISK", "numnodes": "NODES", "endtime": "END_TIME", "dependency": "DEPENDENCY",
		"feature": "FEATURES", "clusterfeature": "CLUSTER_FEATURES", "arrayjobid": "ARRAY_JOB_ID",
		"groupname": "GROUP#g", "groupid": "GROUP#G", "oversubscribe": "OVER_SUBSCRIBE", "shared": "OVER_SUBSCRIBE",
		"sockets": "SOCKETS_PER_NODE", "jobarrayid": "JOBID#i", "cores": "CORES_PER_SOCKET", "name": "NAME",
		"threads": "THREADS_PER_CORE", "admin_comment": "ADMIN_COMMENT", "system_comment": "SYSTEM_COMMENT",
		"comment": "COMMENT", "arraytaskid": "ARRAY_TASK_ID", "timelimit": "TIME_LIMIT", "timeleft": "TIME_LEFT",
		"minmemory": "MIN_MEMORY", "timeused": "TIME", "reqnodes": "REQ_NODES", "nodelist": "NODELIST",
		"command": "COMMAND", "contiguous": "CONTIGUOUS", "priority": "PRIORITY#p", "partition": "PARTITION",
		"qos": "QOS", "prioritylong": "PRIORITY#Q", "reason": "REASON", "reasonlist": "NODELIST(REASON)",
		"selectjobinfo": "#s", "starttime": "START_TIME", "lastschedeval": "LAST_SCHED_EVAL",
		"statecompact": "ST", "state": "STATE", "userid": "UID", "username": "USER", "reservation": "RESERVATION",
		"submittime": "SUBMIT_TIME", "pendingtime": "PENDING_TIME", "wckey": "WCKEY", "licenses": "LICENSES",
		"corespec": "CORE_SPEC", "nice": "NICE", "schednodes": "SCHEDNODES", "sct": "S:C:T", "workdir": "WORK_DIR",
		"accruetime": "ACCRUE_TIME", "allocnodes": "ALLOC_NODES", "allocsid": "ALLOC_SID", "associd": "ASSOC_ID",
		"batchflag": "BATCH_FLAG", "boardspernode": "BOARDS_PER_NODE", "cpuspertask": "CPUS_PER_TASK",
		"cpus-per-task": "CPUS_PER_TASK", "derivedec": "DERIVED_EC", "eligibletime": "ELIGIBLE_TIME",
		"exit_code": "EXIT_CODE", "origin": "ORIGIN", "originraw": "ORIGIN_RAW", "siblingsactive": "ACTIVE_SIBLINGS",
		"siblingsactiveraw": "ACTIVE_SIBLINGS_RAW", "siblingsviable": "VIABLE_SIBLINGS",
		"siblingsviableraw": "VIALBLE_SIBLINGS_RAW", "maxcpus": "MAX_CPUS", "maxnodes": "MAX_NODES",
		"network": "NETWORK", "ntpercore": "NTASKS_PER_CORE", "ntpernode": "NTASKS_PER_NODE",
		"ntpersocket": "NTASKS_PER_SOCKET", "ntperboard": "NTASKS_PER_BOARD", "preempttime": "PREEMPT_TIME",
		"profile": "PROFILE", "reboot": "REBOOT", "reqswitch": "REQ_SWITCH", "requeue": "REQUEUE",
		"resizetime": "RESIZE_TIME", "restartcnt": "RESTART_COUNT", "sperboard": "SOCKETS_PER_BOARD",
		"stderr": "STDERR", "stdin": "STDIN", "stdout": "STDOUT", "mintime": "TIME_MIN", "wait4switch": "WAIT4SWITCH",
		"cpus-per-tres": "CPUS_PER_TRES", "mem-per-tres": "MEM_PER_TRES", "tres": "TRES_ALLOC",
		"tres-alloc": "TRES_ALLOC", "tres-bind": "TRES_BIND", "tres-freq": "TRES_FREQ",
		"tres-per-job": "TRES_PER_JOB", "tres-per-socket": "TRES_PER_SOCKET", "tres-per-task": "TRES_PER_TASK",
		"mcslabel": "MCSLABEL", "deadline": "DEADLINE", "hetjobid": "HET_JOB_ID", "packjobid": "HET_JOB_ID",
		"hetjoboffset": "HET_JOB_OFFSET", "packjoboffset": "HET_JOB_OFFSET", "hetjobidset": "HET_JOB_ID_SET",
		"packjobidset": "HET_JOB_ID_SET", "container": "CONTAINER",
	}
})

// squeueColByLetter and squeueColByName index squeueFields.
var (
	squeueColByLetter [256]int
	squeueColByName   = map[string]int{}
)

func init() {
	for i := range squeueColByLetter {
		squeueColByLetter[i] = -1
	}
	byHeader := map[string]int{}
	for i, f := range squeueFields() {
		if f.letter != 0 {
			squeueColByLetter[f.letter] = i
			byHeader[f.header+"#"+string([]byte{f.letter})] = i
		}
		if _, dup := byHeader[f.header]; !dup {
			byHeader[f.header] = i
		}
	}
	for name, key := range squeueLongNames() {
		col, ok := byHeader[key]
		if !ok {
			panic("compat: squeue -O name " + name + " has no column " + key)
		}
		squeueColByName[name] = col
	}
}

// squeueLetter looks up a -o letter.
func squeueLetter(c byte) (int, bool) {
	i := squeueColByLetter[c]
	return i, i >= 0
}

// squeueLongName looks up a -O name as Slurm does: exact and
// case-insensitive, except that anything starting with "numtask" is the
// task count.
func squeueLongName(name string) (int, bool) {
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "numtask") {
		return squeueTasksCol(), true
	}
	i, ok := squeueColByName[lower]
	return i, ok
}

// squeueTasksCol is the column of -O numtasks.
var squeueTasksCol = sync.OnceValue(func() int {
	for i, f := range squeueFields() {
		if f.header == "TASKS" {
			return i
		}
	}
	return -1
})
