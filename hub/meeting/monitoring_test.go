package meeting

import (
	"reflect"
	"testing"
)

// monitoringCase is the Janna case after meeting 1 (2 and 3): bottom line bl1, a safety
// agreement ag1 with a weekly schedule from t0, and the meeting closed.
func monitoringCase(t *testing.T) *harness {
	t.Helper()
	h := newJanna(t)
	h.heldMeeting("m1", t0, map[string]int{"janna": 2, "moeder": 3}, false)
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"moeder"}, Text: "Moeder heeft een eigen veiligheidsplan."})
	h.do(chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "Moeder maakt met de casusregisseur een veiligheidsplan.",
		Owner: Owner{Name: "Moeder"}, When: "wekelijks", BottomLine: "bl1", Schedule: &Schedule{Start: "2026-01-05", Every: 7}})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	return h
}

// TestCheckInDatedAndLinked: a check-in has a real date — not in the future, at most
// MaxCheckInAge days back — and names the agreement, bottom line or monitoring task it checks;
// whoever records it is linked to it (paper §3.2: "Iedere week heeft de casusregisseur contact
// met moeder om te toetsen …").
func TestCheckInDatedAndLinked(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, map[string]int{"janna": 2, "moeder": 3}, false)
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"moeder"}, Text: "Moeder heeft een eigen veiligheidsplan."})
	h.do(chair, &AddAgreement{ID: "ag1", Plan: "safety", Action: "Oppas door de buurvrouw.", Owner: Owner{Name: "Buurvrouw"}})
	h.do(chair, &WithdrawEntry{Entry: "agreement", ID: "ag1", Reason: "De buurvrouw is verhuisd."})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.now = t0.AddDate(0, 0, 10) // 2026-01-15
	refused := []struct {
		name string
		ci   CheckIn
		code Code
	}{
		{"free text date", CheckIn{Date: "vorige week", BottomLine: "bl1"}, CodeInvalid},
		{"in the future", CheckIn{Date: "2026-01-17", BottomLine: "bl1"}, CodeInvalid},
		{"too long ago", CheckIn{Date: "2025-10-16", BottomLine: "bl1"}, CodeInvalid},
		{"linked to nothing", CheckIn{Date: "2026-01-15"}, CodeInvalid},
		{"an unknown bottom line", CheckIn{Date: "2026-01-15", BottomLine: "bl9"}, CodeNotFound},
		{"an unknown task", CheckIn{Date: "2026-01-15", Task: "mt9"}, CodeNotFound},
		{"a withdrawn agreement", CheckIn{Date: "2026-01-15", Agreement: "ag1"}, CodeConflict},
		{"an unknown person", CheckIn{Date: "2026-01-15", BottomLine: "bl1", Person: "buurman"}, CodeNotFound},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { h.fail(social, &AddCheckIn{tc.ci}, tc.code) })
	}
	// Tomorrow is accepted (time zones), and 90 days back.
	h.do(social, &AddCheckIn{CheckIn{Date: "2026-01-16", BottomLine: "bl1", Person: "moeder"}})
	evs := h.do(social, &AddCheckIn{CheckIn{Date: "2025-10-17", BottomLine: "bl1", By: "Wijkagent"}})
	ci := evs[0].Data.(*CheckIn)
	if ci.ByID != social.ID || ci.By != "Wijkagent" || evs[0].Visibility != VisibleProfessionals {
		t.Errorf("check-in: got %+v (%s), want recorded by %s for professionals", ci, evs[0].Visibility, social.ID)
	}
}

// TestMonitoringSchedule: an agreement or a monitoring task has an owner and a schedule
// (start, every N days, until); what is due and overdue follows from the latest linked
// check-in and the time given (the command's, or the reader's: the domain has no clock).
func TestMonitoringSchedule(t *testing.T) {
	h := monitoringCase(t)
	h.now = t0.AddDate(0, 0, 1)
	t.Run("planning a task", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			actor Actor
			task  MonitoringTask
			code  Code
		}{
			{"only the director or chair", social, MonitoringTask{What: "x", Schedule: Schedule{Start: "2026-01-05", Every: 7}}, CodeForbidden},
			{"without what", chair, MonitoringTask{Schedule: Schedule{Start: "2026-01-05", Every: 7}}, CodeInvalid},
			{"without a start", chair, MonitoringTask{What: "x", Schedule: Schedule{Every: 7}}, CodeInvalid},
			{"every 0 days", chair, MonitoringTask{What: "x", Schedule: Schedule{Start: "2026-01-05"}}, CodeInvalid},
			{"until before the start", chair, MonitoringTask{What: "x", Schedule: Schedule{Start: "2026-01-05", Every: 7, Until: "2026-01-01"}}, CodeInvalid},
			{"an owner never at the table", chair, MonitoringTask{What: "x", Owner: Owner{Participant: "u:x"}, Schedule: Schedule{Start: "2026-01-05", Every: 7}}, CodeNotFound},
			{"for an unknown person", chair, MonitoringTask{What: "x", Person: "buurman", Schedule: Schedule{Start: "2026-01-05", Every: 7}}, CodeNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) { h.fail(tc.actor, &PlanMonitoring{tc.task}, tc.code) })
		}
		evs := h.do(chair, &PlanMonitoring{MonitoringTask{ID: "mt1", What: "Contact met moeder", Person: "moeder", BottomLine: "bl1",
			Schedule: Schedule{Start: "2026-01-08", Every: 7, Until: "2026-02-28"}}})
		task := evs[0].Data.(*MonitoringTask)
		if evs[0].Visibility != VisibleProfessionals || task.Owner.Participant != chair.ID || task.Owner.Name != chair.Name {
			t.Errorf("task: got %+v (%s), want the director as owner, professionals only", task, evs[0].Visibility)
		}
		if cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}); len(cv.Plans.Tasks) != 0 {
			t.Error("family view holds monitoring tasks")
		}
		if cv := View(h.s, Viewer{ID: social.ID, Professional: true}); len(cv.Plans.Tasks) != 1 {
			t.Error("professional view lacks the task")
		}
	})
	due := func(days int) []DueItem { return h.s.Due(t0.AddDate(0, 0, days).Add(5 * 3600e9)) }
	t.Run("due and overdue", func(t *testing.T) {
		got := due(0) // 2026-01-05: ag1 due today, mt1 in 3 days
		want := []DueItem{
			{Kind: "agreement", ID: "ag1", What: "Moeder maakt met de casusregisseur een veiligheidsplan.", Owner: Owner{Name: "Moeder"}, Due: "2026-01-05"},
			{Kind: "task", ID: "mt1", What: "Contact met moeder", Owner: Owner{Participant: chair.ID, Name: chair.Name}, Person: "moeder", Due: "2026-01-08", Days: -3},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("on 2026-01-05:\ngot  %+v\nwant %+v", got, want)
		}
		got = due(11) // 2026-01-16: ag1 11 days late, mt1 8 days late ("Contact met moeder: 8 dagen te laat")
		if len(got) != 2 || got[0].ID != "ag1" || got[0].Days != 11 || !got[0].Overdue || got[1].ID != "mt1" || got[1].Days != 8 || !got[1].Overdue {
			t.Errorf("on 2026-01-16: got %+v, want ag1 11 and mt1 8 days late, most overdue first", got)
		}
		if got := due(-8); len(got) != 0 {
			t.Errorf("more than %d days before the start: got %+v, want nothing", DueWindow, got)
		}
	})
	t.Run("a check-in moves the next due date", func(t *testing.T) {
		h.now = t0.AddDate(0, 0, 9)
		h.do(chair, &AddCheckIn{CheckIn{Date: "2026-01-13", Task: "mt1", Person: "moeder", PlanNeeded: true, HowItWorked: "Ze belde haar zus."}})
		h.do(chair, &AddCheckIn{CheckIn{Date: "2026-01-12", Agreement: "ag1"}})
		got := due(11) // 2026-01-16
		if len(got) != 2 || got[0].ID != "ag1" || got[0].Due != "2026-01-19" || got[0].Days != -3 || got[0].Last != "2026-01-12" ||
			got[1].ID != "mt1" || got[1].Due != "2026-01-20" || got[1].Days != -4 || got[1].Overdue {
			t.Errorf("after the check-ins: got %+v, want ag1 due 19 Jan and mt1 due 20 Jan", got)
		}
		if got := due(18); len(got) != 2 || got[0].ID != "ag1" || got[0].Days != 4 || got[1].Days != 3 {
			t.Errorf("on 2026-01-23: got %+v, want ag1 4 and mt1 3 days late", got)
		}
	})
	t.Run("until ends it; a done or withdrawn agreement is not due", func(t *testing.T) {
		if got := due(55); len(got) != 1 || got[0].ID != "ag1" {
			t.Errorf("after the task's end date: got %+v, want ag1 only", got)
		}
		h.setUpMeeting("m2", t0.AddDate(0, 0, 28), everyone...)
		h.roundAll("m2", all(6), everyone...)
		h.do(chair, &SetAgreementStatus{ID: "ag1", Status: "done"})
		h.do(chair, &WithdrawEntry{Entry: "task", ID: "mt1", Reason: "Moeder heeft een eigen plan."})
		if got := h.s.Due(t0.AddDate(0, 0, 40)); len(got) != 0 {
			t.Errorf("after done and withdrawn: got %+v, want nothing due", got)
		}
	})
}

// TestEscalationBetweenMeetings: the case director records an escalation between meetings —
// monitoring between meetings is what finds the reason to escalate (paper §3.5) — linked to
// the check-in or bottom line behind it; in a meeting the chair does, under the gate.
func TestEscalationBetweenMeetings(t *testing.T) {
	h := monitoringCase(t)
	h.now = t0.AddDate(0, 0, 6)
	h.do(social, &AddCheckIn{CheckIn{ID: "mo1", Date: "2026-01-11", BottomLine: "bl1", Concerns: "Vader dreigde."}})
	h.fail(social, &AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "x"}}, CodeForbidden)
	h.fail(chair, &AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "x", CheckIn: "mo9"}}, CodeNotFound)
	h.fail(chair, &AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "x", BottomLine: "bl9"}}, CodeNotFound)
	evs := h.do(chair, &AddEscalation{Escalation{Kind: "veilig_thuis_deployment", Decision: "Veilig Thuis gaat op huisbezoek.", Reason: "Dreiging",
		CheckIn: "mo1", BottomLine: "bl1"}})
	e := evs[0].Data.(*Escalation)
	if !e.Between || e.CheckIn != "mo1" || evs[0].Meeting != "" || evs[0].Visibility != VisibleProfessionals {
		t.Errorf("escalation: got %+v (%s, meeting %q), want between meetings, linked, professionals only", e, evs[0].Visibility, evs[0].Meeting)
	}
	// In a meeting: the chair, after the first reveal.
	h.setUpMeeting("m2", t0.AddDate(0, 0, 28), everyone...)
	h.fail(chair, &AddEscalation{Escalation{Kind: "mda_expertise", Decision: "x"}}, CodeGateClosed)
	h.roundAll("m2", all(3), everyone...)
	if evs := h.do(chair, &AddEscalation{Escalation{Kind: "mda_expertise", Decision: "x"}}); evs[0].Data.(*Escalation).Between {
		t.Error("an escalation in a meeting is marked between meetings")
	}
}
