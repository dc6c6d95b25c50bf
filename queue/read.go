package queue

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Get returns a copy of job id, or an error wrapping ErrNotFound.
func (s *Store) Get(id uint32) (*Job, error) {
	if err := s.enter(); err != nil {
		return nil, fmt.Errorf("queue: get job %d: %w", id, err)
	}
	defer s.leave()
	var j *Job
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		j, _, err = getJob(txn, id)
		return err
	})
	return j, err
}

// Blobs returns the script and environment of job id (empty when it was
// submitted without them), or an error wrapping ErrNotFound.
func (s *Store) Blobs(id uint32) (Blobs, error) {
	if err := s.enter(); err != nil {
		return Blobs{}, fmt.Errorf("queue: blobs of job %d: %w", id, err)
	}
	defer s.leave()
	var b Blobs
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(blobsKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			_, err = txn.Get(jobKey(id))
			if errors.Is(err, badger.ErrKeyNotFound) {
				return ErrNotFound
			}
			return err
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			b, err = decodeStored(txn, v) // envblobs.go
			return err
		})
	})
	if err != nil {
		return Blobs{}, fmt.Errorf("queue: blobs of job %d: %w", id, err)
	}
	return b, nil
}

// getJob reads job id in txn and returns it with its stored form.
func getJob(txn *badger.Txn, id uint32) (*Job, []byte, error) {
	item, err := txn.Get(jobKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil, fmt.Errorf("queue: job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("queue: job %d: %w", id, err)
	}
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("queue: job %d: %w", id, err)
	}
	j, err := decodeJob(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("queue: job %d: %w", id, err)
	}
	return j, raw, nil
}

// Active returns every job not in a final state, by ascending ID: what
// the daemon recovers at start. It reads the active index, not every job.
func (s *Store) Active() ([]*Job, error) {
	if err := s.enter(); err != nil {
		return nil, fmt.Errorf("queue: active jobs: %w", err)
	}
	defer s.leave()
	var jobs []*Job
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		jobs, err = readSorted(txn, activeIDs(txn), true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue: active jobs: %w", err)
	}
	return jobs, nil
}

// Recent returns, by ascending ID, every job that is active or ended at
// or after since: what squeue may show right after the daemon starts.
func (s *Store) Recent(since time.Time) ([]*Job, error) {
	if err := s.enter(); err != nil {
		return nil, fmt.Errorf("queue: recent jobs: %w", err)
	}
	defer s.leave()
	var jobs []*Job
	err := s.db.View(func(txn *badger.Txn) error {
		all, err := readSorted(txn, merge(activeIDs(txn), endedSince(txn, since)), true)
		for _, j := range all {
			if !j.State.Terminal() || !j.EndTime.Before(since) {
				jobs = append(jobs, j)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue: recent jobs: %w", err)
	}
	return jobs, nil
}

// Count returns the number of active jobs and of all stored jobs. The
// counts are kept in memory and may lag a commit in progress.
func (s *Store) Count() (active, total int) {
	return int(s.active.Load()), int(s.total.Load())
}

// seekGap is the largest gap between wanted IDs that readSorted steps
// over; it seeks over a larger one.
const seekGap = 32

// readSorted reads the jobs ids (ascending) with one iterator, so that
// each block of records is read once, and returns them in the same order.
// An ID without a record is skipped, or an error when indexed is set
// (the ID came from an index: the index is inconsistent).
func readSorted(txn *badger.Txn, ids []uint32, indexed bool) ([]*Job, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = []byte{prefixJob}
	it := txn.NewIterator(opts)
	defer it.Close()
	jobs := make([]*Job, 0, len(ids))
	it.Rewind()
	for _, id := range ids {
		for gap := 0; it.Valid() && keyID(it.Item().Key()) < id; gap++ {
			if gap == seekGap {
				it.Seek(jobKey(id))
				break
			}
			it.Next()
		}
		if !it.Valid() || keyID(it.Item().Key()) != id {
			if indexed {
				return nil, fmt.Errorf("queue: job %d: indexed but %w", id, ErrNotFound)
			}
			continue
		}
		var j *Job
		err := it.Item().Value(func(v []byte) error {
			var err error
			j, err = decodeJob(v)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("queue: job %d: %w", id, err)
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// activeIDs returns the IDs in the active index, ascending.
func activeIDs(txn *badger.Txn) []uint32 {
	var ids []uint32
	forKeys(txn, []byte{prefixActive}, nil, func(k []byte) bool {
		ids = append(ids, keyID(k))
		return true
	})
	return ids
}

// endedSince returns, ascending, the IDs of the jobs that ended at or
// after since (to the microsecond: callers check the exact time).
func endedSince(txn *badger.Txn, since time.Time) []uint32 {
	var ids []uint32
	forKeys(txn, []byte{prefixEnded}, endedPrefix(since), func(k []byte) bool {
		ids = append(ids, keyID(k))
		return true
	})
	slices.Sort(ids)
	return ids
}

// forKeys calls fn with each key that starts with prefix, from the first
// at or after from (nil: the first), in order, until fn returns false.
// The key is valid only during the call.
func forKeys(txn *badger.Txn, prefix, from []byte, fn func(key []byte) bool) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	if from == nil {
		from = prefix
	}
	for it.Seek(from); it.Valid(); it.Next() {
		if !fn(it.Item().Key()) {
			return
		}
	}
}

// merge returns the union of two ascending ID lists, ascending.
func merge(a, b []uint32) []uint32 {
	out := make([]uint32, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case a[0] > b[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}
