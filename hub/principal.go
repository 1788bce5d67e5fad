package hub

import (
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Principal is who is on the other end of a connection, as the server authenticated them.
// The hub authorises every command against the principal's role in that case.
type Principal struct {
	// ID is stable per person: "u:<account id>" for professionals, "i:<invite id>" for
	// people who joined through an invitation.
	ID string
	// Name is the display name.
	Name string
	// Professional is true for account holders (professionals, chairs, admins).
	Professional bool
	// Organisation is the professional's organisation (empty for invitees).
	Organisation string
	// Discipline is what the person does ("huisarts", "politie", "leerkracht"): the account's,
	// or for a professional invited by a link, the invitation's; empty when not given.
	Discipline string
	// AccountRole is the account's role: "admin", "chair" or "professional" (empty for invitees).
	AccountRole string
	// SessionID identifies the login session or redeemed invitation, so that revoking it
	// closes its sockets.
	SessionID string
	// CaseID, for invitees, is the one case the invitation is for.
	CaseID string
	// MeetingID, for invitees, is the meeting the invitation is for.
	MeetingID string
	// InviteRole, for invitees, is the meeting role they were invited as ("family", "network",
	// "professional", "observer").
	InviteRole string
	// Addr is the client's real address (after trusted-proxy handling), for the access log.
	Addr string
	// Expires is when the session ends (zero: never); a socket is closed with 4401 then.
	Expires time.Time
	// Display is true for the shared screen opened by a member of the case: it shows only
	// what everyone admitted to the meeting may see.
	Display bool
}

// Reader is the principal as the domain's visibility rule (meeting.State.SightOf) takes it.
func (p Principal) Reader() meeting.Reader {
	return meeting.Reader{ID: p.ID, Professional: p.Professional, Meeting: p.MeetingID, Display: p.Display}
}
