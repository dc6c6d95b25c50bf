package compat

import (
	"sync"
	"time"
)

// sacctKind is how sacct prints a field: strings are cut with a '+',
// numbers and durations are never cut, dates come from a fixed buffer.
type sacctKind int

const (
	sacctStr sacctKind = iota
	sacctNum
	sacctDate
)

// sacctRow is one sacct line: a job, or one of its steps.
type sacctRow struct {
	j    *Job
	step *Step // nil for the job's own line
	now  time.Time
	loc  *time.Location
}

// sacctField is one sacct field: its --helpformat name, default width
// (negative: left-justified) and value. value reports false when Slurm has
// nothing to print (NULL or NO_VAL), which prints as blank.
type sacctField struct {
	name  string
	width int
	kind  sacctKind
	value func(b []byte, r *sacctRow) ([]byte, bool)
}

// sacctNone is the value of fields Sky Port has no data for.
func sacctNone(b []byte, _ *sacctRow) ([]byte, bool) { return b, false }

// jobOnly wraps a job-row value; step rows print nothing.
func jobOnly(f func(b []byte, r *sacctRow) ([]byte, bool)) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		if r.step != nil {
			return b, false
		}
		return f(b, r)
	}
}

// jobStr returns a job-row string value; empty strings print as blank.
func jobStr(get func(*Job) string) func([]byte, *sacctRow) ([]byte, bool) {
	return jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
		s := get(r.j)
		return append(b, s...), s != ""
	})
}

// bothStr returns a string value printed on job and step rows.
func bothStr(get func(*Job) string) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		s := get(r.j)
		return append(b, s...), s != ""
	}
}

// perRow returns a constant for job rows and another for step rows.
func perRow(job, step string) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		if r.step != nil {
			return append(b, step...), true
		}
		return append(b, job...), true
	}
}

// numValue returns a value printing get(row) in decimal.
func numValue(get func(*sacctRow) int64) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) { return appendInt(b, get(r)), true }
}

// durValue returns a value printing get(row) seconds as HH:MM:SS.
func durValue(get func(*sacctRow) int64) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) { return appendLongClock(b, get(r)), true }
}

// dateValue returns a value printing a timestamp ("Unknown" when zero).
func dateValue(get func(*sacctRow) time.Time) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		t := get(r)
		if t.IsZero() {
			return append(b, "Unknown"...), true
		}
		return appendTimestamp(b, t, r.loc), true
	}
}

// stepUsage returns a value computed from a finished step's usage; job
// rows and running steps print nothing (Slurm has no usage for them yet).
func stepUsage(f func(b []byte, s *Step, r *sacctRow) []byte) func([]byte, *sacctRow) ([]byte, bool) {
	return func(b []byte, r *sacctRow) ([]byte, bool) {
		if r.step == nil || !stepFinished(r.step) {
			return b, false
		}
		return f(b, r.step, r), true
	}
}

// sacctFields lists every field of sacct 22.05 in --helpformat order, with
// the default widths measured on the reference machine.
var sacctFields = sync.OnceValue(func() []sacctField {
	return []sacctField{
		{"Account", 10, sacctStr, bothStr(func(j *Job) string { return j.Account })},
		{"AdminComment", 15, sacctStr, sacctNone},
		{"AllocCPUS", 10, sacctNum, numValue(rowCPUs)},
		{"AllocNodes", 10, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			switch {
			case r.step != nil:
				return append(b, '1'), true
			case r.j.NodeList == "":
				return append(b, '0'), true
			}
			return appendInt(b, int64(max(r.j.NumNodes, 1))), true
		}},
		{"AllocTRES", 10, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.step != nil {
				if r.step == r.j.Batch {
					return appendBatchTRES(b, rowCPUs(r), r.j), true
				}
				b = append(b, "cpu="...)
				b = appendInt(b, rowCPUs(r))
				b = append(b, ",mem="...)
				b = appendMemMB(b, jobMemTotalMB(r.j))
				b = append(b, ",node=1"...)
				return b, true
			}
			if r.j.NodeList == "" {
				return b, false
			}
			return appendTRES(b, r.j, false), true
		}},
		{"AssocID", 7, sacctNum, sacctNone},
		{"AveCPU", 10, sacctStr, stepUsage(func(b []byte, s *Step, _ *sacctRow) []byte {
			return appendCPUTime(b, s.TotalCPU.Truncate(time.Second))
		})},
		{"AveCPUFreq", 10, sacctStr, sacctNone},
		{"AveDiskRead", 14, sacctStr, sacctNone},
		{"AveDiskWrite", 14, sacctStr, sacctNone},
		{"AvePages", 10, sacctStr, sacctNone},
		{"AveRSS", 10, sacctStr, stepUsage(func(b []byte, s *Step, _ *sacctRow) []byte { return appendUnits(b, s.MaxRSSKB, 1) })},
		{"AveVMSize", 10, sacctStr, sacctNone},
		{"BlockID", 16, sacctStr, sacctNone},
		{"Cluster", 10, sacctStr, bothStr(func(j *Job) string { return j.Cluster })},
		{"Comment", 14, sacctStr, sacctNone},
		{"Constraints", 19, sacctStr, sacctNone},
		{"ConsumedEnergy", 14, sacctStr, sacctNone},
		{"ConsumedEnergyRaw", 17, sacctNum, sacctNone},
		{"Container", 19, sacctStr, sacctNone},
		{"CPUTime", 10, sacctNum, durValue(func(r *sacctRow) int64 { return rowElapsed(r) * rowCPUs(r) })},
		{"CPUTimeRAW", 10, sacctNum, numValue(func(r *sacctRow) int64 { return rowElapsed(r) * rowCPUs(r) })},
		{"DBIndex", -10, sacctNum, sacctNone},
		{"DerivedExitCode", 15, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			code, sig := derivedExitCode(r.j)
			b = appendInt(b, int64(code))
			b = append(b, ':')
			return appendInt(b, int64(sig)), true
		})},
		{"Elapsed", 10, sacctNum, durValue(rowElapsed)},
		{"ElapsedRaw", 10, sacctNum, numValue(rowElapsed)},
		{"Eligible", 19, sacctDate, dateValue(func(r *sacctRow) time.Time {
			if r.step != nil {
				return r.step.Start
			}
			return r.j.EligibleTime
		})},
		{"End", 19, sacctDate, dateValue(func(r *sacctRow) time.Time {
			if r.step != nil && !r.step.End.IsZero() {
				return r.step.End
			}
			return r.j.EndTime
		})},
		{"ExitCode", 8, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			code, sig := r.j.ExitCode, r.j.ExitSignal
			if r.step != nil {
				code, sig = r.step.ExitCode, r.step.Signal
			}
			// slurmdbd keeps the wait status in 15 bits: an exit code above
			// 127 loses its top bit (exit 143 reads 15:0, exit 200 72:0).
			b = appendInt(b, int64(code&0x7f))
			b = append(b, ':')
			return appendInt(b, int64(sig)), true
		}},
		{"Flags", 19, sacctStr, sacctNone},
		{"GID", 6, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) { return appendUint(b, uint64(r.j.GID)), true })},
		{"Group", 9, sacctStr, jobStr(func(j *Job) string { return j.Group })},
		{"JobID", -12, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) { return appendSacctJobID(b, r, false), true }},
		{"JobIDRaw", -12, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) { return appendSacctJobID(b, r, true), true }},
		{"JobName", 10, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.step != nil {
				return append(b, r.step.Name...), true
			}
			return append(b, r.j.Name...), r.j.Name != ""
		}},
		{"Layout", 9, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			switch {
			case r.step == nil:
				return b, false
			case r.step.Layout != "":
				return append(b, r.step.Layout...), true
			}
			return append(b, "Unknown"...), true
		}},
		{"MaxDiskRead", 12, sacctStr, sacctNone},
		{"MaxDiskReadNode", 15, sacctStr, sacctNone},
		{"MaxDiskReadTask", 15, sacctNum, sacctNone},
		{"MaxDiskWrite", 12, sacctStr, sacctNone},
		{"MaxDiskWriteNode", 16, sacctStr, sacctNone},
		{"MaxDiskWriteTask", 16, sacctNum, sacctNone},
		{"MaxPages", 8, sacctStr, sacctNone},
		{"MaxPagesNode", 12, sacctStr, sacctNone},
		{"MaxPagesTask", 14, sacctNum, sacctNone},
		{"MaxRSS", 10, sacctStr, stepUsage(func(b []byte, s *Step, _ *sacctRow) []byte { return appendUnits(b, s.MaxRSSKB, 1) })},
		{"MaxRSSNode", 10, sacctStr, stepUsage(func(b []byte, _ *Step, r *sacctRow) []byte { return append(b, firstNode(rowNodeList(r))...) })},
		{"MaxRSSTask", 10, sacctNum, stepUsage(func(b []byte, _ *Step, _ *sacctRow) []byte { return append(b, '0') })},
		{"MaxVMSize", 10, sacctStr, sacctNone},
		{"MaxVMSizeNode", 14, sacctStr, sacctNone},
		{"MaxVMSizeTask", 14, sacctNum, sacctNone},
		{"McsLabel", 12, sacctStr, sacctNone},
		{"MinCPU", 10, sacctStr, stepUsage(func(b []byte, s *Step, _ *sacctRow) []byte {
			return appendCPUTime(b, s.TotalCPU.Truncate(time.Second))
		})},
		{"MinCPUNode", 10, sacctStr, stepUsage(func(b []byte, _ *Step, r *sacctRow) []byte { return append(b, firstNode(rowNodeList(r))...) })},
		{"MinCPUTask", 10, sacctNum, stepUsage(func(b []byte, _ *Step, _ *sacctRow) []byte { return append(b, '0') })},
		{"NCPUS", 10, sacctNum, numValue(rowCPUs)},
		{"NNodes", 8, sacctNum, numValue(func(r *sacctRow) int64 {
			if r.step != nil {
				return 1
			}
			return int64(max(r.j.NumNodes, 1))
		})},
		{"NodeList", 15, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			if nl := rowNodeList(r); nl != "" {
				return append(b, nl...), true
			}
			return append(b, "None assigned"...), true
		}},
		{"NTasks", 8, sacctNum, func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.step == nil {
				return b, false
			}
			return appendInt(b, int64(max(r.step.NumTasks, 1))), true
		}},
		{"Partition", 10, sacctStr, jobStr(func(j *Job) string { return j.Partition })},
		{"Priority", 10, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) { return appendUint(b, uint64(r.j.Priority)), true })},
		{"QOS", 10, sacctStr, jobStr(func(j *Job) string { return j.QOS })},
		{"QOSRAW", 6, sacctNum, sacctNone},
		{"Reason", 22, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			if jobFinished(r.j.State) || r.j.Reason == "" {
				return append(b, reasonNone...), true
			}
			return append(b, r.j.Reason...), true
		})},
		{"ReqCPUFreq", 10, sacctStr, perRow("Unknown", "0")},
		{"ReqCPUFreqGov", 13, sacctStr, perRow("Unknown", "0")},
		{"ReqCPUFreqMax", 13, sacctStr, perRow("Unknown", "0")},
		{"ReqCPUFreqMin", 13, sacctStr, perRow("Unknown", "0")},
		{"ReqCPUS", 8, sacctNum, numValue(rowCPUs)},
		{"ReqMem", 10, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			return appendMemMB(b, jobMemTotalMB(r.j)), true
		})},
		{"ReqNodes", 8, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.step != nil {
				return append(b, '1'), true
			}
			return appendInt(b, int64(max(r.j.NumNodes, 1))), true
		}},
		{"ReqTRES", 10, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) { return appendReqTRES(b, r.j), true })},
		{"Reservation", 20, sacctStr, sacctNone},
		{"ReservationId", 8, sacctNum, sacctNone},
		{"Reserved", 10, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) { return appendLongClock(b, jobReserved(r)), true })},
		{"ResvCPU", 10, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			return appendLongClock(b, jobReserved(r)*rowCPUs(r)), true
		})},
		{"ResvCPURAW", 10, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			return appendInt(b, jobReserved(r)*rowCPUs(r)), true
		})},
		{"Start", 19, sacctDate, dateValue(func(r *sacctRow) time.Time {
			if r.step != nil {
				return r.step.Start
			}
			return effectiveStart(r.j)
		})},
		{"State", 10, sacctStr, func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.step != nil {
				b = append(b, r.step.State...)
				if r.step.State == "CANCELLED" && r.step.ByUser {
					b = append(b, " by "...)
					b = appendUint(b, uint64(r.step.CancelledBy))
				}
				return b, true
			}
			b = append(b, r.j.State...)
			if r.j.State == "CANCELLED" {
				b = append(b, " by "...)
				b = appendUint(b, uint64(r.j.CancelledBy))
			}
			return b, true
		}},
		{"Submit", 19, sacctDate, dateValue(func(r *sacctRow) time.Time {
			if r.step != nil {
				return r.step.Start
			}
			return r.j.SubmitTime
		})},
		{"SubmitLine", 20, sacctStr, jobStr(func(j *Job) string { return j.SubmitLine })},
		{"Suspended", 10, sacctNum, durValue(func(*sacctRow) int64 { return 0 })},
		{"SystemComment", 15, sacctStr, sacctNone},
		{"SystemCPU", 10, sacctStr, cpuValue(func(s *Step) time.Duration { return s.SystemCPU })},
		{"Timelimit", 10, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			switch {
			case r.j.TimeLimit == Infinite && r.j.NodeList == "" && r.j.Batch == nil:
				return append(b, "Partition_Limit"...), true
			case r.j.TimeLimit == Infinite:
				return append(b, "UNLIMITED"...), true
			}
			return appendLongClock(b, r.j.TimeLimit*secondsPerMinute), true
		})},
		{"TimelimitRaw", 10, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			switch {
			case r.j.TimeLimit == Infinite && r.j.NodeList == "" && r.j.Batch == nil:
				return append(b, "Partition_Limit"...), true
			case r.j.TimeLimit == Infinite:
				return append(b, "UNLIMITED"...), true
			}
			return appendInt(b, r.j.TimeLimit), true
		})},
		{"TotalCPU", 10, sacctStr, cpuValue(func(s *Step) time.Duration { return s.TotalCPU })},
		{"TRESUsageInAve", 14, sacctStr, sacctNone},
		{"TRESUsageInMax", 14, sacctStr, sacctNone},
		{"TRESUsageInMaxNode", 18, sacctStr, sacctNone},
		{"TRESUsageInMaxTask", 18, sacctStr, sacctNone},
		{"TRESUsageInMin", 14, sacctStr, sacctNone},
		{"TRESUsageInMinNode", 18, sacctStr, sacctNone},
		{"TRESUsageInMinTask", 18, sacctStr, sacctNone},
		{"TRESUsageInTot", 14, sacctStr, sacctNone},
		{"TRESUsageOutAve", 15, sacctStr, sacctNone},
		{"TRESUsageOutMax", 15, sacctStr, sacctNone},
		{"TRESUsageOutMaxNode", 19, sacctStr, sacctNone},
		{"TRESUsageOutMaxTask", 19, sacctStr, sacctNone},
		{"TRESUsageOutMin", 15, sacctStr, sacctNone},
		{"TRESUsageOutMinNode", 19, sacctStr, sacctNone},
		{"TRESUsageOutMinTask", 19, sacctStr, sacctNone},
		{"TRESUsageOutTot", 15, sacctStr, sacctNone},
		{"UID", 6, sacctNum, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) { return appendUint(b, uint64(r.j.UID)), true })},
		{"User", 9, sacctStr, jobStr(func(j *Job) string { return j.User })},
		{"UserCPU", 10, sacctStr, cpuValue(func(s *Step) time.Duration { return s.UserCPU })},
		{"WCKey", 10, sacctStr, sacctNone},
		{"WCKeyID", 10, sacctNum, sacctNone},
		{"WorkDir", 20, sacctStr, jobStr(func(j *Job) string { return j.WorkDir })},
	}
})

// sacctExtFields are Sky Port's own sacct fields, after Slurm's in the
// lookup order (a prefix that names a Slurm field keeps naming it) and
// left out of --helpformat and ALL, which stay Slurm's:
//
//	Cost  what the job's runs cost on a paid gate (the Azure gate), in
//	      the gate's currency with six decimals; empty elsewhere.
var sacctExtFields = sync.OnceValue(func() []sacctField {
	return []sacctField{
		{"Cost", 10, sacctStr, jobOnly(func(b []byte, r *sacctRow) ([]byte, bool) {
			if r.j.CostCurrency == "" {
				return b, false
			}
			return appendMicros(b, r.j.CostMicros), true
		})},
	}
})

// sacctFieldAt returns the field of a lookup index: sacctFields first,
// then sacctExtFields.
func sacctFieldAt(i int) *sacctField {
	if i < len(sacctFields()) {
		return &sacctFields()[i]
	}
	return &sacctExtFields()[i-len(sacctFields())]
}

// sacctFieldIndex maps canonical field names to lookup indexes.
var sacctFieldIndex = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(sacctFields())+len(sacctExtFields()))
	for i, f := range sacctFields() {
		m[f.name] = i
	}
	for i, f := range sacctExtFields() {
		m[f.name] = len(sacctFields()) + i
	}
	return m
})

// appendMicros appends an amount given in millionths with six decimals.
func appendMicros(b []byte, micros int64) []byte {
	if micros < 0 {
		b = append(b, '-')
		micros = -micros
	}
	b = appendInt(b, micros/1e6)
	b = append(b, '.')
	frac := micros % 1e6
	for d := int64(1e5); d > 0; d /= 10 {
		b = append(b, byte('0'+frac/d%10))
	}
	return b
}
