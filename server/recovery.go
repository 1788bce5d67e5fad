package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/password"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// bucketSetupLinks holds the one set-up link of an account that may still be used: account id
// → setupLinkRecord. Issuing a link replaces the record, so every older link is void; setting
// a password deletes it.
const bucketSetupLinks = "setup-links"

// Access-log actions of accounts and sign-in (besides audit.ActionLogin and ActionLogout).
const (
	ActionPasswordSet  = "password.set"
	ActionResetRequest = "password.reset-request"
	ActionLoginFactor  = "login.first-factor"
	ActionSecondFactor = "login.second-factor"
	ActionFactorAdd    = "factor.add"
	ActionFactorRemove = "factor.remove"
	ActionRecoveryUse  = "factor.recovery-code"
	ActionPolicy       = "policy.update"
)

// linkIssuer is who issued a set-up link: an administrator, or nobody (first start, the demo,
// the account holder's own reset request).
type linkIssuer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
}

type setupLinkRecord struct {
	ID       string      `json:"id"`
	IssuedBy *linkIssuer `json:"issuedBy,omitempty"`
	Expires  time.Time   `json:"expires"`
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
	return s.setupLink(ctx, "", nil)
}

// setupLink issues a set-up link for accountID ("" = the first administrator), recording it as
// the account's only valid one: older unspent links are void from now on.
func (s *Server) setupLink(ctx context.Context, accountID string, by *linkIssuer) (string, error) {
	exp := s.now().Add(SetupLinkTTL)
	id := token.NewID()
	raw, err := s.tokens.IssueSetup(token.Setup{ID: id, AccountID: accountID, ExpiresAt: exp})
	if err != nil {
		return "", err
	}
	if accountID != "" {
		b, _ := json.Marshal(setupLinkRecord{ID: id, IssuedBy: by, Expires: exp})
		if err := s.kv.Put(ctx, bucketSetupLinks, accountID, b); err != nil {
			return "", errUnavailable.WithCause(err)
		}
	}
	return s.cfg.PublicURL + "/setup#" + raw, nil
}

// currentLink returns the account's valid set-up link record, if any.
func (s *Server) currentLink(ctx context.Context, accountID string) (setupLinkRecord, bool, error) {
	b, err := s.kv.Get(ctx, bucketSetupLinks, accountID)
	if errors.Is(err, kv.ErrNotFound) {
		return setupLinkRecord{}, false, nil
	}
	if err != nil {
		return setupLinkRecord{}, false, errUnavailable.WithCause(err)
	}
	var r setupLinkRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return setupLinkRecord{}, false, err
	}
	return r, true, nil
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

var (
	errTokenSpent = meeting.NewError(meeting.CodeUnauthenticated, "Deze link is al gebruikt.", "This link has been used already.")
	errLinkVoid   = meeting.NewError(meeting.CodeUnauthenticated, "Deze link is al gebruikt of vervangen door een nieuwere. Gebruik de laatste link die u kreeg.",
		"This link has been used or replaced by a newer one. Use the latest link you received.")
	errMailFailed = meeting.NewError(meeting.CodeUnavailable, "De e-mail kon niet worden verstuurd; probeer het later opnieuw.",
		"The e-mail could not be sent; try again later.")
)

// sendMail sends m (or prints it, without a mail server); a failure is the caller's error.
func (s *Server) sendMail(ctx context.Context, m mailer.Message) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.mail.Send(ctx, m); err != nil {
		s.log.Warn("mail not sent", "err", err)
		return errMailFailed.WithCause(err)
	}
	return nil
}

// notify sends a notice whose failure must not undo what happened (it is logged).
func (s *Server) notify(ctx context.Context, m mailer.Message) {
	_ = s.sendMail(ctx, m)
}

// checkPassword judges a new password; inputs are the person's own details (e-mail address,
// name, organisation), which count as known words.
func checkPassword(pw string, inputs ...string) error {
	if w := password.Judge(pw, inputs...); w != nil {
		return invalid(w.NL, w.EN)
	}
	return nil
}

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
// the account) or for an account an administrator made or whose holder asked for a reset. For
// an existing account it ends every session, voids the other links, tells the holder by mail
// and writes the access log with whoever issued the link as the responsible user. The person
// then goes on to sign in: straight into a session, or on to a second factor (signInStep).
func (s *Server) handleSetup(c echo.Context) error {
	var req setupRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.tokens.ParseSetup(req.Token)
	if err != nil {
		return s.tokenError(token.KindSetup, err)
	}
	if st.AccountID == "" {
		return s.setupFirstAdmin(c, st, req)
	}
	ctx := c.Request().Context()
	acc, err := s.getAccount(ctx, st.AccountID)
	if err != nil {
		return err
	}
	if acc.Disabled {
		return errForbidden
	}
	link, ok, err := s.currentLink(ctx, acc.ID)
	if err != nil {
		return err
	}
	if !ok || link.ID != st.ID {
		return errLinkVoid
	}
	if err := checkPassword(req.Password, acc.Email, acc.Name, acc.Organisation); err != nil {
		return err
	}
	if ok, err := s.spend(ctx, st.ID, st.ExpiresAt); err != nil {
		return err
	} else if !ok {
		return errTokenSpent
	}
	hadPassword := acc.PasswordHash != ""
	if acc.PasswordHash, err = password.Hash(req.Password); err != nil {
		return err
	}
	if err := s.putAccount(ctx, acc); err != nil {
		return err
	}
	_ = s.kv.Delete(ctx, bucketSetupLinks, acc.ID)
	if err := s.revokeAll(ctx, "u:"+acc.ID); err != nil {
		return errUnavailable.WithCause(err)
	}
	s.clearFailures(ctx, acc.ID)
	e := audit.Entry{PrincipalID: "u:" + acc.ID, Name: acc.Name, Role: acc.Role, Organisation: acc.Organisation,
		Object: "account/" + acc.ID + "/password", Action: ActionPasswordSet, Outcome: audit.OutcomeGranted,
		Authority: "set-up link " + st.ID + " used by the account holder"}
	if by := link.IssuedBy; by != nil {
		// The administrator who issued the link is responsible for this change.
		e.PrincipalID, e.Name, e.Role, e.Organisation = by.ID, by.Name, RoleAdmin, by.Organisation
		e.Authority = "set-up link " + st.ID + " issued by the administrator, used for account " + acc.ID
	}
	if err := s.record(c, e); err != nil {
		return err
	}
	if hadPassword {
		s.notify(ctx, mailer.PasswordChanged(acc.Email, acc.Name, s.now()))
	}
	s.log.Info("password set", "account", acc.ID)
	return s.signInAfterFirstFactor(c, acc, "pwd")
}

// setupAbout names the account a set-up link is for.
type setupAbout struct {
	Name         string `json:"name,omitempty"`
	Email        string `json:"email,omitempty"`
	Organisation string `json:"organisation,omitempty"`
}

// handleSetupAbout names the account a set-up link is for, so that the set-up page says whose
// password is set (the first administrator's link names none). It spends nothing; a void or
// spent link is refused as it would be on use. Nothing is logged: only the link's holder
// learns their own account's name.
func (s *Server) handleSetupAbout(c echo.Context) error {
	var req struct {
		Token string `json:"token"`
	}
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.tokens.ParseSetup(req.Token)
	if err != nil {
		return s.tokenError(token.KindSetup, err)
	}
	if st.AccountID == "" {
		return c.JSON(http.StatusOK, setupAbout{})
	}
	ctx := c.Request().Context()
	acc, err := s.getAccount(ctx, st.AccountID)
	if err != nil {
		return err
	}
	link, ok, err := s.currentLink(ctx, acc.ID)
	if err != nil {
		return err
	}
	if acc.Disabled || !ok || link.ID != st.ID {
		return errLinkVoid
	}
	return c.JSON(http.StatusOK, setupAbout{Name: acc.Name, Email: acc.Email, Organisation: acc.Organisation})
}

// setupFirstAdmin creates the first administrator through the first-start link.
func (s *Server) setupFirstAdmin(c echo.Context, st token.Setup, req setupRequest) error {
	ctx := c.Request().Context()
	in := accountInput{Email: req.Email, Name: req.Name, Organisation: req.Organisation, Discipline: req.Discipline, Role: RoleAdmin}
	if err := in.check(); err != nil {
		return err
	}
	if err := checkPassword(req.Password, in.Email, in.Name, in.Organisation); err != nil {
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
	acc, err := s.createAccount(ctx, in, hash)
	if err != nil {
		return err
	}
	s.log.Info("first administrator created", "account", acc.ID)
	if err := s.record(c, audit.Entry{PrincipalID: "u:" + acc.ID, Name: acc.Name, Role: RoleAdmin, Organisation: acc.Organisation,
		Object: "account/" + acc.ID, Action: audit.ActionCreate, Outcome: audit.OutcomeGranted, Authority: "first-start link " + st.ID}); err != nil {
		return err
	}
	return s.signInAfterFirstFactor(c, acc, "pwd")
}

type resetRequest struct {
	Email string `json:"email"`
}

// handleResetRequest lets someone who forgot their password ask for a reset link: it is mailed
// to the account's address (printed on the console without a mail server). The answer is the
// same whether the address has an account or not; the request is rate-limited per network.
func (s *Server) handleResetRequest(c echo.Context) error {
	if !s.loginLimit.Allow(networkOf(c.RealIP())) {
		s.metrics.rateLimited.WithLabelValues("login").Inc()
		c.Response().Header().Set("Retry-After", "60")
		return errRateLimited
	}
	var req resetRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := s.accountByEmail(ctx, req.Email)
	if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	if err == nil && !acc.Disabled && (acc.OIDCProvider == "" || acc.HasPassword) {
		link, err := s.setupLink(ctx, acc.ID, nil)
		if err != nil {
			return err
		}
		if err := s.record(c, audit.Entry{PrincipalID: "u:" + acc.ID, Name: acc.Name, Role: acc.Role, Organisation: acc.Organisation,
			Object: "account/" + acc.ID + "/setup-link", Action: ActionResetRequest, Outcome: audit.OutcomeGranted,
			Authority: "reset asked with the account's e-mail address; link mailed to it"}); err != nil {
			return err
		}
		if err := s.sendMail(ctx, mailer.SetupLink(acc.Email, acc.Name, link, s.now().Add(SetupLinkTTL), true)); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "sent-if-known"})
}

// normEmail is the stored form of an e-mail address.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
