// Package audit keeps Tafel's access log (NEN 7513): every read and change of case data, by
// whom, in which role and organisation, on which case and object, when, from where and on
// whose authority.
//
// Entries are appended to one global log and, for case data, to the log of that case, through
// kv.Store's append-only logs; they are never changed, and removed only by the log's own
// retention (Trim). Each log is a hash chain: every entry carries the hash of the one before
// it and its own hash over that and its content, so Verify names the first entry that was
// altered, removed or slipped in. An entry never holds message contents, scores,
// explanations or tokens — only the facts of the access. The name of an invitee (a family or
// network member) is sealed with the key of their case (Names): once the case is deleted the
// entry stays, whole and verifiable, and reads with the case's pseudonym instead of the name.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
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
	// Discipline is what the principal does ("huisarts", "politie"), as their account or
	// invitation gave it; empty when not given (and in entries written before it existed).
	Discipline string `json:"discipline,omitempty"`
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
	// NameCase, for an invitee, is the case of their invitation, whose key seals Name, when it
	// is not CaseID (an invitee refused at another case).
	NameCase string `json:"nameCase,omitempty"`
	// Pseudonymised is set on read when Name could not be opened because the case was
	// deleted: Name is then the case's pseudonym.
	Pseudonymised bool `json:"pseudonymised,omitempty"`
	// Prev is the hash of the entry before this one in its log ("" for a log's first entry).
	Prev string `json:"prev,omitempty"`
	// Hash is this entry's hash (see Verify). Both are set on write.
	Hash string `json:"hash,omitempty"`
}

// GlobalLog is the name of the log holding every entry.
const GlobalLog = "audit"

// CaseLogPrefix starts the name of every case's log.
const CaseLogPrefix = "audit:case:"

// CaseLog returns the name of the log holding the entries of one case.
func CaseLog(caseID string) string { return CaseLogPrefix + caseID }

// Names seals and opens the names of a case's people (hub/sealedstore.Store does, with the
// case's key). OpenText returns a text that was never sealed as it is, and fails once the
// case's key is destroyed.
type Names interface {
	SealText(ctx context.Context, caseID, text string) (string, error)
	OpenText(ctx context.Context, caseID, sealed string) (string, error)
}

// Options configures New. Every field is optional.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Names seals invitees' names (default: names are kept as they are).
	Names Names
	// Pseudonym returns the pseudonym of a deleted case, shown instead of a name that can no
	// longer be opened (default: "verwijderd").
	Pseudonym func(ctx context.Context, caseID string) string
}

// Log is the access log over a kv.Store's logs. It is safe for concurrent use; several
// instances may write the same logs (the chain is kept with kv.Store.AppendLogAt).
type Log struct {
	store kv.Store
	o     Options

	mu     sync.Mutex
	chains map[string]*chain
}

// New returns the access log kept in store's logs.
func New(store kv.Store, o Options) *Log {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Pseudonym == nil {
		o.Pseudonym = func(context.Context, string) string { return "" }
	}
	return &Log{store: store, o: o, chains: map[string]*chain{}}
}

// Record appends e to the global log and, when it names a case, to that case's log. The two
// appends run side by side; Record returns when both are written.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if err := l.prepare(ctx, &e); err != nil {
		return err
	}
	logs := []string{GlobalLog}
	if e.CaseID != "" {
		logs = append(logs, CaseLog(e.CaseID))
	}
	errs := make([]error, len(logs))
	var wg sync.WaitGroup
	for i, name := range logs[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i+1] = l.chain(name).append(ctx, l.store, e)
		}()
	}
	errs[0] = l.chain(GlobalLog).append(ctx, l.store, e)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// prepare checks e and makes it what is stored: its time set, its read-side fields cleared, an
// invitee's name sealed.
func (l *Log) prepare(ctx context.Context, e *Entry) error {
	if e.Time.IsZero() {
		e.Time = l.o.Now().UTC()
	}
	if e.Action == "" || e.Object == "" || e.Outcome == "" || e.Authority == "" {
		return errors.New("audit: entry lacks action, object, outcome or authority")
	}
	e.Seq, e.Prev, e.Hash, e.Pseudonymised = 0, "", "", false
	if e.NameCase == e.CaseID {
		e.NameCase = ""
	}
	if c := e.nameCase(); c != "" && l.o.Names != nil && strings.HasPrefix(e.PrincipalID, "i:") && e.Name != "" {
		sealed, err := l.o.Names.SealText(ctx, c, e.Name)
		if err != nil {
			return fmt.Errorf("audit: seal name: %w", err)
		}
		e.Name = sealed
	}
	return nil
}

func (e Entry) nameCase() string {
	if e.NameCase != "" {
		return e.NameCase
	}
	return e.CaseID
}

func (l *Log) chain(name string) *chain {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chains[name]
	if c == nil {
		c = &chain{name: name}
		l.chains[name] = c
	}
	return c
}

// Global returns at most limit entries of the global log after seq after.
func (l *Log) Global(ctx context.Context, after uint64, limit int) ([]Entry, error) {
	return l.read(ctx, GlobalLog, after, limit)
}

// Case returns at most limit entries of caseID's log after seq after.
func (l *Log) Case(ctx context.Context, caseID string, after uint64, limit int) ([]Entry, error) {
	return l.read(ctx, CaseLog(caseID), after, limit)
}

// CaseNewest returns at most limit entries of caseID's log with a sequence below before (0: from
// the newest), newest first, and the before of the next, older page (0 when there is none). It
// reads the stored entries as they are; only the order of the page differs from Case.
func (l *Log) CaseNewest(ctx context.Context, caseID string, before uint64, limit int) ([]Entry, uint64, error) {
	name := CaseLog(caseID)
	if before == 0 {
		last, err := l.store.LastLog(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		before = last.Seq + 1
	}
	if before <= 1 || limit < 1 {
		return []Entry{}, 0, nil
	}
	var from uint64
	if before-1 > uint64(limit) {
		from = before - 1 - uint64(limit)
	}
	page, err := l.read(ctx, name, from, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Entry, 0, len(page))
	for i := len(page) - 1; i >= 0; i-- {
		if page[i].Seq < before {
			out = append(out, page[i])
		}
	}
	var next uint64
	if from > 0 && len(out) > 0 {
		next = out[len(out)-1].Seq
	}
	return out, next, nil
}

func (l *Log) read(ctx context.Context, name string, after uint64, limit int) ([]Entry, error) {
	raw, err := l.store.ReadLog(ctx, name, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(raw))
	for _, r := range raw {
		var e Entry
		if err := json.Unmarshal(r.Data, &e); err != nil {
			return nil, fmt.Errorf("audit: entry %d of %s: %w", r.Seq, name, err)
		}
		e.Seq = r.Seq
		l.openName(ctx, &e)
		out = append(out, e)
	}
	return out, nil
}

// openName opens a sealed name, or puts the case's pseudonym in its place when it cannot be
// opened any more.
func (l *Log) openName(ctx context.Context, e *Entry) {
	if l.o.Names == nil || !strings.HasPrefix(e.Name, sealedPrefix) {
		return
	}
	name, err := l.o.Names.OpenText(ctx, e.nameCase(), e.Name)
	if err == nil {
		e.Name = name
		return
	}
	e.Name, e.Pseudonymised = l.o.Pseudonym(ctx, e.nameCase()), true
	if e.Name == "" {
		e.Name = "verwijderd"
	}
}

// sealedPrefix starts a name sealed by hub/sealedstore.
const sealedPrefix = "sealed:"
