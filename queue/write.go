package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// maxAttempts bounds the retries of a transaction that lost a conflict.
const maxAttempts = 16

// Submit stores a new job under the next ID of the sequence and returns
// the ID once the record, its blobs and its index entries are committed
// together (and synced, unless Options.NoSync). It sets j.ID, and j.State
// to Pending when empty. On error the job is not stored and j.ID is left
// alone; the ID it would have had is skipped.
func (s *Store) Submit(ctx context.Context, j *Job, b Blobs) (uint32, error) {
	if err := s.enter(); err != nil {
		return 0, fmt.Errorf("queue: submit: %w", err)
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("queue: submit: %w", err)
	}
	if j.State == "" {
		j.State = Pending
	}
	if err := validate(j); err != nil {
		return 0, fmt.Errorf("queue: submit: %w", err)
	}
	id, err := s.seq.reserve(1)
	if err != nil {
		return 0, err
	}
	if err := s.insert(j, id, b, false); err != nil {
		return 0, err
	}
	j.ID = id
	return id, nil
}

// ReserveIDs hands out n consecutive job IDs, never used before and never
// handed out again, and returns the first. Jobs are stored under them with
// Insert; the IDs of a reservation that is not used are simply skipped.
func (s *Store) ReserveIDs(n int) (first uint32, err error) {
	if err := s.enter(); err != nil {
		return 0, fmt.Errorf("queue: reserve job IDs: %w", err)
	}
	defer s.leave()
	return s.seq.reserve(n)
}

// Insert stores job j under j.ID, which must come from ReserveIDs, like
// Submit does for a new ID. It fails with ErrExists when j.ID is already
// stored and ErrInvalidJob when j.ID was never handed out. It sets j.State
// to Pending when empty.
func (s *Store) Insert(ctx context.Context, j *Job, b Blobs) error {
	if err := s.enter(); err != nil {
		return fmt.Errorf("queue: insert job %d: %w", j.ID, err)
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("queue: insert job %d: %w", j.ID, err)
	}
	if j.ID == 0 || uint64(j.ID) >= s.seq.peek() {
		return fmt.Errorf("queue: insert job %d: ID was not reserved: %w", j.ID, ErrInvalidJob)
	}
	if j.State == "" {
		j.State = Pending
	}
	return s.insert(j, j.ID, b, true)
}

// insert commits job j under id with its blobs and index entries. When
// check is set it fails with ErrExists if id is stored.
func (s *Store) insert(j *Job, id uint32, b Blobs, check bool) error {
	rec := *j
	rec.ID = id
	if err := validate(&rec); err != nil {
		return fmt.Errorf("queue: store job %d: %w", id, err)
	}
	val := encodeJob(&rec)
	var blobs *storedBlobs
	if len(b.Script) > 0 || len(b.Env) > 0 {
		sb := encodeStored(b) // envblobs.go
		blobs = &sb
		s.envMu.RLock()
		defer s.envMu.RUnlock()
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.db.Update(func(txn *badger.Txn) error {
			if check {
				_, err := txn.Get(jobKey(id))
				if err == nil {
					return ErrExists
				}
				if !errors.Is(err, badger.ErrKeyNotFound) {
					return err
				}
			}
			if err := txn.Set(jobKey(id), val); err != nil {
				return err
			}
			if blobs != nil {
				if err := putBlobs(txn, id, *blobs); err != nil {
					return err
				}
			}
			for _, k := range indexKeys(&rec) {
				if err := txn.Set(k, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, badger.ErrConflict) || attempt == maxAttempts {
			break
		}
	}
	if err == nil {
		err = s.sync()
	}
	if err != nil {
		return fmt.Errorf("queue: store job %d: %w", id, err)
	}
	s.total.Add(1)
	if !rec.State.Terminal() {
		s.active.Add(1)
	}
	return nil
}

// Update changes job id in one transaction: fn gets a copy of the stored
// job to change, and the result is committed with its index entries and
// made durable, except for the steps of a start that lazyTransition names. Nothing is written when fn fails (its error is returned
// wrapped), when the change of state is illegal (ErrIllegalTransition),
// when the result is invalid (ErrInvalidJob: a changed ID, a final state
// without EndTime) or when fn changed nothing.
//
// Updates of one job are serialized, so callers see one linear history.
// fn may be called more than once (after a conflict with Purge) and must
// change nothing but its argument; it must not call the Store. Update
// returns a copy of the stored job.
func (s *Store) Update(ctx context.Context, id uint32, fn func(j *Job) error) (*Job, error) {
	if err := s.enter(); err != nil {
		return nil, fmt.Errorf("queue: update job %d: %w", id, err)
	}
	defer s.leave()
	mu := &s.jobLocks[id%stripes]
	mu.Lock()
	defer mu.Unlock()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("queue: update job %d: %w", id, err)
		}
		j, wasActive, err := s.update(id, fn)
		if errors.Is(err, badger.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		if isActive := !j.State.Terminal(); isActive != wasActive {
			if isActive {
				s.active.Add(1)
			} else {
				s.active.Add(-1)
			}
		}
		return j, nil
	}
}

// update is one attempt of Update. It returns the stored job and whether
// it was active before.
func (s *Store) update(id uint32, fn func(j *Job) error) (*Job, bool, error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	old, raw, err := getJob(txn, id)
	if err != nil {
		return nil, false, err
	}
	j := old.Clone()
	if err := fn(j); err != nil {
		return nil, false, fmt.Errorf("queue: update job %d: %w", id, err)
	}
	if j.ID != id {
		return nil, false, fmt.Errorf("queue: update job %d: ID changed to %d: %w", id, j.ID, ErrInvalidJob)
	}
	if err := checkTransition(id, old.State, j.State); err != nil {
		return nil, false, err
	}
	if err := validate(j); err != nil {
		return nil, false, fmt.Errorf("queue: update job %d: %w", id, err)
	}
	val := encodeJob(j)
	wasActive := !old.State.Terminal()
	if bytes.Equal(val, raw) {
		return old, wasActive, nil
	}
	// What Update returns is what is stored (times in UTC, say).
	if j, err = decodeJob(val); err != nil {
		return nil, false, fmt.Errorf("queue: update job %d: %w", id, err)
	}
	err = txn.Set(jobKey(id), val)
	del, add := indexDiff(old, j)
	for _, k := range del {
		err = errors.Join(err, txn.Delete(k))
	}
	for _, k := range add {
		err = errors.Join(err, txn.Set(k, nil))
	}
	if err == nil {
		err = txn.Commit()
	}
	if err == nil && !lazyTransition(old.State, j.State) {
		err = s.sync()
	}
	if err != nil {
		return nil, false, fmt.Errorf("queue: update job %d: %w", id, err)
	}
	return j, wasActive, nil
}

// lazyTransition reports whether a change of state (from, to) may be
// committed without an fsync: the steps of a start (PENDING→CONFIGURING→
// RUNNING, with the gate's handle). Should the machine crash before a later
// fsync covers them, the job is found PENDING or CONFIGURING again and
// started again with the same restart count, which a gate's idempotent
// Start (per job ID and restart) turns into the run it already has. A crash
// of the daemon alone loses nothing, synced or not.
func lazyTransition(from, to State) bool {
	return (from == Pending || from == Configuring) && (to == Configuring || to == Running)
}

// validate checks the rules every stored record obeys.
func validate(j *Job) error {
	if !j.State.Valid() {
		return fmt.Errorf("unknown state %q: %w", j.State, ErrInvalidJob)
	}
	if j.State.Terminal() && j.EndTime.IsZero() {
		return fmt.Errorf("state %s without an end time: %w", j.State, ErrInvalidJob)
	}
	return nil
}
