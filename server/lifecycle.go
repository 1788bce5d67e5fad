package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// CaseOfKV is the server's rule of which KV values are case content, for encryption at rest
// (hub/sealedstore): the case's index entry, its members and its invitations belong to that
// case and are sealed with its key. An intake (a report before any case) is sealed with a key
// of its own, "intake-<id>". It returns "" for everything else.
func CaseOfKV(bucket, key string) string {
	switch {
	case bucket == bucketCases:
		return key
	case bucket == bucketIntakes:
		return "intake-" + key
	case strings.HasPrefix(bucket, "case-members:"):
		return strings.TrimPrefix(bucket, "case-members:")
	case strings.HasPrefix(bucket, "case-invitations:"):
		return strings.TrimPrefix(bucket, "case-invitations:")
	}
	return ""
}

// DeletedChannel is the KV channel on which a deleted case id is published, so that every
// instance ends its connections to the case and drops its state from memory.
const DeletedChannel = "tafel:case-deleted"

// bucketRetentionDue lists the cases whose retention has ended (case id → due date), as the
// retention job found them.
const bucketRetentionDue = "retention-due"

// bucketLocks holds the locks that keep a job to one instance at a time.
const bucketLocks = "locks"

// Deletion reasons, as the tombstone records them.
const (
	DeletedRetention   = "retention"
	DeletedDestruction = "destruction"
)

// caseStore is what deletion needs of the store: the case's records (and, sealed, its key).
type caseStore interface {
	DeleteCase(ctx context.Context, caseID string) error
}

// Lock takes the lock name for ttl across every instance sharing store (a key that only one
// PutIfAbsent wins: a Redis lock in the shared topology; in embedded mode there is one
// instance anyway). It returns a function that releases it, or ok false when another holds
// it. The ttl frees a lock whose holder died.
func Lock(ctx context.Context, store kv.Store, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	tok := token.NewID()
	ok, err = store.PutIfAbsent(ctx, bucketLocks, name, []byte(tok), ttl)
	if err != nil || !ok {
		return nil, false, err
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		if b, err := store.Get(ctx, bucketLocks, name); err == nil && string(b) == tok {
			_ = store.Delete(ctx, bucketLocks, name)
		}
	}, true, nil
}

func (s *Server) lock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	return Lock(ctx, s.kv, name, ttl)
}

// pseudonym is a fresh pseudonym for a deleted case: "casus-" and eight letters and digits.
func pseudonym() string {
	return "casus-" + rand.Text()[:8]
}

// DeleteCase deletes caseID for reason, approved by the account ids in by: what is needed to
// read it goes first (its key), then every record of it, on every instance:
//
//  1. a tombstone (its pseudonym; the id is never used again);
//  2. its invitations are spent and their sessions revoked, and every instance ends its
//     connections to the case and drops it from memory;
//  3. the intake the case started from goes, with its own key (it holds the same people and
//     facts); the store destroys the case key and removes the log, command ids and presence;
//  4. the members, invitations and the index entry go; the tombstone says when it was done.
//
// The access log stays, its invitees' names now unreadable (shown as the pseudonym). Run
// again after a failure, it carries on where it stopped.
func (s *Server) DeleteCase(ctx context.Context, caseID, reason string, by []string) (Tombstone, error) {
	st, ok := s.store.(caseStore)
	if !ok {
		return Tombstone{}, errUnavailable
	}
	unlock, ok, err := s.lock(ctx, "case-keys", 5*time.Minute)
	if err != nil {
		return Tombstone{}, errUnavailable.WithCause(err)
	}
	if !ok {
		return Tombstone{}, meeting.NewError(meeting.CodeUnavailable, "Er loopt al een verwijdering of sleutelwissel; probeer het zo opnieuw.",
			"A deletion or key rotation is under way; try again shortly.")
	}
	defer unlock()
	t := Tombstone{CaseID: caseID, Pseudonym: pseudonym(), Reason: reason, By: by}
	b, _ := json.Marshal(t)
	if _, err := s.kv.PutIfAbsent(ctx, bucketTombstones, caseID, b, 0); err != nil {
		return Tombstone{}, errUnavailable.WithCause(err)
	}
	if t, err = getTombstone(ctx, s.kv, caseID); err != nil { // a run before this one may have made it
		return Tombstone{}, errUnavailable.WithCause(err)
	}
	members, err := s.members(ctx, caseID)
	if err != nil {
		return t, err
	}
	invitations, err := s.kv.List(ctx, invitationsBucket(caseID))
	if err != nil {
		return t, errUnavailable.WithCause(err)
	}
	for _, v := range invitations {
		var r invitationRecord
		if json.Unmarshal(v, &r) != nil {
			continue
		}
		if _, err := s.spend(ctx, r.ID, r.Expires); err != nil {
			return t, err
		}
		if r.SessionID != "" {
			if err := s.RevokeSession(ctx, r.SessionID); err != nil {
				return t, errUnavailable.WithCause(err)
			}
		}
	}
	s.dropEverywhere(ctx, caseID)
	if err := s.deleteIntakesOf(ctx, st, caseID); err != nil {
		return t, err
	}
	if err := st.DeleteCase(ctx, caseID); err != nil {
		return t, errUnavailable.WithCause(err)
	}
	for _, del := range []func() error{
		func() error { return s.kv.DeleteBucket(ctx, membersBucket(caseID)) },
		func() error { return s.kv.DeleteBucket(ctx, invitationsBucket(caseID)) },
		func() error { return s.kv.Delete(ctx, bucketCases, caseID) },
		func() error { return s.kv.Delete(ctx, bucketRetentionDue, caseID) },
	} {
		if err := del(); err != nil {
			return t, errUnavailable.WithCause(err)
		}
	}
	for acc := range members {
		if err := s.kv.Delete(ctx, accountCasesBucket(acc), caseID); err != nil {
			return t, errUnavailable.WithCause(err)
		}
	}
	t.Deleted = s.now().UTC()
	b, _ = json.Marshal(t)
	if err := s.kv.Put(ctx, bucketTombstones, caseID, b); err != nil {
		return t, errUnavailable.WithCause(err)
	}
	s.dropEverywhere(ctx, caseID) // a connection that came in meanwhile finds nothing now
	s.log.Info("case deleted", "case", caseID, "pseudonym", t.Pseudonym, "reason", reason)
	return t, nil
}

// dropEverywhere ends the connections to caseID on this instance and tells the others.
func (s *Server) dropEverywhere(ctx context.Context, caseID string) {
	if s.hub != nil {
		s.hub.Drop(caseID)
	}
	if err := s.kv.Publish(ctx, DeletedChannel, []byte(caseID)); err != nil {
		s.log.Warn("publish a deleted case", "case", caseID, "err", err)
	}
}

// onDeleted handles a deleted case published by any instance.
func (s *Server) onDeleted(msg []byte) {
	if caseID := string(msg); ValidID(caseID) && s.hub != nil {
		s.hub.Drop(caseID)
	}
}

// deletionView is the answer of POST /api/cases/:id/delete.
type deletionView struct {
	// Deleted is true when the case was deleted by this request.
	Deleted bool `json:"deleted"`
	// Approvals are the professionals who approved so far (a second one deletes).
	Approvals []meeting.Approval `json:"approvals"`
	// Pseudonym is the deleted case's pseudonym in the access log.
	Pseudonym string `json:"pseudonym,omitempty"`
}

// handleDelete approves the deletion of a case whose retention has ended, as the caller, and
// deletes it once two professionals approved (four eyes) — or at once when a request for
// destruction was granted by two. The access-log entry of the request is written before it
// runs; a second one records that the deletion was carried out.
func (s *Server) handleDelete(c echo.Context, a CaseAccess) error {
	ctx := c.Request().Context()
	st, _, err := s.hub.Load(ctx, a.CaseID)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	if !st.Created {
		return errNotFound
	}
	if !st.DeletionApproved() {
		if _, err := s.hub.Execute(ctx, a.Principal, a.CaseID, "approve-deletion-"+token.NewID(), &meeting.ApproveDeletion{}); err != nil {
			return domainError(err)
		}
		if st, _, err = s.hub.Load(ctx, a.CaseID); err != nil {
			return errUnavailable.WithCause(err)
		}
	}
	out := deletionView{Approvals: nonNilSlice(st.Life.Approvals)}
	if !st.DeletionApproved() {
		return c.JSON(http.StatusOK, out)
	}
	reason, by := DeletedRetention, []string{}
	for _, ap := range st.Life.Approvals {
		by = append(by, ap.By)
	}
	for _, r := range st.Life.Destruction {
		if r.Status == meeting.DestructionGranted && r.Decision != nil {
			reason, by = DeletedDestruction, []string{r.Decision.By, r.Decision.Second}
		}
	}
	t, err := s.DeleteCase(ctx, a.CaseID, reason, by)
	if err != nil {
		return err
	}
	e := entryFor(a.Principal, a.Role)
	e.CaseID, e.Object, e.Action, e.Outcome, e.Authority = a.CaseID, "case (deleted: "+reason+")", audit.ActionDelete, audit.OutcomeGranted,
		"approved by "+strings.Join(by, ", ")
	if err := s.record(c, e); err != nil {
		return err
	}
	out.Deleted, out.Pseudonym = true, t.Pseudonym
	return c.JSON(http.StatusOK, out)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// retentionLockTTL bounds how long one instance holds the retention job.
const retentionLockTTL = time.Hour

// retentionLoop runs the retention job every interval until ctx is done.
func (s *Server) retentionLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.Privacy.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.RetentionOnce(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("retention job", "err", err)
			}
		}
	}
}

// RetentionReport is what one run of the retention job did.
type RetentionReport struct {
	// Ran is false when another instance held the job.
	Ran bool `json:"ran"`
	// Due are the cases whose retention has ended: they wait for two professionals' approval.
	Due []string `json:"due"`
	// Trimmed is how many access-log entries passed the log's own retention.
	Trimmed int `json:"trimmed"`
}

// RetentionOnce runs the retention job now, on this instance only if no other instance runs
// it (a lock in the shared KV): it lists the cases whose retention has ended in the bucket
// "retention-due" (deleting them needs two professionals, POST /api/cases/{id}/delete), and
// removes access-log entries older than the access log's retention from the global log and
// every case's log (also of deleted cases).
func (s *Server) RetentionOnce(ctx context.Context) (RetentionReport, error) {
	var rep RetentionReport
	unlock, ok, err := s.lock(ctx, "retention", retentionLockTTL)
	if err != nil || !ok {
		return rep, err
	}
	defer unlock()
	rep.Ran, rep.Due = true, []string{}
	now := s.now().UTC()
	index, err := s.kv.List(ctx, bucketCases)
	if err != nil {
		return rep, err
	}
	if s.hub != nil {
		for caseID := range index {
			st, _, err := s.hub.Load(ctx, caseID)
			if err != nil {
				return rep, err
			}
			if st.DueForDeletion(now) {
				end, _ := st.RetentionEnd()
				rep.Due = append(rep.Due, caseID)
				if err := s.kv.Put(ctx, bucketRetentionDue, caseID, []byte(end.Format(time.RFC3339))); err != nil {
					return rep, err
				}
			} else if err := s.kv.Delete(ctx, bucketRetentionDue, caseID); err != nil {
				return rep, err
			}
		}
	}
	slices.Sort(rep.Due)
	tombs, err := s.kv.List(ctx, bucketTombstones)
	if err != nil {
		return rep, err
	}
	logs := []string{audit.GlobalLog}
	for caseID := range index {
		logs = append(logs, audit.CaseLog(caseID))
	}
	for caseID := range tombs {
		logs = append(logs, audit.CaseLog(caseID))
	}
	before := now.Add(-s.cfg.Privacy.AccessLogRetention)
	for _, name := range logs {
		n, err := audit.Trim(ctx, s.kv, name, before)
		if err != nil {
			return rep, fmt.Errorf("trim %s: %w", name, err)
		}
		rep.Trimmed += n
	}
	e := audit.Entry{PrincipalID: "system", Name: "bewaartermijnen", Role: "system", Object: "retention",
		Action: "retention", Outcome: audit.OutcomeGranted, Authority: "retention job", Channel: "job",
		Addr: fmt.Sprintf("%d due, %d log entries removed", len(rep.Due), rep.Trimmed)}
	if err := s.audit.Record(ctx, e); err != nil {
		return rep, err
	}
	return rep, nil
}

// handleRetentionDue lists the cases of the caller whose retention has ended (as the
// retention job last found them).
func (s *Server) handleRetentionDue(c echo.Context) error {
	au, err := s.authenticate(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	due, err := s.kv.List(ctx, bucketRetentionDue)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	type dueCase struct {
		ID  string `json:"id"`
		Due string `json:"due"`
	}
	out := []dueCase{}
	for id, at := range due {
		if _, err := s.CaseRole(ctx, au.Principal, id); err == nil {
			out = append(out, dueCase{ID: id, Due: string(at)})
		}
	}
	slices.SortFunc(out, func(a, b dueCase) int { return strings.Compare(a.ID, b.ID) })
	e := entryFor(au.Principal, "")
	e.Object, e.Action, e.Outcome, e.Authority = "retention-due", audit.ActionList, audit.OutcomeGranted, "own memberships"
	if err := s.record(c, e); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// startLifecycle subscribes to deleted cases and starts the retention job (both until ctx
// ends).
func (s *Server) startLifecycle(ctx context.Context) error {
	if err := s.kv.Subscribe(ctx, DeletedChannel, s.onDeleted); err != nil {
		return fmt.Errorf("server: subscribe to deleted cases: %w", err)
	}
	go s.retentionLoop(ctx)
	return nil
}

// errCaseDeleted refuses the creation of a case whose id a deleted case had.
var errCaseDeleted = meeting.NewError(meeting.CodeConflict, "Deze casus-id is van een verwijderde casus.", "This case id belonged to a deleted case.")

// checkNotDeleted refuses caseID when it was deleted.
func (s *Server) checkNotDeleted(ctx context.Context, caseID string) error {
	gone, err := s.isDeleted(ctx, caseID)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return errUnavailable.WithCause(err)
	}
	if gone {
		return errCaseDeleted
	}
	return nil
}
