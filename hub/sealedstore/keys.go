package sealedstore

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// ErrDestroyed is returned (wrapped) for a case whose key was destroyed: the case was deleted
// and what is left of it cannot be read. No new key is made for it.
var ErrDestroyed = errors.New("sealedstore: the case's key was destroyed")

// ErrNoKey is returned (wrapped) when sealed data of a case is read and the key store has no
// key for it at all (a copy of data whose keys are elsewhere).
var ErrNoKey = errors.New("sealedstore: no key for the case")

// keyRecord is a case key as the key store holds it: wrapped by the master key named Master,
// or, once destroyed, only the time it was destroyed.
type keyRecord struct {
	Master    string    `json:"master,omitempty"`
	Wrapped   []byte    `json:"wrapped,omitempty"`
	Created   time.Time `json:"created,omitzero"`
	Destroyed time.Time `json:"destroyed,omitzero"`
}

// Keyring holds the case keys: one random AES-256 key per case, made when the case's first
// record is sealed, kept in a KeyStore wrapped by the MasterKey, and cached unwrapped in
// memory for the cases this instance serves. It is safe for concurrent use.
type Keyring struct {
	store  KeyStore
	master MasterKey

	mu    sync.Mutex
	cache map[string]cipher.AEAD
}

// NewKeyring returns a Keyring over store and master.
func NewKeyring(store KeyStore, master MasterKey) *Keyring {
	return &Keyring{store: store, master: master, cache: map[string]cipher.AEAD{}}
}

// aad binds a wrapped key to its case: a wrapped key copied to another case id does not open.
func keyAAD(caseID string) []byte { return []byte("tafel case key|" + caseID) }

// aead returns the cipher of caseID, making its key when create is set and it has none.
func (k *Keyring) aead(ctx context.Context, caseID string, create bool) (cipher.AEAD, error) {
	k.mu.Lock()
	a := k.cache[caseID]
	k.mu.Unlock()
	if a != nil {
		return a, nil
	}
	raw, err := k.store.Get(ctx, caseID)
	if errors.Is(err, kv.ErrNotFound) {
		if !create {
			return nil, fmt.Errorf("%w %s", ErrNoKey, caseID)
		}
		raw, err = k.create(ctx, caseID)
	}
	if err != nil {
		return nil, err
	}
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("sealedstore: key record of %s: %w", caseID, err)
	}
	if !rec.Destroyed.IsZero() {
		return nil, fmt.Errorf("%w: %s", ErrDestroyed, caseID)
	}
	key, err := k.master.Unwrap(ctx, rec.Master, rec.Wrapped, keyAAD(caseID))
	if err != nil {
		return nil, err
	}
	a, err = newAEAD(key)
	clear(key)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.cache[caseID] = a
	k.mu.Unlock()
	return a, nil
}

// create makes and stores a key for caseID; when another instance stored one first, that
// one is returned.
func (k *Keyring) create(ctx context.Context, caseID string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	wrapped, err := k.master.Wrap(ctx, key, keyAAD(caseID))
	clear(key)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(keyRecord{Master: k.master.ID(), Wrapped: wrapped, Created: time.Now().UTC()})
	won, err := k.store.PutIfAbsent(ctx, caseID, raw)
	if err != nil {
		return nil, err
	}
	if won {
		return raw, nil
	}
	return k.store.Get(ctx, caseID)
}

// Destroy replaces caseID's key by a record of its destruction and drops it from this
// instance's memory: everything sealed with it, in any copy, is unreadable from now on, and
// no new key is ever made for the case. Other instances drop it when Forget is called there
// (the Store publishes the destruction).
func (k *Keyring) Destroy(ctx context.Context, caseID string) error {
	k.Forget(caseID)
	raw, _ := json.Marshal(keyRecord{Destroyed: time.Now().UTC()})
	if err := k.store.Put(ctx, caseID, raw); err != nil {
		return fmt.Errorf("sealedstore: destroy key of %s: %w", caseID, err)
	}
	k.Forget(caseID) // a read that raced with the Put may have cached it again
	return nil
}

// Forget drops caseID's unwrapped key from this instance's memory.
func (k *Keyring) Forget(caseID string) {
	k.mu.Lock()
	delete(k.cache, caseID)
	k.mu.Unlock()
}

// Destroyed reports whether caseID's key was destroyed (the case was deleted).
func (k *Keyring) Destroyed(ctx context.Context, caseID string) (bool, error) {
	raw, err := k.store.Get(ctx, caseID)
	if errors.Is(err, kv.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return false, err
	}
	return !rec.Destroyed.IsZero(), nil
}

// Rotate re-wraps with the master key's current key every case key wrapped by another one,
// without touching the data they protect, and returns how many it re-wrapped. Run it after
// putting a new key first in the key file; once it returns, the old key can leave the file.
func (k *Keyring) Rotate(ctx context.Context) (int, error) {
	all, err := k.store.List(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for caseID, raw := range all {
		var rec keyRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return n, fmt.Errorf("sealedstore: key record of %s: %w", caseID, err)
		}
		if !rec.Destroyed.IsZero() || rec.Master == k.master.ID() {
			continue
		}
		key, err := k.master.Unwrap(ctx, rec.Master, rec.Wrapped, keyAAD(caseID))
		if err != nil {
			return n, err
		}
		wrapped, err := k.master.Wrap(ctx, key, keyAAD(caseID))
		clear(key)
		if err != nil {
			return n, err
		}
		rec.Master, rec.Wrapped = k.master.ID(), wrapped
		b, _ := json.Marshal(rec)
		if err := k.store.Put(ctx, caseID, b); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
