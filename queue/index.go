package queue

import (
	"encoding/binary"
	"time"
)

// The key space of the store. Every key starts with a one-byte prefix;
// numbers are big-endian so that Badger's byte order is numeric order and
// a prefix scan returns jobs by ascending ID.
//
//	'j' id(4)               the job record (codec.go)
//	'b' id(4)               the job's Blobs (codec.go), absent when empty
//	'n' hash(16)            an environment that blobs refer to (envblobs.go)
//	'a' id(4)               index: the job is active (not in a terminal state)
//	'e' end(8) id(4)        index: the job is terminal and ended at end
//	'r' arrayJobID(4) id(4) index: the job is a task of that array job
//	'v' seq(8)              one event of the live stream (events.go)
//	'm' name                metadata, e.g. the ID sequence (seq.go)
//
// Index entries have empty values; indexKeys is their only source, so the
// entries of a job are always exactly indexKeys of its stored record.
const (
	prefixJob    = 'j'
	prefixBlobs  = 'b'
	prefixActive = 'a'
	prefixEnded  = 'e'
	prefixArray  = 'r'
	prefixMeta   = 'm'
)

// jobKey is the key of job id's record.
func jobKey(id uint32) []byte { return idKey(prefixJob, id) }

// blobsKey is the key of job id's Blobs.
func blobsKey(id uint32) []byte { return idKey(prefixBlobs, id) }

// activeKey is the index entry of active job id.
func activeKey(id uint32) []byte { return idKey(prefixActive, id) }

func idKey(prefix byte, id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{prefix}, id)
}

// endedKey is the index entry of a job that ended at end.
func endedKey(end time.Time, id uint32) []byte {
	return binary.BigEndian.AppendUint32(endedPrefix(end), id)
}

// endedPrefix is the part of endedKey before the ID: every entry of a job
// that ended at end (to the microsecond) starts with it.
func endedPrefix(end time.Time) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixEnded}, timeKey(end))
}

// timeKey orders times as unsigned integers: microseconds since the Unix
// epoch with the sign bit flipped, so that times before 1970 (the zero
// time included) sort first. Microseconds cover every year from -290 000
// to 290 000.
func timeKey(t time.Time) uint64 { return uint64(t.UnixMicro()) ^ 1<<63 }

// arrayKey is the index entry of job id as a task of array job arrayID.
func arrayKey(arrayID, id uint32) []byte {
	return binary.BigEndian.AppendUint32(idKey(prefixArray, arrayID), id)
}

// keyID returns the job ID that ends every job, blobs and index key.
func keyID(key []byte) uint32 { return binary.BigEndian.Uint32(key[len(key)-4:]) }

// indexKeys returns every index entry job j must have.
func indexKeys(j *Job) [][]byte {
	keys := make([][]byte, 0, 2)
	if j.State.Terminal() {
		keys = append(keys, endedKey(j.EndTime, j.ID))
	} else {
		keys = append(keys, activeKey(j.ID))
	}
	if j.ArrayJobID != 0 {
		keys = append(keys, arrayKey(j.ArrayJobID, j.ID))
	}
	return keys
}

// indexDiff returns the entries to delete and to add when a job's record
// changes from old to updated.
func indexDiff(old, updated *Job) (del, add [][]byte) {
	before, after := indexKeys(old), indexKeys(updated)
	return subtract(before, after), subtract(after, before)
}

// subtract returns the keys of a that are not in b.
func subtract(a, b [][]byte) [][]byte {
	var out [][]byte
next:
	for _, k := range a {
		for _, l := range b {
			if string(k) == string(l) {
				continue next
			}
		}
		out = append(out, k)
	}
	return out
}
