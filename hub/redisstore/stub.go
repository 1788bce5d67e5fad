package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server"
)

// errNotYet marks the methods whose implementation is still being written.
var errNotYet = errors.New("redisstore: not implemented yet")

// Append implements hub.Store.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	return hub.AppendResult{}, errNotYet
}

// Read implements hub.Store.
func (s *Store) Read(ctx context.Context, caseID string, after uint64, limit int) ([]hub.Record, error) {
	return nil, errNotYet
}

// Head implements hub.Store.
func (s *Store) Head(ctx context.Context, caseID string) (uint64, error) { return 0, errNotYet }

// Follow implements hub.Store.
func (s *Store) Follow(ctx context.Context, caseID string, after uint64, deliver func([]hub.Record)) error {
	return errNotYet
}

// SetPresence implements hub.Store.
func (s *Store) SetPresence(ctx context.Context, caseID, connID string, data []byte, ttl time.Duration) error {
	return errNotYet
}

// RemovePresence implements hub.Store.
func (s *Store) RemovePresence(ctx context.Context, caseID, connID string) error { return errNotYet }

// Presence implements hub.Store.
func (s *Store) Presence(ctx context.Context, caseID string) (map[string][]byte, error) {
	return nil, errNotYet
}

// Ping implements hub.Store.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Close implements hub.Store.
func (s *Store) Close() error { return s.rdb.Close() }

// Get implements server.KV.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) { return nil, errNotYet }

// Put implements server.KV.
func (s *Store) Put(ctx context.Context, bucket, key string, value []byte) error { return errNotYet }

// PutIfAbsent implements server.KV.
func (s *Store) PutIfAbsent(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) (bool, error) {
	return false, errNotYet
}

// Delete implements server.KV.
func (s *Store) Delete(ctx context.Context, bucket, key string) error { return errNotYet }

// List implements server.KV.
func (s *Store) List(ctx context.Context, bucket string) (map[string][]byte, error) {
	return nil, errNotYet
}

// AppendLog implements server.KV.
func (s *Store) AppendLog(ctx context.Context, name string, data []byte) (uint64, error) {
	return 0, errNotYet
}

// ReadLog implements server.KV.
func (s *Store) ReadLog(ctx context.Context, name string, after uint64, limit int) ([]server.LogEntry, error) {
	return nil, errNotYet
}

// Publish implements server.KV.
func (s *Store) Publish(ctx context.Context, channel string, msg []byte) error { return errNotYet }

// Subscribe implements server.KV.
func (s *Store) Subscribe(ctx context.Context, channel string, fn func(msg []byte)) error {
	return errNotYet
}
