package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Sign-in with an organisation's identity provider: OpenID Connect, authorisation code flow
// with PKCE (S256), state and nonce (github.com/coreos/go-oidc/v3, golang.org/x/oauth2). An
// account is linked to the provider's issuer and subject and belongs to the provider's
// organisation. A provider signs in the accounts an administrator made for it (the first
// sign-in with the account's verified e-mail address links the subject); it makes new accounts
// only when its CreateAccounts is set.
const (
	bucketOIDCState    = "oidc-state"    // state → oidcState, for OIDCStateTTL
	bucketOIDCSubjects = "oidc-subjects" // issuer + " " + subject → account id
	// OIDCStateTTL is how long a sign-in at the identity provider may take.
	OIDCStateTTL = 10 * time.Minute
)

// OIDCProvider is one identity provider, as configured (Config.OIDCProviders: a JSON array).
type OIDCProvider struct {
	// ID names it in URLs (/api/oidc/<id>/start): lower-case letters, digits and dashes.
	ID string `json:"id"`
	// Name is shown on the sign-in page, e.g. "GGD regio Utrecht".
	Name string `json:"name"`
	// Issuer is the provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration).
	Issuer string `json:"issuer"`
	// ClientID and ClientSecret are Tafel's client at the provider; ClientSecretFile reads the
	// secret from a file instead (keep secrets out of the configuration).
	ClientID         string `json:"clientId"`
	ClientSecret     string `json:"clientSecret,omitempty"`
	ClientSecretFile string `json:"clientSecretFile,omitempty"`
	// Organisation is the organisation its accounts belong to (required).
	Organisation string `json:"organisation"`
	// CreateAccounts lets a first sign-in make an account (with Role); default off: only
	// accounts an administrator made for this provider can sign in.
	CreateAccounts bool `json:"createAccounts,omitempty"`
	// Role of accounts it makes: "professional" (default) or "chair".
	Role string `json:"role,omitempty"`
	// TwoFactor is "tafel" (default: Tafel asks its own second factor after the provider's
	// sign-in, per the organisation's policy) or "provider" (the administrator vouches that the
	// provider asks a second factor itself).
	TwoFactor string `json:"twoFactor,omitempty"`
	// Scopes asked besides "openid" (default "email", "profile").
	Scopes []string `json:"scopes,omitempty"`
}

var providerID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// oidcProviders are the configured providers, discovered on first use.
type oidcProviders struct {
	list []*OIDCProvider
	byID map[string]*OIDCProvider

	mu         sync.Mutex
	discovered map[string]*oidc.Provider
}

// loadOIDCProviders reads Config.OIDCProviders: a file, or JSON starting with "[".
func loadOIDCProviders(spec string) (*oidcProviders, error) {
	out := &oidcProviders{byID: map[string]*OIDCProvider{}, discovered: map[string]*oidc.Provider{}}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return out, nil
	}
	data := []byte(spec)
	if !strings.HasPrefix(spec, "[") {
		b, err := os.ReadFile(spec)
		if err != nil {
			return nil, fmt.Errorf("config: OIDC providers: %w", err)
		}
		data = b
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out.list); err != nil {
		return nil, fmt.Errorf("config: OIDC providers: %w", err)
	}
	for i, p := range out.list {
		where := fmt.Sprintf("config: OIDC provider %d", i+1)
		switch {
		case !providerID.MatchString(p.ID):
			return nil, fmt.Errorf("%s: id %q must be lower-case letters, digits and dashes", where, p.ID)
		case out.byID[p.ID] != nil:
			return nil, fmt.Errorf("%s: id %q twice", where, p.ID)
		case p.Issuer == "" || p.ClientID == "" || p.Organisation == "":
			return nil, fmt.Errorf("%s (%s): issuer, clientId and organisation are required", where, p.ID)
		}
		if p.ClientSecretFile != "" {
			b, err := os.ReadFile(p.ClientSecretFile)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): client secret: %w", where, p.ID, err)
			}
			p.ClientSecret = strings.TrimSpace(string(b))
		}
		if p.Name == "" {
			p.Name = p.Organisation
		}
		if p.Role == "" {
			p.Role = RoleProfessional
		}
		if p.Role != RoleProfessional && p.Role != RoleChair {
			return nil, fmt.Errorf("%s (%s): role must be professional or chair", where, p.ID)
		}
		if p.TwoFactor == "" {
			p.TwoFactor = "tafel"
		}
		if p.TwoFactor != "tafel" && p.TwoFactor != "provider" {
			return nil, fmt.Errorf("%s (%s): twoFactor must be tafel or provider", where, p.ID)
		}
		if len(p.Scopes) == 0 {
			p.Scopes = []string{"email", "profile"}
		}
		out.byID[p.ID] = p
	}
	return out, nil
}

// provider returns p's discovered provider (discovery once, retried after a failure).
func (o *oidcProviders) provider(ctx context.Context, p *OIDCProvider) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d := o.discovered[p.ID]; d != nil {
		return d, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		return nil, err
	}
	o.discovered[p.ID] = d
	return d, nil
}

func (s *Server) oauthConfig(p *OIDCProvider, d *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: d.Endpoint(),
		RedirectURL: s.cfg.PublicURL + "/api/oidc/" + p.ID + "/callback", Scopes: append([]string{oidc.ScopeOpenID}, p.Scopes...)}
}

type oidcState struct {
	Provider string    `json:"provider"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Expires  time.Time `json:"expires"`
}

type providerView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// handleOIDCProviders lists the providers for the sign-in page.
func (s *Server) handleOIDCProviders(c echo.Context) error {
	out := []providerView{}
	for _, p := range s.oidc.list {
		out = append(out, providerView{ID: p.ID, Name: p.Name})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) oidcStateCookie() string {
	if s.cfg.Secure() {
		return "__Secure-tafel_oidc"
	}
	return "tafel_oidc"
}

// handleOIDCStart sends the browser to the provider, with a fresh state (also in a cookie that
// binds the flow to this browser), nonce and PKCE verifier.
func (s *Server) handleOIDCStart(c echo.Context) error {
	p := s.oidc.byID[c.Param("pid")]
	if p == nil {
		return errNotFound
	}
	if !s.loginLimit.Allow(networkOf(c.RealIP())) {
		s.metrics.rateLimited.WithLabelValues("login").Inc()
		return s.oidcFail(c, "rate")
	}
	ctx := c.Request().Context()
	d, err := s.oidc.provider(ctx, p)
	if err != nil {
		s.log.Warn("identity provider unreachable", "provider", p.ID, "err", err)
		return s.oidcFail(c, "provider")
	}
	st := oidcState{Provider: p.ID, Nonce: token.NewID(), Verifier: oauth2.GenerateVerifier(), Expires: s.now().Add(OIDCStateTTL)}
	state := token.NewID()
	b, _ := json.Marshal(st)
	if _, err := s.kv.PutIfAbsent(ctx, bucketOIDCState, state, b, OIDCStateTTL); err != nil {
		return errUnavailable.WithCause(err)
	}
	// Lax, not Strict: the provider sends the browser back with a top-level GET from its site.
	c.SetCookie(&http.Cookie{Name: s.oidcStateCookie(), Value: state, Path: "/api/oidc/", MaxAge: int(OIDCStateTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusFound, s.oauthConfig(p, d).AuthCodeURL(state, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)))
}

// oidcFail sends the browser to the sign-in page with a reason it explains in Dutch and English.
func (s *Server) oidcFail(c echo.Context, reason string) error {
	return c.Redirect(http.StatusFound, "/#/login?oidc="+reason)
}

type oidcClaims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
}

// handleOIDCCallback finishes the provider's sign-in: it checks state (against the cookie),
// exchanges the code with the PKCE verifier, verifies the ID token (signature, issuer,
// audience, expiry, nonce), finds or (when allowed) makes the account, and goes on as after a
// right password (a second factor when due).
func (s *Server) handleOIDCCallback(c echo.Context) error {
	p := s.oidc.byID[c.Param("pid")]
	if p == nil {
		return errNotFound
	}
	ctx := c.Request().Context()
	state := c.QueryParam("state")
	ck, err := c.Cookie(s.oidcStateCookie())
	if state == "" || err != nil || ck.Value != state {
		return s.oidcFail(c, "state")
	}
	c.SetCookie(&http.Cookie{Name: s.oidcStateCookie(), Value: "", Path: "/api/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	b, err := s.kv.Get(ctx, bucketOIDCState, state)
	if err != nil {
		return s.oidcFail(c, "state")
	}
	_ = s.kv.Delete(ctx, bucketOIDCState, state)
	var st oidcState
	if json.Unmarshal(b, &st) != nil || st.Provider != p.ID || s.now().After(st.Expires) {
		return s.oidcFail(c, "state")
	}
	if c.QueryParam("error") != "" {
		return s.oidcFail(c, "denied")
	}
	d, err := s.oidc.provider(ctx, p)
	if err != nil {
		return s.oidcFail(c, "provider")
	}
	conf := s.oauthConfig(p, d)
	tok, err := conf.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		s.log.Warn("identity provider: code exchange", "provider", p.ID, "err", err)
		return s.oidcFail(c, "provider")
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := d.VerifierContext(ctx, &oidc.Config{ClientID: p.ClientID, Now: s.now}).Verify(ctx, rawID)
	if err != nil || idt.Nonce != st.Nonce {
		s.log.Warn("identity provider: ID token refused", "provider", p.ID, "err", err)
		return s.oidcFail(c, "provider")
	}
	var cl oidcClaims
	_ = idt.Claims(&cl)
	if cl.Email == "" {
		if ui, err := d.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
			_ = ui.Claims(&cl)
			cl.Email = ui.Email
			if cl.EmailVerified == nil {
				v := ui.EmailVerified
				cl.EmailVerified = &v
			}
		}
	}
	acc, reason, err := s.oidcAccount(c, p, idt.Issuer, idt.Subject, cl)
	if err != nil {
		return err
	}
	if reason != "" {
		_ = s.record(c, audit.Entry{Object: "account", Action: audit.ActionLogin, Outcome: audit.OutcomeRefused,
			Authority: "identity provider " + p.ID + ": " + reason})
		return s.oidcFail(c, reason)
	}
	step, err := s.afterFirstFactor(c, acc, "fed")
	if err != nil {
		return err
	}
	if step != nil {
		return c.Redirect(http.StatusFound, "/#/login?step="+step.Next)
	}
	return c.Redirect(http.StatusFound, "/#/")
}

// oidcAccount finds the account of issuer+subject, links an account made for provider p by
// its verified e-mail address, or makes one when p allows it. A non-empty reason refuses.
func (s *Server) oidcAccount(c echo.Context, p *OIDCProvider, issuer, subject string, cl oidcClaims) (Account, string, error) {
	ctx := c.Request().Context()
	key := issuer + " " + subject
	id, err := s.kv.Get(ctx, bucketOIDCSubjects, key)
	if err == nil {
		acc, err := s.getAccount(ctx, string(id))
		if err != nil {
			return Account{}, "", err
		}
		if acc.Disabled {
			return Account{}, "disabled", nil
		}
		return acc, "", nil
	}
	if !errors.Is(err, kv.ErrNotFound) {
		return Account{}, "", errUnavailable.WithCause(err)
	}
	verified := cl.EmailVerified != nil && *cl.EmailVerified
	if cl.Email == "" || !verified {
		return Account{}, "email", nil
	}
	acc, err := s.accountByEmail(ctx, cl.Email)
	switch {
	case err == nil:
		full, err := s.getAccount(ctx, acc.ID)
		if err != nil {
			return Account{}, "", err
		}
		if full.OIDCProvider != p.ID || full.OIDCSubject != "" || !strings.EqualFold(full.Organisation, p.Organisation) {
			return Account{}, "no-account", nil
		}
		if full.Disabled {
			return Account{}, "disabled", nil
		}
		acc = full
	case errors.Is(err, errNotFound) && p.CreateAccounts:
		name := strings.TrimSpace(cl.Name)
		if name == "" {
			name = strings.TrimSpace(cl.GivenName + " " + cl.FamilyName)
		}
		if name == "" {
			name = cl.Email
		}
		in := accountInput{Email: cl.Email, Name: name, Organisation: p.Organisation, Role: p.Role, OIDCProvider: p.ID}
		if err := in.check(); err != nil {
			return Account{}, "email", nil
		}
		if acc, err = s.createAccount(ctx, in, ""); err != nil {
			return Account{}, "", err
		}
		if err := s.record(c, audit.Entry{PrincipalID: "u:" + acc.ID, Name: acc.Name, Role: acc.Role, Organisation: acc.Organisation,
			Object: "account/" + acc.ID, Action: audit.ActionCreate, Outcome: audit.OutcomeGranted,
			Authority: "identity provider " + p.ID + " (accounts made on first sign-in)"}); err != nil {
			return Account{}, "", err
		}
	case errors.Is(err, errNotFound):
		return Account{}, "no-account", nil
	default:
		return Account{}, "", err
	}
	acc.OIDCIssuer, acc.OIDCSubject = issuer, subject
	if ok, err := s.kv.PutIfAbsent(ctx, bucketOIDCSubjects, key, []byte(acc.ID), 0); err != nil {
		return Account{}, "", errUnavailable.WithCause(err)
	} else if !ok {
		return Account{}, "no-account", nil
	}
	if err := s.putAccount(ctx, acc); err != nil {
		return Account{}, "", err
	}
	return acc, "", nil
}
