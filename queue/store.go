package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options tune Open. The zero value is what the daemon wants.
type Options struct {
	// Logger receives Badger's warnings and errors (its informational
	// messages are dropped) and the store's own; nil means slog.Default().
	Logger *slog.Logger
	// NoSync turns off every fsync. For tests and benchmarks only: without
	// it an acknowledged job survives a crash of the machine.
	NoSync bool
	// FirstID is the smallest job ID handed out (Slurm's FirstJobId); 0
	// means 1. Raising it on an existing store skips ahead; lowering it
	// has no effect, since IDs are never reused.
	FirstID uint32
}

// Badger's tuning: a small footprint first (BenchmarkRSS: a process with
// an empty store open is about 14 MB resident; one that opened a store of
// 100 000 jobs about 50 MB, 160 MB once it holds them all in memory).
// Job records and index entries stay in the LSM tree; blobs, which are
// larger than valueThreshold once compressed, go to the value log, so that
// compactions move only the small values.
const (
	memTableSize   = 8 << 20 // one memtable; a transaction holds at most 15% of it
	blockCacheSize = 8 << 20 // decompressed blocks
	valueThreshold = 1 << 10 // larger values (blobs, mostly) go to the value log
	vlogFileSize   = 16 << 20
	gcInterval     = 10 * time.Minute
	gcDiscardRatio = 0.5
	// memValueThreshold is the largest value of an in-memory store, which
	// has no value log: Badger's limit for the memtable size above.
	memValueThreshold = 1 << 20
)

// stripes is the number of locks that serialize Updates of one job.
const stripes = 64

// Store is the durable set of jobs, in a Badger database that only one
// process may open at a time. All methods are safe for concurrent use;
// after Close they return ErrClosed.
type Store struct {
	db   *badger.DB
	log  *slog.Logger
	lock *os.File // dir's lock file; nil in memory
	seq  *sequence
	// durable makes sync call fsync: set unless Options.NoSync or in memory.
	durable bool

	jobLocks [stripes]sync.Mutex
	active   atomic.Int64
	total    atomic.Int64

	// envMu orders storing blobs that refer to a stored environment
	// (read-locked) before Purge's sweep of the environments no blobs refer
	// to (write-locked; envblobs.go).
	envMu sync.RWMutex

	mu       sync.Mutex // guards closed
	closed   bool
	inflight sync.WaitGroup
	stopGC   chan struct{}
	gcDone   chan struct{}
}

// Open opens the store in dir, creating it (mode 0700) if needed. An
// empty dir opens a new store in memory, for tests, where a value (the
// blobs of a job, compressed) is limited to 1 MB. Open fails with an error
// wrapping ErrLocked when another process has dir open.
func Open(dir string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{log: log, stopGC: make(chan struct{}), gcDone: make(chan struct{})}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("queue: open %s: %w", dir, err)
		}
		lock, err := lockDir(dir)
		if err != nil {
			return nil, fmt.Errorf("queue: open %s: %w", dir, err)
		}
		s.lock = lock
		if err := dropEmptyMemtables(dir, log); err != nil {
			s.unlock()
			return nil, fmt.Errorf("queue: open %s: %w", dir, err)
		}
	}
	db, err := badger.Open(badgerOptions(dir, log))
	if err != nil {
		s.unlock()
		// Badger's own lock (a process other than skyportd) is reported
		// only as text.
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			err = fmt.Errorf("%w: %w", ErrLocked, err)
		}
		return nil, fmt.Errorf("queue: open %s: %w", dir, err)
	}
	s.db = db
	s.durable = !opts.NoSync && dir != ""
	maxID, err := s.load()
	if err == nil {
		s.seq, err = openSequence(db, maxID, opts.FirstID, s.sync)
	}
	if err != nil {
		err = errors.Join(err, db.Close())
		s.unlock()
		return nil, err
	}
	if dir == "" {
		close(s.gcDone)
	} else {
		go s.collectGarbage()
	}
	return s, nil
}

// badgerOptions returns Badger's options for a store in dir.
func badgerOptions(dir string, log *slog.Logger) badger.Options {
	o := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		// Commits are made durable explicitly (Store.sync): most must be,
		// but not the steps a restart can redo (see lazyTransition).
		WithSyncWrites(false).
		WithMetricsEnabled(false).
		WithNumVersionsToKeep(1).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMemTableSize(memTableSize).
		WithNumMemtables(2).
		WithBlockCacheSize(blockCacheSize).
		WithIndexCacheSize(0).
		WithCompression(options.Snappy).
		WithValueLogFileSize(vlogFileSize).
		WithValueThreshold(valueThreshold)
	if dir == "" {
		o = o.WithInMemory(true).WithValueThreshold(memValueThreshold)
	}
	return o
}

// load counts the stored and active jobs and returns the largest job ID.
func (s *Store) load() (maxID uint32, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		s.total.Store(int64(countPrefix(txn, []byte{prefixJob})))
		s.active.Store(int64(countPrefix(txn, []byte{prefixActive})))
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Reverse = true
		opts.Prefix = []byte{prefixJob}
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Seek(jobKey(^uint32(0)))
		if it.Valid() {
			maxID = keyID(it.Item().Key())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue: load: %w", err)
	}
	return maxID, nil
}

// countPrefix returns the number of keys that start with prefix.
func countPrefix(txn *badger.Txn, prefix []byte) int {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	return n
}

// Close waits for the calls in progress, gives back the unused job IDs of
// the sequence's lease, and closes the database. Later calls, Close
// included, return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("queue: close: %w", ErrClosed)
	}
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
	close(s.stopGC)
	<-s.gcDone
	err := errors.Join(s.seq.release(), s.db.Close())
	s.unlock()
	if err != nil {
		return fmt.Errorf("queue: close: %w", err)
	}
	return nil
}

// enter registers a call in progress; every successful enter is paired
// with a leave.
func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.inflight.Add(1)
	return nil
}

func (s *Store) leave() { s.inflight.Done() }

func (s *Store) unlock() {
	if s.lock != nil {
		_ = s.lock.Close() // closing the file releases the lock
		s.lock = nil
	}
}

// collectGarbage rewrites value log files that are mostly garbage (the
// big blobs of purged jobs) until Close.
func (s *Store) collectGarbage() {
	defer close(s.gcDone)
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopGC:
			return
		case <-t.C:
		}
		for {
			err := s.db.RunValueLogGC(gcDiscardRatio)
			if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
				break
			}
			if err != nil {
				s.log.Warn("queue: value log garbage collection", "err", err)
				break
			}
		}
	}
}

// badgerLogger passes Badger's warnings and errors to slog and drops the
// rest.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(format string, args ...any) {
	l.log.Error("badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (l badgerLogger) Warningf(format string, args ...any) {
	l.log.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

// sync makes every commit so far durable: it fsyncs Badger's write-ahead
// log and value log. Badger writes its logs through shared mappings, so a
// commit survives a crash of the process without it; sync is what makes it
// survive a crash of the machine. One sync covers the commits of every
// goroutine before it, so concurrent submissions share the fsyncs.
func (s *Store) sync() error {
	if !s.durable {
		return nil
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// dropEmptyMemtables removes the empty write-ahead log files (*.mem) that
// a process killed while Badger was creating one leaves behind: Badger
// creates the file and sizes it in two steps, and refuses to open a
// directory holding an empty one ("while opening fid: N err: Create a new
// file"). An empty file holds no commit, so nothing is lost.
func dropEmptyMemtables(dir string, log *slog.Logger) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".mem" {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
		log.Warn("removed an empty memtable file left by a crash", "file", e.Name())
	}
	return nil
}
