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

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/password"
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
	// Disabled accounts cannot sign in.
	Disabled bool `json:"disabled"`
	// HasPassword is true once a password was set through a set-up link.
	HasPassword bool `json:"hasPassword"`
	// Created is when the account was made.
	Created time.Time `json:"created"`
	// PasswordHash is the Argon2id hash; never sent to clients.
	PasswordHash string `json:"passwordHash,omitempty"`
}

// public returns a without its password hash.
func (a Account) public() Account {
	a.HasPassword = a.PasswordHash != ""
	a.PasswordHash = ""
	return a
}

func validRole(r string) bool { return r == RoleAdmin || r == RoleChair || r == RoleProfessional }

// accountInput is the editable part of an account.
type accountInput struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Discipline   string `json:"discipline"`
	Role         string `json:"role"`
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
		Discipline: in.Discipline, Role: in.Role, PasswordHash: hash, Created: s.now().UTC()}
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
	link, err := s.setupLink(acc.ID)
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

// FirstStartLink returns a one-time set-up link for the first administrator when there is
// no administrator yet ("" otherwise) — also when the demo loader has made its chair and GP
// accounts. Each call makes a new link; whichever is used first creates the administrator,
// after which all are refused. The caller prints it on the console (it holds a token, so it
// never goes to the structured log).
func (s *Server) FirstStartLink(ctx context.Context) (string, error) {
	has, err := s.hasAdmin(ctx)
	if err != nil || has {
		return "", err
	}
	if _, err := s.kv.Get(ctx, bucketSetup, "first-admin"); err == nil {
		return "", nil
	}
	return s.setupLink("")
}

func (s *Server) setupLink(accountID string) (string, error) {
	raw, err := s.tokens.IssueSetup(token.Setup{ID: token.NewID(), AccountID: accountID, ExpiresAt: s.now().Add(SetupLinkTTL)})
	if err != nil {
		return "", err
	}
	return s.cfg.PublicURL + "/setup#" + raw, nil
}

// spend marks a one-time token id as used; false means it was used before (on any instance).
func (s *Server) spend(ctx context.Context, jti string, exp time.Time) (bool, error) {
	ttl := time.Until(exp) + token.Leeway + time.Hour
	if ttl < time.Hour {
		ttl = time.Hour
	}
	ok, err := s.kv.PutIfAbsent(ctx, bucketSpent, jti, []byte(s.now().UTC().Format(time.RFC3339)), ttl)
	if err != nil {
		return false, errUnavailable.WithCause(err)
	}
	return ok, nil
}

var errTokenSpent = meeting.NewError(meeting.CodeUnauthenticated, "Deze link is al gebruikt.", "This link has been used already.")

type setupRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
	// For the first administrator only:
	Email        string `json:"email"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Discipline   string `json:"discipline"`
}

// handleSetup sets a password through a set-up link: for the first administrator (creating
// the account) or for an account an administrator made. It signs the person in.
func (s *Server) handleSetup(c echo.Context) error {
	var req setupRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.tokens.ParseSetup(req.Token)
	if err != nil {
		return s.tokenError(token.KindSetup, err)
	}
	if err := password.CheckPolicy(req.Password); err != nil {
		return invalid(fmt.Sprintf("Kies een wachtwoord van %d tot %d tekens.", password.MinLen, password.MaxLen),
			fmt.Sprintf("Choose a password of %d to %d characters.", password.MinLen, password.MaxLen))
	}
	ctx := c.Request().Context()
	var acc Account
	if st.AccountID == "" {
		in := accountInput{Email: req.Email, Name: req.Name, Organisation: req.Organisation, Discipline: req.Discipline, Role: RoleAdmin}
		if err := in.check(); err != nil {
			return err
		}
		if has, err := s.hasAdmin(ctx); err != nil {
			return errUnavailable.WithCause(err)
		} else if has {
			return errTokenSpent
		}
		ok, err := s.spend(ctx, st.ID, st.ExpiresAt)
		if err != nil {
			return err
		}
		if !ok {
			return errTokenSpent
		}
		if won, err := s.kv.PutIfAbsent(ctx, bucketSetup, "first-admin", []byte(st.ID), 0); err != nil {
			return errUnavailable.WithCause(err)
		} else if !won {
			return errTokenSpent
		}
		hash, err := password.Hash(req.Password)
		if err != nil {
			return err
		}
		if acc, err = s.createAccount(ctx, in, hash); err != nil {
			return err
		}
		s.log.Info("first administrator created", "account", acc.ID)
	} else {
		if acc, err = s.getAccount(ctx, st.AccountID); err != nil {
			return err
		}
		if acc.Disabled {
			return errForbidden
		}
		ok, err := s.spend(ctx, st.ID, st.ExpiresAt)
		if err != nil {
			return err
		}
		if !ok {
			return errTokenSpent
		}
		if acc.PasswordHash, err = password.Hash(req.Password); err != nil {
			return err
		}
		if err := s.putAccount(ctx, acc); err != nil {
			return err
		}
		s.log.Info("password set", "account", acc.ID)
	}
	if _, err := s.startSession(c, sessionFor(acc)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.me(c))
}

func sessionFor(a Account) token.Session {
	return token.Session{Subject: "u:" + a.ID, Name: a.Name, Organisation: a.Organisation, AccountRole: a.Role}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

var errLogin = meeting.NewError(meeting.CodeUnauthenticated, "E-mailadres of wachtwoord klopt niet.", "Email address or password is wrong.")

// handleLogin signs a professional in. It is rate-limited per client address, takes as long
// for an unknown email as for a known one, and says nothing about which part was wrong.
func (s *Server) handleLogin(c echo.Context) error {
	if !s.loginLimit.Allow(c.RealIP()) {
		s.metrics.rateLimited.WithLabelValues("login").Inc()
		c.Response().Header().Set("Retry-After", "60")
		return errRateLimited
	}
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	email := strings.ToLower(strings.TrimSpace(req.Email))
	var acc Account
	id, err := s.kv.Get(ctx, bucketEmails, email)
	if err == nil {
		acc, err = s.getAccount(ctx, string(id))
	}
	if err != nil && !errors.Is(err, kv.ErrNotFound) && !errors.Is(err, errNotFound) {
		return errUnavailable.WithCause(err)
	}
	if acc.ID == "" || acc.PasswordHash == "" {
		password.Dummy(req.Password)
		s.metrics.logins.WithLabelValues("refused").Inc()
		return errLogin
	}
	if err := password.Verify(req.Password, acc.PasswordHash); err != nil || acc.Disabled {
		s.metrics.logins.WithLabelValues("refused").Inc()
		s.log.Info("sign-in refused", "account", acc.ID, "addr", c.RealIP())
		return errLogin
	}
	if _, err := s.startSession(c, sessionFor(acc)); err != nil {
		return err
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	s.log.Info("signed in", "account", acc.ID, "addr", c.RealIP())
	return c.JSON(http.StatusOK, s.me(c))
}

// handleLogout ends the caller's session everywhere.
func (s *Server) handleLogout(c echo.Context) error {
	a, err := s.authenticate(c)
	if err != nil {
		s.clearSessionCookie(c)
		return c.NoContent(http.StatusNoContent)
	}
	if err := s.RevokeSession(c.Request().Context(), a.Session.ID); err != nil {
		return errUnavailable.WithCause(err)
	}
	s.clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
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
	return c.JSON(http.StatusOK, s.me(c))
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
	Account  Account `json:"account"`
	SetupURL string  `json:"setupUrl"`
}

// handleCreateAccount makes an account without a password and returns a one-time set-up link
// for its owner (administrators).
func (s *Server) handleCreateAccount(c echo.Context) error {
	var in accountInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	acc, err := s.createAccount(c.Request().Context(), in, "")
	if err != nil {
		return err
	}
	link, err := s.setupLink(acc.ID)
	if err != nil {
		return err
	}
	if err := s.recordAdmin(c, "account/"+acc.ID, audit.ActionCreate); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdAccount{Account: acc.public(), SetupURL: link})
}

type accountPatch struct {
	Name         *string `json:"name"`
	Organisation *string `json:"organisation"`
	Discipline   *string `json:"discipline"`
	Role         *string `json:"role"`
	Disabled     *bool   `json:"disabled"`
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
	if p.Disabled != nil && *p.Disabled != acc.Disabled {
		acc.Disabled = *p.Disabled
		revoke = revoke || acc.Disabled
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
	return c.JSON(http.StatusOK, acc.public())
}

// handleAccountSetupLink makes a new set-up link for an account (a forgotten password).
func (s *Server) handleAccountSetupLink(c echo.Context) error {
	acc, err := s.getAccount(c.Request().Context(), c.Param("aid"))
	if err != nil {
		return err
	}
	link, err := s.setupLink(acc.ID)
	if err != nil {
		return err
	}
	if err := s.recordAdmin(c, "account/"+acc.ID+"/setup-link", audit.ActionCreate); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"setupUrl": link})
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
