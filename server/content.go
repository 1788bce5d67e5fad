package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// contentRoutes registers the routes that read case content through the hub.
func (s *Server) contentRoutes() {
	s.CaseRoute(http.MethodGet, "/api/cases/:id/view", CaseRule{Action: audit.ActionRead, Object: "case/view", Invitees: true, Sight: meeting.SightLobby}, s.handleCaseView)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/history/:list", CaseRule{Action: audit.ActionRead, Object: "history/:list", Invitees: true, Sight: meeting.SightView}, s.handleHistory)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/meetings/:mid/minutes.pdf", CaseRule{Action: audit.ActionRead, Object: "meeting/:mid/minutes", Invitees: true, Sight: meeting.SightView}, s.handleMinutes)
	s.livingRoutes()
	s.privacyRoutes()
}

// Grant implements hub.Rights: whether p may reach caseID now, asked on hello and on Recheck
// (a connection holds the grant for its commands, hub.Config.GrantTTL at most). It refuses a session that has been revoked (a socket whose instance
// missed the revocation message can do nothing more) or has passed the session maximum, and
// a professional who is no (longer a) member. Errors carry code forbidden, unauthenticated,
// revoked or unavailable.
func (s *Server) Grant(ctx context.Context, p hub.Principal, caseID string) (hub.Grant, error) {
	if p.SessionID != "" {
		if err := s.checkRevoked(ctx, p.SessionID); err != nil {
			return hub.Grant{Authority: "session " + p.SessionID + " revoked"}, err
		}
		if err := s.checkSessionLive(ctx, p.SessionID); err != nil {
			return hub.Grant{Authority: "session " + p.SessionID + " ended"}, err
		}
	}
	a, err := s.CaseRole(ctx, p, caseID)
	return hub.Grant{Role: a.Role, Authority: a.Authority}, err
}

// Record implements hub.Rights: one access-log entry for a WebSocket read or change, under
// the grant the hub holds (the case role is not looked up again). Refused commands are folded
// per connection, kind and minute (access_flood.go), so a flood cannot flood the log.
func (s *Server) Record(ctx context.Context, p hub.Principal, g hub.Grant, caseID, object, action, outcome string) error {
	e := entryFor(p, g.Role)
	e.CaseID, e.Object, e.Action, e.Outcome, e.Authority, e.Channel, e.Addr = caseID, object, action, outcome, g.Authority, "ws", p.Addr
	if e.Outcome == audit.OutcomeRefused && object == "command" &&
		s.refusals.fold(p.SessionID+"|"+p.ID+"|"+caseID+"|"+p.Addr+"|"+action, e, s.now()) {
		return nil // counted into this connection's minute
	}
	return s.audit.Record(ctx, e)
}

// Journal implements hub.Journal: the access-log entries of a batch's changes over sockets,
// for the store to write with the batch's events (one bbolt transaction; one Redis script).
func (s *Server) Journal(ctx context.Context, caseID string, changes []hub.Change) (hub.JournalEntries, error) {
	entries := make([]audit.Entry, len(changes))
	now := s.now().UTC()
	for i, ch := range changes {
		e := entryFor(ch.P, ch.G.Role)
		e.Time, e.CaseID, e.Object, e.Action, e.Outcome, e.Authority, e.Channel, e.Addr = now, caseID, "command", ch.Kind, audit.OutcomeGranted, ch.G.Authority, "ws", ch.P.Addr
		entries[i] = e
	}
	cl, err := s.audit.Claim(ctx, entries)
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// domainError is err as the HTTP error it answers: a refusal (domain or hub) as itself, with
// its code and messages; anything else (the store failed) as unavailable.
func domainError(err error) error {
	var de *meeting.Error
	if errors.As(err, &de) {
		return de
	}
	return errUnavailable.WithCause(err)
}

// caseCreateInput is the body of POST /api/cases: the case and its persons.
type caseCreateInput struct {
	Title string `json:"title"`
	// Persons are entered once each with their flags; Subjects and Family are the first
	// version's fields, still accepted.
	Persons  []meeting.Person       `json:"persons"`
	Subjects []meeting.Subject      `json:"subjects"`
	Family   []meeting.FamilyMember `json:"family"`
	Policy   meeting.Policy         `json:"policy"`
}

// createCaseContent writes case.created to the new case's log.
func (s *Server) createCaseContent(ctx context.Context, p hub.Principal, caseID string, in caseCreateInput) error {
	if s.hub == nil {
		return errUnavailable
	}
	cc := &meeting.CreateCase{ID: caseID, Title: in.Title, Persons: in.Persons, Subjects: in.Subjects, Family: in.Family, Policy: in.Policy}
	if _, err := s.hub.Execute(ctx, p, caseID, "create-"+caseID, cc); err != nil {
		return domainError(err)
	}
	return nil
}

// checkCaseContent validates the persons of a new case before anything is stored.
func checkCaseContent(p hub.Principal, in caseCreateInput) error {
	if len(in.Subjects) == 0 && len(in.Persons) == 0 {
		return invalid("Noem minstens één persoon om wiens veiligheid het gaat.", "Name at least one person whose safety is scored.")
	}
	cc := &meeting.CreateCase{ID: "check", Title: in.Title, Persons: in.Persons, Subjects: in.Subjects, Family: in.Family, Policy: in.Policy}
	_, err := meeting.Decide(meeting.NewState(), cc, meeting.Context{Actor: meeting.Actor{ID: p.ID, Name: p.Name, Professional: true}, CommandID: "check"})
	if err != nil {
		return domainError(err)
	}
	return nil
}

// sightOf is what p may see of the case in st now: the domain's one rule, with this
// server's clock and the configured read time after an invitee's meeting closed.
func (s *Server) sightOf(st *meeting.State, p hub.Principal) meeting.Sight {
	return st.SightOf(p.Reader(), meeting.Reading{Now: s.now(), AfterClose: s.cfg.InviteReadAfterClose})
}

var errNoSight = meeting.NewError(meeting.CodeForbidden,
	"U kunt deze casus niet (meer) inzien. Vraag de casusregisseur om een nieuwe link.",
	"You can no longer read this case. Ask the case director for a new link.")

// handleCaseView returns the case as the caller may see it (the family's printable plan
// uses it too).
func (s *Server) handleCaseView(c echo.Context, a CaseAccess) error {
	if !a.State.Created {
		return meeting.NewError(meeting.CodeNotFound, "Deze casus heeft nog geen inhoud.", "This case has no content yet.")
	}
	if a.Sight.Kind == meeting.SightLobby {
		return c.JSON(http.StatusOK, meeting.LobbyView(a.State, a.Sight.Viewer))
	}
	return c.JSON(http.StatusOK, meeting.FullView(a.State, a.Sight.Viewer))
}

// handleHistory returns a page of the case's history (meetings with their rounds, check-ins,
// facts, decisions, confirmations), oldest first, as the caller may see it: the live view
// carries only the recent entries and, in earlier, the cursor to start from. Query: before (the
// cursor; absent or 0 for the newest) and limit (1–100, default 20).
func (s *Server) handleHistory(c echo.Context, a CaseAccess) error {
	before, limit := 0, 20
	for name, dst := range map[string]*int{"before": &before, "limit": &limit} {
		q := c.QueryParam(name)
		if q == "" {
			continue
		}
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			return invalid("'"+name+"' is geen geldig getal.", "'"+name+"' is not a valid number.")
		}
		*dst = n
	}
	pg, err := meeting.History(a.State, a.Sight.Viewer, c.Param("list"), before, limit)
	if err != nil {
		return domainError(err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pg)
}

// handleMinutes returns the minutes of a meeting as a PDF, as the caller may see them: the
// family's copy holds no professionals-only fact or explanation and nothing withheld from the
// reader; an invitee gets their own meeting's minutes only.
func (s *Server) handleMinutes(c echo.Context, a CaseAccess) error {
	mid := c.Param("mid")
	pdf, err := Minutes(a.State, mid, a.Sight.Viewer)
	if err != nil {
		return err
	}
	name := "notulen-" + strings.ReplaceAll(a.CaseID+"-"+mid, "/", "_") + ".pdf"
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// Policy is the organisation's policy defaults for new cases (Q, K, D).
func (c Config) Policy() meeting.Policy {
	return meeting.Policy{Quorum: c.Quorum, StableMeetings: c.StableMeetings, StableDays: c.StableDays}
}
