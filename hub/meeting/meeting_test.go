package meeting

import (
	"reflect"
	"testing"
	"time"
)

func agendaKinds(m *Meeting) []ItemKind {
	var out []ItemKind
	for _, it := range m.Agenda {
		out = append(out, it.Kind)
	}
	return out
}

// TestScheduleMeeting: a meeting is planned with an agenda that always starts with the
// safety assessment (paper §3.2: "bij ieder samenwerkingsoverleg … als eerste").
func TestScheduleMeeting(t *testing.T) {
	tests := []struct {
		name   string
		agenda []ItemKind
		want   []ItemKind
	}{
		{"no agenda gives the standard agenda", nil,
			append([]ItemKind{KindSafetyAssessment}, defaultAgenda[1:]...)},
		{"the safety assessment is put first", []ItemKind{KindBottomLines, KindCarePlan},
			[]ItemKind{KindSafetyAssessment, KindBottomLines, KindCarePlan}},
		{"a safety assessment given later stays first, once", []ItemKind{KindBottomLines, KindSafetyAssessment, KindOther},
			[]ItemKind{KindSafetyAssessment, KindBottomLines, KindOther}},
		{"the restore-six item is never planned", []ItemKind{KindRestoreSix, KindMonitoring},
			[]ItemKind{KindSafetyAssessment, KindMonitoring}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.do(chair, &ScheduleMeeting{ID: "m1", At: t0, Agenda: tc.agenda})
			m := h.s.meeting("m1")
			if got := agendaKinds(m); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("agenda: got %v, want %v", got, tc.want)
			}
			for _, it := range m.Agenda {
				if it.Status != ItemPending || it.Section != SectionOf(it.Kind) || it.Title == "" {
					t.Errorf("item %s: status %s section %s title %q, want pending, %s, a title", it.ID, it.Status, it.Section, it.Title, SectionOf(it.Kind))
				}
			}
			if m.Status != MeetingScheduled || m.Chair != chair.ID {
				t.Errorf("meeting: status %s chair %s, want scheduled, %s", m.Status, m.Chair, chair.ID)
			}
			p := m.participant(chair.ID)
			if p == nil || p.Role != RoleChair || p.Status != Admitted {
				t.Errorf("scheduler: got %+v, want admitted chair", p)
			}
		})
	}
	t.Run("id, title and time default sensibly", func(t *testing.T) {
		h := newJanna(t)
		ams := time.FixedZone("CET", 3600)
		evs := h.do(chair, &ScheduleMeeting{At: time.Date(2026, 2, 1, 10, 0, 0, 0, ams)})
		m := h.s.Meetings[0]
		if m.ID != evs[0].Meeting || m.ID == "" {
			t.Errorf("generated id: got %q, event meeting %q", m.ID, evs[0].Meeting)
		}
		if m.Title != "Overleg 1" {
			t.Errorf("default title: got %q, want Overleg 1", m.Title)
		}
		if want := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC); !m.At.Equal(want) || m.At.Location() != time.UTC {
			t.Errorf("time: got %v, want %v in UTC", m.At, want)
		}
		if m.Index != 0 {
			t.Errorf("index: got %d, want 0", m.Index)
		}
	})
	refused := []struct {
		name  string
		actor Actor
		cmd   ScheduleMeeting
		code  Code
	}{
		{"family does not schedule", mother, ScheduleMeeting{ID: "m1", At: t0}, CodeForbidden},
		{"a professional who is not the case director", social, ScheduleMeeting{ID: "m1", At: t0}, CodeForbidden},
		{"no date", chair, ScheduleMeeting{ID: "m1"}, CodeInvalid},
		{"bad id", chair, ScheduleMeeting{ID: "m 1", At: t0}, CodeInvalid},
		{"unknown agenda kind", chair, ScheduleMeeting{ID: "m1", At: t0, Agenda: []ItemKind{"gossip"}}, CodeInvalid},
		{"too many agenda items", chair, ScheduleMeeting{ID: "m1", At: t0, Agenda: make([]ItemKind, 201)}, CodeInvalid},
		{"title too long", chair, ScheduleMeeting{ID: "m1", At: t0, Title: string(make([]byte, 201))}, CodeInvalid},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.fail(tc.actor, &tc.cmd, tc.code)
		})
	}
	t.Run("an id is used once", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
		h.fail(chair, &ScheduleMeeting{ID: "m1", At: t0}, CodeConflict)
	})
	t.Run("the chair of the meeting in progress schedules the next one and chairs it", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		h.do(chair, &HandOver{Meeting: "m1", Participant: social.ID})
		h.do(social, &ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 3, 0)})
		if got := h.s.meeting("m2").Chair; got != social.ID {
			t.Errorf("chair of m2: got %s, want %s", got, social.ID)
		}
		if got := h.s.meeting("m2").Index; got != 1 {
			t.Errorf("index of m2: got %d, want 1", got)
		}
	})
}

// TestStartAndCloseMeeting: one meeting in progress at a time; only its chair starts and
// closes it; a meeting closes only when no round is open.
func TestStartAndCloseMeeting(t *testing.T) {
	t.Run("scheduled → in progress → closed", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
		h.do(chair, &StartMeeting{Meeting: "m1"})
		if got := h.s.meeting("m1").Status; got != MeetingInProgress {
			t.Fatalf("after start: got %s, want in_progress", got)
		}
		h.do(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"})
		h.do(chair, &CloseMeeting{}) // empty id: the meeting in progress
		if got := h.s.meeting("m1").Status; got != MeetingClosed {
			t.Fatalf("after close: got %s, want closed", got)
		}
		if got := h.status("m1", "m1-a0"); got != ItemClosed {
			t.Errorf("open item at close: got %s, want closed", got)
		}
	})
	t.Run("one meeting in progress at a time", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
		h.do(chair, &ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 1, 0)})
		h.do(chair, &StartMeeting{Meeting: "m1"})
		h.fail(chair, &StartMeeting{Meeting: "m2"}, CodeConflict)
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.do(chair, &StartMeeting{Meeting: "m2"})
	})
	refused := []struct {
		name  string
		setup func(h *harness)
		actor Actor
		cmd   Command
		code  Code
	}{
		{"start an unknown meeting", nil, chair, &StartMeeting{Meeting: "m9"}, CodeNotFound},
		{"start by someone else than the chair", nil, social, &StartMeeting{Meeting: "m1"}, CodeForbidden},
		{"start twice", func(h *harness) { h.do(chair, &StartMeeting{Meeting: "m1"}) }, chair, &StartMeeting{Meeting: "m1"}, CodeConflict},
		{"start a closed meeting", func(h *harness) {
			h.do(chair, &StartMeeting{Meeting: "m1"})
			h.do(chair, &CloseMeeting{Meeting: "m1"})
		}, chair, &StartMeeting{Meeting: "m1"}, CodeConflict},
		{"close a meeting that has not started", nil, chair, &CloseMeeting{Meeting: "m1"}, CodeConflict},
		{"close when none is in progress", nil, chair, &CloseMeeting{}, CodeConflict},
		{"close an unknown meeting", nil, chair, &CloseMeeting{Meeting: "m9"}, CodeNotFound},
		{"close by someone else than the chair", func(h *harness) {
			h.do(chair, &StartMeeting{Meeting: "m1"})
			h.do(social, &Join{Meeting: "m1"})
			h.do(chair, &Admit{Meeting: "m1", Participant: social.ID})
		}, social, &CloseMeeting{Meeting: "m1"}, CodeForbidden},
		{"close while a round is open", func(h *harness) {
			h.do(chair, &StartMeeting{Meeting: "m1"})
			h.do(chair, &OpenRound{Meeting: "m1"})
		}, chair, &CloseMeeting{Meeting: "m1"}, CodeConflict},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
			if tc.setup != nil {
				tc.setup(h)
			}
			h.fail(tc.actor, tc.cmd, tc.code)
		})
	}
}

// TestSetFamilyAdvisory: whether family and network scores count is a setting of the
// meeting, changed only between rounds.
func TestSetFamilyAdvisory(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social)
	if h.s.meeting("m1").FamilyAdvisory {
		t.Fatal("default: got advisory, want counting (paper: consensus of everyone at the table)")
	}
	if evs := h.do(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: false}); len(evs) != 0 {
		t.Errorf("setting the same value: got events %v, want none", types(evs))
	}
	h.do(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: true, Reason: "Ouders scoren nu vooral hun schuldgevoel."})
	if !h.s.meeting("m1").FamilyAdvisory {
		t.Error("after set: got counting, want advisory")
	}
	h.fail(social, &SetFamilyAdvisory{Meeting: "m1", Advisory: false}, CodeForbidden)
	h.fail(chair, &SetFamilyAdvisory{Meeting: "m9", Advisory: false}, CodeNotFound)
	rid := h.openRound("m1")
	h.fail(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: false}, CodeConflict)
	h.do(chair, &RevealRound{Round: rid})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.fail(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: false}, CodeConflict)
}
