package meeting

import (
	"testing"
)

// TestAdvisoryNeedsAReasonAndSparesThePersonAtRisk: making family and network scores advisory
// needs a reason that everyone at the table reads; it never discounts the score of a person at
// risk about themselves (a participant linked to the subject), only their scores about others.
func TestAdvisoryNeedsAReasonAndSparesThePersonAtRisk(t *testing.T) {
	h := newJanna(t)
	h.now = t0
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.do(chair, &StartMeeting{Meeting: "m1"})
	h.do(social, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: social.ID})
	h.do(mother, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: mother.ID, Person: "moeder"}) // the mother is the subject "moeder"
	h.do(father, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: father.ID, Person: "vader"})

	h.fail(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: true}, CodeInvalid)
	h.fail(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: true, Reason: "   "}, CodeInvalid)
	h.do(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: true, Reason: "Vader scoort zijn eigen gedrag."})
	if cv := View(h.s, Viewer{ID: father.ID, Role: RoleFamily}); cv.Current.AdvisoryReason != "Vader scoort zijn eigen gedrag." {
		t.Errorf("family view: advisory reason %q, want the chair's reason", cv.Current.AdvisoryReason)
	}
	rid := h.openRound("m1")
	h.scores(rid, all(7), chair, social)
	h.scores(rid, all(3), mother)
	h.scores(rid, all(9), father)
	h.do(chair, &RevealRound{Round: rid}) // auto-reveal is off: the chair reveals
	res := h.s.Results(h.round("m1", rid))
	// janna: chair 7, social 7 count; mother 3 and father 9 advisory → min 7.
	// moeder: chair 7, social 7 and the mother's own 3 count; the father's 9 is advisory.
	if res[0].N != 2 || *res[0].Min != 7 || res[1].N != 3 || *res[1].Min != 3 || res[1].Consensus6 {
		t.Errorf("results: janna n %d min %d, moeder n %d min %d; want 2/7 and 3/3 (her own score counts)", res[0].N, *res[0].Min, res[1].N, *res[1].Min)
	}
	cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
	for _, s := range cv.Current.Rounds[0].Scores {
		want := (s.Participant == mother.ID && s.Subject == "janna") || s.Participant == father.ID
		if s.Advisory != want {
			t.Errorf("%s about %s: advisory %v, want %v", s.Participant, s.Subject, s.Advisory, want)
		}
	}
	if direct, _ := h.s.DirectSafety(); direct {
		t.Error("direct safety while the mother gives herself a 3")
	}
	// Off again: the reason goes.
	h.do(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: false, Reason: "ignored"})
	if m := h.s.meeting("m1"); m.FamilyAdvisory || m.AdvisoryReason != "" {
		t.Errorf("after switching off: %v %q", m.FamilyAdvisory, m.AdvisoryReason)
	}
}

// TestWhyNotOnePointHigher: "Waarom niet één punt hoger?" is asked of every scorer below 10 and
// required unless they abstain (paper §3.2: "Licht ook toe waarom je niet één punt hoger
// geeft").
func TestWhyNotOnePointHigher(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, mother)
	rid := h.openRound("m1")
	h.fail(mother, &SubmitScore{Round: rid, Subject: "janna", Value: intp(9), Meaning: "Het gaat goed."}, CodeInvalid)
	h.fail(mother, &SubmitScore{Round: rid, Subject: "janna", Value: intp(0), Meaning: "Gevaar.", NotHigher: " "}, CodeInvalid)
	h.do(mother, &SubmitScore{Round: rid, Subject: "janna", Value: intp(10), Meaning: "De veiligheid is gegarandeerd."})
	h.do(mother, &SubmitScore{Round: rid, Subject: "moeder", Abstain: true})
	h.do(mother, &SubmitScore{Round: rid, Subject: "moeder", Value: intp(6), Meaning: "Ik heb mijn plan.", NotHigher: "Ik gebruik het nog niet altijd."})
}

// TestCareGoalForOneMember: a care goal may name one family member (paper §3.4: Janna's goals
// 1 and 3 each concern one parent); a recovery goal must.
func TestCareGoalForOneMember(t *testing.T) {
	h := planCase(t, all(6))
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Member: "vader", Text: "Vader kan zijn boosheid beter controleren.", Priority: 1})
	h.do(chair, &AddGoal{ID: "g2", Plan: "care", Text: "Ouders nemen op tijd een time-out.", Priority: 2})
	h.do(chair, &AddGoal{ID: "g3", Plan: "care", Member: "mama", Text: "Moeder gaat zich sterker voelen.", Priority: 3})
	if g := h.s.Plans.Goals; g[0].Member != "vader" || g[1].Member != "" || g[2].Member != "mama" {
		t.Errorf("goals: got members %q %q %q", g[0].Member, g[1].Member, g[2].Member)
	}
	h.fail(chair, &AddGoal{Plan: "care", Member: "buurman", Text: "x", Priority: 1}, CodeNotFound)
	h.fail(chair, &AddGoal{Plan: "recovery", Text: "x", Priority: 1}, CodeNotFound)
}

// TestChairPicksTheAgenda: the chair picks the agenda kinds when scheduling — a warm hand-over
// (warme overdracht) among them — and the safety assessment (veiligheidstaxatie) comes first.
func TestChairPicksTheAgenda(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0, Agenda: []ItemKind{KindWarmHandover, KindSafetyPlanReview, KindCarePlan}})
	a := h.s.meeting("m1").Agenda
	want := []ItemKind{KindSafetyAssessment, KindWarmHandover, KindSafetyPlanReview, KindCarePlan}
	if len(a) != len(want) {
		t.Fatalf("agenda: got %d items, want %d", len(a), len(want))
	}
	for i, k := range want {
		if a[i].Kind != k {
			t.Errorf("item %d: got %s, want %s", i, a[i].Kind, k)
		}
	}
	if a[0].Title != "Veiligheidstaxatie" || a[1].Title != "Warme overdracht" || a[1].Section != SectionSafety {
		t.Errorf("titles: got %q, %q (%s)", a[0].Title, a[1].Title, a[1].Section)
	}
}
