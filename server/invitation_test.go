package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server"
)

type createdInvitation struct {
	Invitation struct {
		ID      string `json:"id"`
		Case    string `json:"case"`
		Meeting string `json:"meeting"`
		Role    string `json:"role"`
	} `json:"invitation"`
	URL string `json:"url"`
	QR  string `json:"qr"`
}

// code is the invitation's short code: the last part of its link <public-url>/j/<code>.
func (ci createdInvitation) code() string { return ci.URL[strings.LastIndex(ci.URL, "/")+1:] }

type caseView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Role  string `json:"role"`
}

// caseBody is the body of POST /api/cases: a title and the persons whose safety is scored.
func caseBody(title string) map[string]any {
	return map[string]any{"title": title, "subjects": []map[string]string{{"id": "janna", "name": "Janna"}}}
}

// newCase has chair create a case and returns its id.
func newCase(t testing.TB, chair *client, title string) string {
	t.Helper()
	var cv caseView
	chair.do(http.MethodPost, "/api/cases", caseBody(title)).want(t, http.StatusCreated).decode(t, &cv)
	if cv.ID == "" || cv.Role != server.CaseRoleChair {
		t.Fatalf("got case %+v, want an id and role chair", cv)
	}
	return cv.ID
}

func invite(t *testing.T, chair *client, caseID, name, role string) createdInvitation {
	t.Helper()
	var ci createdInvitation
	chair.do(http.MethodPost, "/api/cases/"+caseID+"/invitations",
		map[string]string{"meeting": "m1", "name": name, "role": role}).want(t, http.StatusCreated).decode(t, &ci)
	return ci
}

func TestInvitationFlow(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseA := newCase(t, chair, "Casus A")
	caseB := newCase(t, chair, "Casus B")
	ci := invite(t, chair, caseA, "Tante Ans", "family")
	// A short link that a person can read and type: <public-url>/j/<8 characters>.
	if !strings.HasPrefix(ci.URL, h.url+"/j/") || len(ci.code()) != server.ShortCodeLen || strings.Trim(ci.code(), server.ShortCodeAlphabet) != "" {
		t.Errorf("got link %q, want %s/j/<code of %d>", ci.URL, h.url, server.ShortCodeLen)
	}
	if !strings.HasPrefix(ci.QR, "data:image/png;base64,iVBORw0KGgo") {
		t.Errorf("got QR %.40q, want a PNG data URL", ci.QR)
	}

	ans := h.client()
	var me struct {
		ID           string `json:"id"`
		Professional bool   `json:"professional"`
		Role         string `json:"role"`
		Case         string `json:"case"`
	}
	ans.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
	if me.ID != "i:"+ci.Invitation.ID || me.Professional || me.Role != "family" || me.Case != caseA {
		t.Errorf("got participant %+v, want i:%s, not professional, family, case %s", me, ci.Invitation.ID, caseA)
	}

	t.Run("invitee reads own case", func(t *testing.T) {
		ans.do(http.MethodGet, "/api/cases/"+caseA, nil).want(t, http.StatusOK)
	})
	t.Run("session for case A used on case B", func(t *testing.T) {
		assertRefused(t, h, ans.do(http.MethodGet, "/api/cases/"+caseB, nil), http.StatusForbidden, meeting.CodeForbidden, ans.cookie())
		hdr := http.Header{"Origin": {h.url}, "Cookie": {h.srv.CookieName() + "=" + ans.cookie()}}
		_, resp, err := websocket.DefaultDialer.Dial(wsURL(h, caseB), hdr)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("websocket to case B: got %v, want 403", resp)
		}
	})
	t.Run("invitee refused on members-only route", func(t *testing.T) {
		assertRefused(t, h, ans.do(http.MethodGet, "/api/cases/"+caseA+"/members", nil), http.StatusForbidden, meeting.CodeForbidden, ans.cookie())
	})
	t.Run("invitee cannot invite", func(t *testing.T) {
		assertRefused(t, h, ans.do(http.MethodPost, "/api/cases/"+caseA+"/invitations",
			map[string]string{"meeting": "m1", "name": "X", "role": "family"}), http.StatusForbidden, meeting.CodeForbidden, ans.cookie())
	})
	t.Run("spent invite used again", func(t *testing.T) {
		other := h.client()
		assertRefused(t, h, other.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}),
			http.StatusUnauthorized, meeting.CodeUnauthenticated, ci.code())
		if other.cookie() != "" {
			t.Error("a refused redemption set a session cookie")
		}
	})
	t.Run("invitee upgrades to own case", func(t *testing.T) {
		_, welcome := ans.connect(t, caseA)
		if welcome.Case != caseA || welcome.You == nil || welcome.You.ID != me.ID || welcome.You.Professional || welcome.You.Name != "Tante Ans" {
			t.Errorf("got welcome %s, want the family invitee %s of %s", welcome.Raw, me.ID, caseA)
		}
		entries, err := h.srv.AuditLog().Case(t.Context(), caseA, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := entries[len(entries)-1]
		if last.PrincipalID != me.ID || last.Role != "family" || last.Action != "read" || last.Channel != "ws" || last.Addr != "127.0.0.1" {
			t.Errorf("got access-log entry %+v, want the family invitee's read over ws from 127.0.0.1", last)
		}
	})
	t.Run("revoked invitation ends the invitee's session", func(t *testing.T) {
		chair.do(http.MethodDelete, "/api/cases/"+caseA+"/invitations/"+ci.Invitation.ID, nil).want(t, http.StatusNoContent)
		ans.do(http.MethodGet, "/api/cases/"+caseA, nil).want(t, http.StatusUnauthorized)
	})
	t.Run("unused revoked invitation cannot be redeemed", func(t *testing.T) {
		ci2 := invite(t, chair, caseA, "Buurman Piet", "network")
		chair.do(http.MethodDelete, "/api/cases/"+caseA+"/invitations/"+ci2.Invitation.ID, nil).want(t, http.StatusNoContent)
		h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci2.code()}).want(t, http.StatusUnauthorized)
	})
	t.Run("meeting QR code asks the name on joining", func(t *testing.T) {
		var jc createdInvitation
		chair.do(http.MethodPost, "/api/cases/"+caseA+"/meetings/m1/join-code", nil).want(t, http.StatusCreated).decode(t, &jc)
		guest := h.client()
		guest.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code()}).want(t, http.StatusBadRequest)
		guest.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code(), "name": "Oma Riet"}).want(t, http.StatusOK)
		h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code(), "name": "Iemand"}).want(t, http.StatusUnauthorized)
	})
	t.Run("a code is typed as a person types it; a wrong code is refused in words", func(t *testing.T) {
		var jc createdInvitation
		chair.do(http.MethodPost, "/api/cases/"+caseA+"/meetings/m1/join-code", nil).want(t, http.StatusCreated).decode(t, &jc)
		if len(jc.URL) > len(h.url)+3+server.ShortCodeLen {
			t.Errorf("QR link %q is longer than <public-url>/j/<code>", jc.URL)
		}
		for _, typed := range []string{"ABC", "OOOOOOOO", "IIIIIIII", "AAAAAAAA"} {
			e := h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": typed, "name": "Oma"}).want(t, http.StatusUnauthorized).err(t)
			if !strings.Contains(e.NL, "code klopt niet") || e.EN == "" {
				t.Errorf("code %q: got %+v, want the wrong-code message", typed, e)
			}
		}
		var peek struct{ Name, Role string }
		h.client().do(http.MethodPost, "/api/invitations/peek", map[string]string{"code": jc.code()}).want(t, http.StatusOK).decode(t, &peek)
		if peek.Name != "" || peek.Role != "network" {
			t.Errorf("peek of the screen's code: got %+v, want no name, network", peek)
		}
		named := invite(t, chair, caseA, "Oma Riet", "family")
		h.client().do(http.MethodPost, "/api/invitations/peek", map[string]string{"code": named.code()}).want(t, http.StatusOK).decode(t, &peek)
		if peek.Name != "Oma Riet" || peek.Role != "family" {
			t.Errorf("peek of a named invitation: got %+v, want Oma Riet, family", peek)
		}
		h.client().do(http.MethodPost, "/api/invitations/peek", map[string]string{"code": "AAAAAAAA"}).want(t, http.StatusUnauthorized)
		c := jc.code()
		typed := strings.ToLower(c[:4]) + " - " + c[4:]
		h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": typed, "name": "Oma Riet"}).want(t, http.StatusOK)
	})
	t.Run("100,000-dot invitation", func(t *testing.T) {
		tok := strings.Repeat(".", 100_000)
		assertRefused(t, h, h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"token": tok}),
			http.StatusRequestEntityTooLarge, meeting.CodeTooLarge, tok)
	})
	t.Run("4,000-dot invitation within the body limit", func(t *testing.T) {
		tok := strings.Repeat(".", 5_000)
		assertRefused(t, h, h.client().do(http.MethodPost, "/api/invitations/redeem", map[string]string{"token": tok}),
			http.StatusUnauthorized, meeting.CodeUnauthenticated, tok)
	})
}

func TestProfessionalNeedsMembership(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	admin, _ := h.account(server.RoleAdmin, "Anna Beheer")
	caseA := newCase(t, chair, "Casus A")

	assertRefused(t, h, pro.do(http.MethodGet, "/api/cases/"+caseA, nil), http.StatusForbidden, meeting.CodeForbidden, pro.cookie())
	assertRefused(t, h, admin.do(http.MethodGet, "/api/cases/"+caseA, nil), http.StatusForbidden, meeting.CodeForbidden, admin.cookie())
	pro.do(http.MethodPost, "/api/cases", caseBody("x")).want(t, http.StatusForbidden)

	chair.do(http.MethodPut, "/api/cases/"+caseA+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	pro.do(http.MethodGet, "/api/cases/"+caseA, nil).want(t, http.StatusOK)
	var list []caseView
	pro.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list) != 1 || list[0].ID != caseA || list[0].Role != "professional" {
		t.Errorf("got case list %+v, want case A as professional", list)
	}
	// A professional member may not do chair things.
	pro.do(http.MethodPost, "/api/cases/"+caseA+"/invitations", map[string]string{"meeting": "m1", "name": "X", "role": "family"}).want(t, http.StatusForbidden)
	pro.do(http.MethodGet, "/api/cases/"+caseA+"/access-log", nil).want(t, http.StatusForbidden)

	principal := hub.Principal{ID: "u:" + proAcc.ID, Name: proAcc.Name, Professional: true, AccountRole: server.RoleProfessional}
	if g, err := h.srv.Grant(t.Context(), principal, caseA); err != nil || g.Role != server.CaseRoleProfessional {
		t.Errorf("Grant for a member: got %q, %v; want professional", g.Role, err)
	}
	chair.do(http.MethodDelete, "/api/cases/"+caseA+"/members/"+proAcc.ID, nil).want(t, http.StatusNoContent)
	pro.do(http.MethodGet, "/api/cases/"+caseA, nil).want(t, http.StatusForbidden)
	if _, err := h.srv.Grant(t.Context(), principal, caseA); err == nil {
		t.Error("Grant after removal: got nil error, want forbidden")
	}
	pro.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("got %d cases after removal, want 0", len(list))
	}
}

func wsURL(h *harness, caseID string) string {
	return "ws" + strings.TrimPrefix(h.url, "http") + "/ws?case=" + caseID
}

// TestChairAddsAProfessionalInOneStep: the case's chair adds a professional by e-mail address:
// an existing account joins the case; a new address gets a professional account whose set-up
// link goes by mail (printed on the console without a mail server), never to the chair.
func TestChairAddsAProfessionalInOneStep(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	caseID := newCase(t, chair, "Casus Janna")
	base := "/api/cases/" + caseID

	var got struct {
		Member   server.Member `json:"member"`
		Created  bool          `json:"created"`
		Delivery string        `json:"delivery"`
		SetupURL string        `json:"setupUrl"`
	}
	chair.do(http.MethodPost, base+"/members", map[string]string{"email": strings.ToUpper(proAcc.Email)}).want(t, http.StatusCreated).decode(t, &got)
	if got.Created || got.Member.AccountID != proAcc.ID || got.Member.Role != server.CaseRoleProfessional {
		t.Errorf("existing account: got %+v, want Piet added as professional", got)
	}
	pro.do(http.MethodGet, base, nil).want(t, http.StatusOK)
	pro.do(http.MethodPost, base+"/members", map[string]string{"email": "x@example.nl", "name": "X", "organisation": "Y"}).want(t, http.StatusForbidden)
	chair.do(http.MethodPost, base+"/members", map[string]string{"email": "jet@example.nl"}).want(t, http.StatusBadRequest)

	got = struct {
		Member   server.Member `json:"member"`
		Created  bool          `json:"created"`
		Delivery string        `json:"delivery"`
		SetupURL string        `json:"setupUrl"`
	}{}
	chair.do(http.MethodPost, base+"/members", map[string]string{"email": "jet@example.nl", "name": "Jet de Jong", "organisation": "JGZ"}).want(t, http.StatusCreated).decode(t, &got)
	if !got.Created || got.Delivery != "console" || got.SetupURL != "" || got.Member.Name != "Jet de Jong" {
		t.Fatalf("new address: got %+v, want a new account, its link on the console, not to the chair", got)
	}
	out := h.console.String()
	i := strings.Index(out, "/setup#")
	if !strings.Contains(out, "jet@example.nl") || i < 0 {
		t.Fatalf("the set-up link was not printed for jet@example.nl:\n%s", out)
	}
	tok := strings.Fields(out[i+len("/setup#"):])[0]
	jet := h.client()
	jet.do(http.MethodPost, "/api/setup", map[string]string{"token": tok, "password": "jet haar eigen wachtwoord"}).want(t, http.StatusOK)
	jet.do(http.MethodGet, base, nil).want(t, http.StatusOK)
}
