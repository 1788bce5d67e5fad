package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tafel-ketenzorg/tafel/internal/testservers"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestOIDCSignIn signs in through a real OpenID Provider (tools/testop) on loopback: an
// account the administrator made for the provider is linked on its first sign-in by its
// verified e-mail address and then by issuer and subject; someone without an account is
// refused where the provider may not make accounts, and gets one (of the provider's
// organisation) where it may — and then enrols the second factor Tafel asks.
func TestOIDCSignIn(t *testing.T) {
	opAddr := fmt.Sprintf("127.0.0.1:%d", testservers.FreePort(t))
	issuer := "http://" + opAddr + "/"
	providers, _ := json.Marshal([]map[string]any{
		{"id": "ggd", "name": "GGD Utrecht", "issuer": issuer, "clientId": testservers.OPClientID, "clientSecret": testservers.OPClientSecret,
			"organisation": "GGD Utrecht", "twoFactor": "provider"},
		{"id": "wijk", "name": "Wijkteam Oost", "issuer": issuer, "clientId": testservers.OPClientID, "clientSecret": testservers.OPClientSecret,
			"organisation": "Wijkteam Oost", "createAccounts": true},
	})
	h := newHarness(t, func(o *server.Options) {
		o.Config.OIDCProviders = string(providers)
		o.Config.TwoFactor = server.TwoFactorRequired
	})
	testservers.StartOP(t, opAddr, []testservers.OPUser{
		{ID: "sub-sanne", Username: "sanne", Password: "sanne-pw", FirstName: "Sanne", LastName: "Jeugdarts", Email: "sanne@ggd.example", EmailVerified: true},
		{ID: "sub-ward", Username: "ward", Password: "ward-pw", FirstName: "Ward", LastName: "Wijk", Email: "ward@wijkteam.example", EmailVerified: true},
		{ID: "sub-onbekend", Username: "onbekend", Password: "onbekend-pw", FirstName: "On", LastName: "Bekend", Email: "onbekend@ggd.example", EmailVerified: true},
	}, h.url+"/api/oidc/ggd/callback", h.url+"/api/oidc/wijk/callback")

	var list []struct{ ID, Name string }
	h.client().do(http.MethodGet, "/api/oidc/providers", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list) != 2 || list[0].ID != "ggd" {
		t.Fatalf("providers: %+v", list)
	}

	if err := h.srv.SetOrganisationPolicy(t.Context(), "Veilig Thuis", server.TwoFactorOff, ""); err != nil {
		t.Fatal(err)
	}
	admin, _ := h.account(server.RoleAdmin, "Bram Beheer")
	var created struct {
		Account  server.Account
		Delivery string
	}
	admin.do(http.MethodPost, "/api/accounts", map[string]string{"email": "sanne@ggd.example", "name": "Sanne Jeugdarts",
		"organisation": "GGD Utrecht", "role": "professional", "oidcProvider": "ggd"}).want(t, http.StatusCreated).decode(t, &created)
	if created.Delivery != "none" {
		t.Errorf("an identity provider's account got delivery %q, want none", created.Delivery)
	}
	e := admin.do(http.MethodPost, "/api/accounts", map[string]string{"email": "x@ggd.example", "name": "X", "organisation": "Elders",
		"role": "professional", "oidcProvider": "ggd"}).want(t, http.StatusBadRequest).err(t)
	if !strings.Contains(e.EN, "GGD Utrecht") || e.NL == "" {
		t.Errorf("another organisation: got %+v", e)
	}

	signIn := func(c *client, provider, user, pw string) string {
		t.Helper()
		last, err := (&testservers.OP{Issuer: issuer}).SignIn(t.Context(), c.http, h.url+"/api/oidc/"+provider+"/start", user, pw)
		if err != nil {
			t.Fatal(err)
		}
		return last
	}
	for range 2 { // the first sign-in links the subject, the second finds it
		sanne := h.client()
		if last := signIn(sanne, "ggd", "sanne", "sanne-pw"); !strings.HasSuffix(last, "/#/") {
			t.Fatalf("got sent to %s, want /#/; log: %s", last, h.logs.String()[max(0, len(h.logs.String())-1500):])
		}
		var me struct{ ID, Organisation string }
		sanne.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK).decode(t, &me)
		if me.ID != "u:"+created.Account.ID || me.Organisation != "GGD Utrecht" {
			t.Fatalf("signed in as %+v, want the account the administrator made", me)
		}
	}

	stranger := h.client()
	if last := signIn(stranger, "ggd", "onbekend", "onbekend-pw"); !strings.HasSuffix(last, "/#/login?oidc=no-account") {
		t.Errorf("no account: sent to %s", last)
	}
	stranger.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
	if _, ok := findEntry(h.auditEntries(), func(e audit.Entry) bool {
		return e.Action == audit.ActionLogin && e.Outcome == audit.OutcomeRefused && strings.Contains(e.Authority, "no-account")
	}); !ok {
		t.Error("the refused sign-in is not in the access log")
	}

	ward := h.client()
	if last := signIn(ward, "wijk", "ward", "ward-pw"); !strings.HasSuffix(last, "/#/login?step=enrol") {
		t.Fatalf("new account: sent to %s, want the enrolment of a second factor", last)
	}
	ward.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
	ward.do(http.MethodPost, "/api/2fa/totp/begin", nil).want(t, http.StatusOK)
	var accounts []server.Account
	admin.do(http.MethodGet, "/api/accounts", nil).want(t, http.StatusOK).decode(t, &accounts)
	found := false
	for _, a := range accounts {
		found = found || (a.Email == "ward@wijkteam.example" && a.Organisation == "Wijkteam Oost" && a.OIDCProvider == "wijk" && a.Role == server.RoleProfessional)
	}
	if !found {
		t.Errorf("no account of Wijkteam Oost made for ward: %+v", accounts)
	}

	// A forged callback (state not from this browser) is refused.
	forged := h.client()
	forged.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := forged.do(http.MethodGet, "/api/oidc/ggd/callback?code=x&state=y", nil)
	if r.status != http.StatusFound || !strings.Contains(r.header.Get("Location"), "oidc=state") {
		t.Errorf("forged callback: got %d %s", r.status, r.header.Get("Location"))
	}
}
