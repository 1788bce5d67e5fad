package meeting

import (
	"encoding/json"
	"fmt"
	"time"
)

// Visibility says who may see an event or a fact.
type Visibility string

// Visibilities.
const (
	// VisibleAll: every participant of the case.
	VisibleAll Visibility = "all"
	// VisibleProfessionals: chairs and professionals only; never family, network or observers.
	VisibleProfessionals Visibility = "professionals"
)

// Event is one entry of a case's log.
type Event struct {
	Seq        uint64     `json:"seq"`
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Time       time.Time  `json:"time"`
	Actor      string     `json:"actor"`
	Meeting    string     `json:"meeting,omitempty"`
	Visibility Visibility `json:"visibility"`
	// Data is the event's body; its Go type is fixed by Type (see eventTypes).
	Data any `json:"data"`
}

// Event bodies that are not plan entities.

// CaseCreated is the body of case.created.
type CaseCreated struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Owner string `json:"owner"`
	// Persons are the case's persons (issue 16); Subjects and Family are the first version's
	// shape, read from old logs and replayed into persons.
	Persons  []Person       `json:"persons,omitempty"`
	Subjects []Subject      `json:"subjects,omitempty"`
	Family   []FamilyMember `json:"family,omitempty"`
	Policy   Policy         `json:"policy"`
	// OwnerName and OwnerOrganisation describe the creator, the first case director (empty
	// in cases created before they were recorded).
	OwnerName         string `json:"ownerName,omitempty"`
	OwnerOrganisation string `json:"ownerOrganisation,omitempty"`
	// Intake and TriageRoute: the intake the case started from, and its route (issue 16).
	Intake      string `json:"intake,omitempty"`
	TriageRoute string `json:"triageRoute,omitempty"`
}

// PhaseSet is the body of phase.set.
type PhaseSet struct {
	Phase int `json:"phase"`
}

// NewMeeting is the body of meeting.scheduled.
type NewMeeting struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	At     time.Time     `json:"at"`
	Chair  Participant   `json:"chair"`
	Agenda []*AgendaItem `json:"agenda"`
}

// MeetingRef is the body of events about a whole meeting (started, closed, plan confirmed…).
type MeetingRef struct {
	Meeting string `json:"meeting"`
	// Advisory and Reason are used by meeting.advisory_set.
	Advisory bool   `json:"advisory,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// AutoReveal is used by meeting.auto_reveal_set.
	AutoReveal bool `json:"autoReveal,omitempty"`
	// Language is used by meeting.display_language_set ("" is each screen's own choice).
	Language string `json:"language,omitempty"`
}

// SafetyPlanChange is a removal or reinstatement of the noodverband; the body of
// safetyplan.reinstated (a round broke the 6 after the safety plan was retired).
type SafetyPlanChange struct {
	// Kind is "retired" or "reinstated".
	Kind    string `json:"kind"`
	Meeting string `json:"meeting"`
	// Round is the round that broke the 6 (reinstated only).
	Round string    `json:"round,omitempty"`
	At    time.Time `json:"at,omitzero"`
}

// ParticipantRef is the body of participant events.
type ParticipantRef struct {
	Meeting     string `json:"meeting"`
	Participant string `json:"participant"`
	// Name, Role and Professional are set by participant.joined and participant.role_set;
	// Role also by participant.admitted when the chair chose it at admission.
	Name         string `json:"name,omitempty"`
	Role         Role   `json:"role,omitempty"`
	Professional bool   `json:"professional,omitempty"`
	// From is the former chair, for chair.handed_over.
	From string `json:"from,omitempty"`
	// Person is the case person the participant is linked to, for participant.admitted.
	Person string `json:"person,omitempty"`
	// Organisation is a professional's organisation, for participant.joined.
	Organisation string `json:"organisation,omitempty"`
	// Discipline is what the participant does ("huisarts", "politie"), for participant.joined;
	// absent in logs written before it existed (then: none).
	Discipline string `json:"discipline,omitempty"`
}

// ItemRef is the body of agenda events.
type ItemRef struct {
	Meeting  string      `json:"meeting"`
	Item     string      `json:"item"`
	Position int         `json:"position,omitempty"`
	New      *AgendaItem `json:"new,omitempty"`
}

// RoundRef is the body of round.opened and round.revealed.
type RoundRef struct {
	Meeting string `json:"meeting"`
	Round   string `json:"round"`
	Number  int    `json:"number,omitempty"`
	// Auto: revealed because every present scorer had submitted.
	Auto bool `json:"auto,omitempty"`
	// Missing: present scorers who had not submitted at a forced reveal.
	Missing []string `json:"missing,omitempty"`
	// Advisory: family and network scores were advisory in this round.
	Advisory bool `json:"advisory,omitempty"`
}

// ScoreSubmitted is the body of score.submitted. Its Score never leaves the server before
// the round is revealed (see Redact).
type ScoreSubmitted struct {
	Meeting     string `json:"meeting"`
	Round       string `json:"round"`
	Participant string `json:"participant"`
	Subject     string `json:"subject"`
	Score       *Score `json:"score,omitempty"`
}

// StatusSet is the body of status changes of plan entries.
type StatusSet struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Meeting string `json:"meeting,omitempty"`
	Owner   *Owner `json:"owner,omitempty"`
}

// eventTypes maps each event type to a constructor of its body.
var eventTypes = map[string]func() any{
	"case.created":                 func() any { return &CaseCreated{} },
	"subject.added":                func() any { return &Subject{} },
	"family.added":                 func() any { return &FamilyMember{} },
	"person.added":                 func() any { return &Person{} },
	"recovery.profile_set":         func() any { return &RecoveryProfile{} },
	"risk.proposed":                func() any { return &RiskFactor{} },
	"risk.proposal_decided":        func() any { return &StatusSet{} },
	"person.updated":               func() any { return &Person{} },
	"policy.set":                   func() any { return &Policy{} },
	"phase.set":                    func() any { return &PhaseSet{} },
	"meeting.scheduled":            func() any { return &NewMeeting{} },
	"meeting.started":              func() any { return &MeetingRef{} },
	"meeting.closed":               func() any { return &MeetingRef{} },
	"meeting.advisory_set":         func() any { return &MeetingRef{} },
	"meeting.auto_reveal_set":      func() any { return &MeetingRef{} },
	"meeting.display_language_set": func() any { return &MeetingRef{} },
	"participant.joined":           func() any { return &ParticipantRef{} },
	"participant.admitted":         func() any { return &ParticipantRef{} },
	"participant.removed":          func() any { return &ParticipantRef{} },
	"participant.left":             func() any { return &ParticipantRef{} },
	"participant.role_set":         func() any { return &ParticipantRef{} },
	"chair.handed_over":            func() any { return &ParticipantRef{} },
	"agenda.item_added":            func() any { return &ItemRef{} },
	"agenda.item_moved":            func() any { return &ItemRef{} },
	"agenda.item_opened":           func() any { return &ItemRef{} },
	"agenda.item_closed":           func() any { return &ItemRef{} },
	"agenda.item_suspended":        func() any { return &ItemRef{} },
	"round.opened":                 func() any { return &RoundRef{} },
	"score.submitted":              func() any { return &ScoreSubmitted{} },
	"round.revealed":               func() any { return &RoundRef{} },
	"bottomline.added":             func() any { return &BottomLine{} },
	"bottomline.status_set":        func() any { return &StatusSet{} },
	"agreement.added":              func() any { return &Agreement{} },
	"agreement.status_set":         func() any { return &StatusSet{} },
	"agreement.taken_on":           func() any { return &StatusSet{} },
	"monitoring.added":             func() any { return &CheckIn{} },
	"escalation.added":             func() any { return &Escalation{} },
	"research.added":               func() any { return &ResearchPart{} },
	"risk.added":                   func() any { return &RiskFactor{} },
	"goal.added":                   func() any { return &Goal{} },
	"goal.evaluated":               func() any { return &StatusSet{} },
	"future.added":                 func() any { return &FutureEntry{} },
	"safetyplan.retired":           func() any { return &MeetingRef{} },
	"fact.added":                   func() any { return &Fact{} },
	"decision.recorded":            func() any { return &Decision{} },
	"plan.confirmed":               func() any { return &Confirmation{} },
	// The living safety plan: director, monitoring schedule, the gate's reasons, bijstellen.
	"direction.transferred": func() any { return &DirectionTransferred{} },
	"director.contact_set":  func() any { return &DirectorContact{} },
	"monitoring.planned":    func() any { return &MonitoringTask{} },
	"gate.reason_recorded":  func() any { return &GateReason{} },
	"safetyplan.reinstated": func() any { return &SafetyPlanChange{} },
	"bottomline.revised":    func() any { return &BottomLine{} },
	"agreement.revised":     func() any { return &Agreement{} },
	"goal.revised":          func() any { return &Goal{} },
	"risk.revised":          func() any { return &RiskFactor{} },
	"future.revised":        func() any { return &FutureEntry{} },
	"plan.withdrawn":        func() any { return &Withdrawal{} },
}

// UnmarshalJSON decodes an event and its typed body.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var aux struct {
		plain
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f, ok := eventTypes[aux.Type]
	if !ok {
		return fmt.Errorf("meeting: unknown event type %q", aux.Type)
	}
	body := f()
	if len(aux.Data) > 0 && string(aux.Data) != "null" {
		if err := json.Unmarshal(aux.Data, body); err != nil {
			return fmt.Errorf("meeting: event %q: %w", aux.Type, err)
		}
	}
	*e = Event(aux.plain)
	e.Data = body
	return nil
}

// Audience is the kind of viewer a frame is encoded for: what differs between viewers
// is only whether they may see professionals-only facts.
type Audience int

// Audiences.
const (
	// AudienceFamily: family, network, observers and anyone not known as a professional.
	AudienceFamily Audience = iota
	// AudienceProfessional: chairs and professionals.
	AudienceProfessional
)

// Redact returns the event as viewer v may see it, and false when v may not see it at all:
// a professionals-only event outside the professionals' audience, an event of another
// meeting than an invitee's own, a plan entry withheld from v. A score.submitted event never
// carries the score (value and explanations arrive with the reveal, through View), for any
// viewer. It depends on v only through v.Key.
func Redact(e Event, v Viewer) (Event, bool) {
	if e.Visibility == VisibleProfessionals && v.Audience() != AudienceProfessional {
		return Event{}, false
	}
	if v.Meeting != "" && e.Meeting != "" && e.Meeting != v.Meeting {
		return Event{}, false
	}
	data, ok := redactEntry(e.Data, v)
	if !ok {
		return Event{}, false
	}
	e.Data = redactNote(data, v)
	if ss, ok := e.Data.(*ScoreSubmitted); ok && ss.Score != nil {
		c := *ss
		c.Score = nil
		e.Data = &c
	}
	return e, true
}
