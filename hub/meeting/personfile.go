package meeting

import "time"

// PersonFile is what the case holds about one person, as the visibility rule lets that person
// see it: the content of their inzage and afschrift (the export a professional makes for
// them). What is withheld from them, or kept for professionals, is left out and counted.
type PersonFile struct {
	Case CaseInfo `json:"case"`
	// Person is who the file is for.
	Person PersonRef `json:"person"`
	// Meetings are the meetings they attended (admitted, linked to them by the chair).
	Meetings []AttendedMeeting `json:"meetings"`
	// Scores are the revealed scores they gave, and for a subject the revealed scores about
	// them.
	Scores []PersonScore `json:"scores"`
	// Plans are the plan entries visible to them, with the corrections and statements.
	Plans Plans `json:"plans"`
	// Withheld counts what was left out.
	Withheld WithheldCount `json:"withheld"`
}

// PersonRef is a person of the case.
type PersonRef struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Relation string `json:"relation,omitempty"`
	// Subject: a person whose safety is scored.
	Subject bool `json:"subject"`
}

// AttendedMeeting is a meeting a person attended.
type AttendedMeeting struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	At     time.Time     `json:"at"`
	Status MeetingStatus `json:"status"`
	Role   Role          `json:"role"`
}

// PersonScore is one revealed score in a person's file.
type PersonScore struct {
	Meeting      string    `json:"meeting"`
	MeetingTitle string    `json:"meetingTitle"`
	Round        int       `json:"round"`
	RevealedAt   time.Time `json:"revealedAt"`
	// Own: the person gave this score; otherwise it is about them.
	Own         bool   `json:"own"`
	By          string `json:"by"`
	Role        Role   `json:"role"`
	Subject     string `json:"subject"`
	SubjectName string `json:"subjectName"`
	Value       *int   `json:"value"`
	Abstain     bool   `json:"abstain"`
	Meaning     string `json:"meaning,omitempty"`
	NotHigher   string `json:"notHigher,omitempty"`
	// ExplanationWithheld: the scorer kept the explanation for professionals.
	ExplanationWithheld bool `json:"explanationWithheld,omitempty"`
}

// WithheldCount is what a person's file leaves out.
type WithheldCount struct {
	// FromPerson: plan entries withheld from this person ("niet zichtbaar voor").
	FromPerson int `json:"fromPerson"`
	// ProfessionalsOnly: facts, risk factors, monitoring, escalations, research parts and
	// score explanations kept for professionals.
	ProfessionalsOnly int `json:"professionalsOnly"`
}

// SightOfPerson is the visibility rule (SightOf) for a person of the case who is not reading
// the case themselves — the subject of an export: the family's audience, without what is
// withheld from them. It is the view a participant linked to that person gets.
func (s *State) SightOfPerson(person string) Viewer {
	v := Viewer{ID: "person:" + person, Role: RoleFamily, Person: person}
	v.Hidden = s.hiddenFor(v)
	return v
}

// PersonFile builds the file of person (a subject or family member), or false when the case
// has no such person.
func (s *State) PersonFile(person string) (PersonFile, bool) {
	ref := PersonRef{ID: person}
	if sub := s.subject(person); sub != nil {
		ref.Name, ref.Subject = sub.Name, true
	} else if f := s.familyMember(person); f != nil {
		ref.Name, ref.Relation = f.Name, f.Relation
	} else {
		return PersonFile{}, false
	}
	v := s.SightOfPerson(person)
	cv := View(s, v)
	pf := PersonFile{Case: cv.Case, Person: ref, Meetings: []AttendedMeeting{}, Scores: []PersonScore{}}
	pf.Plans, _ = plansFor(&s.Plans, v)
	subjects := map[string]string{}
	for _, sub := range s.Subjects {
		subjects[sub.ID] = sub.Name
	}
	for _, m := range s.Meetings {
		own := map[string]bool{}
		for _, p := range m.Participants {
			if p.Person == person {
				own[p.ID] = true
				pf.Meetings = append(pf.Meetings, AttendedMeeting{ID: m.ID, Title: m.Title, At: m.At, Status: m.Status, Role: p.Role})
			}
		}
		for _, r := range m.Rounds {
			if r.Status != RoundRevealed {
				continue
			}
			for _, p := range m.Participants {
				for _, sub := range s.Subjects {
					sc, ok := r.Scores[p.ID][sub.ID]
					if !ok || !own[p.ID] && sub.ID != person {
						continue
					}
					ps := PersonScore{Meeting: m.ID, MeetingTitle: m.Title, Round: r.Number, RevealedAt: r.RevealedAt, Own: own[p.ID],
						By: p.Name, Role: sc.Role, Subject: sub.ID, SubjectName: subjects[sub.ID], Value: sc.Value, Abstain: sc.Abstain,
						Meaning: sc.Meaning, NotHigher: sc.NotHigher}
					if sc.ProfessionalsOnly && !ps.Own {
						ps.Meaning, ps.NotHigher, ps.ExplanationWithheld = "", "", true
						pf.Withheld.ProfessionalsOnly++
					}
					pf.Scores = append(pf.Scores, ps)
				}
			}
		}
	}
	pf.Withheld.FromPerson = countHidden(v, s.Plans.BottomLines) + countHidden(v, s.Plans.Agreements) +
		countHidden(v, s.Plans.Goals) + countHidden(v, s.Plans.Future) +
		countHidden(v, slicesFilter(s.Plans.Facts, func(f *Fact) bool { return !f.ProfessionalsOnly })) +
		countHidden(v, slicesFilter(s.Plans.RiskFactors, func(r *RiskFactor) bool { return !r.ProfessionalsOnly }))
	pf.Withheld.ProfessionalsOnly += len(s.Plans.Monitoring) + len(s.Plans.Tasks) + len(s.Plans.Escalations) + len(s.Plans.Research) +
		len(slicesFilter(s.Plans.Facts, func(f *Fact) bool { return f.ProfessionalsOnly })) +
		len(slicesFilter(s.Plans.RiskFactors, func(r *RiskFactor) bool { return r.ProfessionalsOnly }))
	return pf, true
}

// countHidden counts the entries of in withheld from v.
func countHidden[T withheldEntry](v Viewer, in []T) int {
	n := 0
	for _, e := range in {
		if v.hides(e.withholding().HiddenFrom) {
			n++
		}
	}
	return n
}
