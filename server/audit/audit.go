// Package audit keeps Tafel's access log (NEN 7513): every read and change of case data, by
// whom, in which role and organisation, on which case and object, when, from where and on
// whose authority.
//
// Entries are appended to one global log and, for case data, to the log of that case, through
// kv.Store's append-only logs; they are never changed or removed. An entry never holds
// message contents, scores, explanations or tokens — only the facts of the access.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Action names. Callers may use others; these are the common ones.
const (
	ActionRead   = "read"
	ActionList   = "list"
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionJoin   = "join"
	ActionLogin  = "login"
	ActionLogout = "logout"
	ActionRevoke = "revoke"
)

// Outcomes.
const (
	OutcomeGranted = "granted"
	OutcomeRefused = "refused"
)

// Entry is one access.
type Entry struct {
	// Seq is the entry's position in the log it was read from (set on read).
	Seq uint64 `json:"seq,omitempty"`
	// Time is when the access happened (set by Record when zero).
	Time time.Time `json:"time"`
	// PrincipalID is who: "u:<account id>", "i:<invitation id>", or "" for an anonymous caller.
	PrincipalID string `json:"principal"`
	// Name is the principal's display name at the time.
	Name string `json:"name"`
	// Role is the principal's role: account role for professionals, meeting role for invitees.
	Role string `json:"role"`
	// Organisation is the professional's organisation (empty for invitees).
	Organisation string `json:"organisation"`
	// CaseID is which case ("" for access to no particular case, e.g. accounts).
	CaseID string `json:"case,omitempty"`
	// Object is what inside the case (or system): e.g. "case", "members", "invitation/<id>",
	// "meeting/<id>/minutes".
	Object string `json:"object"`
	// Action is what was done: one of the Action constants or a domain command kind.
	Action string `json:"action"`
	// Outcome is OutcomeGranted or OutcomeRefused.
	Outcome string `json:"outcome"`
	// Addr is the client's real address (after trusted-proxy handling).
	Addr string `json:"addr"`
	// Authority is on whose authority access was granted or refused: "case member (chair)",
	// "invitation <id>", "admin", "not a member", …
	Authority string `json:"authority"`
	// Channel is how: "http" or "ws".
	Channel string `json:"channel"`
	// Count, when above 1, is how many like accesses this one entry stands for: refusals on
	// one connection folded into one entry per minute, so that a flood cannot flood the log.
	Count int `json:"count,omitempty"`
}

// GlobalLog is the name of the log holding every entry.
const GlobalLog = "audit"

// CaseLog returns the name of the log holding the entries of one case.
func CaseLog(caseID string) string { return "audit:case:" + caseID }

// Log is the access log over a KV's append-only logs. It is safe for concurrent use.
type Log struct {
	read   func(ctx context.Context, name string, after uint64, limit int) ([]Entry, error)
	append func(ctx context.Context, names []string, data []byte) ([]uint64, error)
	now    func() time.Time
}

// New returns a Log writing through appendLogs (one entry to several logs in one write) and
// reading through readLog (the methods of kv.Store). now is the clock (nil = time.Now).
func New(
	appendLogs func(ctx context.Context, names []string, data []byte) ([]uint64, error),
	readLog func(ctx context.Context, name string, after uint64, limit int) (seqs []uint64, data [][]byte, err error),
	now func() time.Time,
) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{
		append: appendLogs,
		now:    now,
		read: func(ctx context.Context, name string, after uint64, limit int) ([]Entry, error) {
			seqs, data, err := readLog(ctx, name, after, limit)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, 0, len(data))
			for i, d := range data {
				var e Entry
				if err := json.Unmarshal(d, &e); err != nil {
					return nil, fmt.Errorf("audit: entry %d of %s: %w", seqs[i], name, err)
				}
				e.Seq = seqs[i]
				out = append(out, e)
			}
			return out, nil
		},
	}
}

// Record appends e to the global log and, when it names a case, to that case's log, in one
// write.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	if e.Action == "" || e.Object == "" || e.Outcome == "" || e.Authority == "" {
		return errors.New("audit: entry lacks action, object, outcome or authority")
	}
	e.Seq = 0
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	logs := []string{GlobalLog}
	if e.CaseID != "" {
		logs = append(logs, CaseLog(e.CaseID))
	}
	if _, err := l.append(ctx, logs, data); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// Global returns at most limit entries of the global log after seq after.
func (l *Log) Global(ctx context.Context, after uint64, limit int) ([]Entry, error) {
	return l.read(ctx, GlobalLog, after, limit)
}

// Case returns at most limit entries of caseID's log after seq after.
func (l *Log) Case(ctx context.Context, caseID string, after uint64, limit int) ([]Entry, error) {
	return l.read(ctx, CaseLog(caseID), after, limit)
}
