package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// presenceTable keeps presence in memory: it expires within seconds and one process is the
// only instance of an embedded store, so it is never written to the file.
type presenceTable struct {
	mu    sync.Mutex
	cases map[string]map[string]presenceEntry
}

type presenceEntry struct {
	data    []byte
	expires time.Time
}

func newPresenceTable() *presenceTable {
	return &presenceTable{cases: map[string]map[string]presenceEntry{}}
}

// SetPresence implements hub.Store.
func (s *Store) SetPresence(ctx context.Context, caseID, connID string, data []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("boltstore: presence ttl %v must be positive", ttl)
	}
	if err := s.usable(ctx); err != nil {
		return err
	}
	p := s.f.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	conns := p.cases[caseID]
	if conns == nil {
		conns = map[string]presenceEntry{}
		p.cases[caseID] = conns
	}
	for id, e := range conns {
		if !e.expires.After(now) {
			delete(conns, id)
		}
	}
	conns[connID] = presenceEntry{data: bytes.Clone(data), expires: now.Add(ttl)}
	return nil
}

// RemovePresence implements hub.Store.
func (s *Store) RemovePresence(ctx context.Context, caseID, connID string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	p := s.f.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.cases[caseID], connID)
	if len(p.cases[caseID]) == 0 {
		delete(p.cases, caseID)
	}
	return nil
}

// Presence implements hub.Store.
func (s *Store) Presence(ctx context.Context, caseID string) (map[string][]byte, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	p := s.f.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	out := map[string][]byte{}
	for id, e := range p.cases[caseID] {
		if e.expires.After(now) {
			out[id] = bytes.Clone(e.data)
		} else {
			delete(p.cases[caseID], id)
		}
	}
	if len(p.cases[caseID]) == 0 {
		delete(p.cases, caseID)
	}
	return out, nil
}

// usable reports why the Store cannot serve a call that does not touch the file.
func (s *Store) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	return nil
}
