package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Intakes (triage, issue 16) are kept as records in the KV store, one per report, decided by
// the domain's pure DecideIntake. Every read and change is access-logged; only account holders
// with the intake permission reach them here, and the members of a case started from one read
// it from the case (GET /api/cases/:id/intake).
const (
	bucketIntakes     = "intakes"       // intake id → meeting.Intake
	bucketIntakeStart = "intake-starts" // intake id → case id: a case starts once
)

var errNoIntake = meeting.NewError(meeting.CodeForbidden, "Alleen medewerkers met de intakebevoegdheid (Veilig Thuis) zien meldingen.", "Only staff with the intake permission (Veilig Thuis) see reports.")

// intakeRoutes registers the intake routes.
func (s *Server) intakeRoutes() {
	e := s.echo
	e.GET("/api/intakes", s.handleListIntakes, s.requireAuth)
	e.POST("/api/intakes", s.handleRecordIntake, s.requireAuth)
	e.GET("/api/intakes/:iid", s.handleGetIntake, s.requireAuth)
	e.POST("/api/intakes/:iid/route", s.handleChangeRoute, s.requireAuth)
	e.POST("/api/intakes/:iid/close", s.handleCloseIntake, s.requireAuth)
	e.POST("/api/intakes/:iid/start", s.handleStartCase, s.requireAuth)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/intake", CaseRule{Action: audit.ActionRead, Object: "intake", Sight: meeting.SightView}, s.handleCaseIntake)
}

// intakeView is an intake with its state at the time of the request.
type intakeView struct {
	*meeting.Intake
	State string    `json:"state"`
	Due   time.Time `json:"due"`
}

// intakeRow is one line of the team overview (no persons, facts or police information).
type intakeRow struct {
	ID          string            `json:"id"`
	Received    time.Time         `json:"received"`
	Reporter    string            `json:"reporter"`
	Persons     int               `json:"persons"`
	Proposed    string            `json:"proposed"`
	Route       string            `json:"route"`
	Deadlines   meeting.Deadlines `json:"deadlines"`
	Due         time.Time         `json:"due"`
	State       string            `json:"state"`
	CaseID      string            `json:"caseId,omitempty"`
	RecordedBy  string            `json:"recordedBy"`
	Description string            `json:"description"`
}

// intakeActor authenticates the caller and checks the intake permission; a refusal is
// access-logged (object names what was asked for).
func (s *Server) intakeActor(c echo.Context, object, action string) (hub.Principal, meeting.IntakeContext, error) {
	au, err := s.authenticate(c)
	if err != nil {
		return hub.Principal{}, meeting.IntakeContext{}, err
	}
	p := au.Principal
	ok := false
	if p.Professional {
		acc, err := s.getAccount(c.Request().Context(), strings.TrimPrefix(p.ID, "u:"))
		if err != nil && !errors.Is(err, errNotFound) {
			return p, meeting.IntakeContext{}, err
		}
		ok = err == nil && acc.Intake && !acc.Disabled
	}
	ctx := meeting.IntakeContext{Actor: meeting.Actor{ID: p.ID, Name: p.Name, Professional: p.Professional, Organisation: p.Organisation},
		Now: s.now(), Holidays: s.cfg.Holidays, MayIntake: ok}
	if !ok {
		e := entryFor(p, "")
		e.Object, e.Action, e.Outcome, e.Authority = object, action, audit.OutcomeRefused, "no intake permission"
		if err := s.record(c, e); err != nil {
			return p, ctx, err
		}
		return p, ctx, errNoIntake
	}
	return p, ctx, nil
}

// recordIntakeAccess leaves the access-log entry of a granted intake access.
func (s *Server) recordIntakeAccess(c echo.Context, p hub.Principal, object, action, caseID string) error {
	e := entryFor(p, "")
	e.CaseID, e.Object, e.Action, e.Outcome, e.Authority = caseID, object, action, audit.OutcomeGranted, "intake permission"
	return s.record(c, e)
}

func (s *Server) getIntake(ctx context.Context, id string) (*meeting.Intake, error) {
	if !ValidID(id) {
		return nil, errNotFound
	}
	b, err := s.kv.Get(ctx, bucketIntakes, id)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errUnavailable.WithCause(err)
	}
	var in meeting.Intake
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, errUnavailable.WithCause(err)
	}
	return &in, nil
}

func (s *Server) putIntake(ctx context.Context, in *meeting.Intake) error {
	b, _ := json.Marshal(in)
	if err := s.kv.Put(ctx, bucketIntakes, in.ID, b); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

func (s *Server) viewOf(in *meeting.Intake) intakeView {
	return intakeView{Intake: in, State: in.StateAt(s.now()), Due: in.Due()}
}

// handleRecordIntake records a report (POST /api/intakes).
func (s *Server) handleRecordIntake(c echo.Context) error {
	p, ictx, err := s.intakeActor(c, "intake", audit.ActionCreate)
	if err != nil {
		return err
	}
	var cmd meeting.RecordIntake
	if err := bind(c, &cmd); err != nil {
		return err
	}
	if cmd.ID == "" {
		cmd.ID = "i" + token.NewID()[:15]
	}
	in, err := meeting.DecideIntake(nil, &cmd, ictx)
	if err != nil {
		return domainError(err)
	}
	b, _ := json.Marshal(in)
	ok, err := s.kv.PutIfAbsent(c.Request().Context(), bucketIntakes, in.ID, b, 0)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	if !ok {
		return meeting.NewError(meeting.CodeConflict, "Deze melding bestaat al.", "This report exists already.")
	}
	if err := s.recordIntakeAccess(c, p, "intake/"+in.ID, audit.ActionCreate, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.viewOf(in))
}

// handleListIntakes is the team overview (GET /api/intakes?sort=due|received|route|state):
// every intake with its route, deadline and state now.
func (s *Server) handleListIntakes(c echo.Context) error {
	p, _, err := s.intakeActor(c, "intake-index", audit.ActionList)
	if err != nil {
		return err
	}
	all, err := s.kv.List(c.Request().Context(), bucketIntakes)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	rows := []intakeRow{}
	for _, b := range all {
		var in meeting.Intake
		if json.Unmarshal(b, &in) != nil {
			continue
		}
		rows = append(rows, intakeRow{ID: in.ID, Received: in.Received, Reporter: in.Reporter.Kind, Persons: len(in.Persons),
			Proposed: in.Proposed, Route: in.Route, Deadlines: in.Deadlines, Due: in.Due(), State: in.StateAt(s.now()),
			CaseID: in.CaseID, RecordedBy: in.RecordedByName, Description: describe(&in)})
	}
	sortRows(rows, c.QueryParam("sort"))
	if err := s.recordIntakeAccess(c, p, "intake-index", audit.ActionList, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rows)
}

// describe is a short line about an intake for the overview: the persons at risk by first
// name only and the forms of violence.
func describe(in *meeting.Intake) string {
	var names []string
	for _, p := range in.Persons {
		if p.AtRisk {
			names = append(names, strings.Fields(p.Name + " ?")[0])
		}
	}
	return strings.Join(names, ", ") + " — " + strings.Join(in.Violence, ", ")
}

var stateOrder = map[string]int{meeting.IntakeOverdue: 0, meeting.IntakeDueToday: 1, meeting.IntakeOpen: 2, meeting.IntakeDone: 3}

func sortRows(rows []intakeRow, by string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch by {
		case "received":
			return a.Received.After(b.Received)
		case "route":
			return a.Route < b.Route || a.Route == b.Route && a.Due.Before(b.Due)
		case "state":
			return stateOrder[a.State] < stateOrder[b.State] || stateOrder[a.State] == stateOrder[b.State] && a.Due.Before(b.Due)
		}
		return a.Due.Before(b.Due) || a.Due.Equal(b.Due) && a.ID < b.ID
	})
}

// handleGetIntake returns one intake (GET /api/intakes/:iid).
func (s *Server) handleGetIntake(c echo.Context) error {
	id := c.Param("iid")
	p, _, err := s.intakeActor(c, "intake/"+id, audit.ActionRead)
	if err != nil {
		return err
	}
	in, err := s.getIntake(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.recordIntakeAccess(c, p, "intake/"+id, audit.ActionRead, in.CaseID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.viewOf(in))
}

// changeIntake decides cmd on the stored intake and stores the result.
func (s *Server) changeIntake(c echo.Context, cmd any) error {
	id := c.Param("iid")
	p, ictx, err := s.intakeActor(c, "intake/"+id, audit.ActionUpdate)
	if err != nil {
		return err
	}
	if err := bind(c, cmd); err != nil {
		return err
	}
	ctx := c.Request().Context()
	in, err := s.getIntake(ctx, id)
	if err != nil {
		return err
	}
	out, err := meeting.DecideIntake(in, cmd, ictx)
	if err != nil {
		return domainError(err)
	}
	if err := s.putIntake(ctx, out); err != nil {
		return err
	}
	if err := s.recordIntakeAccess(c, p, "intake/"+id, audit.ActionUpdate, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.viewOf(out))
}

// handleChangeRoute changes the route with a reason (POST /api/intakes/:iid/route).
func (s *Server) handleChangeRoute(c echo.Context) error {
	return s.changeIntake(c, &meeting.ChangeRoute{})
}

// handleCloseIntake closes an intake without a case (POST /api/intakes/:iid/close).
func (s *Server) handleCloseIntake(c echo.Context) error {
	return s.changeIntake(c, &meeting.CloseIntake{})
}

// startInput is the body of POST /api/intakes/:iid/start.
type startInput struct {
	Title string `json:"title"`
	// Director is the account id of the local case director (local-field route).
	Director string `json:"director"`
}

// handleStartCase turns an intake into a case (POST /api/intakes/:iid/start): the case is
// indexed with its director as chair (the caller, or on the local-field route the local case
// director, with the caller as professional member), and case.start_from_intake is written to
// its log. An intake starts one case, once.
func (s *Server) handleStartCase(c echo.Context) error {
	id := c.Param("iid")
	p, _, err := s.intakeActor(c, "intake/"+id+"/start", audit.ActionCreate)
	if err != nil {
		return err
	}
	var body startInput
	if err := bind(c, &body); err != nil {
		return err
	}
	title := caseInput{Title: body.Title}
	if err := title.check(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	in, err := s.getIntake(ctx, id)
	if err != nil {
		return err
	}
	me, err := s.getAccount(ctx, strings.TrimPrefix(p.ID, "u:"))
	if err != nil {
		return err
	}
	owner, dir, err := s.startOwner(ctx, in, me, body.Director)
	if err != nil {
		return err
	}
	// Check with the domain before anything is stored.
	caseID := token.NewID()[:16]
	cmd := &meeting.StartFromIntake{ID: caseID, Title: title.Title, Intake: in, Director: dir}
	if _, err := meeting.Decide(meeting.NewState(), cmd, meeting.Context{Actor: meeting.Actor{ID: p.ID, Name: p.Name, Professional: true}, CommandID: "check"}); err != nil {
		return domainError(err)
	}
	ok, err := s.kv.PutIfAbsent(ctx, bucketIntakeStart, id, []byte(caseID), 0)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	if !ok {
		return meeting.NewError(meeting.CodeConflict, "Vanuit deze melding is al een casus gestart.", "A case has been started from this report already.")
	}
	r, err := s.startCase(ctx, p, cmd, owner, me)
	if err != nil {
		_ = s.kv.Delete(context.WithoutCancel(ctx), bucketIntakeStart, id)
		return err
	}
	in.CaseID = r.ID
	in.History = append(in.History, meeting.IntakeChange{At: s.now().UTC(), By: p.Name, What: "case_started"})
	if err := s.putIntake(ctx, in); err != nil {
		return err
	}
	if err := s.recordIntakeAccess(c, p, "intake/"+id+"/start", audit.ActionCreate, r.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, caseView{CaseRecord: r, Role: roleIn(owner, me)})
}

func roleIn(owner, me Account) string {
	if owner.ID == me.ID {
		return CaseRoleChair
	}
	return CaseRoleProfessional
}

// startOwner is who holds the new case: the caller, or on the local-field route the local case
// director (an enabled account).
func (s *Server) startOwner(ctx context.Context, in *meeting.Intake, me Account, director string) (Account, *meeting.DirectorRef, error) {
	if in.Route != meeting.RouteLocalField {
		return me, nil, nil
	}
	if director == "" {
		return Account{}, nil, invalid("Kies de lokale casusregisseur.", "Choose the local case director.")
	}
	acc, err := s.getAccount(ctx, director)
	if err != nil || acc.Disabled {
		return Account{}, nil, invalid("Deze casusregisseur bestaat niet.", "This case director does not exist.")
	}
	return acc, &meeting.DirectorRef{ID: "u:" + acc.ID, Name: acc.Name, Organisation: acc.Organisation}, nil
}

// startCase indexes the case and writes its start to the log; on failure the index entry goes.
func (s *Server) startCase(ctx context.Context, p hub.Principal, cmd *meeting.StartFromIntake, owner, me Account) (CaseRecord, error) {
	if s.hub == nil {
		return CaseRecord{}, errUnavailable
	}
	r, err := s.CreateCase(ctx, cmd.Title, owner, cmd.ID)
	if err != nil {
		return CaseRecord{}, err
	}
	if owner.ID != me.ID {
		err = s.SetMember(ctx, r.ID, me, CaseRoleProfessional, owner.ID)
	}
	if err == nil {
		_, err = s.hub.Execute(ctx, p, r.ID, "start-"+r.ID, cmd)
		err = errOrDomain(err)
	}
	if err != nil {
		cleanup := context.WithoutCancel(ctx)
		for _, acc := range []Account{owner, me} {
			_ = s.kv.Delete(cleanup, membersBucket(r.ID), acc.ID)
			_ = s.kv.Delete(cleanup, accountCasesBucket(acc.ID), r.ID)
		}
		_ = s.kv.Delete(cleanup, bucketCases, r.ID)
		return CaseRecord{}, err
	}
	return r, nil
}

func errOrDomain(err error) error {
	if err == nil {
		return nil
	}
	return domainError(err)
}

// handleCaseIntake returns the intake a case started from, to the case's members (the
// CaseRoute has access-logged the read).
func (s *Server) handleCaseIntake(c echo.Context, a CaseAccess) error {
	if a.State == nil || a.State.Intake == "" {
		return meeting.NewError(meeting.CodeNotFound, "Deze casus begon niet met een melding.", "This case did not start from a report.")
	}
	in, err := s.getIntake(c.Request().Context(), a.State.Intake)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.viewOf(in))
}

// deleteIntakesOf deletes the intake caseID started from, as part of deleting the case: its
// record, its key (destroyed by the store, sealed) and its start mark. An intake holds the same
// people and facts as the case, so it may not outlive it. Run again, it finds nothing more.
func (s *Server) deleteIntakesOf(ctx context.Context, st caseStore, caseID string) error {
	starts, err := s.kv.List(ctx, bucketIntakeStart)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	for id, c := range starts {
		if string(c) != caseID {
			continue
		}
		for _, del := range []func() error{
			func() error { return s.kv.Delete(ctx, bucketIntakes, id) },
			func() error { return st.DeleteCase(ctx, "intake-"+id) },
			func() error { return s.kv.Delete(ctx, bucketIntakeStart, id) },
		} {
			if err := del(); err != nil && !errors.Is(err, kv.ErrNotFound) {
				return errUnavailable.WithCause(err)
			}
		}
	}
	return nil
}
