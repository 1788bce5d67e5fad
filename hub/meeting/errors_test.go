package meeting

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestErrorCodes: one test per error code. Each refusal carries a Dutch and an English
// message and changes nothing (harness.fail compares the whole state before and after).
func TestErrorCodes(t *testing.T) {
	t.Run("gate_closed names the subjects and their lowest scores", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		rid := h.openRound("m1")
		h.scores(rid, map[string]int{"janna": 4, "moeder": 8}, chair, social, nurse, mother, father)
		h.scores(rid, map[string]int{"janna": 2, "moeder": 3}, aunt)
		e := h.fail(chair, &OpenItem{Meeting: "m1", Item: h.item("m1", KindCarePlan).ID}, CodeGateClosed)
		checkMessages(t, e, CodeGateClosed)
		if len(e.Subjects) != 2 || e.Subjects[0].ID != "janna" || e.Subjects[0].Name != "Janna" || *e.Subjects[0].Min != 2 ||
			e.Subjects[1].ID != "moeder" || *e.Subjects[1].Min != 3 {
			t.Errorf("subjects: got %+v, want janna 2 and moeder 3", e.Subjects)
		}
		for _, msg := range []string{e.NL, e.EN} {
			if !strings.Contains(msg, "Janna: 2, moeder: 3") {
				t.Errorf("message %q: want it to name Janna: 2, moeder: 3", msg)
			}
		}
		if !strings.Contains(e.NL, "laagste score") || !strings.Contains(e.EN, "lowest score") {
			t.Errorf("messages: got %q / %q", e.NL, e.EN)
		}
		if got := e.Error(); got != "gate_closed: "+e.EN {
			t.Errorf("Error(): got %q", got)
		}
		b, _ := json.Marshal(e)
		if !strings.Contains(string(b), `"code":"gate_closed"`) || !strings.Contains(string(b), `"subjects":[{"id":"janna","name":"Janna","min":2}`) {
			t.Errorf("JSON: got %s", b)
		}
	})
	t.Run("gate_closed for a subject without a score", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		rid := h.openRound("m1")
		h.scores(rid, map[string]int{"janna": 6, "moeder": 6}, chair, social)
		h.do(chair, &RevealRound{Round: rid})
		h.do(chair, &AddSubject{Subject{ID: "broer", Name: "broer"}})
		e := h.fail(chair, &SetPhase{Phase: 2}, CodeGateClosed)
		if len(e.Subjects) != 1 || e.Subjects[0].Min != nil || !strings.Contains(e.NL, "broer: geen score") || !strings.Contains(e.EN, "broer: no score") {
			t.Errorf("got %q / %q %+v, want broer without a score", e.NL, e.EN, e.Subjects)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		e := h.fail(mother, &OpenRound{Meeting: "m1"}, CodeForbidden)
		checkMessages(t, e, CodeForbidden)
		if e.Subjects != nil {
			t.Errorf("subjects: got %+v, want none", e.Subjects)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		rid := h.openRound("m1")
		e := h.fail(social, &SubmitScore{Round: rid, Subject: "janna", Value: intp(11), Meaning: "x"}, CodeInvalid)
		checkMessages(t, e, CodeInvalid)
	})
	t.Run("conflict", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		h.openRound("m1")
		e := h.fail(chair, &OpenRound{Meeting: "m1"}, CodeConflict)
		checkMessages(t, e, CodeConflict)
	})
	t.Run("not_found", func(t *testing.T) {
		h := newJanna(t)
		e := h.fail(chair, &StartMeeting{Meeting: "m9"}, CodeNotFound)
		checkMessages(t, e, CodeNotFound)
		if !strings.Contains(e.NL, `"m9"`) || !strings.Contains(e.EN, `"m9"`) {
			t.Errorf("messages: got %q / %q, want the id named", e.NL, e.EN)
		}
	})
	t.Run("errors.As finds the code through wrapping", func(t *testing.T) {
		h := newJanna(t)
		_, err := Decide(h.s, &StartMeeting{Meeting: "m9"}, h.ctx(chair))
		var de *Error
		if !errors.As(errors.Join(errors.New("hub: execute"), err), &de) || de.Code != CodeNotFound {
			t.Errorf("got %v", err)
		}
	})
}
