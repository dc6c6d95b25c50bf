package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// shellEnv is an environment as a shell hands it on: a few dozen
// variables, a kilobyte and a half.
func shellEnv(tag string) []string {
	env := []string{"TAG=" + tag, "HOME=/home/u", "SHELL=/bin/bash", "LANG=C.UTF-8"}
	for i := range 36 {
		env = append(env, fmt.Sprintf("VAR_%02d=%s", i, bytes.Repeat([]byte{'a' + byte(i%26)}, 30)))
	}
	return env
}

// envKeys returns the hashes of the stored environments.
func envKeys(t *testing.T, s *Store) []string {
	t.Helper()
	var keys []string
	err := s.db.View(func(txn *badger.Txn) error {
		forKeys(txn, []byte{prefixEnv}, nil, func(k []byte) bool {
			keys = append(keys, fmt.Sprintf("%x", k[1:]))
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestEnvStoredOnce(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.open(t)
			a, b := shellEnv("a"), shellEnv("b")
			in := map[uint32]Blobs{}
			for i, env := range [][]string{a, a, b, a, {"ONLY=1"}} {
				bl := Blobs{Script: []byte(fmt.Sprintf("#!/bin/sh\necho %d\n", i)), Env: env, Options: []byte(`{"i":1}`)}
				in[submit(t, s, newJob("env", 1), bl)] = bl
			}
			in[submit(t, s, newJob("no env", 1), Blobs{Script: []byte("true")})] = Blobs{Script: []byte("true")}
			if keys := envKeys(t, s); len(keys) != 3 {
				t.Errorf("%d environments stored for 3 distinct ones: %v", len(keys), keys)
			}
			for id, want := range in {
				got, err := s.Blobs(id)
				if err != nil {
					t.Fatalf("job %d: %v", id, err)
				}
				if !bytes.Equal(got.Script, want.Script) || !slices.Equal(got.Env, want.Env) || !bytes.Equal(got.Options, want.Options) {
					t.Errorf("job %d: blobs %q %q %q, want %q %q %q", id, got.Script, got.Env, got.Options, want.Script, want.Env, want.Options)
				}
			}
		})
	}
}

func TestEncodeStoredFormats(t *testing.T) {
	t.Parallel()
	small := encodeStored(Blobs{Script: []byte("true"), Env: []string{"A=1"}})
	if small.blobs[0] != formatBlobsEnv || small.envValue[0] != formatEnv {
		t.Errorf("small blobs: formats %d and %d, want %d and %d", small.blobs[0], small.envValue[0], formatBlobsEnv, formatEnv)
	}
	big := encodeStored(Blobs{Script: bytes.Repeat([]byte("echo hello\n"), 100), Env: shellEnv("x")})
	if big.blobs[0] != formatBlobsEnvFlate || big.envValue[0] != formatEnvFlate {
		t.Errorf("large blobs: formats %d and %d, want %d and %d", big.blobs[0], big.envValue[0], formatBlobsEnvFlate, formatEnvFlate)
	}
	if !bytes.Equal(blobsEnvHash(big.blobs), big.envKey[1:]) {
		t.Error("blobs do not name their environment's key")
	}
	same := encodeStored(Blobs{Script: []byte("other"), Env: shellEnv("x")})
	if !bytes.Equal(same.envKey, big.envKey) {
		t.Error("one environment, two keys")
	}
	if none := encodeStored(Blobs{Script: []byte("true")}); none.envKey != nil || none.blobs[0] != formatBlobs {
		t.Errorf("blobs without environment: key %x, format %d", none.envKey, none.blobs[0])
	}
}

// TestBlobsOlderFormatsRead: blobs an older version stored whole are read
// as they were.
func TestBlobsOlderFormatsRead(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	id := submit(t, s, newJob("old", 1), Blobs{})
	want := Blobs{Script: []byte("#!/bin/sh\n"), Env: shellEnv("old"), Options: []byte(`{}`)}
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(blobsKey(id), encodeBlobs(want)) })
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Blobs(id)
	if err != nil || !bytes.Equal(got.Script, want.Script) || !slices.Equal(got.Env, want.Env) || !bytes.Equal(got.Options, want.Options) {
		t.Errorf("Blobs = %+v, %v", got, err)
	}
}

func TestBlobsMissingEnvIsCorrupt(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	id := submit(t, s, newJob("x", 1), Blobs{Script: []byte("true"), Env: shellEnv("gone")})
	keys := envKeys(t, s)
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(envKey(mustHex(t, keys[0]))) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Blobs(id); !errors.Is(err, errCorrupt) {
		t.Errorf("Blobs without its environment = %v, want errCorrupt", err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPurgeSweepsEnvs(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	ctx := t.Context()
	ended := func(j *Job) error { j.State, j.EndTime = Cancelled, t0; return nil }
	gone := submit(t, s, newJob("gone", 1), Blobs{Script: []byte("1"), Env: shellEnv("gone")})
	shared := submit(t, s, newJob("shared, purged", 1), Blobs{Script: []byte("2"), Env: shellEnv("shared")})
	kept := submit(t, s, newJob("shared, kept", 1), Blobs{Script: []byte("3"), Env: shellEnv("shared")})
	for _, id := range []uint32{gone, shared} {
		if _, err := s.Update(ctx, id, ended); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Purge(ctx, t0.Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	want := encodeStored(Blobs{Env: shellEnv("shared")}).envKey
	if keys := envKeys(t, s); len(keys) != 1 || keys[0] != fmt.Sprintf("%x", want[1:]) {
		t.Errorf("environments after Purge: %v, want only the kept job's", keys)
	}
	if b, err := s.Blobs(kept); err != nil || !slices.Equal(b.Env, shellEnv("shared")) {
		t.Errorf("kept job's blobs: %v", err)
	}
}

// TestEnvConcurrentSubmitAndPurge submits jobs with the same environments
// from several goroutines while others purge: every job left reads its
// environment back, and each environment is stored once.
func TestEnvConcurrentSubmitAndPurge(t *testing.T) {
	t.Parallel()
	s := openMem(t)
	ctx := t.Context()
	ended := func(j *Job) error { j.State, j.EndTime = Cancelled, t0; return nil }
	var wg sync.WaitGroup
	var mu sync.Mutex
	live := map[uint32]string{}
	for w := range 4 {
		wg.Go(func() {
			for i := range 40 {
				tag := fmt.Sprint(i % 3)
				id, err := s.Submit(context.Background(), newJob("c", 1), Blobs{Script: []byte("x"), Env: shellEnv(tag)})
				if err != nil {
					t.Error(err)
					return
				}
				if (i+w)%2 == 0 { // half of them end and get purged
					if _, err := s.Update(context.Background(), id, ended); err != nil {
						t.Error(err)
					}
					continue
				}
				mu.Lock()
				live[id] = tag
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := s.Purge(ctx, t0.Add(time.Hour)); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	for id, tag := range live {
		if b, err := s.Blobs(id); err != nil || !slices.Equal(b.Env, shellEnv(tag)) {
			t.Errorf("job %d: %v", id, err)
		}
	}
	if keys := envKeys(t, s); len(keys) > 3 {
		t.Errorf("%d environments stored for 3 distinct ones", len(keys))
	}
}

func FuzzDecodeEnv(f *testing.F) {
	f.Add(encodeStored(Blobs{Env: []string{"A=1", ""}}).envValue)
	f.Add(encodeStored(Blobs{Env: shellEnv("f")}).envValue)
	f.Add([]byte{formatEnv, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := decodeEnv(data)
		if err != nil {
			return
		}
		if again, err := decodeEnv(encodeStored(Blobs{Env: env}).envValue); err != nil || !slices.Equal(again, env) && len(env) > 0 {
			t.Fatalf("round trip of %q: %q, %v", env, again, err)
		}
	})
}
