package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// pageSize is how many jobs Scan and Purge handle per transaction. Scan
// calls its callback between transactions, so a slow reader does not keep
// a transaction open.
const pageSize = 256

// Query selects jobs for Scan (sacct). A zero field selects everything;
// the fields that are set must all match.
type Query struct {
	// IDs selects these jobs and every task of the array jobs among them.
	IDs []uint32
	// From selects the jobs active at From or later: still active, or
	// ended at or after From.
	From time.Time
	// To selects the jobs submitted at or before To.
	To time.Time
	// Users selects the jobs of these user IDs.
	Users []uint32
}

// match reports whether q selects j.
func (q *Query) match(j *Job) bool {
	if len(q.IDs) > 0 && !slices.Contains(q.IDs, j.ID) &&
		(j.ArrayJobID == 0 || !slices.Contains(q.IDs, j.ArrayJobID)) {
		return false
	}
	if !q.From.IsZero() && j.State.Terminal() && j.EndTime.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && j.SubmitTime.After(q.To) {
		return false
	}
	return len(q.Users) == 0 || slices.Contains(q.Users, j.UID)
}

// Scan calls fn with each job q selects, by ascending ID, until fn returns
// false. Jobs come from the indexes when q has IDs or From; only a query
// with neither reads every job. Each job is read once, but the jobs are
// not one snapshot: a job changed during the scan may be seen before or
// after the change, and one purged may be missing. fn is called outside
// any transaction and may call the Store, except Close.
func (s *Store) Scan(ctx context.Context, q Query, fn func(*Job) bool) error {
	if err := s.enter(); err != nil {
		return fmt.Errorf("queue: scan: %w", err)
	}
	defer s.leave()
	var ids []uint32
	full := len(q.IDs) == 0 && q.From.IsZero()
	if !full {
		err := s.db.View(func(txn *badger.Txn) error {
			ids = candidates(txn, &q)
			return nil
		})
		if err != nil {
			return fmt.Errorf("queue: scan: %w", err)
		}
	}
	var next uint32 // the first ID of the next page of a full scan
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("queue: scan: %w", err)
		}
		var page []*Job
		err := s.db.View(func(txn *badger.Txn) error {
			var err error
			if full {
				page, err = readFrom(txn, next, pageSize)
				return err
			}
			n := min(pageSize, len(ids))
			page, err = readSorted(txn, ids[:n], false)
			ids = ids[n:]
			return err
		})
		if err != nil {
			return fmt.Errorf("queue: scan: %w", err)
		}
		for _, j := range page {
			if q.match(j) && !fn(j) {
				return nil
			}
		}
		if full {
			if len(page) < pageSize || page[len(page)-1].ID == ^uint32(0) {
				return nil
			}
			next = page[len(page)-1].ID + 1
		} else if len(ids) == 0 {
			return nil
		}
	}
}

// candidates returns, ascending, the IDs of a superset of the jobs q
// selects, found with the indexes; q has IDs or From.
func candidates(txn *badger.Txn, q *Query) []uint32 {
	if len(q.IDs) == 0 {
		return merge(activeIDs(txn), endedSince(txn, q.From))
	}
	ids := slices.Clone(q.IDs)
	for _, a := range q.IDs {
		forKeys(txn, idKey(prefixArray, a), nil, func(k []byte) bool {
			ids = append(ids, keyID(k))
			return true
		})
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// readFrom returns up to n jobs by ascending ID, from ID first on.
func readFrom(txn *badger.Txn, first uint32, n int) ([]*Job, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchSize = min(n, opts.PrefetchSize)
	opts.Prefix = []byte{prefixJob}
	it := txn.NewIterator(opts)
	defer it.Close()
	var jobs []*Job
	for it.Seek(jobKey(first)); it.Valid() && len(jobs) < n; it.Next() {
		var j *Job
		err := it.Item().Value(func(v []byte) error {
			var err error
			j, err = decodeJob(v)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("queue: job %d: %w", keyID(it.Item().Key()), err)
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// Purge deletes every job in a final state that ended before cutoff: its
// record, blobs and index entries, and the stored environments no job
// refers to any more. It returns how many it deleted, also
// when ctx ends it early. Jobs are deleted a page per transaction, so an
// error leaves the earlier pages deleted.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	if err := s.enter(); err != nil {
		return 0, fmt.Errorf("queue: purge: %w", err)
	}
	defer s.leave()
	// Index entries up to end holds every job that ended before cutoff (and
	// maybe a few in cutoff's microsecond, which purgePage skips).
	end := endedKey(cutoff, ^uint32(0))
	from := []byte{prefixEnded}
	deleted := 0
	for {
		if err := ctx.Err(); err != nil {
			return deleted, fmt.Errorf("queue: purge: %w", err)
		}
		var ids []uint32
		err := s.db.View(func(txn *badger.Txn) error {
			forKeys(txn, []byte{prefixEnded}, from, func(k []byte) bool {
				if string(k) > string(end) || len(ids) == pageSize {
					return false
				}
				ids = append(ids, keyID(k))
				from = append(slices.Clone(k), 0) // the next key after k
				return true
			})
			return nil
		})
		if err == nil && len(ids) == 0 {
			return deleted, s.sweepAfterPurge(deleted)
		}
		n := 0
		for attempt := 1; err == nil; attempt++ {
			n, err = s.purgePage(ids, cutoff)
			if !errors.Is(err, badger.ErrConflict) || attempt == maxAttempts {
				break
			}
		}
		if err != nil {
			return deleted, fmt.Errorf("queue: purge: %w", err)
		}
		deleted += n
		s.total.Add(int64(-n))
	}
}

// sweepAfterPurge deletes the environments only purged jobs referred to,
// when Purge deleted any job.
func (s *Store) sweepAfterPurge(deleted int) error {
	if deleted == 0 {
		return nil
	}
	s.envMu.Lock()
	defer s.envMu.Unlock()
	if _, err := s.sweepEnvs(); err != nil { // envblobs.go
		return fmt.Errorf("queue: purge: environments: %w", err)
	}
	return nil
}

// purgePage deletes, in one transaction, the jobs among ids that are in a
// final state and ended before cutoff, and returns how many.
func (s *Store) purgePage(ids []uint32, cutoff time.Time) (int, error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	n := 0
	for _, id := range ids {
		j, _, err := getJob(txn, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if !j.State.Terminal() || !j.EndTime.Before(cutoff) {
			continue
		}
		err = errors.Join(txn.Delete(jobKey(id)), txn.Delete(blobsKey(id)))
		for _, k := range indexKeys(j) {
			err = errors.Join(err, txn.Delete(k))
		}
		if err != nil {
			return 0, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, txn.Commit()
}
