package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestTransferDirectionRoute: the case director hands the case to a professional member who
// sat at the table; the domain decides, then the membership follows — the new director is a
// chair member (invites, manages members), the old one a professional member.
func TestTransferDirectionRoute(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	path := "/api/cases/" + lc.caseID + "/direction"
	proAccount := strings.TrimPrefix(lc.proID, "u:")
	_, stranger := h.account(server.RoleProfessional, "Sara Vreemd")

	lc.pro.do(http.MethodPost, path, map[string]any{"account": proAccount, "reason": "x", "whyNotWarm": "x"}).want(t, http.StatusForbidden)
	lc.chair.do(http.MethodPost, path, map[string]any{"account": stranger.ID, "reason": "x", "whyNotWarm": "x"}).want(t, http.StatusBadRequest)
	e := lc.chair.do(http.MethodPost, path, map[string]any{"account": proAccount, "reason": "Naar het lokale team."}).want(t, http.StatusBadRequest).err(t)
	if !strings.Contains(e.Message.NL, "warme overdracht") {
		t.Errorf("not warm without why: got %q", e.Message.NL)
	}
	// Warm: the mother confirms the plan in the meeting, then the hand-over.
	lc.familyWS.Must("plan.confirm", map[string]any{"meeting": "m1"})
	before := len(h.auditEntries())
	lc.chair.do(http.MethodPost, path, map[string]any{"account": proAccount, "reason": "Naar het lokale team.", "phone": "030-1234567", "commandId": "dir-1"}).
		want(t, http.StatusNoContent)
	if got := len(h.auditEntries()) - before; got != 1 {
		t.Errorf("access-log entries: got %d, want 1", got)
	}
	// The same command again is harmless; replayed by someone else for another account it
	// makes no one chair.
	lc.chair.do(http.MethodPost, path, map[string]any{"account": proAccount, "reason": "Naar het lokale team.", "commandId": "dir-1"}).want(t, http.StatusNoContent)
	lc.pro.do(http.MethodPut, "/api/cases/"+lc.caseID+"/members/"+stranger.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	lc.pro.do(http.MethodPost, path, map[string]any{"account": stranger.ID, "reason": "x", "commandId": "dir-1"}).want(t, http.StatusConflict)

	st, _, err := h.live.Load(t.Context(), lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	d := st.Director()
	if d.ID != lc.proID || d.Name != "Piet Huisarts" || d.Organisation != "Veilig Thuis" || d.Phone != "030-1234567" || !d.Warm {
		t.Errorf("director: got %+v, want Piet of Veilig Thuis, warm, with his number", d)
	}
	var members []server.Member
	lc.pro.do(http.MethodGet, "/api/cases/"+lc.caseID+"/members", nil).want(t, http.StatusOK).decode(t, &members)
	if len(members) != 3 {
		t.Errorf("members: got %d, want 3", len(members))
	}
	for _, m := range members {
		want := server.CaseRoleProfessional
		if m.AccountID == proAccount {
			want = server.CaseRoleChair
		}
		if m.Role != want {
			t.Errorf("member %s: role %s, want %s", m.Name, m.Role, want)
		}
	}
	// The new director invites; the old one no longer does.
	lc.pro.do(http.MethodPost, "/api/cases/"+lc.caseID+"/invitations", map[string]any{"name": "Tante", "role": "network", "meeting": "m1"}).want(t, http.StatusCreated)
	lc.chair.do(http.MethodPost, "/api/cases/"+lc.caseID+"/invitations", map[string]any{"name": "Oom", "role": "network", "meeting": "m1"}).want(t, http.StatusForbidden)
	var view meeting.CaseView
	lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusOK).decode(t, &view)
	if view.Case.Director == nil || view.Case.Director.Name != "Piet Huisarts" {
		t.Errorf("the family's view: director %+v, want Piet", view.Case.Director)
	}
}

// TestDueRoutes: what is due and overdue, judged with the server's clock — for the case page
// (professionals) and for a professional's start page (the cases they direct, and what they
// own elsewhere), each case read in the access log.
func TestDueRoutes(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	lc.chairWS.Must("meeting.close", map[string]any{"meeting": "m1"})
	start := h.clock.Now().UTC().AddDate(0, 0, -10).Format(meeting.Day)
	lc.chairWS.Must("monitoring.plan", map[string]any{"id": "mt1", "what": "Contact met moeder", "schedule": map[string]any{"start": start, "every": 7}})

	var cd struct {
		Director bool              `json:"director"`
		Items    []meeting.DueItem `json:"items"`
	}
	lc.chair.do(http.MethodGet, "/api/cases/"+lc.caseID+"/due", nil).want(t, http.StatusOK).decode(t, &cd)
	if !cd.Director || len(cd.Items) != 1 || !cd.Items[0].Overdue || cd.Items[0].Days != 10 || cd.Items[0].What != "Contact met moeder" {
		t.Fatalf("case due: got %+v, want Contact met moeder 10 days late", cd)
	}
	lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/due", nil).want(t, http.StatusForbidden)

	var mine struct {
		Today string `json:"today"`
		Cases []struct {
			CaseID string            `json:"caseId"`
			Items  []meeting.DueItem `json:"items"`
		} `json:"cases"`
	}
	before := h.auditEntries()
	lc.chair.do(http.MethodGet, "/api/due", nil).want(t, http.StatusOK).decode(t, &mine)
	if len(mine.Cases) != 1 || mine.Cases[0].CaseID != lc.caseID || mine.Cases[0].Items[0].Days != 10 || mine.Today != h.clock.Now().UTC().Format(meeting.Day) {
		t.Errorf("the director's start page: got %+v", mine)
	}
	after := h.auditEntries()
	if len(after)-len(before) != 1 || after[len(after)-1].Object != "due" || after[len(after)-1].Action != audit.ActionRead || after[len(after)-1].CaseID != lc.caseID {
		t.Errorf("access log: got %d new entries (%+v), want one read of due", len(after)-len(before), after[len(after)-1])
	}
	// A professional who neither directs nor owns anything sees nothing due.
	lc.pro.do(http.MethodGet, "/api/due", nil).want(t, http.StatusOK).decode(t, &mine)
	if len(mine.Cases) != 0 {
		t.Errorf("another professional's start page: got %+v, want nothing", mine.Cases)
	}
	lc.family.do(http.MethodGet, "/api/due", nil).want(t, http.StatusForbidden)
	// Three days later it is 13 days late: the server's clock.
	h.clock.Advance(3 * 24 * time.Hour)
	lc.chair.do(http.MethodPost, "/api/login", map[string]string{"email": "carla.voorzitter@example.nl", "password": testPassword}).want(t, http.StatusOK)
	lc.chair.do(http.MethodGet, "/api/due", nil).want(t, http.StatusOK).decode(t, &mine)
	if len(mine.Cases) != 1 || mine.Cases[0].Items[0].Days != 13 {
		t.Errorf("three days later: got %+v, want 13 days late", mine.Cases)
	}
}
