package queue

import (
	"encoding/binary"
	"time"
)

// A step is stored as one length-delimited field of the job record (one
// field per step, in order) holding a nested record in the same format:
// key uvarint(number<<3 | wire), then the value; fields at their zero
// value are left out and unknown numbers are skipped. Step field numbers
// never change meaning:
//
//	1 ID  2 Name  3 State  4 ExitCode  5 ExitSignal  6 CancelledBy  7 ByUser
//	8 Start  9 End  10 NTasks  11 CPUs  12 MaxRSSKB  13 UserCPU  14 SystemCPU

// nestedField is a Job field holding a list, stored as one
// length-delimited field per element, in order, each the nested record
// enc makes and dec reads back (false: corrupt).
func nestedField[T any](num uint64, at func(*Job) *[]T, enc func(*T) []byte, dec func([]byte) (T, bool)) field {
	return field{num, wireBytes,
		func(w []byte, j *Job) []byte {
			list := *at(j)
			for i := range list {
				b := enc(&list[i])
				w = appendKey(w, num, wireBytes)
				w = binary.AppendUvarint(w, uint64(len(b)))
				w = append(w, b...)
			}
			return w
		},
		func(r *reader, j *Job) {
			b := r.bytes()
			if r.err != nil {
				return
			}
			v, ok := dec(b)
			if !ok {
				r.fail()
				return
			}
			list := at(j)
			*list = append(*list, v)
		}}
}

// stepsField is the Job field that holds Steps.
func stepsField(num uint64) field {
	return nestedField(num, func(j *Job) *[]Step { return &j.Steps },
		func(s *Step) []byte { return encodeStep(nil, s) }, decodeStep)
}

// encodeNested and decodeNested are encodeJob and decodeJob, reached
// through variables set at init: the field table they read holds
// pastRunsField, and a direct call would be an initialization cycle.
var (
	encodeNested func(*Job) []byte
	decodeNested func([]byte) (*Job, error)
)

func init() { encodeNested, decodeNested = encodeJob, decodeJob }

// pastRunsField is Job.PastRuns: each earlier run a nested job record
// (formatRecord included), one level deep.
func pastRunsField(num uint64) field {
	return nestedField(num, func(j *Job) *[]Job { return &j.PastRuns },
		func(p *Job) []byte {
			past := *p
			past.PastRuns = nil // one level only
			return encodeNested(&past)
		},
		func(b []byte) (Job, bool) {
			past, err := decodeNested(b)
			if err != nil || len(past.PastRuns) > 0 {
				return Job{}, false
			}
			return *past, true
		})
}

// encodeStep appends the nested record of s to w.
func encodeStep(w []byte, s *Step) []byte {
	uv := func(num uint64, v uint64) {
		if v != 0 {
			w = binary.AppendUvarint(appendKey(w, num, wireVarint), v)
		}
	}
	iv := func(num uint64, v int64) {
		if v != 0 {
			w = binary.AppendVarint(appendKey(w, num, wireVarint), v)
		}
	}
	str := func(num uint64, v string) {
		if v != "" {
			w = appendString(w, num, v)
		}
	}
	tm := func(num uint64, t time.Time) {
		if t.IsZero() {
			return
		}
		var v [2 * binary.MaxVarintLen64]byte
		b := binary.AppendVarint(v[:0], t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
		w = appendKey(w, num, wireBytes)
		w = binary.AppendUvarint(w, uint64(len(b)))
		w = append(w, b...)
	}
	uv(1, uint64(s.ID))
	str(2, s.Name)
	str(3, string(s.State))
	iv(4, int64(s.ExitCode))
	iv(5, int64(s.ExitSignal))
	uv(6, uint64(s.CancelledBy))
	if s.ByUser {
		uv(7, 1)
	}
	tm(8, s.Start)
	tm(9, s.End)
	iv(10, int64(s.NTasks))
	iv(11, int64(s.CPUs))
	iv(12, s.MaxRSSKB)
	iv(13, s.UserCPU)
	iv(14, s.SystemCPU)
	return w
}

// decodeStep parses a step's nested record; ok is false when it is corrupt.
func decodeStep(data []byte) (Step, bool) {
	var s Step
	r := reader{data: data}
	for r.err == nil && len(r.data) > 0 {
		key := r.uvarint()
		num, wire := key>>3, key&7
		if r.err != nil {
			break
		}
		if wire == wireBytes {
			switch num {
			case 2:
				s.Name = string(r.bytes())
			case 3:
				s.State = internState(r.bytes())
			case 8:
				s.Start = r.time()
			case 9:
				s.End = r.time()
			default:
				r.bytes()
			}
			continue
		}
		if wire != wireVarint {
			r.fail()
			break
		}
		switch num {
		case 1:
			s.ID = r.uint32()
		case 4:
			s.ExitCode = int(r.varint())
		case 5:
			s.ExitSignal = int(r.varint())
		case 6:
			s.CancelledBy = r.uint32()
		case 7:
			s.ByUser = r.uvarint() != 0
		case 10:
			s.NTasks = int(r.varint())
		case 11:
			s.CPUs = int(r.varint())
		case 12:
			s.MaxRSSKB = r.varint()
		case 13:
			s.UserCPU = r.varint()
		case 14:
			s.SystemCPU = r.varint()
		default:
			r.uvarint()
		}
	}
	return s, r.err == nil
}
