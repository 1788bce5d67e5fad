package hub

import (
	"context"
	"errors"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
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

// Command is one command of a batch append: its client-generated id and its encoded events
// (at least one).
type Command struct {
	ID     string
	Events [][]byte
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
	// AppendBatch appends the events of several commands in one atomic, durable write (one
	// fsync, one Redis script): the events of cmds[0] as expected+1 …, those of cmds[1] right
	// after, and so on, provided the log's last sequence is expected. It returns one result per
	// command, in order. Exactly-once holds per command id: a command whose id was appended
	// before (in an earlier append, or earlier in the same batch) appends nothing and returns
	// the original result with Duplicate set. When every command of the batch is such a
	// duplicate, nothing is appended whatever expected is. A batch that mixes commands appended
	// before with new ones appends nothing and returns an error wrapping ErrConflict: its
	// caller decided the new ones on a state that lacked the earlier appends (and their events
	// carry sequences that assume none is a duplicate). A stale expected, likewise, appends
	// nothing and returns ErrConflict. Append is AppendBatch with one command.
	AppendBatch(ctx context.Context, caseID string, expected uint64, cmds []Command) ([]AppendResult, error)
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
	// DeleteCase removes everything the store holds of caseID — its log, its command ids and
	// its presence entries — so that a deleted case leaves no record (docs/stores.md,
	// "Deletion"). Follows of the case deliver nothing more. A case with nothing is no error.
	DeleteCase(ctx context.Context, caseID string) error
	// Ping reports whether the store answers (used by /readyz).
	Ping(ctx context.Context) error
	// Close releases the store; follows end.
	Close() error
}

// LogAppender is implemented by a Store that also holds the server's append-only KV logs and
// can write entries to them in the same write as a batch of case events (bbolt: one
// transaction; Redis: the append script, one round trip). The hub writes the access-log
// entries of a batch's changes so (Journal).
type LogAppender interface {
	// AppendBatchLogged is AppendBatch, and writes logs in the same write when it appends the
	// batch's events: each write only when its log's last entry is Seq-1 at that moment.
	// written[i] says whether logs[i] is in the log: false when its log had moved on, or when
	// nothing was appended (every command a duplicate, or an error). A write found already in
	// its log (a reply lost and the write sent again) counts as written.
	AppendBatchLogged(ctx context.Context, caseID string, expected uint64, cmds []Command, logs []kv.LogWrite) (res []AppendResult, written []bool, err error)
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

// AppendOne is Store.Append in terms of the store's AppendBatch: a batch of one command.
func AppendOne(ctx context.Context, s Store, caseID string, expected uint64, commandID string, events [][]byte) (AppendResult, error) {
	res, err := s.AppendBatch(ctx, caseID, expected, []Command{{ID: commandID, Events: events}})
	if err != nil {
		return AppendResult{}, err
	}
	return res[0], nil
}

// BatchAliases maps each command of a batch to the first command of the batch with the same id:
// alias[i] == i for a first occurrence, alias[i] == j < i for a repeat of cmds[j]. Stores use it
// to give a repeated id its first occurrence's result. It also checks that every command has an
// id and at least one event.
func BatchAliases(cmds []Command) ([]int, error) {
	if len(cmds) == 0 {
		return nil, errors.New("store: an append needs at least one command")
	}
	alias := make([]int, len(cmds))
	first := make(map[string]int, len(cmds))
	for i, c := range cmds {
		if c.ID == "" {
			return nil, errors.New("store: an append needs a command id")
		}
		if len(c.Events) == 0 {
			return nil, errors.New("store: an append needs at least one event per command")
		}
		if j, ok := first[c.ID]; ok {
			alias[i] = j
			continue
		}
		first[c.ID] = i
		alias[i] = i
	}
	return alias, nil
}

// ResolveAliases gives every repeated command id of a batch (see BatchAliases) its first
// occurrence's result, as a duplicate.
func ResolveAliases(res []AppendResult, alias []int) {
	for i, j := range alias {
		if j != i {
			res[i] = res[j]
			res[i].Duplicate = true
		}
	}
}
