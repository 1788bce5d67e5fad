package server

import (
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// The living safety plan over REST (issue 15): handing a case to another case director, and
// what is due and overdue between meetings — on a case page and on a professional's start page.
// Due and overdue are the domain's (meeting.State.Due), judged with this server's clock.

// livingRoutes registers the routes (from SetEngine: they read and change case content).
func (s *Server) livingRoutes() {
	s.CaseRoute(http.MethodPost, "/api/cases/:id/direction", CaseRule{Action: audit.ActionUpdate, Object: "direction"}, s.handleTransferDirection)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/due", CaseRule{Action: audit.ActionRead, Object: "due", Sight: meeting.SightView}, s.handleCaseDue)
	s.echo.GET("/api/due", s.handleMyDue, s.requireProfessional)
}

// directionInput is the body of POST /api/cases/{id}/direction.
type directionInput struct {
	// Account is the account id of the new case director, a professional member of the case.
	Account    string `json:"account"`
	Reason     string `json:"reason"`
	Phone      string `json:"phone"`
	WhyNotWarm string `json:"whyNotWarm"`
	// CommandID makes a retried request harmless (the hub's exactly-once rule).
	CommandID string `json:"commandId"`
}

// handleTransferDirection hands the case to another case director: the domain decides
// (case.transfer_direction: only the director, to a professional who sat at the table; warm or
// why not), then the case's membership follows — the new director becomes a chair member (so
// they invite and manage members), the old one a professional member.
func (s *Server) handleTransferDirection(c echo.Context, a CaseAccess) error {
	var in directionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.CommandID == "" {
		in.CommandID = "direction-" + token.NewID()[:16]
	}
	ctx := c.Request().Context()
	ms, err := s.members(ctx, a.CaseID)
	if err != nil {
		return err
	}
	if _, ok := ms[in.Account]; !ok {
		return invalid("De nieuwe casusregisseur moet een professional van deze casus zijn.", "The new case director must be a professional member of this case.")
	}
	acc, err := s.getAccount(ctx, in.Account)
	if err != nil {
		return err
	}
	if acc.Disabled {
		return invalid("Dit account is uitgeschakeld.", "This account is disabled.")
	}
	if s.hub == nil {
		return errUnavailable
	}
	cmd := &meeting.TransferDirection{To: "u:" + acc.ID, Reason: in.Reason, Organisation: acc.Organisation, Phone: in.Phone, WhyNotWarm: in.WhyNotWarm}
	if _, err := s.hub.Execute(ctx, a.Principal, a.CaseID, in.CommandID, cmd); err != nil {
		return domainError(err)
	}
	// The membership follows the case's log, not the request: a repeated command id is
	// answered with the first result, so check who directs the case now and who did before.
	st, _, err := s.hub.Load(ctx, a.CaseID)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	n := len(st.Directors)
	if n < 2 || st.Directors[n-1].ID != "u:"+acc.ID {
		return meeting.NewError(meeting.CodeConflict, "De casus heeft inmiddels een andere casusregisseur.", "The case has another case director by now.")
	}
	by := strings.TrimPrefix(a.Principal.ID, "u:")
	if err := s.SetMember(ctx, a.CaseID, acc, CaseRoleChair, by); err != nil {
		return err
	}
	s.rightsChanged(ctx, a.CaseID, "u:"+acc.ID)
	if old, ok := ms[strings.TrimPrefix(st.Directors[n-2].ID, "u:")]; ok && old.AccountID != acc.ID {
		if oldAcc, err := s.getAccount(ctx, old.AccountID); err == nil {
			if err := s.SetMember(ctx, a.CaseID, oldAcc, CaseRoleProfessional, by); err != nil {
				return err
			}
			s.rightsChanged(ctx, a.CaseID, "u:"+oldAcc.ID)
		}
	}
	return c.NoContent(http.StatusNoContent)
}

// caseDue is what is due in one case.
type caseDue struct {
	CaseID string `json:"caseId"`
	Title  string `json:"title"`
	// Director is true when the reader is the case's director (then every item is listed,
	// otherwise only their own).
	Director bool              `json:"director"`
	Items    []meeting.DueItem `json:"items"`
}

// handleCaseDue lists what is due and overdue in the case (professionals only: monitoring is).
func (s *Server) handleCaseDue(c echo.Context, a CaseAccess) error {
	if a.Sight.Viewer.Audience() != meeting.AudienceProfessional {
		return errForbidden
	}
	items := a.State.Due(s.now())
	if items == nil {
		items = []meeting.DueItem{}
	}
	d := a.State.Director()
	return c.JSON(http.StatusOK, caseDue{CaseID: a.CaseID, Title: a.State.Title, Director: d != nil && d.ID == a.Principal.ID, Items: items})
}

// handleMyDue lists, for the signed-in professional's start page, what is due and overdue in
// the cases they direct (everything) and in their other cases (what they own). Each case read
// leaves an access-log entry.
func (s *Server) handleMyDue(c echo.Context) error {
	au, err := s.authenticate(c)
	if err != nil {
		return err
	}
	if s.hub == nil {
		return errUnavailable
	}
	ctx := c.Request().Context()
	accID := strings.TrimPrefix(au.Principal.ID, "u:")
	mine, err := s.kv.List(ctx, accountCasesBucket(accID))
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	now := s.now()
	out := []caseDue{}
	for id := range mine {
		a, err := s.CaseRole(ctx, au.Principal, id)
		if err != nil {
			continue
		}
		st, _, err := s.hub.Load(ctx, id)
		if err != nil || !st.Created {
			continue
		}
		if s.sightOf(st, au.Principal).Viewer.Audience() != meeting.AudienceProfessional {
			continue
		}
		d := st.Director()
		cd := caseDue{CaseID: id, Title: st.Title, Director: d != nil && d.ID == au.Principal.ID, Items: []meeting.DueItem{}}
		for _, it := range st.Due(now) {
			if cd.Director || it.Owner.Participant == au.Principal.ID {
				cd.Items = append(cd.Items, it)
			}
		}
		e := entryFor(au.Principal, a.Role)
		e.CaseID, e.Object, e.Action, e.Outcome, e.Authority = id, "due", audit.ActionRead, audit.OutcomeGranted, a.Authority
		if err := s.record(c, e); err != nil {
			return err
		}
		if len(cd.Items) > 0 {
			out = append(out, cd)
		}
	}
	sort.Slice(out, func(i, j int) bool { return mostLate(out[i]) > mostLate(out[j]) })
	return c.JSON(http.StatusOK, dueResponse{Today: now.UTC().Format(meeting.Day), Cases: out})
}

// dueResponse is the body of GET /api/due.
type dueResponse struct {
	// Today is the day the items were judged on (UTC).
	Today string    `json:"today"`
	Cases []caseDue `json:"cases"`
}

// mostLate is the largest number of days late in a case.
func mostLate(c caseDue) int {
	late := -meeting.DueWindow - 1
	for _, it := range c.Items {
		late = max(late, it.Days)
	}
	return late
}
