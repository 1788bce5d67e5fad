package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestLobbyInviteeSeesNoProfessionalsOnly: someone who scanned a meeting QR code made with
// role "professional" and waits in the lobby (not admitted) must not receive
// professionals-only facts.
func TestLobbyInviteeSeesNoProfessionalsOnly(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	ws.Must("fact.add", map[string]any{"text": "GEHEIMVOOR", "professionalsOnly": true})
	var jc createdInvitation
	chair.do(http.MethodPost, "/api/cases/"+caseID+"/meetings/m1/join-code", map[string]string{"role": "professional"}).want(t, http.StatusCreated).decode(t, &jc)
	guest := h.client()
	guest.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code(), "name": "Onbekende"}).want(t, http.StatusOK)
	gws, _ := guest.connect(t, caseID)
	gws.Must("participant.join", map[string]any{"meeting": "m1"})
	last := ws.Must("fact.add", map[string]any{"text": "GEHEIMNA", "professionalsOnly": true})
	gws.WaitView(last)
	for _, f := range gws.Frames() {
		for _, m := range []string{"GEHEIMVOOR", "GEHEIMNA"} {
			if strings.Contains(f.Raw, m) {
				t.Errorf("the unadmitted guest in the lobby received %s in a %s frame", m, f.Type)
			}
		}
	}
	if r := guest.do(http.MethodGet, "/api/cases/"+caseID+"/view", nil); strings.Contains(string(r.body), "GEHEIM") {
		t.Errorf("the unadmitted guest's REST view (%d) holds a professionals-only fact", r.status)
	}
}

// TestRateLimitedCommandAudited: a command refused by the per-connection rate limit is a
// refused change and must leave an access-log entry like every other refusal.
func TestRateLimitedCommandAudited(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ws, _ := chair.connect(t, caseID)
	for i := 0; ; i++ {
		before := len(h.auditEntries())
		f := ws.Do("case.set_phase", map[string]any{"phase": 1})
		after := h.auditEntries()
		if got := len(after) - before; got != 1 {
			t.Fatalf("command %d (%s): got %d access-log entries, want 1", i+1, f.Code, got)
		}
		if f.Code == "rate_limited" {
			if e := after[len(after)-1]; e.Outcome != audit.OutcomeRefused {
				t.Errorf("got %+v, want a refused entry", e)
			}
			return
		}
		if i > 100 {
			t.Fatal("never rate limited")
		}
	}
}

// TestUnknownKindNotLoggedVerbatim: the access log never holds message contents; an
// unknown command kind is text the client chose and must not go into it as is.
func TestUnknownKindNotLoggedVerbatim(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ws, _ := chair.connect(t, caseID)
	kind := "Janna heeft blauwe plekken " + strings.Repeat("x", 5000)
	ws.Do(kind, map[string]any{})
	entries := h.auditEntries()
	if e := entries[len(entries)-1]; strings.Contains(e.Action, "blauwe plekken") || len(e.Action) > 64 {
		t.Errorf("the access log holds the client's text as the action (%d bytes)", len(e.Action))
	}
}

// TestRefusedHelloAudited: a hello refused because the caller may no longer reach the case
// (here: the session was revoked after the upgrade) is a refused read and must leave an
// access-log entry.
func TestRefusedHelloAudited(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	var me struct {
		Session string `json:"session"`
	}
	chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK).decode(t, &me)
	ws := chair.dialWS(t, caseID)
	if err := h.srv.RecordRevocation(t.Context(), me.Session); err != nil {
		t.Fatal(err)
	}
	before := len(h.auditEntries())
	ws.Send(map[string]any{"type": "hello", "lastSeq": 0})
	if code := ws.CloseCode(); code != 4403 && code != 4409 {
		t.Fatalf("got close %d, want 4403 or 4409", code)
	}
	after := h.auditEntries()
	if len(after) != before+1 || after[len(after)-1].Outcome != audit.OutcomeRefused {
		t.Errorf("got %d new entries, want one refused read", len(after)-before)
	}
}
