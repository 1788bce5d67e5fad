package meeting

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// refuge is the mother's own safety agreement, withheld from the father.
const refuge = "REFUGE-ADDRESS Blijf-van-m'n-lijfhuis"

// jannaWithRefuge: meeting m1 in progress with the social worker, the mother (linked to the
// subject "moeder") and the father (linked to "vader") admitted; the safety assessment
// revealed at 4, and an agreement withheld from the father.
func jannaWithRefuge(t *testing.T) *harness {
	t.Helper()
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social)
	for _, p := range []struct {
		a      Actor
		person string
	}{{mother, "moeder"}, {father, "vader"}} {
		h.do(p.a, &Join{Meeting: "m1"})
		h.do(chair, &Admit{Meeting: "m1", Participant: p.a.ID, Person: p.person})
	}
	h.roundAll("m1", all(4), social, mother, father)
	h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindSafetyAgreements).ID})
	h.do(chair, &AddAgreement{Plan: "safety", Action: refuge, Owner: Owner{Name: "Moeder"},
		Withholding: Withholding{HiddenFrom: []string{"vader"}, HiddenReason: "REASON-PRO-ONLY vader weet het adres niet"}})
	h.do(chair, &AddAgreement{Plan: "safety", Action: "Vader belt niet na 22 uur", Owner: Owner{Name: "Vader"}})
	return h
}

func viewJSON(t *testing.T, s *State, v Viewer) string {
	t.Helper()
	b, err := json.Marshal(View(s, v))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSightOf: one rule decides, per reader, nothing, the lobby or a view with what is
// withheld from them; each row of the visibility table in docs/domain.md.
func TestSightOf(t *testing.T) {
	h := jannaWithRefuge(t)
	at := Reading{Now: t0.Add(time.Hour)}
	tests := []struct {
		name         string
		r            Reader
		kind         SightKind
		seesRefuge   bool
		seesReason   bool
		wantWithheld bool
	}{
		{"chair", Reader{ID: chair.ID, Professional: true}, SightView, true, true, false},
		{"professional", Reader{ID: social.ID, Professional: true}, SightView, true, true, false},
		{"mother", Reader{ID: mother.ID, Meeting: "m1"}, SightView, true, false, false},
		{"father", Reader{ID: father.ID, Meeting: "m1"}, SightView, false, false, true},
		{"shared screen with the father admitted", Reader{ID: "display", Display: true}, SightView, false, false, true},
		{"invitee not yet joined", Reader{ID: aunt.ID, Meeting: "m1"}, SightLobby, false, false, false},
		{"invitation for a meeting not yet scheduled", Reader{ID: aunt.ID, Meeting: "m9"}, SightLobby, false, false, false},
		{"no one", Reader{}, SightNone, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sg := h.s.SightOf(tc.r, at)
			if sg.Kind != tc.kind {
				t.Fatalf("sight: got %d, want %d", sg.Kind, tc.kind)
			}
			if sg.Kind != SightView {
				return
			}
			js := viewJSON(t, h.s, sg.Viewer)
			if got := strings.Contains(js, "REFUGE-ADDRESS"); got != tc.seesRefuge {
				t.Errorf("sees the refuge agreement: got %v, want %v", got, tc.seesRefuge)
			}
			if got := strings.Contains(js, "REASON-PRO-ONLY"); got != tc.seesReason {
				t.Errorf("sees the reason: got %v, want %v", got, tc.seesReason)
			}
			if got := View(h.s, sg.Viewer).Withheld; got != tc.wantWithheld {
				t.Errorf("view says something is withheld: got %v, want %v", got, tc.wantWithheld)
			}
			if !strings.Contains(js, "Vader belt niet na 22 uur") {
				t.Errorf("the agreement withheld from no one is missing: %s", js)
			}
		})
	}
}

// TestSightKeys: views are built once per visibility: one withheld entry makes three keys
// (professionals, family, family without the father's withheld entries), whoever asks.
func TestSightKeys(t *testing.T) {
	h := jannaWithRefuge(t)
	at := Reading{Now: t0}
	keys := map[string]bool{}
	for _, r := range []Reader{{ID: chair.ID, Professional: true}, {ID: social.ID, Professional: true},
		{ID: mother.ID, Meeting: "m1"}, {ID: father.ID, Meeting: "m1"}} {
		keys[h.s.SightOf(r, at).Viewer.Key()] = true
	}
	if len(keys) != 3 {
		t.Errorf("got %d keys %v, want 3", len(keys), keys)
	}
	// Same key, same view: the key decides everything the view holds.
	a := h.s.SightOf(Reader{ID: chair.ID, Professional: true}, at).Viewer
	b := h.s.SightOf(Reader{ID: social.ID, Professional: true}, at).Viewer
	if a.Key() != b.Key() || viewJSON(t, h.s, a) != viewJSON(t, h.s, b) {
		t.Errorf("two professionals: keys %q %q, views differ", a.Key(), b.Key())
	}
}

// TestRedactWithheld: the events of an entry withheld from the father never reach him; a
// family member sees a marked entry without its markings.
func TestRedactWithheld(t *testing.T) {
	h := jannaWithRefuge(t)
	var ev Event
	for _, e := range h.log {
		if strings.Contains(string(must(json.Marshal(e.Data))), "REFUGE") {
			ev = e
		}
	}
	at := Reading{Now: t0}
	fatherV := h.s.SightOf(Reader{ID: father.ID, Meeting: "m1"}, at).Viewer
	motherV := h.s.SightOf(Reader{ID: mother.ID, Meeting: "m1"}, at).Viewer
	proV := h.s.SightOf(Reader{ID: chair.ID, Professional: true}, at).Viewer
	if _, ok := Redact(ev, fatherV); ok {
		t.Errorf("the father gets the withheld agreement's event")
	}
	got, ok := Redact(ev, motherV)
	if js := string(must(json.Marshal(got))); !ok || strings.Contains(js, "REASON-PRO-ONLY") || strings.Contains(js, "hiddenFrom") || !strings.Contains(js, "REFUGE") {
		t.Errorf("the mother's event: ok %v, %s; want the agreement without markings", ok, js)
	}
	if got, ok := Redact(ev, proV); !ok || !strings.Contains(string(must(json.Marshal(got))), "REASON-PRO-ONLY") {
		t.Errorf("professionals: got %v, want the agreement with its reason", ok)
	}
}

// TestProfessionalsOnlyExplanation: the value counts and is shown to all; the explanation
// only to professionals.
func TestProfessionalsOnlyExplanation(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social, mother)
	rid := h.openRound("m1")
	for _, a := range []Actor{chair, mother} {
		h.scores(rid, all(5), a)
	}
	for _, sub := range []string{"janna", "moeder"} {
		h.do(social, &SubmitScore{Round: rid, Subject: sub, Value: intp(3), Meaning: "POLICE-NOTE over vader", NotHigher: "POLICE-WHY", ProfessionalsOnly: true})
	}
	at := Reading{Now: t0}
	fam := viewJSON(t, h.s, h.s.SightOf(Reader{ID: mother.ID, Meeting: "m1"}, at).Viewer)
	pro := viewJSON(t, h.s, h.s.SightOf(Reader{ID: chair.ID, Professional: true}, at).Viewer)
	if strings.Contains(fam, "POLICE-") || !strings.Contains(fam, `"explanationWithheld":true`) {
		t.Errorf("family view: %s; want no explanation text and the withheld mark", fam)
	}
	if !strings.Contains(pro, "POLICE-NOTE") || !strings.Contains(pro, "POLICE-WHY") {
		t.Errorf("professionals' view lacks the explanation")
	}
	var cv CaseView
	_ = json.Unmarshal([]byte(fam), &cv)
	found := false
	for _, sc := range cv.Current.Rounds[0].Scores {
		found = found || sc.Participant == social.ID && sc.Value != nil && *sc.Value == 3
	}
	if !found {
		t.Errorf("family view lacks the value 3 of the withheld explanation")
	}
}

// TestInviteeSight: an invitation is bound to its meeting; removal ends the sight; it ends
// AfterClose after the meeting closed.
func TestInviteeSight(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social, mother)
	h.roundAll("m1", all(4), social, mother)
	h.do(chair, &RecordDecision{Text: "DECISION-M1"})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	closed := h.s.meeting("m1").ClosedAt
	if !closed.Equal(t0) {
		t.Fatalf("ClosedAt: got %v, want %v", closed, t0)
	}
	t2 := t0.Add(14 * 24 * time.Hour)
	h.setUpMeeting("m2", t2, social, aunt)
	h.roundAll("m2", all(6), social, aunt)
	h.do(chair, &RecordDecision{Text: "DECISION-M2"})

	m1Reader := Reader{ID: mother.ID, Meeting: "m1"}
	if sg := h.s.SightOf(m1Reader, Reading{Now: t0.Add(23 * time.Hour)}); sg.Kind != SightView || !sg.Until.Equal(t0.Add(DefaultAfterClose)) {
		t.Fatalf("within 24 h of closing: got %d until %v", sg.Kind, sg.Until)
	}
	if sg := h.s.SightOf(m1Reader, Reading{Now: t0.Add(24 * time.Hour)}); sg.Kind != SightNone {
		t.Errorf("24 h after closing: got %d, want none", sg.Kind)
	}
	if sg := h.s.SightOf(m1Reader, Reading{Now: t0.Add(47 * time.Hour), AfterClose: 48 * time.Hour}); sg.Kind != SightView {
		t.Errorf("configured 48 h: got %d, want a view", sg.Kind)
	}
	v := h.s.SightOf(m1Reader, Reading{Now: t0.Add(time.Hour)}).Viewer
	if ru := View(h.s, v).ReadUntil; ru == nil || !ru.Equal(t0.Add(DefaultAfterClose)) {
		t.Errorf("the view says it is readable until %v, want %v", ru, t0.Add(DefaultAfterClose))
	}
	js := viewJSON(t, h.s, v)
	if strings.Contains(js, `"m2"`) || strings.Contains(js, "DECISION-M2") || !strings.Contains(js, "DECISION-M1") {
		t.Errorf("the meeting-1 invitee's view holds meeting 2 or lacks meeting 1: %s", js)
	}
	for _, e := range h.log {
		if re, ok := Redact(e, v); ok && re.Meeting == "m2" {
			t.Errorf("event %s of meeting 2 reaches the meeting-1 invitee", e.Type)
		}
	}
	// Removed from the meeting: nothing.
	h.do(chair, &Remove{Meeting: "m2", Participant: aunt.ID})
	if sg := h.s.SightOf(Reader{ID: aunt.ID, Meeting: "m2"}, Reading{Now: t2}); sg.Kind != SightNone {
		t.Errorf("removed invitee: got %d, want none", sg.Kind)
	}
}

// TestWithholdingInput: 'hidden from' names persons of the case, once each.
func TestWithholdingInput(t *testing.T) {
	h := jannaWithRefuge(t)
	h.fail(chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "x"}, Withholding: Withholding{HiddenFrom: []string{"buurman"}}}, CodeNotFound)
	h.fail(chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "x"}, Withholding: Withholding{HiddenFrom: []string{"vader", "vader"}}}, CodeInvalid)
	h.fail(chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "x"}, Withholding: Withholding{HiddenReason: "zonder personen"}}, CodeInvalid)
	h.fail(chair, &Admit{Meeting: "m1", Participant: aunt.ID, Person: "buurman"}, CodeNotFound)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
