package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// appendN reserves and appends n records whose data is "e<seq>" at times
// base+i seconds; it returns their sequence numbers.
func appendN(t *testing.T, l *EventLog, n int, base time.Time) []uint64 {
	t.Helper()
	first, err := l.Reserve(n)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]EventRecord, n)
	seqs := make([]uint64, n)
	for i := range recs {
		seq := first + uint64(i)
		recs[i] = EventRecord{Seq: seq, Time: base.Add(time.Duration(i) * time.Second), Data: fmt.Appendf(nil, "e%d", seq)}
		seqs[i] = seq
	}
	if err := l.Append(recs); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// readAll returns the records from seq from.
func readAll(t *testing.T, l *EventLog, from uint64) []EventRecord {
	t.Helper()
	var out []EventRecord
	if err := l.Read(t.Context(), from, func(r EventRecord) bool { out = append(out, r); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEventLogAppendRead(t *testing.T) {
	t.Parallel()
	st := openMem(t)
	l, err := st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(1700000000, 0)
	seqs := appendN(t, l, 10, base)
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("sequence not consecutive: %v", seqs)
		}
	}
	got := readAll(t, l, seqs[4])
	if len(got) != 6 {
		t.Fatalf("read from %d: %d records, want 6", seqs[4], len(got))
	}
	for i, r := range got {
		want := seqs[4+i]
		if r.Seq != want || string(r.Data) != fmt.Sprintf("e%d", want) || !r.Time.Equal(base.Add(time.Duration(4+i)*time.Second)) {
			t.Errorf("record %d = %d %q %v", i, r.Seq, r.Data, r.Time)
		}
	}
	// Stopping early.
	n := 0
	if err := l.Read(t.Context(), 0, func(EventRecord) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("early stop: n=%d err=%v", n, err)
	}
	if l.Len() != 10 {
		t.Errorf("Len = %d, want 10", l.Len())
	}
}

func TestEventLogTrim(t *testing.T) {
	t.Parallel()
	st := openMem(t)
	l, err := st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(1700000000, 0)
	seqs := appendN(t, l, 20, base)
	// By count: the 15 newest stay.
	n, err := l.Trim(t.Context(), 15, time.Time{})
	if err != nil || n != 5 {
		t.Fatalf("Trim(15) = %d, %v; want 5", n, err)
	}
	got := readAll(t, l, 0)
	if len(got) != 15 || got[0].Seq != seqs[5] {
		t.Fatalf("after count trim: %d records from %d, want 15 from %d", len(got), got[0].Seq, seqs[5])
	}
	// By age: records before base+12s go (seqs[5..11]).
	n, err = l.Trim(t.Context(), 0, base.Add(12*time.Second))
	if err != nil || n != 7 {
		t.Fatalf("age trim = %d, %v; want 7", n, err)
	}
	got = readAll(t, l, 0)
	if len(got) != 8 || got[0].Seq != seqs[12] || l.Len() != 8 {
		t.Fatalf("after age trim: %d records (Len %d) from %d, want 8 from %d", len(got), l.Len(), got[0].Seq, seqs[12])
	}
	// Both: the count wins where it is stricter.
	n, err = l.Trim(t.Context(), 3, base)
	if err != nil || n != 5 || l.Len() != 3 {
		t.Fatalf("count+age trim = %d, %v, Len %d; want 5, 3", n, err, l.Len())
	}
	// Nothing to do.
	if n, err := l.Trim(t.Context(), 3, base); err != nil || n != 0 {
		t.Fatalf("repeated trim = %d, %v", n, err)
	}
	if f := l.Floor(); f != seqs[17] {
		t.Errorf("Floor = %d, want %d (the oldest record kept)", f, seqs[17])
	}
}

// The log and its sequence survive a reopen; the sequence never hands out
// a number twice, even for numbers reserved but never appended.
func TestEventLogReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(1700000000, 0)
	seqs := appendN(t, l, 6, base)
	if _, err := l.Trim(t.Context(), 5, time.Time{}); err != nil {
		t.Fatal(err)
	}
	seqs = seqs[1:]
	unused, err := l.Reserve(3) // handed out (say, to live-only events), never stored
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reserve(1); !errors.Is(err, ErrClosed) {
		t.Errorf("Reserve after Close: %v, want ErrClosed", err)
	}

	st, err = Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err = st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, l, 0)
	if len(got) != 5 || got[4].Seq != seqs[4] || string(got[4].Data) != fmt.Sprintf("e%d", seqs[4]) {
		t.Fatalf("after reopen: %+v", got)
	}
	if l.Len() != 5 || l.Floor() != seqs[0] {
		t.Errorf("after reopen: Len %d, Floor %d; want 5, %d", l.Len(), l.Floor(), seqs[0])
	}
	next, err := l.Reserve(1)
	if err != nil {
		t.Fatal(err)
	}
	if next < unused+3 {
		t.Errorf("sequence after reopen hands out %d, at or below %d already handed out", next, unused+2)
	}
}

// A cancelled context stops a long read.
func TestEventLogReadCancelled(t *testing.T) {
	t.Parallel()
	st := openMem(t)
	l, err := st.OpenEventLog()
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 600, time.Unix(1700000000, 0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = l.Read(ctx, 0, func(EventRecord) bool { return true })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with a cancelled context: %v", err)
	}
}
