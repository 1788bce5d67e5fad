package meeting

import (
	"encoding/json"
	"strings"
	"testing"
)

func (h *harness) participant(meeting, id string) *Participant {
	h.tb.Helper()
	p := h.s.meeting(meeting).participant(id)
	if p == nil {
		h.tb.Fatalf("meeting %s has no participant %s", meeting, id)
	}
	return p
}

// TestParticipantLifecycle: lobby → admitted → left, and back to the lobby on rejoining.
func TestParticipantLifecycle(t *testing.T) {
	h := newJanna(t)
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})

	h.do(mother, &Join{Meeting: "m1"}) // joining a scheduled meeting: the lobby opens early
	if p := h.participant("m1", mother.ID); p.Status != InLobby || p.Role != RoleFamily || p.Professional {
		t.Fatalf("after join: got %+v, want family in the lobby", p)
	}
	if evs := h.do(mother, &Join{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("joining twice: got %v, want no events", types(evs))
	}
	h.do(chair, &Admit{Meeting: "m1", Participant: mother.ID})
	if p := h.participant("m1", mother.ID); p.Status != Admitted {
		t.Fatalf("after admit: got %s, want admitted", p.Status)
	}
	h.do(mother, &Leave{Meeting: "m1"})
	if p := h.participant("m1", mother.ID); p.Status != Left {
		t.Fatalf("after leave: got %s, want left", p.Status)
	}
	if evs := h.do(mother, &Leave{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("leaving twice: got %v, want no events", types(evs))
	}
	h.do(mother, &Join{Meeting: "m1"})
	if p := h.participant("m1", mother.ID); p.Status != InLobby {
		t.Fatalf("rejoining: got %s, want lobby (the chair admits again)", p.Status)
	}
	h.do(chair, &Remove{Meeting: "m1", Participant: mother.ID})
	if p := h.participant("m1", mother.ID); p.Status != Left {
		t.Fatalf("after remove: got %s, want left", p.Status)
	}
	h.do(social, &Join{Meeting: "m1"})
	if p := h.participant("m1", social.ID); p.Role != RoleProfessional || !p.Professional {
		t.Errorf("a professional joins: got %+v, want role professional", p)
	}
	h.do(guest, &Join{Meeting: "m1"})
	if p := h.participant("m1", guest.ID); p.Role != RoleObserver {
		t.Errorf("an invited observer joins: got role %s, want observer", p.Role)
	}
	if evs := h.do(chair, &Join{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("the chair joining: got %v, want no events (already admitted)", types(evs))
	}
}

func TestParticipantRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness)
		actor Actor
		cmd   Command
		code  Code
	}{
		{"join an unknown meeting", nil, mother, &Join{Meeting: "m9"}, CodeNotFound},
		{"join without an invitation", nil, stranger, &Join{Meeting: "m1"}, CodeForbidden},
		{"invited as chair", nil, Actor{ID: "i:x", Name: "X", InviteRole: RoleChair}, &Join{Meeting: "m1"}, CodeInvalid},
		{"invited with an unknown role", nil, Actor{ID: "i:x", Name: "X", InviteRole: "king"}, &Join{Meeting: "m1"}, CodeInvalid},
		{"join without a name", nil, Actor{ID: "i:x", InviteRole: RoleFamily}, &Join{Meeting: "m1"}, CodeInvalid},
		{"join a closed meeting", func(h *harness) {
			h.do(chair, &StartMeeting{Meeting: "m1"})
			h.do(chair, &CloseMeeting{Meeting: "m1"})
		}, mother, &Join{Meeting: "m1"}, CodeConflict},
		{"admit by someone else than the chair", func(h *harness) { h.do(mother, &Join{Meeting: "m1"}) }, social, &Admit{Meeting: "m1", Participant: mother.ID}, CodeForbidden},
		{"admit someone unknown", nil, chair, &Admit{Meeting: "m1", Participant: "i:nobody"}, CodeNotFound},
		{"admit into an unknown meeting", nil, chair, &Admit{Meeting: "m9", Participant: mother.ID}, CodeNotFound},
		{"admit someone already admitted as someone else", func(h *harness) {
			h.do(mother, &Join{Meeting: "m1"})
			h.do(chair, &Admit{Meeting: "m1", Participant: mother.ID})
		}, chair, &Admit{Meeting: "m1", Participant: mother.ID, Person: "moeder"}, CodeConflict},
		{"admit someone who left", func(h *harness) {
			h.do(mother, &Join{Meeting: "m1"})
			h.do(mother, &Leave{Meeting: "m1"})
		}, chair, &Admit{Meeting: "m1", Participant: mother.ID}, CodeConflict},
		{"remove by someone else than the chair", func(h *harness) { h.do(mother, &Join{Meeting: "m1"}) }, social, &Remove{Meeting: "m1", Participant: mother.ID}, CodeForbidden},
		{"remove someone unknown", nil, chair, &Remove{Meeting: "m1", Participant: "i:nobody"}, CodeNotFound},
		{"remove from an unknown meeting", nil, chair, &Remove{Meeting: "m9", Participant: mother.ID}, CodeNotFound},
		{"remove the chair", func(h *harness) {}, chair, &Remove{Meeting: "m1", Participant: chair.ID}, CodeConflict},
		{"the chair leaves without handing over", nil, chair, &Leave{Meeting: "m1"}, CodeConflict},
		{"leave a meeting one never joined", nil, mother, &Leave{Meeting: "m1"}, CodeNotFound},
		{"leave an unknown meeting", nil, mother, &Leave{Meeting: "m9"}, CodeNotFound},
	}
	for _, tc := range tests {
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

// TestSetRole: the chair changes roles, but never to or from chair (that is a hand-over).
func TestSetRole(t *testing.T) {
	tests := []struct {
		name string
		who  Actor
		role Role
		code Code // "" = accepted
	}{
		{"family becomes observer", mother, RoleObserver, ""},
		{"network becomes family", aunt, RoleFamily, ""},
		{"a professional becomes observer", social, RoleObserver, ""},
		{"a professional sits as family", social, RoleFamily, ""},
		{"family cannot become professional", mother, RoleProfessional, CodeInvalid},
		{"nobody becomes chair this way", social, RoleChair, CodeInvalid},
		{"an unknown role", mother, "king", CodeInvalid},
		{"the chair's role is not set this way", chair, RoleObserver, CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0, everyone...)
			if tc.code != "" {
				h.fail(chair, &SetRole{Meeting: "m1", Participant: tc.who.ID, Role: tc.role}, tc.code)
				return
			}
			h.do(chair, &SetRole{Meeting: "m1", Participant: tc.who.ID, Role: tc.role})
			if got := h.participant("m1", tc.who.ID).Role; got != tc.role {
				t.Errorf("role: got %s, want %s", got, tc.role)
			}
			if evs := h.do(chair, &SetRole{Meeting: "m1", Participant: tc.who.ID, Role: tc.role}); len(evs) != 0 {
				t.Errorf("setting the same role again: got %v, want no events", types(evs))
			}
		})
	}
	t.Run("only the chair sets roles", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		h.fail(social, &SetRole{Meeting: "m1", Participant: mother.ID, Role: RoleObserver}, CodeForbidden)
		h.fail(chair, &SetRole{Meeting: "m9", Participant: mother.ID, Role: RoleObserver}, CodeNotFound)
		h.fail(chair, &SetRole{Meeting: "m1", Participant: "i:nobody", Role: RoleObserver}, CodeNotFound)
	})
}

// TestHandOver: the chair goes to another admitted professional; the former chair stays as a
// professional and the new one steers the meeting.
func TestHandOver(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, everyone...)
	h.do(nurse, &Leave{Meeting: "m1"})
	h.do(guest, &Join{Meeting: "m1"})

	h.fail(social, &HandOver{Meeting: "m1", Participant: social.ID}, CodeForbidden)
	h.fail(chair, &HandOver{Meeting: "m9", Participant: social.ID}, CodeNotFound)
	h.fail(chair, &HandOver{Meeting: "m1", Participant: "u:nobody"}, CodeNotFound)
	h.fail(chair, &HandOver{Meeting: "m1", Participant: mother.ID}, CodeInvalid) // family
	h.fail(chair, &HandOver{Meeting: "m1", Participant: nurse.ID}, CodeInvalid)  // left
	h.fail(chair, &HandOver{Meeting: "m1", Participant: guest.ID}, CodeInvalid)  // lobby
	h.fail(chair, &HandOver{Meeting: "m1", Participant: chair.ID}, CodeInvalid)  // self

	h.do(chair, &HandOver{Meeting: "m1", Participant: social.ID})
	m := h.s.meeting("m1")
	if m.Chair != social.ID || h.participant("m1", social.ID).Role != RoleChair || h.participant("m1", chair.ID).Role != RoleProfessional {
		t.Fatalf("after hand-over: chair %s, roles %s/%s; want %s chairing, former chair professional",
			m.Chair, h.participant("m1", social.ID).Role, h.participant("m1", chair.ID).Role, social.ID)
	}
	h.fail(chair, &OpenRound{Meeting: "m1"}, CodeForbidden)
	h.do(social, &OpenRound{Meeting: "m1"})
	h.do(chair, &Leave{Meeting: "m1"}) // no longer the chair: may leave
	h.fail(social, &Leave{Meeting: "m1"}, CodeConflict)

	t.Run("not in a closed meeting", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		h.do(chair, &CloseMeeting{Meeting: "m1"})
		h.fail(chair, &HandOver{Meeting: "m1", Participant: social.ID}, CodeConflict)
	})
}

// TestObserverNeverScores: observers do not score, are not waited for, and do not count.
func TestObserverNeverScores(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social, guest)
	rid := h.openRound("m1")
	h.fail(guest, score(rid, "janna", 5), CodeForbidden)
	cv := View(h.s, Viewer{ID: chair.ID, Role: RoleChair, Professional: true})
	for _, p := range cv.Current.Rounds[0].Pending {
		if p == guest.ID {
			t.Errorf("pending: got %v, want the observer not waited for", cv.Current.Rounds[0].Pending)
		}
	}
	h.scores(rid, all(6), chair, social)
	if got := h.round("m1", rid).Status; got != RoundRevealed {
		t.Fatalf("round with an observer who did not score: got %s, want revealed", got)
	}
	if Role(RoleObserver).Scores() || !RoleFamily.Scores() || Role("king").Scores() {
		t.Error("Role.Scores: want false for observer and unknown roles, true for family")
	}
}

// TestLeaverUnblocksRound: a participant who leaves, is removed or becomes observer no longer
// blocks the round; when everyone left has scored, the round reveals itself.
func TestLeaverUnblocksRound(t *testing.T) {
	tests := []struct {
		name   string
		act    func(h *harness)
		reveal bool
	}{
		{"the last one leaves", func(h *harness) { h.do(aunt, &Leave{Meeting: "m1"}) }, true},
		{"the chair removes the last one", func(h *harness) { h.do(chair, &Remove{Meeting: "m1", Participant: aunt.ID}) }, true},
		{"the last one becomes observer", func(h *harness) {
			h.do(chair, &SetRole{Meeting: "m1", Participant: aunt.ID, Role: RoleObserver})
		}, true},
		{"the last one becomes family: still waited for", func(h *harness) {
			h.do(chair, &SetRole{Meeting: "m1", Participant: aunt.ID, Role: RoleFamily})
		}, false},
		{"someone who already scored leaves: still waiting for the last one", func(h *harness) {
			h.do(mother, &Leave{Meeting: "m1"})
		}, false},
		{"someone in the lobby never blocks", func(h *harness) {
			h.do(guest, &Join{Meeting: "m1"})
			h.do(chair, &SetRole{Meeting: "m1", Participant: guest.ID, Role: RoleFamily})
			h.do(aunt, &Leave{Meeting: "m1"})
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0, everyone...)
			rid := h.openRound("m1")
			h.scores(rid, all(6), chair, social, nurse, mother, father) // the aunt has not scored
			if got := h.round("m1", rid).Status; got != RoundOpen {
				t.Fatalf("before: got %s, want open", got)
			}
			n := len(h.log)
			tc.act(h)
			r := h.round("m1", rid)
			if got := r.Status == RoundRevealed; got != tc.reveal {
				t.Fatalf("revealed: got %v, want %v", got, tc.reveal)
			}
			if tc.reveal {
				var auto bool
				for _, e := range h.log[n:] {
					if e.Type == "round.revealed" {
						auto = e.Data.(*RoundRef).Auto
					}
				}
				if !auto || len(r.Missing) != 0 {
					t.Errorf("reveal: auto %v missing %v, want an automatic reveal with nobody missing", auto, r.Missing)
				}
			}
		})
	}
}

// TestCaseProfessionalsSkipTheLobby: a professional of the case (an account) is admitted on
// joining; family, network and professionals invited by a link wait in the lobby; a
// professional the chair sent away waits too when they come back, until admitted again.
// Admitting someone already admitted changes nothing.
func TestCaseProfessionalsSkipTheLobby(t *testing.T) {
	h := newJanna(t)
	h.now = t0
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	invited := Actor{ID: "i:ziekenhuis", Name: "Maatschappelijk werker", InviteRole: RoleProfessional}
	status := func(a Actor) ParticipantStatus { return h.s.meeting("m1").participant(a.ID).Status }
	if evs := h.do(social, &Join{Meeting: "m1"}); len(evs) != 2 || evs[1].Type != "participant.admitted" || status(social) != Admitted {
		t.Errorf("a professional of the case joins: %v, status %s; want joined and admitted", types(evs), status(social))
	}
	for _, a := range []Actor{mother, aunt, invited} {
		h.do(a, &Join{Meeting: "m1"})
		if status(a) != InLobby {
			t.Errorf("%s joins: status %s, want the lobby", a.Name, status(a))
		}
	}
	if evs := h.do(chair, &Admit{Meeting: "m1", Participant: social.ID}); len(evs) != 0 {
		t.Errorf("admitting someone admitted: got %v, want nothing", types(evs))
	}
	h.do(chair, &Remove{Meeting: "m1", Participant: social.ID})
	h.do(social, &Join{Meeting: "m1"})
	if status(social) != InLobby {
		t.Errorf("sent away, back again: status %s, want the lobby", status(social))
	}
	h.do(chair, &Admit{Meeting: "m1", Participant: social.ID})
	h.do(social, &Leave{Meeting: "m1"})
	h.do(social, &Join{Meeting: "m1"})
	if status(social) != Admitted {
		t.Errorf("admitted again, left and back: status %s, want admitted at once", status(social))
	}
}

// TestAdmitWithRole: whoever came in by the shared screen's code waits as network; the chair
// says who they are at admission (the mother as family, linked to her person). The same rule as
// setting a role: never chair, professional only for a professional; a refusal admits no one.
func TestAdmitWithRole(t *testing.T) {
	byCode := Actor{ID: "i:qr1", Name: "Moeder", InviteRole: RoleNetwork}
	h := newJanna(t)
	h.setUpMeeting("m1", t0)
	h.do(byCode, &Join{Meeting: "m1"})
	if p := h.participant("m1", byCode.ID); p.Role != RoleNetwork {
		t.Fatalf("in the lobby: got role %s, want network (the code's role)", p.Role)
	}
	h.fail(chair, &Admit{Meeting: "m1", Participant: byCode.ID, Role: RoleChair}, CodeInvalid)
	h.fail(chair, &Admit{Meeting: "m1", Participant: byCode.ID, Role: RoleProfessional}, CodeInvalid)
	h.fail(chair, &Admit{Meeting: "m1", Participant: byCode.ID, Role: "king"}, CodeInvalid)
	if p := h.participant("m1", byCode.ID); p.Status != InLobby || p.Role != RoleNetwork {
		t.Fatalf("after refusals: got %+v, want still waiting as network", p)
	}
	h.do(chair, &Admit{Meeting: "m1", Participant: byCode.ID, Role: RoleFamily, Person: "moeder"})
	if p := h.participant("m1", byCode.ID); p.Status != Admitted || p.Role != RoleFamily || p.Person != "moeder" {
		t.Fatalf("after admit as family: got %+v, want admitted family linked to moeder", p)
	}
	// Without a role, admission keeps the role the person came in with.
	h.do(aunt, &Join{Meeting: "m1"})
	h.do(chair, &Admit{Meeting: "m1", Participant: aunt.ID})
	if p := h.participant("m1", aunt.ID); p.Role != aunt.InviteRole {
		t.Errorf("admitted without a role: got %s, want %s", p.Role, aunt.InviteRole)
	}
}

// TestDiscipline: a participant keeps the discipline their account or invitation gave when they
// joined ("huisarts", "politie"), in the state, the view and through a replay of the log; the
// chair's comes with the meeting. A participant.joined of a log written before disciplines
// existed decodes without one; a discipline too long is refused and changes nothing.
func TestDiscipline(t *testing.T) {
	h := newJanna(t)
	c := chair
	c.Discipline = "casusregisseur"
	gp := social
	gp.Discipline = "huisarts"
	police := Actor{ID: "i:politie", Name: "Agent Bos", InviteRole: RoleProfessional, Discipline: "politie"}
	h.now = t0
	h.do(c, &ScheduleMeeting{ID: "m1", At: t0})
	h.do(c, &StartMeeting{Meeting: "m1"})
	long := gp
	long.Discipline = strings.Repeat("x", maxName+1)
	h.fail(long, &Join{Meeting: "m1"}, CodeInvalid)
	h.do(gp, &Join{Meeting: "m1"})
	h.do(police, &Join{Meeting: "m1"})
	h.do(mother, &Join{Meeting: "m1"})
	want := map[string]string{c.ID: "casusregisseur", gp.ID: "huisarts", police.ID: "politie", mother.ID: ""}
	cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily, Meeting: "m1"})
	if cv.Current == nil {
		t.Fatal("no current meeting in the view")
	}
	for _, p := range cv.Current.Participants {
		if d, ok := want[p.ID]; ok && p.Discipline != d {
			t.Errorf("%s: discipline %q, want %q", p.Name, p.Discipline, d)
		}
	}
	var old Event
	if err := json.Unmarshal([]byte(`{"seq":1,"id":"x:0","type":"participant.joined","time":"2026-11-28T10:00:00Z","actor":"u:x","meeting":"m1","visibility":"all","data":{"meeting":"m1","participant":"u:x","name":"Oud","role":"professional","professional":true}}`), &old); err != nil {
		t.Fatalf("an old participant.joined does not decode: %v", err)
	}
	if b, ok := old.Data.(*ParticipantRef); !ok || b.Discipline != "" || b.Name != "Oud" {
		t.Errorf("old participant.joined: got %+v", old.Data)
	}
}

// TestSetDisplayLanguage: the chair switches the shared screen's language (nl, en, or back to
// each screen's own), before or during the meeting, also while a round is open; the view carries
// it; anyone else, an unknown language or a closed meeting is refused and changes nothing.
func TestSetDisplayLanguage(t *testing.T) {
	h := newJanna(t)
	h.now = t0
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	h.fail(chair, &SetDisplayLanguage{Meeting: "nope", Language: "en"}, CodeNotFound)
	h.fail(social, &SetDisplayLanguage{Meeting: "m1", Language: "en"}, CodeForbidden)
	h.fail(chair, &SetDisplayLanguage{Meeting: "m1", Language: "de"}, CodeInvalid)
	if evs := h.do(chair, &SetDisplayLanguage{Meeting: "m1"}); len(evs) != 0 {
		t.Errorf("own choice when own choice: got %v, want no events", types(evs))
	}
	lang := func() string {
		cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
		if cv.Current == nil {
			t.Fatal("no current meeting")
		}
		return cv.Current.DisplayLanguage
	}
	if evs := h.do(chair, &SetDisplayLanguage{Meeting: "m1", Language: "en"}); len(evs) != 1 || evs[0].Type != "meeting.display_language_set" {
		t.Fatalf("en: got %v, want meeting.display_language_set", types(evs))
	}
	if lang() != "en" {
		t.Errorf("view: display language %q, want en", lang())
	}
	h.do(chair, &StartMeeting{Meeting: "m1"})
	rid := h.openRound("m1")
	h.do(chair, &SetDisplayLanguage{Meeting: "m1", Language: "nl"}) // during a round
	if lang() != "nl" {
		t.Errorf("view: display language %q, want nl", lang())
	}
	if touched := Touched(h.do(chair, &SetDisplayLanguage{Meeting: "m1"})); touched != PartCurrent {
		t.Errorf("touched %v, want only the current meeting", touched)
	}
	if lang() != "" {
		t.Errorf("view: display language %q, want each screen's own", lang())
	}
	h.do(chair, &RevealRound{Round: rid})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.fail(chair, &SetDisplayLanguage{Meeting: "m1", Language: "en"}, CodeConflict)
}
