package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/password"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Sign-in lifetimes.
const (
	// MFAWindow is how long someone who passed the first factor has for the second (or to
	// enrol one).
	MFAWindow = 10 * time.Minute
	// DeviceTTL is how long a browser in which an account signed in stays known to the
	// per-account sign-in delay.
	DeviceTTL = 90 * 24 * time.Hour
	// maxSecondFactorTries is how many wrong second factors one first-factor pass allows;
	// after that the password (or the identity provider) is asked again.
	maxSecondFactorTries = 5
)

func sessionFor(a Account) token.Session {
	return token.Session{Subject: "u:" + a.ID, Name: a.Name, Organisation: a.Organisation, Discipline: a.Discipline, AccountRole: a.Role}
}

// signInStep is the answer of a sign-in that needs a second step: "second-factor" (give one of
// Methods) or "enrol" (set up a passkey or an authenticator app first).
type signInStep struct {
	Next    string   `json:"next"`
	Methods []string `json:"methods,omitempty"`
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

var errLogin = meeting.NewError(meeting.CodeUnauthenticated, "E-mailadres of wachtwoord klopt niet.", "Email address or password is wrong.")

// handleLogin checks a professional's password. It is rate-limited per network (/64 for IPv6,
// the address for IPv4); after repeated failures for one account it answers later and later
// (signInDelay), except in a browser where that account signed in before; it takes as long
// for an unknown email as for a known one, and says nothing about which part was wrong. A
// right password leads to a session, or to the second factor (signInAfterFirstFactor).
func (s *Server) handleLogin(c echo.Context) error {
	network := networkOf(c.RealIP())
	if !s.loginLimit.Allow(network) {
		s.metrics.rateLimited.WithLabelValues("login").Inc()
		c.Response().Header().Set("Retry-After", "60")
		return errRateLimited
	}
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var acc Account
	id, err := s.kv.Get(ctx, bucketEmails, normEmail(req.Email))
	if err == nil {
		acc, err = s.getAccount(ctx, string(id))
	}
	if err != nil && !errors.Is(err, kv.ErrNotFound) && !errors.Is(err, errNotFound) {
		return errUnavailable.WithCause(err)
	}
	device := ""
	if acc.ID != "" {
		device = s.deviceOf(c, acc.ID)
		wait, err := s.signInDelay(ctx, acc.ID, device)
		if err != nil {
			return err
		}
		if wait > 0 {
			s.metrics.rateLimited.WithLabelValues("account").Inc()
			if err := s.recordSignIn(c, acc, audit.ActionLogin, audit.OutcomeRefused, "password not checked: failed sign-ins for this account, wait "+wait.Round(time.Second).String()); err != nil {
				return err
			}
			return retryLater(c, wait)
		}
	}
	release, ok := s.hashGate.acquire(ctx, network)
	if !ok {
		s.metrics.rateLimited.WithLabelValues("hash").Inc()
		c.Response().Header().Set("Retry-After", "2")
		return errBusyNetwork
	}
	defer release()
	if acc.ID == "" || acc.PasswordHash == "" {
		password.Dummy(req.Password)
		s.metrics.logins.WithLabelValues("refused").Inc()
		if err := s.record(c, audit.Entry{Object: "account", Action: audit.ActionLogin, Outcome: audit.OutcomeRefused,
			Authority: "password: no account with a password for this address"}); err != nil {
			return err
		}
		return errLogin
	}
	if err := password.Verify(req.Password, acc.PasswordHash); err != nil || acc.Disabled {
		s.metrics.logins.WithLabelValues("refused").Inc()
		why := "password: wrong"
		if err == nil {
			why = "password: account disabled"
		} else {
			s.noteFailure(ctx, acc.ID, device)
		}
		if err := s.recordSignIn(c, acc, audit.ActionLogin, audit.OutcomeRefused, why); err != nil {
			return err
		}
		return errLogin
	}
	s.clearFailures(ctx, acc.ID)
	return s.signInAfterFirstFactor(c, acc, "pwd")
}

var errBusyNetwork = meeting.NewError(meeting.CodeRateLimited, "Er lopen al aanmeldingen vanaf uw netwerk; probeer het zo opnieuw.",
	"Sign-ins from your network are already under way; try again shortly.")

// retryLater refuses with rate_limited and a Retry-After of wait.
func retryLater(c echo.Context, wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	c.Response().Header().Set("Retry-After", itoa(secs))
	return meeting.NewError(meeting.CodeRateLimited,
		"Te veel mislukte aanmeldingen voor dit account. Probeer het over "+itoa(secs)+" seconden opnieuw, of vraag een nieuw wachtwoord aan.",
		"Too many failed sign-ins for this account. Try again in "+itoa(secs)+" seconds, or ask for a new password.")
}

// signInAfterFirstFactor goes on after a right password: a session when no second factor is
// due, else the mfa cookie and the step to take (JSON).
func (s *Server) signInAfterFirstFactor(c echo.Context, acc Account, amr string) error {
	step, err := s.afterFirstFactor(c, acc, amr)
	if err != nil {
		return err
	}
	if step != nil {
		return c.JSON(http.StatusOK, step)
	}
	return c.JSON(http.StatusOK, s.me(c))
}

// afterFirstFactor starts the session when acc needs no second factor (nil step), or sets the
// mfa cookie and returns the step to take.
func (s *Server) afterFirstFactor(c echo.Context, acc Account, amr string) (*signInStep, error) {
	ctx := c.Request().Context()
	required, err := s.secondFactorRequired(ctx, acc, amr)
	if err != nil {
		return nil, err
	}
	if !required {
		return nil, s.completeSignIn(c, acc, []string{amr}, "")
	}
	now := s.now()
	step := &signInStep{Next: "second-factor", Methods: acc.factors()}
	if len(acc.RecoveryCodes) > 0 {
		step.Methods = append(step.Methods, "recovery")
	}
	if len(acc.factors()) == 0 {
		step = &signInStep{Next: "enrol", Methods: []string{"totp"}}
		if s.webauthn != nil {
			step.Methods = []string{"passkey", "totp"}
		}
	}
	raw, err := s.tokens.IssueMFA(token.MFA{ID: token.NewID(), AccountID: acc.ID, AMR: []string{amr}, Enrol: step.Next == "enrol",
		IssuedAt: now, ExpiresAt: now.Add(MFAWindow)})
	if err != nil {
		return nil, err
	}
	s.setCookie(c, s.mfaCookieName(), raw, "/api/", now.Add(MFAWindow))
	if err := s.recordSignIn(c, acc, ActionLoginFactor, audit.OutcomeGranted, "first factor "+amr+"; "+step.Next+" due"); err != nil {
		return nil, err
	}
	return step, nil
}

// completeSignIn starts acc's session after the factors in amr, remembers this browser for
// the sign-in delay, spends the mfa token mfaID (when there was one) and logs the sign-in.
func (s *Server) completeSignIn(c echo.Context, acc Account, amr []string, mfaID string) error {
	ctx := c.Request().Context()
	if mfaID != "" {
		if ok, err := s.spend(ctx, mfaID, s.now().Add(MFAWindow)); err != nil {
			return err
		} else if !ok {
			return errMFASpent
		}
		s.clearCookie(c, s.mfaCookieName(), "/api/")
	}
	if _, err := s.startSession(c, sessionFor(acc)); err != nil {
		return err
	}
	now := s.now()
	if raw, err := s.tokens.IssueDevice(token.Device{ID: token.NewID(), AccountID: acc.ID, IssuedAt: now, ExpiresAt: now.Add(DeviceTTL)}); err == nil {
		s.setCookie(c, s.deviceCookieName(), raw, "/api/", now.Add(DeviceTTL))
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	s.log.Info("signed in", "account", acc.ID, "addr", c.RealIP())
	return s.recordSignIn(c, acc, audit.ActionLogin, audit.OutcomeGranted, "signed in with "+strings.Join(amr, "+"))
}

var errMFASpent = meeting.NewError(meeting.CodeUnauthenticated, "Deze aanmelding is al afgerond of verlopen; meld u opnieuw aan.",
	"This sign-in has been completed or has expired; sign in again.")

// recordSignIn writes a sign-in step of acc to the access log.
func (s *Server) recordSignIn(c echo.Context, acc Account, action, outcome, authority string) error {
	return s.record(c, audit.Entry{PrincipalID: "u:" + acc.ID, Name: acc.Name, Role: acc.Role, Organisation: acc.Organisation,
		Object: "account/" + acc.ID, Action: action, Outcome: outcome, Authority: authority})
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
	e := entryFor(a.Principal, "")
	e.Object, e.Action, e.Outcome, e.Authority = "session/"+a.Session.ID, audit.ActionLogout, audit.OutcomeGranted, "own session"
	if !a.Principal.Professional {
		e.CaseID = a.Principal.CaseID
	}
	if err := s.record(c, e); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// mfaCookieName and deviceCookieName are the cookies of a pending second factor and of a
// known browser; under HTTPS the __Host- prefix pins them to this host and Secure.
func (s *Server) mfaCookieName() string {
	if s.cfg.Secure() {
		return "__Secure-tafel_mfa"
	}
	return "tafel_mfa"
}

func (s *Server) deviceCookieName() string {
	if s.cfg.Secure() {
		return "__Secure-tafel_device"
	}
	return "tafel_device"
}

func (s *Server) setCookie(c echo.Context, name, value, path string, exp time.Time) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: path, Expires: exp, MaxAge: int(time.Until(exp).Seconds()),
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearCookie(c echo.Context, name, path string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteStrictMode})
}

// deviceOf returns the id of the browser's device token when it is valid and for accountID.
func (s *Server) deviceOf(c echo.Context, accountID string) string {
	ck, err := c.Cookie(s.deviceCookieName())
	if err != nil || ck.Value == "" {
		return ""
	}
	d, err := s.tokens.ParseDevice(ck.Value)
	if err != nil || d.AccountID != accountID {
		return ""
	}
	return d.ID
}

// pendingMFA returns the caller's first-factor pass (the mfa cookie) and its account.
func (s *Server) pendingMFA(c echo.Context) (token.MFA, Account, error) {
	ck, err := c.Cookie(s.mfaCookieName())
	if err != nil || ck.Value == "" {
		return token.MFA{}, Account{}, errNoMFA
	}
	m, err := s.tokens.ParseMFA(ck.Value)
	if err != nil {
		return token.MFA{}, Account{}, errNoMFA.WithCause(err)
	}
	ctx := c.Request().Context()
	if _, err := s.kv.Get(ctx, bucketSpent, m.ID); err == nil {
		return token.MFA{}, Account{}, errMFASpent
	}
	acc, err := s.getAccount(ctx, m.AccountID)
	if err != nil {
		return token.MFA{}, Account{}, err
	}
	if acc.Disabled {
		return token.MFA{}, Account{}, errForbidden
	}
	return m, acc, nil
}

var errNoMFA = meeting.NewError(meeting.CodeUnauthenticated, "Meld u eerst aan met uw wachtwoord.", "Sign in with your password first.")

// secondFactorFailed counts a wrong second factor against the first-factor pass m: after
// maxSecondFactorTries the pass is spent and the password is asked again.
func (s *Server) secondFactorFailed(c echo.Context, m token.MFA, acc Account, method string) error {
	ctx := c.Request().Context()
	tries := 1
	if b, err := s.kv.Get(ctx, bucketMFATries, m.ID); err == nil {
		tries = atoi(string(b)) + 1
	}
	_ = s.putTTL(ctx, bucketMFATries, m.ID, []byte(itoa(tries)), MFAWindow+time.Minute)
	if err := s.recordSignIn(c, acc, ActionSecondFactor, audit.OutcomeRefused, method+": wrong ("+itoa(tries)+" of "+itoa(maxSecondFactorTries)+")"); err != nil {
		return err
	}
	if tries >= maxSecondFactorTries {
		_, _ = s.spend(ctx, m.ID, m.ExpiresAt)
		s.clearCookie(c, s.mfaCookieName(), "/api/")
		return meeting.NewError(meeting.CodeUnauthenticated, "Te vaak een verkeerde code; meld u opnieuw aan met uw wachtwoord.",
			"Too many wrong codes; sign in with your password again.")
	}
	return meeting.NewError(meeting.CodeUnauthenticated, "Deze code klopt niet.", "This code is not right.")
}

// bucketMFATries counts wrong second factors per first-factor pass (mfa token id).
const bucketMFATries = "mfa-tries"

// secondFactorRequired reports whether acc must give a second factor after first factor amr:
// the policy of its organisation (or the configured default), unless it signed in through an
// identity provider trusted to ask the second factor itself.
func (s *Server) secondFactorRequired(ctx context.Context, acc Account, amr string) (bool, error) {
	if amr == "fed" {
		if p, ok := s.oidc.byID[acc.OIDCProvider]; ok && p.TwoFactor == "provider" {
			return false, nil
		}
	}
	pol, err := s.organisationPolicy(ctx, acc.Organisation)
	if err != nil {
		return false, err
	}
	return pol.TwoFactor == TwoFactorRequired, nil
}
