package queue

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestJobCodecRoundTrip(t *testing.T) {
	t.Parallel()
	full := newJob("full", 1000)
	full.ID, full.ArrayJobID, full.ArrayTaskID = 42, 40, 2
	full.State, full.StartTime, full.EndTime = Failed, t0.Add(time.Second), t0.Add(time.Hour+time.Nanosecond)
	full.ExitCode, full.ExitSignal, full.BatchState = 1, 9, Failed
	full.CancelRequested, full.CancelTime = true, t0.Add(time.Minute)
	full.Args = []string{"", "two words", ""}
	old := newJob("old times", 1)
	old.SubmitTime = time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC)
	old.EndTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	tests := []*Job{{}, newJob("plain", 1), full, old}
	for _, j := range tests {
		got, err := decodeJob(encodeJob(j))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, j) {
			t.Errorf("round trip of %q:\n got %+v\nwant %+v", j.Name, got, j)
		}
	}
}

// TestCodecCoversEveryField sets each field of Job in turn and checks that
// it survives the record format: a field added to Job but not to
// jobFields fails here.
func TestCodecCoversEveryField(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[Job]()
	if typ.NumField() != len(jobFields) {
		t.Errorf("Job has %d fields, jobFields %d", typ.NumField(), len(jobFields))
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		j := new(Job)
		v := reflect.ValueOf(j).Elem().Field(i)
		switch {
		case f.Type == reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(t0.Add(time.Nanosecond)))
		case f.Type == reflect.TypeFor[[]string]():
			v.Set(reflect.ValueOf([]string{"a", ""}))
		case f.Type == reflect.TypeFor[[]byte]():
			v.Set(reflect.ValueOf([]byte{0}))
		case f.Type == reflect.TypeFor[[]int]():
			v.Set(reflect.ValueOf([]int{0, -3, 1 << 40}))
		case f.Type == reflect.TypeFor[[]Step]():
			v.Set(reflect.ValueOf(sampleSteps()))
		case f.Type == reflect.TypeFor[[]Job]():
			past := *newJob("first run", 7)
			past.State, past.EndTime, past.Steps = Requeued, t0.Add(time.Minute), sampleSteps()
			v.Set(reflect.ValueOf([]Job{past, {Name: "second run", State: NodeFail}}))
		case v.Kind() == reflect.String:
			v.SetString("x")
		case v.Kind() == reflect.Bool:
			v.SetBool(true)
		case v.CanUint():
			v.SetUint(1<<32 - 1)
		case v.CanInt():
			v.SetInt(-1 << 40)
		default:
			t.Fatalf("field %s: type %s has no sample value here", f.Name, f.Type)
		}
		got, err := decodeJob(encodeJob(j))
		if err != nil {
			t.Fatalf("field %s: %v", f.Name, err)
		}
		if !reflect.DeepEqual(got, j) {
			t.Errorf("field %s is lost by the record format (missing from jobFields?)", f.Name)
		}
	}
}

// TestJobFormatV1 decodes a record assembled by hand, which pins the
// field numbers and encodings of codec.go.
func TestJobFormatV1(t *testing.T) {
	t.Parallel()
	end := t0.Add(time.Hour + 500*time.Millisecond)
	when := binary.AppendUvarint(binary.AppendVarint(nil, end.Unix()), 500e6)
	rec := []byte("\x01" +
		"\x08\x07" + // 1 ID: 7
		"\x18\x01" + // 3 ArrayTaskID: zigzag(-1)
		"\x22\x01n" + // 4 Name: "n"
		"\x8a\x01\x01a\x8a\x01\x00" + // 17 Args: "a", ""
		"\xa0\x06\x05" + // 100: unknown, skipped
		"\x82\x02\x09COMPLETED" + // 32 State
		"\xba\x02" + string(rune(len(when))) + string(when) + // 39 EndTime
		"\xa8\x03\x01" + // 53 CancelRequested
		"\xca\x03\x02\x00\xff") // 57 Handle
	got, err := decodeJob(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := &Job{ID: 7, ArrayTaskID: NoArrayTask, Name: "n", Args: []string{"a", ""}, State: Completed,
		EndTime: end, CancelRequested: true, Handle: []byte{0, 0xff}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n %+v\nwant %+v", got, want)
	}
}

func TestDecodeJobRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
	}{
		{"empty", ""},
		{"unknown format", "\x02\x08\x07"},
		{"truncated key", "\x01\x80"},
		{"truncated varint", "\x01\x08\x80"},
		{"truncated string", "\x01\x22\x05ab"},
		{"wrong wire type", "\x01\x0a\x01a"}, // ID as bytes
		{"unknown wire type", "\x01\xa5\x06\x00"},
		{"uint32 overflow", "\x01\x08\x80\x80\x80\x80\x10"},
		{"bad time nanoseconds", "\x01\xba\x02\x06\x00\x80\x94\xeb\xdc\x03"},
		{"trailing bytes in time", "\x01\xba\x02\x03\x00\x00\x00"},
	}
	for _, tt := range tests {
		if _, err := decodeJob([]byte(tt.data)); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: error = %v, want errCorrupt", tt.name, err)
		}
	}
}

func TestDecodeBlobsRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
	}{
		{"empty", ""},
		{"unknown format", "\x02\x00\x00"},
		{"no script length", "\x01"},
		{"script too long", "\x01\x05abc"},
		{"no env count", "\x01\x01a"},
		{"env count too large", "\x01\x00\x09\x00"},
		{"env entry too long", "\x01\x00\x01\x05ab"},
		{"trailing bytes", "\x01\x00\x00x"},
		{"overlong varint", "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
		{"bad deflate stream", "\x02\xff\xff\xff"},
		{"deflated garbage", string(append([]byte{formatBlobsFlate}, deflate([]byte("\x05ab"))...))},
	}
	for _, tt := range tests {
		if _, err := decodeBlobs([]byte(tt.data)); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: error = %v, want errCorrupt", tt.name, err)
		}
	}
}

func TestBlobsCompression(t *testing.T) {
	t.Parallel()
	random := make([]byte, 4096)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(random)
	tests := []struct {
		name   string
		blobs  Blobs
		format byte
	}{
		{"small", Blobs{Script: []byte("#!/bin/sh\ntrue\n"), Env: []string{"A=1"}}, formatBlobs},
		{"text", benchBlobs, formatBlobsFlate},
		{"incompressible", Blobs{Script: random}, formatBlobs},
		{"options", Blobs{Script: []byte("#!/bin/sh\n"), Env: []string{"A=1"}, Options: []byte(`{"export":"NONE"}`)}, formatBlobs},
		{"options only", Blobs{Options: []byte(`{}`)}, formatBlobs},
	}
	for _, tt := range tests {
		data := encodeBlobs(tt.blobs)
		if data[0] != tt.format {
			t.Errorf("%s: format %d, want %d", tt.name, data[0], tt.format)
		}
		got, err := decodeBlobs(data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.blobs) {
			t.Errorf("%s: round trip changed the blobs", tt.name)
		}
		t.Logf("%s: %d bytes stored", tt.name, len(data))
	}
}

// FuzzDecodeBlobs checks that decodeBlobs never panics and that what it
// accepts encodes back to the same bytes' meaning.
func FuzzDecodeBlobs(f *testing.F) {
	f.Add(encodeBlobs(Blobs{}))
	f.Add(encodeBlobs(Blobs{Script: []byte("#!/bin/sh\n"), Env: []string{"A=1", ""}}))
	f.Add([]byte("\x01\x00\x09\x00"))
	f.Add(encodeBlobs(benchBlobs))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := decodeBlobs(data)
		if err != nil {
			return
		}
		again, err := decodeBlobs(encodeBlobs(b))
		if err != nil {
			t.Fatalf("re-encoded blobs rejected: %v", err)
		}
		if !slices.Equal(again.Script, b.Script) || !slices.Equal(again.Env, b.Env) {
			t.Fatalf("round trip changed %q to %q", b, again)
		}
	})
}

// FuzzBlobsRoundTrip checks that any script and environment survive.
func FuzzBlobsRoundTrip(f *testing.F) {
	f.Add([]byte("echo hi"), "A=1", "B=\x00")
	f.Fuzz(func(t *testing.T, script []byte, e1, e2 string) {
		in := Blobs{Script: script, Env: []string{e1, e2}}
		got, err := decodeBlobs(encodeBlobs(in))
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Script) != string(script) || !slices.Equal(got.Env, in.Env) {
			t.Fatalf("round trip of %q gave %q", in, got)
		}
	})
}

// FuzzDecodeJob checks that decodeJob never panics and that what it
// accepts survives a round trip: its encoding is a fixed point.
func FuzzDecodeJob(f *testing.F) {
	f.Add(encodeJob(newJob("seed", 1)))
	f.Add([]byte("\x01"))
	f.Add([]byte("\x01\x8a\x01\x00\xa0\x06\x05\xba\x02\x02\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := decodeJob(data)
		if err != nil {
			return
		}
		b := encodeJob(j)
		again, err := decodeJob(b)
		if err != nil {
			t.Fatalf("re-encoded job rejected: %v\n%q", err, b)
		}
		if b2 := encodeJob(again); !bytes.Equal(b2, b) {
			t.Fatalf("round trip changed\n%q\nto\n%q", b, b2)
		}
	})
}
