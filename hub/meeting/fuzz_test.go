package meeting

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The fuzz test turns its input into a sequence of commands from a small alphabet, sent by a
// few actors of every role with realistic ids, so that many of them succeed. After every step
// it checks:
//   - Decide does not panic, returns an *Error with both messages or events, and never
//     changes the state it is given;
//   - the state rebuilt from the log through JSON (as the store keeps it) equals the live
//     state, to which the events were applied as Decide returned them;
//   - no view, for any audience, and no redacted event holds an unrevealed score;
//   - no open item is locked (in particular none outside the safety section while direct
//     safety does not hold).
//
// Run: go test -run '^$' -fuzz=FuzzDecide -fuzztime=3m -fuzzminimizetime=3s ./hub/meeting
// (an input runs hundreds of checked commands, so the default minimisation of a minute per
// new input stalls the run; a short -fuzzminimizetime keeps it moving).

// fuzzActors: the case director (chair), professionals, family, network, an observer, a
// professional who sits as observer and someone without an invitation.
var fuzzActors = []Actor{
	chair, social, nurse, mother, father, aunt, guest,
	{ID: "u:stagiair", Name: "Stagiair", Professional: true, InviteRole: RoleObserver},
	stranger,
}

var (
	fuzzMeetings = []string{"m1", "m2", "m3"}
	fuzzSubjects = []string{"janna", "moeder", "broer"}
	fuzzKinds    = []ItemKind{KindSafetyPlanReview, KindBottomLines, KindSafetyAgreements, KindMonitoring, KindEscalation,
		KindResearchPlan, KindRiskAssessment, KindCarePlan, KindRecoveryPlan, KindEvaluation, KindFuturePlan,
		KindRetireSafetyPlan, KindOther, KindSafetyAssessment, KindRestoreSix}
	fuzzRoles  = []Role{RoleProfessional, RoleFamily, RoleNetwork, RoleObserver, RoleChair}
	fuzzValues = []int{6, 7, 6, 7, 8, 5, 3, 2, 9, 10, 0, 4, 6, 7}
)

// fuzzer runs one fuzz input.
type fuzzer struct {
	t      *testing.T
	data   []byte
	live   *State
	replay *State
	log    []Event
	now    time.Time
	n      int // numbers command ids and explanations
	runs   int // commands run
}

func (z *fuzzer) byte() byte {
	if len(z.data) == 0 {
		return 0
	}
	b := z.data[0]
	z.data = z.data[1:]
	return b
}

func (z *fuzzer) pick(n int) int { return int(z.byte()) % n }

func (z *fuzzer) pickString(xs []string) string { return xs[z.pick(len(xs))] }

// actor: half of the time the lead — the chair of the meeting in progress, or else the case
// director — otherwise any of fuzzActors.
func (z *fuzzer) actor() Actor {
	b := z.byte()
	if b%2 == 0 {
		return z.lead()
	}
	return fuzzActors[int(b/2)%len(fuzzActors)]
}

func (z *fuzzer) lead() Actor {
	id := z.live.directorID()
	if m := z.live.inProgress(); m != nil {
		id = m.Chair
	}
	for _, a := range fuzzActors {
		if a.ID == id {
			return a
		}
	}
	return chair
}

// meeting picks a meeting id: mostly the one in progress, else a scheduled one, else one of
// the usual ids or none.
func (z *fuzzer) meeting() string {
	b := z.byte()
	if m := z.live.inProgress(); m != nil && b%4 != 0 {
		return m.ID
	}
	if b%8 == 4 {
		return ""
	}
	if b%3 != 0 {
		for _, m := range z.live.Meetings {
			if m.Status == MeetingScheduled {
				return m.ID
			}
		}
	}
	return fuzzMeetings[int(b)%len(fuzzMeetings)]
}

// item picks an agenda item of meeting (or an unknown one).
func (z *fuzzer) item(meeting string) string {
	b := z.pick(256)
	if m := z.live.meeting(meeting); m != nil && len(m.Agenda) > 0 && b < 240 {
		return m.Agenda[b%len(m.Agenda)].ID
	}
	return "m1-a99"
}

// participant picks a participant id.
func (z *fuzzer) participant() string {
	return fuzzActors[z.pick(len(fuzzActors))].ID
}

// round picks the open round, the latest round, or an unknown one.
func (z *fuzzer) round() string {
	b := z.byte()
	if m := z.live.inProgress(); m != nil && len(m.Rounds) > 0 && b%8 != 7 {
		if r := m.openRound(); r != nil && b%8 < 6 {
			return r.ID
		}
		return m.Rounds[int(b)%len(m.Rounds)].ID
	}
	return "m1-r1"
}

// scoreCmd is a score with a unique hidden explanation, an abstention or a bad value.
func (z *fuzzer) scoreCmd(round, subject string) *SubmitScore {
	b := z.byte()
	z.n++
	meaning := hiddenMarker + "#" + itoa(z.n) + "#"
	switch b % 16 {
	case 15:
		return &SubmitScore{Round: round, Subject: subject, Abstain: true, Meaning: meaning}
	case 14:
		return &SubmitScore{Round: round, Subject: subject, Value: intp(11), Meaning: meaning}
	case 13:
		return &SubmitScore{Round: round, Subject: subject, Value: intp(6)}
	}
	return &SubmitScore{Round: round, Subject: subject, Value: intp(fuzzValues[int(b/16)%len(fuzzValues)]), Meaning: meaning, NotHigher: "nog niet"}
}

// secret marks a text PROF-ONLY when it is for professionals only, so a leak shows.
func secret(professionalsOnly bool, text string) string {
	if professionalsOnly {
		return "PROF-ONLY " + text
	}
	return text
}

// step decodes and runs one command (or a macro of several).
func (z *fuzzer) step() {
	op := z.pick(56)
	switch op {
	case 0:
		kinds := []ItemKind(nil)
		for i := z.pick(4); i > 0; i-- {
			kinds = append(kinds, fuzzKinds[z.pick(len(fuzzKinds))])
		}
		z.run(z.actor(), &ScheduleMeeting{ID: z.pickString(fuzzMeetings), At: z.now.Add(time.Hour), Agenda: kinds})
	case 1:
		z.run(z.actor(), &StartMeeting{Meeting: z.meeting()})
	case 2:
		z.run(z.actor(), &CloseMeeting{Meeting: z.meeting()})
	case 3, 4:
		z.run(z.actor(), &Join{Meeting: z.meeting()})
	case 5, 6:
		z.run(z.actor(), &Admit{Meeting: z.meeting(), Participant: z.participant()})
	case 7:
		z.run(z.actor(), &Leave{Meeting: z.meeting()})
	case 8:
		z.run(z.actor(), &Remove{Meeting: z.meeting(), Participant: z.participant()})
	case 9:
		z.run(z.actor(), &SetRole{Meeting: z.meeting(), Participant: z.participant(), Role: fuzzRoles[z.pick(len(fuzzRoles))]})
	case 10:
		z.run(z.actor(), &HandOver{Meeting: z.meeting(), Participant: z.participant()})
	case 11:
		m := z.meeting()
		z.run(z.actor(), &AddItem{Meeting: m, ID: []string{"", "x1", m + "-restore2", m + "-a3"}[z.pick(4)], ItemKind: fuzzKinds[z.pick(len(fuzzKinds))]})
	case 12:
		m := z.meeting()
		z.run(z.actor(), &MoveItem{Meeting: m, Item: z.item(m), Position: z.pick(10) - 1})
	case 13, 14, 15:
		m := z.meeting()
		z.run(z.actor(), &OpenItem{Meeting: m, Item: z.item(m)})
	case 16:
		m := z.meeting()
		z.run(z.actor(), &CloseItem{Meeting: m, Item: z.item(m)})
	case 17:
		m := z.meeting()
		z.run(z.actor(), &SuspendItem{Meeting: m, Item: z.item(m)})
	case 18, 19:
		z.run(z.actor(), &OpenRound{Meeting: z.meeting()})
	case 20, 21:
		z.run(z.actor(), z.scoreCmd(z.round(), z.pickString(fuzzSubjects)))
	case 22:
		z.run(z.actor(), &RevealRound{Round: z.round()})
	case 23:
		z.run(z.actor(), &SetFamilyAdvisory{Meeting: z.meeting(), Advisory: z.byte()%2 == 0})
	case 24:
		z.run(z.actor(), &AddSubject{Subject{ID: []string{"", "broer", "broer", "broer"}[z.pick(4)], Name: "broer"}})
	case 25:
		z.run(z.actor(), &SetPolicy{Policy{Quorum: z.pick(4), StableMeetings: z.pick(4), StableDays: z.pick(3) * 14}})
	case 26:
		z.run(z.actor(), &SetPhase{Phase: z.pick(7)})
	case 27:
		z.run(z.actor(), &AddBottomLine{ID: []string{"", "bl1"}[z.pick(2)], Subjects: []string{z.pickString(fuzzSubjects)}, Text: "Ouders troosten Janna"})
		z.run(z.actor(), &SetBottomLineStatus{ID: "bl1", Status: []string{"met", "not_met", "open", "??"}[z.pick(4)]})
	case 28:
		owner := Owner{Name: "Tante"}
		if z.byte()%2 == 0 {
			owner = Owner{Participant: z.participant()}
		}
		z.run(z.actor(), &AddAgreement{ID: []string{"", "ag1"}[z.pick(2)], Plan: []string{"safety", "care", "recovery", "x"}[z.pick(4)],
			Action: "Dagelijks badje", Owner: owner, When: "dagelijks", BottomLine: []string{"", "bl1"}[z.pick(2)]})
	case 29:
		z.run(z.actor(), &SetAgreementStatus{ID: "ag1", Status: []string{"done", "not_done", "open"}[z.pick(3)]})
		z.run(z.actor(), &TakeOnAgreement{ID: "ag1"})
	case 30:
		profOnly := z.byte()%2 == 0
		z.run(z.actor(), &AddRiskFactor{RiskFactor{ID: []string{"", "rf1"}[z.pick(2)], Text: secret(profOnly, "risico"), Category: "parent", Priority: 1 + z.pick(3), ProfessionalsOnly: profOnly}})
		z.run(z.actor(), &AddGoal{ID: []string{"", "g1"}[z.pick(2)], Plan: []string{"care", "recovery"}[z.pick(2)], Member: []string{"", "janna", "vader"}[z.pick(3)], Text: "Doel", Priority: 1})
	case 31:
		z.run(z.actor(), &EvaluateGoal{ID: "g1", Outcome: []string{"achieved", "in_progress", "adjusted"}[z.pick(3)]})
	case 32:
		z.run(z.actor(), &AddFutureEntry{FutureEntry{WarningSign: "Slecht slapen", Action: "Time-out", Contact: "Tante"}})
		z.run(z.actor(), &RetireSafetyPlan{})
	case 33:
		z.run(z.actor(), &AddCheckIn{CheckIn{Date: z.day(-z.pick(4)), BottomLine: "bl1", Concerns: "PROF-ONLY zorgen"}})
		z.run(z.actor(), &AddEscalation{Escalation{Kind: "mda_expertise", Decision: "PROF-ONLY besluit"}})
		z.run(z.actor(), &AddResearchPart{ResearchPart{Part: "violence_dynamics", Chain: "care", Notes: "PROF-ONLY"}})
	case 34:
		profOnly := z.byte()%2 == 0
		z.run(z.actor(), &AddFact{Text: secret(profOnly, "feit"), ProfessionalsOnly: profOnly})
		z.run(z.actor(), &RecordDecision{Text: "Besluit"})
		z.run(z.actor(), &ConfirmPlan{Meeting: z.meeting()})
	case 35, 36:
		// Macro: everyone admitted who scores gives every subject about the same value, so
		// rounds reveal and direct and stable safety come and go.
		m := z.live.inProgress()
		if m == nil {
			return
		}
		if m.openRound() == nil {
			z.run(z.lead(), &OpenRound{Meeting: m.ID})
		}
		rid := z.round()
		base := fuzzValues[z.pick(len(fuzzValues))]
		for _, p := range append([]*Participant(nil), m.Participants...) {
			for _, sub := range append([]Subject(nil), z.live.Subjects...) {
				for _, a := range fuzzActors {
					if a.ID != p.ID {
						continue
					}
					c := z.scoreCmd(rid, sub.ID)
					if z.byte()%8 != 7 { // mostly the round's common value
						c.Value, c.Abstain = intp(base), false
						if c.Meaning == "" {
							c.Meaning = hiddenMarker + "#" + itoa(z.n) + "#"
						}
					}
					z.run(a, c)
				}
			}
		}
	case 37:
		// Macro: everyone joins the meeting and is admitted.
		m := z.meeting()
		for _, a := range fuzzActors {
			z.run(a, &Join{Meeting: m})
			if mm := z.live.meeting(m); mm != nil {
				z.run(Actor{ID: mm.Chair, Name: "chair", Professional: true}, &Admit{Meeting: m, Participant: a.ID})
			}
		}
	case 40:
		// The case goes to another director: warm (after a confirmation) or with why not.
		to := []Actor{chair, social, nurse, fuzzActors[7], mother}[z.pick(5)]
		z.run(z.actor(), &TransferDirection{To: to.ID, Reason: "Overdracht", WhyNotWarm: []string{"", "Ziekte"}[z.pick(2)], Phone: "06-1234"})
	case 41:
		z.run(z.actor(), &SetDirectorContact{Phone: []string{"030-123", "", "bel"}[z.pick(3)]})
	case 42:
		// A monitoring task and check-ins against it, the agreement or the bottom line.
		z.run(z.actor(), &PlanMonitoring{MonitoringTask{ID: []string{"", "mt1"}[z.pick(2)], What: "Contact met moeder", Person: []string{"", "moeder"}[z.pick(2)],
			BottomLine: []string{"", "bl1"}[z.pick(2)], Schedule: Schedule{Start: z.day(-z.pick(10)), Every: 1 + z.pick(14)}}})
		link := z.pick(3)
		z.run(z.actor(), &AddCheckIn{CheckIn{Date: z.day(1 - z.pick(100)), Task: []string{"mt1", "", ""}[link], Agreement: []string{"", "ag1", ""}[link],
			BottomLine: []string{"", "", "bl1"}[link], Concerns: "PROF-ONLY zorg"}})
	case 43:
		z.run(z.actor(), &SetBottomLineStatus{ID: []string{"bl1", "bl2"}[z.pick(2)], Status: []string{"not_met", "met", "not_met", "open"}[z.pick(4)]})
		z.run(z.actor(), &RecordGateReason{Meeting: z.meeting(), Reason: []string{"Janna is veilig in het pleeggezin", ""}[z.pick(2)]})
	case 44:
		z.n++
		z.run(z.actor(), &ReviseBottomLine{ID: []string{"bl1", "bl2"}[z.pick(2)], Subjects: []string{z.pickString(fuzzSubjects)}, Text: "Bijgesteld " + itoa(z.n)})
		owner := Owner{Name: "Tante"}
		if z.byte()%2 == 0 {
			owner = Owner{Participant: z.participant()}
		}
		id := []string{"ag1", "ag2"}[z.pick(2)]
		z.run(z.actor(), &ReviseAgreement{ID: id, Action: secretFor(id) + " bijgesteld " + itoa(z.n), Owner: owner,
			BottomLine: []string{"", "bl1"}[z.pick(2)], Schedule: []*Schedule{nil, {Start: z.day(0), Every: 7}}[z.pick(2)]})
	case 45:
		z.n++
		z.run(z.actor(), &ReviseGoal{ID: "g1", Member: []string{"", "vader", "janna"}[z.pick(3)], Text: "Doel " + itoa(z.n), Priority: 1 + z.pick(3), RiskFactors: [][]string{nil, {"rf1"}}[z.pick(2)]})
		z.run(z.actor(), &ReviseRiskFactor{ID: "rf1", Text: "risico " + itoa(z.n), Category: "partner", Priority: 1 + z.pick(3)})
		z.run(z.actor(), &ReviseFutureEntry{ID: z.futureID(), WarningSign: "Slecht slapen " + itoa(z.n), Action: "Time-out", Contact: "Tante"})
	case 46:
		kind := []string{"bottom_line", "agreement", "agreement", "goal", "risk_factor", "future", "task", "fact"}[z.pick(8)]
		id := map[string]string{"bottom_line": "bl1", "agreement": []string{"ag1", "ag2"}[z.pick(2)], "goal": "g1", "risk_factor": "rf1", "future": z.futureID(), "task": "mt1", "fact": "x"}[kind]
		z.run(z.actor(), &WithdrawEntry{Entry: kind, ID: id, Reason: secretFor(id) + " ingetrokken"})
	case 47:
		// Advisory with (or without) a reason; the mother linked to the subject "moeder" scores
		// about herself.
		z.run(z.actor(), &SetFamilyAdvisory{Meeting: z.meeting(), Advisory: z.byte()%2 == 0, Reason: []string{"", "Ouders beoordelen zichzelf"}[z.pick(2)]})
		m := z.meeting()
		z.run(mother, &Join{Meeting: m})
		if mm := z.live.meeting(m); mm != nil {
			z.run(Actor{ID: mm.Chair, Name: "chair", Professional: true}, &Admit{Meeting: m, Participant: mother.ID, Person: []string{"moeder", "mama", ""}[z.pick(3)]})
		}
	case 48:
		// A scheduled agreement and one withheld from the mother; the family confirms (again).
		z.run(z.actor(), &AddAgreement{ID: "ag1", Plan: "safety", Action: "Wekelijks contact", Owner: Owner{Name: "Vera"},
			Schedule: &Schedule{Start: z.day(-z.pick(20)), Every: 7}})
		z.run(z.actor(), &AddAgreement{ID: "ag2", Plan: "safety", Action: notForMama + " opvangadres", Owner: Owner{Name: "Tante"},
			Withholding: Withholding{HiddenFrom: []string{"mama"}, HiddenReason: "veiligheid"}})
		for _, a := range []Actor{mother, father, aunt} {
			z.run(a, &ConfirmPlan{Meeting: z.meeting()})
		}
	case 49:
		z.run(z.actor(), &AddBottomLine{ID: "bl2", Subjects: []string{"moeder"}, Text: "Moeder heeft een plan"})
		z.run(z.actor(), &AddEscalation{Escalation{Kind: "veilig_thuis_advice", Decision: "PROF-ONLY advies", CheckIn: []string{"", "mo1"}[z.pick(2)], BottomLine: []string{"", "bl1"}[z.pick(2)]}})
		z.run(z.actor(), &AddCheckIn{CheckIn{ID: "mo1", Date: z.day(0), BottomLine: "bl2", Concerns: "PROF-ONLY zorgen"}})
	case 50:
		// One record per person: a person added with flags, a person's flags changed.
		z.run(z.actor(), &AddPerson{Person{ID: []string{"", "oma", "broer"}[z.pick(3)], Name: "Oma", AtRisk: z.byte()%2 == 0, Household: z.byte()%2 == 0}})
		z.run(z.actor(), &SetPerson{Person{ID: []string{"vader", "mama", "broer", "janna"}[z.pick(4)], Name: "Iemand", AtRisk: z.byte()%2 == 0, Household: z.byte()%2 == 0}})
	case 51:
		z.startFromIntake()
	case 52:
		// Starting a case that exists already is a conflict.
		z.run(z.actor(), &StartFromIntake{ID: "janna", Title: "Opnieuw", Intake: &Intake{ID: "i1", Route: RouteMDAStructural}})
	case 53:
		// A recovery profile for a person, a child only at risk included.
		z.run(z.actor(), &SetRecoveryProfile{RecoveryProfile{Person: []string{"janna", "mama", "vader", "x"}[z.pick(4)], Needs: "Rust",
			Trauma:    TraumaScreening{Intrusive: []string{"", "yes", "no", "unknown"}[z.pick(4)], Action: []string{"", "treat", "watch"}[z.pick(3)], Recheck: z.day(z.pick(30))},
			ChildView: []*ChildView{nil, {Summary: "Ze wil thuis zijn", By: "Jet", Date: z.day(0), Method: "three_houses"}}[z.pick(2)]}})
	case 54:
		// A family member proposes a factor; the chair accepts or declines it.
		z.run(z.actor(), &ProposeRiskFactor{RiskFactor{ID: []string{"", "fp1"}[z.pick(2)], Text: "Vader drinkt", Category: "parent", Dynamic: true,
			Person: []string{"", "vader"}[z.pick(2)], Threat: z.pick(4), Protective: z.byte()%4 == 0}})
		z.run(z.actor(), &DecideRiskProposal{ID: "fp1", Accept: z.byte()%2 == 0})
	case 55:
		// A factor of a relationship on the two axes, and a goal with its safety fields.
		z.run(z.actor(), &AddRiskFactor{RiskFactor{ID: []string{"", "rf1"}[z.pick(2)], Text: "Ruzie", Category: "partner", Dynamic: z.byte()%2 == 0, Priority: 1,
			Relationship: [][]string{nil, {"vader", "mama"}, {"vader", "vader"}}[z.pick(3)], Threat: z.pick(4), Speed: z.pick(4)}})
		z.run(z.actor(), &AddGoal{Plan: "care", Text: "Minder ruzie", Priority: 1, RiskFactors: [][]string{nil, {"rf1"}}[z.pick(2)],
			Safety: "Veiliger voor moeder", Relationship: []string{"vader", "mama"}, Check: "Check-in", Review: z.day(z.pick(60))})
	default:
		// Time passes: hours to about six weeks.
		z.now = z.now.Add(time.Duration(z.byte()) * 4 * time.Hour)
	}
}

// startFromIntake decides case.start_from_intake on a new case from an intake on a fuzzed
// route, and checks the new case: the log rebuilds it, the police information reaches no
// family view and no family event, the first meeting's agenda holds safety items only.
func (z *fuzzer) startFromIntake() {
	t := z.t
	t.Helper()
	in := &Intake{ID: "i1", Received: z.now, Route: []string{RouteMDAAcute, RouteMDAStructural, RouteLocalField, RouteAdvice, RouteClose}[z.pick(5)],
		Persons:   []Person{{ID: "moeder", Name: "Moeder", AtRisk: true, Household: z.byte()%2 == 0}, {ID: "kind", Name: "Kind", AtRisk: z.byte()%4 != 0}},
		Incidents: []Incident{{What: "Ruzie", From: "vader", Towards: "moeder"}},
		Police:    []PoliceInfo{{Kind: "firearms", Text: "PROF-ONLY vuurwapen"}}}
	in.Deadlines = deadlinesFor(in.Received, in.Route, nil)
	var dir *DirectorRef
	if z.byte()%2 == 0 {
		dir = &DirectorRef{ID: "u:wijk", Name: "Wijkteam"}
	}
	evs, err := Decide(NewState(), &StartFromIntake{ID: "c1", Title: "Gezin", Intake: in, Director: dir}, Context{Actor: z.actor(), Now: z.now, CommandID: "si"})
	if err != nil {
		var de *Error
		if !errors.As(err, &de) || de.NL == "" || de.EN == "" {
			t.Fatalf("start from intake: %v", err)
		}
		return
	}
	s, replay := NewState(), NewState()
	for _, e := range evs {
		s = Apply(s, e)
		b, _ := json.Marshal(e)
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		replay = Apply(replay, back)
		if r, ok := Redact(e, Viewer{ID: mother.ID, Role: RoleFamily}); ok && strings.Contains(mustJSON(t, r), "PROF-ONLY") {
			t.Fatalf("family event holds police information: %s", mustJSON(t, r))
		}
	}
	if !reflect.DeepEqual(s, replay) {
		t.Fatal("start from intake: the replayed case differs")
	}
	if v := mustJSON(t, View(s, Viewer{ID: mother.ID, Role: RoleFamily})); strings.Contains(v, "PROF-ONLY") {
		t.Fatal("family view holds police information")
	}
	for _, it := range s.Meetings[0].Agenda {
		if it.Section != SectionSafety {
			t.Fatalf("first meeting after intake: %s item", it.Section)
		}
	}
}

// notForMama marks the texts of an agreement withheld from the mother ("mama"): a viewer
// linked to her must never see them, in a view or an event — revisions and withdrawals too.
const notForMama = "NIET-VOOR-MAMA"

// secretFor marks a text about entry id withheld from the mother when it is ag2 (the one
// withheld from her).
func secretFor(id string) string {
	if id == "ag2" {
		return notForMama
	}
	return "Gedeeld"
}

// day is the date d days from now.
func (z *fuzzer) day(d int) string { return z.now.AddDate(0, 0, d).Format(Day) }

// futureID is the id of a future-plan line, if there is one.
func (z *fuzzer) futureID() string {
	if f := z.live.Plans.Future; len(f) > 0 {
		return f[z.pick(len(f))].ID
	}
	return "fp1"
}

// maxRuns bounds the commands of one input (macros run many), to keep inputs fast.
const maxRuns = 250

// run decides one command and checks every invariant.
func (z *fuzzer) run(a Actor, c Command) {
	t := z.t
	t.Helper()
	if z.runs++; z.runs > maxRuns {
		z.data = nil // stop decoding
		return
	}
	z.n++
	before := snapshot(t, z.live)
	evs, err := Decide(z.live, c, Context{Actor: a, Now: z.now, CommandID: "f" + itoa(z.n), Defaults: Policy{Quorum: 2, StableMeetings: 2, StableDays: 14}})
	if after := snapshot(t, z.live); after != before {
		t.Fatalf("%s by %s: Decide changed the state", c.Kind(), a.ID)
	}
	if err != nil {
		var de *Error
		if !errors.As(err, &de) || de.NL == "" || de.EN == "" {
			t.Fatalf("%s by %s: error %v is not a *meeting.Error with both messages", c.Kind(), a.ID, err)
		}
		if evs != nil {
			t.Fatalf("%s by %s: error %v and events %v", c.Kind(), a.ID, err, types(evs))
		}
		return
	}
	for i, e := range evs {
		if e.Seq != z.live.Seq+1 {
			t.Fatalf("%s: event %d seq %d after %d", c.Kind(), i, e.Seq, z.live.Seq)
		}
		z.live = Apply(z.live, e)
		z.replay = Apply(z.replay, roundTrip(t, e))
		z.log = append(z.log, e)
		if re, ok := Redact(e, mamaViewer); ok {
			if b, _ := json.Marshal(re); strings.Contains(string(b), notForMama) {
				t.Fatalf("%s reaches the mother it is withheld from: %s", e.Type, b)
			}
		}
		for _, aud := range []Audience{AudienceFamily, AudienceProfessional} {
			if re, ok := Redact(e, audienceViewer(aud)); ok {
				b, _ := json.Marshal(re)
				if strings.Contains(string(b), hiddenMarker) {
					t.Fatalf("redacted %s for audience %d holds a score: %s", e.Type, aud, b)
				}
				if aud == AudienceFamily && e.Visibility == VisibleProfessionals {
					t.Fatalf("professionals-only %s reaches family", e.Type)
				}
			}
		}
	}
	if !reflect.DeepEqual(z.replay, z.live) {
		a, _ := json.Marshal(z.replay)
		b, _ := json.Marshal(z.live)
		t.Fatalf("after %s: replay through JSON differs from the live state:\nreplay %s\nlive   %s", c.Kind(), a, b)
	}
	z.checkViews()
	z.checkLocks()
	z.checkLiving()
}

// mamaViewer is the mother, linked to the family member "mama", as SightOf makes her.
var mamaViewer = Viewer{ID: mother.ID, Role: RoleFamily, Person: "mama", Hidden: []string{"mama"}}

// checkLiving: the living plan's invariants — one director, with terms in order; nothing
// withheld from the mother reaches her view; the plan version she sees is at most the plan's;
// what is due lists no withdrawn or finished entry.
func (z *fuzzer) checkLiving() {
	t := z.t
	t.Helper()
	s := z.live
	for i, d := range s.Directors {
		if last := i == len(s.Directors)-1; last != d.To.IsZero() || (i > 0 && d.From.Before(s.Directors[i-1].From)) {
			t.Fatalf("directors out of order: %+v", s.Directors)
		}
	}
	b, _ := json.Marshal(View(s, mamaViewer))
	if strings.Contains(string(b), notForMama) {
		t.Fatalf("the mother's view holds an entry withheld from her: %s", b)
	}
	if v := View(s, mamaViewer).Plans.Version; v > s.Plans.Version {
		t.Fatalf("the mother sees version %d of a plan at %d", v, s.Plans.Version)
	}
	for _, it := range s.Due(z.now) {
		switch it.Kind {
		case "agreement":
			if a, ok := findByID(s.Plans.Agreements, it.ID); !ok || a.Withdrawn != nil || a.Status != "open" {
				t.Fatalf("due: agreement %s is withdrawn or finished", it.ID)
			}
		case "task":
			if x, ok := findByID(s.Plans.Tasks, it.ID); !ok || x.Withdrawn != nil {
				t.Fatalf("due: task %s is withdrawn", it.ID)
			}
		}
		if it.Overdue != (it.Days > 0) || it.Days < -DueWindow {
			t.Fatalf("due: %+v", it)
		}
	}
}

// checkViews: no view holds an unrevealed value or explanation, or (for family, network and
// observers) a professionals-only fact.
func (z *fuzzer) checkViews() {
	t := z.t
	t.Helper()
	vs := []Viewer{{ID: chair.ID, Professional: true, Role: RoleChair}, {ID: social.ID, Professional: true, Role: RoleProfessional},
		{ID: mother.ID, Role: RoleFamily}, {ID: aunt.ID, Role: RoleNetwork}, {ID: guest.ID, Role: RoleObserver},
		{ID: "u:stagiair", Professional: true, Role: RoleObserver}}
	for _, v := range vs {
		checkView(t, z.live, v)
		cv := View(z.live, v)
		if cv.Current == nil {
			continue
		}
		m := z.live.meeting(cv.Current.ID)
		for i, rv := range cv.Current.Rounds {
			if m.Rounds[i].Status != RoundRevealed && (rv.Scores != nil || rv.Results != nil || rv.Status != RoundOpen) {
				t.Fatalf("view for %s: unrevealed round %s shows %+v", v.ID, rv.ID, rv)
			}
		}
	}
}

// checkLocks: no open item is locked; in particular none outside the safety section is open
// while direct safety does not hold.
func (z *fuzzer) checkLocks() {
	t := z.t
	t.Helper()
	direct, _ := z.live.DirectSafety()
	for _, m := range z.live.Meetings {
		for _, it := range m.Agenda {
			if it.Status != ItemOpen {
				continue
			}
			if m.Status != MeetingInProgress {
				t.Fatalf("item %s open in meeting %s that is %s", it.ID, m.ID, m.Status)
			}
			if !direct && it.Section != SectionSafety {
				t.Fatalf("item %s (%s) open without direct safety", it.ID, it.Kind)
			}
			if l := z.live.lockOf(m, it); l != nil {
				t.Fatalf("item %s (%s) open while locked: %s", it.ID, it.Kind, l.EN)
			}
		}
	}
}

// Seed programs, byte by byte in the fuzzer's encoding: an op byte (op % 50), then the bytes
// its command reads, in order. Actor byte 0 is the lead; meeting byte 1 is the meeting in
// progress, or else the first scheduled one.
var (
	seedSchedule = func(id byte) []byte { return []byte{0, 0, 0, id} } // op, no kinds, lead, id
	seedStart    = []byte{1, 0, 1}
	seedClose    = []byte{2, 0, 1}
	seedEveryone = []byte{37, 1}
	seedOpenItem = func(index byte) []byte { return []byte{13, 1, 0, index} }
	seedPhase    = func(p byte) []byte { return []byte{26, 0, p} }
	seedWeeks6   = []byte{38, 255} // 1020 hours
	// seedRound opens a round if none is open and has everyone score fuzzValues[v]: two bytes
	// per score; zeros left over decode as "schedule m1", refused once m1 exists.
	seedRound = func(v byte) []byte { return append([]byte{35, 0, v}, make([]byte, 64)...) }
)

// seedJanna is the Janna case in the fuzzer's encoding: meeting 1 holds a 7 (K = 2, D = 14
// from the defaults), the care plan opens, a risk factor and a goal; six weeks later meeting
// 2 holds the 7 again: the future plan opens, the safety plan is retired, the phase goes to 5,
// the goal is evaluated; then 6s suspend the future plan and 5s bring the restore-six item and
// put the noodverband back.
func seedJanna() []byte {
	var b []byte
	for _, part := range [][]byte{
		seedSchedule(0), seedStart, seedEveryone, seedOpenItem(0), seedRound(1),
		seedOpenItem(5), seedPhase(2),
		{30, 0, 0, 1, 0, 0, 1, 0, 0}, // risk factor rf1, care goal g1
		seedClose, seedWeeks6,
		seedSchedule(1), seedStart, seedEveryone, seedRound(1),
		{11, 1, 0, 1, 10}, seedOpenItem(7), // add the future plan as x1 and open it
		{32, 0, 0}, // a future-plan entry, retire the safety plan
		seedPhase(3), seedPhase(4), seedPhase(5),
		{31, 0, 0}, // evaluate g1
		seedRound(0), seedRound(5), seedClose,
	} {
		b = append(b, part...)
	}
	return b
}

// seedLeavers: a round blocked by the last scorer, who leaves, is removed or becomes observer;
// a hand-over; a policy and a subject that end direct safety with the care plan open.
func seedLeavers() []byte {
	var b []byte
	for _, part := range [][]byte{
		seedSchedule(0), seedStart, seedEveryone, seedRound(1), seedOpenItem(5),
		{25, 0, 3, 2, 1},        // policy Q 3, K 2, D 14
		{24, 0, 1},              // subject broer
		{9, 0, 1, 5, 3},         // the aunt becomes observer
		{10, 0, 1, 1},           // hand the chair to the social worker
		{7, 5, 1},               // the nurse leaves
		{8, 0, 1, 3},            // the (new) chair removes the mother
		seedRound(0), seedClose, // a round of 6s and close
	} {
		b = append(b, part...)
	}
	return b
}

// seedPersonsAndPlans (issue 16): with a 7, a person added and one's flags changed, a recovery
// profile for Janna, the mother proposes a factor the chair accepts, a relationship's factor and
// a goal against it.
func seedPersonsAndPlans() []byte {
	var b []byte
	for _, part := range [][]byte{
		seedSchedule(0), seedStart, seedEveryone, seedOpenItem(0), seedRound(1),
		{50, 0, 1, 1, 0, 0, 1, 1, 0},     // oma (household); mama renamed
		{53, 0, 0, 3, 2, 5, 1},           // Janna: memories unknown, watch, her own view
		{54, 7, 1, 1, 3, 1, 0, 0},        // the mother proposes fp1 about vader; accepted
		{55, 0, 1, 0, 1, 3, 3, 0, 1, 10}, // rf1 of vader–mama; a goal against it
	} {
		b = append(b, part...)
	}
	return b
}

// seedLiving: the living safety plan — a bottom line not met with 6s and the chair's reason,
// a weekly agreement and one withheld from the mother, the family confirms, a monitoring task
// and a check-in, the plan revised and an entry withdrawn, a warm hand-over to the youth nurse
// who sets her number; between meetings a check-in and an escalation by the new director.
func seedLiving() []byte {
	var b []byte
	for _, part := range [][]byte{
		seedSchedule(0), seedStart, seedEveryone, seedOpenItem(0), seedRound(0),
		{27, 0, 1, 0, 0, 1},             // bl1 for Janna, not met
		{43, 0, 0, 0, 0, 1, 0},          // bl1 not met again, the chair's reason
		{48, 0, 3, 0, 1, 1, 1},          // ag1 weekly, ag2 withheld from the mother; the family confirms
		{42, 0, 1, 1, 1, 2, 6, 0, 0, 2}, // task mt1 for the mother, a check-in against it
		{44, 0, 0, 0, 1, 0, 0, 1, 1},    // bl1 and ag1 revised
		{48, 0, 3, 0, 1, 1, 1},          // the family confirms the changed plan
		{46, 2, 1, 0},                   // ag2 withdrawn
		{40, 2, 0, 0},                   // warm hand-over to the youth nurse
		{41, 5, 0},                      // she sets her number
		seedClose, {38, 20},             // 80 hours later, between meetings
		{49, 5, 5, 0, 1, 5}, // bl2 refused (no meeting); her escalation; a check-in
	} {
		b = append(b, part...)
	}
	return b
}

func FuzzDecide(f *testing.F) {
	f.Add(seedJanna())
	f.Add(seedLeavers())
	f.Add(seedLiving())
	f.Add(seedPersonsAndPlans())
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 0, 37, 0, 35, 0, 0, 53, 0, 0, 2, 1, 1, 1, 54, 1, 0, 1, 1, 3, 0, 0, 55, 0, 1, 1, 1, 3, 2, 1, 10})
	f.Add([]byte{50, 0, 1, 0, 0, 1, 0, 0, 51, 1, 0, 0, 0, 0, 51, 3, 0, 0, 0, 1, 52, 0, 51, 2, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 3, 1, 18, 3, 1, 22, 3, 0, 13, 3, 1, 6, 24, 3, 0, 25, 3, 3, 3, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzz(t, data)
	})
}

// runFuzz runs one input on a new Janna case and returns the fuzzer.
func runFuzz(t *testing.T, data []byte) *fuzzer {
	z := &fuzzer{t: t, data: data, live: NewState(), replay: NewState(), now: t0}
	z.run(chair, &CreateCase{ID: "janna", Title: "Gezin van baby Janna",
		Subjects: []Subject{{ID: "janna", Name: "Janna"}, {ID: "moeder", Name: "moeder"}},
		Family:   []FamilyMember{{ID: "vader", Name: "Vader"}, {ID: "mama", Name: "Moeder"}}})
	for steps := 0; len(z.data) > 0 && steps < 200; steps++ {
		z.step()
	}
	checkInvariants(t, z.live, z.log) // a full replay from the empty state, once
	return z
}

// TestFuzzSeedsGoDeep guards the seed corpus: the Janna seed reaches stable safety, phase 5,
// the future plan, the retired safety plan, and rules 3 and 4; the leavers seed hands over,
// relocks and reveals through leavers.
func TestFuzzSeedsGoDeep(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"janna", seedJanna(), []string{"phase.set", "risk.added", "goal.added", "future.added", "safetyplan.retired",
			"goal.evaluated", "agenda.item_suspended", "agenda.item_added", "safetyplan.reinstated"}},
		{"leavers", seedLeavers(), []string{"policy.set", "person.added", "participant.role_set", "chair.handed_over",
			"participant.left", "participant.removed", "agenda.item_suspended", "meeting.closed"}},
		{"living", seedLiving(), []string{"bottomline.status_set", "gate.reason_recorded", "agreement.added", "plan.confirmed",
			"monitoring.planned", "monitoring.added", "bottomline.revised", "agreement.revised", "plan.withdrawn",
			"direction.transferred", "director.contact_set", "escalation.added"}},
		{"persons and plans", seedPersonsAndPlans(), []string{"person.added", "person.updated", "recovery.profile_set", "risk.proposed",
			"risk.proposal_decided", "risk.added", "goal.added"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := runFuzz(t, tc.data)
			seen := map[string]bool{}
			for _, e := range z.log {
				seen[e.Type] = true
			}
			for _, typ := range tc.want {
				if !seen[typ] {
					t.Errorf("event %s: not reached (got %v)", typ, types(z.log))
				}
			}
			if tc.name == "janna" {
				m := z.live.meeting("m2")
				if z.live.Phase != 5 || z.live.SafetyPlanRetired || len(z.live.SafetyPlanLog) != 2 || m == nil || m.Agenda[1].Kind != KindRestoreSix {
					t.Errorf("janna seed: phase %d retired %v, want 5, reinstated by the 5s, and the restore-six item in m2", z.live.Phase, z.live.SafetyPlanRetired)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
