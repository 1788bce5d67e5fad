package meeting

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// viewers is every kind of viewer of the Janna case.
var viewers = []struct {
	name string
	v    Viewer
	aud  Audience
}{
	{"chair", Viewer{ID: chair.ID, Professional: true, Role: RoleChair}, AudienceProfessional},
	{"professional", Viewer{ID: social.ID, Professional: true, Role: RoleProfessional}, AudienceProfessional},
	{"professional not at the table", Viewer{ID: "u:other", Professional: true}, AudienceProfessional},
	{"family", Viewer{ID: mother.ID, Role: RoleFamily}, AudienceFamily},
	{"network", Viewer{ID: aunt.ID, Role: RoleNetwork}, AudienceFamily},
	{"observer", Viewer{ID: guest.ID, Role: RoleObserver}, AudienceFamily},
	{"professional account sitting as observer", Viewer{ID: "u:student", Professional: true, Role: RoleObserver}, AudienceFamily},
	{"professional account sitting as family", Viewer{ID: "u:pa", Professional: true, Role: RoleFamily}, AudienceFamily},
	{"stranger", Viewer{ID: stranger.ID}, AudienceFamily},
}

// TestViewerAudience: chairs and professionals see professionals-only facts; family, network
// and observers never do, whatever account they hold.
func TestViewerAudience(t *testing.T) {
	for _, tc := range viewers {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.v.Audience(); got != tc.aud {
				t.Errorf("got %v, want %v", got, tc.aud)
			}
		})
	}
}

// TestViewHidesUnrevealedScores: before the reveal no view holds a value or explanation —
// not for the chair, not for the scorer who gave it; only who has submitted.
func TestViewHidesUnrevealedScores(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m1", t0, all(6), false)
	rid := h.openRound("m1")
	h.do(social, &SubmitScore{Round: rid, Subject: "janna", Value: intp(9), Meaning: "ZICHTBAAR-NIET-1", NotHigher: "ZICHTBAAR-NIET-2"})
	h.do(social, &SubmitScore{Round: rid, Subject: "moeder", Value: intp(9), Meaning: "ZICHTBAAR-NIET-3", NotHigher: "ZICHTBAAR-NIET-5"})
	h.do(mother, &SubmitScore{Round: rid, Subject: "janna", Abstain: true, Meaning: "ZICHTBAAR-NIET-4"})
	all := append(viewers, struct {
		name string
		v    Viewer
		aud  Audience
	}{"the scorer herself", Viewer{ID: social.ID, Professional: true, Role: RoleProfessional}, AudienceProfessional})
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			cv := View(h.s, tc.v)
			b, _ := json.Marshal(cv)
			if strings.Contains(string(b), "ZICHTBAAR-NIET") {
				t.Fatalf("view holds an unrevealed explanation: %s", b)
			}
			rv := cv.Current.Rounds[1]
			if rv.Status != RoundOpen || rv.Scores != nil || rv.Results != nil {
				t.Fatalf("open round in view: %+v, want no scores or results", rv)
			}
			if !reflect.DeepEqual(rv.Submitted, []string{social.ID}) {
				t.Errorf("submitted: got %v, want only %s (mother scored one subject of two)", rv.Submitted, social.ID)
			}
			if want := []string{chair.ID, nurse.ID, mother.ID, father.ID, aunt.ID}; !reflect.DeepEqual(rv.Pending, want) {
				t.Errorf("pending: got %v, want %v", rv.Pending, want)
			}
			// Safety, timeline and locks are judged on the revealed round only.
			if !cv.Safety.Direct || len(cv.Meetings[0].Final) != 2 || *cv.Meetings[0].Final[0].Min != 6 {
				t.Errorf("safety %+v, final %+v: want the revealed round of 6s", cv.Safety, cv.Meetings[0].Final)
			}
		})
	}
	// Revealed: values and explanations for everyone.
	h.do(chair, &RevealRound{Round: rid})
	for _, tc := range viewers {
		cv := View(h.s, tc.v)
		b, _ := json.Marshal(cv)
		if !strings.Contains(string(b), "ZICHTBAAR-NIET-1") || len(cv.Current.Rounds[1].Scores) != 3 {
			t.Errorf("%s after reveal: want the explanations and 3 scores, got %+v", tc.name, cv.Current.Rounds[1].Scores)
		}
	}
}

// TestViewProfessionalsOnly: family, network and observers never see monitoring, escalations,
// the research plan, or professionals-only risk factors and facts.
func TestViewProfessionalsOnly(t *testing.T) {
	h := newJanna(t)
	h.heldMeeting("m0", t0.AddDate(0, 0, -14), all(3), false)
	h.do(chair, &AddBottomLine{ID: "bl1", Subjects: []string{"moeder"}, Text: "Moeder heeft een eigen veiligheidsplan"})
	h.do(chair, &CloseMeeting{Meeting: "m0"})
	h.do(social, &AddCheckIn{CheckIn{Date: "2025-12-22", BottomLine: "bl1", Concerns: "PROF-ONLY zorgen"}})
	h.do(social, &AddFact{Text: "PROF-ONLY politiemutaties", ProfessionalsOnly: true})
	h.do(social, &AddFact{Text: "Janna huilt veel"})
	h.heldMeeting("m1", t0, all(6), false)
	h.do(chair, &AddEscalation{Escalation{Kind: "child_protection_board", Decision: "PROF-ONLY Raad inschakelen"}})
	h.do(chair, &AddResearchPart{ResearchPart{Part: "violence_dynamics", Chain: "care", Notes: "PROF-ONLY De Waag"}})
	h.do(chair, &AddRiskFactor{RiskFactor{Text: "PROF-ONLY PTSS moeder", Category: "parent", Priority: 1, ProfessionalsOnly: true}})
	h.do(chair, &AddRiskFactor{RiskFactor{Text: "Schulden", Category: "environment", Priority: 2}})
	for _, tc := range viewers {
		t.Run(tc.name, func(t *testing.T) {
			cv := View(h.s, tc.v)
			b, _ := json.Marshal(cv)
			leaked := strings.Contains(string(b), "PROF-ONLY")
			p := cv.Plans
			counts := []int{len(p.Monitoring), len(p.Escalations), len(p.Research), len(p.RiskFactors), len(p.Facts)}
			if tc.aud == AudienceProfessional {
				if want := []int{1, 1, 1, 2, 2}; !reflect.DeepEqual(counts, want) {
					t.Errorf("professional: got %v monitoring/escalations/research/risks/facts, want %v", counts, want)
				}
				return
			}
			if want := []int{0, 0, 0, 1, 1}; leaked || !reflect.DeepEqual(counts, want) {
				t.Errorf("got %v (leak %v), want %v and no professionals-only fact", counts, leaked, want)
			}
			if p.Monitoring == nil || p.Escalations == nil || p.Research == nil {
				t.Error("hidden lists: want empty lists, not null")
			}
		})
	}
}

// TestRedact: a score.submitted event never carries the score, for any audience; a
// professionals-only event is dropped for family, network and observers.
func TestRedact(t *testing.T) {
	h := newJanna(t)
	h.setUpMeeting("m1", t0, social)
	rid := h.openRound("m1")
	scoreEv := h.do(social, score(rid, "janna", 4))[0]
	factEv := h.do(social, &AddFact{Text: "PROF-ONLY x", ProfessionalsOnly: true})[0]
	openEv := h.do(chair, &OpenItem{Meeting: "m1", Item: "m1-a0"})[0]
	tests := []struct {
		name    string
		e       Event
		aud     Audience
		visible bool
	}{
		{"score for professionals", scoreEv, AudienceProfessional, true},
		{"score for family", scoreEv, AudienceFamily, true},
		{"professionals-only fact for professionals", factEv, AudienceProfessional, true},
		{"professionals-only fact for family", factEv, AudienceFamily, false},
		{"agenda event for family", openEv, AudienceFamily, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(tc.e)
			got, ok := Redact(tc.e, audienceViewer(tc.aud))
			if ok != tc.visible {
				t.Fatalf("visible: got %v, want %v", ok, tc.visible)
			}
			after, _ := json.Marshal(tc.e)
			if string(before) != string(after) {
				t.Errorf("Redact changed its input: %s → %s", before, after)
			}
			if !ok {
				if !reflect.DeepEqual(got, Event{}) {
					t.Errorf("hidden event: got %+v, want the zero Event", got)
				}
				return
			}
			b, _ := json.Marshal(got)
			if strings.Contains(string(b), hiddenMarker) || strings.Contains(string(b), `"value"`) {
				t.Errorf("redacted event holds the score: %s", b)
			}
			if ss, ok := got.Data.(*ScoreSubmitted); ok && (ss.Score != nil || ss.Participant != social.ID || ss.Subject != "janna" || ss.Round != rid) {
				t.Errorf("redacted score event: got %+v, want who and what without the score", ss)
			}
			if got.Type != tc.e.Type || got.Seq != tc.e.Seq {
				t.Errorf("redacted: type %s seq %d, want %s %d", got.Type, got.Seq, tc.e.Type, tc.e.Seq)
			}
		})
	}
}

// TestViewCurrentMeeting: the view centres on the meeting in progress, else the next
// scheduled one, else the one held last; it shows the next meeting's date.
func TestViewCurrentMeeting(t *testing.T) {
	h := newJanna(t)
	pv := Viewer{ID: chair.ID, Professional: true, Role: RoleChair}
	if cv := View(h.s, pv); cv.Current != nil || cv.Safety.Direct || cv.Safety.Reason == nil || len(cv.Meetings) != 0 {
		t.Fatalf("no meeting: got current %+v safety %+v", cv.Current, cv.Safety)
	}
	h.do(chair, &ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 2, 0)})
	h.do(chair, &ScheduleMeeting{ID: "m1", At: t0})
	if cv := View(h.s, pv); cv.Current.ID != "m1" || cv.Current.NextAt == nil || !cv.Current.NextAt.Equal(t0.AddDate(0, 2, 0)) {
		t.Errorf("two scheduled: got %s next %v, want m1 with m2's date next", cv.Current.ID, cv.Current.NextAt)
	}
	h.heldMeeting("m3", t0.Add(time.Hour), all(6), false)
	if cv := View(h.s, pv); cv.Current.ID != "m3" || cv.Current.Status != MeetingInProgress {
		t.Errorf("in progress: got %s %s, want m3", cv.Current.ID, cv.Current.Status)
	}
	h.do(chair, &CloseMeeting{Meeting: "m3"})
	h.do(chair, &StartMeeting{Meeting: "m1"})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.do(chair, &StartMeeting{Meeting: "m2"})
	h.do(chair, &CloseMeeting{Meeting: "m2"})
	cv := View(h.s, pv)
	if cv.Current.ID != "m2" || cv.Current.NextAt != nil {
		t.Errorf("all closed: got %s next %v, want m2 (held last), no next", cv.Current.ID, cv.Current.NextAt)
	}
	if len(cv.Meetings) != 3 || cv.Meetings[2].Final == nil || cv.Meetings[0].Final != nil {
		t.Errorf("timeline: got %+v, want 3 meetings with m3's final round", cv.Meetings)
	}
}

// TestViewerFor: a person's viewer is their role in the meeting the view centres on once
// admitted; someone in the lobby, who left, or is not at that table, has no role and is
// judged by their account.
func TestViewerFor(t *testing.T) {
	h := newJanna(t)
	if v := h.s.ViewerFor(mother.ID, false); v.Role != "" || v.Audience() != AudienceFamily {
		t.Errorf("no meeting yet: got %+v", v)
	}
	h.setUpMeeting("m1", t0, social, mother, guest)
	h.do(aunt, &Join{Meeting: "m1"})
	h.do(nurse, &Join{Meeting: "m1"})
	h.do(nurse, &Leave{Meeting: "m1"})
	tests := []struct {
		id           string
		professional bool
		role         Role
		aud          Audience
	}{
		{chair.ID, true, RoleChair, AudienceProfessional},
		{social.ID, true, RoleProfessional, AudienceProfessional},
		{mother.ID, false, RoleFamily, AudienceFamily},
		{aunt.ID, false, "", AudienceFamily}, // in the lobby
		{guest.ID, false, RoleObserver, AudienceFamily},
		{nurse.ID, true, "", AudienceProfessional}, // left
		{"u:elsewhere", true, "", AudienceProfessional},
		{stranger.ID, false, "", AudienceFamily},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			v := h.s.ViewerFor(tc.id, tc.professional)
			if v.ID != tc.id || v.Role != tc.role || v.Audience() != tc.aud {
				t.Errorf("got %+v (audience %v), want role %q audience %v", v, v.Audience(), tc.role, tc.aud)
			}
		})
	}
}

// TestLobbyView: someone waiting in the lobby sees the case title and their own place in the
// meeting, and nothing else — no subjects, no plans, no other participants, no rounds.
func TestLobbyView(t *testing.T) {
	h := newHarness(t)
	h.createJanna()
	h.setUpMeeting("m1", t0, social)
	h.do(chair, &AddFact{Text: "PROF-ONLY politie", ProfessionalsOnly: true})
	h.do(chair, &AddFact{Text: "voor iedereen"})
	h.do(aunt, &Join{Meeting: "m1"})
	v := h.s.ViewerFor(aunt.ID, false)
	if !v.InLobby() {
		t.Fatalf("aunt in the lobby: InLobby false (role %q)", v.Role)
	}
	lv := LobbyView(h.s, v)
	b, _ := json.Marshal(lv)
	for _, leak := range []string{"PROF-ONLY", "voor iedereen", `"name":"Janna"`, social.Name} {
		if strings.Contains(string(b), leak) {
			t.Errorf("lobby view holds %q: %s", leak, b)
		}
	}
	if lv.Current == nil || len(lv.Current.Participants) != 1 || lv.Current.Participants[0].Status != InLobby {
		t.Fatalf("lobby view: got %+v, want the aunt alone, in the lobby", lv.Current)
	}
	h.do(chair, &Admit{Meeting: "m1", Participant: aunt.ID})
	if v := h.s.ViewerFor(aunt.ID, false); v.InLobby() || v.Role != RoleNetwork {
		t.Errorf("admitted aunt: role %q, in lobby %v; want network, false", v.Role, v.InLobby())
	}
	if v := h.s.ViewerFor(social.ID, true); v.InLobby() {
		t.Error("a professional is never in the lobby view")
	}
}

// TestViewerForEarlierMeeting: a parent admitted to meeting 1 still reads the case once
// meeting 2 is scheduled; in meeting 2's lobby, or sent away in meeting 1, they do not.
func TestViewerForEarlierMeeting(t *testing.T) {
	h := newHarness(t)
	h.createJanna()
	h.setUpMeeting("m1", t0, mother, aunt)
	h.do(chair, &Remove{Meeting: "m1", Participant: aunt.ID})
	h.do(chair, &CloseMeeting{Meeting: "m1"})
	h.do(chair, &ScheduleMeeting{ID: "m2", At: t0.AddDate(0, 3, 0)})
	if v := h.s.ViewerFor(mother.ID, false); v.Role != RoleFamily {
		t.Errorf("mother after meeting 1, meeting 2 scheduled: role %q, want family", v.Role)
	}
	if v := h.s.ViewerFor(aunt.ID, false); !v.InLobby() {
		t.Errorf("aunt sent away in meeting 1: role %q, want none", v.Role)
	}
	h.do(mother, &Join{Meeting: "m2"})
	if v := h.s.ViewerFor(mother.ID, false); !v.InLobby() {
		t.Errorf("mother in meeting 2's lobby: role %q, want none until admitted", v.Role)
	}
}

// audienceViewer is a viewer of audience a with nothing withheld from them in particular.
func audienceViewer(a Audience) Viewer { return Viewer{Professional: a == AudienceProfessional} }
