package meeting

import (
	"reflect"
	"testing"
)

// TestRiskFactorsPerPersonAndRelationship: a factor belongs to a person or a relationship of
// two persons, rated on threat and speed of effect (1–3); a protective factor is marked.
func TestRiskFactorsPerPersonAndRelationship(t *testing.T) {
	h := planCase(t, all(6))
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf1", Text: "Vader is krenkbaar.", Category: "parent", Dynamic: true, Priority: 1, Person: "vader", Threat: 3, Speed: 2}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf2", Text: "Ruzie tussen de ouders.", Category: "partner", Dynamic: true, Priority: 1, Relationship: []string{"vader", "mama"}, Threat: 3, Speed: 3}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "pf1", Text: "Tante is dichtbij.", Category: "environment", Priority: 1, Protective: true, Threat: 3}})
	if rf := h.s.Plans.RiskFactors[1]; !reflect.DeepEqual(rf.Relationship, []string{"vader", "mama"}) || rf.Threat != 3 || rf.Speed != 3 {
		t.Errorf("relationship factor: %+v", rf)
	}
	for name, rf := range map[string]RiskFactor{
		"person and relationship": {Text: "x", Category: "parent", Priority: 1, Person: "vader", Relationship: []string{"vader", "mama"}},
		"relationship of one":     {Text: "x", Category: "parent", Priority: 1, Relationship: []string{"vader", "vader"}},
		"threat 4":                {Text: "x", Category: "parent", Priority: 1, Threat: 4},
	} {
		if e := h.fail(chair, &AddRiskFactor{rf}, CodeInvalid); e == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	h.fail(chair, &AddRiskFactor{RiskFactor{Text: "x", Category: "parent", Priority: 1, Person: "buurman"}}, CodeNotFound)
}

// TestCoverage: dynamic high-threat risk factors no goal addresses are listed; a goal linked
// only to static factors is warned about; protective factors and proposals never count.
func TestCoverage(t *testing.T) {
	h := planCase(t, all(6))
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf1", Text: "Vader is krenkbaar.", Category: "parent", Dynamic: true, Priority: 1, Person: "vader", Threat: 3, Speed: 3}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf2", Text: "Moeder drinkt.", Category: "parent", Dynamic: true, Priority: 2, Person: "mama", Threat: 2}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "rf3", Text: "Vader werd als kind mishandeld.", Category: "parent", Priority: 3, Person: "vader", Threat: 3}})
	h.do(chair, &AddRiskFactor{RiskFactor{ID: "pf1", Text: "Tante helpt.", Category: "environment", Dynamic: true, Priority: 1, Protective: true, Threat: 3}})
	cov := CoverageOf(h.s.Plans)
	if !reflect.DeepEqual(cov.Uncovered, []string{"rf1"}) || len(cov.StaticOnly) != 0 {
		t.Fatalf("before goals: %+v, want rf1 uncovered", cov)
	}
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader verwerkt zijn jeugd.", Priority: 1, RiskFactors: []string{"rf3"}})
	h.do(chair, &AddGoal{ID: "g2", Plan: "care", Text: "Vader beheerst zijn boosheid.", Priority: 1, RiskFactors: []string{"rf1", "rf3"},
		Safety: "Minder dreiging voor moeder en Janna", Relationship: []string{"vader", "mama"}, Check: "Moeder vertelt het bij de check-in", Review: "2026-03-01"})
	cov = CoverageOf(h.s.Plans)
	if len(cov.Uncovered) != 0 || !reflect.DeepEqual(cov.StaticOnly, []string{"g1"}) {
		t.Errorf("after goals: %+v, want nothing uncovered and g1 static only", cov)
	}
	if g := h.s.Plans.Goals[1]; g.Safety == "" || g.Review != "2026-03-01" || len(g.Relationship) != 2 {
		t.Errorf("goal's safety fields: %+v", g)
	}
	h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 1, Review: "volgende week"}, CodeInvalid)
	h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 1, Relationship: []string{"vader"}}, CodeInvalid)
	// The view carries the check, on what the viewer sees.
	if v := View(h.s, Viewer{ID: chair.ID, Professional: true, Role: RoleChair}); !reflect.DeepEqual(v.Coverage.StaticOnly, []string{"g1"}) {
		t.Errorf("view coverage: %+v", v.Coverage)
	}
}

// TestRiskProposals: a family member proposes a factor; it is not in the plan (no version, no
// coverage) until the chair accepts it; the chair may decline; observers and the chair's
// decision twice are refused.
func TestRiskProposals(t *testing.T) {
	h := planCase(t, all(6))
	v0 := h.s.Plans.Version
	h.do(mother, &ProposeRiskFactor{RiskFactor{ID: "fp1", Text: "Vader drinkt als hij boos is.", Category: "parent", Dynamic: true, Person: "vader", Threat: 3}})
	h.do(aunt, &ProposeRiskFactor{RiskFactor{ID: "fp2", Text: "Oma past op Janna.", Category: "environment", Protective: true}})
	if rf := h.s.Plans.RiskFactors[0]; rf.Proposal != ProposalOpen || rf.ProposedBy != mother.Name || h.s.Plans.Version != v0 {
		t.Fatalf("proposal: %+v, version %d (was %d)", rf, h.s.Plans.Version, v0)
	}
	if cov := CoverageOf(h.s.Plans); len(cov.Uncovered) != 0 {
		t.Errorf("an open proposal counts in coverage: %+v", cov)
	}
	h.fail(mother, &DecideRiskProposal{ID: "fp1", Accept: true}, CodeForbidden)
	h.do(chair, &DecideRiskProposal{ID: "fp1", Accept: true})
	h.do(chair, &DecideRiskProposal{ID: "fp2", Accept: false})
	h.fail(chair, &DecideRiskProposal{ID: "fp1", Accept: false}, CodeConflict)
	p := h.s.Plans
	if p.RiskFactors[0].Proposal != "" || p.RiskFactors[1].Proposal != ProposalDeclined || p.Version != v0+1 {
		t.Errorf("decided: %+v %+v version %d", p.RiskFactors[0], p.RiskFactors[1], p.Version)
	}
	if cov := CoverageOf(p); !reflect.DeepEqual(cov.Uncovered, []string{"fp1"}) {
		t.Errorf("accepted factor not in coverage: %+v", cov)
	}
	h.do(chair, &Join{Meeting: "m1"}) // no-op for the chair; the guest observes
	h.do(guest, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: guest.ID})
	h.fail(guest, &ProposeRiskFactor{RiskFactor{Text: "x", Category: "parent"}}, CodeForbidden)
}

// TestRecoveryProfile: a recovery plan for every person, a child only at risk included: needs,
// obstacles, trauma screening, life areas, the child's own view; the recovery section's gate.
func TestRecoveryProfile(t *testing.T) {
	locked := planCase(t, all(3))
	locked.fail(chair, &SetRecoveryProfile{RecoveryProfile{Person: "janna", Needs: "Rust"}}, CodeGateClosed)

	h := planCase(t, all(6))
	h.do(chair, &SetRecoveryProfile{RecoveryProfile{Person: "janna", Needs: "Een vaste plek overdag", Obstacles: "Wachtlijst",
		Trauma:    TraumaScreening{Intrusive: AnswerUnknown, Action: "watch", Recheck: "2026-03-01"},
		LifeAreas: LifeAreas{Home: "Bij de ouders", School: "Kinderdagverblijf vanaf maart"},
		ChildView: &ChildView{Summary: "Janna is nog te jong; haar signalen: ze slaapt slecht.", By: "Jet", Date: "2026-01-05", Method: "other"}}})
	h.do(chair, &SetRecoveryProfile{RecoveryProfile{Person: "mama", Trauma: TraumaScreening{Intrusive: AnswerYes, Action: "treat"}}})
	h.do(chair, &SetRecoveryProfile{RecoveryProfile{Person: "janna", Needs: "Een vaste plek overdag en rust"}})
	if r := h.s.Plans.Recovery; len(r) != 2 || r[0].Person != "janna" || r[0].Needs != "Een vaste plek overdag en rust" || r[0].ChildView != nil {
		t.Errorf("profiles: %+v", r)
	}
	for name, p := range map[string]RecoveryProfile{
		"unknown person":                {Person: "buurman"},
		"watch without a date":          {Person: "janna", Trauma: TraumaScreening{Intrusive: AnswerYes, Action: "watch"}},
		"treat without memories":        {Person: "janna", Trauma: TraumaScreening{Intrusive: AnswerNo, Action: "treat"}},
		"a child's view without method": {Person: "janna", ChildView: &ChildView{Summary: "x", By: "y", Date: "2026-01-05"}},
	} {
		if _, err := h.try(chair, &SetRecoveryProfile{p}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	h.fail(mother, &SetRecoveryProfile{RecoveryProfile{Person: "janna"}}, CodeForbidden)
	fv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	if len(fv.Plans.Recovery) != 2 {
		t.Errorf("family view: %d recovery profiles, want 2", len(fv.Plans.Recovery))
	}
}
