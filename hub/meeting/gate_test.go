package meeting

import (
	"slices"
	"strings"
	"testing"
)

// TestBottomLinesInTheGate (gate rule 2b): the safety assessment records each bottom line's
// status for the meeting, before its first round too; a consensus on 6 while a bottom line is
// not met in this meeting keeps every section but safety locked — the meeting is about the
// safety plan (paper §3.4: "Let wel: Als de bodemeisen niet behaald waren …") — until the
// chair records a reason, which everyone at the table sees.
func TestBottomLinesInTheGate(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, map[string]int{"janna": 2, "moeder": 3}, false)
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Ouders troosten Janna."})
	h.do(chair, &AddBottomLine{ID: "bl2", Subjects: []string{"moeder"}, Text: "Moeder heeft een eigen plan."})
	h.do(chair, &CloseMeeting{Meeting: "m1"})

	h.setUpMeeting("m2", t0.AddDate(0, 3, 0), everyone...)
	care := h.item("m2", KindCarePlan).ID
	// Part of the safety assessment: before the first reveal, by the chair only.
	h.fail(social, &SetBottomLineStatus{ID: "bl1", Status: "not_met"}, CodeForbidden)
	h.fail(chair, &RecordGateReason{Meeting: "m2", Reason: "x"}, CodeConflict) // nothing unmet yet
	h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "not_met"})
	h.do(chair, &SetBottomLineStatus{ID: "bl2", Status: "met"})
	h.roundAll("m2", all(6), everyone...)
	if direct, _ := h.s.DirectSafety(); !direct {
		t.Fatal("6s: got no direct safety")
	}
	e := h.fail(chair, &OpenItem{Meeting: "m2", Item: care}, CodeGateClosed)
	if !strings.Contains(e.NL, "bodemeis") || strings.Contains(e.NL, "troosten") {
		t.Errorf("lock: got %q, want the bottom-line rule without the bottom line's text", e.NL)
	}
	h.fail(chair, &AddGoal{Plan: "care", Text: "x", Priority: 1}, CodeGateClosed)
	cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	for _, it := range cv.Current.Agenda {
		if it.Section != SectionSafety && (!it.Locked || it.Lock.Rule != "bottom_lines") {
			t.Errorf("view %s: locked %v %+v, want locked by bottom_lines", it.Kind, it.Locked, it.Lock)
		}
	}
	// Safety work goes on: agreements are revised.
	h.do(chair, &OpenItem{Meeting: "m2", Item: h.item("m2", KindSafetyAgreements).ID})

	h.fail(social, &RecordGateReason{Meeting: "m2", Reason: "x"}, CodeForbidden)
	h.fail(chair, &RecordGateReason{Meeting: "m2"}, CodeInvalid)
	evs := h.do(chair, &RecordGateReason{Meeting: "m2", Reason: "Janna is veilig in het pleeggezin; de troostmomenten worden geoefend."})
	if gr := evs[0].Data.(*GateReason); evs[0].Visibility != VisibleAll || !slices.Equal(gr.BottomLines, []string{"bl1"}) {
		t.Errorf("reason: got %+v (%s), want bl1, visible to all", gr, evs[0].Visibility)
	}
	h.do(chair, &OpenItem{Meeting: "m2", Item: care})
	cv = View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	if len(cv.Current.GateReasons) != 1 || !strings.Contains(cv.Current.GateReasons[0].Reason, "pleeggezin") {
		t.Errorf("family view: reasons %+v, want the chair's reason", cv.Current.GateReasons)
	}
	// A bottom line marked not met afterwards locks again at once: the open care item is
	// suspended.
	evs = h.do(chair, &SetBottomLineStatus{ID: "bl2", Status: "not_met"})
	if got := types(evs); !slices.Equal(got, []string{"bottomline.status_set", "agenda.item_suspended"}) {
		t.Errorf("bl2 not met with care open: got %v, want the care item suspended", got)
	}
	h.fail(chair, &OpenItem{Meeting: "m2", Item: care}, CodeGateClosed)
	h.do(chair, &RecordGateReason{Meeting: "m2", Reason: "Moeder werkt er aantoonbaar aan."})
	h.do(chair, &OpenItem{Meeting: "m2", Item: care})
	// Met again, with the care item open: nothing locks.
	if evs := h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "met"}); len(evs) != 1 {
		t.Errorf("bl1 met: got %v, want only the status", types(evs))
	}
}

// TestConsiderEscalation: a bottom line not met in two meetings in a row puts "Opschaling
// overwegen" on the next meeting's agenda, right after the safety assessment (paper §3.2:
// "Als deze investering niet tot resultaat leidt moet overwogen worden … opgeschaald").
func TestConsiderEscalation(t *testing.T) {
	setUp := func(t *testing.T, second string) *harness {
		h := newJanna(t)
		h.heldMeeting("m1", t0, all(3), false)
		h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"janna"}, Text: "Ouders troosten Janna."})
		h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "not_met"})
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.heldMeeting("m2", t0.AddDate(0, 1, 0), all(3), false)
		h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: second})
		return h
	}
	t.Run("scheduled after the second meeting", func(t *testing.T) {
		h := setUp(t, "not_met")
		h.do(chair, &CloseMeeting{Meeting: "m2"})
		h.do(chair, &ScheduleMeeting{ID: "m3", At: t0.AddDate(0, 2, 0), Agenda: []ItemKind{KindCarePlan}})
		if a := h.s.meeting("m3").Agenda; len(a) != 3 || a[1].Kind != KindConsiderEscalation || a[1].Title != "Opschaling overwegen" || a[1].Section != SectionSafety {
			t.Errorf("m3 agenda: got %+v, want the safety assessment, Opschaling overwegen, the care plan", a)
		}
		h.do(chair, &StartMeeting{Meeting: "m3"})
		if n := len(h.s.meeting("m3").Agenda); n != 3 {
			t.Errorf("start: got %d items, want the item once", n)
		}
	})
	t.Run("scheduled before it was not met again: added when the meeting starts", func(t *testing.T) {
		h := setUp(t, "open")
		h.do(chair, &ScheduleMeeting{ID: "m3", At: t0.AddDate(0, 2, 0)})
		h.do(chair, &SetBottomLineStatus{ID: "bl1", Status: "not_met"})
		h.do(chair, &CloseMeeting{Meeting: "m2"})
		h.now = t0.AddDate(0, 2, 0)
		evs := h.do(chair, &StartMeeting{Meeting: "m3"})
		if got := types(evs); !slices.Equal(got, []string{"meeting.started", "agenda.item_added"}) || h.s.meeting("m3").Agenda[1].Kind != KindConsiderEscalation {
			t.Errorf("start: got %v, agenda %+v; want the item added after the safety assessment", got, h.s.meeting("m3").Agenda[1])
		}
	})
	for _, second := range []string{"met", "open"} {
		t.Run("not when "+second+" in between", func(t *testing.T) {
			h := setUp(t, second)
			h.do(chair, &CloseMeeting{Meeting: "m2"})
			h.do(chair, &ScheduleMeeting{ID: "m3", At: t0.AddDate(0, 2, 0)})
			h.do(chair, &StartMeeting{Meeting: "m3"})
			if h.s.meeting("m3").hasOpenKind(KindConsiderEscalation) {
				t.Error("got Opschaling overwegen, want none")
			}
		})
	}
	t.Run("not for a withdrawn bottom line", func(t *testing.T) {
		h := setUp(t, "not_met")
		h.do(chair, &WithdrawEntry{Entry: "bottom_line", ID: "bl1", Reason: "Vervangen door een scherpere bodemeis."})
		h.do(chair, &CloseMeeting{Meeting: "m2"})
		h.do(chair, &ScheduleMeeting{ID: "m3", At: t0.AddDate(0, 2, 0)})
		if h.s.meeting("m3").hasOpenKind(KindConsiderEscalation) {
			t.Error("got Opschaling overwegen for a withdrawn bottom line")
		}
	})
}

// TestNoodverbandReinstated: a round that breaks the 6 after the safety plan was retired puts
// the noodverband back, visibly (paper §3.2: it stays "in functie … totdat er sprake is van
// stabiele veiligheid"); it can be retired again under stable safety.
func TestNoodverbandReinstated(t *testing.T) {
	h := newJanna(t)
	h.stable()
	h.do(chair, &AddItem{Meeting: "m3", ID: "ret", ItemKind: KindRetireSafetyPlan})
	h.do(chair, &OpenItem{Meeting: "m3", Item: "ret"})
	h.do(chair, &RetireSafetyPlan{})
	evs := h.do(chair, &OpenRound{Meeting: "m3"})
	rid := evs[0].Data.(*RoundRef).Round
	h.scores(rid, all(6), chair, social, nurse, mother, father)
	evs = h.do(aunt, score(rid, "janna", 6))
	if slices.Contains(types(evs), "safetyplan.reinstated") || !h.s.SafetyPlanRetired {
		t.Fatal("a round of 6s reinstated the noodverband; only breaking the 6 does")
	}
	h.do(aunt, score(rid, "moeder", 6))
	rid = h.openRound("m3")
	h.scores(rid, all(6), chair, social, nurse, mother, father)
	h.do(aunt, score(rid, "janna", 5))
	evs = h.do(aunt, score(rid, "moeder", 6))
	if !slices.Contains(types(evs), "safetyplan.reinstated") || h.s.SafetyPlanRetired {
		t.Fatalf("a round breaking the 6: got %v retired %v, want safetyplan.reinstated", types(evs), h.s.SafetyPlanRetired)
	}
	log := h.s.SafetyPlanLog
	if len(log) != 2 || log[0].Kind != "retired" || log[1].Kind != "reinstated" || log[1].Round != rid || log[1].Meeting != "m3" {
		t.Errorf("log: got %+v, want retired then reinstated by %s", log, rid)
	}
	if cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}); cv.Case.SafetyPlanRetired || len(cv.Case.SafetyPlanLog) != 2 {
		t.Errorf("family view: retired %v log %+v, want the noodverband back, with its log", cv.Case.SafetyPlanRetired, cv.Case.SafetyPlanLog)
	}
}
