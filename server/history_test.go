package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHistoryOverREST: the history endpoint pages the case's history under the one visibility
// rule. The father, invited to meeting 1, reads meeting 1 only, without the professionals-only
// fact or the fact withheld from him; the chair reads everything, page by page; the mother
// invited to meeting 2 and still in its lobby reads nothing; bad queries are refused.
func TestHistoryOverREST(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account("chair", "Carla Voorzitter")
	var cv caseView
	chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "Casus Janna",
		"subjects": []map[string]string{{"id": "janna", "name": "Janna"}},
		"family":   []map[string]string{{"id": "vader", "name": "Vader", "relation": "vader"}}}).want(t, http.StatusCreated).decode(t, &cv)
	caseID := cv.ID
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "title": "Eerste overleg", "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	ci := invite(t, chair, caseID, "Vader", "family")
	father := h.client()
	var me struct {
		ID string `json:"id"`
	}
	father.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
	fws, _ := father.connect(t, caseID)
	fws.Must("participant.join", map[string]any{"meeting": "m1"})
	ws.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID, "person": "vader"})
	ws.Must("fact.add", map[string]any{"text": "FEIT-GEDEELD met iedereen"})
	ws.Must("fact.add", map[string]any{"text": "FEIT-PRO politie", "professionalsOnly": true})
	ws.Must("fact.add", map[string]any{"text": "FEIT-NIET-VADER adres", "hiddenFrom": []string{"vader"}})
	ws.Must("decision.record", map[string]any{"text": "BESLUIT-M1"})
	ws.Must("meeting.close", map[string]any{"meeting": "m1"})
	ws.Must("meeting.schedule", map[string]any{"id": "m2", "title": "Tweede overleg", "at": time.Now().UTC().Add(time.Hour)})
	ws.Must("meeting.start", map[string]any{"meeting": "m2"})
	ws.Must("decision.record", map[string]any{"text": "BESLUIT-M2"})

	get := func(c *client, path string, status int) string {
		t.Helper()
		return string(c.do(http.MethodGet, "/api/cases/"+caseID+"/history/"+path, nil).want(t, status).body)
	}
	// The chair: everything, one fact a page, oldest first within the whole.
	var texts []string
	before := 0
	for range 10 {
		var pg struct {
			Facts []struct {
				Text string `json:"text"`
			} `json:"facts"`
			Before int `json:"before"`
		}
		chair.do(http.MethodGet, "/api/cases/"+caseID+"/history/facts?limit=1&before="+strconv.Itoa(before), nil).want(t, http.StatusOK).decode(t, &pg)
		if len(pg.Facts) != 1 {
			t.Fatalf("a page of limit 1 holds %d facts", len(pg.Facts))
		}
		texts = append([]string{pg.Facts[0].Text}, texts...)
		if pg.Before == 0 {
			break
		}
		before = pg.Before
	}
	if len(texts) != 3 || !strings.HasPrefix(texts[0], "FEIT-GEDEELD") || !strings.HasPrefix(texts[2], "FEIT-NIET-VADER") {
		t.Fatalf("the chair's pages of facts: %q", texts)
	}
	if b := get(chair, "meetings", http.StatusOK); !strings.Contains(b, `"m1"`) || !strings.Contains(b, `"m2"`) {
		t.Fatalf("the chair's meetings: %s", b)
	}
	// The father: meeting 1 only, no professionals-only fact, nothing withheld from him.
	facts := get(father, "facts", http.StatusOK)
	if !strings.Contains(facts, "FEIT-GEDEELD") || strings.Contains(facts, "FEIT-PRO") || strings.Contains(facts, "FEIT-NIET-VADER") || strings.Contains(facts, "hiddenFrom") {
		t.Fatalf("the father's facts: %s", facts)
	}
	if b := get(father, "meetings", http.StatusOK); !strings.Contains(b, `"m1"`) || strings.Contains(b, `"m2"`) {
		t.Fatalf("the father's meetings: %s", b)
	}
	if b := get(father, "decisions", http.StatusOK); !strings.Contains(b, "BESLUIT-M1") || strings.Contains(b, "BESLUIT-M2") {
		t.Fatalf("the father's decisions: %s", b)
	}
	// The mother invited to meeting 2, waiting in its lobby: no history at all.
	var ci2 createdInvitation
	chair.do(http.MethodPost, "/api/cases/"+caseID+"/invitations", map[string]string{"meeting": "m2", "name": "Moeder", "role": "family"}).want(t, http.StatusCreated).decode(t, &ci2)
	mother := h.client()
	mother.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci2.code()}).want(t, http.StatusOK)
	mws, _ := mother.connect(t, caseID)
	mws.Must("participant.join", map[string]any{"meeting": "m2"})
	get(mother, "decisions", http.StatusForbidden)
	// Bad queries.
	get(chair, "scores", http.StatusBadRequest)
	get(chair, "facts?limit=0", http.StatusBadRequest)
	get(chair, "facts?limit=x", http.StatusBadRequest)
	get(chair, "facts?limit=101", http.StatusBadRequest)
}
