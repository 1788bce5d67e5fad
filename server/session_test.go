package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

func TestFirstStartSetupAndLogin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	link, err := h.srv.FirstStartLink(ctx)
	if err != nil || !strings.HasPrefix(link, h.url+"/setup#") {
		t.Fatalf("got link %q, %v; want %s/setup#<token>", link, err, h.url)
	}
	tok := link[strings.Index(link, "#")+1:]
	admin := h.client()
	body := map[string]string{"token": tok, "password": "een lang wachtwoord", "email": "Beheer@Example.nl",
		"name": "Anna Beheer", "organisation": "Gemeente", "discipline": "beheer"}
	short := map[string]string{"token": tok, "password": "kort", "email": "beheer@example.nl", "name": "A", "organisation": "G"}
	admin.do(http.MethodPost, "/api/setup", short).want(t, http.StatusBadRequest)
	admin.do(http.MethodPost, "/api/setup", body).want(t, http.StatusOK)
	admin.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	assertRefused(t, h, h.client().do(http.MethodPost, "/api/setup", body), http.StatusUnauthorized, meeting.CodeUnauthenticated, tok)
	if l, err := h.srv.FirstStartLink(ctx); err != nil || l != "" {
		t.Errorf("with an account: got link %q, %v; want none", l, err)
	}

	// The admin creates a chair; the chair sets a password through the one-time link.
	var created struct {
		Account  server.Account `json:"account"`
		SetupURL string         `json:"setupUrl"`
	}
	admin.do(http.MethodPost, "/api/accounts", map[string]string{"email": "carla@example.nl", "name": "Carla",
		"organisation": "Veilig Thuis", "discipline": "casusregie", "role": "chair"}).want(t, http.StatusCreated).decode(t, &created)
	if created.Account.HasPassword || created.Account.PasswordHash != "" {
		t.Errorf("new account: got %+v, want no password and no hash sent", created.Account)
	}
	login := map[string]string{"email": "carla@example.nl", "password": "carla's eigen wachtwoord"}
	h.client().do(http.MethodPost, "/api/login", login).want(t, http.StatusUnauthorized)
	setupTok := created.SetupURL[strings.Index(created.SetupURL, "#")+1:]
	// The set-up page names the account before anything is spent, and no more once it is.
	var whose struct{ Name, Email, Organisation string }
	h.client().do(http.MethodPost, "/api/setup/about", map[string]string{"token": setupTok}).want(t, http.StatusOK).decode(t, &whose)
	if whose.Name != "Carla" || whose.Email != "carla@example.nl" || whose.Organisation != "Veilig Thuis" {
		t.Errorf("set-up link names %+v, want Carla of Veilig Thuis", whose)
	}
	h.client().do(http.MethodPost, "/api/setup", map[string]string{"token": setupTok, "password": login["password"]}).want(t, http.StatusOK)
	h.client().do(http.MethodPost, "/api/setup", map[string]string{"token": setupTok, "password": "nog een wachtwoord"}).want(t, http.StatusUnauthorized)
	h.client().do(http.MethodPost, "/api/setup/about", map[string]string{"token": setupTok}).want(t, http.StatusUnauthorized)
	carla := h.client()
	carla.do(http.MethodPost, "/api/login", login).want(t, http.StatusOK)
	wrong := h.client().do(http.MethodPost, "/api/login", map[string]string{"email": "carla@example.nl", "password": "fout fout fout"})
	unknown := h.client().do(http.MethodPost, "/api/login", map[string]string{"email": "niemand@example.nl", "password": "fout fout fout"})
	if wrong.status != http.StatusUnauthorized || string(wrong.body) != string(unknown.body) {
		t.Errorf("wrong password %d %s vs unknown email %d %s: want the same 401", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	if logs := h.logs.String(); strings.Contains(logs, login["password"]) || strings.Contains(logs, "fout fout fout") {
		t.Error("a password reached the log")
	}

	// Disabling the account ends its session at once.
	admin.do(http.MethodPatch, "/api/accounts/"+created.Account.ID, map[string]bool{"disabled": true}).want(t, http.StatusOK)
	carla.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
	h.client().do(http.MethodPost, "/api/login", login).want(t, http.StatusUnauthorized)
}

func TestLoginRateLimited(t *testing.T) {
	h := newHarness(t, func(o *server.Options) { o.Config.LoginRate = 3 })
	c := h.client()
	for i := range 3 {
		if r := c.do(http.MethodPost, "/api/login", map[string]string{"email": "x@example.nl", "password": "wrong password"}); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d, want 401", i+1, r.status)
		}
	}
	e := c.do(http.MethodPost, "/api/login", map[string]string{"email": "x@example.nl", "password": "wrong password"}).want(t, http.StatusTooManyRequests).err(t)
	if e.Code != meeting.CodeRateLimited {
		t.Errorf("got %+v, want rate_limited", e)
	}
}

func TestSessionRenewalAndExpiry(t *testing.T) {
	h := newHarness(t)
	c, _ := h.account(server.RoleProfessional, "Piet Huisarts")
	first := c.cookie()
	h.clock.Advance(40 * time.Minute) // past half of the 1h lifetime: renewed on use
	c.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	if c.cookie() == first {
		t.Fatal("session cookie not renewed after half its lifetime")
	}
	for range 12 { // keep using it: renewed up to the 10h maximum, never beyond
		h.clock.Advance(50 * time.Minute)
		c.do(http.MethodGet, "/api/me", nil)
	}
	h.clock.Advance(time.Hour)
	r := c.do(http.MethodGet, "/api/me", nil)
	if r.status != http.StatusUnauthorized {
		t.Errorf("after the session maximum: got %d, want 401", r.status)
	}
}

// TestLogoutClosesSocketsEverywhere runs two instances on one bbolt file (in-process fan-out)
// and checks that a logout on one closes the session's socket on the other.
func TestLogoutClosesSocketsEverywhere(t *testing.T) {
	st := openBolt(t, t.TempDir())
	clock := newClock()
	a := startServer(t, st, clock)
	b := startServer(t, st, clock, sameSite(a))
	testRevocationAcross(t, a, b)
}

func testRevocationAcross(t *testing.T, a, b *harness) {
	t.Helper()
	chair, _ := a.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	sid := chair.cookie()
	// The same cookie works on instance b (shared key and store).
	onB := b.client()
	onB.setCookie(sid)
	var me struct {
		Session string `json:"session"`
	}
	onB.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK).decode(t, &me)
	// A socket on b that has completed hello → welcome: the hub has registered it.
	ws, _ := onB.connect(t, caseID)
	// A socket of another session of the same chair on b stays open.
	other := b.client()
	other.do(http.MethodPost, "/api/login", map[string]string{"email": "carla.voorzitter@example.nl", "password": testPassword}).want(t, http.StatusOK)
	otherWS, _ := other.connect(t, caseID)

	chair.do(http.MethodPost, "/api/logout", nil).want(t, http.StatusNoContent)
	if code := ws.CloseCode(); code != hub.CloseRevoked {
		t.Errorf("socket on the other instance: got close %d, want %d (session revoked)", code, hub.CloseRevoked)
	}
	if f := otherWS.Do("meeting.schedule", map[string]any{"id": "m9", "at": time.Now().UTC()}); f.Type != "ack" {
		t.Errorf("another session's socket after the logout: got %s, want an ack", f.Raw)
	}
	e := onB.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized).err(t)
	if e.Code != meeting.CodeUnauthenticated || e.Message.NL == "" {
		t.Errorf("revoked session on b: got %+v", e)
	}
}

// redisPair starts two instances on one real Redis.
func redisPair(t *testing.T) (*harness, *harness) {
	t.Helper()
	in := redisInstances(t, 2)
	return in[0], in[1]
}

// redisInstances starts n instances of one site on one real Redis.
func redisInstances(t *testing.T, n int) []*harness {
	t.Helper()
	rs := redistest.Start(t)
	clock := newClock()
	open := func() kv.Store {
		st, err := redisstore.New(context.Background(), redisstore.Options{URL: rs.URL(), Prefix: "t"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	out := []*harness{startServer(t, open(), clock)}
	for len(out) < n {
		out = append(out, startServer(t, open(), clock, sameSite(out[0])))
	}
	return out
}

func TestRevocationAcrossRedisInstances(t *testing.T) {
	a, b := redisPair(t)
	testRevocationAcross(t, a, b)
}

func TestSpentInviteOnAnotherInstance(t *testing.T) {
	a, b := redisPair(t)
	chair, _ := a.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ci := invite(t, chair, caseID, "Tante Ans", "family")
	a.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK)
	assertRefused(t, b, b.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}),
		http.StatusUnauthorized, meeting.CodeUnauthenticated, ci.code())

	// Redeemed concurrently on both instances: exactly one wins.
	ci2 := invite(t, chair, caseID, "Buurman Piet", "network")
	results := make(chan int, 2)
	for _, h := range []*harness{a, b} {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, h.url+"/api/invitations/redeem", strings.NewReader(`{"code":"`+ci2.code()+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", h.srv.Config().PublicURL)
			req.Header.Set("X-Tafel-CSRF", "1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	got := []int{<-results, <-results}
	slices.Sort(got)
	if got[0] != http.StatusOK || got[1] != http.StatusUnauthorized {
		t.Errorf("concurrent redemptions: got %v, want one 200 and one 401", got)
	}
	if strings.Contains(a.logs.String()+b.logs.String(), ci2.code()) {
		t.Error("a log holds the invitation token")
	}
}

// TestRevokedSessionRefusedOnTheSocket: an instance that missed the revocation message
// still refuses the revoked session's socket a command once the grant the socket holds is
// older than the hub's GrantTTL (one minute): the hub then asks the server (Grant) again.
func TestRevokedSessionRefusedOnTheSocket(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	var me struct {
		Session string `json:"session"`
	}
	chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK).decode(t, &me)
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	if err := h.srv.RecordRevocation(t.Context(), me.Session); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute + time.Second)
	if f := ws.Do("meeting.start", map[string]any{"meeting": "m1"}); f.Type != "nack" || f.Code != string(meeting.CodeForbidden) {
		t.Errorf("command of a revoked session: got %s, want a forbidden nack", f.Raw)
	}
	if code := ws.CloseCode(); code != hub.CloseRevoked {
		t.Errorf("got close %d, want %d (revoked: stop)", code, hub.CloseRevoked)
	}
	entries, err := h.srv.AuditLog().Case(t.Context(), caseID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[len(entries)-1]; e.Action != "meeting.start" || e.Outcome != audit.OutcomeRefused {
		t.Errorf("got last entry %+v, want the refused meeting.start", e)
	}
}

// TestSocketEndsWithTheSession: a socket is not renewed like a cookie; past the session
// maximum its next command is refused and the socket closed.
func TestSocketEndsWithTheSession(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	h.clock.Advance(h.srv.Config().SessionMax - time.Minute)
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	h.clock.Advance(2 * time.Minute)
	if f := ws.Do("round.open", map[string]any{"meeting": "m1"}); f.Type != "nack" || f.Code != string(meeting.CodeForbidden) {
		t.Errorf("command after the session maximum: got %s, want a forbidden nack", f.Raw)
	}
	if code := ws.CloseCode(); code != hub.CloseUnauthorized {
		t.Errorf("got close %d, want %d (sign in again)", code, hub.CloseUnauthorized)
	}
}

// TestAboutSaysWhetherThisIsTheDemo: the start page learns, before anyone signs in, whether the
// server runs the demo and then which accounts to sign in with (never a password).
func TestAboutSaysWhetherThisIsTheDemo(t *testing.T) {
	for _, demo := range []bool{false, true} {
		h := newHarness(t, func(o *server.Options) { o.Config.Demo = demo })
		var a struct {
			Demo         bool `json:"demo"`
			DemoAccounts []struct{ Email, Role string }
		}
		r := h.client().do(http.MethodGet, "/api/about", nil).want(t, http.StatusOK)
		r.decode(t, &a)
		if a.Demo != demo || (len(a.DemoAccounts) > 0) != demo {
			t.Errorf("demo %v: got %+v", demo, a)
		}
		if demo && (a.DemoAccounts[0].Email != server.DemoChairEmail || a.DemoAccounts[0].Role != server.RoleChair) {
			t.Errorf("demo accounts: got %+v, want the chair first", a.DemoAccounts)
		}
		if strings.Contains(strings.ToLower(string(r.body)), "password") || strings.Contains(string(r.body), "wachtwoord") {
			t.Errorf("about holds a password: %s", r.body)
		}
	}
}
