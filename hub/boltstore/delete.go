package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// DeleteCase implements hub.Store: the case's bucket (its log and command ids) goes in one
// transaction, and its presence entries from memory. bbolt keeps the freed pages in the file
// until they are reused; Compact writes a copy without them.
func (s *Store) DeleteCase(ctx context.Context, caseID string) error {
	if caseID == "" {
		return errors.New("boltstore: delete needs a case id")
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketCases).DeleteBucket([]byte(caseID))
		if errors.Is(err, berrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	p := s.f.presence
	p.mu.Lock()
	delete(p.cases, caseID)
	p.mu.Unlock()
	return nil
}

// DeleteBucket implements kv.Store.
func (s *Store) DeleteBucket(ctx context.Context, bucket string) error {
	if bucket == "" {
		return errors.New("boltstore: bucket must not be empty")
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		for _, top := range [][]byte{bucketKV, bucketKVExp} {
			if err := tx.Bucket(top).DeleteBucket([]byte(bucket)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
}

// AppendLogAt implements kv.Store.
func (s *Store) AppendLogAt(ctx context.Context, name string, seq uint64, entries [][]byte) error {
	if name == "" || seq == 0 || len(entries) == 0 {
		return errors.New("boltstore: append needs a log name, a sequence and entries")
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		if last := lastSeq(b); last != seq-1 {
			return fmt.Errorf("boltstore: log %q is at %d, expected %d: %w", name, last, seq-1, kv.ErrConflict)
		}
		for i, data := range entries {
			if err := b.Put(seqKey(seq+uint64(i)), data); err != nil {
				return err
			}
		}
		return b.SetSequence(seq + uint64(len(entries)) - 1) // AppendLog goes on from here
	})
}

// LastLog implements kv.Store.
func (s *Store) LastLog(ctx context.Context, name string) (kv.Entry, error) {
	var out kv.Entry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLogs).Bucket([]byte(name))
		if b == nil {
			return nil
		}
		if k, v := b.Cursor().Last(); k != nil {
			out = kv.Entry{Seq: binary.BigEndian.Uint64(k), Data: bytes.Clone(v)}
		}
		return nil
	})
	return out, err
}

// TrimLog implements kv.Store. The log's sequence counter is kept, so AppendLog goes on after
// the last entry.
func (s *Store) TrimLog(ctx context.Context, name string, through uint64) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLogs).Bucket([]byte(name))
		if b == nil {
			return nil
		}
		last := lastSeq(b)
		var dead [][]byte
		cur := b.Cursor()
		for k, _ := cur.First(); k != nil; k, _ = cur.Next() {
			seq := binary.BigEndian.Uint64(k)
			if seq > through || seq == last {
				break
			}
			dead = append(dead, bytes.Clone(k))
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Compact writes a copy of the bbolt file at src to dst without free pages: what deletions
// freed (still readable in src with a file viewer until bbolt reuses the page) is not in dst.
// src must not be open in this process; dst must not exist. An operator swaps dst in while
// Tafel is stopped (docs/stores.md, "Deletion").
func Compact(dst, src string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("boltstore: compact: %s exists", dst)
	}
	in, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: openTimeout})
	if err != nil {
		return fmt.Errorf("boltstore: compact: open %s: %w", src, err)
	}
	defer in.Close()
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: openTimeout})
	if err != nil {
		return fmt.Errorf("boltstore: compact: create %s: %w", dst, err)
	}
	if err := bolt.Compact(out, in, 1<<20); err != nil {
		_ = out.Close()
		return fmt.Errorf("boltstore: compact: %w", err)
	}
	return out.Close()
}
