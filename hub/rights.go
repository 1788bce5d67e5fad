package hub

import (
	"context"
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
