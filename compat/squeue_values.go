package compat

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// arrayMaster returns the array master id of j (its own id when j is not
// part of an array).
func arrayMaster(j *Job) uint32 {
	if j.ArrayJobID != 0 {
		return j.ArrayJobID
	}
	return j.JobID
}

// appendSqueueJobID appends %i: "45_[0-5%2]" for a pending array, "45_2"
// for a task, the plain id otherwise.
func appendSqueueJobID(b []byte, r *squeueRow) []byte {
	j := r.j
	switch {
	case r.task >= 0:
		b = appendUint(b, uint64(arrayMaster(j)))
		b = append(b, '_')
		return appendInt(b, r.task)
	case j.ArrayTasks != "":
		b = appendUint(b, uint64(arrayMaster(j)))
		b = append(b, "_["...)
		b = append(b, j.ArrayTasks...)
		return append(b, ']')
	case j.ArrayTaskID >= 0:
		b = appendUint(b, uint64(arrayMaster(j)))
		b = append(b, '_')
		return appendInt(b, j.ArrayTaskID)
	}
	return appendUint(b, uint64(j.JobID))
}

// effectiveStart is the start time Slurm reports: the real (or, while
// pending, the expected) start, and for a job that ended without starting
// (cancelled while pending) its end time.
func effectiveStart(j *Job) time.Time {
	if !j.StartTime.IsZero() {
		return j.StartTime
	}
	if jobFinished(j.State) {
		return j.EndTime
	}
	return time.Time{}
}

// squeueTimeUsed is %M in seconds: 0 while pending, now-start while
// running, end-start once finished.
func squeueTimeUsed(r *squeueRow) int64 {
	j := r.j
	if j.State == "PENDING" || j.StartTime.IsZero() {
		return 0
	}
	end := r.now
	if jobFinished(j.State) && !j.EndTime.IsZero() {
		end = j.EndTime
	}
	return max(0, int64(end.Sub(j.StartTime)/time.Second))
}

// squeueEndTime prints %e: the end time, "NONE" for a job that started (or
// is expected to) with no time limit, "N/A" when unknown.
func squeueEndTime(b []byte, r *squeueRow) ([]byte, bool) {
	j := r.j
	if !j.EndTime.IsZero() {
		return appendTimestamp(b, j.EndTime, r.loc), true
	}
	if j.StartTime.IsZero() {
		return append(b, "N/A"...), true
	}
	if j.TimeLimit == Infinite {
		return append(b, "NONE"...), true
	}
	return appendTimestamp(b, j.StartTime.Add(time.Duration(j.TimeLimit)*time.Minute), r.loc), true
}

// squeueReasonList prints %R: "(Reason)" for pending jobs and for jobs
// that ended in failure, the node list otherwise.
func squeueReasonList(b []byte, r *squeueRow) ([]byte, bool) {
	switch r.j.State {
	case "PENDING", "TIMEOUT", "OUT_OF_MEMORY", "DEADLINE", "FAILED":
		b = append(b, '(')
		if r.j.Reason == "" {
			b = append(b, reasonNone...)
		} else {
			b = append(b, r.j.Reason...)
		}
		return append(b, ')'), true
	}
	return append(b, r.j.NodeList...), false
}

// firstNode returns the first host of a Slurm node list ("vm" of "vm",
// "node1" of "node[1-3],gpu2").
func firstNode(list string) string {
	end := len(list)
	if i := strings.IndexAny(list, ",["); i >= 0 {
		end = i
		if list[i] == '[' {
			j := i + 1
			for j < len(list) && list[j] >= '0' && list[j] <= '9' {
				j++
			}
			return list[:i] + list[i+1:j]
		}
	}
	return list[:end]
}

// appendMemMB appends a size in MiB as Slurm prints it (convert_num_unit
// with exact division): "1G", "1.50G", "2049M", "500M".
func appendMemMB(b []byte, mb int64) []byte {
	return appendUnits(b, mb, 2)
}

// unitLetters are Slurm's size suffixes from bytes upwards.
const unitLetters = "\x00KMGTPE"

// appendUnits appends n (in the unit unitLetters[unit]) converted to the
// largest unit it divides into by 512 steps, as Slurm's convert_num_unit
// does with CONVERT_NUM_UNIT_EXACT: 1024M is "1G", 1536M is "1.50G",
// 2049M stays "2049M". Zero prints "0".
func appendUnits(b []byte, n int64, unit int) []byte {
	if n == 0 {
		return append(b, '0')
	}
	v := float64(n)
	for v >= 1024 && unit < len(unitLetters)-1 {
		if int64(v)%512 != 0 { // C truncates the float here
			break
		}
		v /= 1024
		unit++
	}
	if v == float64(int64(v)) {
		b = appendInt(b, int64(v))
	} else {
		b = strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	if unitLetters[unit] != 0 {
		b = append(b, unitLetters[unit])
	}
	return b
}

// jobMemTotalMB is the job's total memory request (sacct ReqMem, the
// mem= of its TRES): per-CPU requests are multiplied by the CPU count,
// per-node ones by the node count.
func jobMemTotalMB(j *Job) int64 {
	if j.MemPerCPU {
		return j.MinMemoryMB * int64(max(j.NumCPUs, 1))
	}
	return j.MinMemoryMB * int64(max(j.NumNodes, 1))
}

// FormatArrayTasks writes array task ids the way Slurm prints a pending
// array's remaining tasks (squeue's "45_[...]", Job.ArrayTasks): ascending,
// runs of consecutive ids as "a-b", then "%N" when throttle > 0. For
// "--array=1-9:2%3" that is "1,3,5,7,9%3".
func FormatArrayTasks(tasks []int64, throttle int) string {
	sorted := slices.Clone(tasks)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var b []byte
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = appendInt(b, sorted[i])
		if j > i {
			b = append(b, '-')
			b = appendInt(b, sorted[j])
		}
		i = j + 1
	}
	if throttle > 0 {
		b = append(b, '%')
		b = appendInt(b, int64(throttle))
	}
	return string(b)
}
