package meeting

import (
	"testing"
	"time"
)

// TestCaseDirector: the professional who creates the case is its first case director
// (casusregisseur), with name and organisation; only the director sets the phone number the
// family calls; the view shows the director now and every director with from–to dates (paper
// §2.3 point 5, §3.5).
func TestCaseDirector(t *testing.T) {
	h := newHarness(t)
	vera := chair
	vera.Organisation = "Veilig Thuis"
	h.do(vera, &CreateCase{ID: "janna", Title: "Gezin van baby Janna", Subjects: []Subject{{ID: "janna", Name: "Janna"}}})
	d := h.s.Director()
	if d == nil || d.ID != chair.ID || d.Name != chair.Name || d.Organisation != "Veilig Thuis" || !d.From.Equal(t0) || !d.To.IsZero() {
		t.Fatalf("first director: got %+v, want %s of Veilig Thuis from t0", d, chair.Name)
	}
	h.fail(social, &SetDirectorContact{Phone: "030-1234567"}, CodeForbidden)
	h.fail(chair, &SetDirectorContact{Phone: "bel me"}, CodeInvalid)
	h.do(chair, &SetDirectorContact{Phone: "030-1234567"})
	if evs := h.do(chair, &SetDirectorContact{Phone: "030-1234567"}); len(evs) != 0 {
		t.Errorf("the same number again: got %v, want no events", types(evs))
	}
	for _, v := range []Viewer{{ID: mother.ID, Role: RoleFamily}, {ID: chair.ID, Role: RoleChair, Professional: true}} {
		cv := View(h.s, v)
		if cv.Case.Director == nil || cv.Case.Director.Name != chair.Name || cv.Case.Director.Phone != "030-1234567" ||
			cv.Case.Director.Organisation != "Veilig Thuis" || len(cv.Case.Directors) != 1 {
			t.Errorf("view for %s: director %+v, directors %d; want Vera with her number", v.ID, cv.Case.Director, len(cv.Case.Directors))
		}
	}
}

// TestTransferDirection: case.transfer_direction hands the case over — the new director holds
// every authority of the old one from that moment, the old one none; a hand-over in a meeting
// after the family confirmed the plan is warm (paper §3.4: "warme overdracht met het gezin
// waarbij het veiligheidsplan werd doorgenomen"), any other needs the reason why not.
func TestTransferDirection(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	h.roundAll("m1", all(6), everyone...)

	refused := []struct {
		name  string
		actor Actor
		cmd   *TransferDirection
		code  Code
	}{
		{"only the director", social, &TransferDirection{To: nurse.ID, Reason: "x", WhyNotWarm: "x"}, CodeForbidden},
		{"to a family member", chair, &TransferDirection{To: mother.ID, Reason: "x", WhyNotWarm: "x"}, CodeInvalid},
		{"to someone never at the table", chair, &TransferDirection{To: "u:onbekend", Reason: "x", WhyNotWarm: "x"}, CodeInvalid},
		{"to the director", chair, &TransferDirection{To: chair.ID, Reason: "x", WhyNotWarm: "x"}, CodeConflict},
		{"without a reason", chair, &TransferDirection{To: nurse.ID, WhyNotWarm: "x"}, CodeInvalid},
		{"not warm and no why", chair, &TransferDirection{To: nurse.ID, Reason: "Naar de jeugdbescherming"}, CodeInvalid},
		{"a bad phone number", chair, &TransferDirection{To: nurse.ID, Reason: "x", WhyNotWarm: "x", Phone: "nul-zes"}, CodeInvalid},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, tc.cmd, tc.code) })
	}

	// Warm: the mother confirmed the plan in this meeting.
	h.do(mother, &ConfirmPlan{Meeting: "m1"})
	h.now = t0.Add(time.Hour)
	evs := h.do(chair, &TransferDirection{To: nurse.ID, Reason: "Jeugdbescherming neemt de regie over", Phone: "06-12345678", WhyNotWarm: "genegeerd"})
	tr := evs[0].Data.(*DirectionTransferred)
	if evs[0].Type != "direction.transferred" || evs[0].Visibility != VisibleAll || !tr.Warm || tr.WhyNotWarm != "" || tr.Meeting != "m1" || tr.From != chair.ID || tr.Name != nurse.Name {
		t.Fatalf("transfer: got %s %+v, want a warm hand-over to %s in m1", evs[0].Type, tr, nurse.Name)
	}
	if len(h.s.Directors) != 2 || !h.s.Directors[0].To.Equal(h.now) || h.s.Director().ID != nurse.ID || !h.s.Director().From.Equal(h.now) {
		t.Fatalf("directors: got %+v, want Vera until now and Jet from now", h.s.Directors)
	}
	cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
	if cv.Case.Director.Name != nurse.Name || cv.Case.Director.Phone != "06-12345678" || len(cv.Case.Directors) != 2 || cv.Case.Directors[0].To.IsZero() {
		t.Errorf("family view: director %+v, directors %+v; want Jet with her number and Vera's term ended", cv.Case.Director, cv.Case.Directors)
	}

	// The old director still chairs the meeting in progress (the chair is not the director),
	// but holds no authority between meetings.
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.now = t0.AddDate(0, 0, 7)
	for _, c := range []Command{
		&SetPolicy{Policy{Quorum: 3}},
		&ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 1, 0)},
		&AddSubject{Subject{ID: "broer", Name: "Broer"}},
		&SetPhase{Phase: 1},
		&AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "Advies"}},
		&PlanMonitoring{MonitoringTask{What: "Contact met moeder", Schedule: Schedule{Start: "2026-01-12", Every: 7}}},
		&SetDirectorContact{Phone: "030"},
		&TransferDirection{To: social.ID, Reason: "terug", WhyNotWarm: "ziek"},
	} {
		h.fail(chair, c, CodeForbidden)
	}
	// The new one holds them all.
	h.do(nurse, &SetPolicy{Policy{Quorum: 2, StableMeetings: 3, StableDays: 28}})
	h.do(nurse, &AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "Advies"}})
	h.do(nurse, &PlanMonitoring{MonitoringTask{What: "Contact met moeder", Schedule: Schedule{Start: "2026-01-12", Every: 7}}})
	h.do(nurse, &ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 1, 0)})
	if h.s.meeting("m2").Chair != nurse.ID {
		t.Errorf("m2 chair: got %s, want the new director who scheduled it", h.s.meeting("m2").Chair)
	}
	// Between meetings a hand-over is never warm: it needs the reason why not.
	h.fail(nurse, &TransferDirection{To: social.ID, Reason: "Verhuizing"}, CodeInvalid)
	evs = h.do(nurse, &TransferDirection{To: social.ID, Reason: "Verhuizing", WhyNotWarm: "Het gezin is verhuisd voor het volgende overleg."})
	if tr := evs[0].Data.(*DirectionTransferred); tr.Warm || tr.WhyNotWarm == "" || tr.Meeting != "" {
		t.Errorf("between meetings: got %+v, want not warm, with why, without a meeting", tr)
	}
}
