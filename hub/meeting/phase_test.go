package meeting

import (
	"strings"
	"testing"
)

// TestSetPhase: phases 1 direct safety → 2 risk-driven care → 3 recovery → 4 stabilisation →
// 5 future plan (paper §1). Forward one step at a time, 2–4 need direct safety, 5 needs stable
// safety; back at any time.
func TestSetPhase(t *testing.T) {
	type situation int
	const (
		unsafe situation = iota // 5 and 3
		direct                  // 6 and 6, one meeting
		stable                  // 7s in three meetings 28 days apart
	)
	tests := []struct {
		name  string
		sit   situation
		from  int
		to    int
		actor Actor
		code  Code // "" = accepted
	}{
		{"1 → 2 with direct safety", direct, 1, 2, chair, ""},
		{"1 → 2 without direct safety", unsafe, 1, 2, chair, CodeGateClosed},
		{"2 → 3 with direct safety", direct, 2, 3, chair, ""},
		{"3 → 4 with direct safety", direct, 3, 4, chair, ""},
		{"4 → 5 with direct safety only", direct, 4, 5, chair, CodeGateClosed},
		{"4 → 5 with stable safety", stable, 4, 5, chair, ""},
		{"1 → 3 skips a phase", stable, 1, 3, chair, CodeConflict},
		{"2 → 1 back without direct safety", unsafe, 2, 1, chair, ""},
		{"4 → 1 back at once", unsafe, 4, 1, chair, ""},
		{"phase 0", direct, 1, 0, chair, CodeInvalid},
		{"phase 6", stable, 5, 6, chair, CodeInvalid},
		{"a professional who does not chair", direct, 1, 2, social, CodeForbidden},
		{"family", direct, 1, 2, mother, CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			switch tc.sit {
			case unsafe:
				h.heldMeeting("m1", t0, all(6), false)
				for p := 2; p <= tc.from; p++ {
					h.do(chair, &SetPhase{Phase: p})
				}
				h.roundAll("m1", map[string]int{"janna": 5, "moeder": 3}, everyone...)
			case direct:
				h.heldMeeting("m1", t0, all(6), false)
			case stable:
				h.stable()
			}
			for p := h.s.Phase + 1; p <= tc.from && tc.sit != unsafe; p++ {
				h.do(chair, &SetPhase{Phase: p})
			}
			if h.s.Phase != tc.from {
				t.Fatalf("set-up: phase %d, want %d", h.s.Phase, tc.from)
			}
			if tc.code != "" {
				e := h.fail(tc.actor, &SetPhase{Phase: tc.to}, tc.code)
				if tc.code == CodeGateClosed && tc.sit == unsafe && !strings.Contains(e.NL, "Janna: 5, moeder: 3") {
					t.Errorf("reason: got %q, want the subjects and their lowest scores", e.NL)
				}
				if tc.code == CodeGateClosed && tc.to == 5 && !strings.Contains(e.EN, "stable safety") {
					t.Errorf("reason: got %q, want stable safety", e.EN)
				}
				return
			}
			h.do(tc.actor, &SetPhase{Phase: tc.to})
			if h.s.Phase != tc.to {
				t.Errorf("phase: got %d, want %d", h.s.Phase, tc.to)
			}
		})
	}
	t.Run("the same phase changes nothing", func(t *testing.T) {
		h := newJanna(t)
		if evs := h.do(chair, &SetPhase{Phase: 1}); len(evs) != 0 {
			t.Errorf("got %v, want no events", types(evs))
		}
	})
	t.Run("the case director moves the phase between meetings", func(t *testing.T) {
		h := newJanna(t)
		h.heldMeeting("m1", t0, all(6), true)
		h.do(chair, &SetPhase{Phase: 2})
	})
	t.Run("the chair of the meeting in progress moves it", func(t *testing.T) {
		h := newJanna(t)
		h.heldMeeting("m1", t0, all(6), false)
		h.do(chair, &HandOver{Meeting: "m1", Participant: social.ID})
		h.do(social, &SetPhase{Phase: 2})
	})
}
