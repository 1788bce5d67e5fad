package meeting

import (
	"reflect"
	"sort"
	"testing"
)

// TestDecodeCommand: every kind decodes from JSON; unknown kinds, unknown fields and malformed
// JSON are refused as invalid, with a Dutch and English message.
func TestDecodeCommand(t *testing.T) {
	kinds := CommandKinds()
	sort.Strings(kinds)
	if len(kinds) != 65 {
		t.Errorf("command kinds: got %d, want 65", len(kinds))
	}
	for _, k := range kinds {
		t.Run("empty payload/"+k, func(t *testing.T) {
			for _, payload := range []string{"", "{}", "  \n"} {
				c, err := DecodeCommand(k, []byte(payload))
				if err != nil {
					t.Fatalf("payload %q: %v", payload, err)
				}
				if c.Kind() != k {
					t.Errorf("kind: got %s, want %s", c.Kind(), k)
				}
			}
		})
	}
	ok := []struct {
		name    string
		kind    string
		payload string
		want    Command
	}{
		{"a score", "score.submit", `{"round":"m1-r1","subject":"janna","value":4,"meaning":"m","notHigher":"n"}`,
			&SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(4), Meaning: "m", NotHigher: "n"}},
		{"an abstention", "score.submit", `{"round":"m1-r1","subject":"janna","abstain":true}`,
			&SubmitScore{Round: "m1-r1", Subject: "janna", Abstain: true}},
		{"an embedded subject", "case.add_subject", `{"id":"janna","name":"Janna"}`, &AddSubject{Subject{ID: "janna", Name: "Janna"}}},
		{"an agenda item's kind", "agenda.add", `{"meeting":"m1","kind":"care_plan"}`, &AddItem{Meeting: "m1", ItemKind: KindCarePlan}},
		{"a policy", "case.set_policy", `{"quorum":3,"stableMeetings":2,"stableDays":14}`, &SetPolicy{Policy{3, 2, 14}}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCommand(tc.kind, []byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, tc.want) {
				t.Errorf("got %+v, want %+v", c, tc.want)
			}
		})
	}
	bad := []struct {
		name    string
		kind    string
		payload string
	}{
		{"unknown kind", "score.delete", `{}`},
		{"empty kind", "", `{}`},
		{"unknown field", "score.submit", `{"round":"r","valeu":4}`},
		{"malformed JSON", "score.submit", `{"round":`},
		{"not an object", "score.submit", `[1,2]`},
		{"a string for a number", "score.submit", `{"value":"4"}`},
		{"a fraction for a score", "score.submit", `{"value":6.5}`},
		{"trailing data", "meeting.start", `{"meeting":"m1"} {"meeting":"m2"}`},
		{"trailing garbage", "meeting.start", `{"meeting":"m1"}x`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCommand(tc.kind, []byte(tc.payload))
			if c != nil {
				t.Errorf("command: got %+v, want nil", c)
			}
			checkMessages(t, err, CodeInvalid)
		})
	}
}

// TestDecideInput: only pointers are commands, a command decides alike each time, and Decide
// refuses what is not a command of the domain. (A type outside the domain cannot be a Command
// at all: the interface has an unexported decide method, so "unknown command" is a compile error.)
func TestDecideInput(t *testing.T) {
	t.Run("only pointers are commands", func(t *testing.T) {
		command := reflect.TypeFor[Command]()
		for kind, f := range commandTypes {
			p := reflect.TypeOf(f())
			if p.Kind() != reflect.Pointer || !p.Implements(command) || p.Elem().Implements(command) {
				t.Errorf("%s: want only the pointer %v to implement Command, not the value", kind, p)
			}
		}
	})
	t.Run("the same command twice alike", func(t *testing.T) {
		h := newJanna(t)
		a, errA := Decide(h.s, &ScheduleMeeting{ID: "m1", At: t0}, h.ctx(chair))
		b, errB := Decide(h.s, &ScheduleMeeting{ID: "m1", At: t0}, Context{Actor: chair, Now: t0, CommandID: a[0].ID[:len(a[0].ID)-2], Defaults: h.policy})
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("got %v / %v, %+v / %+v", errA, errB, a, b)
		}
	})
	t.Run("a nil state is a case that does not exist", func(t *testing.T) {
		evs, err := Decide(nil, &CreateCase{ID: "c", Title: "Gezin", Subjects: []Subject{{Name: "Janna"}}}, Context{Actor: chair, Now: t0, CommandID: "c1"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("got %v, %v", evs, err)
		}
		if s := Apply(nil, evs[0]); !s.Created || s.Policy != DefaultPolicy {
			t.Errorf("Apply(nil, created): got %+v", s)
		}
	})
	refused := []struct {
		name string
		cmd  Command
	}{
		{"nil", nil},
		{"a nil pointer", (*OpenRound)(nil)},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0)
			before := snapshot(t, h.s)
			evs, err := Decide(h.s, tc.cmd, h.ctx(chair))
			checkMessages(t, err, CodeInvalid)
			if evs != nil || snapshot(t, h.s) != before {
				t.Errorf("got events %v or a changed state", evs)
			}
		})
	}
}
