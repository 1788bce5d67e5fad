package meeting

import (
	"encoding/json"
	"testing"
)

// fast runs commands through Decide and Apply without the per-step invariant checks, for the
// size limits, which need hundreds of commands.
func fast(t *testing.T, s *State, a Actor, c Command) (*State, error) {
	t.Helper()
	evs, err := Decide(s, c, Context{Actor: a, Now: t0, CommandID: "x" + itoa(int(s.Seq))})
	for _, e := range evs {
		s = Apply(s, e)
	}
	return s, err
}

// TestLimits: a case holds at most 500 meetings, a meeting at most 200 participants and 200
// rounds; beyond that a command is invalid.
func TestLimits(t *testing.T) {
	h := newJanna(t)
	s := h.s
	var err error
	t.Run("200 rounds", func(t *testing.T) {
		s, _ = fast(t, s, chair, &ScheduleMeeting{ID: "m1", At: t0})
		s, _ = fast(t, s, chair, &StartMeeting{Meeting: "m1"})
		for i := 0; i < maxItems; i++ {
			if s, err = fast(t, s, chair, &OpenRound{Meeting: "m1"}); err != nil {
				t.Fatalf("round %d: %v", i+1, err)
			}
			s, _ = fast(t, s, chair, &RevealRound{Round: s.meeting("m1").Rounds[i].ID})
		}
		_, err = fast(t, s, chair, &OpenRound{Meeting: "m1"})
		checkMessages(t, err, CodeInvalid)
	})
	t.Run("200 participants", func(t *testing.T) {
		for i := len(s.meeting("m1").Participants); i < maxItems; i++ {
			if s, err = fast(t, s, Actor{ID: "i:p" + itoa(i), Name: "P", InviteRole: RoleNetwork}, &Join{Meeting: "m1"}); err != nil {
				t.Fatalf("participant %d: %v", i+1, err)
			}
		}
		_, err = fast(t, s, Actor{ID: "i:one-more", Name: "P", InviteRole: RoleNetwork}, &Join{Meeting: "m1"})
		checkMessages(t, err, CodeInvalid)
	})
	t.Run("500 meetings", func(t *testing.T) {
		s, _ = fast(t, s, chair, &CloseMeeting{Meeting: "m1"})
		for i := len(s.Meetings); i < 500; i++ {
			if s, err = fast(t, s, chair, &ScheduleMeeting{At: t0, Agenda: []ItemKind{KindOther}}); err != nil {
				t.Fatalf("meeting %d: %v", i+1, err)
			}
		}
		_, err = fast(t, s, chair, &ScheduleMeeting{At: t0})
		checkMessages(t, err, CodeInvalid)
	})
}

// TestEventEnvelopeErrors: an event whose envelope does not decode is an error.
func TestEventEnvelopeErrors(t *testing.T) {
	var e Event
	if err := e.UnmarshalJSON([]byte(`{"seq":"one","type":"phase.set"}`)); err == nil {
		t.Errorf("seq as a string: got %+v, want an error", e)
	}
	if err := json.Unmarshal([]byte(`{"seq":1,"type":"phase.set","data":{"phase":2}}`), &e); err != nil || e.Data.(*PhaseSet).Phase != 2 {
		t.Errorf("a valid event: got %+v, %v", e, err)
	}
}
