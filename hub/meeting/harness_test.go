package meeting

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Actors of the Janna case (paper §3).
var (
	chair  = Actor{ID: "u:vt", Name: "Vera (Veilig Thuis)", Professional: true}
	social = Actor{ID: "u:mw", Name: "Mo (maatschappelijk werk)", Professional: true}
	nurse  = Actor{ID: "u:jgz", Name: "Jet (jeugdverpleegkundige)", Professional: true}
	mother = Actor{ID: "i:moeder", Name: "Moeder", InviteRole: RoleFamily}
	father = Actor{ID: "i:vader", Name: "Vader", InviteRole: RoleFamily}
	aunt   = Actor{ID: "i:tante", Name: "Tante", InviteRole: RoleNetwork}
	guest  = Actor{ID: "i:gast", Name: "Gast", InviteRole: RoleObserver}
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// harness runs commands through Decide and Apply and checks the invariants after every step.
type harness struct {
	tb     testing.TB
	s      *State
	log    []Event
	now    time.Time
	n      int
	policy Policy
}

func newHarness(tb testing.TB) *harness {
	return &harness{tb: tb, s: NewState(), now: t0, policy: DefaultPolicy}
}

func (h *harness) ctx(a Actor) Context {
	h.n++
	return Context{Actor: a, Now: h.now, CommandID: "c" + itoa(h.n), Defaults: h.policy}
}

// try runs a command; on success its events are applied.
func (h *harness) try(a Actor, c Command) ([]Event, error) {
	h.tb.Helper()
	evs, err := Decide(h.s, c, h.ctx(a))
	if err != nil {
		var de *Error
		if !errors.As(err, &de) {
			h.tb.Fatalf("%s: error %v is not a *meeting.Error", c.Kind(), err)
		}
		if de.NL == "" || de.EN == "" {
			h.tb.Fatalf("%s: error %v lacks a Dutch or English message", c.Kind(), err)
		}
		return nil, err
	}
	for _, e := range evs {
		h.s = Apply(h.s, roundTrip(h.tb, e))
		h.log = append(h.log, e)
	}
	checkInvariants(h.tb, h.s, h.log)
	return evs, nil
}

// do runs a command that must succeed.
func (h *harness) do(a Actor, c Command) []Event {
	h.tb.Helper()
	evs, err := h.try(a, c)
	if err != nil {
		h.tb.Fatalf("%s by %s: %v", c.Kind(), a.ID, err)
	}
	return evs
}

// fail runs a command that must be refused with code; nothing may change.
func (h *harness) fail(a Actor, c Command, code Code) *Error {
	h.tb.Helper()
	before, snap := h.s.Seq, snapshot(h.tb, h.s)
	_, err := h.try(a, c)
	if err == nil {
		h.tb.Fatalf("%s by %s: accepted, want %s", c.Kind(), a.ID, code)
	}
	var de *Error
	errors.As(err, &de)
	if de.Code != code {
		h.tb.Fatalf("%s by %s: got %s (%s), want %s", c.Kind(), a.ID, de.Code, de.EN, code)
	}
	if h.s.Seq != before || snapshot(h.tb, h.s) != snap {
		h.tb.Fatalf("%s refused but the state moved", c.Kind())
	}
	return de
}

// roundTrip encodes and decodes an event as the store does.
func roundTrip(tb testing.TB, e Event) Event {
	tb.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		tb.Fatalf("marshal %s: %v", e.Type, err)
	}
	var out Event
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatalf("unmarshal %s: %v", e.Type, err)
	}
	return out
}

// checkInvariants: replaying the log gives the same state; no view holds an unrevealed
// value; no professionals-only fact reaches family; no locked item is open.
func checkInvariants(tb testing.TB, s *State, log []Event) {
	tb.Helper()
	var replay *State
	for _, e := range log {
		replay = Apply(replay, roundTrip(tb, e))
	}
	if replay == nil {
		replay = NewState()
	}
	if !reflect.DeepEqual(replay, s) {
		a, _ := json.Marshal(replay)
		b, _ := json.Marshal(s)
		tb.Fatalf("replay differs from state:\nreplay %s\nstate  %s", a, b)
	}
	for _, v := range []Viewer{{ID: chair.ID, Professional: true, Role: RoleChair}, {ID: mother.ID, Role: RoleFamily}, {ID: guest.ID, Role: RoleObserver}} {
		checkView(tb, s, v)
	}
	checkWithheld(tb, s)
	for _, m := range s.Meetings {
		for _, it := range m.Agenda {
			if it.Status == ItemOpen && s.lockOf(m, it) != nil {
				tb.Fatalf("item %s (%s) is open while locked: %s", it.ID, it.Kind, s.lockOf(m, it).EN)
			}
		}
	}
}

// hiddenMarker is put into every explanation so a leak is visible in any encoding.
const hiddenMarker = "GEHEIM"

func checkView(tb testing.TB, s *State, v Viewer) {
	tb.Helper()
	cv := View(s, v)
	b, err := json.Marshal(cv)
	if err != nil {
		tb.Fatal(err)
	}
	text := string(b)
	for _, m := range s.Meetings {
		for _, r := range m.Rounds {
			if r.Status == RoundRevealed {
				continue
			}
			for _, bySub := range r.Scores {
				for _, sc := range bySub {
					if sc.Meaning != "" && strings.Contains(text, sc.Meaning) {
						tb.Fatalf("view for %s holds an unrevealed explanation %q", v.ID, sc.Meaning)
					}
				}
			}
		}
	}
	if cv.Current != nil {
		for _, r := range cv.Current.Rounds {
			if r.Status != RoundRevealed && (r.Scores != nil || r.Results != nil) {
				tb.Fatalf("view for %s holds values of unrevealed round %s", v.ID, r.ID)
			}
		}
	}
	if v.Audience() != AudienceProfessional && strings.Contains(text, "PROF-ONLY") {
		tb.Fatalf("view for %s (%s) holds a professionals-only fact", v.ID, v.Role)
	}
}

// checkWithheld: no entry withheld from a person reaches that person's view, and outside the
// professionals' audience no view carries markings or reasons.
func checkWithheld(tb testing.TB, s *State) {
	tb.Helper()
	// The persons something is withheld from that the family's audience would otherwise see
	// (check-ins and professionals-only entries never reach it anyway).
	persons := map[string]bool{}
	mark := func(w Withholding) {
		for _, p := range w.HiddenFrom {
			persons[p] = true
		}
	}
	for _, e := range s.Plans.BottomLines {
		mark(e.Withholding)
	}
	for _, e := range s.Plans.Agreements {
		mark(e.Withholding)
	}
	for _, e := range s.Plans.Goals {
		mark(e.Withholding)
	}
	for _, e := range s.Plans.Future {
		mark(e.Withholding)
	}
	for _, e := range s.Plans.Facts {
		if !e.ProfessionalsOnly {
			mark(e.Withholding)
		}
	}
	for _, e := range s.Plans.RiskFactors {
		if !e.ProfessionalsOnly {
			mark(e.Withholding)
		}
	}
	for p := range persons {
		v := Viewer{ID: "i:" + p, Role: RoleFamily, Person: p, Hidden: []string{p}}
		cv := View(s, v)
		if !cv.Withheld {
			tb.Fatalf("the view for %s does not say that something is withheld", p)
		}
		b, _ := json.Marshal(cv.Plans)
		if strings.Contains(string(b), "hiddenFrom") || strings.Contains(string(b), "hiddenReason") {
			tb.Fatalf("the family view for %s carries markings: %s", p, b)
		}
		var leak string
		s.Plans.eachWithheld(func(w *Withholding) {
			if slices.Contains(w.HiddenFrom, p) && w.HiddenReason != "" && strings.Contains(string(b), w.HiddenReason) {
				leak = w.HiddenReason
			}
		})
		if leak != "" {
			tb.Fatalf("the view for %s holds the reason %q", p, leak)
		}
		for _, e := range s.Plans.Agreements {
			if slices.Contains(e.HiddenFrom, p) && strings.Contains(string(b), `"id":"`+e.ID+`"`) {
				tb.Fatalf("the view for %s holds agreement %s withheld from them", p, e.ID)
			}
		}
	}
}

func intp(v int) *int { return &v }

// scoreSeq numbers the explanations score gives, so that each is unique.
var scoreSeq atomic.Int64

// score is a score command with explanations that carry the hidden marker. Each explanation
// is unique ("GEHEIM janna 6 #12#"), so a leak of an unrevealed one cannot hide behind an
// equal, revealed one.
func score(round, subject string, v int) *SubmitScore {
	n := scoreSeq.Add(1)
	return &SubmitScore{Round: round, Subject: subject, Value: intp(v),
		Meaning: hiddenMarker + " " + subject + " " + itoa(v) + " #" + itoa(int(n)) + "#", NotHigher: "nog geen bewijs"}
}

// setUpMeeting schedules and starts a meeting chaired by chair, with everyone admitted and
// auto-reveal on (a complete round reveals itself), which most rules are stated against;
// TestChairReveals covers the default, where the chair reveals.
func (h *harness) setUpMeeting(id string, at time.Time, people ...Actor) {
	h.tb.Helper()
	h.now = at
	h.do(chair, &ScheduleMeeting{ID: id, Title: "Overleg " + id, At: at})
	h.do(chair, &SetAutoReveal{Meeting: id, AutoReveal: true})
	h.do(chair, &StartMeeting{Meeting: id})
	for _, p := range people {
		h.do(p, &Join{Meeting: id})
		h.do(chair, &Admit{Meeting: id, Participant: p.ID})
	}
}

// roundAll opens a round and has every scorer give the values per subject (chair included);
// when the round is complete but not revealed (auto-reveal off), the chair reveals it.
func (h *harness) roundAll(meeting string, values map[string]int, scorers ...Actor) string {
	h.tb.Helper()
	evs := h.do(chair, &OpenRound{Meeting: meeting})
	rid := evs[0].Data.(*RoundRef).Round
	for _, a := range append([]Actor{chair}, scorers...) {
		for _, sub := range h.s.Subjects {
			h.do(a, score(rid, sub.ID, values[sub.ID]))
		}
	}
	m := h.s.meeting(meeting)
	if r := m.round(rid); r.Status == RoundOpen && h.s.roundView(m, r, AudienceProfessional).Complete {
		h.do(chair, &RevealRound{Round: rid})
	}
	return rid
}

func (h *harness) createJanna() {
	h.tb.Helper()
	h.do(chair, &CreateCase{ID: "janna", Title: "Gezin van baby Janna",
		Subjects: []Subject{{ID: "janna", Name: "Janna"}, {ID: "moeder", Name: "moeder"}},
		Family:   []FamilyMember{{ID: "vader", Name: "Vader", Relation: "vader"}, {ID: "mama", Name: "Moeder", Relation: "moeder"}}})
}

func (h *harness) item(meeting string, k ItemKind) *AgendaItem {
	h.tb.Helper()
	for _, it := range h.s.meeting(meeting).Agenda {
		if it.Kind == k {
			return it
		}
	}
	h.tb.Fatalf("meeting %s has no %s item", meeting, k)
	return nil
}

// everyone is the Janna table besides the chair: two professionals, two parents, an aunt.
var everyone = []Actor{social, nurse, mother, father, aunt}

// stranger is a family member without an invitation.
var stranger = Actor{ID: "i:buurman", Name: "Buurman"}

// snapshot is the state as JSON (map keys sorted), to prove a refused command changed nothing.
func snapshot(tb testing.TB, s *State) string {
	tb.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// newJanna returns a harness holding the Janna case (subjects janna and moeder).
func newJanna(tb testing.TB) *harness {
	tb.Helper()
	h := newHarness(tb)
	h.createJanna()
	return h
}

// openRound opens a round in meeting and returns its id.
func (h *harness) openRound(meeting string) string {
	h.tb.Helper()
	return h.do(chair, &OpenRound{Meeting: meeting})[0].Data.(*RoundRef).Round
}

// scores has each scorer give values[subject] for every subject of the case.
func (h *harness) scores(rid string, values map[string]int, scorers ...Actor) {
	h.tb.Helper()
	for _, a := range scorers {
		for _, sub := range h.s.Subjects {
			h.do(a, score(rid, sub.ID, values[sub.ID]))
		}
	}
}

// all gives every subject of the Janna case the same value.
func all(v int) map[string]int { return map[string]int{"janna": v, "moeder": v} }

// heldMeeting sets up meeting id at at with everyone, reveals one round of values and, when
// closeIt, closes the meeting.
func (h *harness) heldMeeting(id string, at time.Time, values map[string]int, closeIt bool) string {
	h.tb.Helper()
	h.setUpMeeting(id, at, everyone...)
	rid := h.roundAll(id, values, everyone...)
	if closeIt {
		h.do(chair, &CloseMeeting{Meeting: id})
	}
	return rid
}

// stable holds three meetings 28 days apart with consensus on a 7 (the default K and D);
// the third stays in progress, so stable safety holds now.
func (h *harness) stable() {
	h.tb.Helper()
	h.heldMeeting("m1", t0, all(7), true)
	h.heldMeeting("m2", t0.AddDate(0, 0, 28), all(7), true)
	h.heldMeeting("m3", t0.AddDate(0, 0, 56), all(7), false)
}

// round returns round rid of meeting id.
func (h *harness) round(meeting, rid string) *Round {
	h.tb.Helper()
	r := h.s.meeting(meeting).round(rid)
	if r == nil {
		h.tb.Fatalf("meeting %s has no round %s", meeting, rid)
	}
	return r
}

// status returns the status of agenda item id in meeting.
func (h *harness) status(meeting, id string) ItemStatus {
	h.tb.Helper()
	it := h.s.meeting(meeting).item(id)
	if it == nil {
		h.tb.Fatalf("meeting %s has no item %s", meeting, id)
	}
	return it.Status
}

// types lists the types of events.
func types(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// checkMessages fails unless err is an *Error with code and non-empty Dutch and English text.
func checkMessages(tb testing.TB, err error, code Code) *Error {
	tb.Helper()
	var de *Error
	if !errors.As(err, &de) {
		tb.Fatalf("got error %v, want a *meeting.Error with code %s", err, code)
	}
	if de.Code != code {
		tb.Fatalf("got code %s (%s), want %s", de.Code, de.EN, code)
	}
	if strings.TrimSpace(de.NL) == "" || strings.TrimSpace(de.EN) == "" {
		tb.Fatalf("error %s: Dutch %q, English %q; want both non-empty", code, de.NL, de.EN)
	}
	return de
}
