package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// MaxID is the largest job ID the store hands out: one below Slurm's
// default MaxJobId (67043328), the bound of the IDs Slurm itself assigns.
const MaxID = 67043327

// leaseSize is how many IDs one write of the sequence covers. After a
// crash the unused rest of a lease is skipped, so IDs jump by at most this.
const leaseSize = 64

// seqKey holds the sequence's lease: a big-endian uint64 above every job
// ID ever handed out.
var seqKey = []byte{prefixMeta, 'n', 'e', 'x', 't', '-', 'i', 'd'}

// sequence hands out job IDs: strictly increasing, never reused. Before an
// ID is handed out, a lease covering it is committed (synced when the
// store syncs), so that after a crash the sequence resumes above it. It is
// Badger's Sequence with two differences: it can reserve a run of
// consecutive IDs, and it starts at 1, not 0.
type sequence struct {
	mu     sync.Mutex
	db     *badger.DB
	sync   func() error // makes a stored lease durable
	next   uint64       // the next ID to hand out
	leased uint64       // every ID below leased is covered by the stored lease
}

// openSequence resumes the sequence stored in db. It starts above the
// stored lease, above maxID (the largest job ID stored, a safeguard should
// the lease be lost) and at first or above.
func openSequence(db *badger.DB, maxID, first uint32, sync func() error) (*sequence, error) {
	next := max(uint64(maxID)+1, uint64(max(first, 1)))
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(seqKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("sequence value of %d bytes: %w", len(v), errCorrupt)
			}
			next = max(next, binary.BigEndian.Uint64(v))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("queue: read job ID sequence: %w", err)
	}
	return &sequence{db: db, sync: sync, next: next, leased: next}, nil
}

// reserve hands out n consecutive IDs and returns the first. It returns
// only once the IDs are covered by a committed lease.
func (q *sequence) reserve(n int) (uint32, error) {
	if n < 1 {
		return 0, fmt.Errorf("queue: reserve %d job IDs: count must be positive", n)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	end := q.next + uint64(n)
	if end > MaxID+1 {
		return 0, fmt.Errorf("queue: reserve %d job IDs: the sequence is at %d, IDs end at %d",
			n, q.next, MaxID)
	}
	if end > q.leased {
		lease := min(end+leaseSize, MaxID+1)
		if err := q.store(lease); err != nil {
			return 0, fmt.Errorf("queue: reserve %d job IDs: %w", n, err)
		}
		q.leased = lease
	}
	first := q.next
	q.next = end
	return uint32(first), nil
}

// peek returns the next ID reserve would hand out.
func (q *sequence) peek() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.next
}

// release gives back the unused rest of the lease, so that a clean
// shutdown leaves no gap. The sequence stays usable.
func (q *sequence) release() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.leased == q.next {
		return nil
	}
	if err := q.store(q.next); err != nil {
		return fmt.Errorf("queue: release job ID sequence: %w", err)
	}
	q.leased = q.next
	return nil
}

// store commits v as the stored lease and makes it durable.
func (q *sequence) store(v uint64) error {
	err := q.db.Update(func(txn *badger.Txn) error {
		return txn.Set(seqKey, binary.BigEndian.AppendUint64(nil, v))
	})
	if err != nil {
		return err
	}
	return q.sync()
}

// NextID is the job ID the next reservation would hand out (scontrol show
// config's NEXT_JOB_ID).
func (s *Store) NextID() uint32 {
	return uint32(min(s.seq.peek(), 1<<32-1)) //nolint:gosec // bounded above
}
