package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Case roles of members (account holders). Invitees hold their invitation's meeting role.
const (
	CaseRoleChair        = "chair"
	CaseRoleProfessional = "professional"
)

// KV buckets of the case index.
const (
	bucketCases = "cases" // case id → CaseRecord
)

func membersBucket(caseID string) string     { return "case-members:" + caseID }     // account id → member
func accountCasesBucket(accID string) string { return "account-cases:" + accID }     // case id → role
func invitationsBucket(caseID string) string { return "case-invitations:" + caseID } // invitation id → Invitation

// idPattern is the shape of case, meeting and account ids in paths.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether s may be used as a case or meeting id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// CaseRecord is a case's entry in the index: not its content (that is the event log).
type CaseRecord struct {
	// ID is the case id.
	ID string `json:"id"`
	// Title is a short working title (avoid full names of children).
	Title string `json:"title"`
	// Owner is the account id of the chair who created the case.
	Owner string `json:"owner"`
	// Created is when.
	Created time.Time `json:"created"`
}

// Member is an account's membership of a case.
type Member struct {
	// AccountID is the member.
	AccountID string `json:"accountId"`
	// Role is CaseRoleChair or CaseRoleProfessional.
	Role string `json:"role"`
	// Name and Organisation are copied from the account when added, for display.
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	// Added is when, by AddedBy (account id).
	Added   time.Time `json:"added"`
	AddedBy string    `json:"addedBy"`
}

// CaseAccess is an authorised access to a case: who, in which role, on whose authority.
type CaseAccess struct {
	// Principal is the caller.
	Principal hub.Principal
	// CaseID is the case.
	CaseID string
	// Role is the caller's role in the case: CaseRoleChair or CaseRoleProfessional for
	// members, the invitation's meeting role for invitees.
	Role string
	// Authority is on whose authority access is granted, as the access log records it.
	Authority string
	// State and Sight, for a route with a CaseRule.Sight, are the case's content and what the
	// caller may see of it.
	State *meeting.State
	Sight meeting.Sight
}

var errNoCaseAccess = meeting.NewError(meeting.CodeForbidden, "U hebt geen toegang tot deze casus.", "You have no access to this case.")
var errOtherCase = meeting.NewError(meeting.CodeForbidden, "Uw uitnodiging geldt voor een andere casus.", "Your invitation is for another case.")

// GetCase returns the index entry of caseID.
func (s *Server) GetCase(ctx context.Context, caseID string) (CaseRecord, error) {
	b, err := s.kv.Get(ctx, bucketCases, caseID)
	if errors.Is(err, kv.ErrNotFound) {
		return CaseRecord{}, errNotFound
	}
	if err != nil {
		return CaseRecord{}, errUnavailable.WithCause(err)
	}
	var r CaseRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return CaseRecord{}, fmt.Errorf("case %s: %w", caseID, err)
	}
	return r, nil
}

// CreateCase adds a case to the index with owner as its chair. An empty ID gets a random one;
// an existing ID is a conflict. Used by the REST API and by the demo loader.
func (s *Server) CreateCase(ctx context.Context, title string, owner Account, id string) (CaseRecord, error) {
	if id == "" {
		id = token.NewID()[:16]
	}
	if !ValidID(id) {
		return CaseRecord{}, invalid("Ongeldige casus-id.", "Invalid case id.")
	}
	if err := s.checkNotDeleted(ctx, id); err != nil {
		return CaseRecord{}, err
	}
	r := CaseRecord{ID: id, Title: title, Owner: owner.ID, Created: s.now().UTC()}
	b, _ := json.Marshal(r)
	ok, err := s.kv.PutIfAbsent(ctx, bucketCases, id, b, 0)
	if err != nil {
		return CaseRecord{}, errUnavailable.WithCause(err)
	}
	if !ok {
		return CaseRecord{}, meeting.NewError(meeting.CodeConflict, "Deze casus bestaat al.", "This case exists already.")
	}
	if err := s.SetMember(ctx, id, owner, CaseRoleChair, owner.ID); err != nil {
		return CaseRecord{}, err
	}
	return r, nil
}

// SetMember makes account a member of caseID with role (or changes the role).
func (s *Server) SetMember(ctx context.Context, caseID string, acc Account, role, by string) error {
	m := Member{AccountID: acc.ID, Role: role, Name: acc.Name, Organisation: acc.Organisation, Added: s.now().UTC(), AddedBy: by}
	b, _ := json.Marshal(m)
	if err := s.kv.Put(ctx, membersBucket(caseID), acc.ID, b); err != nil {
		return errUnavailable.WithCause(err)
	}
	if err := s.kv.Put(ctx, accountCasesBucket(acc.ID), caseID, []byte(role)); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

// members returns the members of caseID by account id.
func (s *Server) members(ctx context.Context, caseID string) (map[string]Member, error) {
	all, err := s.kv.List(ctx, membersBucket(caseID))
	if err != nil {
		return nil, errUnavailable.WithCause(err)
	}
	out := make(map[string]Member, len(all))
	for k, v := range all {
		var m Member
		if json.Unmarshal(v, &m) == nil {
			out[k] = m
		}
	}
	return out, nil
}

// CaseRole authorises principal p on caseID and says in which role. A professional must be a
// member (an administrator is no exception: administrators manage accounts, not cases); an
// invitee may reach only the case of their invitation. The hub calls it to re-check a
// connection's right to a case. Errors carry code forbidden (or unavailable).
func (s *Server) CaseRole(ctx context.Context, p hub.Principal, caseID string) (CaseAccess, error) {
	a := CaseAccess{Principal: p, CaseID: caseID}
	if !p.Professional {
		if p.CaseID == "" || p.CaseID != caseID {
			a.Authority = "invitation for another case"
			return a, errOtherCase
		}
		a.Role = p.InviteRole
		a.Authority = "invitation " + strings.TrimPrefix(p.ID, "i:")
		return a, nil
	}
	accID, ok := strings.CutPrefix(p.ID, "u:")
	if !ok {
		a.Authority = "unknown principal"
		return a, errNoCaseAccess
	}
	b, err := s.kv.Get(ctx, membersBucket(caseID), accID)
	if errors.Is(err, kv.ErrNotFound) {
		a.Authority = "not a member"
		return a, errNoCaseAccess
	}
	if err != nil {
		a.Authority = "store unavailable"
		return a, errUnavailable.WithCause(err)
	}
	var m Member
	if err := json.Unmarshal(b, &m); err != nil {
		return a, fmt.Errorf("member %s of %s: %w", accID, caseID, err)
	}
	a.Role = m.Role
	a.Authority = "case member (" + m.Role + ")"
	return a, nil
}

// CaseRule says who may use a case route and what the access log records.
type CaseRule struct {
	// Action is what the route does (audit.ActionRead, …, or a domain word).
	Action string
	// Object names what in the case is touched; ":name" segments are replaced by the route's
	// path parameters, e.g. "meeting/:mid/minutes".
	Object string
	// Roles are the case roles allowed; empty means every member (and, if Invitees, invitees).
	Roles []string
	// Invitees lets people who joined through an invitation for this case use the route.
	Invitees bool
	// Sight is the least the domain's visibility rule (meeting.State.SightOf) must grant the
	// caller for a route that reads case content: meeting.SightLobby or meeting.SightView.
	// Zero: the route reads no content. The state and sight reach the handler in CaseAccess.
	Sight meeting.SightKind
	// NoReadOrChange marks a route that neither reads nor changes case data, so that a granted
	// request is no access in the sense of the access log (NEN 7513) and leaves no entry; a
	// refused one is still recorded. Only the shared screen's automatic join code uses it: an
	// unnamed, single-use code that grants nothing until the chair admits whoever used it (the
	// use, the join and the admission are each recorded).
	NoReadOrChange bool
}

// CaseHandler handles an authorised request on a case.
type CaseHandler func(c echo.Context, a CaseAccess) error

// CaseRoute registers a route under a path containing ":id" (the case id). Every request is
// authenticated, authorised by rule against the caller's role in that case, and leaves
// exactly one access-log entry (granted or refused) before h runs — none when granted on a
// route marked NoReadOrChange; if the access log cannot be written the request is refused.
// Register routes before Serve.
func (s *Server) CaseRoute(method, path string, rule CaseRule, h CaseHandler) {
	if !strings.Contains(path, ":id") {
		panic("server: CaseRoute path without :id: " + path)
	}
	s.echo.Add(method, path, func(c echo.Context) error {
		a, err := s.authorizeCase(c, rule)
		if err != nil {
			return err
		}
		return h(c, a)
	}, s.requireAuth)
}

// authorizeCase checks the caller against rule on the case in the path and records the access.
func (s *Server) authorizeCase(c echo.Context, rule CaseRule) (CaseAccess, error) {
	au, err := s.authenticate(c)
	if err != nil {
		return CaseAccess{}, err
	}
	caseID := c.Param("id")
	if !ValidID(caseID) {
		return CaseAccess{}, invalid("Ongeldige casus-id.", "Invalid case id.")
	}
	ctx := c.Request().Context()
	object := rule.Object
	for _, name := range c.ParamNames() {
		object = strings.ReplaceAll(object, ":"+name, c.Param(name))
	}
	a, refusal := s.CaseRole(ctx, au.Principal, caseID)
	if refusal == nil && !au.Principal.Professional && !rule.Invitees {
		a.Authority = "invitation " + strings.TrimPrefix(au.Principal.ID, "i:") + " (route for members only)"
		refusal = errForbidden
	}
	if refusal == nil && len(rule.Roles) > 0 {
		allowed := false
		for _, r := range rule.Roles {
			allowed = allowed || r == a.Role
		}
		if !allowed {
			a.Authority += ", role not allowed"
			refusal = meeting.NewError(meeting.CodeForbidden, "Alleen de voorzitter van de casus mag dit.", "Only the case chair may do this.")
			if rule.Roles[0] != CaseRoleChair {
				refusal = errForbidden
			}
		}
	}
	if refusal == nil && rule.Sight != meeting.SightNone {
		refusal = s.checkSight(ctx, &a, rule.Sight)
	}
	if refusal == nil && rule.NoReadOrChange {
		return a, nil
	}
	e := entryFor(au.Principal, a.Role)
	e.CaseID, e.Object, e.Action, e.Authority = caseID, object, rule.Action, a.Authority
	return a, s.recordCaseAccess(c, e, refusal)
}

// checkSight loads the case's content into a and refuses when the domain's visibility rule
// grants the caller less than least (recorded as such in the authority).
func (s *Server) checkSight(ctx context.Context, a *CaseAccess, least meeting.SightKind) error {
	if s.hub == nil {
		return errUnavailable
	}
	st, _, err := s.hub.Load(ctx, a.CaseID)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	a.State, a.Sight = st, s.sightOf(st, a.Principal)
	if a.Sight.Kind < least {
		a.Authority += ", nothing of it visible to them now"
		return errNoSight
	}
	return nil
}

// recordCaseAccess leaves the one access-log entry of an access to case e.CaseID: granted
// when refusal is nil, refused otherwise; a refused look at a case that does not exist goes to
// the global log only (object "case/<id>/<object>"). When the caller's right could not be
// checked (refusal is unavailable) nothing is recorded. It returns refusal, or the error of an
// access log that cannot be written.
func (s *Server) recordCaseAccess(c echo.Context, e audit.Entry, refusal error) error {
	var ue *meeting.Error
	if errors.As(refusal, &ue) && ue.Code == meeting.CodeUnavailable {
		return refusal
	}
	e.Outcome = audit.OutcomeGranted
	if refusal != nil {
		e.Outcome = audit.OutcomeRefused
		if _, err := s.GetCase(c.Request().Context(), e.CaseID); err != nil {
			e.CaseID, e.Object = "", "case/"+e.CaseID+"/"+e.Object
		}
	}
	if err := s.record(c, e); err != nil {
		return err
	}
	return refusal
}

// entryFor starts an access-log entry for p.
func entryFor(p hub.Principal, caseRole string) audit.Entry {
	role := p.AccountRole
	if !p.Professional {
		role = p.InviteRole
	} else if caseRole != "" {
		role = p.AccountRole + "/" + caseRole
	}
	// An invitee's name is sealed with the key of their invitation's case (NameCase).
	return audit.Entry{PrincipalID: p.ID, Name: p.Name, Role: role, Organisation: p.Organisation, Discipline: p.Discipline, NameCase: p.CaseID}
}

// record appends e (with the client address and channel) to the access log, failing closed.
func (s *Server) record(c echo.Context, e audit.Entry) error {
	e.Addr = c.RealIP()
	if e.Channel == "" {
		e.Channel = "http"
	}
	if err := s.audit.Record(c.Request().Context(), e); err != nil {
		s.metrics.auditFails.Inc()
		return errUnavailable.WithCause(err)
	}
	return nil
}

// caseView is the index entry with the caller's role.
type caseView struct {
	CaseRecord
	Role string `json:"role"`
}

// handleListCases lists the cases the caller is a member of (one access-log entry: the
// index was read).
func (s *Server) handleListCases(c echo.Context) error {
	au, err := s.authenticate(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	accID := strings.TrimPrefix(au.Principal.ID, "u:")
	mine, err := s.kv.List(ctx, accountCasesBucket(accID))
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	out := []caseView{}
	for id := range mine {
		// The case's own membership is the truth; the per-account list is an index.
		a, err := s.CaseRole(ctx, au.Principal, id)
		if err != nil {
			continue
		}
		r, err := s.GetCase(ctx, id)
		if err != nil {
			continue
		}
		out = append(out, caseView{CaseRecord: r, Role: a.Role})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	// The home page asks again every few seconds with the ETag it holds: an unchanged list is
	// answered 304 and is not a new read, so it is not logged (the access log keeps reads).
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Response().Header().Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	e := entryFor(au.Principal, "")
	e.Object, e.Action, e.Outcome, e.Authority = "case-index", audit.ActionList, audit.OutcomeGranted, "own memberships"
	if err := s.record(c, e); err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

type caseInput struct {
	Title string `json:"title"`
}

func (in *caseInput) check() error {
	in.Title = strings.TrimSpace(in.Title)
	if !textOK(in.Title, 1, 120) {
		return invalid("Geef de casus een titel (hoogstens 120 tekens).", "Give the case a title (at most 120 characters).")
	}
	return nil
}

// handleCreateCase creates a case with the caller (a chair) as its chair.
func (s *Server) handleCreateCase(c echo.Context) error {
	au, err := s.authenticate(c)
	if err != nil {
		return err
	}
	var in caseCreateInput
	if err := bind(c, &in); err != nil {
		return err
	}
	title := caseInput{Title: in.Title}
	if err := title.check(); err != nil {
		return err
	}
	in.Title = title.Title
	ctx := c.Request().Context()
	if au.Principal.AccountRole != RoleChair {
		e := entryFor(au.Principal, "")
		e.Object, e.Action, e.Outcome, e.Authority = "case", audit.ActionCreate, audit.OutcomeRefused, "account role "+au.Principal.AccountRole
		if err := s.record(c, e); err != nil {
			return err
		}
		return meeting.NewError(meeting.CodeForbidden, "Alleen een voorzitter kan een casus aanmaken.", "Only a chair can create a case.")
	}
	acc, err := s.getAccount(ctx, strings.TrimPrefix(au.Principal.ID, "u:"))
	if err != nil {
		return err
	}
	if err := checkCaseContent(au.Principal, in); err != nil {
		return err
	}
	r, err := s.CreateCase(ctx, in.Title, acc, "")
	if err != nil {
		return err
	}
	if err := s.createCaseContent(ctx, au.Principal, r.ID, in); err != nil {
		// The case has no content: take it out of the index again rather than leave a case
		// that lists but cannot be opened. Nothing was written to its event log.
		cleanup := context.WithoutCancel(ctx)
		_ = s.kv.Delete(cleanup, membersBucket(r.ID), acc.ID)
		_ = s.kv.Delete(cleanup, accountCasesBucket(acc.ID), r.ID)
		_ = s.kv.Delete(cleanup, bucketCases, r.ID)
		return err
	}
	e := entryFor(au.Principal, CaseRoleChair)
	e.CaseID, e.Object, e.Action, e.Outcome, e.Authority = r.ID, "case", audit.ActionCreate, audit.OutcomeGranted, "account role chair"
	if err := s.record(c, e); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, caseView{CaseRecord: r, Role: CaseRoleChair})
}

func (s *Server) handleGetCase(c echo.Context, a CaseAccess) error {
	r, err := s.GetCase(c.Request().Context(), a.CaseID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, caseView{CaseRecord: r, Role: a.Role})
}

func (s *Server) handlePatchCase(c echo.Context, a CaseAccess) error {
	var in caseInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.GetCase(ctx, a.CaseID)
	if err != nil {
		return err
	}
	r.Title = in.Title
	b, _ := json.Marshal(r)
	if err := s.kv.Put(ctx, bucketCases, r.ID, b); err != nil {
		return errUnavailable.WithCause(err)
	}
	return c.JSON(http.StatusOK, caseView{CaseRecord: r, Role: a.Role})
}

func (s *Server) handleListMembers(c echo.Context, a CaseAccess) error {
	ms, err := s.members(c.Request().Context(), a.CaseID)
	if err != nil {
		return err
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return c.JSON(http.StatusOK, out)
}

type memberInput struct {
	Role string `json:"role"`
}

func (s *Server) handlePutMember(c echo.Context, a CaseAccess) error {
	var in memberInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Role != CaseRoleChair && in.Role != CaseRoleProfessional {
		return invalid("Rol in de casus moet chair of professional zijn.", "Case role must be chair or professional.")
	}
	ctx := c.Request().Context()
	acc, err := s.getAccount(ctx, c.Param("aid"))
	if err != nil {
		return err
	}
	if acc.Disabled {
		return invalid("Dit account is uitgeschakeld.", "This account is disabled.")
	}
	if err := s.SetMember(ctx, a.CaseID, acc, in.Role, strings.TrimPrefix(a.Principal.ID, "u:")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// inviteMemberInput is a professional the chair adds by e-mail address; name and organisation
// make the account when there is none yet.
type inviteMemberInput struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Discipline   string `json:"discipline"`
}

// invitedMember is the answer to adding a professional by e-mail address.
type invitedMember struct {
	Member Member `json:"member"`
	// Created: there was no account with this address; one was made and its set-up link sent.
	Created bool `json:"created"`
	// Delivery is how the set-up link went: "email", or "console" (no mail server: printed
	// where the server runs, for the operator); empty when no account was made.
	Delivery string `json:"delivery,omitempty"`
}

// handleInviteMember adds a professional to the case in one step (case chair): an account with
// the address joins as a professional; without one, a professional account is made with the
// name and organisation given and its one-time set-up link is mailed to the address (issued by
// the chair, who never sees it). They are admitted to the case's meetings without the lobby.
func (s *Server) handleInviteMember(c echo.Context, a CaseAccess) error {
	var in inviteMemberInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	by := strings.TrimPrefix(a.Principal.ID, "u:")
	acc, err := s.accountByEmail(ctx, in.Email)
	created := false
	switch {
	case errors.Is(err, errNotFound):
		ai := accountInput{Email: in.Email, Name: in.Name, Organisation: in.Organisation, Discipline: in.Discipline, Role: RoleProfessional}
		if err := ai.check(); err != nil {
			return err
		}
		if acc, err = s.createAccount(ctx, ai, ""); err != nil {
			return err
		}
		acc, created = acc.public(), true
	case err != nil:
		return err
	case acc.Disabled:
		return invalid("Dit account is uitgeschakeld.", "This account is disabled.")
	}
	if err := s.SetMember(ctx, a.CaseID, acc, CaseRoleProfessional, by); err != nil {
		return err
	}
	out := invitedMember{Member: Member{AccountID: acc.ID, Role: CaseRoleProfessional, Name: acc.Name, Organisation: acc.Organisation}, Created: created}
	if created {
		link, err := s.setupLink(ctx, acc.ID, &linkIssuer{ID: a.Principal.ID, Name: a.Principal.Name, Organisation: a.Principal.Organisation})
		if err != nil {
			return err
		}
		out.Delivery = "console"
		if s.mail.Delivers() {
			out.Delivery = "email"
		}
		if err := s.sendMail(ctx, mailer.SetupLink(acc.Email, acc.Name, link, s.now().Add(SetupLinkTTL), false)); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) handleDeleteMember(c echo.Context, a CaseAccess) error {
	ctx := c.Request().Context()
	aid := c.Param("aid")
	ms, err := s.members(ctx, a.CaseID)
	if err != nil {
		return err
	}
	if _, ok := ms[aid]; !ok {
		return errNotFound
	}
	chairs := 0
	for _, m := range ms {
		if m.Role == CaseRoleChair {
			chairs++
		}
	}
	if ms[aid].Role == CaseRoleChair && chairs == 1 {
		return meeting.NewError(meeting.CodeConflict, "Een casus houdt minstens één voorzitter.", "A case keeps at least one chair.")
	}
	if err := s.kv.Delete(ctx, membersBucket(a.CaseID), aid); err != nil {
		return errUnavailable.WithCause(err)
	}
	if err := s.kv.Delete(ctx, accountCasesBucket(aid), a.CaseID); err != nil {
		return errUnavailable.WithCause(err)
	}
	s.rightsChanged(ctx, a.CaseID, "u:"+aid)
	return c.NoContent(http.StatusNoContent)
}

// rightsChanged tells every instance (this one included) that principal's right to caseID
// changed, so that each re-checks that person's open sockets at once (hub.Hub.Recheck). The
// store already holds the change: a socket whose instance misses the message is refused at
// its next command.
func (s *Server) rightsChanged(ctx context.Context, caseID, principal string) {
	if s.hub != nil {
		s.hub.Recheck(caseID, principal)
	}
	if err := s.kv.Publish(ctx, RightsChannel, []byte(caseID+" "+principal)); err != nil {
		s.log.Warn("publish changed rights", "case", caseID, "err", err)
	}
}

// onRightsChanged handles a changed right published by any instance.
func (s *Server) onRightsChanged(msg []byte) {
	caseID, principal, ok := strings.Cut(string(msg), " ")
	if !ok || !ValidID(caseID) || len(principal) > 80 || s.hub == nil {
		return
	}
	s.hub.Recheck(caseID, principal)
}
