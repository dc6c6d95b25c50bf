package queue

import (
	"encoding/binary"
	"time"
)

// field is one Job field of the record format (codec.go): its number, its
// wire type, and how to append it to a record and read it back.
type field struct {
	num  uint64
	wire uint64
	put  func(w []byte, j *Job) []byte
	get  func(r *reader, j *Job)
}

// jobFields lists every Job field with its number; numbers are never
// reused. TestCodecCoversEveryField fails when a Job field is missing.
var jobFields = []field{
	u32Field(1, func(j *Job) *uint32 { return &j.ID }),
	u32Field(2, func(j *Job) *uint32 { return &j.ArrayJobID }),
	intField(3, func(j *Job) *int64 { return &j.ArrayTaskID }),
	strField(4, func(j *Job) *string { return &j.Name }),
	strField(5, func(j *Job) *string { return &j.User }),
	u32Field(6, func(j *Job) *uint32 { return &j.UID }),
	u32Field(7, func(j *Job) *uint32 { return &j.GID }),
	strField(8, func(j *Job) *string { return &j.Group }),
	strField(9, func(j *Job) *string { return &j.Account }),
	strField(10, func(j *Job) *string { return &j.QOS }),
	strField(11, func(j *Job) *string { return &j.Cluster }),
	strField(12, func(j *Job) *string { return &j.Partition }),
	strField(13, func(j *Job) *string { return &j.SubmitHost }),
	strField(14, func(j *Job) *string { return &j.SubmitDir }),
	strField(15, func(j *Job) *string { return &j.WorkDir }),
	strField(16, func(j *Job) *string { return &j.Command }),
	strsField(17, func(j *Job) *[]string { return &j.Args }),
	strField(18, func(j *Job) *string { return &j.Comment }),
	strField(19, func(j *Job) *string { return &j.StdOut }),
	strField(20, func(j *Job) *string { return &j.StdErr }),
	strField(21, func(j *Job) *string { return &j.StdIn }),
	strField(22, func(j *Job) *string { return &j.OpenMode }),
	goIntField(23, func(j *Job) *int { return &j.NTasks }),
	boolField(24, func(j *Job) *bool { return &j.NTasksSet }),
	goIntField(25, func(j *Job) *int { return &j.CPUsPerTask }),
	boolField(26, func(j *Job) *bool { return &j.CPUsPerTaskSet }),
	goIntField(27, func(j *Job) *int { return &j.MinNodes }),
	goIntField(28, func(j *Job) *int { return &j.MaxNodes }),
	intField(29, func(j *Job) *int64 { return &j.MemPerNodeMB }),
	intField(30, func(j *Job) *int64 { return &j.MemPerCPUMB }),
	intField(31, func(j *Job) *int64 { return &j.TimeLimit }),
	stateField(32, func(j *Job) *State { return &j.State }),
	strField(33, func(j *Job) *string { return &j.Reason }),
	u32Field(34, func(j *Job) *uint32 { return &j.Priority }),
	boolField(35, func(j *Job) *bool { return &j.Held }),
	timeField(36, func(j *Job) *time.Time { return &j.SubmitTime }),
	timeField(37, func(j *Job) *time.Time { return &j.EligibleTime }),
	timeField(38, func(j *Job) *time.Time { return &j.StartTime }),
	timeField(39, func(j *Job) *time.Time { return &j.EndTime }),
	goIntField(40, func(j *Job) *int { return &j.ExitCode }),
	goIntField(41, func(j *Job) *int { return &j.ExitSignal }),
	stateField(42, func(j *Job) *State { return &j.BatchState }),
	goIntField(43, func(j *Job) *int { return &j.BatchExitCode }),
	goIntField(44, func(j *Job) *int { return &j.BatchSignal }),
	intField(45, func(j *Job) *int64 { return &j.MaxRSSKB }),
	intField(46, func(j *Job) *int64 { return &j.TotalCPU }),
	intField(47, func(j *Job) *int64 { return &j.UserCPU }),
	intField(48, func(j *Job) *int64 { return &j.SystemCPU }),
	strField(49, func(j *Job) *string { return &j.NodeList }),
	goIntField(50, func(j *Job) *int { return &j.AllocCPUs }),
	intField(51, func(j *Job) *int64 { return &j.AllocMemMB }),
	goIntField(52, func(j *Job) *int { return &j.Restarts }),
	boolField(53, func(j *Job) *bool { return &j.CancelRequested }),
	u32Field(54, func(j *Job) *uint32 { return &j.CancelledBy }),
	timeField(55, func(j *Job) *time.Time { return &j.CancelTime }),
	strField(56, func(j *Job) *string { return &j.Gate }),
	bytesField(57, func(j *Job) *[]byte { return &j.Handle }),
	strField(58, func(j *Job) *string { return &j.ArrayPending }),
	goIntField(59, func(j *Job) *int { return &j.ArrayThrottle }),
	u32Field(60, func(j *Job) *uint32 { return &j.SplitID }),
	intField(61, func(j *Job) *int64 { return &j.SplitTask }),
	strField(62, func(j *Job) *string { return &j.Dependency }),
	boolField(63, func(j *Job) *bool { return &j.KillOnInvalidDep }),
	timeField(64, func(j *Job) *time.Time { return &j.BeginTime }),
	goIntField(65, func(j *Job) *int { return &j.Nice }),
	boolField(66, func(j *Job) *bool { return &j.NoRequeue }),
	boolField(67, func(j *Job) *bool { return &j.RequeueRequested }),
	boolField(68, func(j *Job) *bool { return &j.RequeueHold }),
	timeField(69, func(j *Job) *time.Time { return &j.SuspendTime }),
	intField(70, func(j *Job) *int64 { return &j.PreSuspendSecs }),
	intField(71, func(j *Job) *int64 { return &j.SuspendedSecs }),
	boolField(72, func(j *Job) *bool { return &j.Interactive }),
	stepsField(73), // step.go
	strField(74, func(j *Job) *string { return &j.MailType }),
	strField(75, func(j *Job) *string { return &j.MailUser }),
	strField(76, func(j *Job) *string { return &j.OverSubscribe }),
	intField(77, func(j *Job) *int64 { return &j.CostMicros }),
	strField(78, func(j *Job) *string { return &j.CostCurrency }),
	intField(79, func(j *Job) *int64 { return &j.CostPastMicros }),
	strField(80, func(j *Job) *string { return &j.ContainerImage }),
	strsField(81, func(j *Job) *[]string { return &j.ContainerMounts }),
	strField(82, func(j *Job) *string { return &j.ContainerWorkDir }),
	strField(83, func(j *Job) *string { return &j.GRES }),
	goIntField(84, func(j *Job) *int { return &j.GPUs }),
	intsField(85, func(j *Job) *[]int { return &j.GPUIDs }),
	boolField(86, func(j *Job) *bool { return &j.Overcommit }),
	pastRunsField(87),
}

// fieldByNum indexes jobFields by number.
var fieldByNum = func() []*field {
	var by []*field
	for i := range jobFields {
		f := &jobFields[i]
		for uint64(len(by)) <= f.num {
			by = append(by, nil)
		}
		if by[f.num] != nil {
			panic("queue: field number used twice")
		}
		by[f.num] = f
	}
	return by
}()

func u32Field(num uint64, at func(*Job) *uint32) field {
	return field{num, wireVarint,
		func(w []byte, j *Job) []byte {
			if v := *at(j); v != 0 {
				w = binary.AppendUvarint(appendKey(w, num, wireVarint), uint64(v))
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = r.uint32() }}
}

func intField(num uint64, at func(*Job) *int64) field {
	return field{num, wireVarint,
		func(w []byte, j *Job) []byte {
			if v := *at(j); v != 0 {
				w = binary.AppendVarint(appendKey(w, num, wireVarint), v)
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = r.varint() }}
}

// goIntField is an int field; int is 64 bits on every platform Sky Port
// supports.
func goIntField(num uint64, at func(*Job) *int) field {
	return field{num, wireVarint,
		func(w []byte, j *Job) []byte {
			if v := *at(j); v != 0 {
				w = binary.AppendVarint(appendKey(w, num, wireVarint), int64(v))
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = int(r.varint()) }}
}

func boolField(num uint64, at func(*Job) *bool) field {
	return field{num, wireVarint,
		func(w []byte, j *Job) []byte {
			if *at(j) {
				w = binary.AppendUvarint(appendKey(w, num, wireVarint), 1)
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = r.uvarint() != 0 }}
}

func strField(num uint64, at func(*Job) *string) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			if s := *at(j); s != "" {
				w = appendString(w, num, s)
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = r.string() }}
}

func stateField(num uint64, at func(*Job) *State) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			if s := *at(j); s != "" {
				w = appendString(w, num, string(s))
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = internState(r.bytes()) }}
}

// strsField is a []string: one field per element.
func strsField(num uint64, at func(*Job) *[]string) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			for _, s := range *at(j) {
				w = appendString(w, num, s)
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = append(*at(j), r.string()) }}
}

// intsField is a list of ints: one varint item per element, in order;
// an empty list writes nothing.
func intsField(num uint64, at func(*Job) *[]int) field {
	return field{num, wireVarint,
		func(w []byte, j *Job) []byte {
			for _, v := range *at(j) {
				w = binary.AppendVarint(appendKey(w, num, wireVarint), int64(v))
			}
			return w
		},
		func(r *reader, j *Job) { *at(j) = append(*at(j), int(r.varint())) }}
}

func bytesField(num uint64, at func(*Job) *[]byte) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			if b := *at(j); len(b) > 0 {
				w = appendKey(w, num, wireBytes)
				w = binary.AppendUvarint(w, uint64(len(b)))
				w = append(w, b...)
			}
			return w
		},
		func(r *reader, j *Job) {
			if b := r.bytes(); len(b) > 0 {
				*at(j) = append([]byte(nil), b...)
			}
		}}
}

func timeField(num uint64, at func(*Job) *time.Time) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			t := *at(j)
			if t.IsZero() {
				return w
			}
			var v [2 * binary.MaxVarintLen64]byte
			b := binary.AppendVarint(v[:0], t.Unix())
			b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
			w = appendKey(w, num, wireBytes)
			w = binary.AppendUvarint(w, uint64(len(b)))
			return append(w, b...)
		},
		func(r *reader, j *Job) { *at(j) = r.time() }}
}

func appendString(w []byte, num uint64, s string) []byte {
	w = appendKey(w, num, wireBytes)
	w = binary.AppendUvarint(w, uint64(len(s)))
	return append(w, s...)
}

// internState returns the State constant spelled b, without allocating
// for the known ones.
func internState(b []byte) State {
	for _, s := range AllStates {
		if string(s) == string(b) {
			return s
		}
	}
	return State(b)
}
