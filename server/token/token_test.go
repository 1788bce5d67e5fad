package token

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var key = []byte("0123456789abcdef0123456789abcdef")

const iss = "https://tafel.example"

func newIssuer(t *testing.T, now time.Time) *Issuer {
	t.Helper()
	i, err := NewIssuer(key, iss, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func sign(t *testing.T, m jwt.SigningMethod, k any, typ string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSessionReasons(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	i := newIssuer(t, now)
	claims := func(f func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": iss, "aud": "tafel:session", "sub": "u:1", "jti": "s1", "iat": now.Unix(),
			"exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(), "name": "A", "arl": "chair"}
		if f != nil {
			f(c)
		}
		return c
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	typ := KindSession.typ()
	invite, _ := i.IssueInvite(Invite{ID: "i1", CaseID: "c", MeetingID: "m", Role: "family", ExpiresAt: now.Add(time.Hour)})
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, typ, claims(nil)), ErrAlgorithm},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("ffffffffffffffffffffffffffffffff"), typ, claims(nil)), ErrSignature},
		{"HS/RS key confusion", sign(t, jwt.SigningMethodRS256, rsaKey, typ, claims(nil)), ErrAlgorithm},
		{"HS384", sign(t, jwt.SigningMethodHS384, key, typ, claims(nil)), ErrAlgorithm},
		{"expired", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), ErrExpired},
		{"expired within leeway is fine", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() })), nil},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() })), ErrNotYetValid},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() })), ErrNotYetValid},
		{"missing exp", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { delete(c, "exp") })), ErrMissingExp},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["iss"] = "https://evil" })), ErrIssuer},
		{"missing issuer", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { delete(c, "iss") })), ErrIssuer},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["aud"] = "tafel:invite" })), ErrAudience},
		{"missing audience", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { delete(c, "aud") })), ErrAudience},
		{"wrong typ", sign(t, jwt.SigningMethodHS256, key, KindInvite.typ(), claims(nil)), ErrKind},
		{"no typ", sign(t, jwt.SigningMethodHS256, key, "", claims(nil)), ErrKind},
		{"invite used as session", invite, ErrKind},
		{"missing jti", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { delete(c, "jti") })), ErrMissingClaim},
		{"half an invitee binding", sign(t, jwt.SigningMethodHS256, key, typ, claims(func(c jwt.MapClaims) { c["case"] = "c1" })), ErrMissingClaim},
		{"too long", strings.Repeat(".", 100_000), ErrTooLong},
		{"malformed", "a.b", ErrMalformed},
		{"valid", sign(t, jwt.SigningMethodHS256, key, typ, claims(nil)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := i.ParseSession(tt.tok)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if len(tt.tok) > 8 && strings.Contains(err.Error(), tt.tok) {
				t.Error("error text contains the token")
			}
		})
	}
}

func TestKindsAreMutuallyExclusive(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	i := newIssuer(t, now)
	sess, err := i.IssueSession(Session{ID: "s", Subject: "u:1", Name: "A", AccountRole: "chair", AuthTime: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := i.IssueInvite(Invite{ID: "i", CaseID: "c", MeetingID: "m", Role: "family", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	set, err := i.IssueSetup(Setup{ID: "x", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	parse := map[Kind]func(string) error{
		KindSession: func(s string) error { _, err := i.ParseSession(s); return err },
		KindInvite:  func(s string) error { _, err := i.ParseInvite(s); return err },
		KindSetup:   func(s string) error { _, err := i.ParseSetup(s); return err },
	}
	toks := map[Kind]string{KindSession: sess, KindInvite: inv, KindSetup: set}
	for tk, tok := range toks {
		for pk, p := range parse {
			err := p(tok)
			if tk == pk && err != nil {
				t.Errorf("%s token as %s: got %v, want accepted", tk, pk, err)
			}
			if tk != pk && !errors.Is(err, ErrKind) {
				t.Errorf("%s token as %s: got %v, want ErrKind", tk, pk, err)
			}
		}
	}
	// Same claims re-signed with the other typ still fail on audience.
	c := jwt.MapClaims{"iss": iss, "aud": "tafel:session", "jti": "i", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"case": "c", "mtg": "m", "role": "family"}
	if _, err := i.ParseInvite(sign(t, jwt.SigningMethodHS256, key, KindInvite.typ(), c)); !errors.Is(err, ErrAudience) {
		t.Errorf("invite typ with session audience: got %v, want ErrAudience", err)
	}
}

func TestNewIssuerRefusesShortKey(t *testing.T) {
	if _, err := NewIssuer(make([]byte, 31), iss, nil); err == nil {
		t.Error("got nil error for a 31-byte key, want an error")
	}
}

func TestKeyRotation(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	oldKey, newKey := key, []byte("fedcba9876543210fedcba9876543210-new")
	old, err := NewIssuer(oldKey, iss, clock)
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := old.IssueSession(Session{ID: "s1", Subject: "u:1", Name: "A", AccountRole: "chair", AuthTime: now, ExpiresAt: now.Add(time.Hour)})
	inv, _ := old.IssueInvite(Invite{ID: "i1", CaseID: "c", MeetingID: "m", Role: "family", ExpiresAt: now.Add(time.Hour)})
	legacy := sign(t, jwt.SigningMethodHS256, oldKey, KindSession.typ(), jwt.MapClaims{"iss": iss, "aud": "tafel:session", "sub": "u:1",
		"jti": "s0", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(), "name": "A", "arl": "chair"})

	// Step 1: every instance accepts the new key; the old one still signs.
	step1, err := NewIssuerKeys([][]byte{oldKey, newKey}, iss, clock)
	if err != nil {
		t.Fatal(err)
	}
	// Step 2: the new key signs; the old one is still accepted.
	step2, err := NewIssuerKeys([][]byte{newKey, oldKey}, iss, clock)
	if err != nil {
		t.Fatal(err)
	}
	if step2.SigningKeyID() != KeyID(newKey) || step1.SigningKeyID() != KeyID(oldKey) {
		t.Fatalf("got signing kids %s, %s", step1.SigningKeyID(), step2.SigningKeyID())
	}
	fresh, _ := step2.IssueSession(Session{ID: "s2", Subject: "u:1", Name: "A", AccountRole: "chair", AuthTime: now, ExpiresAt: now.Add(time.Hour)})
	for name, i := range map[string]*Issuer{"step1": step1, "step2": step2} {
		for _, raw := range []string{sess, legacy, fresh} {
			if _, err := i.ParseSession(raw); err != nil {
				t.Errorf("%s: session refused: %v", name, err)
			}
		}
		if _, err := i.ParseInvite(inv); err != nil {
			t.Errorf("%s: invitation refused: %v", name, err)
		}
	}
	// Step 3: the old key is gone; its tokens are refused, the new ones stay valid.
	step3, _ := NewIssuerKeys([][]byte{newKey}, iss, clock)
	if _, err := step3.ParseSession(sess); !errors.Is(err, ErrSignature) {
		t.Errorf("old-key session after removal: got %v, want ErrSignature", err)
	}
	if _, err := step3.ParseSession(fresh); err != nil {
		t.Errorf("new-key session refused: %v", err)
	}
	if _, err := NewIssuerKeys([][]byte{newKey, newKey}, iss, clock); err == nil {
		t.Error("the same key twice was accepted")
	}
}

func TestMFAAndDeviceKinds(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	i := newIssuer(t, now)
	m, err := i.IssueMFA(MFA{ID: "m1", AccountID: "a1", AMR: []string{"pwd"}, Enrol: true, ExpiresAt: now.Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := i.ParseMFA(m)
	if err != nil || got.AccountID != "a1" || !got.Enrol || got.AMR[0] != "pwd" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := i.ParseSession(m); !errors.Is(err, ErrKind) {
		t.Errorf("mfa token as session: got %v, want ErrKind", err)
	}
	d, _ := i.IssueDevice(Device{ID: "d1", AccountID: "a1", ExpiresAt: now.Add(time.Hour)})
	if _, err := i.ParseMFA(d); !errors.Is(err, ErrKind) {
		t.Errorf("device token as mfa: got %v, want ErrKind", err)
	}
	if got, err := i.ParseDevice(d); err != nil || got.AccountID != "a1" {
		t.Errorf("device: got %+v, %v", got, err)
	}
}
