package meeting

import (
	"reflect"
	"strings"
	"testing"
)

// TestOpenRound: the chair opens a round in the meeting in progress; one open round at a time.
func TestOpenRound(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.fail(chair, &OpenRound{Meeting: "m1"}, CodeConflict) // not started
	h.fail(chair, &OpenRound{}, CodeConflict)              // nothing in progress
	h.do(chair, &StartMeeting{Meeting: "m1"})
	h.do(social, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: social.ID})
	h.fail(social, &OpenRound{Meeting: "m1"}, CodeForbidden)
	h.fail(chair, &OpenRound{Meeting: "m9"}, CodeNotFound)
	r1 := h.openRound("m1")
	h.fail(chair, &OpenRound{Meeting: "m1"}, CodeConflict) // only one open round
	h.do(chair, &RevealRound{Round: r1})
	r2 := h.do(chair, &OpenRound{})[0].Data.(*RoundRef) // empty id: the meeting in progress
	if r1 != "m1-r1" || r2.Round != "m1-r2" || r2.Number != 2 {
		t.Errorf("round ids: got %s and %s (number %d), want m1-r1 and m1-r2 (2)", r1, r2.Round, r2.Number)
	}
}

// TestSubmitScoreRefused: a score is a whole number 0–10 with what it means, or an abstention,
// by an admitted scorer, in an open round of the meeting in progress (paper §3.2).
func TestSubmitScoreRefused(t *testing.T) {
	long := strings.Repeat("x", maxText+1)
	tests := []struct {
		name  string
		actor Actor
		cmd   *SubmitScore
		code  Code
	}{
		{"no value and no abstention", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Meaning: "m"}, CodeInvalid},
		{"value below 0", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(-1), Meaning: "m"}, CodeInvalid},
		{"value above 10", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(11), Meaning: "m"}, CodeInvalid},
		{"value and abstention", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5), Abstain: true, Meaning: "m"}, CodeInvalid},
		{"meaning missing", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5)}, CodeInvalid},
		{"meaning blank", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5), Meaning: " \n "}, CodeInvalid},
		{"meaning too long", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5), Meaning: long}, CodeInvalid},
		{"abstention explained too long", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Abstain: true, Meaning: long}, CodeInvalid},
		{"not-higher too long", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5), Meaning: "m", NotHigher: long}, CodeInvalid},
		{"meaning not UTF-8", social, &SubmitScore{Round: "m1-r1", Subject: "janna", Value: intp(5), Meaning: "\xc3"}, CodeInvalid},
		{"unknown subject", social, &SubmitScore{Round: "m1-r1", Subject: "opa", Value: intp(5), Meaning: "m"}, CodeNotFound},
		{"unknown round", social, &SubmitScore{Round: "m1-r9", Subject: "janna", Value: intp(5), Meaning: "m"}, CodeNotFound},
		{"someone in the lobby", guest, score("m1-r1", "janna", 5), CodeForbidden},
		{"someone not at the table", nurse, score("m1-r1", "janna", 5), CodeForbidden},
		{"an observer", aunt, score("m1-r1", "janna", 5), CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0, social, aunt)
			h.do(chair, &SetRole{Meeting: "m1", Participant: aunt.ID, Role: RoleObserver})
			h.do(guest, &Join{Meeting: "m1"})
			h.openRound("m1")
			h.fail(tc.actor, tc.cmd, tc.code)
		})
	}
	t.Run("a revealed round takes no more scores", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		rid := h.openRound("m1")
		h.do(chair, &RevealRound{Round: rid})
		h.fail(social, score(rid, "janna", 5), CodeConflict)
		h.fail(chair, &RevealRound{Round: rid}, CodeConflict)
	})
	t.Run("no meeting in progress", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		rid := h.openRound("m1")
		h.do(chair, &RevealRound{Round: rid})
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.fail(social, score(rid, "janna", 5), CodeConflict)
	})
}

// TestSubmitScore: values 0 and 10 are on the scale; an abstention needs no meaning; a score
// changes until the reveal and the last one counts; it is stored with the scorer's role.
func TestSubmitScore(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social, mother)
	rid := h.openRound("m1")
	h.do(social, &SubmitScore{Round: rid, Subject: "janna", Value: intp(0), Meaning: "direct gevaar", NotHigher: "letsel"})
	h.do(social, &SubmitScore{Round: rid, Subject: "moeder", Value: intp(10), Meaning: "gegarandeerd"})
	h.do(mother, &SubmitScore{Round: rid, Subject: "janna", Abstain: true})
	h.do(social, &SubmitScore{Round: rid, Subject: "janna", Value: intp(4), Meaning: "na het gesprek", NotHigher: "nog geen bewijs"})
	r := h.round("m1", rid)
	got := r.Scores[social.ID]["janna"]
	if *got.Value != 4 || got.Meaning != "na het gesprek" || got.NotHigher != "nog geen bewijs" || got.Role != RoleProfessional {
		t.Errorf("changed score: got %+v (value %d), want 4 with the new explanations", got, *got.Value)
	}
	if a := r.Scores[mother.ID]["janna"]; !a.Abstain || a.Value != nil || a.Role != RoleFamily {
		t.Errorf("abstention: got %+v, want abstain without value, role family", a)
	}
	if r.Status != RoundOpen {
		t.Errorf("round: got %s, want open (the chair and mother have not scored everything)", r.Status)
	}
}

// TestAutoReveal: with the meeting's auto-reveal on (setUpMeeting turns it on), the round
// reveals itself when every present scorer — the chair included — has scored every subject,
// not before.
func TestAutoReveal(t *testing.T) {
	tests := []struct {
		name    string
		submit  func(h *harness, rid string)
		reveals bool
	}{
		{"everyone scored everything", func(h *harness, rid string) { h.scores(rid, all(5), chair, social, mother) }, true},
		{"an abstention counts as submitted", func(h *harness, rid string) {
			h.scores(rid, all(5), chair, social)
			h.do(mother, &SubmitScore{Round: rid, Subject: "janna", Abstain: true})
			h.do(mother, &SubmitScore{Round: rid, Subject: "moeder", Abstain: true})
		}, true},
		{"one subject missing for one scorer", func(h *harness, rid string) {
			h.scores(rid, all(5), chair, social)
			h.do(mother, score(rid, "janna", 5))
		}, false},
		{"the chair scores too: waiting for the chair", func(h *harness, rid string) { h.scores(rid, all(5), social, mother) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0, social, mother)
			rid := h.openRound("m1")
			tc.submit(h, rid)
			r := h.round("m1", rid)
			if got := r.Status == RoundRevealed; got != tc.reveals {
				t.Fatalf("revealed: got %v, want %v", got, tc.reveals)
			}
			if tc.reveals && (len(r.Missing) != 0 || !r.RevealedAt.Equal(h.now)) {
				t.Errorf("auto reveal: missing %v at %v, want none at %v", r.Missing, r.RevealedAt, h.now)
			}
		})
	}
}

// TestChairReveals: by default a complete round does not reveal itself: it says it is complete
// ("iedereen heeft gescoord — onthullen?") and waits for the chair, whose reveal records no one
// missing and is not marked automatic.
func TestChairReveals(t *testing.T) {
	h := newJanna(t)
	h.now = t0
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.do(chair, &StartMeeting{Meeting: "m1"})
	for _, p := range []Actor{social, mother} {
		h.do(p, &Join{Meeting: "m1"})
		h.do(chair, &Admit{Meeting: "m1", Participant: p.ID})
	}
	rid := h.openRound("m1")
	h.scores(rid, all(6), chair, social)
	view := func() RoundView {
		return View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true}).Current.Rounds[0]
	}
	if rv := view(); rv.Complete || len(rv.Pending) != 1 {
		t.Errorf("the mother has not scored: complete %v, pending %v; want not complete, her pending", rv.Complete, rv.Pending)
	}
	h.scores(rid, all(5), mother)
	if r := h.round("m1", rid); r.Status != RoundOpen {
		t.Fatalf("everyone scored: round %s, want open until the chair reveals", r.Status)
	}
	if rv := view(); !rv.Complete || len(rv.Pending) != 0 || len(rv.Scores) != 0 {
		t.Errorf("everyone scored: complete %v, pending %v, %d scores shown; want complete, none pending, none shown", rv.Complete, rv.Pending, len(rv.Scores))
	}
	evs := h.do(chair, &RevealRound{Round: rid})
	if ref := evs[0].Data.(*RoundRef); evs[0].Type != "round.revealed" || ref.Auto || len(ref.Missing) != 0 {
		t.Errorf("the chair's reveal: %s auto %v missing %v; want round.revealed, not auto, none missing", evs[0].Type, ref.Auto, ref.Missing)
	}
	if rv := view(); rv.Complete || rv.Status != RoundRevealed || len(rv.Scores) != 6 {
		t.Errorf("after the reveal: complete %v, status %s, %d scores; want revealed with 6 scores", rv.Complete, rv.Status, len(rv.Scores))
	}
}

// TestSetAutoReveal: only the chair switches auto-reveal, between rounds of a meeting that is
// not closed; setting the value it has changes nothing; the view shows the setting.
func TestSetAutoReveal(t *testing.T) {
	h := newJanna(t)
	h.now = t0
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.fail(chair, &SetAutoReveal{Meeting: "nope", AutoReveal: true}, CodeNotFound)
	h.fail(social, &SetAutoReveal{Meeting: "m1", AutoReveal: true}, CodeForbidden)
	if evs := h.do(chair, &SetAutoReveal{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("off when off: got %v, want no events", types(evs))
	}
	evs := h.do(chair, &SetAutoReveal{Meeting: "m1", AutoReveal: true}) // before the start
	if len(evs) != 1 || evs[0].Type != "meeting.auto_reveal_set" {
		t.Fatalf("on: got %v, want meeting.auto_reveal_set", types(evs))
	}
	if cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily}); cv.Current == nil || !cv.Current.AutoReveal {
		t.Error("view: auto-reveal not shown on")
	}
	h.do(chair, &StartMeeting{Meeting: "m1"})
	rid := h.openRound("m1")
	h.fail(chair, &SetAutoReveal{Meeting: "m1", AutoReveal: false}, CodeConflict) // a round is open
	h.scores(rid, all(7), chair)                                                  // the chair alone: revealed at once
	if r := h.round("m1", rid); r.Status != RoundRevealed {
		t.Fatalf("auto-reveal on: round %s, want revealed", r.Status)
	}
	h.do(chair, &SetAutoReveal{Meeting: "m1", AutoReveal: false})
	rid = h.openRound("m1")
	h.scores(rid, all(7), chair)
	if r := h.round("m1", rid); r.Status != RoundOpen {
		t.Errorf("auto-reveal off again: round %s, want open", r.Status)
	}
	h.do(chair, &RevealRound{Round: rid})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.fail(chair, &SetAutoReveal{Meeting: "m1", AutoReveal: true}, CodeConflict)
}

// TestForcedReveal: the chair may reveal before everyone has scored; the present scorers who
// had not scored every subject are recorded as missing.
func TestForcedReveal(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social, nurse, mother, guest)
	h.do(chair, &SetRole{Meeting: "m1", Participant: guest.ID, Role: RoleObserver})
	h.do(aunt, &Join{Meeting: "m1"}) // in the lobby: not missing
	rid := h.openRound("m1")
	h.scores(rid, all(6), chair, social)
	h.do(nurse, score(rid, "janna", 6)) // half done
	h.fail(social, &RevealRound{Round: rid}, CodeForbidden)
	h.fail(chair, &RevealRound{Round: "m1-r9"}, CodeNotFound)
	evs := h.do(chair, &RevealRound{Round: rid})
	r := h.round("m1", rid)
	if want := []string{nurse.ID, mother.ID}; !reflect.DeepEqual(r.Missing, want) {
		t.Errorf("missing: got %v, want %v", r.Missing, want)
	}
	if ref := evs[0].Data.(*RoundRef); ref.Auto {
		t.Error("forced reveal: got auto, want forced")
	}
	res := h.s.Results(r)
	if res[0].N != 3 || res[1].N != 2 {
		t.Errorf("counted scores: got %d and %d, want 3 (janna) and 2 (moeder)", res[0].N, res[1].N)
	}
	cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
	rv := cv.Current.Rounds[0]
	if !reflect.DeepEqual(rv.Missing, r.Missing) || !reflect.DeepEqual(rv.Submitted, []string{chair.ID, social.ID}) {
		t.Errorf("round view: submitted %v missing %v", rv.Submitted, rv.Missing)
	}
}

// TestNewRoundAfterDiscussion: after a reveal the chair opens a new round; direct safety is
// judged on the latest revealed round.
func TestNewRoundAfterDiscussion(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	h.roundAll("m1", all(5), everyone...)
	if direct, _ := h.s.DirectSafety(); direct {
		t.Fatal("after 5s: got direct safety")
	}
	r2 := h.roundAll("m1", all(6), everyone...)
	if direct, _ := h.s.DirectSafety(); !direct {
		t.Fatal("after a new round of 6s: got no direct safety")
	}
	if got := h.round("m1", r2).Number; got != 2 {
		t.Errorf("second round number: got %d, want 2", got)
	}
	h.openRound("m1")
	if direct, _ := h.s.DirectSafety(); !direct {
		t.Error("with a third round open: got no direct safety, want the latest revealed round to hold")
	}
}
