package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// liveCase is a case with meeting m1 in progress: the chair, a professional member and a
// family member (invited, redeemed, admitted) each on their own WebSocket.
type liveCase struct {
	h                        *harness
	caseID                   string
	chair, pro, family       *client
	chairWS, proWS, familyWS *wstest.Client
	proID, familyID          string
}

// startMeeting sets up a liveCase through the REST API and the live protocol only.
func startMeeting(t *testing.T, h *harness) *liveCase {
	t.Helper()
	lc := &liveCase{h: h}
	var proAcc server.Account
	lc.chair, _ = h.account(server.RoleChair, "Carla Voorzitter")
	lc.pro, proAcc = h.account(server.RoleProfessional, "Piet Huisarts")
	lc.proID = "u:" + proAcc.ID
	lc.caseID = newCase(t, lc.chair, "Casus Janna")
	lc.chair.do(http.MethodPut, "/api/cases/"+lc.caseID+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	ci := invite(t, lc.chair, lc.caseID, "Moeder", "family")
	lc.family = h.client()
	var me struct {
		ID string `json:"id"`
	}
	lc.family.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
	lc.familyID = me.ID

	lc.chairWS, _ = lc.chair.connect(t, lc.caseID)
	lc.chairWS.Must("meeting.schedule", map[string]any{"id": "m1", "title": "Eerste overleg", "at": time.Now().UTC()})
	lc.chairWS.Must("meeting.start", map[string]any{"meeting": "m1"})
	lc.proWS, _ = lc.pro.connect(t, lc.caseID)
	lc.familyWS, _ = lc.family.connect(t, lc.caseID)
	for _, p := range []struct {
		ws *wstest.Client
		id string
	}{{lc.proWS, lc.proID}, {lc.familyWS, lc.familyID}} {
		p.ws.Must("participant.join", map[string]any{"meeting": "m1"})
		lc.chairWS.Must("participant.admit", map[string]any{"meeting": "m1", "participant": p.id})
	}
	return lc
}

// head returns the last sequence of the case's event log.
func (lc *liveCase) head(t *testing.T) uint64 {
	t.Helper()
	st, _, err := lc.h.live.Load(t.Context(), lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	return st.Seq
}

// caseLog returns the case's access log.
func (lc *liveCase) caseLog(t *testing.T) []audit.Entry {
	t.Helper()
	entries, err := lc.h.srv.AuditLog().Case(t.Context(), lc.caseID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// TestFamilyChairActionsRefusedOverWebSocket has a family member send the chair's commands
// over the live connection: each is refused with a forbidden nack, changes nothing, and
// leaves one refused access-log entry in the case's log.
func TestFamilyChairActionsRefusedOverWebSocket(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	lc.chairWS.Must("round.open", map[string]any{"meeting": "m1"})
	round := lc.chairWS.WaitView(lc.head(t)).Current.Rounds[0].ID
	now := time.Now().UTC()

	tests := []struct {
		kind    string
		payload any
	}{
		{"round.open", map[string]any{"meeting": "m1"}},
		{"round.reveal", map[string]any{"round": round}},
		{"participant.admit", map[string]any{"meeting": "m1", "participant": lc.proID}},
		{"participant.remove", map[string]any{"meeting": "m1", "participant": lc.proID}},
		{"participant.set_role", map[string]any{"meeting": "m1", "participant": lc.familyID, "role": "professional"}},
		{"chair.hand_over", map[string]any{"meeting": "m1", "participant": lc.familyID}},
		{"agenda.open", map[string]any{"meeting": "m1", "item": "m1-a0"}},
		{"agenda.add", map[string]any{"meeting": "m1", "title": "Extra", "kind": "monitoring"}},
		{"bottomline.add", map[string]any{"subjects": []string{"janna"}, "text": "Janna slaapt veilig."}},
		{"decision.record", map[string]any{"text": "Besluit van de moeder."}},
		{"meeting.close", map[string]any{"meeting": "m1"}},
		{"meeting.schedule", map[string]any{"id": "m2", "at": now}},
		{"meeting.set_family_advisory", map[string]any{"meeting": "m1", "advisory": false}},
		{"case.set_phase", map[string]any{"phase": 2}},
		{"case.set_policy", map[string]any{"quorum": 1, "stableMeetings": 1, "stableDays": 0}},
		{"fact.add", map[string]any{"text": "Een feit.", "professionalsOnly": true}},
		{"escalation.add", map[string]any{"kind": "veilig_thuis_advice", "decision": "Advies vragen."}},
	}
	headBefore := lc.head(t)
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			before := lc.caseLog(t)
			f := lc.familyWS.Do(tt.kind, tt.payload)
			if f.Type != "nack" || f.Code != string(meeting.CodeForbidden) || f.Message == nil || f.Message.NL == "" || f.Message.EN == "" {
				t.Fatalf("got %s, want a forbidden nack with Dutch and English messages", f.Raw)
			}
			after := lc.caseLog(t)
			if got := len(after) - len(before); got != 1 {
				t.Fatalf("got %d new access-log entries in the case's log, want exactly 1", got)
			}
			e := after[len(after)-1]
			if e.PrincipalID != lc.familyID || e.Name != "Moeder" || e.Role != "family" || e.CaseID != lc.caseID ||
				e.Action != tt.kind || e.Outcome != audit.OutcomeRefused || e.Channel != "ws" ||
				e.Object == "" || e.Authority == "" || e.Addr != "127.0.0.1" || e.Time.IsZero() {
				t.Errorf("got entry %+v, want the family member's refused %s over ws with every field", e, tt.kind)
			}
		})
	}
	if got := lc.head(t); got != headBefore {
		t.Errorf("the case log moved from %d to %d: a refused command changed the case", headBefore, got)
	}
	v := lc.chairWS.WaitView(headBefore)
	if v.Case.Phase != 1 || v.Current == nil || v.Current.Status != "in_progress" || v.Current.Chair != "u:"+chairAccountID(t, lc) ||
		len(v.Current.Rounds) != 1 || v.Current.Rounds[0].Status != "open" || len(v.Plans.BottomLines) != 0 {
		t.Errorf("after the refusals: got phase %d, meeting %+v, want phase 1 and m1 in progress under the chair with one open round", v.Case.Phase, v.Current)
	}
	t.Run("the family member's own actions still work", func(t *testing.T) {
		f := lc.familyWS.Do("score.submit", map[string]any{"round": round, "subject": "janna", "value": 5, "meaning": "Het gaat beter.", "notHigher": "Nog niet elke dag."})
		if f.Type != "ack" {
			t.Errorf("family scores: got %s, want an ack", f.Raw)
		}
	})
}

// chairAccountID returns the account id of the chair of lc.
func chairAccountID(t *testing.T, lc *liveCase) string {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	lc.chair.do(http.MethodGet, "/api/me", nil).want(t, http.StatusOK).decode(t, &me)
	return me.ID[len("u:"):]
}
