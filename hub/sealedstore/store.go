// Package sealedstore encrypts case content at rest for every store backend: it wraps a
// backend (hub.Store and kv.Store on one value, as hub/boltstore and hub/redisstore are) and
// seals, with AES-256-GCM and a key of the case, every record of a case log, every presence
// entry and every KV value the server files under a case, so that the backend — a bbolt file,
// Redis and its AOF — only ever holds ciphertext of case content.
//
// Case keys are random, one per case, kept in a KeyStore apart from the data and wrapped by a
// MasterKey (a key file, or a KMS behind the same interface). Deleting a case destroys its
// key first: whatever is left of the case in a backup, an AOF or a freed page can no longer be
// read (crypto-shredding). A rotation of the master key re-wraps the case keys and leaves the
// data alone. docs/stores.md ("Encryption at rest", "Deletion") describes the design.
package sealedstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Backend is what a store backend is: the hub's case logs and the server's KV on one value.
type Backend interface {
	hub.Store
	kv.Store
}

// magic starts every sealed value. Case content written before encryption was introduced is
// JSON, which never starts with a zero byte: it is read as it is (see Open).
var magic = []byte{0, 'T', 'S', '1'}

// ForgetChannel is the KV channel on which a destroyed case key is announced, so that every
// instance drops it from memory at once.
const ForgetChannel = "tafel:case-key-destroyed"

// Options configures New.
type Options struct {
	// Keys holds the wrapped case keys (required): FileKeys for the embedded store, KVKeys for
	// Redis.
	Keys KeyStore
	// Master wraps the case keys (required).
	Master MasterKey
	// CaseOf says which case a KV value belongs to ("" for none): those values are sealed
	// with that case's key. The server's rule is server.CaseOfKV.
	CaseOf func(bucket, key string) string
	// Logger receives what cannot be returned (a follow that meets a destroyed key).
	Logger *slog.Logger
}

// Store is a Backend whose case content is sealed. It implements hub.Store and kv.Store and
// is safe for concurrent use.
type Store struct {
	Backend
	keys   *Keyring
	caseOf func(bucket, key string) string
	log    *slog.Logger
	cancel context.CancelFunc
}

var (
	_ hub.Store       = (*Store)(nil)
	_ hub.Confirmer   = (*Store)(nil)
	_ hub.LogAppender = (*Store)(nil)
	_ kv.Store        = (*Store)(nil)
)

// New returns a Store sealing case content on backend. It subscribes to ForgetChannel on the
// backend until Close.
func New(ctx context.Context, backend Backend, o Options) (*Store, error) {
	if o.Keys == nil || o.Master == nil {
		return nil, errors.New("sealedstore: Options.Keys and Options.Master are required")
	}
	if o.CaseOf == nil {
		o.CaseOf = func(string, string) string { return "" }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Store{Backend: backend, keys: NewKeyring(o.Keys, o.Master), caseOf: o.CaseOf, log: o.Logger, cancel: cancel}
	if err := backend.Subscribe(sctx, ForgetChannel, func(msg []byte) { s.keys.Forget(string(msg)) }); err != nil {
		cancel()
		return nil, fmt.Errorf("sealedstore: subscribe: %w", err)
	}
	return s, nil
}

// Keyring returns the store's case keys (for a master-key rotation).
func (s *Store) Keyring() *Keyring { return s.keys }

// Close ends the subscription and closes the backend.
func (s *Store) Close() error {
	s.cancel()
	return s.Backend.Close()
}

// seal encrypts plain with caseID's key (made when missing), bound to aad.
func (s *Store) seal(ctx context.Context, caseID string, plain, aad []byte) ([]byte, error) {
	a, err := s.keys.aead(ctx, caseID, true)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(magic), len(magic)+a.NonceSize()+len(plain)+a.Overhead())
	copy(out, magic)
	return a.Seal(out, nil, plain, aad), nil
}

// open decrypts what seal made; a value without the magic (written before encryption) is
// returned as it is.
func (s *Store) open(ctx context.Context, caseID string, sealed, aad []byte) ([]byte, error) {
	if !bytes.HasPrefix(sealed, magic) {
		return sealed, nil
	}
	a, err := s.keys.aead(ctx, caseID, false)
	if err != nil {
		return nil, err
	}
	plain, err := a.Open(nil, nil, sealed[len(magic):], aad)
	if err != nil {
		return nil, fmt.Errorf("sealedstore: open a value of %s: %w", caseID, err)
	}
	return plain, nil
}

func recordAAD(caseID string, seq uint64) []byte {
	return []byte("rec|" + caseID + "|" + strconv.FormatUint(seq, 10))
}

func presenceAAD(caseID, connID string) []byte { return []byte("pres|" + caseID + "|" + connID) }

func kvAAD(bucket, key string) []byte { return []byte("kv|" + bucket + "|" + key) }

// Append implements hub.Store: each event is sealed, bound to its case and sequence.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	return hub.AppendOne(ctx, s, caseID, expected, commandID, events)
}

// AppendBatch implements hub.Store: each event is sealed, bound to its case and the sequence
// it gets when the batch is appended (a repeated id within the batch appends nothing; a batch
// with ids appended before appends nothing at all).
func (s *Store) AppendBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command) ([]hub.AppendResult, error) {
	sealed, err := s.sealBatch(ctx, caseID, expected, cmds)
	if err != nil {
		return nil, err
	}
	return s.Backend.AppendBatch(ctx, caseID, expected, sealed)
}

// AppendBatchLogged implements hub.LogAppender: the events sealed, the log writes as they are
// (the access log seals what it must itself). A backend that cannot write logs with events
// appends the events alone, and no write is made.
func (s *Store) AppendBatchLogged(ctx context.Context, caseID string, expected uint64, cmds []hub.Command, logs []kv.LogWrite) ([]hub.AppendResult, []bool, error) {
	sealed, err := s.sealBatch(ctx, caseID, expected, cmds)
	if err != nil {
		return nil, nil, err
	}
	if la, ok := s.Backend.(hub.LogAppender); ok {
		return la.AppendBatchLogged(ctx, caseID, expected, sealed, logs)
	}
	res, err := s.Backend.AppendBatch(ctx, caseID, expected, sealed)
	return res, make([]bool, len(logs)), err
}

// sealBatch seals the events of cmds as the records expected+1, … they become.
func (s *Store) sealBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command) ([]hub.Command, error) {
	alias, err := hub.BatchAliases(cmds)
	if err != nil {
		return nil, fmt.Errorf("sealedstore: %w", err)
	}
	sealed := make([]hub.Command, len(cmds))
	seq := expected
	for i, c := range cmds {
		sealed[i] = hub.Command{ID: c.ID, Events: make([][]byte, len(c.Events))}
		if alias[i] != i {
			copy(sealed[i].Events, c.Events) // appends nothing: its result is its first's
			continue
		}
		for j, e := range c.Events {
			seq++
			if sealed[i].Events[j], err = s.seal(ctx, caseID, e, recordAAD(caseID, seq)); err != nil {
				return nil, err
			}
		}
	}
	return sealed, nil
}

// Read implements hub.Store.
func (s *Store) Read(ctx context.Context, caseID string, after uint64, limit int) ([]hub.Record, error) {
	recs, err := s.Backend.Read(ctx, caseID, after, limit)
	if err != nil {
		return nil, err
	}
	return s.openRecords(ctx, caseID, recs)
}

func (s *Store) openRecords(ctx context.Context, caseID string, recs []hub.Record) ([]hub.Record, error) {
	for i := range recs {
		plain, err := s.open(ctx, caseID, recs[i].Data, recordAAD(caseID, recs[i].Seq))
		if err != nil {
			return nil, err
		}
		recs[i].Data = plain
	}
	return recs, nil
}

// Follow implements hub.Store. Records that cannot be opened (the case was deleted while it
// was followed) are not delivered.
func (s *Store) Follow(ctx context.Context, caseID string, after uint64, deliver func([]hub.Record)) error {
	return s.Backend.Follow(ctx, caseID, after, func(recs []hub.Record) {
		plain := make([]hub.Record, len(recs))
		copy(plain, recs)
		out, err := s.openRecords(ctx, caseID, plain)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("sealedstore: follow cannot open records", "case", caseID, "err", err)
			}
			return
		}
		deliver(out)
	})
}

// SetPresence implements hub.Store: the presence data (names, roles) is sealed.
func (s *Store) SetPresence(ctx context.Context, caseID, connID string, data []byte, ttl time.Duration) error {
	sealed, err := s.seal(ctx, caseID, data, presenceAAD(caseID, connID))
	if err != nil {
		return err
	}
	return s.Backend.SetPresence(ctx, caseID, connID, sealed, ttl)
}

// Presence implements hub.Store.
func (s *Store) Presence(ctx context.Context, caseID string) (map[string][]byte, error) {
	all, err := s.Backend.Presence(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for conn, v := range all {
		if all[conn], err = s.open(ctx, caseID, v, presenceAAD(caseID, conn)); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// DeleteCase implements hub.Store: it destroys the case's key first — from then on nothing
// of the case can be read anywhere — tells every instance to forget it, and then removes the
// case's records from the backend. Run again after a failure, it finishes the job.
func (s *Store) DeleteCase(ctx context.Context, caseID string) error {
	if err := s.keys.Destroy(ctx, caseID); err != nil {
		return err
	}
	if err := s.Backend.Publish(ctx, ForgetChannel, []byte(caseID)); err != nil {
		s.log.Warn("sealedstore: announce a destroyed key", "case", caseID, "err", err)
	}
	return s.Backend.DeleteCase(ctx, caseID)
}

// Destroyed reports whether caseID was deleted (its key destroyed).
func (s *Store) Destroyed(ctx context.Context, caseID string) (bool, error) {
	return s.keys.Destroyed(ctx, caseID)
}

// SealText seals a short text of caseID (a name in the access log) as base64 text, so that it
// is readable while the case lives and unreadable once its key is destroyed.
func (s *Store) SealText(ctx context.Context, caseID, text string) (string, error) {
	b, err := s.seal(ctx, caseID, []byte(text), []byte("text|"+caseID))
	if err != nil {
		return "", err
	}
	return encodeText(b), nil
}

// OpenText opens what SealText made; it fails (wrapping ErrDestroyed) once the case's key was
// destroyed. A text that was never sealed is returned as it is.
func (s *Store) OpenText(ctx context.Context, caseID, sealed string) (string, error) {
	if !IsSealedText(sealed) {
		return sealed, nil
	}
	b, err := decodeText(sealed)
	if err != nil {
		return "", err
	}
	plain, err := s.open(ctx, caseID, b, []byte("text|"+caseID))
	return string(plain), err
}

// Get implements kv.Store.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	v, err := s.Backend.Get(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	c := s.caseOf(bucket, key)
	if c == "" {
		return v, nil
	}
	plain, err := s.open(ctx, c, v, kvAAD(bucket, key))
	if errors.Is(err, ErrDestroyed) {
		return nil, fmt.Errorf("sealedstore: %s/%s: %w: %w", bucket, key, kv.ErrNotFound, err)
	}
	return plain, err
}

// Put implements kv.Store.
func (s *Store) Put(ctx context.Context, bucket, key string, value []byte) error {
	v, err := s.sealKV(ctx, bucket, key, value)
	if err != nil {
		return err
	}
	return s.Backend.Put(ctx, bucket, key, v)
}

// PutIfAbsent implements kv.Store.
func (s *Store) PutIfAbsent(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) (bool, error) {
	v, err := s.sealKV(ctx, bucket, key, value)
	if err != nil {
		return false, err
	}
	return s.Backend.PutIfAbsent(ctx, bucket, key, v, ttl)
}

// List implements kv.Store. A value of a deleted case is left out.
func (s *Store) List(ctx context.Context, bucket string) (map[string][]byte, error) {
	all, err := s.Backend.List(ctx, bucket)
	if err != nil {
		return nil, err
	}
	for key, v := range all {
		c := s.caseOf(bucket, key)
		if c == "" {
			continue
		}
		plain, err := s.open(ctx, c, v, kvAAD(bucket, key))
		if errors.Is(err, ErrDestroyed) {
			delete(all, key)
			continue
		}
		if err != nil {
			return nil, err
		}
		all[key] = plain
	}
	return all, nil
}

func (s *Store) sealKV(ctx context.Context, bucket, key string, value []byte) ([]byte, error) {
	c := s.caseOf(bucket, key)
	if c == "" {
		return value, nil
	}
	return s.seal(ctx, c, value, kvAAD(bucket, key))
}

// Confirm implements hub.Confirmer for a backend that confirms records (Redis with replicas);
// for any other backend there is nothing to confirm.
func (s *Store) Confirm(ctx context.Context, caseID, commandID string) error {
	if c, ok := s.Backend.(hub.Confirmer); ok {
		return c.Confirm(ctx, caseID, commandID)
	}
	return nil
}
