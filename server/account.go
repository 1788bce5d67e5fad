package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Account roles.
const (
	RoleAdmin        = "admin"        // administers accounts; reads no case content unless a member
	RoleChair        = "chair"        // creates cases and meetings, invites people
	RoleProfessional = "professional" // takes part in the cases they are a member of
)

// KV buckets for accounts.
const (
	bucketAccounts = "accounts"       // account id → Account
	bucketEmails   = "account-emails" // lower-case email → account id
	bucketSetup    = "setup"          // "first-admin" → account id, once
)

// SetupLinkTTL is how long a set-up link (first administrator, new account, password reset)
// stays valid.
const SetupLinkTTL = 72 * time.Hour

// Account is a professional's account.
type Account struct {
	// ID is the account id; the principal id is "u:" + ID.
	ID string `json:"id"`
	// Email is the sign-in name (stored lower-case, unique).
	Email string `json:"email"`
	// Name is the display name.
	Name string `json:"name"`
	// Organisation is e.g. "Veilig Thuis Utrecht".
	Organisation string `json:"organisation"`
	// Discipline is e.g. "jeugdarts", "wijkteam".
	Discipline string `json:"discipline"`
	// Role is RoleAdmin, RoleChair or RoleProfessional.
	Role string `json:"role"`
	// Intake is the intake permission (Veilig Thuis staff): record reports, read every intake
	// and the team overview, start a case from an intake.
	Intake bool `json:"intake,omitempty"`
	// Disabled accounts cannot sign in.
	Disabled bool `json:"disabled"`
	// HasPassword is true once a password was set through a set-up link.
	HasPassword bool `json:"hasPassword"`
	// Created is when the account was made.
	Created time.Time `json:"created"`
	// PasswordHash is the Argon2id hash; never sent to clients.
	PasswordHash string `json:"passwordHash,omitempty"`
	// TwoFactor lists the second factors enrolled ("passkey", "totp"); computed for clients.
	TwoFactor []string `json:"twoFactor,omitempty"`
	// OIDCProvider is the identity provider (its configured id) the account signs in with; its
	// first sign-in there links OIDCIssuer and OIDCSubject, after which only they count.
	OIDCProvider string `json:"oidcProvider,omitempty"`
	OIDCIssuer   string `json:"oidcIssuer,omitempty"`
	OIDCSubject  string `json:"oidcSubject,omitempty"`
	// TOTPSecret is the base32 TOTP secret (RFC 6238); never sent to clients.
	TOTPSecret string `json:"totpSecret,omitempty"`
	// TOTPLastStep is the last time step a TOTP code was accepted for: no code counts twice.
	TOTPLastStep int64 `json:"totpLastStep,omitempty"`
	// RecoveryCodes are the SHA-256 hashes of the unused one-time recovery codes; never sent.
	RecoveryCodes []string `json:"recoveryCodes,omitempty"`
	// RecoveryLeft is how many recovery codes are left; computed for clients.
	RecoveryLeft int `json:"recoveryLeft,omitempty"`
	// WebAuthnHandle is the random user handle the account's passkeys are registered under.
	WebAuthnHandle []byte `json:"webauthnHandle,omitempty"`
	// Passkeys are the registered WebAuthn credentials; never sent to clients.
	Passkeys []webauthn.Credential `json:"passkeys,omitempty"`
}

// public returns a without its secrets: no password hash, second-factor secrets or
// credentials, only which second factors are enrolled.
func (a Account) public() Account {
	a.HasPassword = a.PasswordHash != ""
	a.TwoFactor = a.factors()
	a.RecoveryLeft = len(a.RecoveryCodes)
	a.PasswordHash, a.TOTPSecret, a.TOTPLastStep, a.RecoveryCodes, a.WebAuthnHandle, a.Passkeys = "", "", 0, nil, nil, nil
	a.OIDCSubject = ""
	return a
}

// factors lists the second factors a has enrolled.
func (a Account) factors() []string {
	var out []string
	if len(a.Passkeys) > 0 {
		out = append(out, "passkey")
	}
	if a.TOTPSecret != "" {
		out = append(out, "totp")
	}
	return out
}

func validRole(r string) bool { return r == RoleAdmin || r == RoleChair || r == RoleProfessional }

// accountInput is the editable part of an account.
type accountInput struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Discipline   string `json:"discipline"`
	Role         string `json:"role"`
	// OIDCProvider, when set, makes an account that signs in with that identity provider
	// (no password, no set-up link).
	OIDCProvider string `json:"oidcProvider,omitempty"`
	// Intake gives the intake permission.
	Intake bool `json:"intake,omitempty"`
}

func (in *accountInput) check() error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	in.Organisation = strings.TrimSpace(in.Organisation)
	in.Discipline = strings.TrimSpace(in.Discipline)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		return invalid("Vul een geldig e-mailadres in.", "Enter a valid email address.")
	}
	if !textOK(in.Name, 1, 100) || !textOK(in.Organisation, 1, 100) || !textOK(in.Discipline, 0, 100) {
		return invalid("Naam en organisatie zijn verplicht (hoogstens 100 tekens).", "Name and organisation are required (at most 100 characters).")
	}
	if !validRole(in.Role) {
		return invalid("Rol moet admin, chair of professional zijn.", "Role must be admin, chair or professional.")
	}
	return nil
}

// textOK reports whether s is valid UTF-8 of min to max characters without control characters.
func textOK(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || n < min || n > max {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (s *Server) getAccount(ctx context.Context, id string) (Account, error) {
	b, err := s.kv.Get(ctx, bucketAccounts, id)
	if errors.Is(err, kv.ErrNotFound) {
		return Account{}, errNotFound
	}
	if err != nil {
		return Account{}, errUnavailable.WithCause(err)
	}
	var a Account
	if err := json.Unmarshal(b, &a); err != nil {
		return Account{}, fmt.Errorf("account %s: %w", id, err)
	}
	return a, nil
}

func (s *Server) putAccount(ctx context.Context, a Account) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, bucketAccounts, a.ID, b); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

var errEmailTaken = meeting.NewError(meeting.CodeConflict, "Er bestaat al een account met dit e-mailadres.", "An account with this email address exists already.")

// createAccount stores a new account, claiming its email address first.
func (s *Server) createAccount(ctx context.Context, in accountInput, hash string) (Account, error) {
	a := Account{ID: token.NewID(), Email: in.Email, Name: in.Name, Organisation: in.Organisation,
		Discipline: in.Discipline, Role: in.Role, PasswordHash: hash, Created: s.now().UTC(), OIDCProvider: in.OIDCProvider, Intake: in.Intake}
	ok, err := s.kv.PutIfAbsent(ctx, bucketEmails, a.Email, []byte(a.ID), 0)
	if err != nil {
		return Account{}, errUnavailable.WithCause(err)
	}
	if !ok {
		return Account{}, errEmailTaken
	}
	if err := s.putAccount(ctx, a); err != nil {
		return Account{}, err
	}
	return a, nil
}

// CreateAccount makes an account without a password and returns it with a one-time set-up
// link for its owner (for wiring such as the demo loader; the REST API does the same for
// administrators). role is RoleAdmin, RoleChair or RoleProfessional.
func (s *Server) CreateAccount(ctx context.Context, email, name, organisation, discipline, role string) (Account, string, error) {
	in := accountInput{Email: email, Name: name, Organisation: organisation, Discipline: discipline, Role: role}
	if err := in.check(); err != nil {
		return Account{}, "", err
	}
	acc, err := s.createAccount(ctx, in, "")
	if err != nil {
		return Account{}, "", err
	}
	link, err := s.setupLink(ctx, acc.ID, nil)
	if err != nil {
		return Account{}, "", err
	}
	return acc.public(), link, nil
}

// HasAccounts reports whether any account exists.
func (s *Server) HasAccounts(ctx context.Context) (bool, error) {
	all, err := s.kv.List(ctx, bucketAccounts)
	if err != nil {
		return false, err
	}
	return len(all) > 0, nil
}

// hasAdmin reports whether an administrator account exists.
func (s *Server) hasAdmin(ctx context.Context) (bool, error) {
	all, err := s.kv.List(ctx, bucketAccounts)
	if err != nil {
		return false, err
	}
	for _, b := range all {
		var a Account
		if json.Unmarshal(b, &a) == nil && a.Role == RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

// meView is who the caller is.
type meView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Professional bool      `json:"professional"`
	Organisation string    `json:"organisation,omitempty"`
	Role         string    `json:"role"`
	Case         string    `json:"case,omitempty"`
	Meeting      string    `json:"meeting,omitempty"`
	SessionID    string    `json:"session"`
	Expires      time.Time `json:"expires"`
	// Intake: the account holds the intake permission.
	Intake bool `json:"intake,omitempty"`
}

func (s *Server) me(c echo.Context) meView {
	a, _ := c.Get(ctxAuth).(*auth)
	if a == nil {
		return meView{}
	}
	p := a.Principal
	role := p.AccountRole
	if !p.Professional {
		role = p.InviteRole
	}
	return meView{ID: p.ID, Name: p.Name, Professional: p.Professional, Organisation: p.Organisation,
		Role: role, Case: p.CaseID, Meeting: p.MeetingID, SessionID: p.SessionID, Expires: a.Session.ExpiresAt}
}

func (s *Server) handleMe(c echo.Context) error {
	m := s.me(c)
	if m.Professional {
		if acc, err := s.getAccount(c.Request().Context(), strings.TrimPrefix(m.ID, "u:")); err == nil {
			m.Intake = acc.Intake && !acc.Disabled
		}
	}
	return c.JSON(http.StatusOK, m)
}

// adminOf returns the calling administrator (for the set-up links they issue).
func (s *Server) adminOf(c echo.Context) *linkIssuer {
	a, _ := c.Get(ctxAuth).(*auth)
	if a == nil {
		return nil
	}
	return &linkIssuer{ID: a.Principal.ID, Name: a.Principal.Name, Organisation: a.Principal.Organisation}
}

// recordAdmin logs an administrator's change of accounts or sessions in the global log.
func (s *Server) recordAdmin(c echo.Context, object, action string) error {
	a, _ := c.Get(ctxAuth).(*auth)
	if a == nil {
		return errUnauthenticated
	}
	return s.record(c, audit.Entry{PrincipalID: a.Principal.ID, Name: a.Principal.Name, Role: a.Principal.AccountRole,
		Organisation: a.Principal.Organisation, Object: object, Action: action, Outcome: audit.OutcomeGranted,
		Authority: RoleAdmin})
}

// handleListAccounts lists every account (administrators).
func (s *Server) handleListAccounts(c echo.Context) error {
	all, err := s.kv.List(c.Request().Context(), bucketAccounts)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	out := make([]Account, 0, len(all))
	for _, v := range all {
		var a Account
		if json.Unmarshal(v, &a) == nil {
			out = append(out, a.public())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if err := s.recordAdmin(c, "accounts", audit.ActionList); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type createdAccount struct {
	Account Account `json:"account"`
	// Delivery says how the set-up link went to its owner: "email", "console" (no mail server:
	// printed for the operator), or "none" (an account of an identity provider needs none).
	Delivery string `json:"delivery"`
	// SetupURL is the link itself, only when no mail server is set (the administrator hands
	// it over, as before mail existed).
	SetupURL string `json:"setupUrl,omitempty"`
}

// handleCreateAccount makes an account without a password (administrators). Its one-time
// set-up link is mailed to the account's address; without a mail server the administrator
// gets it to hand over. An account of an identity provider gets no link.
func (s *Server) handleCreateAccount(c echo.Context) error {
	var in accountInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if in.OIDCProvider != "" {
		p, ok := s.oidc.byID[in.OIDCProvider]
		if !ok {
			return invalid("Onbekende identiteitsprovider.", "Unknown identity provider.")
		}
		if p.Organisation != "" && !strings.EqualFold(p.Organisation, in.Organisation) {
			return invalid(fmt.Sprintf("Accounts van deze identiteitsprovider horen bij %s.", p.Organisation),
				fmt.Sprintf("Accounts of this identity provider belong to %s.", p.Organisation))
		}
	}
	ctx := c.Request().Context()
	acc, err := s.createAccount(ctx, in, "")
	if err != nil {
		return err
	}
	if err := s.recordAdmin(c, "account/"+acc.ID, audit.ActionCreate); err != nil {
		return err
	}
	out := createdAccount{Account: acc.public(), Delivery: "none"}
	if in.OIDCProvider != "" {
		return c.JSON(http.StatusCreated, out)
	}
	by := s.adminOf(c)
	link, err := s.setupLink(ctx, acc.ID, by)
	if err != nil {
		return err
	}
	if s.mail.Delivers() {
		out.Delivery = "email"
		if err := s.sendMail(ctx, mailer.SetupLink(acc.Email, acc.Name, link, s.now().Add(SetupLinkTTL), false)); err != nil {
			return err
		}
	} else {
		out.Delivery, out.SetupURL = "console", link
	}
	return c.JSON(http.StatusCreated, out)
}

type accountPatch struct {
	Name         *string `json:"name"`
	Organisation *string `json:"organisation"`
	Discipline   *string `json:"discipline"`
	Role         *string `json:"role"`
	Disabled     *bool   `json:"disabled"`
	// Intake gives or takes the intake permission.
	Intake *bool `json:"intake"`
	// ResetTwoFactor removes the account's second factors (a lost phone or key): its owner
	// enrols a new one at the next sign-in.
	ResetTwoFactor bool `json:"resetTwoFactor"`
}

// handlePatchAccount changes an account (administrators). A change of role or disabling the
// account ends all its sessions, so that no token with the old role survives.
func (s *Server) handlePatchAccount(c echo.Context) error {
	var p accountPatch
	if err := bind(c, &p); err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := s.getAccount(ctx, c.Param("aid"))
	if err != nil {
		return err
	}
	revoke := false
	if p.Name != nil {
		acc.Name = strings.TrimSpace(*p.Name)
	}
	if p.Organisation != nil {
		acc.Organisation = strings.TrimSpace(*p.Organisation)
	}
	if p.Discipline != nil {
		acc.Discipline = strings.TrimSpace(*p.Discipline)
	}
	if p.Role != nil && *p.Role != acc.Role {
		acc.Role, revoke = *p.Role, true
	}
	if p.Intake != nil {
		acc.Intake = *p.Intake
	}
	if p.Disabled != nil && *p.Disabled != acc.Disabled {
		acc.Disabled = *p.Disabled
		revoke = revoke || acc.Disabled
	}
	if p.Role != nil && !validRole(*p.Role) {
		return invalid("Rol moet admin, chair of professional zijn.", "Role must be admin, chair or professional.")
	}
	reset := p.ResetTwoFactor && (len(acc.factors()) > 0 || len(acc.RecoveryCodes) > 0)
	if reset {
		acc.TOTPSecret, acc.TOTPLastStep, acc.RecoveryCodes, acc.Passkeys = "", 0, nil, nil
		revoke = true
	}
	in := accountInput{Email: acc.Email, Name: acc.Name, Organisation: acc.Organisation, Discipline: acc.Discipline, Role: acc.Role}
	if err := in.check(); err != nil {
		return err
	}
	if err := s.putAccount(ctx, acc); err != nil {
		return err
	}
	if revoke {
		if err := s.revokeAll(ctx, "u:"+acc.ID); err != nil {
			return errUnavailable.WithCause(err)
		}
	}
	if err := s.recordAdmin(c, "account/"+acc.ID, audit.ActionUpdate); err != nil {
		return err
	}
	if reset {
		if err := s.recordAdmin(c, "account/"+acc.ID+"/second-factor", ActionFactorRemove); err != nil {
			return err
		}
		s.notify(ctx, mailer.FactorChanged(acc.Email, acc.Name, "door de beheerder elke tweede stap verwijderd; stel bij de volgende aanmelding een nieuwe in",
			"the administrator removed every second step; set up a new one at your next sign-in", s.now()))
	}
	return c.JSON(http.StatusOK, acc.public())
}

// resetSent is the answer to an administrator's reset: how the link went to the account holder.
type resetSent struct {
	// Delivery is "email" (mailed to the account's address) or "console" (no mail server:
	// printed for the operator of the server).
	Delivery string `json:"delivery"`
	// SetupURL is the link itself, only in the demo without a mail server.
	SetupURL string `json:"setupUrl,omitempty"`
}

// handleAccountSetupLink makes a new set-up link for an account (a forgotten password) and
// voids the older ones. The administrator never sees it (outside the demo): it is mailed to
// the account's address, or without a mail server printed on the server's console.
func (s *Server) handleAccountSetupLink(c echo.Context) error {
	ctx := c.Request().Context()
	acc, err := s.getAccount(ctx, c.Param("aid"))
	if err != nil {
		return err
	}
	if acc.OIDCProvider != "" && acc.PasswordHash == "" {
		return invalid("Dit account meldt zich aan via de identiteitsprovider van de organisatie; het heeft geen wachtwoord.",
			"This account signs in through its organisation's identity provider; it has no password.")
	}
	link, err := s.setupLink(ctx, acc.ID, s.adminOf(c))
	if err != nil {
		return err
	}
	if err := s.recordAdmin(c, "account/"+acc.ID+"/setup-link", audit.ActionCreate); err != nil {
		return err
	}
	out := resetSent{Delivery: "email"}
	if !s.mail.Delivers() {
		out.Delivery = "console"
		if s.cfg.Demo {
			out.SetupURL = link
		}
	}
	if err := s.sendMail(ctx, mailer.SetupLink(acc.Email, acc.Name, link, s.now().Add(SetupLinkTTL), true)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// handleAccountSessions lists an account's sessions (administrators).
func (s *Server) handleAccountSessions(c echo.Context) error {
	list, err := s.sessionsOf(c.Request().Context(), "u:"+c.Param("aid"))
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	if list == nil {
		list = []sessionRecord{}
	}
	if err := s.recordAdmin(c, "account/"+c.Param("aid")+"/sessions", audit.ActionList); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

// handleRevokeSession ends one session: one's own, or any (administrators).
func (s *Server) handleRevokeSession(c echo.Context) error {
	a, err := s.authenticate(c)
	if err != nil {
		return err
	}
	sid := c.Param("sid")
	ctx := c.Request().Context()
	isAdmin := a.Principal.Professional && a.Principal.AccountRole == RoleAdmin
	if !isAdmin && sid != a.Session.ID {
		mine, err := s.sessionsOf(ctx, a.Principal.ID)
		if err != nil {
			return errUnavailable.WithCause(err)
		}
		found := false
		for _, r := range mine {
			found = found || r.ID == sid
		}
		if !found {
			return errForbidden
		}
	}
	if err := s.RevokeSession(ctx, sid); err != nil {
		return errUnavailable.WithCause(err)
	}
	if isAdmin {
		if err := s.recordAdmin(c, "session/"+sid, audit.ActionRevoke); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) revokeAll(ctx context.Context, principal string) error {
	list, err := s.sessionsOf(ctx, principal)
	if err != nil {
		return err
	}
	for _, r := range list {
		if err := s.RevokeSession(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// directoryEntry is what every professional may see of a colleague (to add them to a case).
type directoryEntry struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Discipline   string `json:"discipline"`
}

// handleDirectory lists the enabled accounts' names, for chairs adding members.
func (s *Server) handleDirectory(c echo.Context) error {
	all, err := s.kv.List(c.Request().Context(), bucketAccounts)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	out := make([]directoryEntry, 0, len(all))
	for _, v := range all {
		var a Account
		if json.Unmarshal(v, &a) == nil && !a.Disabled {
			out = append(out, directoryEntry{ID: a.ID, Name: a.Name, Organisation: a.Organisation, Discipline: a.Discipline})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return c.JSON(http.StatusOK, out)
}
