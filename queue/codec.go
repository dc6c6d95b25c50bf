package queue

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// The stored formats. Each value starts with a format byte, so that a
// later version can change an encoding and still read what an older one
// wrote.
//
// A job record (key 'j') is formatRecord followed by fields, in the manner
// of Protocol Buffers: each field is a key, uvarint(number<<3 | wire),
// then its value. Wire 0 is a varint: unsigned fields as uvarint, signed
// ones zigzag-encoded (binary.AppendVarint), booleans as 1. Wire 2 is
// length-delimited: uvarint(len) then len bytes, holding a string, a byte
// slice, or a time as varint(Unix seconds) uvarint(nanoseconds). Fields at
// their zero value are left out, so a field absent is zero; a []string is
// one field per element. Times are instants: they read back in UTC.
//
// The field numbers are in jobFields and never change meaning: a new Job
// field gets a new number, a removed one's number is not reused. Readers
// skip the numbers they do not know (so an older binary reads a newer
// record, and drops the new fields if it rewrites it).
//
// Blobs (key 'b') are formatBlobs followed by the script and the
// environment, each length prefixed with a uvarint:
//
//	uvarint(len(Script)) Script uvarint(len(Env)) { uvarint(len(e)) e } [uvarint(len(Options)) Options]
//
// or formatBlobsFlate followed by the same, compressed with DEFLATE (RFC
// 1951), when that saves at least an eighth: environments and scripts are
// text, and the blobs are most of the store's bytes.
const (
	formatRecord     = 1
	formatBlobs      = 1
	formatBlobsFlate = 2
)

// maxBlobs bounds the size of decompressed blobs: more means corruption.
const maxBlobs = 256 << 20

// minCompress is the size of the smallest blobs worth compressing.
const minCompress = 256

// The wire types of a record's fields.
const (
	wireVarint = 0
	wireBytes  = 2
)

// errCorrupt is wrapped by every decoding error.
var errCorrupt = errors.New("corrupt record")

// encodeJob returns the stored form of j.
func encodeJob(j *Job) []byte {
	w := make([]byte, 1, 384)
	w[0] = formatRecord
	for i := range jobFields {
		w = jobFields[i].put(w, j)
	}
	return w
}

// decodeJob parses the stored form of a job.
func decodeJob(data []byte) (*Job, error) {
	if len(data) == 0 || data[0] != formatRecord {
		return nil, fmt.Errorf("queue: decode job: unknown format: %w", errCorrupt)
	}
	// Every string field is a substring of one copy of the record: one
	// allocation instead of one per field.
	r := reader{data: data[1:], text: string(data[1:])}
	j := new(Job)
	for r.err == nil && len(r.data) > 0 {
		key := r.uvarint()
		num, wire := key>>3, key&7
		var f *field
		if num < uint64(len(fieldByNum)) {
			f = fieldByNum[num]
		}
		switch {
		case r.err != nil:
		case f == nil && wire == wireVarint:
			r.uvarint()
		case f == nil && wire == wireBytes:
			r.bytes()
		case f == nil || f.wire != wire:
			r.fail()
		default:
			f.get(&r, j)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("queue: decode job: %w", r.err)
	}
	return j, nil
}

// readOptions reads the optional last part of stored blobs, the
// Options, into b: they came later, so a record may end without them;
// anything after them is corrupt.
func readOptions(r *reader, b *Blobs) {
	if r.err != nil || len(r.data) == 0 {
		return
	}
	if opts := r.bytes(); len(opts) > 0 {
		b.Options = append([]byte(nil), opts...)
	}
	if len(r.data) > 0 {
		r.fail()
	}
}

// encodeBlobs returns the stored form of b.
func encodeBlobs(b Blobs) []byte {
	n := 1 + 3*binary.MaxVarintLen64 + len(b.Script) + len(b.Options)
	for _, e := range b.Env {
		n += binary.MaxVarintLen64 + len(e)
	}
	out := make([]byte, 0, n)
	out = append(out, formatBlobs)
	out = binary.AppendUvarint(out, uint64(len(b.Script)))
	out = append(out, b.Script...)
	out = binary.AppendUvarint(out, uint64(len(b.Env)))
	for _, e := range b.Env {
		out = binary.AppendUvarint(out, uint64(len(e)))
		out = append(out, e...)
	}
	if len(b.Options) > 0 {
		out = binary.AppendUvarint(out, uint64(len(b.Options)))
		out = append(out, b.Options...)
	}
	if len(out) < minCompress {
		return out
	}
	if c := deflate(out[1:]); len(c)+1 < len(out)-len(out)/8 {
		return append([]byte{formatBlobsFlate}, c...)
	}
	return out
}

// decodeBlobs parses the stored form of Blobs. An empty script or
// environment decodes as nil.
func decodeBlobs(data []byte) (Blobs, error) {
	var b Blobs
	body, err := unwrapFormat(data, formatBlobs, formatBlobsFlate, "blobs")
	if err != nil {
		return b, err
	}
	r := reader{data: body}
	if script := r.bytes(); len(script) > 0 {
		b.Script = append([]byte(nil), script...)
	}
	n := r.uvarint()
	// Every entry takes at least one byte: a larger count is corrupt, and
	// checking it first bounds the allocation below.
	if n > uint64(len(r.data)) {
		r.fail()
	}
	if r.err == nil && n > 0 {
		b.Env = make([]string, n)
		for i := range b.Env {
			b.Env[i] = string(r.bytes())
		}
	}
	readOptions(&r, &b)
	if r.err != nil {
		return Blobs{}, fmt.Errorf("queue: decode blobs: %w", r.err)
	}
	return b, nil
}

// deflaters holds *flate.Writer, which are costly to make.
var deflaters sync.Pool

// deflate returns b compressed.
func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := deflaters.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(&buf, flate.BestSpeed) // cannot fail: the level is valid
	} else {
		w.Reset(&buf)
	}
	// Writing to a bytes.Buffer cannot fail.
	_, _ = w.Write(b)
	_ = w.Close()
	deflaters.Put(w)
	return buf.Bytes()
}

// inflate returns b decompressed.
func inflate(b []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(b))
	defer func() { _ = r.Close() }()
	out, err := io.ReadAll(io.LimitReader(r, maxBlobs+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxBlobs {
		return nil, errors.New("too large")
	}
	return out, nil
}

// reader consumes a byte slice; after the first error every read returns
// zero values and err stays set.
type reader struct {
	data []byte
	text string // a copy of data, as at the start, or empty
	err  error
}

func (r *reader) fail() {
	r.err = errCorrupt
	r.data = nil
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

// bytes returns the next length-delimited value, which aliases the data.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.data)) {
		r.fail()
		return nil
	}
	b := r.data[:n:n]
	r.data = r.data[n:]
	return b
}

// string returns the next length-delimited value as a string, sharing
// r.text's memory when r has text.
func (r *reader) string() string {
	if r.text == "" {
		return string(r.bytes())
	}
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	end := len(r.text) - len(r.data)
	return r.text[end-len(b) : end]
}

// uint32 reads a varint that must fit in 32 bits.
func (r *reader) uint32() uint32 {
	v := r.uvarint()
	if v > 1<<32-1 {
		r.fail()
	}
	return uint32(v)
}

// time reads a time field's value.
func (r *reader) time() time.Time {
	b := reader{data: r.bytes()}
	sec, nsec := b.varint(), b.uvarint()
	if b.err != nil || len(b.data) > 0 || nsec >= 1e9 {
		r.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// appendKey appends a field's key.
func appendKey(w []byte, num, wire uint64) []byte {
	return binary.AppendUvarint(w, num<<3|wire)
}

// unwrapFormat returns the body of a stored value whose first byte is its
// format: plain, or flate (deflated). what names the value in errors.
func unwrapFormat(data []byte, plain, flate byte, what string) ([]byte, error) {
	if len(data) == 0 || data[0] != plain && data[0] != flate {
		return nil, fmt.Errorf("queue: decode %s: unknown format: %w", what, errCorrupt)
	}
	body := data[1:]
	if data[0] == flate {
		var err error
		if body, err = inflate(body); err != nil {
			return nil, fmt.Errorf("queue: decode %s: %w: %w", what, errCorrupt, err)
		}
	}
	return body, nil
}
