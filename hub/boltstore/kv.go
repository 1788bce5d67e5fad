package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// expiredPurge bounds how many expired entries one PutIfAbsent removes from the file.
const expiredPurge = 64

// Get implements kv.Store.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV).Bucket([]byte(bucket))
		if b == nil {
			return notFound(bucket, key)
		}
		v, ok := liveValue(b.Get([]byte(key)), time.Now())
		if !ok {
			return notFound(bucket, key)
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// Put implements kv.Store. The key no longer expires.
func (s *Store) Put(ctx context.Context, bucket, key string, value []byte) error {
	if err := checkBucketKey(bucket, key); err != nil {
		return err
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		b, exp, err := kvBuckets(tx, bucket)
		if err != nil {
			return err
		}
		if err := unindexExpiry(b, exp, key); err != nil {
			return err
		}
		return b.Put([]byte(key), encodeValue(value, time.Time{}))
	})
}

// PutIfAbsent implements kv.Store. Writers are serialised by bbolt, so exactly one caller
// wins.
func (s *Store) PutIfAbsent(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkBucketKey(bucket, key); err != nil {
		return false, err
	}
	if ttl < 0 {
		return false, fmt.Errorf("boltstore: negative ttl %v", ttl)
	}
	won := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		won = false // this function may run again after a rolled-back group
		b, exp, err := kvBuckets(tx, bucket)
		if err != nil {
			return err
		}
		now := time.Now()
		if err := purgeExpired(b, exp, now); err != nil {
			return err
		}
		if _, ok := liveValue(b.Get([]byte(key)), now); ok {
			return nil
		}
		if err := unindexExpiry(b, exp, key); err != nil {
			return err
		}
		var expires time.Time
		if ttl > 0 {
			expires = now.Add(ttl)
			if err := exp.Put(expiryKey(expires, key), nil); err != nil {
				return err
			}
		}
		won = true
		return b.Put([]byte(key), encodeValue(value, expires))
	})
	if err != nil {
		return false, err
	}
	return won, nil
}

// Delete implements kv.Store.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV).Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		if err := unindexExpiry(b, tx.Bucket(bucketKVExp).Bucket([]byte(bucket)), key); err != nil {
			return err
		}
		return b.Delete([]byte(key))
	})
}

// List implements kv.Store.
func (s *Store) List(ctx context.Context, bucket string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV).Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		now := time.Now()
		return b.ForEach(func(k, v []byte) error {
			if val, ok := liveValue(v, now); ok {
				out[string(k)] = bytes.Clone(val)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendLog implements kv.Store.
func (s *Store) AppendLog(ctx context.Context, name string, data []byte) (uint64, error) {
	seqs, err := s.AppendLogs(ctx, []string{name}, data)
	if err != nil {
		return 0, err
	}
	return seqs[0], nil
}

// AppendLogs implements kv.Store: one transaction for all the logs.
func (s *Store) AppendLogs(ctx context.Context, names []string, data []byte) ([]uint64, error) {
	for _, name := range names {
		if name == "" {
			return nil, errors.New("boltstore: log name is empty")
		}
	}
	seqs := make([]uint64, len(names))
	err := s.update(ctx, func(tx *bolt.Tx) error {
		for i, name := range names {
			b, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists([]byte(name))
			if err != nil {
				return err
			}
			if seqs[i], err = b.NextSequence(); err != nil {
				return err
			}
			if err := b.Put(seqKey(seqs[i]), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seqs, nil
}

// ReadLog implements kv.Store.
func (s *Store) ReadLog(ctx context.Context, name string, after uint64, limit int) ([]kv.Entry, error) {
	var out []kv.Entry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLogs).Bucket([]byte(name))
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		for k, v := cur.Seek(seqKey(after + 1)); k != nil; k, v = cur.Next() {
			if limit > 0 && len(out) >= limit {
				break
			}
			out = append(out, kv.Entry{Seq: binary.BigEndian.Uint64(k), Data: bytes.Clone(v)})
		}
		return nil
	})
	return out, err
}

// Publish implements kv.Store: it reaches the subscribers of every Store of this process on
// the same file.
func (s *Store) Publish(ctx context.Context, channel string, msg []byte) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	s.f.fan.publish(channel, bytes.Clone(msg))
	return nil
}

// Subscribe implements kv.Store. fn is called from one goroutine per subscription.
func (s *Store) Subscribe(ctx context.Context, channel string, fn func(msg []byte)) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	msgs, stop := s.f.fan.subscribe(channel)
	err := s.start(func() {
		defer stop()
		for {
			select {
			case msg := <-msgs:
				fn(msg)
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
	})
	if err != nil {
		stop()
	}
	return err
}

func notFound(bucket, key string) error {
	return fmt.Errorf("boltstore: %s/%s: %w", bucket, key, kv.ErrNotFound)
}

func checkBucketKey(bucket, key string) error {
	if bucket == "" || key == "" {
		return errors.New("boltstore: bucket and key must not be empty")
	}
	return nil
}

func kvBuckets(tx *bolt.Tx, bucket string) (values, expiries *bolt.Bucket, err error) {
	if values, err = tx.Bucket(bucketKV).CreateBucketIfNotExists([]byte(bucket)); err != nil {
		return nil, nil, err
	}
	if expiries, err = tx.Bucket(bucketKVExp).CreateBucketIfNotExists([]byte(bucket)); err != nil {
		return nil, nil, err
	}
	return values, expiries, nil
}

// encodeValue prefixes value with its expiry (zero: never).
func encodeValue(value []byte, expires time.Time) []byte {
	v := make([]byte, 8, 8+len(value))
	if !expires.IsZero() {
		binary.BigEndian.PutUint64(v, uint64(expires.UnixNano()))
	}
	return append(v, value...)
}

// liveValue returns the value stored in v unless it is missing or expired at now.
func liveValue(v []byte, now time.Time) ([]byte, bool) {
	if len(v) < 8 {
		return nil, false
	}
	if exp := binary.BigEndian.Uint64(v); exp != 0 && exp <= uint64(now.UnixNano()) {
		return nil, false
	}
	return v[8:], true
}

func expiryKey(expires time.Time, key string) []byte {
	k := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(k, uint64(expires.UnixNano()))
	return append(k, key...)
}

// unindexExpiry removes key's entry from the expiry index, if it has one.
func unindexExpiry(values, expiries *bolt.Bucket, key string) error {
	v := values.Get([]byte(key))
	if expiries == nil || len(v) < 8 || binary.BigEndian.Uint64(v) == 0 {
		return nil
	}
	return expiries.Delete(append(bytes.Clone(v[:8]), key...))
}

// purgeExpired removes up to expiredPurge entries that expired before now.
func purgeExpired(values, expiries *bolt.Bucket, now time.Time) error {
	var dead [][]byte
	cur := expiries.Cursor()
	for k, _ := cur.First(); k != nil && len(dead) < expiredPurge; k, _ = cur.Next() {
		if len(k) < 8 || binary.BigEndian.Uint64(k) > uint64(now.UnixNano()) {
			break
		}
		dead = append(dead, bytes.Clone(k))
	}
	for _, k := range dead {
		if err := expiries.Delete(k); err != nil {
			return err
		}
		if err := values.Delete(k[8:]); err != nil {
			return err
		}
	}
	return nil
}
