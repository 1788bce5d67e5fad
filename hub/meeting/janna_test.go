package meeting

import (
	"strings"
	"testing"
)

// TestJanna runs the canonical case of the paper (§3.2, §3.4, §4): three meetings.
// Meeting 1 scores 2 and 3 → bottom lines and a safety plan, the care plan stays locked.
// Meeting 2 scores 6 and 6 → the care plan opens. Meeting 3 averages above 6.5 → recovery plans.
func TestJanna(t *testing.T) {
	h := newHarness(t)
	h.createJanna()
	table := []Actor{social, nurse, mother, father, aunt}

	// Meeting 1, in the children's hospital.
	h.setUpMeeting("m1", t0, table...)
	care := h.item("m1", KindCarePlan)

	// Gate rule 1: nothing but the safety assessment before its first round is revealed.
	e := h.fail(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindBottomLines).ID}, CodeGateClosed)
	if !strings.Contains(e.NL, "veiligheidstaxatie") {
		t.Errorf("gate reason before the first round: got %q", e.NL)
	}
	h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindSafetyAssessment).ID})

	r1 := h.roundAll("m1", map[string]int{"janna": 2, "moeder": 3}, table...)
	if got := h.s.meeting("m1").round(r1).Status; got != RoundRevealed {
		t.Fatalf("round 1 after every scorer: got %s, want revealed (auto)", got)
	}
	if direct, _ := h.s.DirectSafety(); direct {
		t.Fatal("direct safety after 2 and 3: got true, want false")
	}
	// The care plan is locked, and the reason names the subjects and their lowest scores.
	e = h.fail(chair, &OpenItem{Meeting: "m1", Item: care.ID}, CodeGateClosed)
	if !strings.Contains(e.NL, "Janna: 2") || !strings.Contains(e.NL, "moeder: 3") || len(e.Subjects) != 2 || *e.Subjects[0].Min != 2 {
		t.Errorf("gate reason: got %q %+v, want Janna: 2 and moeder: 3", e.NL, e.Subjects)
	}
	cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	for _, it := range cv.Current.Agenda {
		if it.Kind == KindCarePlan && (!it.Locked || it.Lock.Rule != "direct_safety") {
			t.Errorf("care plan in view: locked=%v lock=%+v, want locked by direct_safety", it.Locked, it.Lock)
		}
	}
	h.fail(chair, &AddRiskFactor{RiskFactor{Text: "Ouders kunnen Janna niet kalmeren", Category: "parent_child", Priority: 1}}, CodeGateClosed)

	// Bottom lines and the safety plan (paper §3.2).
	h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindBottomLines).ID})
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Ouders laten in meerdere verzorgingssituaties zien dat zij Janna kunnen troosten als zij huilt."})
	h.do(chair, &AddBottomLine{ID: "bl2", Subjects: []string{"janna", "moeder"}, Text: "Ouders lopen bij een dreigend verschil van mening ieder naar een andere kamer om te kalmeren."})
	h.do(chair, &AddBottomLine{ID: "bl3", Subjects: []string{"moeder"}, Text: "Moeder heeft een veiligheidsplan voor zichzelf waarvan zij aantoonbaar gebruik maakt."})
	h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindSafetyAgreements).ID})
	h.do(chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "Janna wordt vanuit het ziekenhuis in een crisispleeggezin geplaatst.", Owner: Owner{Participant: chair.ID}, When: "direct", BottomLine: "bl1"})
	h.do(chair, &AddAgreement{ID: "ag2", Plan: "safety", Action: "Ouders komen dagelijks in het pleeggezin voor badje, bed en flesje.", Owner: Owner{Name: "Ouders"}, When: "dagelijks", BottomLine: "bl1"})
	h.do(chair, &AddAgreement{ID: "ag3", Plan: "safety", Action: "Zus van moeder springt tijdelijk in de zaak in.", Owner: Owner{Name: "Tante"}, When: "tot het volgende overleg", BottomLine: "bl2"})
	h.do(aunt, &TakeOnAgreement{ID: "ag3"})
	h.do(chair, &AddResearchPart{ResearchPart{Part: "perpetrator_risk_profile", Chain: "care", Notes: "PROF-ONLY De Waag: risicoprofiel vader"}})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	if got := h.s.Plans.Agreements[2].Owner.Participant; got != aunt.ID {
		t.Errorf("agreement taken on: owner %q, want %q", got, aunt.ID)
	}

	// Meeting 2, three months later: 6 and 6, Janna can go home, the care plan opens.
	h.setUpMeeting("m2", t0.AddDate(0, 3, 0), table...)
	h.fail(chair, &OpenItem{Meeting: "m2", Item: h.item("m2", KindCarePlan).ID}, CodeGateClosed)
	h.roundAll("m2", map[string]int{"janna": 6, "moeder": 6}, table...)
	if direct, _ := h.s.DirectSafety(); !direct {
		t.Fatal("direct safety after 6 and 6: got false, want true")
	}
	h.do(chair, &SetPhase{Phase: 2})
	h.do(chair, &OpenItem{Meeting: "m2", Item: h.item("m2", KindRiskAssessment).ID})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf1", Text: "Ouders kunnen baby Janna niet kalmeren.", Category: "parent_child", Dynamic: true, Priority: 1}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf2", Text: "Vader heeft moeite zijn boosheid te beheersen.", Category: "parent", Dynamic: true, Priority: 2, Instrument: "B-SAFER", ProfessionalsOnly: true}})
	h.do(chair, &OpenItem{Meeting: "m2", Item: h.item("m2", KindCarePlan).ID})
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader kan zijn boosheid beter controleren.", Priority: 1, RiskFactors: []string{"rf2"}})
	h.do(chair, &AddGoal{ID: "g2", Plan: "care", Text: "Ouders kunnen spanningen tussen hen hanteren.", Priority: 2, RiskFactors: []string{"rf1"}})
	h.do(chair, &AddGoal{ID: "g3", Plan: "care", Text: "Moeder gaat zich sterker voelen.", Priority: 3})
	h.do(chair, &AddAgreement{ID: "ag4", Plan: "care", Action: "Thuiszorg ondersteunt zodra Janna naar huis gaat.", Owner: Owner{Participant: nurse.ID}, When: "vanaf thuiskomst", Goal: "g3"})
	// Recovery is a later step of the paper but the gate only asks direct safety: allowed.
	h.do(chair, &CloseMeeting{Meeting: "m2"})
	if got := h.s.Phase; got != 2 {
		t.Errorf("phase after meeting 2: got %d, want 2", got)
	}

	// Meeting 3: both score on average above 6.5 → recovery plans.
	h.setUpMeeting("m3", t0.AddDate(0, 6, 0), table...)
	h.do(chair, &OpenRound{Meeting: "m3"})
	rid := h.s.meeting("m3").Rounds[0].ID
	for i, a := range append([]Actor{chair}, table...) {
		v := 7
		if i%3 == 0 {
			v = 6
		}
		h.do(a, score(rid, "janna", v))
		h.do(a, score(rid, "moeder", v))
	}
	res := h.s.Results(h.s.meeting("m3").round(rid))
	for _, r := range res {
		if *r.Mean <= 6.5 || !r.Consensus6 || r.Consensus7 {
			t.Errorf("meeting 3 %s: mean %.2f consensus6 %v consensus7 %v, want mean > 6.5, 6 yes, 7 no", r.Subject, *r.Mean, r.Consensus6, r.Consensus7)
		}
	}
	h.do(chair, &SetPhase{Phase: 3})
	h.do(chair, &OpenItem{Meeting: "m3", Item: h.item("m3", KindRecoveryPlan).ID})
	h.do(chair, &AddGoal{ID: "g4", Plan: "recovery", Member: "janna", Text: "Janna hecht zich veilig aan haar ouders.", Priority: 1})
	h.do(chair, &AddGoal{ID: "g5", Plan: "recovery", Member: "mama", Text: "Moeder verwerkt het geweld.", Priority: 1})
	h.do(chair, &AddGoal{ID: "g6", Plan: "recovery", Member: "vader", Text: "Vader neemt verantwoordelijkheid voor het geweld.", Priority: 1})
	h.do(chair, &AddItem{Meeting: "m3", ID: "m3-eval", ItemKind: KindEvaluation})
	h.do(chair, &OpenItem{Meeting: "m3", Item: "m3-eval"})
	h.do(chair, &EvaluateGoal{ID: "g1", Outcome: "in_progress"})
	// Stable safety is not there: the future plan stays locked.
	h.do(chair, &AddItem{Meeting: "m3", ID: "m3-future", ItemKind: KindFuturePlan})
	e = h.fail(chair, &OpenItem{Meeting: "m3", Item: "m3-future"}, CodeGateClosed)
	if !strings.Contains(e.NL, "0 van 3") {
		t.Errorf("future plan gate: got %q, want the streak 0 van 3", e.NL)
	}
	h.fail(chair, &RetireSafetyPlan{}, CodeGateClosed)
	h.do(mother, &ConfirmPlan{Meeting: "m3"})

	// The family view holds the plan but no professionals-only fact.
	fv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	if len(fv.Plans.BottomLines) != 3 || len(fv.Plans.Agreements) != 4 || len(fv.Plans.Research) != 0 || len(fv.Plans.RiskFactors) != 1 {
		t.Errorf("family view: %d bottom lines, %d agreements, %d research, %d risk factors; want 3, 4, 0, 1",
			len(fv.Plans.BottomLines), len(fv.Plans.Agreements), len(fv.Plans.Research), len(fv.Plans.RiskFactors))
	}
	pv := View(h.s, Viewer{ID: chair.ID, Professional: true, Role: RoleChair})
	if len(pv.Plans.Research) != 1 || len(pv.Plans.RiskFactors) != 2 {
		t.Errorf("chair view: %d research, %d risk factors; want 1, 2", len(pv.Plans.Research), len(pv.Plans.RiskFactors))
	}
	if got := len(pv.Meetings); got != 3 || pv.Meetings[0].Final[0].Min == nil || *pv.Meetings[0].Final[0].Min != 2 {
		t.Errorf("timeline: %d meetings, first final %+v", got, pv.Meetings[0].Final)
	}
}
