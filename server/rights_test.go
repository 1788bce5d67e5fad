package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
)

// TestRemovedMemberSocketClosesOnEveryInstance: three instances on one real Redis; a
// professional's socket is open on instance B; the chair removes the membership through
// instance A; B closes the socket (4403) within one second, without waiting for the
// professional's next command.
func TestRemovedMemberSocketClosesOnEveryInstance(t *testing.T) {
	in := redisInstances(t, 3)
	a, b, c := in[0], in[1], in[2]

	chair, _ := a.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := a.account(server.RoleProfessional, "Piet Huisarts")
	caseID := newCase(t, chair, "Casus A")
	chair.do(http.MethodPut, "/api/cases/"+caseID+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	chairWS, _ := chair.connect(t, caseID)
	chairWS.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})

	onB := b.client()
	onB.setCookie(pro.cookie())
	proWS, _ := onB.connect(t, caseID)
	onC := c.client()
	onC.setCookie(chair.cookie())
	otherWS, _ := onC.connect(t, caseID) // someone else's socket on a third instance stays

	chair.do(http.MethodDelete, "/api/cases/"+caseID+"/members/"+proAcc.ID, nil).want(t, http.StatusNoContent)
	removed := time.Now()
	select {
	case code := <-proWS.Closed():
		if code != hub.CloseForbidden {
			t.Errorf("got close %d, want %d (no longer allowed)", code, hub.CloseForbidden)
		}
		t.Logf("closed %v after the removal", time.Since(removed))
	case <-time.After(time.Second):
		t.Fatal("the removed member's socket on another instance was still open after one second")
	}
	if f := otherWS.Do("meeting.start", map[string]any{"meeting": "m1"}); f.Type != "ack" {
		t.Errorf("the chair's socket on the third instance: got %s, want an ack", f.Raw)
	}
}

// TestRemovedParticipantSocketCloses: a family member removed from the meeting by the chair
// sees nothing more of the case: their socket is closed (4403) at once, and REST refuses.
func TestRemovedParticipantSocketCloses(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	lc.chairWS.Must("participant.remove", map[string]any{"meeting": "m1", "participant": lc.familyID})
	select {
	case code := <-lc.familyWS.Closed():
		if code != hub.CloseForbidden {
			t.Errorf("got close %d, want %d", code, hub.CloseForbidden)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the removed participant's socket was still open after five seconds")
	}
	lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusForbidden)
	lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/meetings/m1/minutes.pdf", nil).want(t, http.StatusForbidden)
}

// TestSocketEndsAtSessionMaximum: an open socket whose session reaches its maximum is closed
// with 4401 at that moment, without waiting for a command.
func TestSocketEndsAtSessionMaximum(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	for range 11 { // keep the session in use: renewed up to the maximum (9h10m here)
		h.clock.Advance(50 * time.Minute)
		chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK)
	}
	h.clock.Advance(h.srv.Config().SessionMax - 550*time.Minute - 2*time.Second)
	// Two seconds of session left: whether the welcome still arrives before then depends on
	// the machine's load, so the test does not wait for it — only for the close.
	ws := chair.dialWS(t, caseID)
	ws.Send(map[string]any{"type": "hello", "lastSeq": 0})
	select {
	case code := <-ws.Closed():
		if code != hub.CloseUnauthorized {
			t.Errorf("got close %d, want %d (sign in again)", code, hub.CloseUnauthorized)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the socket outlived its session")
	}
}

// TestInviteeOfMeetingOneDuringMeetingTwo: an invitation is bound to its meeting. The mother,
// invited to and admitted in meeting 1, follows nothing of meeting 2 — not live, not by REST,
// not in its minutes — while she still reads meeting 1 and the plan; the professional sees
// meeting 2.
func TestInviteeOfMeetingOneDuringMeetingTwo(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	lc.chairWS.Must("round.open", map[string]any{"meeting": "m1"})
	round := lc.chairWS.WaitView(lc.head(t)).Current.Rounds[0].ID
	for _, ws := range []*wstest.Client{lc.chairWS, lc.proWS, lc.familyWS} {
		ws.Must("score.submit", map[string]any{"round": round, "subject": "janna", "value": 4, "meaning": "M1-TOELICHTING", "notHigher": "Nog niet."})
	}
	lc.chairWS.Must("round.reveal", map[string]any{"round": round})
	lc.chairWS.Must("decision.record", map[string]any{"text": "M1-BESLUIT"})
	lc.chairWS.Must("meeting.close", map[string]any{"meeting": "m1"})

	lc.chairWS.Must("meeting.schedule", map[string]any{"id": "m2", "title": "M2-TITEL", "at": time.Now().UTC()})
	lc.chairWS.Must("meeting.start", map[string]any{"meeting": "m2"})
	lc.proWS.Must("participant.join", map[string]any{"meeting": "m2"})
	lc.chairWS.Must("participant.admit", map[string]any{"meeting": "m2", "participant": lc.proID})
	lc.chairWS.Must("round.open", map[string]any{"meeting": "m2"})
	round2 := lc.chairWS.WaitView(lc.head(t)).Current.Rounds[0].ID
	for _, ws := range []*wstest.Client{lc.chairWS, lc.proWS} {
		ws.Must("score.submit", map[string]any{"round": round2, "subject": "janna", "value": 6, "meaning": "M2-TOELICHTING", "notHigher": "M2-WAAROM"})
	}
	lc.chairWS.Must("round.reveal", map[string]any{"round": round2})
	last := lc.chairWS.Must("decision.record", map[string]any{"text": "M2-BESLUIT"})
	lc.proWS.WaitView(last)

	fresh, _ := lc.family.connect(t, lc.caseID) // a new socket of the meeting-1 invitee
	lc.familyWS.Must("plan.confirm", map[string]any{"meeting": "m1"})
	fresh.WaitView(lc.head(t))
	var frames string
	for _, ws := range []*wstest.Client{lc.familyWS, fresh} {
		for _, f := range ws.Frames() {
			frames += f.Raw + "\n"
		}
	}
	view := string(lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusOK).body)
	proView := string(lc.pro.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusOK).body)
	for _, m2 := range []string{"M2-TITEL", "M2-TOELICHTING", "M2-WAAROM", "M2-BESLUIT", `"m2"`} {
		if strings.Contains(frames, m2) {
			t.Errorf("a frame of the meeting-1 invitee holds %s", m2)
		}
		if strings.Contains(view, m2) {
			t.Errorf("the meeting-1 invitee's REST view holds %s", m2)
		}
		if !strings.Contains(proView, m2) {
			t.Errorf("the professional's view lacks %s: the search finds nothing", m2)
		}
	}
	for _, m1 := range []string{"M1-TOELICHTING", "M1-BESLUIT"} {
		if !strings.Contains(view, m1) {
			t.Errorf("the meeting-1 invitee's view lacks %s of their own meeting", m1)
		}
	}
	if r := lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/meetings/m2/minutes.pdf", nil); r.status == http.StatusOK {
		t.Errorf("the meeting-1 invitee got the minutes of meeting 2")
	}
	if !strings.Contains(minutesPDF(t, lc.family, lc.caseID, "m1"), "M1-BESLUIT") {
		t.Errorf("the meeting-1 invitee's minutes of meeting 1 lack its decision")
	}
}
