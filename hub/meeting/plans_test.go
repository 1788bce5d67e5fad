package meeting

import (
	"reflect"
	"strings"
	"testing"
)

// planCase is a Janna case with meeting m1 in progress whose first round revealed values.
func planCase(t *testing.T, values map[string]int) *harness {
	t.Helper()
	h := newJanna(t)
	h.heldMeeting("m1", t0, values, false)
	return h
}

// TestBottomLines: bodemeisen with subjects, text and a status per meeting (paper §3.2).
func TestBottomLines(t *testing.T) {
	h := planCase(t, map[string]int{"janna": 2, "moeder": 3})
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna", "moeder"}, Text: "Ouders lopen bij ruzie naar een andere kamer."})
	bl := h.s.Plans.BottomLines[0]
	if bl.Status != "open" || !reflect.DeepEqual(bl.Subjects, []string{"janna", "moeder"}) {
		t.Fatalf("new bottom line: got %+v, want open for janna and moeder", bl)
	}
	h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "not_met"})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.heldMeeting("m2", t0.AddDate(0, 3, 0), all(6), false)
	h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "met"})
	bl = h.s.Plans.BottomLines[0]
	if want := map[string]string{"m1": "not_met", "m2": "met"}; bl.Status != "met" || !reflect.DeepEqual(bl.History, want) {
		t.Errorf("status per meeting: got %s %v, want met %v", bl.Status, bl.History, want)
	}
	h.do(chair, &AddBottomLine{Subjects: []string{"janna"}, Text: "Tweede bodemeis"})
	if id := h.s.Plans.BottomLines[1].ID; id == "" || id == "bl1" {
		t.Errorf("generated id: got %q", id)
	}

	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"no subjects", chair, &AddBottomLine{Text: "x"}, CodeInvalid},
		{"an unknown subject", chair, &AddBottomLine{Subjects: []string{"opa"}, Text: "x"}, CodeNotFound},
		{"no text", chair, &AddBottomLine{Subjects: []string{"janna"}, Text: " "}, CodeInvalid},
		{"a taken id", chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "x"}, CodeConflict},
		{"a bad id", chair, &AddBottomLine{ID: "b l", Subjects: []string{"janna"}, Text: "x"}, CodeInvalid},
		{"not the chair", social, &AddBottomLine{Subjects: []string{"janna"}, Text: "x"}, CodeForbidden},
		{"family may not", mother, &AddBottomLine{Subjects: []string{"janna"}, Text: "x"}, CodeForbidden},
		{"an unknown status", chair, &SetBottomLineStatus{ID: "bl1", Status: "half"}, CodeInvalid},
		{"status of an unknown bottom line", chair, &SetBottomLineStatus{ID: "bl9", Status: "met"}, CodeNotFound},
		{"status by someone else than the chair", social, &SetBottomLineStatus{ID: "bl1", Status: "met"}, CodeForbidden},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}
	t.Run("between meetings", func(t *testing.T) {
		h.do(chair, &CloseMeeting{Meeting: "m2"})
		h.fail(chair, &AddBottomLine{Subjects: []string{"janna"}, Text: "x"}, CodeConflict)
		h.fail(chair, &SetBottomLineStatus{ID: "bl1", Status: "met"}, CodeConflict)
	})
}

// TestAgreements: afspraken with an action, an owner (a participant or a named network person),
// when, the bottom line or goal they serve, and a status; anyone at the table but observers
// may take one on (paper §3.2, §3.4).
func TestAgreements(t *testing.T) {
	h := planCase(t, map[string]int{"janna": 2, "moeder": 3})
	h.do(guest, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: guest.ID})
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Troosten"})
	h.do(chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "Dagelijks badje, bed en flesje", Owner: Owner{Participant: nurse.ID, Name: "wordt vervangen"}, When: "dagelijks", BottomLine: "bl1"})
	h.do(chair, &AddAgreement{ID: "ag2", Plan: "safety", Action: "Financiën op een rij", Owner: Owner{Name: "Broer van vader"}, When: "binnen twee weken"})
	ag := h.s.Plans.Agreements[0]
	if ag.Owner.Name != nurse.Name || ag.Owner.Participant != nurse.ID || ag.Status != "open" || ag.BottomLine != "bl1" || ag.When != "dagelijks" {
		t.Errorf("agreement with a participant as owner: got %+v", ag)
	}
	if o := h.s.Plans.Agreements[1].Owner; o.Participant != "" || o.Name != "Broer van vader" {
		t.Errorf("agreement with a named network person: got %+v", o)
	}
	h.do(chair, &SetAgreementStatus{ID: "ag1", Status: "done"})
	h.do(aunt, &TakeOnAgreement{ID: "ag2"})
	if ag := h.s.Plans.Agreements[1]; ag.Owner.Participant != aunt.ID || ag.Owner.Name != aunt.Name {
		t.Errorf("taken on: got %+v, want the aunt", ag.Owner)
	}
	if got := h.s.Plans.Agreements[0].Status; got != "done" {
		t.Errorf("status: got %s, want done", got)
	}

	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"an unknown plan", chair, &AddAgreement{Plan: "wish", Action: "x", Owner: Owner{Name: "X"}}, CodeInvalid},
		{"no action", chair, &AddAgreement{Plan: "safety", Owner: Owner{Name: "X"}}, CodeInvalid},
		{"no owner", chair, &AddAgreement{Plan: "safety", Action: "x"}, CodeInvalid},
		{"an owner who is not at the table", chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Participant: "u:nobody"}}, CodeNotFound},
		{"an unknown bottom line", chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "X"}, BottomLine: "bl9"}, CodeNotFound},
		{"an unknown goal", chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "X"}, Goal: "g9"}, CodeNotFound},
		{"when too long", chair, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "X"}, When: strings.Repeat("w", 201)}, CodeInvalid},
		{"a taken id", chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "x", Owner: Owner{Name: "X"}}, CodeConflict},
		{"a care agreement without direct safety", chair, &AddAgreement{Plan: "care", Action: "x", Owner: Owner{Name: "X"}}, CodeGateClosed},
		{"a recovery agreement without direct safety", chair, &AddAgreement{Plan: "recovery", Action: "x", Owner: Owner{Name: "X"}}, CodeGateClosed},
		{"by someone else than the chair", social, &AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "X"}}, CodeForbidden},
		{"an unknown status", chair, &SetAgreementStatus{ID: "ag1", Status: "maybe"}, CodeInvalid},
		{"status of an unknown agreement", chair, &SetAgreementStatus{ID: "ag9", Status: "done"}, CodeNotFound},
		{"status by someone else than the chair", social, &SetAgreementStatus{ID: "ag1", Status: "done"}, CodeForbidden},
		{"an observer takes nothing on", guest, &TakeOnAgreement{ID: "ag1"}, CodeForbidden},
		{"someone not at the table takes nothing on", stranger, &TakeOnAgreement{ID: "ag1"}, CodeForbidden},
		{"take on an unknown agreement", aunt, &TakeOnAgreement{ID: "ag9"}, CodeNotFound},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}

	t.Run("care agreements follow the gate of the care plan", func(t *testing.T) {
		h := planCase(t, all(6))
		h.do(chair, &AddAgreement{ID: "ag1", Plan: "care", Action: "Thuiszorg", Owner: Owner{Participant: nurse.ID}})
		h.roundAll("m1", all(5), everyone...)
		h.fail(mother, &TakeOnAgreement{ID: "ag1"}, CodeGateClosed)
		h.fail(chair, &SetAgreementStatus{ID: "ag1", Status: "done"}, CodeGateClosed)
	})
	t.Run("between meetings nothing is taken on", func(t *testing.T) {
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.fail(aunt, &TakeOnAgreement{ID: "ag1"}, CodeConflict)
	})
}

// TestMonitoringEscalationResearch: monitoring check-ins between meetings, escalation and the
// research plan — safety work, professionals only (paper §3.2, §3.3, §3.5).
func TestMonitoringEscalationResearch(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m0", t0.AddDate(0, 0, -14), all(3), false)
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"moeder"}, Text: "Moeder heeft een eigen veiligheidsplan"})
	h.do(chair, &CloseMeeting{Meeting: "m0"})
	h.now = t0.AddDate(0, 0, -7)
	// Monitoring between meetings: no meeting needed.
	evs := h.do(social, &AddCheckIn{CheckIn{Date: "2025-12-29", BottomLine: "bl1", PlanNeeded: true, HowItWorked: "Moeder belde haar zus", Concerns: "PROF-ONLY geen"}})
	if evs[0].Visibility != VisibleProfessionals || evs[0].Meeting != "" {
		t.Errorf("check-in event: visibility %s meeting %q, want professionals and no meeting", evs[0].Visibility, evs[0].Meeting)
	}
	if ci := h.s.Plans.Monitoring[0]; ci.By != social.Name || !ci.PlanNeeded || ci.ID == "" {
		t.Errorf("check-in: got %+v, want by %s", ci, social.Name)
	}
	h.do(nurse, &AddCheckIn{CheckIn{ID: "mo-b", Date: "2025-12-30", BottomLine: "bl1", By: "Wijkagent"}})
	if got := h.s.Plans.Monitoring[1].By; got != "Wijkagent" {
		t.Errorf("check-in by: got %q, want Wijkagent", got)
	}

	h.heldMeeting("m1", t0, map[string]int{"janna": 2, "moeder": 3}, false)
	for _, kind := range []string{"veilig_thuis_advice", "veilig_thuis_deployment", "child_protection_board", "criminal_justice", "mda_expertise", "compulsory_framework"} {
		evs := h.do(chair, &AddEscalation{Escalation{Kind: kind, Decision: "PROF-ONLY besluit", Reason: "bodemeisen niet gehaald", Who: "Vera", When: "direct"}})
		if evs[0].Visibility != VisibleProfessionals {
			t.Errorf("escalation %s: visibility %s, want professionals", kind, evs[0].Visibility)
		}
	}
	for _, part := range []string{"medical_injury_exam", "fact_finding_interviews", "special_police_methods", "perpetrator_risk_profile", "violence_dynamics", "intrusive_memories"} {
		evs := h.do(chair, &AddResearchPart{ResearchPart{Part: part, Chain: "medical", Notes: "PROF-ONLY"}})
		if evs[0].Visibility != VisibleProfessionals {
			t.Errorf("research part %s: visibility %s, want professionals", part, evs[0].Visibility)
		}
	}
	if len(h.s.Plans.Escalations) != 6 || len(h.s.Plans.Research) != 6 {
		t.Errorf("plans: %d escalations, %d research parts; want 6, 6", len(h.s.Plans.Escalations), len(h.s.Plans.Research))
	}
	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"family records no monitoring", mother, &AddCheckIn{CheckIn{Date: "2026-01-12"}}, CodeForbidden},
		{"a check-in needs a date", social, &AddCheckIn{CheckIn{}}, CodeInvalid},
		{"a check-in with a taken id", social, &AddCheckIn{CheckIn{ID: "mo-b", Date: "x"}}, CodeConflict},
		{"concerns too long", social, &AddCheckIn{CheckIn{Date: "x", Concerns: strings.Repeat("c", maxText+1)}}, CodeInvalid},
		{"an unknown escalation", chair, &AddEscalation{Escalation{Kind: "shout", Decision: "x"}}, CodeInvalid},
		{"an escalation without a decision", chair, &AddEscalation{Escalation{Kind: "mda_expertise"}}, CodeInvalid},
		{"an escalation with a bad id", chair, &AddEscalation{Escalation{ID: "e s", Kind: "mda_expertise", Decision: "x"}}, CodeInvalid},
		{"an escalation by someone else than the chair", social, &AddEscalation{Escalation{Kind: "mda_expertise", Decision: "x"}}, CodeForbidden},
		{"an unknown research part", chair, &AddResearchPart{ResearchPart{Part: "astrology", Chain: "care"}}, CodeInvalid},
		{"an unknown chain", chair, &AddResearchPart{ResearchPart{Part: "other", Chain: "school"}}, CodeInvalid},
		{"research notes too long", chair, &AddResearchPart{ResearchPart{Part: "other", Chain: "care", Notes: strings.Repeat("n", maxText+1)}}, CodeInvalid},
		{"a research part with a bad id", chair, &AddResearchPart{ResearchPart{ID: "r p", Part: "other", Chain: "care"}}, CodeInvalid},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}
}

// TestRiskFactorsAndGoals: risk factors as facts with a category, static/dynamic, a priority
// and an optional instrument; care goals in priority order linked to risk factors; recovery
// goals per family member (paper §3.4, §4).
func TestRiskFactorsAndGoals(t *testing.T) {
	h := planCase(t, all(6))
	for i, ins := range []string{"", "CARE-NL", "ARIJ", "B-SAFER", "Static-99", "Stable", "Acute"} {
		for _, cat := range []string{"parent", "child", "parent_child", "partner", "environment"} {
			h.do(chair, &AddRiskFactor{RiskFactor{Text: "Feit " + cat, Category: cat, Priority: i + 1, Instrument: ins}})
		}
	}
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf1", Text: "Vader is krenkbaar.", Category: "parent", Dynamic: true, Priority: 1, ProfessionalsOnly: true}})
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader controleert zijn boosheid.", Priority: 1, RiskFactors: []string{"rf1"}})
	h.do(chair, &AddGoal{ID: "g2", Plan: "recovery", Member: "mama", Text: "Moeder verwerkt het geweld.", Priority: 1})
	h.do(chair, &AddGoal{ID: "g3", Plan: "recovery", Member: "janna", Text: "Naar het kinderdagverblijf.", Priority: 2})
	g := h.s.Plans.Goals
	if g[0].Meeting != "m1" || !reflect.DeepEqual(g[0].RiskFactors, []string{"rf1"}) || g[1].Member != "mama" || g[2].Member != "janna" {
		t.Errorf("goals: got %+v %+v %+v", g[0], g[1], g[2])
	}
	refused := []struct {
		name string
		cmd  Command
		code Code
	}{
		{"an unknown category", &AddRiskFactor{RiskFactor{Text: "x", Category: "weather", Priority: 1}}, CodeInvalid},
		{"an unknown instrument", &AddRiskFactor{RiskFactor{Text: "x", Category: "parent", Priority: 1, Instrument: "Tarot"}}, CodeInvalid},
		{"priority 0", &AddRiskFactor{RiskFactor{Text: "x", Category: "parent"}}, CodeInvalid},
		{"priority 101", &AddRiskFactor{RiskFactor{Text: "x", Category: "parent", Priority: 101}}, CodeInvalid},
		{"a risk factor without text", &AddRiskFactor{RiskFactor{Category: "parent", Priority: 1}}, CodeInvalid},
		{"a risk factor with a taken id", &AddRiskFactor{RiskFactor{ID: "rf1", Text: "x", Category: "parent", Priority: 1}}, CodeConflict},
		{"an unknown goal plan", &AddGoal{Plan: "safety", Text: "x", Priority: 1}, CodeInvalid},
		{"a care goal for a stranger", &AddGoal{Plan: "care", Member: "buurman", Text: "x", Priority: 1}, CodeNotFound},
		{"a recovery goal for nobody", &AddGoal{Plan: "recovery", Text: "x", Priority: 1}, CodeNotFound},
		{"a recovery goal for a stranger", &AddGoal{Plan: "recovery", Member: "buurman", Text: "x", Priority: 1}, CodeNotFound},
		{"a goal with priority 0", &AddGoal{Plan: "care", Text: "x"}, CodeInvalid},
		{"a goal with an unknown risk factor", &AddGoal{Plan: "care", Text: "x", Priority: 1, RiskFactors: []string{"rf9"}}, CodeNotFound},
		{"a goal without text", &AddGoal{Plan: "care", Priority: 1}, CodeInvalid},
		{"a goal with a taken id", &AddGoal{ID: "g1", Plan: "care", Text: "x", Priority: 1}, CodeConflict},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(chair, tc.cmd, tc.code) })
	}
	t.Run("only the chair", func(t *testing.T) {
		h.fail(social, &AddRiskFactor{RiskFactor{Text: "x", Category: "parent", Priority: 1}}, CodeForbidden)
		h.fail(social, &AddGoal{Plan: "care", Text: "x", Priority: 1}, CodeForbidden)
	})
	t.Run("locked without direct safety", func(t *testing.T) {
		h := planCase(t, map[string]int{"janna": 6, "moeder": 5})
		h.fail(chair, &AddRiskFactor{RiskFactor{Text: "x", Category: "parent", Priority: 1}}, CodeGateClosed)
		h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 1}, CodeGateClosed)
		h.fail(chair, &AddGoal{Plan: "recovery", Member: "mama", Text: "x", Priority: 1}, CodeGateClosed)
	})
}

// TestEvaluation: a goal is evaluated in a later meeting than the one that set it, as
// achieved, in progress, not achieved or adjusted (paper §4: "evaluatie en het bijstellen van
// alle eerder opgestelde doelen").
func TestEvaluation(t *testing.T) {
	h := planCase(t, all(6))
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader controleert zijn boosheid.", Priority: 1})
	h.fail(chair, &EvaluateGoal{ID: "g1", Outcome: "achieved"}, CodeConflict) // same meeting
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.fail(chair, &EvaluateGoal{ID: "g1", Outcome: "achieved"}, CodeConflict) // no meeting
	h.heldMeeting("m2", t0.AddDate(0, 3, 0), all(6), false)
	for _, o := range []string{"in_progress", "not_achieved", "adjusted", "achieved"} {
		h.do(chair, &EvaluateGoal{ID: "g1", Outcome: o})
		if got := h.s.Plans.Goals[0].Evaluation; got != o {
			t.Errorf("evaluation: got %q, want %q", got, o)
		}
	}
	h.fail(chair, &EvaluateGoal{ID: "g1", Outcome: "fine"}, CodeInvalid)
	h.fail(chair, &EvaluateGoal{ID: "g9", Outcome: "achieved"}, CodeNotFound)
	h.fail(social, &EvaluateGoal{ID: "g1", Outcome: "achieved"}, CodeForbidden)
	h.roundAll("m2", all(5), everyone...)
	h.fail(chair, &EvaluateGoal{ID: "g1", Outcome: "achieved"}, CodeGateClosed)
}

// TestFuturePlanAndRetiring: the future plan — warning signs, what to do, whom to call — and
// removing the noodverband both need stable safety; the safety plan is retired once
// (paper §1 phase 5, §3.2).
func TestFuturePlanAndRetiring(t *testing.T) {
	h := newJanna(t)
	h.stable()
	h.do(chair, &AddFutureEntry{FutureEntry{WarningSign: "Vader wordt snel boos", Action: "Time-out nemen", Contact: "Tante"}})
	if f := h.s.Plans.Future[0]; f.ID == "" || f.Contact != "Tante" {
		t.Errorf("future entry: got %+v", f)
	}
	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"no warning sign", chair, &AddFutureEntry{FutureEntry{Action: "x", Contact: "y"}}, CodeInvalid},
		{"nothing to do", chair, &AddFutureEntry{FutureEntry{WarningSign: "x", Contact: "y"}}, CodeInvalid},
		{"nobody to call", chair, &AddFutureEntry{FutureEntry{WarningSign: "x", Action: "y"}}, CodeInvalid},
		{"a bad id", chair, &AddFutureEntry{FutureEntry{ID: "f p", WarningSign: "x", Action: "y", Contact: "z"}}, CodeInvalid},
		{"not the chair", social, &AddFutureEntry{FutureEntry{WarningSign: "x", Action: "y", Contact: "z"}}, CodeForbidden},
		{"retire by someone else than the chair", social, &RetireSafetyPlan{}, CodeForbidden},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}
	h.do(chair, &RetireSafetyPlan{})
	if !h.s.SafetyPlanRetired {
		t.Fatal("retired: got false")
	}
	h.fail(chair, &RetireSafetyPlan{}, CodeConflict)
	if cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}); !cv.Case.SafetyPlanRetired {
		t.Error("view: safety plan retired not shown")
	}
}

// TestFactsDecisionsConfirmations: professionals share facts (some professionals only), the
// chair records decisions, family and network confirm the agreed plan once per meeting.
func TestFactsDecisionsConfirmations(t *testing.T) {
	h := newJanna(t)
	evs := h.do(social, &AddFact{Text: "PROF-ONLY politie: meerdere mutaties", ProfessionalsOnly: true})
	if evs[0].Visibility != VisibleProfessionals || evs[0].Meeting != "" || h.s.Plans.Facts[0].By != social.Name {
		t.Errorf("fact between meetings: got %+v / %+v", evs[0], h.s.Plans.Facts[0])
	}
	h.setUpMeeting("m1", t0, everyone...)
	evs = h.do(nurse, &AddFact{ID: "fa-b", Text: "Janna drinkt slecht"})
	if evs[0].Visibility != VisibleAll || evs[0].Meeting != "m1" {
		t.Errorf("fact for all: got visibility %s meeting %q", evs[0].Visibility, evs[0].Meeting)
	}
	h.do(chair, &RecordDecision{ID: "de1", Text: "Janna gaat naar een crisispleeggezin."})
	if d := h.s.Plans.Decisions[0]; d.Meeting != "m1" || d.Text == "" {
		t.Errorf("decision: got %+v", d)
	}
	h.do(mother, &ConfirmPlan{Meeting: "m1"})
	h.do(aunt, &ConfirmPlan{Meeting: "m1"})
	if evs := h.do(mother, &ConfirmPlan{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("confirming twice: got %v, want no events", types(evs))
	}
	if c := h.s.Plans.Confirmations; len(c) != 2 || c[0].Participant != mother.ID || c[0].Name != mother.Name || !c[0].At.Equal(t0) {
		t.Errorf("confirmations: got %+v", c)
	}
	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"family adds no facts", mother, &AddFact{Text: "x"}, CodeForbidden},
		{"a fact needs text", social, &AddFact{Text: ""}, CodeInvalid},
		{"a fact with a taken id", social, &AddFact{ID: "fa-b", Text: "x"}, CodeConflict},
		{"a decision by someone else than the chair", social, &RecordDecision{Text: "x"}, CodeForbidden},
		{"a decision needs text", chair, &RecordDecision{}, CodeInvalid},
		{"a decision with a taken id", chair, &RecordDecision{ID: "de1", Text: "x"}, CodeConflict},
		{"a professional does not confirm", social, &ConfirmPlan{Meeting: "m1"}, CodeForbidden},
		{"the chair does not confirm", chair, &ConfirmPlan{Meeting: "m1"}, CodeForbidden},
		{"someone not at the table does not confirm", stranger, &ConfirmPlan{Meeting: "m1"}, CodeForbidden},
		{"confirm an unknown meeting", mother, &ConfirmPlan{Meeting: "m9"}, CodeNotFound},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}
	t.Run("decisions only in a meeting", func(t *testing.T) {
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.fail(chair, &RecordDecision{Text: "x"}, CodeConflict)
		h.do(father, &ConfirmPlan{Meeting: "m1"}) // after the meeting, the plan can still be confirmed
	})
}
