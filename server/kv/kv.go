// Package kv is the server's storage contract: the small shared key-value store that accounts,
// invitations, session revocations, the case index and the access log live in. It is owned by
// its consumer, package server, as database/sql/driver is owned by database/sql, and imports
// nothing of it: the stores (hub/boltstore, hub/redisstore) and their conformance suite
// (hub/storetest) import this leaf instead of the whole server.
package kv

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) by KV reads of a key that does not exist.
var ErrNotFound = errors.New("kv: not found")

// ErrConflict is returned (wrapped) by AppendLogAt when the log's last entry is not the one
// the caller expected: someone else appended first. The caller reads the last entry again.
var ErrConflict = errors.New("kv: the log moved on")

// Entry is one entry of an append-only KV log.
type Entry struct {
	// Seq is the 1-based position in the log.
	Seq uint64
	// Data is the stored entry.
	Data []byte
}

// LogWrite is an AppendLogAt that goes with another write: Entries appended to log Name as
// entries Seq, Seq+1, …, provided the log's last entry is Seq-1. The hub's stores take such
// writes with a batch of case events (hub.LogAppender), so that the access-log entries of the
// batch's changes are written in the same write as the changes themselves.
type LogWrite struct {
	Name    string
	Seq     uint64 // 0: where the log ends, only by Relink
	Entries [][]byte
	// Relink, when set, makes the entries anew for a log that does not end at Seq-1 (or for
	// Seq 0), from the log's last entry (Seq 0 when the log is empty): a store that reads and
	// writes in one transaction (bbolt) calls it inside the write and appends what it returns
	// after that last entry (nothing, when it returns none). A store that cannot (Redis) makes
	// no such write.
	Relink func(last Entry) [][]byte
}

// Check reports whether w can be written: it names its log, and has a sequence and entries or
// a Relink.
func (w LogWrite) Check() error {
	if w.Name == "" || (w.Relink == nil && (w.Seq == 0 || len(w.Entries) == 0)) {
		return errors.New("a log write needs a log name, and a sequence and entries or a relink")
	}
	return nil
}

// Store is the small shared key-value store the server keeps accounts, invitations, session
// revocations, the case index and the access log in. The embedded store (bbolt) and the Redis
// store implement it, so that several instances share one directory. Every implementation
// passes hub/storetest.RunKV.
type Store interface {
	// Get returns the value of key in bucket, or an error wrapping ErrNotFound.
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// Put sets key in bucket to value.
	Put(ctx context.Context, bucket, key string, value []byte) error
	// PutIfAbsent sets key only when it does not exist (or has expired) and reports whether it
	// did. ttl > 0 lets the key expire. Across instances exactly one caller wins for a key: this
	// is how an invitation is spent once.
	PutIfAbsent(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key from bucket (no error when absent).
	Delete(ctx context.Context, bucket, key string) error
	// List returns every key and value of bucket.
	List(ctx context.Context, bucket string) (map[string][]byte, error)
	// DeleteBucket removes bucket with every key in it (no error when absent). It is how the
	// records of a deleted case leave the store.
	DeleteBucket(ctx context.Context, bucket string) error
	// AppendLog appends data to the append-only log name and returns its sequence. Entries are
	// never changed; only TrimLog removes the oldest.
	AppendLog(ctx context.Context, name string, data []byte) (uint64, error)
	// AppendLogAt appends entries to log name as entries seq, seq+1, …, in one write,
	// provided the log's last entry is seq-1 (seq 1: the log is empty); otherwise it appends
	// nothing and returns an error wrapping ErrConflict. A hash chain over a log (the access
	// log) is built with it: the caller links the new entries to the last one it read.
	AppendLogAt(ctx context.Context, name string, seq uint64, entries [][]byte) error
	// LastLog returns the last entry of log name (Seq 0 when the log has none).
	LastLog(ctx context.Context, name string) (Entry, error)
	// TrimLog removes the entries of log name with Seq <= through, except the last entry,
	// which stays so that sequences go on from it (the retention of the access log).
	TrimLog(ctx context.Context, name string, through uint64) error
	// AppendLogs appends data to each of the logs names and returns its sequence in each, in one
	// write where the store can (bbolt: one transaction; Redis: one round trip).
	AppendLogs(ctx context.Context, names []string, data []byte) ([]uint64, error)
	// ReadLog returns at most limit entries of log name with Seq > after, in order
	// (limit <= 0 means all).
	ReadLog(ctx context.Context, name string, after uint64, limit int) ([]Entry, error)
	// Publish sends msg to every current subscriber of channel on every instance (best effort).
	Publish(ctx context.Context, channel string, msg []byte) error
	// Subscribe calls fn with each message published on channel until ctx is done. It returns
	// once the subscription is active.
	Subscribe(ctx context.Context, channel string, fn func(msg []byte)) error
}
