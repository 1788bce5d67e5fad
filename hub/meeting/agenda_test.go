package meeting

import (
	"reflect"
	"testing"
)

func agendaIDs(m *Meeting) []string {
	var out []string
	for _, it := range m.Agenda {
		out = append(out, it.ID)
	}
	return out
}

// TestAgendaSafetyAssessmentFirst: the safety assessment is always the first item and cannot
// be moved, replaced or added twice (paper §3.2).
func TestAgendaSafetyAssessmentFirst(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		code Code
	}{
		{"move the safety assessment down", &MoveItem{Meeting: "m1", Item: "m1-a0", Position: 2}, CodeInvalid},
		{"move an item above it", &MoveItem{Meeting: "m1", Item: "m1-a3", Position: 0}, CodeInvalid},
		{"move an item to a negative position", &MoveItem{Meeting: "m1", Item: "m1-a3", Position: -1}, CodeInvalid},
		{"move an item past the end", &MoveItem{Meeting: "m1", Item: "m1-a3", Position: 7}, CodeInvalid},
		{"add a second safety assessment", &AddItem{Meeting: "m1", ItemKind: KindSafetyAssessment}, CodeInvalid},
		{"add the restore-six item by hand", &AddItem{Meeting: "m1", ItemKind: KindRestoreSix}, CodeInvalid},
		{"add an unknown kind", &AddItem{Meeting: "m1", ItemKind: "gossip"}, CodeInvalid},
		{"add with a bad id", &AddItem{Meeting: "m1", ID: "a b", ItemKind: KindOther}, CodeInvalid},
		{"add with a taken id", &AddItem{Meeting: "m1", ID: "m1-a2", ItemKind: KindOther}, CodeConflict},
		{"add with a title too long", &AddItem{Meeting: "m1", ID: "x", ItemKind: KindOther, Title: string(make([]rune, 201))}, CodeInvalid},
		{"move an unknown item", &MoveItem{Meeting: "m1", Item: "m1-zz", Position: 1}, CodeNotFound},
		{"agenda of an unknown meeting", &AddItem{Meeting: "m9", ItemKind: KindOther}, CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
			h.fail(chair, tc.cmd, tc.code)
		})
	}
}

func TestAgendaAddAndMove(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0, Agenda: []ItemKind{KindBottomLines, KindCarePlan}})
	h.do(chair, &AddItem{Meeting: "m1", ID: "x", ItemKind: KindOther, Title: "Schulden"})
	h.do(chair, &AddItem{Meeting: "m1", ID: "y", ItemKind: KindEscalation})
	m := h.s.meeting("m1")
	if got, want := agendaIDs(m), []string{"m1-a0", "m1-a1", "m1-a2", "x", "y"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("added at the end: got %v, want %v", got, want)
	}
	if it := m.item("x"); it.Title != "Schulden" || it.Section != SectionOther || it.Status != ItemPending {
		t.Errorf("custom item: got %+v", it)
	}
	if it := m.item("y"); it.Title != "Opschaling" || it.Section != SectionSafety {
		t.Errorf("item with the default title: got %+v", it)
	}
	tests := []struct {
		name string
		item string
		pos  int
		want []string
	}{
		{"to right after the safety assessment", "y", 1, []string{"m1-a0", "y", "m1-a1", "m1-a2", "x"}},
		{"to the end", "y", 4, []string{"m1-a0", "m1-a1", "m1-a2", "x", "y"}},
		{"one down", "m1-a1", 2, []string{"m1-a0", "m1-a2", "m1-a1", "x", "y"}},
		{"to where it is", "x", 3, []string{"m1-a0", "m1-a2", "m1-a1", "x", "y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.do(chair, &MoveItem{Meeting: "m1", Item: tc.item, Position: tc.pos})
			if got := agendaIDs(h.s.meeting("m1")); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("only the chair steers the agenda", func(t *testing.T) {
		h.do(social, &Join{Meeting: "m1"})
		h.do(chair, &Admit{Meeting: "m1", Participant: social.ID})
		h.fail(social, &AddItem{Meeting: "m1", ItemKind: KindOther}, CodeForbidden)
		h.fail(social, &MoveItem{Meeting: "m1", Item: "x", Position: 1}, CodeForbidden)
		h.fail(social, &OpenItem{Meeting: "m1", Item: "m1-a0"}, CodeForbidden)
		h.fail(social, &CloseItem{Meeting: "m1", Item: "m1-a0"}, CodeForbidden)
		h.fail(social, &SuspendItem{Meeting: "m1", Item: "m1-a0"}, CodeForbidden)
	})
	t.Run("a closed meeting's agenda is final", func(t *testing.T) {
		h.do(chair, &StartMeeting{Meeting: "m1"})
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.fail(chair, &AddItem{Meeting: "m1", ItemKind: KindOther}, CodeConflict)
		h.fail(chair, &MoveItem{Meeting: "m1", Item: "x", Position: 1}, CodeConflict)
		h.fail(chair, &CloseItem{Meeting: "m1", Item: "x"}, CodeConflict)
	})
	t.Run("at most 200 items", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
		for len(h.s.meeting("m1").Agenda) < maxItems {
			h.do(chair, &AddItem{Meeting: "m1", ID: "o" + itoa(len(h.s.meeting("m1").Agenda)), ItemKind: KindOther})
		}
		h.fail(chair, &AddItem{Meeting: "m1", ID: "one-more", ItemKind: KindOther}, CodeInvalid)
	})
}

// TestAgendaOpenCloseSuspend: one item is open at a time — opening one puts the previously
// open one back to pending; a closed item stays closed; only an open item is suspended.
func TestAgendaOpenCloseSuspend(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.fail(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"}, CodeConflict) // not started
	h.do(chair, &StartMeeting{Meeting: "m1"})
	h.do(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"})
	if evs := h.do(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"}); len(evs) != 0 {
		t.Errorf("opening an open item: got %v, want no events", types(evs))
	}
	h.roundAll("m1", all(3)) // only the chair at the table: revealed at once
	steps := []struct {
		name string
		cmd  Command
		want map[string]ItemStatus
	}{
		{"open the bottom lines: the assessment goes back to pending", &OpenItem{Meeting: "m1", Item: "m1-a3"},
			map[string]ItemStatus{"m1-a0": ItemPending, "m1-a3": ItemOpen}},
		{"suspend it", &SuspendItem{Meeting: "m1", Item: "m1-a3"},
			map[string]ItemStatus{"m1-a3": ItemSuspended}},
		{"open the safety-plan review", &OpenItem{Meeting: "m1", Item: "m1-a2"},
			map[string]ItemStatus{"m1-a2": ItemOpen, "m1-a3": ItemSuspended}},
		{"reopen the suspended item", &OpenItem{Meeting: "m1", Item: "m1-a3"},
			map[string]ItemStatus{"m1-a2": ItemPending, "m1-a3": ItemOpen}},
		{"close it", &CloseItem{Meeting: "m1", Item: "m1-a3"},
			map[string]ItemStatus{"m1-a3": ItemClosed}},
		{"close a pending item", &CloseItem{Meeting: "m1", Item: "m1-a4"},
			map[string]ItemStatus{"m1-a4": ItemClosed}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			h.do(chair, st.cmd)
			for id, want := range st.want {
				if got := h.status("m1", id); got != want {
					t.Errorf("%s: got %s, want %s", id, got, want)
				}
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		h.fail(chair, &OpenItem{Meeting: "m1", Item: "m1-a3"}, CodeConflict)    // closed stays closed
		h.fail(chair, &SuspendItem{Meeting: "m1", Item: "m1-a2"}, CodeConflict) // pending
		h.fail(chair, &SuspendItem{Meeting: "m1", Item: "m1-a3"}, CodeConflict) // closed
		h.fail(chair, &OpenItem{Meeting: "m1", Item: "m1-zz"}, CodeNotFound)
		h.fail(chair, &OpenItem{Meeting: "m9", Item: "m1-a0"}, CodeNotFound)
		if evs := h.do(chair, &CloseItem{Meeting: "m1", Item: "m1-a3"}); len(evs) != 0 {
			t.Errorf("closing a closed item: got %v, want no events", types(evs))
		}
	})
}
