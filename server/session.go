package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// KV buckets for sessions.
const (
	bucketSessions = "sessions"     // session id → sessionRecord, expiring at the session maximum
	bucketRevoked  = "revoked"      // session id → revocation time, expiring at the session maximum
	bucketSpent    = "tokens-spent" // invitation / set-up jti → spend time
)

// sessionRecord is the registry entry of a live session, for listing and revoking.
type sessionRecord struct {
	ID        string    `json:"id"`
	Principal string    `json:"principal"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Addr      string    `json:"addr"`
}

// auth is what a request's session established.
type auth struct {
	Principal hub.Principal
	Session   token.Session
}

const ctxAuth = "tafel.auth"

// cookieName is the session cookie's name; under HTTPS the __Host- prefix pins it to this
// host, path / and Secure.
func (s *Server) cookieName() string {
	if s.cfg.Secure() {
		return "__Host-tafel_session"
	}
	return "tafel_session"
}

// setSessionCookie sets the session cookie: HttpOnly (no script reads it), Secure under
// HTTPS, SameSite=Strict (never sent on a cross-site request; the join and set-up links carry
// their token in the fragment and the app makes a same-site POST, so Strict costs nothing).
func (s *Server) setSessionCookie(c echo.Context, raw string, exp time.Time) {
	c.SetCookie(&http.Cookie{
		Name: s.cookieName(), Value: raw, Path: "/", Expires: exp, MaxAge: int(time.Until(exp).Seconds()),
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteStrictMode,
	})
}

// principalOf turns a verified session into the hub's Principal; its sockets end at the
// session maximum after sign-in (max).
func principalOf(ts token.Session, addr string, max time.Duration) hub.Principal {
	p := hub.Principal{ID: ts.Subject, Name: ts.Name, Discipline: ts.Discipline, SessionID: ts.ID, Addr: addr, Expires: ts.AuthTime.Add(max)}
	if ts.CaseID == "" {
		p.Professional = true
		p.Organisation = ts.Organisation
		p.AccountRole = ts.AccountRole
	} else {
		p.CaseID, p.MeetingID, p.InviteRole = ts.CaseID, ts.MeetingID, ts.InviteRole
	}
	return p
}

// startSession issues a new session for ts (ID, Subject, Name, … set by the caller), registers
// it and sets the cookie.
func (s *Server) startSession(c echo.Context, ts token.Session) (hub.Principal, error) {
	now := s.now()
	ts.ID = token.NewID()
	ts.AuthTime = now
	ts.IssuedAt = now
	ts.ExpiresAt = now.Add(s.cfg.SessionTTL)
	raw, err := s.tokens.IssueSession(ts)
	if err != nil {
		return hub.Principal{}, err
	}
	rec, _ := json.Marshal(sessionRecord{ID: ts.ID, Principal: ts.Subject, Created: now,
		Expires: now.Add(s.cfg.SessionMax), Addr: c.RealIP()})
	if _, err := s.kv.PutIfAbsent(c.Request().Context(), bucketSessions, ts.ID, rec, s.cfg.SessionMax); err != nil {
		return hub.Principal{}, errUnavailable.WithCause(err)
	}
	s.setSessionCookie(c, raw, ts.ExpiresAt)
	p := principalOf(ts, c.RealIP(), s.cfg.SessionMax)
	c.Set(ctxAuth, &auth{Principal: p, Session: ts})
	return p, nil
}

// authenticate returns the request's verified, unrevoked session, renewing its cookie once
// less than half of its lifetime remains.
func (s *Server) authenticate(c echo.Context) (*auth, error) {
	if a, ok := c.Get(ctxAuth).(*auth); ok {
		return a, nil
	}
	ck, err := c.Cookie(s.cookieName())
	if err != nil || ck.Value == "" {
		return nil, errUnauthenticated
	}
	ts, err := s.tokens.ParseSession(ck.Value)
	if err != nil {
		return nil, s.tokenError(token.KindSession, err)
	}
	if err := s.checkRevoked(c.Request().Context(), ts.ID); err != nil {
		return nil, err
	}
	now := s.now()
	if ts.ExpiresAt.Sub(now) < s.cfg.SessionTTL/2 {
		exp := now.Add(s.cfg.SessionTTL)
		if limit := ts.AuthTime.Add(s.cfg.SessionMax); exp.After(limit) {
			exp = limit
		}
		if exp.After(ts.ExpiresAt) {
			renewed := ts
			renewed.IssuedAt, renewed.ExpiresAt = now, exp
			if raw, err := s.tokens.IssueSession(renewed); err == nil {
				s.setSessionCookie(c, raw, exp)
				ts = renewed
			}
		}
	}
	a := &auth{Principal: principalOf(ts, c.RealIP(), s.cfg.SessionMax), Session: ts}
	c.Set(ctxAuth, a)
	return a, nil
}

// requireAuth is middleware refusing requests without a valid session.
func (s *Server) requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := s.authenticate(c); err != nil {
			return err
		}
		return next(c)
	}
}

// requireProfessional is middleware refusing requests that are not from an account holder.
func (s *Server) requireProfessional(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if !a.Principal.Professional {
			return errForbidden
		}
		return next(c)
	}
}

// requireAdmin is middleware refusing requests that are not from an administrator.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if !a.Principal.Professional || a.Principal.AccountRole != RoleAdmin {
			return errForbidden
		}
		return next(c)
	}
}

var errSessionRevoked = meeting.NewError(meeting.CodeRevoked,
	"Deze sessie is beëindigd; meld u opnieuw aan.", "This session has been ended; sign in again.")

// checkRevoked refuses a revoked session; when the store cannot say, it refuses too.
func (s *Server) checkRevoked(ctx context.Context, sid string) error {
	if _, ok := s.revoked.Load(sid); ok {
		return errSessionRevoked
	}
	_, err := s.kv.Get(ctx, bucketRevoked, sid)
	switch {
	case err == nil:
		s.revoked.Store(sid, struct{}{})
		return errSessionRevoked
	case errors.Is(err, kv.ErrNotFound):
		return nil
	default:
		return errUnavailable.WithCause(err)
	}
}

// checkSessionLive refuses a session that is no longer registered (ended) or has passed the
// session maximum. A socket is not renewed like a cookie, so this is what ends it.
func (s *Server) checkSessionLive(ctx context.Context, sid string) error {
	b, err := s.kv.Get(ctx, bucketSessions, sid)
	if errors.Is(err, kv.ErrNotFound) {
		return errSessionRevoked
	}
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	var r sessionRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("session %s: %w", sid, err)
	}
	if !r.Expires.After(s.now()) {
		return meeting.NewError(meeting.CodeUnauthenticated, "Uw sessie is verlopen; meld u opnieuw aan.", "Your session has expired; sign in again.")
	}
	return nil
}

// RevokeSession ends session sid everywhere: it is recorded as revoked in the KV (refused
// on every later request by every instance) and published, so that every instance closes
// its sockets.
func (s *Server) RevokeSession(ctx context.Context, sid string) error {
	ttl := s.cfg.SessionMax + token.Leeway
	if _, err := s.kv.PutIfAbsent(ctx, bucketRevoked, sid, []byte(s.now().UTC().Format(time.RFC3339)), ttl); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.revoked.Store(sid, struct{}{})
	if err := s.kv.Publish(ctx, RevocationChannel, []byte(sid)); err != nil {
		// The KV record stands: the session is refused on every request; its sockets on
		// other instances close when they next check (or at expiry).
		s.log.Warn("publish session revocation", "err", err)
	}
	if s.hub != nil {
		s.hub.CloseSession(sid)
	}
	_ = s.kv.Delete(ctx, bucketSessions, sid)
	return nil
}

// onRevoked handles a revocation published by any instance.
func (s *Server) onRevoked(msg []byte) {
	sid := string(msg)
	if sid == "" || len(sid) > 64 {
		return
	}
	s.revoked.Store(sid, struct{}{})
	if s.hub != nil {
		s.hub.CloseSession(sid)
	}
}

// sessionsOf returns the registered, unexpired sessions of principal id.
func (s *Server) sessionsOf(ctx context.Context, principal string) ([]sessionRecord, error) {
	all, err := s.kv.List(ctx, bucketSessions)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []sessionRecord
	for _, v := range all {
		var r sessionRecord
		if json.Unmarshal(v, &r) == nil && r.Principal == principal && r.Expires.After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// tokenError turns a token refusal into a client error; the metrics count the reason. The
// token itself goes nowhere.
func (s *Server) tokenError(kind token.Kind, err error) *meeting.Error {
	reason := "malformed"
	e := meeting.NewError(meeting.CodeUnauthenticated, "Ongeldig toegangsbewijs; meld u opnieuw aan.", "Invalid credentials; sign in again.")
	switch {
	case errors.Is(err, token.ErrExpired):
		reason = "expired"
		e = meeting.NewError(meeting.CodeUnauthenticated, "Uw toegang is verlopen.", "Your access has expired.")
		if kind == token.KindInvite {
			e = meeting.NewError(meeting.CodeUnauthenticated, "Deze uitnodiging is verlopen. Vraag de voorzitter om een nieuwe.", "This invitation has expired. Ask the chair for a new one.")
		}
	case errors.Is(err, token.ErrNotYetValid):
		reason = "not_yet_valid"
		e = meeting.NewError(meeting.CodeUnauthenticated, "Dit toegangsbewijs is nog niet geldig.", "This credential is not valid yet.")
	case errors.Is(err, token.ErrTooLong):
		reason = "too_long"
	case errors.Is(err, token.ErrAlgorithm):
		reason = "algorithm"
	case errors.Is(err, token.ErrSignature):
		reason = "signature"
	case errors.Is(err, token.ErrMissingExp):
		reason = "missing_exp"
	case errors.Is(err, token.ErrIssuer):
		reason = "issuer"
	case errors.Is(err, token.ErrAudience):
		reason = "audience"
	case errors.Is(err, token.ErrKind):
		reason = "kind"
	case errors.Is(err, token.ErrMissingClaim):
		reason = "claims"
	}
	if kind == token.KindInvite && reason != "expired" && reason != "not_yet_valid" {
		e = meeting.NewError(meeting.CodeUnauthenticated, "Deze uitnodiging is ongeldig.", "This invitation is not valid.")
	}
	s.metrics.tokens.WithLabelValues(string(kind), reason).Inc()
	return e.WithCause(err)
}
