// Package token issues and verifies Tafel's JSON Web Tokens.
//
// There are three kinds, each with its own explicit type (the JWT "typ" header), its own
// audience and its own required claims, so that a token of one kind is refused as any other
// kind (RFC 8725 §3.11–3.12):
//
//	kind     typ header            aud             required claims
//	session  tafel-session+jwt     tafel:session   jti, sub, iat, exp, auth_time, name
//	invite   tafel-invite+jwt      tafel:invite    jti, iat, exp, case, mtg, role
//	setup    tafel-setup+jwt       tafel:setup     jti, iat, exp
//	mfa      tafel-mfa+jwt         tafel:mfa       jti, sub, iat, exp, amr
//	device   tafel-device+jwt      tafel:device    jti, sub, iat, exp
//
// An mfa token says that the first factor of a sign-in (a password, or an identity provider)
// was verified and a second is still due; a device token marks a browser in which the account
// signed in before, so that the per-account sign-in delay does not lock its owner out.
//
// Tokens are signed with HMAC-SHA256 (HS256) and secrets of at least 32 bytes shared by every
// instance. Every token names its key in the "kid" header (KeyID of the secret); an Issuer
// holds one or more keys, signs with the first and verifies with any, so that a new key can be
// rolled in without ending sessions or voiding invitations (README, "Signing keys"). The parser
// pins the algorithm (no "none", no RS/ES/EdDSA, no other HMAC size), requires exp, checks
// issuer and audience, and refuses a token longer than MaxLen before decoding anything. Errors
// never contain the token text.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxLen is the longest token accepted, in bytes. Longer input is refused before parsing.
const MaxLen = 4096

// MinKeyLen is the shortest signing secret accepted, in bytes (HS256 needs ≥ 256 bits).
const MinKeyLen = 32

// Algorithm is the only signing algorithm Tafel issues and accepts.
const Algorithm = "HS256"

// Leeway is the clock skew tolerated between instances for exp, nbf and iat.
const Leeway = 30 * time.Second

// Kind is the kind of a token.
type Kind string

// The kinds of token.
const (
	KindSession Kind = "session"
	KindInvite  Kind = "invite"
	KindSetup   Kind = "setup"
	KindMFA     Kind = "mfa"
	KindDevice  Kind = "device"
)

func (k Kind) typ() string      { return "tafel-" + string(k) + "+jwt" }
func (k Kind) audience() string { return "tafel:" + string(k) }

// Reasons a token is refused. Every error returned by the Parse methods wraps exactly one.
var (
	ErrTooLong      = errors.New("token: too long")
	ErrMalformed    = errors.New("token: malformed")
	ErrAlgorithm    = errors.New("token: algorithm not allowed")
	ErrSignature    = errors.New("token: signature invalid")
	ErrExpired      = errors.New("token: expired")
	ErrNotYetValid  = errors.New("token: not yet valid")
	ErrMissingExp   = errors.New("token: exp claim missing")
	ErrIssuer       = errors.New("token: wrong issuer")
	ErrAudience     = errors.New("token: wrong audience")
	ErrKind         = errors.New("token: wrong kind")
	ErrMissingClaim = errors.New("token: required claim missing")

	errUnknownKey = errors.New("token: unknown key id")
)

// Session is what a session token says: who is signed in, and for an invitee, for which case.
type Session struct {
	// ID is the session id (jti). Revoking it ends the session everywhere.
	ID string
	// Subject is the principal id: "u:<account id>" or "i:<invite id>".
	Subject string
	// Name is the display name.
	Name string
	// Organisation is the professional's organisation (empty for invitees).
	Organisation string
	// Discipline is what the person does ("huisarts", "politie"): the account's, or a
	// professional invitee's as the invitation gave it; empty when not given.
	Discipline string
	// AccountRole is "admin", "chair" or "professional" (empty for invitees).
	AccountRole string
	// CaseID, MeetingID and InviteRole bind an invitee's session to one case and meeting.
	CaseID, MeetingID, InviteRole string
	// AuthTime is when the person signed in or redeemed the invitation; a session is never
	// renewed past AuthTime plus the configured maximum.
	AuthTime time.Time
	// IssuedAt and ExpiresAt bound this token.
	IssuedAt, ExpiresAt time.Time
}

// Invite is what an invitation token says.
type Invite struct {
	// ID is the invitation id (jti); it is spent on redemption.
	ID string
	// CaseID and MeetingID say where the invitee may go.
	CaseID, MeetingID string
	// Name is the invitee's name as the chair entered it (empty for a meeting QR code: the
	// invitee gives it on joining).
	Name string
	// Role is the meeting role: "family", "network", "professional" or "observer".
	Role string
	// IssuedBy is the principal id of the chair who made the invitation.
	IssuedBy string
	// IssuedAt and ExpiresAt bound the invitation.
	IssuedAt, ExpiresAt time.Time
}

// Setup is what a set-up token says: a one-time link to set a password.
type Setup struct {
	// ID is the token id (jti); it is spent on use.
	ID string
	// AccountID is the account whose password is set; empty for the first administrator.
	AccountID string
	// IssuedAt and ExpiresAt bound the link.
	IssuedAt, ExpiresAt time.Time
}

type sessionClaims struct {
	jwt.RegisteredClaims
	AuthTime     *jwt.NumericDate `json:"auth_time,omitempty"`
	Name         string           `json:"name,omitempty"`
	Organisation string           `json:"org,omitempty"`
	Discipline   string           `json:"dsc,omitempty"`
	AccountRole  string           `json:"arl,omitempty"`
	CaseID       string           `json:"case,omitempty"`
	MeetingID    string           `json:"mtg,omitempty"`
	InviteRole   string           `json:"role,omitempty"`
}

type inviteClaims struct {
	jwt.RegisteredClaims
	CaseID    string `json:"case,omitempty"`
	MeetingID string `json:"mtg,omitempty"`
	Name      string `json:"name,omitempty"`
	Role      string `json:"role,omitempty"`
}

type setupClaims struct {
	jwt.RegisteredClaims
}

// MFA is what an mfa token says: account Subject passed its first factor (AMR, e.g. "pwd"
// or "oidc") and must now give a second one, or enrol one first (Enrol).
type MFA struct {
	// ID is the token id (jti); it is spent when the sign-in completes.
	ID string
	// AccountID is the account signing in.
	AccountID string
	// AMR lists the methods verified so far (RFC 8176 values: "pwd", or "fed" for OpenID
	// Connect).
	AMR []string
	// Enrol is true when the account has no second factor yet and must enrol one.
	Enrol bool
	// IssuedAt and ExpiresAt bound it.
	IssuedAt, ExpiresAt time.Time
}

// Device is what a device token says: account AccountID signed in from this browser.
type Device struct {
	// ID is the token id.
	ID string
	// AccountID is the account.
	AccountID string
	// IssuedAt and ExpiresAt bound it.
	IssuedAt, ExpiresAt time.Time
}

type mfaClaims struct {
	jwt.RegisteredClaims
	AMR   []string `json:"amr,omitempty"`
	Enrol bool     `json:"enrol,omitempty"`
}

type deviceClaims struct {
	jwt.RegisteredClaims
}

// Issuer issues and verifies tokens with one or more secrets: it signs with the first and
// verifies with whichever the token's kid names.
type Issuer struct {
	keys   []signingKey
	issuer string
	now    func() time.Time
}

type signingKey struct {
	id     string
	secret []byte
}

// KeyID returns the key id ("kid") of a secret: the first 8 bytes of its SHA-256, base64url.
// It names the key without revealing it.
func KeyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

// NewIssuer returns an Issuer signing with key (at least MinKeyLen bytes) under the issuer
// name iss (the public URL). now is the clock (nil = time.Now).
func NewIssuer(key []byte, iss string, now func() time.Time) (*Issuer, error) {
	return NewIssuerKeys([][]byte{key}, iss, now)
}

// NewIssuerKeys returns an Issuer that signs with keys[0] and accepts tokens signed with any
// of keys (each at least MinKeyLen bytes, no two alike).
func NewIssuerKeys(keys [][]byte, iss string, now func() time.Time) (*Issuer, error) {
	if len(keys) == 0 {
		return nil, errors.New("token: no signing key")
	}
	if iss == "" {
		return nil, errors.New("token: empty issuer")
	}
	if now == nil {
		now = time.Now
	}
	i := &Issuer{issuer: iss, now: now}
	seen := map[string]bool{}
	for n, k := range keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("token: signing key %d is %d bytes, need at least %d", n+1, len(k), MinKeyLen)
		}
		id := KeyID(k)
		if seen[id] {
			return nil, fmt.Errorf("token: signing key %d is given twice", n+1)
		}
		seen[id] = true
		i.keys = append(i.keys, signingKey{id: id, secret: append([]byte(nil), k...)})
	}
	return i, nil
}

// SigningKeyID returns the kid of the key new tokens are signed with.
func (i *Issuer) SigningKeyID() string { return i.keys[0].id }

// NewID returns a random 128-bit identifier, URL-safe.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (i *Issuer) registered(k Kind, id, sub string, iat, exp time.Time) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Issuer:    i.issuer,
		Subject:   sub,
		Audience:  jwt.ClaimStrings{k.audience()},
		ExpiresAt: jwt.NewNumericDate(exp),
		NotBefore: jwt.NewNumericDate(iat),
		IssuedAt:  jwt.NewNumericDate(iat),
		ID:        id,
	}
}

func (i *Issuer) sign(k Kind, claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["typ"] = k.typ()
	t.Header["kid"] = i.keys[0].id
	s, err := t.SignedString(i.keys[0].secret)
	if err != nil {
		return "", fmt.Errorf("token: sign %s: %w", k, err)
	}
	return s, nil
}

// IssueSession signs a session token. ID, Subject, Name, AuthTime and ExpiresAt are required;
// IssuedAt defaults to now.
func (i *Issuer) IssueSession(s Session) (string, error) {
	if s.ID == "" || s.Subject == "" || s.Name == "" || s.AuthTime.IsZero() || s.ExpiresAt.IsZero() {
		return "", fmt.Errorf("token: issue session: %w", ErrMissingClaim)
	}
	if s.IssuedAt.IsZero() {
		s.IssuedAt = i.now()
	}
	return i.sign(KindSession, sessionClaims{
		RegisteredClaims: i.registered(KindSession, s.ID, s.Subject, s.IssuedAt, s.ExpiresAt),
		AuthTime:         jwt.NewNumericDate(s.AuthTime),
		Name:             s.Name,
		Organisation:     s.Organisation,
		Discipline:       s.Discipline,
		AccountRole:      s.AccountRole,
		CaseID:           s.CaseID,
		MeetingID:        s.MeetingID,
		InviteRole:       s.InviteRole,
	})
}

// IssueInvite signs an invitation token. ID, CaseID, MeetingID, Role and ExpiresAt are required.
func (i *Issuer) IssueInvite(v Invite) (string, error) {
	if v.ID == "" || v.CaseID == "" || v.MeetingID == "" || v.Role == "" || v.ExpiresAt.IsZero() {
		return "", fmt.Errorf("token: issue invite: %w", ErrMissingClaim)
	}
	if v.IssuedAt.IsZero() {
		v.IssuedAt = i.now()
	}
	return i.sign(KindInvite, inviteClaims{
		RegisteredClaims: i.registered(KindInvite, v.ID, v.IssuedBy, v.IssuedAt, v.ExpiresAt),
		CaseID:           v.CaseID,
		MeetingID:        v.MeetingID,
		Name:             v.Name,
		Role:             v.Role,
	})
}

// IssueSetup signs a set-up token. ID and ExpiresAt are required.
func (i *Issuer) IssueSetup(s Setup) (string, error) {
	if s.ID == "" || s.ExpiresAt.IsZero() {
		return "", fmt.Errorf("token: issue setup: %w", ErrMissingClaim)
	}
	if s.IssuedAt.IsZero() {
		s.IssuedAt = i.now()
	}
	return i.sign(KindSetup, setupClaims{i.registered(KindSetup, s.ID, s.AccountID, s.IssuedAt, s.ExpiresAt)})
}

// IssueMFA signs an mfa token. ID, AccountID, AMR and ExpiresAt are required.
func (i *Issuer) IssueMFA(m MFA) (string, error) {
	if m.ID == "" || m.AccountID == "" || len(m.AMR) == 0 || m.ExpiresAt.IsZero() {
		return "", fmt.Errorf("token: issue mfa: %w", ErrMissingClaim)
	}
	if m.IssuedAt.IsZero() {
		m.IssuedAt = i.now()
	}
	return i.sign(KindMFA, mfaClaims{RegisteredClaims: i.registered(KindMFA, m.ID, m.AccountID, m.IssuedAt, m.ExpiresAt),
		AMR: m.AMR, Enrol: m.Enrol})
}

// ParseMFA verifies an mfa token (it does not spend it).
func (i *Issuer) ParseMFA(raw string) (MFA, error) {
	var c mfaClaims
	if err := i.parse(KindMFA, raw, &c); err != nil {
		return MFA{}, err
	}
	if c.ID == "" || c.Subject == "" || len(c.AMR) == 0 || c.IssuedAt == nil {
		return MFA{}, fmt.Errorf("parse mfa: %w", ErrMissingClaim)
	}
	return MFA{ID: c.ID, AccountID: c.Subject, AMR: c.AMR, Enrol: c.Enrol, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}, nil
}

// IssueDevice signs a device token. ID, AccountID and ExpiresAt are required.
func (i *Issuer) IssueDevice(d Device) (string, error) {
	if d.ID == "" || d.AccountID == "" || d.ExpiresAt.IsZero() {
		return "", fmt.Errorf("token: issue device: %w", ErrMissingClaim)
	}
	if d.IssuedAt.IsZero() {
		d.IssuedAt = i.now()
	}
	return i.sign(KindDevice, deviceClaims{i.registered(KindDevice, d.ID, d.AccountID, d.IssuedAt, d.ExpiresAt)})
}

// ParseDevice verifies a device token.
func (i *Issuer) ParseDevice(raw string) (Device, error) {
	var c deviceClaims
	if err := i.parse(KindDevice, raw, &c); err != nil {
		return Device{}, err
	}
	if c.ID == "" || c.Subject == "" || c.IssuedAt == nil {
		return Device{}, fmt.Errorf("parse device: %w", ErrMissingClaim)
	}
	return Device{ID: c.ID, AccountID: c.Subject, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}, nil
}

// ParseSession verifies a session token.
func (i *Issuer) ParseSession(raw string) (Session, error) {
	var c sessionClaims
	if err := i.parse(KindSession, raw, &c); err != nil {
		return Session{}, err
	}
	if c.ID == "" || c.Subject == "" || c.Name == "" || c.AuthTime == nil || c.IssuedAt == nil {
		return Session{}, fmt.Errorf("parse session: %w", ErrMissingClaim)
	}
	invitee := c.CaseID != "" || c.MeetingID != "" || c.InviteRole != ""
	if invitee && (c.CaseID == "" || c.MeetingID == "" || c.InviteRole == "") {
		return Session{}, fmt.Errorf("parse session: %w", ErrMissingClaim)
	}
	if !invitee && c.AccountRole == "" {
		return Session{}, fmt.Errorf("parse session: %w", ErrMissingClaim)
	}
	return Session{
		ID: c.ID, Subject: c.Subject, Name: c.Name, Organisation: c.Organisation, Discipline: c.Discipline,
		AccountRole: c.AccountRole, CaseID: c.CaseID, MeetingID: c.MeetingID, InviteRole: c.InviteRole,
		AuthTime: c.AuthTime.Time, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// ParseInvite verifies an invitation token (it does not spend it).
func (i *Issuer) ParseInvite(raw string) (Invite, error) {
	var c inviteClaims
	if err := i.parse(KindInvite, raw, &c); err != nil {
		return Invite{}, err
	}
	if c.ID == "" || c.CaseID == "" || c.MeetingID == "" || c.Role == "" || c.IssuedAt == nil {
		return Invite{}, fmt.Errorf("parse invite: %w", ErrMissingClaim)
	}
	return Invite{
		ID: c.ID, CaseID: c.CaseID, MeetingID: c.MeetingID, Name: c.Name, Role: c.Role,
		IssuedBy: c.Subject, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// ParseSetup verifies a set-up token (it does not spend it).
func (i *Issuer) ParseSetup(raw string) (Setup, error) {
	var c setupClaims
	if err := i.parse(KindSetup, raw, &c); err != nil {
		return Setup{}, err
	}
	if c.ID == "" || c.IssuedAt == nil {
		return Setup{}, fmt.Errorf("parse setup: %w", ErrMissingClaim)
	}
	return Setup{ID: c.ID, AccountID: c.Subject, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}, nil
}

func (i *Issuer) parse(k Kind, raw string, claims jwt.Claims) error {
	if len(raw) > MaxLen {
		return fmt.Errorf("parse %s: %w", k, ErrTooLong)
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(i.issuer),
		jwt.WithAudience(k.audience()),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(i.now),
		jwt.WithStrictDecoding(),
	)
	t, err := p.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != k.typ() {
			return nil, ErrKind
		}
		kid, ok := t.Header["kid"].(string)
		if !ok {
			// Issued before tokens carried a kid: any configured key may have signed it.
			set := jwt.VerificationKeySet{}
			for _, key := range i.keys {
				set.Keys = append(set.Keys, key.secret)
			}
			return set, nil
		}
		for _, key := range i.keys {
			if key.id == kid {
				return key.secret, nil
			}
		}
		return nil, errUnknownKey
	})
	if err != nil {
		return fmt.Errorf("parse %s: %w", k, classify(t, claims, err))
	}
	return nil
}

// classify maps the jwt library's errors onto this package's reasons. The library's own
// error text is dropped: it is not needed, and this way nothing of the token can leak.
func classify(t *jwt.Token, claims jwt.Claims, err error) error {
	switch {
	case errors.Is(err, ErrKind):
		return ErrKind
	case errors.Is(err, errUnknownKey):
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if t != nil && t.Method != nil && t.Method.Alg() != Algorithm {
			return ErrAlgorithm
		}
		if t != nil && t.Method == nil {
			return ErrAlgorithm
		}
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrAlgorithm
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		if exp, _ := claims.GetExpirationTime(); exp == nil {
			return ErrMissingExp
		}
		if iss, _ := claims.GetIssuer(); iss == "" {
			return ErrIssuer
		}
		return ErrAudience
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ErrNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ErrIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ErrAudience
	default:
		return ErrMalformed
	}
}

// LogValue keeps names out of logs: a session logs as its id and principal only.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("sub", s.Subject))
}

// LogValue logs an invitation as its id, case and meeting only (no invitee name).
func (v Invite) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", v.ID), slog.String("case", v.CaseID), slog.String("meeting", v.MeetingID))
}
