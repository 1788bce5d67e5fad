package hub

import (
	"context"
	"errors"
	"time"
)

// Record is one event of a case log as a Store keeps it: the encoded event and its place.
type Record struct {
	// Seq is the 1-based position of the record in its case log; sequences have no gaps.
	Seq uint64 `json:"seq"`
	// CommandID is the client-generated id of the command that produced the record.
	CommandID string `json:"cmd"`
	// Data is the encoded event (JSON of a meeting.Event). Stores never look inside.
	Data []byte `json:"data"`
}

// AppendResult says where an append landed.
type AppendResult struct {
	// First and Last are the sequences of the first and last record appended. For a
	// duplicate they are those of the original append.
	First, Last uint64
	// Duplicate is true when the command id had been appended before: nothing was appended.
	Duplicate bool
}

// ErrConflict is returned (wrapped) by Append when the log's last sequence is not the expected
// one: someone else appended first. The caller re-reads, re-decides and tries again.
var ErrConflict = errors.New("store: expected sequence does not match")

// ErrUnavailable is returned (wrapped) when the backing store cannot be reached. Callers fail
// closed: the command is not acknowledged. With Redis an append whose reply was lost may still
// have been stored (and will be delivered by Follow); it is never stored twice, and retrying
// with the same command id returns the original result (docs/stores.md).
var ErrUnavailable = errors.New("store: unavailable")

// Store is the durable, ordered event log per case that the hub needs. Every implementation
// passes storetest.Run.
type Store interface {
	// Append appends events to the log of caseID as records expected+1 … expected+len(events),
	// atomically and durably (fsync'd or persisted before it returns), provided the log's last
	// sequence is expected and commandID was never appended to this case before.
	// A repeated commandID appends nothing and returns the original result with Duplicate set,
	// whatever expected is. A stale expected returns an error wrapping ErrConflict.
	Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (AppendResult, error)
	// Read returns, in order, at most limit records of caseID with Seq > after
	// (limit <= 0 means all). An unknown case has no records.
	Read(ctx context.Context, caseID string, after uint64, limit int) ([]Record, error)
	// Head returns the last sequence of caseID's log (0 when empty).
	Head(ctx context.Context, caseID string) (uint64, error)
	// Follow starts delivering, in order, exactly once and without gaps, every record of caseID
	// with Seq > after — including records appended later by any instance — to deliver, until
	// ctx is done. It returns once following has started. Delivery survives a lost connection to
	// the backing store: on reconnect it catches up by reading. deliver is called from one
	// goroutine per follow and must not block for long.
	Follow(ctx context.Context, caseID string, after uint64, deliver func([]Record)) error
	// SetPresence records that connection connID is present in caseID, with opaque data, for
	// ttl; it is refreshed by calling it again.
	SetPresence(ctx context.Context, caseID, connID string, data []byte, ttl time.Duration) error
	// RemovePresence removes connID's presence entry.
	RemovePresence(ctx context.Context, caseID, connID string) error
	// Presence returns the unexpired presence entries of caseID, by connection id.
	Presence(ctx context.Context, caseID string) (map[string][]byte, error)
	// Ping reports whether the store answers (used by /readyz).
	Ping(ctx context.Context) error
	// Close releases the store; follows end.
	Close() error
}

// Confirmer is implemented by a Store whose appends are acknowledged only once they are safe
// from the loss of one server (Redis with a replica: a replica confirmed them). Before the hub
// acknowledges a resent command it finds already applied in its room, it calls Confirm, which
// returns nil once the records of commandID are as safe as a successful Append makes them, and
// an error wrapping ErrUnavailable when they are not yet: the ack of a resend promises no less
// than a fresh append's, however the room learned of the command.
type Confirmer interface {
	Confirm(ctx context.Context, caseID, commandID string) error
}
