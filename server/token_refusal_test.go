package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// forge signs claims as a session token would be signed, with the given method, key and typ.
func forge(t *testing.T, m jwt.SigningMethod, key any, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sessionClaims returns valid session claims for an account principal, at now.
func validSessionClaims(h *harness, mutate func(jwt.MapClaims)) jwt.MapClaims {
	now := h.clock.Now()
	c := jwt.MapClaims{
		"iss": h.srv.Config().PublicURL, "aud": []string{"tafel:session"}, "sub": "u:someone",
		"jti": token.NewID(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"auth_time": now.Unix(), "name": "Mallory", "org": "Nowhere", "arl": "admin",
	}
	if mutate != nil {
		mutate(c)
	}
	return c
}

// assertRefused checks that r is a clear refusal and that the token text went into no log.
func assertRefused(t *testing.T, h *harness, r response, status int, code meeting.Code, tok string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d (%s), want %d", r.status, r.body, status)
	}
	e := r.err(t)
	if e.Code != code || e.Message.NL == "" || e.Message.EN == "" {
		t.Errorf("got error %+v, want code %q with Dutch and English messages", e, code)
	}
	if tok != "" && strings.Contains(string(r.body), tok) {
		t.Errorf("response body echoes the token")
	}
	logs := h.logs.String()
	if logs == "" {
		t.Fatal("no log output captured: the assertion below would be empty")
	}
	if tok != "" && strings.Contains(logs, tok) {
		t.Errorf("log output contains the token")
	}
	// No part of a token (header, claims, signature) of meaningful length appears either.
	for _, part := range strings.Split(tok, ".") {
		if len(part) > 16 && strings.Contains(logs, part) {
			t.Errorf("log output contains a token segment")
		}
	}
}

func TestSessionTokenRefusals(t *testing.T) {
	h := newHarness(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))})
	sessTyp := "tafel-session+jwt"
	past := h.clock.Now().Add(-2 * time.Hour)
	future := h.clock.Now().Add(2 * time.Hour)

	invite, err := h.srv.Tokens().IssueInvite(token.Invite{ID: token.NewID(), CaseID: "caseA", MeetingID: "m1", Role: "family",
		Name: "Tante Ans", ExpiresAt: h.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	setup, err := h.srv.Tokens().IssueSetup(token.Setup{ID: token.NewID(), ExpiresAt: h.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		tok  string
	}{
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, sessTyp, validSessionClaims(h, nil))},
		{"wrong key", forge(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another-key!!"), sessTyp, validSessionClaims(h, nil))},
		{"HS/RS key confusion: RS256 token", forge(t, jwt.SigningMethodRS256, rsaKey, sessTyp, validSessionClaims(h, nil))},
		{"HS/RS key confusion: HS256 keyed with the RSA public key", forge(t, jwt.SigningMethodHS256, pubPEM, sessTyp, validSessionClaims(h, nil))},
		{"HS512 instead of HS256", forge(t, jwt.SigningMethodHS512, testKey, sessTyp, validSessionClaims(h, nil))},
		{"expired", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = past.Add(-time.Hour).Unix(), past.Add(-time.Hour).Unix(), past.Unix()
		}))},
		{"not yet valid", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) {
			c["nbf"], c["iat"], c["exp"] = future.Unix(), future.Unix(), future.Add(time.Hour).Unix()
		}))},
		{"missing exp", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"wrong issuer", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }))},
		{"wrong audience", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) { c["aud"] = []string{"tafel:invite"} }))},
		{"session claims with invite typ", forge(t, jwt.SigningMethodHS256, testKey, "tafel-invite+jwt", validSessionClaims(h, nil))},
		{"session without typ", forge(t, jwt.SigningMethodHS256, testKey, "", validSessionClaims(h, nil))},
		{"missing auth_time", forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, func(c jwt.MapClaims) { delete(c, "auth_time") }))},
		{"invite used as session", invite},
		{"setup link used as session", setup},
		{"100,000-dot token", strings.Repeat(".", 100_000)},
		{"garbage", "not-a-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.client()
			c.setCookie(tt.tok)
			assertRefused(t, h, c.do(http.MethodGet, "/api/me", nil), http.StatusUnauthorized, meeting.CodeUnauthenticated, tt.tok)
			// The same token on the WebSocket upgrade is refused before any upgrade.
			hdr := http.Header{"Origin": {h.url}, "Cookie": {h.srv.CookieName() + "=" + tt.tok}}
			conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.url, "http")+"/ws?case=caseA", hdr)
			if err == nil {
				conn.Close()
				t.Fatal("websocket upgrade succeeded with a bad token")
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("websocket: got %v, want 401", resp)
			}
		})
	}

	// The valid control: the same forging helper with the right key and claims is accepted,
	// so the refusals above are about their one defect.
	t.Run("control: valid forged session accepted", func(t *testing.T) {
		c := h.client()
		c.setCookie(forge(t, jwt.SigningMethodHS256, testKey, sessTyp, validSessionClaims(h, nil)))
		c.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
