package meeting

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// reviseCase: meeting 1 made the plan (bottom line, agreement, risk factor, care goal, future
// line) under stable safety; meeting 3 of the stable series is in progress.
func reviseCase(t *testing.T) *harness {
	t.Helper()
	h := newJanna(t)
	h.stable()
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Ouders troosten Janna."})
	h.do(chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "Ouders komen dagelijks.", Owner: Owner{Name: "Ouders"}, When: "dagelijks", BottomLine: "bl1"})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf1", Text: "Schulden.", Category: "environment", Priority: 2}})
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Member: "vader", Text: "Vader beheerst zijn boosheid.", Priority: 1, RiskFactors: []string{"rf1"}})
	h.do(chair, &AddFutureEntry{FutureEntry{ID: "fp1", WarningSign: "Slecht slapen", Action: "Time-out", Contact: "Tante"}})
	return h
}

// TestBijstellen: bottom lines, agreements, goals, risk factors and future-plan lines are
// revised and withdrawn — never deleted — each change an event, each revision keeping where
// and what the entry was; every change raises the plan version (paper §1 phase 4, §3.4:
// "tussentijds geëvalueerd en zo nodig bijgesteld").
func TestBijstellen(t *testing.T) {
	h := reviseCase(t)
	v0 := h.s.Plans.Version
	if v0 != 5 {
		t.Fatalf("version after five entries: got %d, want 5", v0)
	}
	revisions := []struct {
		name string
		cmd  Command
		typ  string
		was  func() (string, []Revision)
	}{
		{"bottom line", &ReviseBottomLine{ID: "bl1", Subjects: []string{"janna", "moeder"}, Text: "Ouders troosten Janna als zij huilt."}, "bottomline.revised",
			func() (string, []Revision) { b := h.s.Plans.BottomLines[0]; return b.Text, b.Revisions }},
		{"agreement", &ReviseAgreement{ID: "ag1", Action: "Ouders komen dagelijks, moeder ook 's avonds.", Owner: Owner{Participant: mother.ID}, When: "dagelijks", BottomLine: "bl1"}, "agreement.revised",
			func() (string, []Revision) {
				a := h.s.Plans.Agreements[0]
				return a.Action + "|" + a.Owner.Name, a.Revisions
			}},
		{"risk factor", &ReviseRiskFactor{ID: "rf1", Text: "Schulden van de zaak.", Category: "environment", Dynamic: true, Priority: 1}, "risk.revised",
			func() (string, []Revision) { r := h.s.Plans.RiskFactors[0]; return r.Text, r.Revisions }},
		{"goal", &ReviseGoal{ID: "g1", Member: "vader", Text: "Vader reageert rustig op Janna.", Priority: 1, RiskFactors: []string{"rf1"}}, "goal.revised",
			func() (string, []Revision) { g := h.s.Plans.Goals[0]; return g.Text, g.Revisions }},
		{"future line", &ReviseFutureEntry{ID: "fp1", WarningSign: "Slecht slapen", Action: "Time-out en tante bellen", Contact: "Tante"}, "future.revised",
			func() (string, []Revision) { f := h.s.Plans.Future[0]; return f.Action, f.Revisions }},
	}
	wants := []string{"Ouders troosten Janna als zij huilt.", "Ouders komen dagelijks, moeder ook 's avonds.|Moeder", "Schulden van de zaak.", "Vader reageert rustig op Janna.", "Time-out en tante bellen"}
	olds := []string{"Ouders troosten Janna.", "Ouders komen dagelijks. — Ouders — dagelijks", "Schulden.", "Vader beheerst zijn boosheid.", "Slecht slapen — Time-out — Tante"}
	for i, tc := range revisions {
		t.Run(tc.name, func(t *testing.T) {
			h.fail(social, tc.cmd, CodeForbidden)
			evs := h.do(chair, tc.cmd)
			if len(evs) != 1 || evs[0].Type != tc.typ || evs[0].Meeting != "m3" {
				t.Fatalf("got %v, want one %s in m3", types(evs), tc.typ)
			}
			now, revs := tc.was()
			if now != wants[i] || len(revs) != 1 || revs[0].Was != olds[i] || revs[0].Meeting != "m3" || revs[0].Version != v0+i+1 {
				t.Errorf("got %q with revisions %+v, want %q, was %q in m3 at version %d", now, revs, wants[i], olds[i], v0+i+1)
			}
			if evs := h.do(chair, tc.cmd); len(evs) != 0 {
				t.Errorf("the same revision again: got %v, want nothing", types(evs))
			}
		})
	}
	if h.s.Plans.Version != v0+5 {
		t.Errorf("version: got %d, want %d", h.s.Plans.Version, v0+5)
	}

	t.Run("withdraw", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			cmd  *WithdrawEntry
			code Code
		}{
			{"an unknown kind", &WithdrawEntry{Entry: "fact", ID: "x", Reason: "x"}, CodeInvalid},
			{"an unknown entry", &WithdrawEntry{Entry: "goal", ID: "g9", Reason: "x"}, CodeNotFound},
			{"without a reason", &WithdrawEntry{Entry: "goal", ID: "g1"}, CodeInvalid},
		} {
			h.fail(chair, tc.cmd, tc.code)
		}
		h.fail(social, &WithdrawEntry{Entry: "agreement", ID: "ag1", Reason: "x"}, CodeForbidden)
		evs := h.do(chair, &WithdrawEntry{Entry: "agreement", ID: "ag1", Reason: "Janna is thuis."})
		a := h.s.Plans.Agreements[0]
		if evs[0].Type != "plan.withdrawn" || a.Withdrawn == nil || a.Withdrawn.Reason != "Janna is thuis." || a.Withdrawn.Meeting != "m3" || len(h.s.Plans.Agreements) != 1 {
			t.Fatalf("withdrawn: got %v %+v, want the agreement kept, marked withdrawn in m3", types(evs), a)
		}
		// A withdrawn entry changes no more and serves nothing.
		h.fail(chair, &WithdrawEntry{Entry: "agreement", ID: "ag1", Reason: "x"}, CodeConflict)
		h.fail(chair, &ReviseAgreement{ID: "ag1", Action: "x", Owner: Owner{Name: "x"}}, CodeConflict)
		h.fail(chair, &SetAgreementStatus{ID: "ag1", Status: "done"}, CodeConflict)
		h.fail(mother, &TakeOnAgreement{ID: "ag1"}, CodeConflict)
		h.do(chair, &WithdrawEntry{Entry: "risk_factor", ID: "rf1", Reason: "Schulden zijn afgelost."})
		h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 1, RiskFactors: []string{"rf1"}}, CodeConflict)
		h.do(chair, &WithdrawEntry{Entry: "bottom_line", ID: "bl1", Reason: "Gehaald en vervangen."})
		h.fail(chair, &SetBottomLineStatus{ID: "bl1", Status: "met"}, CodeConflict)
		h.fail(chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "x"}, BottomLine: "bl1"}, CodeConflict)
		h.do(chair, &WithdrawEntry{Entry: "goal", ID: "g1", Reason: "Samengevoegd."})
		h.do(chair, &WithdrawEntry{Entry: "future", ID: "fp1", Reason: "Nieuw toekomstplan."})
		if h.s.Plans.Version != v0+10 {
			t.Errorf("version after five withdrawals: got %d, want %d", h.s.Plans.Version, v0+10)
		}
	})
}

// TestBijstellenFollowsTheGate: a revision or withdrawal passes the gate of the entry's section,
// as adding it did: care entries need direct safety, the future plan stable safety.
func TestBijstellenFollowsTheGate(t *testing.T) {
	h := reviseCase(t)
	h.roundAll("m3", all(5), everyone...)
	h.fail(chair, &ReviseGoal{ID: "g1", Member: "vader", Text: "x", Priority: 1}, CodeGateClosed)
	h.fail(chair, &ReviseRiskFactor{ID: "rf1", Text: "x", Category: "parent", Priority: 1}, CodeGateClosed)
	h.fail(chair, &ReviseFutureEntry{ID: "fp1", WarningSign: "x", Action: "x", Contact: "x"}, CodeGateClosed)
	h.fail(chair, &WithdrawEntry{Entry: "goal", ID: "g1", Reason: "x"}, CodeGateClosed)
	// The safety plan is revised whatever the scores (paper §3.4: "het bijstellen van de
	// afspraken").
	h.do(chair, &ReviseAgreement{ID: "ag1", Action: "Ouders komen twee keer per dag.", Owner: Owner{Name: "Ouders"}, When: "dagelijks"})
	h.do(chair, &ReviseBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Ouders troosten Janna, ook 's nachts."})
	h.do(chair, &CloseMeeting{Meeting: "m3"})
	h.fail(chair, &ReviseBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "x"}, CodeConflict) // only in a meeting
}

// TestBijstellenRespectsWithholding: a revision or withdrawal of an entry withheld from a
// person reaches no one it is withheld from, and keeps the entry's markings.
func TestBijstellenRespectsWithholding(t *testing.T) {
	h := reviseCase(t)
	h.do(chair, &AddAgreement{ID: "ag2", Plan: "safety", Action: "Opvangadres OPVANG-A", Owner: Owner{Name: "Moeder"},
		Withholding: Withholding{HiddenFrom: []string{"vader"}, HiddenReason: "Veiligheid van moeder"}})
	rev := h.do(chair, &ReviseAgreement{ID: "ag2", Action: "Opvangadres OPVANG-B", Owner: Owner{Name: "Moeder"}})
	wd := h.do(chair, &WithdrawEntry{Entry: "agreement", ID: "ag2", Reason: "Moeder is terug OPVANG-C"})
	dad := Viewer{ID: father.ID, Role: RoleFamily, Person: "vader", Hidden: []string{"vader"}}
	mum := Viewer{ID: mother.ID, Role: RoleFamily, Person: "mama"}
	for _, e := range append(rev, wd...) {
		if _, ok := Redact(e, dad); ok {
			t.Errorf("%s reaches the father it is withheld from", e.Type)
		}
		re, ok := Redact(e, mum)
		if b, _ := json.Marshal(re); !ok || strings.Contains(string(b), "Veiligheid van moeder") {
			t.Errorf("%s for the mother: ok %v, %s; want it without the markings", e.Type, ok, b)
		}
	}
	a := h.s.Plans.Agreements[1]
	if !slices.Equal(a.HiddenFrom, []string{"vader"}) || a.HiddenReason != "Veiligheid van moeder" {
		t.Errorf("markings after the revision: got %+v", a.Withholding)
	}
	b, _ := json.Marshal(View(h.s, dad))
	if strings.Contains(string(b), "OPVANG") {
		t.Error("the father's view holds the withheld agreement or its history")
	}
	// The father's version did not move with changes he cannot see.
	if got, want := View(h.s, dad).Plans.Version, 5; got != want {
		t.Errorf("the father's plan version: got %d, want %d", got, want)
	}
}

// TestPlanVersionAndConfirmation: a family confirmation records the plan version it saw; after
// a change the family sees a newer version ("Het plan is veranderd sinds je akkoord") and can
// confirm again; confirming an unchanged plan again changes nothing.
func TestPlanVersionAndConfirmation(t *testing.T) {
	h := reviseCase(t)
	evs := h.do(mother, &ConfirmPlan{Meeting: "m3"})
	if c := evs[0].Data.(*Confirmation); c.Version != 5 {
		t.Fatalf("confirmation: got version %d, want 5", c.Version)
	}
	if evs := h.do(mother, &ConfirmPlan{Meeting: "m3"}); len(evs) != 0 {
		t.Errorf("confirming an unchanged plan again: got %v, want nothing", types(evs))
	}
	h.do(chair, &ReviseAgreement{ID: "ag1", Action: "Ouders komen twee keer per dag.", Owner: Owner{Name: "Ouders"}, When: "dagelijks", BottomLine: "bl1"})
	cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	if cv.Plans.Version != 6 || cv.Plans.Confirmations[0].Version != 5 {
		t.Fatalf("after a revision: plan version %d, confirmed %d; want 6 and 5", cv.Plans.Version, cv.Plans.Confirmations[0].Version)
	}
	if a := cv.Plans.Agreements[0]; len(a.Revisions) != 1 || a.Revisions[0].Was != "Ouders komen dagelijks. — Ouders — dagelijks" {
		t.Errorf("the family sees what the agreement was: got %+v", a.Revisions)
	}
	evs = h.do(mother, &ConfirmPlan{Meeting: "m3"})
	if c := evs[0].Data.(*Confirmation); c.Version != 6 || len(h.s.Plans.Confirmations) != 2 {
		t.Errorf("confirming again: got version %d (%d confirmations), want 6 and 2", c.Version, len(h.s.Plans.Confirmations))
	}
}

// TestGoalEvaluationsPerMeeting: every goal keeps its evaluation per meeting.
func TestGoalEvaluationsPerMeeting(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(6), false)
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader beheerst zijn boosheid.", Priority: 1})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.heldMeeting("m2", t0.AddDate(0, 1, 0), all(6), false)
	h.do(chair, &EvaluateGoal{ID: "g1", Outcome: "in_progress"})
	h.do(chair, &CloseMeeting{Meeting: "m2"})
	h.heldMeeting("m3", t0.AddDate(0, 2, 0), all(6), false)
	h.do(chair, &EvaluateGoal{ID: "g1", Outcome: "achieved"})
	g := h.s.Plans.Goals[0]
	if g.Evaluation != "achieved" || g.Evaluations["m2"] != "in_progress" || g.Evaluations["m3"] != "achieved" {
		t.Errorf("goal: got %q %v, want achieved with m2 in progress and m3 achieved", g.Evaluation, g.Evaluations)
	}
}
