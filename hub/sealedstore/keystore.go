package sealedstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// KeyStore keeps the wrapped case keys, by case id, apart from the data they protect: a copy
// of the data store is unreadable without it, and a key deleted from it is gone for every
// copy of the data (crypto-shredding). Get returns an error wrapping kv.ErrNotFound for a case
// without a key. Implementations are safe for concurrent use across instances.
type KeyStore interface {
	Get(ctx context.Context, caseID string) ([]byte, error)
	// PutIfAbsent stores v unless the case has an entry; exactly one caller wins.
	PutIfAbsent(ctx context.Context, caseID string, v []byte) (bool, error)
	Put(ctx context.Context, caseID string, v []byte) error
	List(ctx context.Context) (map[string][]byte, error)
}

// KeyBucket is the KV bucket KVKeys keeps case keys in.
const KeyBucket = "case-keys"

// KVKeys is a KeyStore in a kv.Store bucket: for Redis, where every instance must share the
// keys. Give it its own Redis (or at least backups with a short life): a backup of the Redis
// that holds both a case's records and its wrapped key can be read with the master key
// (docs/stores.md, "Deletion").
type KVKeys struct{ KV kv.Store }

var _ KeyStore = KVKeys{}

// Get implements KeyStore.
func (k KVKeys) Get(ctx context.Context, caseID string) ([]byte, error) {
	return k.KV.Get(ctx, KeyBucket, caseID)
}

// PutIfAbsent implements KeyStore.
func (k KVKeys) PutIfAbsent(ctx context.Context, caseID string, v []byte) (bool, error) {
	return k.KV.PutIfAbsent(ctx, KeyBucket, caseID, v, 0)
}

// Put implements KeyStore.
func (k KVKeys) Put(ctx context.Context, caseID string, v []byte) error {
	return k.KV.Put(ctx, KeyBucket, caseID, v)
}

// List implements KeyStore.
func (k KVKeys) List(ctx context.Context) (map[string][]byte, error) {
	return k.KV.List(ctx, KeyBucket)
}

// FileKeys is a KeyStore in one small file, for the embedded store: every change writes the
// whole file anew (a temporary file, fsynced, renamed over the old one), so a destroyed key
// stays in no page of a database file, and tafel.db can be backed up without it. Opening the
// same path twice in a process shares one FileKeys.
type FileKeys struct {
	path string
	mu   sync.Mutex
	keys map[string][]byte
}

var _ KeyStore = (*FileKeys)(nil)

var (
	fileKeysMu sync.Mutex
	fileKeys   = map[string]*FileKeys{}
)

// OpenFileKeys opens (creating when missing) the key file at path.
func OpenFileKeys(path string) (*FileKeys, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fileKeysMu.Lock()
	defer fileKeysMu.Unlock()
	if fk := fileKeys[abs]; fk != nil {
		return fk, nil
	}
	fk := &FileKeys{path: abs, keys: map[string][]byte{}}
	b, err := os.ReadFile(abs)
	switch {
	case os.IsNotExist(err):
		if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("sealedstore: read key file: %w", err)
	default:
		if err := json.Unmarshal(b, &fk.keys); err != nil {
			return nil, fmt.Errorf("sealedstore: key file %s: %w", abs, err)
		}
	}
	fileKeys[abs] = fk
	return fk, nil
}

// Get implements KeyStore.
func (f *FileKeys) Get(_ context.Context, caseID string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.keys[caseID]
	if !ok {
		return nil, fmt.Errorf("sealedstore: key of %s: %w", caseID, kv.ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// PutIfAbsent implements KeyStore.
func (f *FileKeys) PutIfAbsent(_ context.Context, caseID string, v []byte) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.keys[caseID]; ok {
		return false, nil
	}
	return true, f.write(caseID, v)
}

// Put implements KeyStore.
func (f *FileKeys) Put(_ context.Context, caseID string, v []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.write(caseID, v)
}

// List implements KeyStore.
func (f *FileKeys) List(context.Context) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.keys), nil
}

// write sets caseID to v and writes the file; on failure the map is left as it was.
func (f *FileKeys) write(caseID string, v []byte) error {
	next := maps.Clone(f.keys)
	next[caseID] = bytes.Clone(v)
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(f.path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	f.keys = next
	return nil
}
