package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// bucketTombstones keeps, per deleted case, what may outlive it: its pseudonym (shown in the
// access log instead of the names of its people), when and why it was deleted and by whom.
// Nothing in it is case content; it stops a case id from being used again.
const bucketTombstones = "case-tombstones"

// Tombstone is what remains of a deleted case.
type Tombstone struct {
	// CaseID is the deleted case's id.
	CaseID string `json:"case"`
	// Pseudonym replaces the names of the case's people in the access log.
	Pseudonym string `json:"pseudonym"`
	// Deleted is when the deletion was carried out (zero while it is under way).
	Deleted time.Time `json:"deleted,omitzero"`
	// Reason is "retention" (the end of the retention period) or "destruction" (a granted
	// request of the family).
	Reason string `json:"reason"`
	// By are the account ids of the two professionals who approved it.
	By []string `json:"by"`
}

// getTombstone returns the tombstone of caseID, or an error wrapping kv.ErrNotFound.
func getTombstone(ctx context.Context, store kv.Store, caseID string) (Tombstone, error) {
	b, err := store.Get(ctx, bucketTombstones, caseID)
	if err != nil {
		return Tombstone{}, err
	}
	var t Tombstone
	if err := json.Unmarshal(b, &t); err != nil {
		return Tombstone{}, fmt.Errorf("tombstone of %s: %w", caseID, err)
	}
	return t, nil
}

// isDeleted reports whether caseID was deleted (or its deletion is under way).
func (s *Server) isDeleted(ctx context.Context, caseID string) (bool, error) {
	_, err := getTombstone(ctx, s.kv, caseID)
	if errors.Is(err, kv.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
