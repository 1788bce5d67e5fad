package meeting

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// closedJanna is the Janna case with meeting m1 held and closed, Janna born in 2025.
func closedJanna(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.do(chair, &CreateCase{ID: "janna", Title: "Gezin van baby Janna",
		Subjects: []Subject{{ID: "janna", Name: "Janna", BirthYear: 2025}, {ID: "moeder", Name: "moeder", BirthYear: 1999}},
		Family:   []FamilyMember{{ID: "vader", Name: "Vader", Relation: "vader"}}})
	h.heldMeeting("m1", t0, all(7), true)
	return h
}

func TestCloseCase(t *testing.T) {
	h := closedJanna(t)
	h.now = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	h.fail(social, &CloseCase{Reason: "zorg afgerond"}, CodeForbidden)
	h.fail(chair, &CloseCase{}, CodeInvalid)
	h.fail(chair, &CloseCase{Reason: "x", Route: "onbekend"}, CodeInvalid)
	h.do(chair, &CloseCase{Reason: "Zorg afgerond: stabiele veiligheid"})
	// The later of 20 years after closing (1-6-2047) and Janna (2025) turning 18 (in 2043).
	end, ok := h.s.RetentionEnd()
	if !ok || !end.Equal(time.Date(2047, 6, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("retention ends %v (%v), want 1-6-2047", end, ok)
	}
	h.fail(chair, &CloseCase{Reason: "again"}, CodeConflict)
	// A closed case takes no more care: no meeting, no plan; the family's rights go on.
	h.fail(chair, &ScheduleMeeting{ID: "m2", Title: "Overleg m2", At: h.now}, CodeConflict)
	h.fail(social, &AddFact{Text: "nog iets"}, CodeConflict)
	lv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}).Case.Life
	if lv.Status != "closed" || lv.RetainUntil == nil || !lv.RetainUntil.Equal(end) || lv.Reason == "" {
		t.Fatalf("the family's view of the life: %+v", lv)
	}
	h.fail(social, &ReopenCase{Reason: "nieuwe melding"}, CodeForbidden)
	h.do(chair, &ReopenCase{Reason: "Nieuwe melding"})
	if _, ok := h.s.RetentionEnd(); ok || h.s.Life.Closed {
		t.Fatal("a reopened case still has a retention end")
	}
	h.do(chair, &ScheduleMeeting{ID: "m2", Title: "Overleg m2", At: h.now})
}

func TestRetentionRules(t *testing.T) {
	closedAt := time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		rule     RetentionRule
		youngest int
		want     time.Time
	}{
		{"20 years after closing is later", DefaultRetention, 2025, time.Date(2050, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"turning 18 is later", RetentionRule{YearsAfterClose: 5, UntilAge: 18}, 2025, time.Date(2044, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"no age rule", RetentionRule{YearsAfterClose: 15}, 0, time.Date(2045, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := retainUntil(closedAt, tc.rule, tc.youngest); !got.Equal(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Per route: the organisation's rule for the route, else its default, else 20:18.
	h := newJanna(t) // no birth years in this case
	h.now = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	c := h.ctx(chair)
	c.Retention = map[string]RetentionRule{"veilig-thuis": {YearsAfterClose: 5, UntilAge: 18}, "jeugdhulp": {YearsAfterClose: 20}}
	if _, err := Decide(h.s, &CloseCase{Reason: "klaar", Route: "veilig-thuis"}, c); err == nil || !strings.Contains(err.Error(), "birth year") {
		t.Fatalf("closing without a birth year: %v, want a question for it", err)
	}
	evs, err := Decide(h.s, &CloseCase{Reason: "klaar", Route: "veilig-thuis", YoungestBirthYear: 2024}, c)
	if err != nil || !evs[0].Data.(*CaseClosed).RetainUntil.Equal(time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("veilig-thuis: %v, %v", evs, err)
	}
	evs, err = Decide(h.s, &CloseCase{Reason: "klaar", Route: "jeugdhulp"}, c)
	if err != nil || !evs[0].Data.(*CaseClosed).RetainUntil.Equal(time.Date(2046, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("jeugdhulp: %v, %v", evs, err)
	}
}

func TestLegalHoldStopsTheClock(t *testing.T) {
	h := closedJanna(t)
	closed := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	h.now = closed
	h.do(chair, &CloseCase{Reason: "klaar"})
	end, _ := h.s.RetentionEnd()
	h.now = closed.AddDate(1, 0, 0)
	h.fail(chair, &SetLegalHold{Hold: true}, CodeInvalid) // a hold needs a reason
	h.do(chair, &SetLegalHold{Hold: true, Reason: "Rechtszaak over het gezag"})
	if _, ok := h.s.RetentionEnd(); ok || h.s.DueForDeletion(end.AddDate(10, 0, 0)) {
		t.Fatal("a case under a legal hold has a retention end")
	}
	if View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}).Case.Life.HoldReason != "" {
		t.Fatal("the family sees the reason of the hold")
	}
	h.now = closed.AddDate(3, 0, 0)
	h.do(chair, &SetLegalHold{Hold: false})
	got, ok := h.s.RetentionEnd()
	if want := end.Add(h.now.Sub(closed.AddDate(1, 0, 0))); !ok || !got.Equal(want) {
		t.Fatalf("after a two-year hold retention ends %v, want %v", got, want)
	}
}

func TestDeletionNeedsFourEyes(t *testing.T) {
	h := closedJanna(t)
	h.now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	h.fail(chair, &ApproveDeletion{}, CodeConflict) // not closed
	h.do(chair, &CloseCase{Reason: "klaar"})
	de := h.fail(chair, &ApproveDeletion{}, CodeConflict)
	if !strings.Contains(de.NL, "1-1-2050") {
		t.Fatalf("refusal %q does not name the end of retention", de.NL)
	}
	h.now = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
	h.fail(mother, &ApproveDeletion{}, CodeForbidden)
	h.do(chair, &ApproveDeletion{})
	if evs := h.do(chair, &ApproveDeletion{}); len(evs) != 0 || h.s.DeletionApproved() {
		t.Fatal("one professional approving twice made the deletion approved")
	}
	h.do(social, &ApproveDeletion{})
	if !h.s.DeletionApproved() {
		t.Fatal("two professionals approved, the deletion is not approved")
	}
	// Approvals are for professionals only.
	if _, ok := Redact(h.log[len(h.log)-1], Viewer{ID: mother.ID, Role: RoleFamily}); ok {
		t.Fatal("the family receives a deletion approval")
	}
}

// TestCorrectionsAndStatements: a correction shows everywhere the entry appears, with the old
// text, who and why for professionals only; a statement goes with its entry; neither reaches
// someone the entry is withheld from.
func TestCorrectionsAndStatements(t *testing.T) {
	h := jannaWithRefuge(t)
	refugeID := h.s.Plans.Agreements[0].ID
	other := h.s.Plans.Agreements[1].ID
	h.do(social, &AddFact{ID: "f-pro", Text: "PROF-ONLY politie-informatie", ProfessionalsOnly: true})
	h.fail(mother, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: other}, Text: "x", Reason: "y"}, CodeForbidden)
	h.fail(social, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: "nope"}, Text: "x", Reason: "y"}, CodeNotFound)
	h.fail(social, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: other}, Text: "Vader belt niet na 21 uur"}, CodeInvalid)
	evs := h.do(social, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: other}, Text: "Vader belt niet na 21 uur",
		Reason: "Het was 21 uur, niet 22 uur (vader)"})
	h.do(social, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: refugeID}, Text: refuge + " (gecorrigeerd)", Reason: "adres"})
	h.do(social, &CorrectEntry{EntryRef: EntryRef{Kind: "fact", Entry: "f-pro"}, Text: "PROF-ONLY politie-informatie, herzien", Reason: "bron"})

	pro := viewJSON(t, h.s, Viewer{ID: chair.ID, Professional: true, Role: RoleChair})
	for _, want := range []string{"Vader belt niet na 21 uur", `"previous":"Vader belt niet na 22 uur"`, "Het was 21 uur", social.Name} {
		if !strings.Contains(pro, want) {
			t.Errorf("the professionals' view lacks %q", want)
		}
	}
	motherView := View(h.s, h.s.SightOf(Reader{ID: mother.ID, Meeting: "m1"}, Reading{Now: h.now}).Viewer)
	mv, _ := json.Marshal(motherView)
	if !strings.Contains(string(mv), "Vader belt niet na 21 uur") || strings.Contains(string(mv), "22 uur") || strings.Contains(string(mv), "Het was 21 uur") {
		t.Fatalf("the mother's view of the correction: %s", mv)
	}
	if len(motherView.Plans.Corrections) != 2 {
		t.Fatalf("the mother sees %d corrections, want those of the two agreements (not the professionals-only fact)", len(motherView.Plans.Corrections))
	}
	fatherV := h.s.SightOf(Reader{ID: father.ID, Meeting: "m1"}, Reading{Now: h.now}).Viewer
	if fv := View(h.s, fatherV); len(fv.Plans.Corrections) != 1 || fv.Plans.Corrections[0].Entry != other {
		t.Fatalf("the father sees corrections %+v, want only the one of the agreement he sees", fv.Plans.Corrections)
	}
	if e, ok := Redact(evs[0], fatherV); !ok || e.Data.(*Correction).Previous != "" || e.Data.(*Correction).By != "" {
		t.Fatalf("the father's event of the correction: %+v", e.Data)
	}
	if _, ok := Redact(h.log[len(h.log)-2], fatherV); ok {
		t.Fatal("the father receives the correction of an agreement withheld from him")
	}

	// Statements: the mother adds her own; the father cannot attach one to what he does not
	// see; a professional records one for the father.
	h.do(mother, &AddStatement{EntryRef: EntryRef{Kind: "agreement", Entry: other}, Person: "moeder", Text: "Ik ben het er niet mee eens"})
	h.fail(mother, &AddStatement{EntryRef: EntryRef{Kind: "agreement", Entry: other}, Person: "vader", Text: "namens vader"}, CodeForbidden)
	h.fail(father, &AddStatement{EntryRef: EntryRef{Kind: "agreement", Entry: refugeID}, Person: "vader", Text: "?"}, CodeNotFound)
	h.do(social, &AddStatement{EntryRef: EntryRef{Kind: "agreement", Entry: refugeID}, Person: "moeder", Text: "Mijn adres blijft geheim"})
	if fv := View(h.s, fatherV); len(fv.Plans.Statements) != 1 || fv.Plans.Statements[0].Text != "Ik ben het er niet mee eens" {
		t.Fatalf("the father sees statements %+v", fv.Plans.Statements)
	}
	if mv := View(h.s, motherView0(h)); len(mv.Plans.Statements) != 2 {
		t.Fatalf("the mother sees %d statements, want 2", len(mv.Plans.Statements))
	}
}

func motherView0(h *harness) Viewer {
	return h.s.SightOf(Reader{ID: mother.ID, Meeting: "m1"}, Reading{Now: h.now}).Viewer
}

func TestDestructionRequest(t *testing.T) {
	h := closedJanna(t)
	h.now = time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC)
	h.do(chair, &CloseCase{Reason: "klaar"})
	h.fail(social, &RequestDestruction{Person: "janna"}, CodeInvalid) // six years old
	h.fail(social, &RequestDestruction{Person: "buurman"}, CodeNotFound)
	h.fail(mother, &RequestDestruction{Person: "moeder"}, CodeForbidden) // not linked to her in this case
	h.do(social, &RequestDestruction{ID: "vv1", Person: "moeder", Reason: "Ik wil dat mijn dossier weg is"})
	h.fail(mother, &DecideDestruction{ID: "vv1", Grant: true, Reason: "x"}, CodeForbidden)
	h.fail(chair, &DecideDestruction{ID: "vv1", Grant: true}, CodeInvalid)
	h.do(chair, &DecideDestruction{ID: "vv1", Grant: true, Reason: "Geen zwaarwegend belang van een ander"})
	h.fail(chair, &DecideDestruction{ID: "vv1", Grant: true, Reason: "nogmaals"}, CodeConflict)
	if h.s.DeletionApproved() {
		t.Fatal("one professional's decision granted the request")
	}
	// A second professional who disagrees makes a new proposal; agreeing makes it final.
	h.do(social, &DecideDestruction{ID: "vv1", Grant: false, Reason: "Janna heeft er belang bij"})
	h.do(chair, &DecideDestruction{ID: "vv1", Grant: false, Reason: "eens"})
	r := h.s.destruction("vv1")
	if r.Status != DestructionRefused || r.Decision.Reason != "Janna heeft er belang bij" || r.Decision.Second != chair.ID || h.s.DeletionApproved() {
		t.Fatalf("request after two refusals: %+v %+v", r, r.Decision)
	}
	h.fail(social, &DecideDestruction{ID: "vv1", Grant: true, Reason: "toch"}, CodeConflict)
	h.do(social, &RequestDestruction{ID: "vv2", Person: "vader"})
	h.do(chair, &DecideDestruction{ID: "vv2", Grant: true, Reason: "Geen belang van anderen"})
	h.do(social, &DecideDestruction{ID: "vv2", Grant: true, Reason: "eens"})
	if !h.s.DeletionApproved() {
		t.Fatal("a granted request does not approve the deletion")
	}
	if lv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}).Case.Life; len(lv.Destruction) != 2 || lv.Destruction[0].Status != DestructionRefused {
		t.Fatalf("the family's view of the requests: %+v", lv.Destruction)
	}
}

// TestPersonFile: the file of one person holds their own scores with explanations, the
// entries visible to them, their meetings — and leaves out, and counts, what is withheld from
// them or kept for professionals.
func TestPersonFile(t *testing.T) {
	h := jannaWithRefuge(t)
	h.do(social, &AddFact{Text: "PROF-ONLY politie", ProfessionalsOnly: true})
	h.do(chair, &CorrectEntry{EntryRef: EntryRef{Kind: "agreement", Entry: h.s.Plans.Agreements[1].ID}, Text: "Vader belt niet na 21 uur", Reason: "r"})
	h.do(mother, &AddStatement{EntryRef: EntryRef{Kind: "agreement", Entry: h.s.Plans.Agreements[1].ID}, Person: "moeder", Text: "Niet mee eens"})
	if _, ok := h.s.PersonFile("buurman"); ok {
		t.Fatal("a file for someone who is not in the case")
	}
	mf, _ := h.s.PersonFile("moeder")
	ff, _ := h.s.PersonFile("vader")
	mj, _ := json.Marshal(mf)
	fj, _ := json.Marshal(ff)
	own := 0
	for _, sc := range mf.Scores {
		if sc.Own && strings.Contains(sc.Meaning, hiddenMarker) {
			own++
		}
	}
	if own != 2 || len(mf.Meetings) != 1 || !strings.Contains(string(mj), refuge) || !strings.Contains(string(mj), "Niet mee eens") {
		t.Fatalf("the mother's file: %d own scores, %d meetings:\n%s", own, len(mf.Meetings), mj)
	}
	if strings.Contains(string(fj), refuge) || ff.Withheld.FromPerson != 1 || strings.Contains(string(fj), "PROF-ONLY") || ff.Withheld.ProfessionalsOnly != 1 {
		t.Fatalf("the father's file: withheld %+v\n%s", ff.Withheld, fj)
	}
	if mf.Withheld.FromPerson != 0 || strings.Contains(string(mj), "REASON-PRO-ONLY") || strings.Contains(string(mj), "hiddenFrom") {
		t.Fatalf("the mother's file carries markings or counts: %+v", mf.Withheld)
	}
}
