package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/internal/wstest"
)

// TestWithheldFromOnePerson: the mother's own safety agreement is withheld from the father,
// and a professional keeps the explanation of their score for professionals. Through the real
// server, neither reaches the father — not in any frame, not in the REST view, not in the
// minutes PDF (streams decompressed) — nor the shared screen while he is admitted; the mother
// sees her agreement, and professionals see both.
func TestWithheldFromOnePerson(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account("chair", "Carla Voorzitter")
	var cv caseView
	chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "Casus Janna",
		"subjects": []map[string]string{{"id": "janna", "name": "Janna"}, {"id": "moeder", "name": "Moeder"}},
		"family":   []map[string]string{{"id": "vader", "name": "Vader", "relation": "vader"}}}).want(t, http.StatusCreated).decode(t, &cv)
	caseID := cv.ID
	chairWS, _ := chair.connect(t, caseID)
	chairWS.Must("meeting.schedule", map[string]any{"id": "m1", "title": "Eerste overleg", "at": time.Now().UTC()})
	chairWS.Must("meeting.start", map[string]any{"meeting": "m1"})

	type invitee struct {
		c      *client
		id     string
		ws     *wstest.Client
		person string
	}
	join := func(name, person string) *invitee {
		ci := invite(t, chair, caseID, name, "family")
		c := h.client()
		var me struct {
			ID string `json:"id"`
		}
		c.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
		ws, _ := c.connect(t, caseID)
		ws.Must("participant.join", map[string]any{"meeting": "m1"})
		chairWS.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID, "person": person})
		return &invitee{c: c, id: me.ID, ws: ws, person: person}
	}
	mother, father := join("Moeder", "moeder"), join("Vader", "vader")

	hdr := http.Header{"Origin": {h.srv.Config().PublicURL}, "Cookie": {h.srv.CookieName() + "=" + chair.cookie()}}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(h, caseID)+"&view=display", hdr)
	if err != nil {
		t.Fatal(err)
	}
	display := wstest.New(t, "", conn)
	display.Hello(0)

	chairWS.Must("round.open", map[string]any{"meeting": "m1"})
	st, _, err := h.live.Load(t.Context(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	round := st.Meetings[0].Rounds[0].ID
	for _, sub := range []string{"janna", "moeder"} {
		chairWS.Must("score.submit", map[string]any{"round": round, "subject": sub, "value": 3,
			"meaning": "POLITIENOTITIE over vader", "notHigher": "POLITIEWAAROM", "professionalsOnly": true})
		for _, p := range []*invitee{mother, father} {
			p.ws.Must("score.submit", map[string]any{"round": round, "subject": sub, "value": 5, "meaning": "Gaat beter.", "notHigher": "Nog onrustig."})
		}
	}
	chairWS.Must("round.reveal", map[string]any{"round": round})
	st, _, _ = h.live.Load(t.Context(), caseID)
	var item string
	for _, it := range st.Meetings[0].Agenda {
		if it.Kind == "safety_agreements" {
			item = it.ID
		}
	}
	chairWS.Must("agenda.open", map[string]any{"meeting": "m1", "item": item})
	chairWS.Must("agreement.add", map[string]any{"plan": "safety", "action": "Moeder en Janna slapen in de OPVANGADRES-GEHEIM.",
		"owner": map[string]string{"name": "Moeder"}, "hiddenFrom": []string{"vader"}, "hiddenReason": "REDENPRO: vader mag het adres niet weten"})
	chairWS.Must("agreement.add", map[string]any{"plan": "safety", "action": "Vader belt GEDEELDEAFSPRAAK.", "owner": map[string]string{"name": "Vader"}})
	last := chairWS.Must("meeting.close", map[string]any{"meeting": "m1"})
	for _, ws := range []*wstest.Client{mother.ws, father.ws, display} {
		ws.WaitView(last)
	}

	frames := func(ws *wstest.Client) string {
		var b strings.Builder
		for _, f := range ws.Frames() {
			b.WriteString(f.Raw + "\n")
		}
		return b.String()
	}
	restView := func(c *client) string {
		return string(c.do(http.MethodGet, "/api/cases/"+caseID+"/view", nil).want(t, http.StatusOK).body)
	}
	type reader struct {
		name                       string
		text                       string
		refuge, reason, proExplain bool
	}
	readers := []reader{
		{"father's frames", frames(father.ws), false, false, false},
		{"father's REST view", restView(father.c), false, false, false},
		{"father's minutes PDF", minutesPDF(t, father.c, caseID, "m1"), false, false, false},
		{"shared screen with the father admitted", frames(display), false, false, false},
		{"mother's frames", frames(mother.ws), true, false, false},
		{"mother's REST view", restView(mother.c), true, false, false},
		{"mother's minutes PDF", minutesPDF(t, mother.c, caseID, "m1"), true, false, false},
		{"chair's frames", frames(chairWS), true, true, true},
		{"chair's REST view", restView(chair), true, true, true},
		{"chair's minutes PDF", minutesPDF(t, chair, caseID, "m1"), true, false, true},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			if got := strings.Contains(r.text, "OPVANGADRES-GEHEIM"); got != r.refuge {
				t.Errorf("holds the withheld agreement: got %v, want %v", got, r.refuge)
			}
			if got := strings.Contains(r.text, "REDENPRO"); got != r.reason {
				t.Errorf("holds the reason for withholding: got %v, want %v", got, r.reason)
			}
			if got := strings.Contains(r.text, "POLITIENOTITIE") || strings.Contains(r.text, "POLITIEWAAROM"); got != r.proExplain {
				t.Errorf("holds the professionals-only explanation: got %v, want %v", got, r.proExplain)
			}
			if !strings.Contains(r.text, "GEDEELDEAFSPRAAK") {
				t.Errorf("lacks the agreement everyone may see: the search finds nothing")
			}
		})
	}
	if v := father.ws.WaitView(last); !v.Withheld {
		t.Errorf("the father's view does not say that something is withheld")
	}
}
