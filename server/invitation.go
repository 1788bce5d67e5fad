package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Meeting roles an invitation can give.
var inviteRoles = map[string]bool{"family": true, "network": true, "professional": true, "observer": true}

// Invitation lifetimes.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour  // a named invitation, when the chair gives no expiry
	MaxInviteTTL     = 30 * 24 * time.Hour // the longest a chair may choose
	JoinCodeTTL      = 15 * time.Minute    // a meeting QR code on the shared screen
)

// Invitation is the record of an invitation (never its token).
type Invitation struct {
	// ID is the invitation id (the token's jti); the invitee's principal id is "i:" + ID.
	ID string `json:"id"`
	// CaseID and MeetingID say where it leads.
	CaseID    string `json:"case"`
	MeetingID string `json:"meeting"`
	// Name is the invitee's name ("" for a meeting QR code until redeemed).
	Name string `json:"name"`
	// Role is the meeting role.
	Role string `json:"role"`
	// Discipline, for a professional without an account, is what they do as the chair gave it
	// ("politie", "leerkracht"): the meeting names them by it.
	Discipline string `json:"discipline,omitempty"`
	// IssuedBy is the chair's principal id.
	IssuedBy string `json:"issuedBy"`
	// Created and Expires bound it.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Redeemed is when it was used (zero until then); SessionID is the session it started.
	Redeemed  time.Time `json:"redeemed,omitzero"`
	SessionID string    `json:"-"`
	// Revoked is when the chair withdrew it.
	Revoked time.Time `json:"revoked,omitzero"`
}

// invitationRecord is Invitation as stored (with the session id).
type invitationRecord struct {
	Invitation
	SessionID string `json:"sessionId,omitempty"`
}

type createdInvitation struct {
	Invitation Invitation `json:"invitation"`
	// URL is the single-use short link <public-url>/j/<code> (docs/protocol.md: short codes).
	URL string `json:"url"`
	// Code is the short code of URL, to type at <public-url>/join.
	Code string `json:"code"`
	// QR is a PNG QR code of URL as a data: URL.
	QR string `json:"qr"`
	// Mailed is true when the link was also mailed to the address the chair gave.
	Mailed bool `json:"mailed,omitempty"`
}

type invitationInput struct {
	Meeting string `json:"meeting"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	// Discipline is what an invited professional does ("politie"); only with role professional.
	Discipline string `json:"discipline,omitempty"`
	// Expires is when the link stops working (default in 7 days, at most 30 days ahead).
	Expires *time.Time `json:"expires"`
	// Email, when given and a mail server is set, receives the link too (no case content).
	Email string `json:"email,omitempty"`
}

func (s *Server) getInvitation(ctx context.Context, caseID, id string) (invitationRecord, error) {
	b, err := s.kv.Get(ctx, invitationsBucket(caseID), id)
	if errors.Is(err, kv.ErrNotFound) {
		return invitationRecord{}, errNotFound
	}
	if err != nil {
		return invitationRecord{}, errUnavailable.WithCause(err)
	}
	var r invitationRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return invitationRecord{}, err
	}
	r.Invitation.SessionID = r.SessionID
	return r, nil
}

func (s *Server) putInvitation(ctx context.Context, r invitationRecord) error {
	r.SessionID = r.Invitation.SessionID
	b, _ := json.Marshal(r)
	if err := s.kv.Put(ctx, invitationsBucket(r.CaseID), r.ID, b); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

// issueInvitation stores an invitation and returns its link and QR code.
func (s *Server) issueInvitation(ctx context.Context, inv Invitation) (createdInvitation, error) {
	raw, err := s.tokens.IssueInvite(token.Invite{ID: inv.ID, CaseID: inv.CaseID, MeetingID: inv.MeetingID,
		Name: inv.Name, Role: inv.Role, IssuedBy: inv.IssuedBy, IssuedAt: inv.Created, ExpiresAt: inv.Expires})
	if err != nil {
		return createdInvitation{}, err
	}
	if err := s.putInvitation(ctx, invitationRecord{Invitation: inv}); err != nil {
		return createdInvitation{}, err
	}
	code, err := s.putShortCode(ctx, raw, inv.Expires)
	if err != nil {
		return createdInvitation{}, err
	}
	url := s.shortURL(code)
	png, err := qrcode.Encode(url, qrcode.Medium, 512)
	if err != nil {
		return createdInvitation{}, err
	}
	return createdInvitation{Invitation: inv, URL: url, Code: code,
		QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}, nil
}

// handleCreateInvitation lets the case chair invite a named person with a meeting role.
func (s *Server) handleCreateInvitation(c echo.Context, a CaseAccess) error {
	var in invitationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if !ValidID(in.Meeting) {
		return invalid("Ongeldige overleg-id.", "Invalid meeting id.")
	}
	if !textOK(in.Name, 1, 80) {
		return invalid("Vul de naam van de genodigde in (hoogstens 80 tekens).", "Enter the invitee's name (at most 80 characters).")
	}
	if !inviteRoles[in.Role] {
		return invalid("Rol moet family, network, professional of observer zijn.", "Role must be family, network, professional or observer.")
	}
	in.Discipline = strings.TrimSpace(in.Discipline)
	if !textOK(in.Discipline, 0, 100) || (in.Discipline != "" && in.Role != string(meeting.RoleProfessional)) {
		return invalid("Een discipline (hoogstens 100 tekens) hoort alleen bij een professional.", "A discipline (at most 100 characters) goes only with a professional.")
	}
	now := s.now().UTC()
	exp := now.Add(DefaultInviteTTL)
	if in.Expires != nil {
		exp = in.Expires.UTC()
		if !exp.After(now.Add(time.Minute)) || exp.After(now.Add(MaxInviteTTL)) {
			return invalid("De vervaldatum moet tussen nu en 30 dagen liggen.", "The expiry must lie between now and 30 days ahead.")
		}
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if in.Email != "" {
		if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 254 {
			return invalid("Vul een geldig e-mailadres in, of laat het leeg.", "Enter a valid email address, or leave it empty.")
		}
	}
	ctx := c.Request().Context()
	out, err := s.issueInvitation(ctx, Invitation{ID: token.NewID(), CaseID: a.CaseID, MeetingID: in.Meeting,
		Name: in.Name, Role: in.Role, Discipline: in.Discipline, IssuedBy: a.Principal.ID, Created: now, Expires: exp})
	if err != nil {
		return err
	}
	if in.Email != "" && s.mail.Delivers() {
		if err := s.sendMail(ctx, mailer.Invitation(in.Email, in.Name, a.Principal.Name, out.URL, exp)); err != nil {
			return err
		}
		out.Mailed = true
	}
	return c.JSON(http.StatusCreated, out)
}

type joinCodeInput struct {
	// Role is the meeting role of whoever scans the code (default "network"; the chair
	// confirms each person in the lobby).
	Role string `json:"role"`
}

// handleJoinCode makes a short-lived, single-use, unnamed invitation for the shared screen's
// QR code; whoever scans it gives their name and waits in the lobby. The screen asks for a
// new code after each use or expiry. Making one is not an access to case data (the route is
// NoReadOrChange: only a refusal is recorded); what the code leads to is — the redemption,
// whose authority names the chair who made it, the joining and the admission.
func (s *Server) handleJoinCode(c echo.Context, a CaseAccess) error {
	in := joinCodeInput{Role: "network"}
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	if !ValidID(c.Param("mid")) {
		return invalid("Ongeldige overleg-id.", "Invalid meeting id.")
	}
	if !inviteRoles[in.Role] {
		return invalid("Rol moet family, network, professional of observer zijn.", "Role must be family, network, professional or observer.")
	}
	now := s.now().UTC()
	out, err := s.issueInvitation(c.Request().Context(), Invitation{ID: token.NewID(), CaseID: a.CaseID, MeetingID: c.Param("mid"),
		Role: in.Role, IssuedBy: a.Principal.ID, Created: now, Expires: now.Add(JoinCodeTTL)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// handleListInvitations lists a case's invitations (case chair).
func (s *Server) handleListInvitations(c echo.Context, a CaseAccess) error {
	all, err := s.kv.List(c.Request().Context(), invitationsBucket(a.CaseID))
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	out := make([]Invitation, 0, len(all))
	for _, v := range all {
		var r invitationRecord
		if json.Unmarshal(v, &r) == nil {
			out = append(out, r.Invitation)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return c.JSON(http.StatusOK, out)
}

// handleRevokeInvitation withdraws an invitation: unused, it can no longer be redeemed; used,
// the session it started ends everywhere.
func (s *Server) handleRevokeInvitation(c echo.Context, a CaseAccess) error {
	ctx := c.Request().Context()
	r, err := s.getInvitation(ctx, a.CaseID, c.Param("iid"))
	if err != nil {
		return err
	}
	if _, err := s.spend(ctx, r.ID, r.Expires); err != nil {
		return err
	}
	if r.Invitation.SessionID != "" {
		if err := s.RevokeSession(ctx, r.Invitation.SessionID); err != nil {
			return errUnavailable.WithCause(err)
		}
	}
	if r.Revoked.IsZero() {
		r.Revoked = s.now().UTC()
	}
	if err := s.putInvitation(ctx, r); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type redeemInput struct {
	// Token is the invitation token; Code, instead, its short code (typed or from /j/<code>).
	Token string `json:"token"`
	Code  string `json:"code"`
	// Name is required when the invitation has none (a meeting QR code).
	Name string `json:"name"`
}

var errInviteSpent = meeting.NewError(meeting.CodeUnauthenticated, "Deze uitnodiging is al gebruikt. Vraag de voorzitter om een nieuwe.", "This invitation has been used already. Ask the chair for a new one.")

// handleInvitationPeek says, without spending it, whom a short code's invitation is for (its
// name, "" for the shared screen's code) and its meeting role, so the join page can greet the
// person ("Deze uitnodiging is voor Oma Riet") instead of asking a name it will not use. It
// says nothing of the case.
func (s *Server) handleInvitationPeek(c echo.Context) error {
	var in redeemInput
	if err := bind(c, &in); err != nil {
		return err
	}
	raw, err := s.tokenOfShortCode(c.Request().Context(), in.Code)
	if err != nil {
		return err
	}
	iv, err := s.tokens.ParseInvite(raw)
	if err != nil {
		return s.tokenError(token.KindInvite, err)
	}
	return c.JSON(http.StatusOK, map[string]string{"name": iv.Name, "role": iv.Role})
}

// handleRedeem spends an invitation once (across instances) and sets a participant session
// cookie bound to its case and meeting. The person then waits in the lobby.
func (s *Server) handleRedeem(c echo.Context) error {
	var in redeemInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Token == "" && in.Code != "" {
		raw, err := s.tokenOfShortCode(c.Request().Context(), in.Code)
		if err != nil {
			return err
		}
		in.Token = raw
	}
	iv, err := s.tokens.ParseInvite(in.Token)
	if err != nil {
		return s.tokenError(token.KindInvite, err)
	}
	ctx := c.Request().Context()
	name := iv.Name
	if name == "" {
		name = strings.TrimSpace(in.Name)
		if !textOK(name, 1, 80) {
			return invalid("Vul uw naam in (hoogstens 80 tekens).", "Enter your name (at most 80 characters).")
		}
	}
	rec, err := s.getInvitation(ctx, iv.CaseID, iv.ID)
	if err != nil {
		if errors.Is(err, errNotFound) {
			return meeting.NewError(meeting.CodeUnauthenticated, "Deze uitnodiging is ongeldig.", "This invitation is not valid.")
		}
		return err
	}
	ok, err := s.spend(ctx, iv.ID, iv.ExpiresAt)
	if err != nil {
		return err
	}
	p := hub.Principal{ID: "i:" + iv.ID, Name: name, Discipline: rec.Discipline, InviteRole: iv.Role, CaseID: iv.CaseID, MeetingID: iv.MeetingID}
	e := entryFor(p, "")
	// The authority names who made the invitation: for the shared screen's code, whose making
	// is not logged (handleJoinCode), this is where the chair behind it shows.
	e.CaseID, e.Object, e.Action, e.Authority = iv.CaseID, "meeting/"+iv.MeetingID+"/invitation/"+iv.ID, audit.ActionJoin, "invitation "+iv.ID+" of "+iv.IssuedBy
	if !ok || !rec.Revoked.IsZero() {
		e.Outcome = audit.OutcomeRefused
		if err := s.record(c, e); err != nil {
			return err
		}
		return errInviteSpent
	}
	p, err = s.startSession(c, token.Session{Subject: p.ID, Name: name, Discipline: rec.Discipline, CaseID: iv.CaseID, MeetingID: iv.MeetingID, InviteRole: iv.Role})
	if err != nil {
		return err
	}
	rec.Name = name
	rec.Redeemed = s.now().UTC()
	rec.Invitation.SessionID = p.SessionID
	if err := s.putInvitation(ctx, rec); err != nil {
		return err
	}
	e.Outcome = audit.OutcomeGranted
	if err := s.record(c, e); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.me(c))
}
