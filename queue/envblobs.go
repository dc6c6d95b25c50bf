package queue

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// A job's environment is most of its blobs (a shell's is one to a few
// kilobytes, its script often tens of bytes), and the jobs one shell
// submits share it. So the environment is stored once, under the hash of
// its encoding, and the blobs refer to it:
//
//	'n' hash(16)   formatEnv, or formatEnvFlate and the rest compressed:
//	               uvarint(len(Env)) { uvarint(len(e)) e }
//	'b' id(4)      formatBlobsEnv hash(16), or formatBlobsEnvFlate hash(16)
//	               and the rest compressed:
//	               uvarint(len(Script)) Script [uvarint(len(Options)) Options]
//
// The hash is outside the compressed part, so that Purge finds the
// environments still referred to without decompressing anything. Blobs
// without an environment keep formatBlobs (codec.go), which decodeStored
// also reads, as it reads every blobs value older versions wrote.
const (
	formatBlobsEnv      = 3
	formatBlobsEnvFlate = 4
	formatEnv           = 1
	formatEnvFlate      = 2
)

// prefixEnv is the key prefix of stored environments.
const prefixEnv = 'n'

// envHashSize is the length of the hash naming a stored environment: 128
// bits of SHA-256, which no two environments share by chance.
const envHashSize = 16

// envKey is the key of the environment whose hash is h.
func envKey(h []byte) []byte { return append([]byte{prefixEnv}, h...) }

// storedBlobs is the stored form of a job's blobs: the value under its
// 'b' key and, when it has an environment, the environment's key and
// value, to be written unless stored already.
type storedBlobs struct {
	blobs    []byte
	envKey   []byte // nil: no environment
	envValue []byte
}

// encodeStored returns the stored form of b.
func encodeStored(b Blobs) storedBlobs {
	if len(b.Env) == 0 {
		return storedBlobs{blobs: encodeBlobs(b)}
	}
	var env []byte
	env = binary.AppendUvarint(env, uint64(len(b.Env)))
	for _, e := range b.Env {
		env = binary.AppendUvarint(env, uint64(len(e)))
		env = append(env, e...)
	}
	sum := sha256.Sum256(env)
	h := sum[:envHashSize]

	body := binary.AppendUvarint(nil, uint64(len(b.Script)))
	body = append(body, b.Script...)
	if len(b.Options) > 0 {
		body = binary.AppendUvarint(body, uint64(len(b.Options)))
		body = append(body, b.Options...)
	}
	return storedBlobs{
		blobs:    compressed(formatBlobsEnv, formatBlobsEnvFlate, h, body),
		envKey:   envKey(h),
		envValue: compressed(formatEnv, formatEnvFlate, nil, env),
	}
}

// compressed is format, head and body, or flateFormat, head and body
// compressed when that saves at least an eighth.
func compressed(format, flateFormat byte, head, body []byte) []byte {
	if len(body) >= minCompress {
		if c := deflate(body); len(c) < len(body)-len(body)/8 {
			return append(append([]byte{flateFormat}, head...), c...)
		}
	}
	return append(append([]byte{format}, head...), body...)
}

// blobsEnvHash returns the hash of the environment a stored blobs value
// refers to, nil when it has none of its own (an older format).
func blobsEnvHash(data []byte) []byte {
	if len(data) < 1+envHashSize || data[0] != formatBlobsEnv && data[0] != formatBlobsEnvFlate {
		return nil
	}
	return data[1 : 1+envHashSize]
}

// decodeStored parses a stored blobs value of any format, reading the
// environment it refers to in txn.
func decodeStored(txn *badger.Txn, data []byte) (Blobs, error) {
	h := blobsEnvHash(data)
	if h == nil {
		return decodeBlobs(data)
	}
	body := data[1+envHashSize:]
	if data[0] == formatBlobsEnvFlate {
		var err error
		if body, err = inflate(body); err != nil {
			return Blobs{}, fmt.Errorf("queue: decode blobs: %w: %w", errCorrupt, err)
		}
	}
	var b Blobs
	r := reader{data: body}
	if script := r.bytes(); len(script) > 0 {
		b.Script = append([]byte(nil), script...)
	}
	readOptions(&r, &b)
	if r.err != nil {
		return Blobs{}, fmt.Errorf("queue: decode blobs: %w", r.err)
	}
	item, err := txn.Get(envKey(h))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Blobs{}, fmt.Errorf("queue: decode blobs: environment %x missing: %w", h, errCorrupt)
	}
	if err != nil {
		return Blobs{}, fmt.Errorf("queue: decode blobs: %w", err)
	}
	err = item.Value(func(v []byte) error {
		b.Env, err = decodeEnv(v)
		return err
	})
	return b, err
}

// decodeEnv parses a stored environment.
func decodeEnv(data []byte) ([]string, error) {
	body, err := unwrapFormat(data, formatEnv, formatEnvFlate, "environment")
	if err != nil {
		return nil, err
	}
	r := reader{data: body}
	n := r.uvarint()
	// Every entry takes at least one byte: a larger count is corrupt, and
	// checking it first bounds the allocation below.
	if n > uint64(len(r.data)) {
		r.fail()
	}
	var env []string
	if r.err == nil && n > 0 {
		env = make([]string, n)
		for i := range env {
			env[i] = string(r.bytes())
		}
	}
	if r.err == nil && len(r.data) > 0 {
		r.fail()
	}
	if r.err != nil {
		return nil, fmt.Errorf("queue: decode environment: %w", r.err)
	}
	return env, nil
}

// putBlobs writes job id's blobs in txn, and their environment unless it
// is stored already. Reading the environment's key makes a transaction
// that stores the same new environment at the same time conflict, so it
// is written once; the caller holds s.envMu for reading, so that Purge
// does not remove the environment before the job that refers to it is
// committed.
func putBlobs(txn *badger.Txn, id uint32, sb storedBlobs) error {
	if sb.envKey != nil {
		_, err := txn.Get(sb.envKey)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			if err := txn.Set(sb.envKey, sb.envValue); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	return txn.Set(blobsKey(id), sb.blobs)
}

// sweepEnvs deletes the stored environments no blobs refer to any more
// and returns how many. The caller holds s.envMu for writing: no job that
// refers to an environment is being stored meanwhile.
func (s *Store) sweepEnvs() (int, error) {
	used := map[string]bool{}
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixBlobs}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				if h := blobsEnvHash(v); h != nil {
					used[string(h)] = true
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var unused [][]byte
	err = s.db.View(func(txn *badger.Txn) error {
		forKeys(txn, []byte{prefixEnv}, nil, func(k []byte) bool {
			if !used[string(k[1:])] {
				unused = append(unused, append([]byte(nil), k...))
			}
			return true
		})
		return nil
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for len(unused) > 0 {
		page := unused[:min(len(unused), pageSize)]
		err := s.db.Update(func(txn *badger.Txn) error {
			for _, k := range page {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		deleted += len(page)
		unused = unused[len(page):]
	}
	return deleted, nil
}
