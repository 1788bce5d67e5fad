// Package casegen writes long cases for tests and benchmarks: the "two-year case" of issue 19
// (8 professionals, 3 persons at risk, fortnightly meetings with 2 revealed rounds, 4 check-ins,
// 4 facts — one withheld from the mother, one for professionals only — a decision and a family
// confirmation each) as commands a real Decide accepts.
package casegen

import (
	"fmt"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// ProfessionalsOnlyMark starts the text of every professionals-only fact, so a leak is
// visible in any encoding.
const ProfessionalsOnlyMark = "PROF-ONLY"

// Step is one command of a generated case, sent by Actor at Now.
type Step struct {
	Actor meeting.Actor
	Now   time.Time
	Cmd   meeting.Command
}

// Start is when a generated case begins (its first meeting).
var Start = time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC)

// CaseID is the id of the generated case.
const CaseID = "tweejaar"

// Subjects are the three persons at risk of the generated case.
var Subjects = []meeting.Subject{{ID: "kind1", Name: "Noor"}, {ID: "kind2", Name: "Sem"}, {ID: "moeder", Name: "Moeder"}}

// Professionals are the eight professionals of the generated case; the first chairs.
func Professionals() []meeting.Actor {
	orgs := []string{"Veilig Thuis", "wijkteam", "jeugdarts", "politie", "school", "reclassering", "GGZ", "jeugdbescherming"}
	out := make([]meeting.Actor, len(orgs))
	for i, o := range orgs {
		out[i] = meeting.Actor{ID: fmt.Sprintf("u:pro%d", i+1), Name: fmt.Sprintf("Professional %d (%s)", i+1, o), Professional: true, Organisation: o}
	}
	return out
}

// Family is the family invitee of meeting n (1-based): invited to that meeting only, linked
// to the mother.
func Family(n int) meeting.Actor {
	return meeting.Actor{ID: fmt.Sprintf("i:moeder-m%d", n), Name: "Moeder", InviteRole: meeting.RoleFamily}
}

// MeetingID is the id of meeting n (1-based).
func MeetingID(n int) string { return fmt.Sprintf("m%d", n) }

// Case is the steps of a case with the given number of held (closed) meetings, a fortnight
// apart; when next, meeting n+1 is then scheduled and started with the professionals admitted
// (the meeting a phone joins).
func Case(meetings int, next bool) []Step { return Named(CaseID, meetings, next) }

// Named is Case with the case id id.
func Named(id string, meetings int, next bool) []Step {
	pros := Professionals()
	chair := pros[0]
	var out []Step
	at := Start
	add := func(a meeting.Actor, c meeting.Command) { out = append(out, Step{Actor: a, Now: at, Cmd: c}) }
	add(chair, &meeting.CreateCase{ID: id, Title: "Gezin Bakker", Subjects: Subjects,
		Family: []meeting.FamilyMember{{ID: "vader", Name: "Vader", Relation: "vader"}}})
	for n := 1; n <= meetings; n++ {
		at = Start.AddDate(0, 0, 14*(n-1))
		out = append(out, held(n, at, pros)...)
	}
	if next {
		at = Start.AddDate(0, 0, 14*meetings)
		out = append(out, opened(meetings+1, at, pros)...)
	}
	return out
}

// opened schedules and starts meeting n with the professionals admitted.
func opened(n int, at time.Time, pros []meeting.Actor) []Step {
	chair := pros[0]
	mid := MeetingID(n)
	out := []Step{
		{chair, at, &meeting.ScheduleMeeting{ID: mid, Title: fmt.Sprintf("Overleg %d", n), At: at}},
		{chair, at, &meeting.StartMeeting{Meeting: mid}},
	}
	for _, p := range pros[1:] {
		out = append(out, Step{p, at, &meeting.Join{Meeting: mid}}, Step{chair, at, &meeting.Admit{Meeting: mid, Participant: p.ID}})
	}
	return out
}

// held is meeting n: check-ins in the fortnight before, the meeting with an agenda item added
// and moved, the safety assessment opened, two revealed rounds, facts, a decision, the
// assessment closed and the family's confirmation, then closed.
func held(n int, at time.Time, pros []meeting.Actor) []Step {
	chair := pros[0]
	mid := MeetingID(n)
	var out []Step
	add := func(a meeting.Actor, c meeting.Command) { out = append(out, Step{Actor: a, Now: at, Cmd: c}) }
	if n > 1 {
		for k := 0; k < 4; k++ {
			day := at.AddDate(0, 0, -12+3*k)
			out = append(out, Step{pros[1+k%4], day, &meeting.AddCheckIn{CheckIn: meeting.CheckIn{ID: fmt.Sprintf("ci-%d-%d", n, k),
				Date: day.Format("2006-01-02"), BottomLine: "bl-1", PlanNeeded: k == 3, Person: Subjects[k%3].ID,
				HowItWorked: fmt.Sprintf("Huisbezoek %d/%d: afspraken nagekomen, kinderen naar school.", n, k),
				Concerns:    "Geen nieuwe zorgen; spanning rond het weekend blijft."}}})
		}
	}
	out = append(out, opened(n, at, pros)...)
	add(chair, &meeting.AddItem{Meeting: mid, ID: mid + "-extra", Title: "Rondvraag", ItemKind: meeting.KindOther})
	add(chair, &meeting.MoveItem{Meeting: mid, Item: mid + "-extra", Position: 1})
	add(chair, &meeting.OpenItem{Meeting: mid, Item: mid + "-a0"})
	for r := 0; r < 2; r++ {
		rid := fmt.Sprintf("%s-r%d", mid, r+1) // the domain numbers rounds per meeting
		add(chair, &meeting.OpenRound{Meeting: mid})
		for i, p := range pros {
			for _, s := range Subjects {
				v := 4 + (n+i+r)%4
				add(p, &meeting.SubmitScore{Round: rid, Subject: s.ID, Value: &v,
					Meaning: fmt.Sprintf("Score %d voor %s: de afspraken worden grotendeels nagekomen.", v, s.Name), NotHigher: "Nog geen bewijs over langere tijd."})
			}
		}
		// the last score reveals the round: everyone present has scored
	}
	if n == 1 {
		add(chair, &meeting.AddBottomLine{ID: "bl-1", Subjects: []string{"kind1", "kind2"}, Text: "Geen geweld in het bijzijn van de kinderen."})
	}
	for k := 0; k < 4; k++ {
		f := &meeting.AddFact{ID: fmt.Sprintf("fa-%d-%d", n, k), Text: fmt.Sprintf("Feit %d uit overleg %d: contact met school en huisarts is er, de moeder gaat naar therapie.", k+1, n)}
		switch k {
		case 2: // withheld from the mother
			f.HiddenFrom, f.HiddenReason = []string{"moeder"}, "Lopend onderzoek."
		case 3:
			f.Text, f.ProfessionalsOnly = ProfessionalsOnlyMark+" "+f.Text, true
		}
		add(pros[(k+2)%8], f)
	}
	add(chair, &meeting.RecordDecision{ID: fmt.Sprintf("de-%d", n), Text: fmt.Sprintf("Besluit overleg %d: de kinderen blijven thuis; het volgende overleg over twee weken.", n)})
	add(chair, &meeting.CloseItem{Meeting: mid, Item: mid + "-a0"})
	fam := Family(n)
	add(fam, &meeting.Join{Meeting: mid})
	add(chair, &meeting.Admit{Meeting: mid, Participant: fam.ID, Person: "moeder"})
	add(fam, &meeting.ConfirmPlan{Meeting: mid})
	add(chair, &meeting.CloseMeeting{Meeting: mid})
	return out
}

// Run decides and applies steps from state s (nil: a new case), calling each (when not nil)
// after every step with the events it gave. A refused step is an error: the generator and the
// domain disagree.
func Run(s *meeting.State, steps []Step, each func(i int, s *meeting.State, evs []meeting.Event)) (*meeting.State, error) {
	if s == nil {
		s = meeting.NewState()
	}
	for i, st := range steps {
		evs, err := meeting.Decide(s, st.Cmd, meeting.Context{Actor: st.Actor, Now: st.Now, CommandID: fmt.Sprintf("g%d", i), Defaults: meeting.DefaultPolicy})
		if err != nil {
			return s, fmt.Errorf("step %d (%s by %s): %w", i, st.Cmd.Kind(), st.Actor.ID, err)
		}
		for _, e := range evs {
			s = meeting.Apply(s, e)
		}
		if each != nil {
			each(i, s, evs)
		}
	}
	return s, nil
}
