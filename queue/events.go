package queue

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The event log shares the store's key space (see index.go):
//
//	'v' seq(8)        one event record: time(8, Unix ns) + the payload
//	'm' "next-event"  the event sequence's lease (a big-endian uint64)
//	'm' "event-floor" every record below this number was trimmed (uint64)
//
// The payload is opaque to the queue: the gateway encodes its events.
const prefixEvent = 'v'

// eventLeaseSize is how many sequence numbers one write of the event
// sequence's lease covers; after a crash the sequence skips at most this.
const eventLeaseSize = 4096

var (
	eventLeaseKey = []byte{prefixMeta, 'n', 'e', 'x', 't', '-', 'e', 'v', 'e', 'n', 't'}
	eventFloorKey = []byte{prefixMeta, 'e', 'v', 'e', 'n', 't', '-', 'f', 'l', 'o', 'o', 'r'}
)

// EventRecord is one entry of the event log.
type EventRecord struct {
	// Seq is the record's sequence number, from EventLog.Reserve.
	Seq uint64
	// Time is when the event happened; the age window trims by it.
	Time time.Time
	// Data is the encoded event.
	Data []byte
}

// EventLog is the durable, ordered log of the daemon's events, kept for
// clients that reconnect and resume from a sequence number. It hands out
// sequence numbers that strictly increase and are never reused, even after
// a crash (they may skip), and keeps records for a window that Trim
// enforces. Its methods are safe for concurrent use; after the Store is
// closed they return ErrClosed. Open one EventLog per Store.
type EventLog struct {
	st *Store

	mu     sync.Mutex // guards next, leased
	next   uint64     // the next sequence number to hand out
	leased uint64     // every number below leased is covered by the stored lease

	countMu sync.Mutex // guards count, floor
	count   int        // records stored
	floor   uint64     // every record below floor was trimmed
}

// OpenEventLog returns the store's event log. The sequence resumes above
// both the stored lease and the newest stored record.
func (s *Store) OpenEventLog() (*EventLog, error) {
	if err := s.enter(); err != nil {
		return nil, fmt.Errorf("queue: open event log: %w", err)
	}
	defer s.leave()
	l := &EventLog{st: s, next: 1}
	err := s.db.View(func(txn *badger.Txn) error {
		l.count = countPrefix(txn, []byte{prefixEvent})
		lease, err := getUint64(txn, eventLeaseKey)
		if err != nil {
			return err
		}
		l.next = max(l.next, lease)
		if l.floor, err = getUint64(txn, eventFloorKey); err != nil {
			return err
		}
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Reverse = true
		opts.Prefix = []byte{prefixEvent}
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Seek(eventKey(^uint64(0)))
		if it.Valid() {
			l.next = max(l.next, eventSeq(it.Item().Key())+1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue: open event log: %w", err)
	}
	l.leased = l.next
	return l, nil
}

// Reserve hands out n consecutive sequence numbers and returns the first.
// It returns only once they are covered by a committed lease, so that no
// number is handed out twice across restarts.
func (l *EventLog) Reserve(n int) (uint64, error) {
	if n < 1 {
		return 0, fmt.Errorf("queue: reserve %d event numbers: count must be positive", n)
	}
	if err := l.st.enter(); err != nil {
		return 0, fmt.Errorf("queue: reserve event numbers: %w", err)
	}
	defer l.st.leave()
	l.mu.Lock()
	defer l.mu.Unlock()
	end := l.next + uint64(n)
	if end > l.leased {
		lease := end + eventLeaseSize
		err := l.st.db.Update(func(txn *badger.Txn) error {
			return txn.Set(eventLeaseKey, binary.BigEndian.AppendUint64(nil, lease))
		})
		if err != nil {
			return 0, fmt.Errorf("queue: reserve event numbers: %w", err)
		}
		l.leased = lease
	}
	first := l.next
	l.next = end
	return first, nil
}

// Append stores records (sequence numbers from Reserve) and returns once
// they are committed (and synced, unless Options.NoSync). A record whose
// number is stored already is overwritten.
func (l *EventLog) Append(recs []EventRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if err := l.st.enter(); err != nil {
		return fmt.Errorf("queue: append events: %w", err)
	}
	defer l.st.leave()
	wb := l.st.db.NewWriteBatch()
	defer wb.Cancel()
	for _, r := range recs {
		v := make([]byte, 8, 8+len(r.Data))
		binary.BigEndian.PutUint64(v, uint64(r.Time.UnixNano()))
		v = append(v, r.Data...)
		if err := wb.Set(eventKey(r.Seq), v); err != nil {
			return fmt.Errorf("queue: append event %d: %w", r.Seq, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("queue: append %d events: %w", len(recs), err)
	}
	l.countMu.Lock()
	l.count += len(recs)
	l.countMu.Unlock()
	return nil
}

// Read calls fn with every stored record whose number is from or above, in
// ascending order, until fn returns false. The record is fn's to keep.
func (l *EventLog) Read(ctx context.Context, from uint64, fn func(EventRecord) bool) error {
	if err := l.st.enter(); err != nil {
		return fmt.Errorf("queue: read events: %w", err)
	}
	defer l.st.leave()
	err := l.st.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixEvent}
		opts.PrefetchSize = 64
		it := txn.NewIterator(opts)
		defer it.Close()
		n := 0
		for it.Seek(eventKey(from)); it.Valid(); it.Next() {
			if n++; n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, err := decodeEvent(it.Item())
			if err != nil {
				return err
			}
			if !fn(rec) {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue: read events from %d: %w", from, err)
	}
	return nil
}

// Trim deletes the oldest records until at most keep remain (keep <= 0:
// no limit by count) and every record older than before (zero: no limit
// by age). It returns how many records it deleted.
func (l *EventLog) Trim(ctx context.Context, keep int, before time.Time) (int, error) {
	if err := l.st.enter(); err != nil {
		return 0, fmt.Errorf("queue: trim events: %w", err)
	}
	defer l.st.leave()
	excess := 0
	if keep > 0 {
		l.countMu.Lock()
		excess = max(l.count-keep, 0)
		l.countMu.Unlock()
	}
	var doomed [][]byte
	err := l.st.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixEvent}
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if len(doomed)%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if len(doomed) >= excess {
				if before.IsZero() {
					return nil
				}
				rec, err := decodeEvent(it.Item())
				if err != nil {
					return err
				}
				if !rec.Time.Before(before) {
					return nil
				}
			}
			doomed = append(doomed, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue: trim events: %w", err)
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	floor := eventSeq(doomed[len(doomed)-1]) + 1
	wb := l.st.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range doomed {
		if err := wb.Delete(k); err != nil {
			return 0, fmt.Errorf("queue: trim events: %w", err)
		}
	}
	if err := wb.Set(eventFloorKey, binary.BigEndian.AppendUint64(nil, floor)); err != nil {
		return 0, fmt.Errorf("queue: trim events: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return 0, fmt.Errorf("queue: trim %d events: %w", len(doomed), err)
	}
	l.countMu.Lock()
	l.count -= len(doomed)
	l.floor = max(l.floor, floor)
	l.countMu.Unlock()
	return len(doomed), nil
}

// Floor returns the number below which every record was trimmed (0 when
// nothing ever was): a client asking for events below it missed some.
func (l *EventLog) Floor() uint64 {
	l.countMu.Lock()
	defer l.countMu.Unlock()
	return l.floor
}

// Len returns the number of stored records.
func (l *EventLog) Len() int {
	l.countMu.Lock()
	defer l.countMu.Unlock()
	return l.count
}

// getUint64 reads a big-endian uint64 value; 0 when key is absent.
func getUint64(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("%s of %d bytes: %w", key[1:], len(v), errCorrupt)
		}
		n = binary.BigEndian.Uint64(v)
		return nil
	})
	return n, err
}

// eventKey is the key of record seq.
func eventKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixEvent}, seq)
}

// eventSeq is the sequence number of an event key.
func eventSeq(k []byte) uint64 { return binary.BigEndian.Uint64(k[1:]) }

// decodeEvent reads one stored record.
func decodeEvent(item *badger.Item) (EventRecord, error) {
	rec := EventRecord{Seq: eventSeq(item.Key())}
	err := item.Value(func(v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("event %d of %d bytes: %w", rec.Seq, len(v), errCorrupt)
		}
		rec.Time = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		rec.Data = append([]byte(nil), v[8:]...)
		return nil
	})
	return rec, err
}
