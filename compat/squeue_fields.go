package compat

import (
	"strconv"
	"sync"
	"time"
)

// squeueRow is one line of squeue output: a job, or one task of a
// pending array shown on its own (squeue -r, or -j 45_2).
type squeueRow struct {
	j    *Job
	task int64 // the task shown, or -1 to show the job as it is
	now  time.Time
	loc  *time.Location
}

// squeueField is one squeue column: its %-letter (0 for -O-only fields),
// its header, and how to print its value. value returns whether a
// right-justified value longer than the width is cut (Slurm does not cut
// node lists and durations).
type squeueField struct {
	letter byte
	header string
	value  func(b []byte, r *squeueRow) ([]byte, bool)
}

// constField returns a value function printing s.
func constField(s string) func([]byte, *squeueRow) ([]byte, bool) {
	return func(b []byte, _ *squeueRow) ([]byte, bool) { return append(b, s...), true }
}

// strField returns a value function printing get(job), or def when empty.
func strField(get func(*Job) string, def string) func([]byte, *squeueRow) ([]byte, bool) {
	return func(b []byte, r *squeueRow) ([]byte, bool) {
		if s := get(r.j); s != "" {
			return append(b, s...), true
		}
		return append(b, def...), true
	}
}

// intField returns a value function printing get(job) in decimal.
func intField(get func(*Job) int64) func([]byte, *squeueRow) ([]byte, bool) {
	return func(b []byte, r *squeueRow) ([]byte, bool) { return appendInt(b, get(r.j)), true }
}

// timeField returns a value function printing a timestamp, "N/A" when zero.
func timeField(get func(*squeueRow) time.Time) func([]byte, *squeueRow) ([]byte, bool) {
	return func(b []byte, r *squeueRow) ([]byte, bool) {
		t := get(r)
		if t.IsZero() {
			return append(b, "N/A"...), true
		}
		return appendTimestamp(b, t, r.loc), true
	}
}

// squeueFields is the table of squeue columns. Entries with a letter are
// reachable with -o; the -O names are in squeueLongNames.
var squeueFields = sync.OnceValue(func() []squeueField {
	return []squeueField{
		{'a', "ACCOUNT", strField(func(j *Job) string { return j.Account }, "(null)")},
		{'b', "TRES_PER_NODE", strField(func(j *Job) string { return j.TRESPerNode }, "N/A")},
		{'c', "MIN_CPUS", intField(func(j *Job) int64 { return int64(max(j.CPUsPerTask, 1)) })},
		{'d', "MIN_TMP_DISK", constField("0")},
		{'e', "END_TIME", squeueEndTime},
		{'f', "FEATURES", constField("(null)")},
		{'g', "GROUP", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.Group != "" {
				return append(b, r.j.Group...), true
			}
			return appendUint(b, uint64(r.j.GID)), true
		}},
		{'h', "OVER_SUBSCRIBE", constField("OK")},
		{'i', "JOBID", func(b []byte, r *squeueRow) ([]byte, bool) { return appendSqueueJobID(b, r), true }},
		{'j', "NAME", strField(func(j *Job) string { return j.Name }, "")},
		{'k', "COMMENT", strField(func(j *Job) string { return j.Comment }, "(null)")},
		{'l', "TIME_LIMIT", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.TimeLimit == Infinite {
				return append(b, "UNLIMITED"...), true
			}
			return appendClock(b, r.j.TimeLimit*secondsPerMinute, true), false
		}},
		{'m', "MIN_MEMORY", func(b []byte, r *squeueRow) ([]byte, bool) {
			return appendMemMB(b, r.j.MinMemoryMB), true
		}},
		{'n', "REQ_NODES", constField("")},
		{'o', "COMMAND", strField(func(j *Job) string { return j.Command }, "(null)")},
		{'p', "PRIORITY", func(b []byte, r *squeueRow) ([]byte, bool) {
			return strconv.AppendFloat(b, float64(r.j.Priority)/4294967295.0, 'f', 14, 64), true
		}},
		{'q', "QOS", strField(func(j *Job) string { return j.QOS }, "(null)")},
		{'r', "REASON", strField(func(j *Job) string { return j.Reason }, reasonNone)},
		{'s', "", constField("")},
		{'t', "ST", func(b []byte, r *squeueRow) ([]byte, bool) { return append(b, StateCode(r.j.State)...), true }},
		{'u', "USER", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.User != "" {
				return append(b, r.j.User...), true
			}
			return appendUint(b, uint64(r.j.UID)), true
		}},
		{'v', "RESERVATION", constField("(null)")},
		{'w', "WCKEY", constField("(null)")},
		{'x', "EXC_NODES", constField("")},
		{'y', "NICE", intField(func(j *Job) int64 { return int64(j.Nice) })},
		{'z', "S:C:T", constField("*:*:*")},
		{'A', "JOBID", intField(func(j *Job) int64 { return int64(j.JobID) })},
		{'B', "EXEC_HOST", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.NodeList == "" {
				return append(b, "n/a"...), true
			}
			return append(b, firstNode(r.j.NodeList)...), true
		}},
		{'C', "CPUS", intField(func(j *Job) int64 { return int64(j.NumCPUs) })},
		{'D', "NODES", intField(func(j *Job) int64 { return int64(j.NumNodes) })},
		{'E', "DEPENDENCY", strField(func(j *Job) string { return j.Dependency }, "(null)")},
		{'F', "ARRAY_JOB_ID", func(b []byte, r *squeueRow) ([]byte, bool) {
			return appendUint(b, uint64(arrayMaster(r.j))), true
		}},
		{'G', "GROUP", intField(func(j *Job) int64 { return int64(j.GID) })},
		{'H', "SOCKETS_PER_NODE", constField("*")},
		{'I', "CORES_PER_SOCKET", constField("*")},
		{'J', "THREADS_PER_CORE", constField("*")},
		{'K', "ARRAY_TASK_ID", func(b []byte, r *squeueRow) ([]byte, bool) {
			switch {
			case r.task >= 0:
				return appendInt(b, r.task), true
			case r.j.ArrayTasks != "":
				return append(b, r.j.ArrayTasks...), true
			case r.j.ArrayTaskID >= 0:
				return appendInt(b, r.j.ArrayTaskID), true
			}
			return append(b, "N/A"...), true
		}},
		{'L', "TIME_LEFT", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.TimeLimit == Infinite {
				return append(b, "UNLIMITED"...), true
			}
			return appendClock(b, r.j.TimeLimit*secondsPerMinute-squeueTimeUsed(r), true), false
		}},
		{'M', "TIME", func(b []byte, r *squeueRow) ([]byte, bool) {
			return appendClock(b, squeueTimeUsed(r), true), false
		}},
		{'N', "NODELIST", func(b []byte, r *squeueRow) ([]byte, bool) { return append(b, r.j.NodeList...), false }},
		{'O', "CONTIGUOUS", constField("0")},
		{'P', "PARTITION", strField(func(j *Job) string { return j.Partition }, "(null)")},
		{'Q', "PRIORITY", intField(func(j *Job) int64 { return int64(j.Priority) })},
		{'R', "NODELIST(REASON)", squeueReasonList},
		{'S', "START_TIME", timeField(func(r *squeueRow) time.Time { return effectiveStart(r.j) })},
		{'T', "STATE", strField(func(j *Job) string { return j.State }, "")},
		{'U', "UID", intField(func(j *Job) int64 { return int64(j.UID) })},
		{'V', "SUBMIT_TIME", timeField(func(r *squeueRow) time.Time { return r.j.SubmitTime })},
		{'W', "LICENSES", constField("(null)")},
		{'X', "CORE_SPEC", constField("N/A")},
		{'Y', "SCHEDNODES", func(b []byte, r *squeueRow) ([]byte, bool) {
			if r.j.SchedNode == "" {
				return append(b, "(null)"...), false
			}
			return append(b, r.j.SchedNode...), false
		}},
		{'Z', "WORK_DIR", strField(func(j *Job) string { return j.WorkDir }, "(null)")},

		// Fields only -O reaches.
		{0, "CLUSTER", strField(func(j *Job) string { return j.Cluster }, "(null)")},
		{0, "TASKS", intField(func(j *Job) int64 { return int64(max(j.NumTasks, 1)) })},
		{0, "CPUS_PER_TASK", intField(func(j *Job) int64 { return int64(max(j.CPUsPerTask, 1)) })},
		{0, "ELIGIBLE_TIME", timeField(func(r *squeueRow) time.Time { return r.j.EligibleTime })},
		{0, "ACCRUE_TIME", timeField(func(r *squeueRow) time.Time { return r.j.EligibleTime })},
		{0, "STDOUT", strField(func(j *Job) string { return j.StdOut }, "(null)")},
		{0, "STDERR", strField(func(j *Job) string {
			if j.StdErr != "" {
				return j.StdErr
			}
			return j.StdOut
		}, "(null)")},
		{0, "STDIN", strField(func(j *Job) string { return j.StdIn }, "/dev/null")},
		{0, "EXIT_CODE", intField(func(j *Job) int64 { return int64(j.ExitCode) })},
		{0, "RESTART_COUNT", intField(func(j *Job) int64 { return int64(j.Restarts) })},
		{0, "TRES_ALLOC", func(b []byte, r *squeueRow) ([]byte, bool) { return appendTRES(b, r.j, true), true }},
		{0, "PENDING_TIME", func(b []byte, r *squeueRow) ([]byte, bool) {
			start := r.j.StartTime
			if r.j.State == "PENDING" || start.IsZero() {
				start = r.now
			}
			return appendInt(b, max(0, int64(start.Sub(r.j.SubmitTime)/time.Second))), true
		}},
		{0, "LAST_SCHED_EVAL", timeField(func(r *squeueRow) time.Time { return r.j.SubmitTime })},
		{0, "ALLOC_NODES", strField(func(j *Job) string { return j.SubmitHost }, "(null)")},
		{0, "MAX_CPUS", intField(func(j *Job) int64 { return int64(j.NumCPUs) })},
		{0, "MAX_NODES", intField(func(j *Job) int64 { return int64(j.NumNodes) })},
		{0, "BATCH_FLAG", constField("1")},
		{0, "REQUEUE", constField("1")},
		{0, "DELAY_BOOT", constField("0:00")},
		{0, "TIME_MIN", constField("0:00")},
		{0, "WAIT4SWITCH", constField("0:00")},
		{0, "ALLOC_SID", constField("0")},
		{0, "ASSOC_ID", constField("0")},
		{0, "BOARDS_PER_NODE", constField("0")},
		{0, "DERIVED_EC", constField("0")},
		{0, "NTASKS_PER_NODE", constField("0")},
		{0, "NTASKS_PER_BOARD", constField("0")},
		{0, "SOCKETS_PER_BOARD", constField("0")},
		{0, "REBOOT", constField("0")},
		{0, "REQ_SWITCH", constField("0")},
		{0, "NTASKS_PER_CORE", constField("N/A")},
		{0, "NTASKS_PER_SOCKET", constField("N/A")},
		{0, "PREEMPT_TIME", constField("N/A")},
		{0, "RESIZE_TIME", constField("N/A")},
		{0, "DEADLINE", constField("N/A")},
		{0, "CPUS_PER_TRES", strField(func(j *Job) string { return j.GRES.CPUsPerTRES }, "N/A")},
		{0, "MEM_PER_TRES", strField(func(j *Job) string { return j.GRES.MemPerTRES }, "N/A")},
		{0, "TRES_BIND", constField("N/A")},
		{0, "TRES_FREQ", constField("N/A")},
		{0, "TRES_PER_JOB", strField(func(j *Job) string { return j.GRES.PerJob }, "N/A")},
		{0, "TRES_PER_SOCKET", strField(func(j *Job) string { return j.GRES.PerSocket }, "N/A")},
		{0, "TRES_PER_TASK", strField(func(j *Job) string { return j.GRES.PerTask }, "N/A")},
		{0, "HET_JOB_ID", constField("N/A")},
		{0, "HET_JOB_OFFSET", constField("N/A")},
		{0, "HET_JOB_ID_SET", constField("N/A")},
		{0, "ORIGIN", constField("NA")},
		{0, "ORIGIN_RAW", constField("NA")},
		{0, "ACTIVE_SIBLINGS", constField("NA")},
		{0, "ACTIVE_SIBLINGS_RAW", constField("NA")},
		{0, "VIABLE_SIBLINGS", constField("NA")},
		{0, "VIALBLE_SIBLINGS_RAW", constField("NA")},
		{0, "PROFILE", constField("NotSet")},
		{0, "BURST_BUFFER", constField("(null)")},
		{0, "BURST_BUFFER_STATE", constField("(null)")},
		{0, "CLUSTER_FEATURES", constField("(null)")},
		{0, "ADMIN_COMMENT", constField("(null)")},
		{0, "SYSTEM_COMMENT", constField("(null)")},
		{0, "NETWORK", constField("(null)")},
		{0, "MCSLABEL", constField("(null)")},
		{0, "CONTAINER", constField("(null)")},
	}
})
