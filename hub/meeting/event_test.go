package meeting

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestEventJSON: every event type decodes into its typed body; unknown types and bad bodies
// are errors.
func TestEventJSON(t *testing.T) {
	var names []string
	for typ := range eventTypes {
		names = append(names, typ)
	}
	sort.Strings(names)
	for _, typ := range names {
		t.Run(typ, func(t *testing.T) {
			e := Event{Seq: 7, ID: "c:0", Type: typ, Time: t0, Actor: chair.ID, Visibility: VisibleAll, Data: eventTypes[typ]()}
			got := roundTrip(t, e)
			if !reflect.DeepEqual(got, e) {
				t.Errorf("round trip: got %+v, want %+v", got, e)
			}
		})
	}
	bad := []struct{ name, json string }{
		{"unknown type", `{"type":"case.deleted","data":{}}`},
		{"body of the wrong shape", `{"type":"phase.set","data":{"phase":"two"}}`},
		{"not JSON", `{"type":`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var e Event
			if err := json.Unmarshal([]byte(tc.json), &e); err == nil {
				t.Errorf("got %+v, want an error", e)
			}
		})
	}
	t.Run("null data gives an empty body", func(t *testing.T) {
		var e Event
		if err := json.Unmarshal([]byte(`{"type":"safetyplan.retired","data":null}`), &e); err != nil {
			t.Fatal(err)
		}
		if b, ok := e.Data.(*MeetingRef); !ok || *b != (MeetingRef{}) {
			t.Errorf("data: got %#v, want an empty *MeetingRef", e.Data)
		}
	})
}

// TestEventsFromDecide: events follow the state's sequence, carry ids derived from the
// command id, the actor, the command's time and a visibility.
func TestEventsFromDecide(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	rid := h.openRound("m1")
	h.scores(rid, all(6), chair, social, nurse, mother, father)
	seq := h.s.Seq
	evs, err := Decide(h.s, score(rid, "janna", 6), Context{Actor: aunt, Now: t0.Add(time.Minute), CommandID: "cmd-42", Defaults: DefaultPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 { // moeder still missing for the aunt
		t.Fatalf("got %v", types(evs))
	}
	evs, err = Decide(Apply(h.s, evs[0]), score(rid, "moeder", 6), Context{Actor: aunt, Now: t0.Add(2 * time.Minute), CommandID: "cmd-43"})
	if err != nil {
		t.Fatal(err)
	}
	if got := types(evs); !reflect.DeepEqual(got, []string{"score.submitted", "round.revealed"}) {
		t.Fatalf("types: got %v", got)
	}
	for i, e := range evs {
		if e.Seq != seq+2+uint64(i) || e.ID != "cmd-43:"+itoa(i) || e.Actor != aunt.ID || !e.Time.Equal(t0.Add(2*time.Minute)) ||
			e.Meeting != "m1" || e.Visibility != VisibleAll {
			t.Errorf("event %d: got %+v", i, e)
		}
	}
}

// TestReplayRebuildsTheState: applying the events Decide returns gives exactly the state that
// replaying them from the log (through JSON, as the store does) gives — also with a clock in
// another time zone.
func TestReplayRebuildsTheState(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		ams = time.FixedZone("CET", 3600)
	}
	for _, loc := range []*time.Location{time.UTC, ams, time.FixedZone("", 2*3600)} {
		t.Run(loc.String(), func(t *testing.T) {
			live, log := NewState(), []Event(nil)
			now := time.Date(2026, 3, 1, 9, 30, 0, 0, loc)
			run := func(a Actor, c Command) {
				t.Helper()
				evs, err := Decide(live, c, Context{Actor: a, Now: now, CommandID: "c" + itoa(len(log))})
				if err != nil {
					t.Fatalf("%s: %v", c.Kind(), err)
				}
				for _, e := range evs {
					live = Apply(live, e)
					log = append(log, e)
				}
				now = now.Add(time.Minute)
			}
			run(chair, &CreateCase{ID: "janna", Title: "Gezin", Subjects: []Subject{{ID: "janna", Name: "Janna"}}})
			run(chair, &ScheduleMeeting{ID: "m1", At: now})
			run(chair, &StartMeeting{Meeting: "m1"})
			run(mother, &Join{Meeting: "m1"})
			run(chair, &Admit{Meeting: "m1", Participant: mother.ID})
			run(chair, &OpenRound{Meeting: "m1"})
			run(chair, score("m1-r1", "janna", 6))
			run(mother, score("m1-r1", "janna", 7))
			run(chair, &RevealRound{Round: "m1-r1"})
			run(mother, &ConfirmPlan{Meeting: "m1"})
			run(chair, &CloseMeeting{Meeting: "m1"})
			var replay *State
			for _, e := range log {
				replay = Apply(replay, roundTrip(t, e))
			}
			if !reflect.DeepEqual(replay, live) {
				a, _ := json.Marshal(replay)
				b, _ := json.Marshal(live)
				t.Errorf("replay differs:\nreplay %s\nlive   %s", a, b)
			}
		})
	}
}

// TestDecideIsPure: Decide never changes the state it is given, accepted or refused.
func TestDecideIsPure(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	rid := h.openRound("m1")
	h.scores(rid, all(6), chair, social, nurse, mother, father)
	for _, c := range []Command{score(rid, "janna", 6), score(rid, "moeder", 6), &AddSubject{Subject{Name: "x"}}, &RevealRound{Round: rid}} {
		before := snapshot(t, h.s)
		if _, err := Decide(h.s, c, h.ctx(aunt)); err != nil && c.Kind() == "score.submit" {
			t.Fatalf("%s: %v", c.Kind(), err)
		}
		if after := snapshot(t, h.s); after != before {
			t.Errorf("%s changed the state", c.Kind())
		}
	}
}

// TestRetryAfterNack: a refused command appends nothing, so when it is retried with the same
// command id it is decided afresh against the state of that moment.
func TestRetryAfterNack(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, map[string]int{"janna": 5, "moeder": 6}, false)
	ctx := Context{Actor: chair, Now: t0, CommandID: "retry-1"}
	cmd := &OpenItem{Meeting: "m1", Item: h.item("m1", KindCarePlan).ID}
	if _, err := Decide(h.s, cmd, ctx); err == nil {
		t.Fatal("first try: accepted, want gate_closed")
	}
	h.roundAll("m1", all(6), everyone...)
	evs, err := Decide(h.s, cmd, ctx)
	if err != nil || len(evs) != 1 || evs[0].ID != "retry-1:0" {
		t.Fatalf("retry: got %v %v, want the item opened by retry-1:0", evs, err)
	}
}

// TestNoOpCommands: a command that changes nothing returns no events and no error.
func TestNoOpCommands(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	h.do(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"})
	for _, tc := range []struct {
		name  string
		actor Actor
		cmd   Command
	}{
		{"join when admitted", mother, &Join{Meeting: "m1"}},
		{"open the open item", chair, &OpenItem{Meeting: "m1", Item: "m1-a0"}},
		{"the same phase", chair, &SetPhase{Phase: 1}},
		{"the same advisory setting", chair, &SetFamilyAdvisory{Meeting: "m1"}},
		{"the same role", chair, &SetRole{Meeting: "m1", Participant: mother.ID, Role: RoleFamily}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if evs := h.do(tc.actor, tc.cmd); len(evs) != 0 {
				t.Errorf("got %v, want no events", types(evs))
			}
		})
	}
}

// TestGeneratedIDs: a command without an id gets one that no entry holds yet.
func TestGeneratedIDs(t *testing.T) {
	h := newHarness(t)
	h.do(chair, &CreateCase{ID: "c", Title: "Gezin", Subjects: []Subject{{Name: "Janna"}, {Name: "moeder"}, {Name: "vader"}},
		Family: []FamilyMember{{Name: "Oma"}, {Name: "Opa"}}})
	h.do(chair, &AddSubject{Subject{Name: "broer"}})
	h.do(chair, &AddFamilyMember{FamilyMember{Name: "Tante"}})
	h.do(chair, &ScheduleMeeting{At: t0}) // seq 4: "m4"
	m := h.s.Meetings[0].ID
	h.do(chair, &AddItem{Meeting: m, ItemKind: KindOther}) // at seq 5: not a taken "m4-a6"
	h.do(chair, &AddItem{Meeting: m, ItemKind: KindOther})
	seen := map[string]bool{}
	for _, id := range append(append([]string{}, agendaIDs(h.s.Meetings[0])...), func() (ids []string) {
		for _, s := range h.s.Subjects {
			ids = append(ids, s.ID)
		}
		for _, f := range h.s.Family {
			ids = append(ids, f.ID)
		}
		return ids
	}()...) {
		if seen[id] || id == "" || strings.ContainsAny(id, " ") {
			t.Errorf("id %q empty or twice", id)
		}
		seen[id] = true
	}
}
