package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/testservers"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/password"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// strongPassword passes the zxcvbn policy.
const strongPassword = "lantaarnpaal-over-de-brug-om-negen"

// fragment returns the token after "#" of a link.
func fragment(link string) string { return link[strings.Index(link, "#")+1:] }

func findEntry(entries []audit.Entry, f func(audit.Entry) bool) (audit.Entry, bool) {
	for i := len(entries) - 1; i >= 0; i-- {
		if f(entries[i]) {
			return entries[i], true
		}
	}
	return audit.Entry{}, false
}

// TestAdminResetGoesToTheHolder: an administrator who asks a reset for a chair gets no link and
// cannot read the chair's case; the link arrives in the chair's mailbox (a real SMTP server);
// an older link is void; a weak password is refused with a reason in Dutch and English;
// setting the password ends the chair's sessions, mails the chair and is in the access log
// with the administrator as responsible user.
func TestAdminResetGoesToTheHolder(t *testing.T) {
	mp := testservers.StartMailpit(t)
	h := newHarness(t, func(o *server.Options) { o.Config.SMTPURL = mp.SMTPURL })
	admin, adminAcc := h.account(server.RoleAdmin, "Bram Beheer")
	chair, chairAcc := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")

	reset := func() string {
		r := admin.do(http.MethodPost, "/api/accounts/"+chairAcc.ID+"/setup-link", nil).want(t, http.StatusOK)
		var out struct{ Delivery, SetupURL string }
		r.decode(t, &out)
		if out.Delivery != "email" || out.SetupURL != "" || strings.Contains(string(r.body), "/setup#") {
			t.Fatalf("the administrator got %s, want only delivery email", r.body)
		}
		mail := mp.WaitFor(t, chairAcc.Email, "nieuw wachtwoord")
		mp.DeleteAll(t)
		if !strings.Contains(mail.HTML, "<a href=") || !strings.Contains(mail.Subject, "reset your password") || !strings.Contains(mail.Text, "new password") || strings.Contains(mail.Text, "Janna") {
			t.Errorf("mail %q: html %v, subject %v, text %v, case %v", mail.Subject, strings.Contains(mail.HTML, "<a href="), strings.Contains(mail.Subject, "reset your password"), strings.Contains(mail.Text, "new password"), strings.Contains(mail.Text, "Janna"))
		}
		return testservers.Link(mail.Text, "/setup#")
	}
	first, second := reset(), reset()
	if first == "" || second == "" || first == second {
		t.Fatalf("links %q and %q", first, second)
	}
	admin.do(http.MethodGet, "/api/cases/"+caseID, nil).want(t, http.StatusForbidden)

	holder := h.client()
	if e := holder.do(http.MethodPost, "/api/setup", map[string]string{"token": fragment(first), "password": strongPassword}).
		want(t, http.StatusUnauthorized).err(t); !strings.Contains(e.EN, "newer") || e.NL == "" {
		t.Errorf("older link: got %+v, want void", e)
	}
	for _, weak := range []string{"aaaaaaaaaaaa", "carla.voorzitter1", "password123456"} {
		e := holder.do(http.MethodPost, "/api/setup", map[string]string{"token": fragment(second), "password": weak}).want(t, http.StatusBadRequest).err(t)
		if e.Code != meeting.CodeInvalid || !strings.Contains(e.NL, "te makkelijk te raden") || !strings.Contains(e.EN, "too easy to guess") {
			t.Errorf("%q: got %+v, want a reason in Dutch and English", weak, e)
		}
	}
	chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	holder.do(http.MethodPost, "/api/setup", map[string]string{"token": fragment(second), "password": strongPassword}).want(t, http.StatusOK)
	chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
	holder.do(http.MethodGet, "/api/cases/"+caseID, nil).want(t, http.StatusOK)
	mp.WaitFor(t, chairAcc.Email, "gewijzigd")
	h.client().do(http.MethodPost, "/api/setup", map[string]string{"token": fragment(second), "password": strongPassword}).want(t, http.StatusUnauthorized)

	e, ok := findEntry(h.auditEntries(), func(e audit.Entry) bool { return e.Action == server.ActionPasswordSet })
	if !ok || e.PrincipalID != "u:"+adminAcc.ID || e.Role != server.RoleAdmin || !strings.Contains(e.Object, chairAcc.ID) || e.Addr == "" {
		t.Errorf("got %+v, want the password set with the administrator as responsible user", e)
	}
	if _, ok := findEntry(h.auditEntries(), func(e audit.Entry) bool {
		return e.Action == audit.ActionCreate && e.Object == "account/"+chairAcc.ID+"/setup-link" && e.PrincipalID == "u:"+adminAcc.ID
	}); !ok {
		t.Error("the administrator's reset is not in the access log")
	}
}

// TestInvitationByMail: a chair who gives an address has the invitation mailed (the link, no
// case content); the mailed link joins the meeting.
func TestInvitationByMail(t *testing.T) {
	mp := testservers.StartMailpit(t)
	h := newHarness(t, func(o *server.Options) { o.Config.SMTPURL = mp.SMTPURL })
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")
	var out struct{ Mailed bool }
	chair.do(http.MethodPost, "/api/cases/"+caseID+"/invitations", map[string]string{"meeting": "m1", "name": "Ilse", "role": "network",
		"email": "ilse@example.nl"}).want(t, http.StatusCreated).decode(t, &out)
	if !out.Mailed {
		t.Fatal("the invitation was not mailed")
	}
	m := mp.WaitFor(t, "ilse@example.nl", "uitnodiging")
	if strings.Contains(m.Text, "Casus Janna") || !strings.Contains(m.Text, "Carla Voorzitter") || !strings.Contains(m.Text, "invites you") {
		t.Errorf("mail:\n%s", m.Text)
	}
	h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": path.Base(testservers.Link(m.Text, "/j/"))}).want(t, http.StatusOK)
	e := chair.do(http.MethodPost, "/api/cases/"+caseID+"/invitations", map[string]string{"meeting": "m1", "name": "Ilse", "role": "network",
		"email": "geen adres"}).want(t, http.StatusBadRequest).err(t)
	if e.NL == "" || e.EN == "" {
		t.Errorf("bad address: got %+v", e)
	}
}

// TestResetWithoutMailServer: without SMTP the link is printed for the operator, never
// returned to the administrator.
func TestResetWithoutMailServer(t *testing.T) {
	h := newHarness(t)
	admin, _ := h.account(server.RoleAdmin, "Bram Beheer")
	_, chairAcc := h.account(server.RoleChair, "Carla Voorzitter")
	r := admin.do(http.MethodPost, "/api/accounts/"+chairAcc.ID+"/setup-link", nil).want(t, http.StatusOK)
	if strings.Contains(string(r.body), "/setup#") || !strings.Contains(string(r.body), `"console"`) {
		t.Errorf("got %s, want delivery console and no link", r.body)
	}
	if !strings.Contains(h.console.String(), "/setup#") || !strings.Contains(h.console.String(), chairAcc.Email) {
		t.Errorf("console: %s", h.console.String())
	}
}

// TestSignInSlowsDownPerAccount: 30 wrong passwords for one account from 30 addresses slow
// that account down — even the right password waits — but its owner, in the browser where
// they signed in before, is not locked out; the wait ends.
func TestSignInSlowsDownPerAccount(t *testing.T) {
	h := newHarness(t, func(o *server.Options) {
		o.Config.TrustedProxies = []string{"127.0.0.1/32"}
		o.Config.LoginRate = 1000
	})
	owner, acc := h.account(server.RoleChair, "Carla Voorzitter")
	from := func(addr string) *client {
		c := h.client()
		c.header.Set("X-Forwarded-For", addr)
		return c
	}
	slowed := 0
	for i := range 30 {
		r := from(fmt.Sprintf("198.51.%d.7", i)).do(http.MethodPost, "/api/login", map[string]string{"email": acc.Email, "password": fmt.Sprintf("wrong guess %d", i)})
		switch r.status {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			slowed++
			if e := r.err(t); e.Code != meeting.CodeRateLimited || e.NL == "" || r.header.Get("Retry-After") == "" {
				t.Fatalf("got %+v (Retry-After %q), want rate_limited with a wait", e, r.header.Get("Retry-After"))
			}
		default:
			t.Fatalf("attempt %d: got %d %s", i, r.status, r.body)
		}
	}
	if slowed < 25 {
		t.Fatalf("got %d of 30 attempts slowed down, want all after the first few", slowed)
	}
	right := map[string]string{"email": acc.Email, "password": testPassword}
	from("203.0.113.9").do(http.MethodPost, "/api/login", right).want(t, http.StatusTooManyRequests)
	owner.do(http.MethodPost, "/api/login", right).want(t, http.StatusOK)

	entries := h.auditEntries()
	if _, ok := findEntry(entries, func(e audit.Entry) bool {
		return e.Action == audit.ActionLogin && e.Outcome == audit.OutcomeRefused && strings.Contains(e.Authority, "wait") && e.Addr == "198.51.29.7"
	}); !ok {
		t.Error("the slowed-down attempts are not in the access log")
	}
	h.clock.Advance(16 * time.Minute)
	from("203.0.113.10").do(http.MethodPost, "/api/login", right).want(t, http.StatusOK)
}

// TestSignInLoggedInAccessLog: a sign-in, a failed sign-in and a logout are in the access log.
func TestSignInLoggedInAccessLog(t *testing.T) {
	h := newHarness(t)
	c, acc := h.account(server.RoleProfessional, "Piet Huisarts")
	h.client().do(http.MethodPost, "/api/login", map[string]string{"email": acc.Email, "password": "not my password at all"}).want(t, http.StatusUnauthorized)
	c.do(http.MethodPost, "/api/logout", nil).want(t, http.StatusNoContent)
	entries := h.auditEntries()
	for _, want := range []struct{ action, outcome string }{
		{audit.ActionLogin, audit.OutcomeGranted}, {audit.ActionLogin, audit.OutcomeRefused}, {audit.ActionLogout, audit.OutcomeGranted},
	} {
		e, ok := findEntry(entries, func(e audit.Entry) bool { return e.Action == want.action && e.Outcome == want.outcome })
		if !ok || e.PrincipalID != "u:"+acc.ID || e.Name != "Piet Huisarts" || e.Organisation == "" || e.Addr == "" || e.Time.IsZero() || e.Authority == "" {
			t.Errorf("%s %s: got %+v, want an entry with the NEN 7513 fields", want.action, want.outcome, e)
		}
	}
}

// TestFrameFloodFoldsRefusals: 300 refused commands on one connection leave a handful of
// access-log entries.
func TestFrameFloodFoldsRefusals(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	before := len(h.auditEntries())
	const n, batch = 300, 20
	for b := 0; b < n; b += batch {
		for i := b; i < b+batch; i++ {
			lc.familyWS.Send(map[string]any{"type": "command", "id": fmt.Sprintf("flood-%d", i), "kind": "round.open", "payload": map[string]any{"meeting": "m1"}})
		}
		for nacks := 0; nacks < batch; {
			if f := lc.familyWS.Expect("nack"); strings.HasPrefix(f.ID, "flood-") {
				nacks++
			}
		}
	}
	h.srv.FlushRefusals()
	after := h.auditEntries()[before:]
	if len(after) > 4 {
		t.Fatalf("got %d access-log entries for %d refused frames, want a handful", len(after), n)
	}
	total := 0
	for _, e := range after {
		total += max(e.Count, 1)
	}
	if total != n {
		t.Errorf("the entries stand for %d refusals, want %d: %+v", total, n, after)
	}
}

// TestSocketCaps: a session's sockets beyond the cap are closed with 4429.
func TestSocketCaps(t *testing.T) {
	h := newHarness(t, func(o *server.Options) { o.Config.WSPerSession = 2 })
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")
	chair.connect(t, caseID)
	chair.connect(t, caseID)
	if code := chair.dialWS(t, caseID).CloseCode(); code != server.CloseTooManySockets {
		t.Fatalf("third socket: got close code %d, want %d", code, server.CloseTooManySockets)
	}
}

// TestKeyRotationKeepsSessionsAndInvitations: an instance restarted with a new signing key in
// front of the old one keeps sessions and invitations issued under the old key, and signs new
// tokens with the new one (its kid in the header).
func TestKeyRotationKeepsSessionsAndInvitations(t *testing.T) {
	st := openBolt(t, t.TempDir())
	clock := newClock()
	oldKey, newKey := []byte("old-signing-key-0123456789abcdef-0123"), []byte("new-signing-key-fedcba9876543210-4567")
	a := startServer(t, st, clock, func(o *server.Options) { o.SigningKeys = [][]byte{oldKey} })
	chair, _ := a.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")
	ci := invite(t, chair, caseID, "Moeder", "family")
	b := startServer(t, st, clock, sameSite(a), func(o *server.Options) { o.SigningKeys = [][]byte{newKey, oldKey} })
	onB := b.client()
	onB.setCookie(chair.cookie())
	onB.do(http.MethodGet, "/api/cases/"+caseID, nil).want(t, http.StatusOK)
	family := b.client()
	family.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK)
	head, _ := base64.RawURLEncoding.DecodeString(strings.Split(family.cookie(), ".")[0])
	var hdr struct{ Kid string }
	_ = json.Unmarshal(head, &hdr)
	if hdr.Kid != token.KeyID(newKey) {
		t.Errorf("new session signed with kid %q, want the new key's %q", hdr.Kid, token.KeyID(newKey))
	}
	// Once the old key is gone, its tokens are refused.
	c := startServer(t, st, clock, sameSite(a), func(o *server.Options) { o.SigningKeys = [][]byte{newKey} })
	old := c.client()
	old.setCookie(chair.cookie())
	old.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
}

// twoFactorHarness is a server where the second factor is required.
func twoFactorHarness(t *testing.T, opts ...harnessOpt) *harness {
	return newHarness(t, append([]harnessOpt{func(o *server.Options) { o.Config.TwoFactor = server.TwoFactorRequired }}, opts...)...)
}

// passwordOnly creates an account with testPassword directly in the store.
func (h *harness) passwordOnly(role, name string) server.Account {
	h.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.nl"
	acc, err := h.srv.CreateAccountWithHash(context.Background(), server.AccountInput{Email: email, Name: name,
		Organisation: "GGD Utrecht", Role: role}, mustHash(h.t))
	if err != nil {
		h.t.Fatal(err)
	}
	return acc
}

type step struct {
	Next    string   `json:"next"`
	Methods []string `json:"methods"`
	ID      string   `json:"id"`
}

// TestTOTPEnrolAndSignIn: after the password, someone without a second factor enrols an
// authenticator app (and gets recovery codes) before any session exists; later sign-ins ask a
// code, no code counts twice, a recovery code works once, and wrong codes end the pass.
func TestTOTPEnrolAndSignIn(t *testing.T) {
	h := twoFactorHarness(t)
	acc := h.passwordOnly(server.RoleProfessional, "Sanne Jeugdarts")
	login := map[string]string{"email": acc.Email, "password": testPassword}
	c := h.client()
	var st step
	c.do(http.MethodPost, "/api/login", login).want(t, http.StatusOK).decode(t, &st)
	if st.Next != "enrol" || st.ID != "" {
		t.Fatalf("got %+v, want the enrolment step and no session", st)
	}
	c.do(http.MethodGet, "/api/me", nil).want(t, http.StatusUnauthorized)
	var begun struct{ Secret, URL, QR string }
	c.do(http.MethodPost, "/api/2fa/totp/begin", nil).want(t, http.StatusOK).decode(t, &begun)
	if !strings.HasPrefix(begun.URL, "otpauth://totp/") || !strings.HasPrefix(begun.QR, "data:image/png;base64,") {
		t.Fatalf("got %+v", begun)
	}
	e := c.do(http.MethodPost, "/api/2fa/totp/confirm", map[string]string{"code": "000000"}).want(t, http.StatusBadRequest).err(t)
	if e.NL == "" || e.EN == "" {
		t.Errorf("wrong code: got %+v", e)
	}
	code, _ := totp.GenerateCode(begun.Secret, h.clock.Now())
	var enrolled struct {
		RecoveryCodes []string `json:"recoveryCodes"`
		Me            *struct{ ID string }
	}
	c.do(http.MethodPost, "/api/2fa/totp/confirm", map[string]string{"code": code}).want(t, http.StatusOK).decode(t, &enrolled)
	if len(enrolled.RecoveryCodes) != 10 || enrolled.Me == nil || enrolled.Me.ID != "u:"+acc.ID {
		t.Fatalf("got %+v, want 10 recovery codes and a session", enrolled)
	}
	c.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)

	second := func() *client {
		c := h.client()
		var st step
		c.do(http.MethodPost, "/api/login", login).want(t, http.StatusOK).decode(t, &st)
		if st.Next != "second-factor" || strings.Join(st.Methods, ",") != "totp,recovery" {
			t.Fatalf("got %+v, want the second factor (totp, recovery)", st)
		}
		return c
	}
	c2 := second()
	c2.do(http.MethodPost, "/api/2fa/totp", map[string]string{"code": code}).want(t, http.StatusUnauthorized) // used already
	h.clock.Advance(30 * time.Second)
	code2, _ := totp.GenerateCode(begun.Secret, h.clock.Now())
	c2.do(http.MethodPost, "/api/2fa/totp", map[string]string{"code": code2}).want(t, http.StatusOK)
	c2.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	c2.do(http.MethodPost, "/api/2fa/totp", map[string]string{"code": code2}).want(t, http.StatusUnauthorized) // the pass is spent

	c3 := second()
	c3.do(http.MethodPost, "/api/2fa/recovery", map[string]string{"code": strings.ToUpper(enrolled.RecoveryCodes[0])}).want(t, http.StatusOK)
	c4 := second()
	c4.do(http.MethodPost, "/api/2fa/recovery", map[string]string{"code": enrolled.RecoveryCodes[0]}).want(t, http.StatusUnauthorized)
	for range 4 {
		c4.do(http.MethodPost, "/api/2fa/totp", map[string]string{"code": "123456"}).want(t, http.StatusUnauthorized)
	}
	c4.do(http.MethodPost, "/api/2fa/recovery", map[string]string{"code": enrolled.RecoveryCodes[1]}).want(t, http.StatusUnauthorized)

	entries := h.auditEntries()
	for _, action := range []string{server.ActionFactorAdd, server.ActionSecondFactor, server.ActionRecoveryUse, server.ActionLoginFactor} {
		if _, ok := findEntry(entries, func(e audit.Entry) bool { return e.Action == action && e.PrincipalID == "u:"+acc.ID }); !ok {
			t.Errorf("no %s entry in the access log", action)
		}
	}

	// An organisation the administrator exempted signs in with the password alone.
	if err := h.srv.SetOrganisationPolicy(t.Context(), "GGD Utrecht", server.TwoFactorOff, ""); err != nil {
		t.Fatal(err)
	}
	var me step
	h.client().do(http.MethodPost, "/api/login", login).want(t, http.StatusOK).decode(t, &me)
	if me.ID != "u:"+acc.ID {
		t.Errorf("got %+v, want a session at once", me)
	}
}

// mustHash is the hash of testPassword (made once).
func mustHash(t testing.TB) string {
	t.Helper()
	hashOnce.Do(func() {
		var err error
		if testHash, err = password.Hash(testPassword); err != nil {
			panic(err)
		}
	})
	return testHash
}

// TestSignInLimitedPerNetwork: sign-in attempts count per network — an IPv6 /64 is one
// network however many addresses it has; an IPv4 address is its own.
func TestSignInLimitedPerNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64", "2001:db8:1:2:ffff:1:2:3": "2001:db8:1:2::/64",
		"2001:db8:1:3::1": "2001:db8:1:3::/64", "192.0.2.7": "192.0.2.7", "::ffff:192.0.2.7": "192.0.2.7",
	} {
		if got := server.NetworkOf(in); got != want {
			t.Errorf("NetworkOf(%s) = %s, want %s", in, got, want)
		}
	}
	h := newHarness(t, func(o *server.Options) {
		o.Config.TrustedProxies = []string{"127.0.0.1/32"}
		o.Config.LoginRate = 5
	})
	attempt := func(addr string) int {
		c := h.client()
		c.header.Set("X-Forwarded-For", addr)
		return c.do(http.MethodPost, "/api/login", map[string]string{"email": "nobody@example.nl", "password": "not a password"}).status
	}
	for i := range 5 {
		if got := attempt(fmt.Sprintf("2001:db8:1:2::%x", i+1)); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d, want 401", i+1, got)
		}
	}
	if got := attempt("2001:db8:1:2:ffff::9"); got != http.StatusTooManyRequests {
		t.Errorf("sixth attempt from the same /64: got %d, want 429", got)
	}
	if got := attempt("2001:db8:1:3::1"); got != http.StatusUnauthorized {
		t.Errorf("another /64: got %d, want 401", got)
	}
}
