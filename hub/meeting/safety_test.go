package meeting

import (
	"strings"
	"testing"
	"time"
)

// TestDirectSafety: consensus at 6 for every subject in the latest revealed round of the
// current meeting (paper §3.2, §3.4).
func TestDirectSafety(t *testing.T) {
	tests := []struct {
		name   string
		run    func(h *harness)
		direct bool
		lowest map[string]any // subject → lowest score (nil = no score) of failing subjects
	}{
		{"no meeting yet", func(h *harness) {}, false, map[string]any{"janna": nil, "moeder": nil}},
		{"6 and 6", func(h *harness) { h.heldMeeting("m1", t0, all(6), false) }, true, nil},
		{"2 and 3", func(h *harness) {
			h.heldMeeting("m1", t0, map[string]int{"janna": 2, "moeder": 3}, false)
		}, false, map[string]any{"janna": 2, "moeder": 3}},
		{"one subject below 6", func(h *harness) {
			h.heldMeeting("m1", t0, map[string]int{"janna": 6, "moeder": 5}, false)
		}, false, map[string]any{"moeder": 5}},
		{"one scorer below 6", func(h *harness) {
			h.setUpMeeting("m1", t0, everyone...)
			rid := h.openRound("m1")
			h.scores(rid, all(8), chair, social, nurse, mother, father)
			h.scores(rid, map[string]int{"janna": 5, "moeder": 8}, aunt)
		}, false, map[string]any{"janna": 5}},
		{"the latest round counts, not the first", func(h *harness) {
			h.heldMeeting("m1", t0, all(6), false)
			h.roundAll("m1", map[string]int{"janna": 4, "moeder": 6}, everyone...)
		}, false, map[string]any{"janna": 4}},
		{"between meetings: the meeting held last", func(h *harness) {
			h.heldMeeting("m1", t0, all(6), true)
		}, true, nil},
		{"a new meeting starts without direct safety until its first reveal", func(h *harness) {
			h.heldMeeting("m1", t0, all(6), true)
			h.setUpMeeting("m2", t0.AddDate(0, 1, 0), everyone...)
			h.openRound("m2")
		}, false, map[string]any{"janna": nil, "moeder": nil}},
		{"a forced reveal without quorum", func(h *harness) {
			h.setUpMeeting("m1", t0, everyone...)
			rid := h.openRound("m1")
			h.scores(rid, all(9), chair)
			h.do(chair, &RevealRound{Round: rid})
		}, false, map[string]any{"janna": 9, "moeder": 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			tc.run(h)
			direct, lows := h.s.DirectSafety()
			if direct != tc.direct {
				t.Fatalf("direct: got %v, want %v", direct, tc.direct)
			}
			got := map[string]any{}
			for _, l := range lows {
				got[l.ID] = pint(l.Min)
			}
			if len(got) != len(tc.lowest) {
				t.Fatalf("failing subjects: got %v, want %v", got, tc.lowest)
			}
			for id, want := range tc.lowest {
				if got[id] != want {
					t.Errorf("lowest of %s: got %v, want %v", id, got[id], want)
				}
			}
		})
	}
}

// TestDirectSafetyJudgesTheMeetingHeldLast: between meetings direct safety is judged on the
// meeting that was held (closed) last, even when meetings were held out of their scheduled
// order.
func TestDirectSafetyJudgesTheMeetingHeldLast(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "early", At: t0.AddDate(0, 1, 0)})
	h.do(chair, &ScheduleMeeting{ID: "late", At: t0.AddDate(0, 2, 0)})
	// The later-scheduled meeting is held first (4s), the earlier one after it (6s).
	for _, m := range []struct {
		id string
		v  int
	}{{"late", 4}, {"early", 6}} {
		h.now = h.now.AddDate(0, 0, 30)
		h.do(chair, &StartMeeting{Meeting: m.id})
		h.do(social, &Join{Meeting: m.id})
		h.do(chair, &Admit{Meeting: m.id, Participant: social.ID})
		h.roundAll(m.id, all(m.v), social)
		h.do(chair, &CloseMeeting{Meeting: m.id})
	}
	if direct, _ := h.s.DirectSafety(); !direct {
		t.Errorf("after the meeting held last scored 6s: got no direct safety")
	}
	if got := h.s.Current().ID; got != "early" {
		t.Errorf("current meeting: got %s, want early (held last)", got)
	}
}

// meetingPlan is one meeting of a stable-safety scenario: days after t0 and the value every
// scorer gives every subject in its final round.
type meetingPlan struct {
	day, v int
}

// TestStableSafety: consensus at 7 in the final round of K consecutive meetings, each at least
// D days after the previous counted one (paper §3.4: "met tussenpozen meerdere malen"); a
// meeting held sooner is skipped — neither counts nor breaks — unless it falls below 7.
func TestStableSafety(t *testing.T) {
	tests := []struct {
		name     string
		policy   Policy
		meetings []meetingPlan
		streak   int
		stable   bool
	}{
		{"three sevens four weeks apart", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}, {56, 7}}, 3, true},
		{"two sevens are not enough", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}}, 2, false},
		{"sixes are direct, not stable", DefaultPolicy, []meetingPlan{{0, 6}, {28, 6}, {56, 6}}, 0, false},
		{"a low meeting breaks the streak", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}, {56, 6}, {84, 7}, {112, 7}}, 2, false},
		{"the streak starts again after the low meeting", DefaultPolicy, []meetingPlan{{0, 7}, {28, 5}, {56, 7}, {84, 7}, {112, 7}}, 3, true},
		{"a meeting sooner than D is skipped, not a break", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}, {40, 7}}, 2, false},
		{"an extra careful meeting does not cost the streak", DefaultPolicy, []meetingPlan{{0, 7}, {10, 7}, {28, 7}, {56, 7}}, 3, true},
		{"the gap counts from the previous counted meeting", DefaultPolicy, []meetingPlan{{0, 7}, {20, 7}, {30, 7}, {56, 7}}, 2, false},
		{"a skipped meeting below 7 breaks", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}, {40, 6}, {56, 7}}, 1, false},
		{"exactly D days apart is enough", DefaultPolicy, []meetingPlan{{0, 8}, {28, 8}, {56, 9}}, 3, true},
		{"one day short is skipped", DefaultPolicy, []meetingPlan{{0, 8}, {28, 8}, {55, 9}}, 2, false},
		{"policy K 2, D 14", Policy{Quorum: 2, StableMeetings: 2, StableDays: 14}, []meetingPlan{{0, 7}, {14, 7}}, 2, true},
		{"policy K 1", Policy{Quorum: 2, StableMeetings: 1, StableDays: 28}, []meetingPlan{{0, 7}}, 1, true},
		{"the latest meeting below 7 ends everything", DefaultPolicy, []meetingPlan{{0, 7}, {28, 7}, {56, 7}, {84, 6}}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.do(chair, &SetPolicy{tc.policy})
			for i, m := range tc.meetings {
				h.heldMeeting("m"+itoa(i+1), t0.AddDate(0, 0, m.day), all(m.v), true)
			}
			if got := h.s.StableStreak(); got != tc.streak {
				t.Errorf("streak: got %d, want %d", got, tc.streak)
			}
			if got := h.s.StableSafety(); got != tc.stable {
				t.Errorf("stable: got %v, want %v", got, tc.stable)
			}
			cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
			if cv.Safety.Streak != tc.streak || cv.Safety.Stable != tc.stable || cv.Safety.Policy != h.s.Policy {
				t.Errorf("safety view: got %+v, want streak %d stable %v with the policy", cv.Safety, tc.streak, tc.stable)
			}
		})
	}
	t.Run("the final round of a meeting counts", func(t *testing.T) {
		h := newJanna(t)
		h.heldMeeting("m1", t0, all(7), true)
		h.heldMeeting("m2", t0.AddDate(0, 0, 28), all(7), true)
		h.heldMeeting("m3", t0.AddDate(0, 0, 56), all(7), false)
		if !h.s.StableSafety() {
			t.Fatal("after three 7s: got no stable safety")
		}
		h.roundAll("m3", all(6), everyone...) // after discussion: 6s
		if h.s.StableSafety() || h.s.StableStreak() != 0 {
			t.Errorf("after a final round of 6s: got stable %v streak %d, want false 0", h.s.StableSafety(), h.s.StableStreak())
		}
	})
	t.Run("stable safety also needs direct safety now", func(t *testing.T) {
		h := newJanna(t)
		h.stable()
		h.do(chair, &CloseMeeting{Meeting: "m3"})
		h.setUpMeeting("m4", t0.AddDate(0, 0, 84), everyone...)
		if got := h.s.StableStreak(); got != 3 {
			t.Errorf("streak while m4 has no round: got %d, want 3", got)
		}
		if h.s.StableSafety() {
			t.Error("stable before m4's first reveal: got true, want false (no direct safety yet)")
		}
	})
}

// TestGateRule1AssessmentFirst: nothing but the safety assessment before the meeting's first
// round is revealed — no item opens, no plan changes.
func TestGateRule1AssessmentFirst(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(7), true) // even with safety held before
	h.setUpMeeting("m2", t0.AddDate(0, 1, 0), everyone...)
	h.do(chair, &AddItem{Meeting: "m2", ID: "esc", ItemKind: KindEscalation})
	for _, it := range h.s.meeting("m2").Agenda {
		if it.Kind == KindSafetyAssessment {
			continue
		}
		e := h.fail(chair, &OpenItem{Meeting: "m2", Item: it.ID}, CodeGateClosed)
		if !strings.Contains(e.NL, "veiligheidstaxatie") || !strings.Contains(e.EN, "Safety assessment first") {
			t.Errorf("%s: got %q / %q", it.Kind, e.NL, e.EN)
		}
	}
	for _, c := range []Command{
		&AddBottomLine{Subjects: []string{"janna"}, Text: "x"},
		&AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "x"}},
		&AddResearchPart{ResearchPart{Part: "other", Chain: "care"}},
		&AddAgreement{Plan: "safety", Action: "x", Owner: Owner{Name: "Tante"}},
	} {
		h.fail(chair, c, CodeGateClosed)
	}
	cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
	for _, it := range cv.Current.Agenda {
		if want := it.Kind != KindSafetyAssessment; it.Locked != want || (want && it.Lock.Rule != "assessment_first") {
			t.Errorf("view %s: locked %v lock %+v, want locked %v by assessment_first", it.Kind, it.Locked, it.Lock, want)
		}
	}
	h.do(chair, &OpenItem{Meeting: "m2", Item: "m2-a0"})
	h.roundAll("m2", all(3), everyone...)
	h.do(chair, &OpenItem{Meeting: "m2", Item: "esc"})
}

// TestGateRule2SafetyItemsOnly: while direct safety does not hold, only safety items can be
// worked on; risk assessment, care plan, recovery plans, evaluation, future plan — and "other"
// items — are locked, naming the subjects and their lowest scores.
func TestGateRule2SafetyItemsOnly(t *testing.T) {
	kinds := []ItemKind{KindSafetyPlanReview, KindBottomLines, KindSafetyAgreements, KindMonitoring, KindEscalation,
		KindResearchPlan, KindRiskAssessment, KindCarePlan, KindRecoveryPlan, KindEvaluation, KindFuturePlan,
		KindRetireSafetyPlan, KindOther}
	tests := []struct {
		name   string
		values map[string]int
		// open is whether an item of a section may be opened.
		open map[Section]bool
	}{
		{"no direct safety (5 and 3)", map[string]int{"janna": 5, "moeder": 3},
			map[Section]bool{SectionSafety: true}},
		{"direct safety (6 and 6)", all(6),
			map[Section]bool{SectionSafety: true, SectionCare: true, SectionRecovery: true, SectionEvaluation: true, SectionOther: true}},
	}
	for _, tc := range tests {
		for _, k := range kinds {
			t.Run(tc.name+"/"+string(k), func(t *testing.T) {
				h := newJanna(t)
				h.setUpMeeting("m1", t0, everyone...)
				h.do(chair, &AddItem{Meeting: "m1", ID: "it", ItemKind: k})
				h.roundAll("m1", tc.values, everyone...)
				if tc.open[SectionOf(k)] {
					h.do(chair, &OpenItem{Meeting: "m1", Item: "it"})
					return
				}
				e := h.fail(chair, &OpenItem{Meeting: "m1", Item: "it"}, CodeGateClosed)
				if SectionOf(k) == SectionFuture && tc.values["janna"] >= 6 {
					if !strings.Contains(e.EN, "stable safety") {
						t.Errorf("future item with direct safety: got %q, want the stable-safety reason", e.EN)
					}
					return
				}
				if len(e.Subjects) != 2 || *e.Subjects[0].Min != 5 || *e.Subjects[1].Min != 3 ||
					!strings.Contains(e.NL, "Janna: 5, moeder: 3") || !strings.Contains(e.EN, "Janna: 5, moeder: 3") {
					t.Errorf("reason: got %q / %q %+v, want Janna: 5, moeder: 3", e.NL, e.EN, e.Subjects)
				}
			})
		}
	}
}

// TestGateRule3LaterRoundBreaksConsensus: a later round that breaks consensus on the 6 locks
// the care items again at once: an open locked item is suspended and "Welke maatregelen zijn
// nodig om de 6 direct weer te borgen?" goes to the top, right after the safety assessment
// (paper §3.2).
func TestGateRule3LaterRoundBreaksConsensus(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	h.roundAll("m1", all(6), everyone...)
	care := h.item("m1", KindCarePlan).ID
	h.do(chair, &OpenItem{Meeting: "m1", Item: care})
	h.do(chair, &AddGoal{ID: "g1", Plan: "care", Text: "Vader beheerst zijn boosheid.", Priority: 1})

	h.roundAll("m1", map[string]int{"janna": 6, "moeder": 5}, everyone...)
	if got := h.status("m1", care); got != ItemSuspended {
		t.Errorf("open care plan after the 6 broke: got %s, want suspended", got)
	}
	m := h.s.meeting("m1")
	top := m.Agenda[1]
	if top.Kind != KindRestoreSix || top.Title != "Welke maatregelen zijn nodig om de 6 direct weer te borgen?" ||
		top.Section != SectionSafety || top.Status != ItemPending || m.Agenda[0].Kind != KindSafetyAssessment {
		t.Fatalf("agenda top: got %+v after %+v, want the restore-six item right after the safety assessment", top, m.Agenda[0])
	}
	e := h.fail(chair, &OpenItem{Meeting: "m1", Item: care}, CodeGateClosed)
	if !strings.Contains(e.NL, "moeder: 5") {
		t.Errorf("reason: got %q, want moeder: 5", e.NL)
	}
	h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 2}, CodeGateClosed)
	h.do(chair, &OpenItem{Meeting: "m1", Item: top.ID})

	// Another round that fails again adds no second item.
	n := len(m.Agenda)
	h.roundAll("m1", all(4), everyone...)
	if got := len(h.s.meeting("m1").Agenda); got != n {
		t.Errorf("agenda after a second failing round: got %d items, want %d (one restore-six item)", got, n)
	}
	// Restored: the care plan opens again.
	h.roundAll("m1", all(6), everyone...)
	h.do(chair, &OpenItem{Meeting: "m1", Item: care})
}

// TestGateRule3Table runs rule 3 through every way a round gets revealed, and across meetings.
func TestGateRule3Table(t *testing.T) {
	broken := map[string]int{"janna": 5, "moeder": 6}
	tests := []struct {
		name    string
		run     func(h *harness) string // returns the meeting to inspect
		restore bool
	}{
		{"auto reveal", func(h *harness) string {
			h.heldMeeting("m1", t0, all(6), false)
			h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindRiskAssessment).ID})
			h.roundAll("m1", broken, everyone...)
			return "m1"
		}, true},
		{"forced reveal", func(h *harness) string {
			h.heldMeeting("m1", t0, all(6), false)
			h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindRiskAssessment).ID})
			rid := h.openRound("m1")
			h.scores(rid, broken, chair, social)
			h.do(chair, &RevealRound{Round: rid})
			return "m1"
		}, true},
		{"reveal triggered by a leaver", func(h *harness) string {
			h.heldMeeting("m1", t0, all(6), false)
			h.do(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindRiskAssessment).ID})
			rid := h.openRound("m1")
			h.scores(rid, broken, chair, social, nurse, mother, father)
			h.do(aunt, &Leave{Meeting: "m1"})
			return "m1"
		}, true},
		{"across meetings: the previous meeting held the 6, the new one's first round does not", func(h *harness) string {
			h.heldMeeting("m1", t0, all(6), true)
			h.heldMeeting("m2", t0.AddDate(0, 1, 0), broken, false)
			return "m2"
		}, true},
		{"not when the 6 was never held", func(h *harness) string {
			h.heldMeeting("m1", t0, all(5), true)
			h.heldMeeting("m2", t0.AddDate(0, 1, 0), broken, false)
			return "m2"
		}, false},
		{"not when the 6 holds", func(h *harness) string {
			h.heldMeeting("m1", t0, all(6), true)
			h.heldMeeting("m2", t0.AddDate(0, 1, 0), all(6), false)
			return "m2"
		}, false},
		{"not in the first round of the first meeting", func(h *harness) string {
			h.heldMeeting("m1", t0, broken, false)
			return "m1"
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			id := tc.run(h)
			m := h.s.meeting(id)
			got := m.Agenda[1].Kind == KindRestoreSix
			if got != tc.restore {
				t.Fatalf("restore-six item at the top of %s: got %v, want %v (agenda %v)", id, got, tc.restore, agendaKinds(m))
			}
			for _, it := range m.Agenda {
				if it.Kind == KindRiskAssessment && tc.restore && id == "m1" && it.Status != ItemSuspended {
					t.Errorf("open risk assessment: got %s, want suspended", it.Status)
				}
			}
		})
	}
}

// TestGateRule3RestoreItemGoesToTheTop: when the 6 breaks again, the restore-six item that is
// still on the agenda goes back to the top, and a new one never takes an id in use.
func TestGateRule3RestoreItemGoesToTheTop(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(6), false)
	// The chair planned an item whose id the restore-six item of round 2 would take.
	h.do(chair, &AddItem{Meeting: "m1", ID: "m1-restore2", ItemKind: KindOther, Title: "Schulden"})
	h.roundAll("m1", all(5), everyone...)
	m := h.s.meeting("m1")
	restore := m.Agenda[1]
	if restore.Kind != KindRestoreSix {
		t.Fatalf("agenda: got %v, want the restore-six item second", agendaKinds(m))
	}
	if it := m.item("m1-restore2"); it == nil || it.Kind != KindOther {
		t.Fatalf("the chair's item m1-restore2: got %+v, want it untouched", it)
	}
	seen := map[string]bool{}
	for _, it := range m.Agenda {
		if seen[it.ID] {
			t.Fatalf("agenda ids: %s twice in %v", it.ID, agendaIDs(m))
		}
		seen[it.ID] = true
	}
	h.roundAll("m1", all(6), everyone...)
	h.do(chair, &MoveItem{Meeting: "m1", Item: restore.ID, Position: len(m.Agenda) - 1})
	h.roundAll("m1", all(4), everyone...)
	if got := h.s.meeting("m1").Agenda[1].ID; got != restore.ID {
		t.Errorf("after the 6 broke again: got %s second, want the restore-six item %s back at the top", got, restore.ID)
	}
}

// TestGateRelocksWhenPolicyOrSubjectsChange: the gate is enforced on every command, so a
// change that ends direct or stable safety suspends the open locked item at once.
func TestGateRelocksWhenPolicyOrSubjectsChange(t *testing.T) {
	tests := []struct {
		name   string
		stable bool
		cmd    Command
	}{
		{"a higher quorum", false, &SetPolicy{Policy{Quorum: 7, StableMeetings: 3, StableDays: 28}}},
		{"a new subject without a score", false, &AddSubject{Subject{ID: "broer", Name: "broer"}}},
		{"a higher K while the future plan is open", true, &SetPolicy{Policy{Quorum: 2, StableMeetings: 4, StableDays: 28}}},
		{"a longer D while the future plan is open", true, &SetPolicy{Policy{Quorum: 2, StableMeetings: 3, StableDays: 60}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			var m, item string
			if tc.stable {
				h.stable()
				m = "m3"
				h.do(chair, &AddItem{Meeting: m, ID: "fut", ItemKind: KindFuturePlan})
				item = "fut"
			} else {
				h.heldMeeting("m1", t0, all(6), false)
				m, item = "m1", h.item("m1", KindCarePlan).ID
			}
			h.do(chair, &OpenItem{Meeting: m, Item: item})
			h.do(chair, tc.cmd) // checkInvariants fails if the item stays open while locked
			if got := h.status(m, item); got != ItemSuspended {
				t.Errorf("item: got %s, want suspended", got)
			}
		})
	}
}

// TestGateRule4StableSafety: the future plan and retiring the safety plan need stable safety;
// a later round that breaks the 7 suspends an open future plan at once.
func TestGateRule4StableSafety(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(7), true)
	h.heldMeeting("m2", t0.AddDate(0, 0, 28), all(7), false)
	h.do(chair, &AddItem{Meeting: "m2", ID: "fut", ItemKind: KindFuturePlan})
	h.do(chair, &AddItem{Meeting: "m2", ID: "ret", ItemKind: KindRetireSafetyPlan})
	for _, c := range []Command{&OpenItem{Meeting: "m2", Item: "fut"}, &OpenItem{Meeting: "m2", Item: "ret"},
		&AddFutureEntry{FutureEntry{WarningSign: "x", Action: "y", Contact: "z"}}, &RetireSafetyPlan{}} {
		e := h.fail(chair, c, CodeGateClosed)
		if !strings.Contains(e.NL, "2 van 3") || !strings.Contains(e.EN, "2 of 3") || !strings.Contains(e.EN, "28 days") {
			t.Errorf("%s: got %q / %q, want the streak 2 of 3 and D", c.Kind(), e.NL, e.EN)
		}
	}
	h.do(chair, &CloseMeeting{Meeting: "m2"})
	h.heldMeeting("m3", t0.AddDate(0, 0, 56), all(7), false)
	h.do(chair, &AddItem{Meeting: "m3", ID: "fut", ItemKind: KindFuturePlan})
	h.do(chair, &OpenItem{Meeting: "m3", Item: "fut"})
	h.do(chair, &AddFutureEntry{FutureEntry{ID: "fp1", WarningSign: "Vader slaapt slecht", Action: "Time-out nemen", Contact: "Tante"}})

	h.roundAll("m3", all(6), everyone...) // direct, but no longer stable
	if got := h.status("m3", "fut"); got != ItemSuspended {
		t.Errorf("open future plan after the 7 broke: got %s, want suspended", got)
	}
	if it := h.s.meeting("m3").Agenda[1]; it.Kind == KindRestoreSix {
		t.Error("restore-six item after 6s: got one, want none (the 6 holds)")
	}
	h.fail(chair, &OpenItem{Meeting: "m3", Item: "fut"}, CodeGateClosed)
	h.fail(chair, &RetireSafetyPlan{}, CodeGateClosed)
}

// TestStableSafetyGapUsesHeldDate: the gap between meetings is measured between the days they
// were held (started), not when they were planned nor when their last round was revealed.
func TestStableSafetyGapUsesHeldDate(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(7), true)
	// m2 is planned 28 days later, but held 2 hours earlier than that.
	h.now = t0.AddDate(0, 0, 28).Add(-2 * time.Hour)
	h.do(chair, &ScheduleMeeting{ID: "m2", Title: "Overleg 2", At: t0.AddDate(0, 0, 28)})
	h.do(chair, &StartMeeting{Meeting: "m2"})
	for _, p := range everyone {
		h.do(p, &Join{Meeting: "m2"})
		h.do(chair, &Admit{Meeting: "m2", Participant: p.ID})
	}
	h.now = t0.AddDate(0, 0, 29) // its round revealed a day later
	h.roundAll("m2", all(7), everyone...)
	if got := h.s.StableStreak(); got != 1 {
		t.Errorf("streak: got %d, want 1 (held 27 days and 22 hours after m1: skipped)", got)
	}
	if got := h.s.meeting("m2").Held(); !got.Equal(t0.AddDate(0, 0, 28).Add(-2 * time.Hour)) {
		t.Errorf("held: got %v, want the start", got)
	}
	cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
	if !cv.Meetings[1].HeldAt.Equal(h.s.meeting("m2").StartedAt) || !cv.Current.HeldAt.Equal(h.s.meeting("m2").StartedAt) {
		t.Errorf("view: held %v / %v, want the start", cv.Meetings[1].HeldAt, cv.Current.HeldAt)
	}
}
