package hub

import (
	"context"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Rights is the seam through which the hub learns who may reach a case and leaves the
// access log (NEN 7513). The hub declares it; the server implements it, and it is set once,
// in Config. What a person may see of the case once they may reach it is the domain's rule
// (meeting.State.SightOf), which the hub asks itself.
type Rights interface {
	// Grant says whether p may reach caseID now and on whose authority. It is asked on hello
	// and when Recheck is called; the connection then holds the grant for its commands, and
	// asks again once Config.GrantTTL has passed. A refusal is a *meeting.Error with code
	// forbidden, unauthenticated, revoked or unavailable (the hub's close-code table maps it);
	// an unavailable refusal keeps the connection but refuses the command.
	Grant(ctx context.Context, p Principal, caseID string) (Grant, error)
	// Record writes one access-log entry: p did action on object of caseID under g, with
	// outcome "granted" or "refused". Action is "read" for the view sent on hello, or the
	// command kind. It never receives message contents. An error means nothing was recorded:
	// the hub then refuses a read (fail closed).
	Record(ctx context.Context, p Principal, g Grant, caseID, object, action, outcome string) error
}

// Journal is implemented by Rights whose access-log entries for the changes of a batch can be
// written by the store in the same write as the batch's events (a Store that is a
// LogAppender), instead of one Record per change after the append.
type Journal interface {
	// Journal prepares the access-log entries of changes to caseID. The hub calls Finish on
	// what it returns exactly once, whatever becomes of the batch.
	Journal(ctx context.Context, caseID string, changes []Change) (JournalEntries, error)
}

// Change is one stored command of a batch as the access log records it: P changed the case
// with a command of Kind, under G.
type Change struct {
	P    Principal
	G    Grant
	Kind string
}

// JournalEntries is access-log entries prepared by Journal.
type JournalEntries interface {
	// Writes are the log writes for the store to make with the batch's events.
	Writes() []kv.LogWrite
	// Finish ends the entries. stored says whether the batch's events were stored, written
	// which of Writes were made. When stored, every entry not written with the events is
	// written now, and Finish returns once it is; an error means some entry was not.
	Finish(ctx context.Context, stored bool, written []bool) error
}

// Grant is a right to a case as Rights decided it.
type Grant struct {
	// Role is the principal's role in the case: "chair" or "professional" for members, the
	// invitation's meeting role for invitees.
	Role string
	// Authority is on whose authority access is granted, as the access log records it.
	Authority string
}

// inviteeRights is the Rights of a hub without a server (tests, tools): professionals reach
// every case, invitees only the case of their invitation; nothing is recorded.
type inviteeRights struct{}

func (inviteeRights) Grant(_ context.Context, p Principal, caseID string) (Grant, error) {
	if !p.Professional && p.CaseID != caseID {
		return Grant{}, errForbiddenCase
	}
	return Grant{Role: p.InviteRole}, nil
}

func (inviteeRights) Record(context.Context, Principal, Grant, string, string, string, string) error {
	return nil
}

// Recheck asks Rights again, at once, for every connection on this instance of principal
// (every principal when empty) to caseID, and closes those refused with the code of the
// refusal. The server calls it on every instance when a right changes (a membership removed,
// an invitation withdrawn), so that an open socket stops receiving case content. A connection
// granted again holds the new grant; one whose right could not be checked (unavailable)
// drops the grant it held, so that its next command asks again.
func (h *Hub) Recheck(caseID, principal string) {
	h.mu.Lock()
	var check []*client
	for c := range h.clients {
		if c.caseID == caseID && (principal == "" || c.p.ID == principal) {
			check = append(check, c)
		}
	}
	h.mu.Unlock()
	for _, c := range check {
		_, err := c.askGrant()
		if err != nil && !unavailable(err) {
			c.kill(closeCodeFor(err), "not allowed")
		}
	}
}
