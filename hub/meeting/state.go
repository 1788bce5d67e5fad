package meeting

import "time"

// Role is a participant's role in one meeting.
type Role string

// The meeting roles of DESIGN.md.
const (
	RoleChair        Role = "chair"        // casusregisseur / voorzitter
	RoleProfessional Role = "professional" // Veilig Thuis, GP, teacher, police, …
	RoleFamily       Role = "family"       // parents, the person at risk
	RoleNetwork      Role = "network"      // an aunt, a neighbour
	RoleObserver     Role = "observer"     // never scores, never sees professionals-only facts
)

func (r Role) valid() bool {
	switch r {
	case RoleChair, RoleProfessional, RoleFamily, RoleNetwork, RoleObserver:
		return true
	}
	return false
}

// Scores reports whether a participant with this role gives safety scores.
func (r Role) Scores() bool { return r.valid() && r != RoleObserver }

// familyOrNetwork reports whether scores of this role may be advisory.
func (r Role) familyOrNetwork() bool { return r == RoleFamily || r == RoleNetwork }

// Policy is the organisation's policy for a case: quorum and the stable-safety rule.
type Policy struct {
	// Quorum (Q) is the least number of non-abstaining scores for consensus.
	Quorum int `json:"quorum"`
	// StableMeetings (K) is how many consecutive meetings need consensus at 7.
	StableMeetings int `json:"stableMeetings"`
	// StableDays (D) is the least number of days between two of those meetings.
	StableDays int `json:"stableDays"`
}

// DefaultPolicy is the policy when the organisation sets none: Q = 2, K = 3, D = 28.
var DefaultPolicy = Policy{Quorum: 2, StableMeetings: 3, StableDays: 28}

// withDefaults fills zero fields from DefaultPolicy.
func (p Policy) withDefaults(d Policy) Policy {
	if d.Quorum <= 0 {
		d.Quorum = DefaultPolicy.Quorum
	}
	if d.StableMeetings <= 0 {
		d.StableMeetings = DefaultPolicy.StableMeetings
	}
	if d.StableDays <= 0 {
		d.StableDays = DefaultPolicy.StableDays
	}
	if p.Quorum <= 0 {
		p.Quorum = d.Quorum
	}
	if p.StableMeetings <= 0 {
		p.StableMeetings = d.StableMeetings
	}
	if p.StableDays <= 0 {
		p.StableDays = d.StableDays
	}
	return p
}

// Subject is a person whose safety is scored (e.g. "Janna", "moeder").
type Subject struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// BirthYear, when known, counts for the retention of the case (lifecycle.go).
	BirthYear int `json:"birthYear,omitempty"`
}

// FamilyMember is a member of the household (for recovery plans and agreements).
type FamilyMember struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Relation string `json:"relation"`
}

// MeetingStatus is where a meeting is in its life.
type MeetingStatus string

// Meeting statuses.
const (
	MeetingScheduled  MeetingStatus = "scheduled"
	MeetingInProgress MeetingStatus = "in_progress"
	MeetingClosed     MeetingStatus = "closed"
)

// ParticipantStatus is lobby → admitted → left.
type ParticipantStatus string

// Participant statuses.
const (
	InLobby  ParticipantStatus = "lobby"
	Admitted ParticipantStatus = "admitted"
	Left     ParticipantStatus = "left"
)

// Participant is one person at the table of one meeting.
type Participant struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Role         Role              `json:"role"`
	Status       ParticipantStatus `json:"status"`
	Professional bool              `json:"professional"`
	// Person is the case person (subject or family member) the chair linked them to at
	// admission, if any: what is withheld from that person is withheld from them.
	Person string `json:"person,omitempty"`
	// Organisation is a professional's organisation, as their account gave it when they joined.
	Organisation string `json:"organisation,omitempty"`
	// Discipline is what they do ("huisarts", "politie", "leerkracht"), as their account or
	// invitation gave it when they joined; the views name a professional by it.
	Discipline string `json:"discipline,omitempty"`
	// Removed: the chair sent them away. Joining again, they wait in the lobby, even a
	// professional of the case, until the chair admits them.
	Removed bool `json:"removed,omitempty"`
}

// present reports whether the participant is admitted and scores (so can block a round).
func (p *Participant) present() bool { return p.Status == Admitted && p.Role.Scores() }

// ItemStatus is the state of an agenda item.
type ItemStatus string

// Agenda item statuses.
const (
	ItemPending   ItemStatus = "pending"
	ItemOpen      ItemStatus = "open"
	ItemClosed    ItemStatus = "closed"
	ItemSuspended ItemStatus = "suspended"
)

// AgendaItem is one item of a meeting's agenda.
type AgendaItem struct {
	ID      string     `json:"id"`
	Title   string     `json:"title"`
	Kind    ItemKind   `json:"kind"`
	Section Section    `json:"section"`
	Status  ItemStatus `json:"status"`
}

// RoundStatus is open (scores hidden) or revealed.
type RoundStatus string

// Round statuses.
const (
	RoundOpen     RoundStatus = "open"
	RoundRevealed RoundStatus = "revealed"
)

// Score is one scorer's score for one subject in one round.
type Score struct {
	// Value is 0–10; nil when the scorer abstains ("kan ik niet beoordelen").
	Value *int `json:"value"`
	// Abstain is true when the scorer cannot judge.
	Abstain bool `json:"abstain"`
	// Meaning: "wat betekent dit cijfer voor jou?" (required unless abstaining).
	Meaning string `json:"meaning"`
	// NotHigher: "waarom niet één punt hoger?" (asked every time).
	NotHigher string `json:"notHigher"`
	// Role is the scorer's role when the score was given.
	Role Role `json:"role"`
	// ProfessionalsOnly: the explanation is shown to professionals only.
	ProfessionalsOnly bool `json:"professionalsOnly,omitempty"`
	// Person is the case person the scorer was linked to when scoring: their score about
	// themselves (a person at risk) always counts, also when family scores are advisory.
	Person string `json:"person,omitempty"`
}

// Round is a scoring round on the safety scale: every scorer scores every subject.
type Round struct {
	ID     string      `json:"id"`
	Number int         `json:"number"`
	Status RoundStatus `json:"status"`
	// Scores by participant, then by subject. Hidden from every view until revealed.
	Scores map[string]map[string]Score `json:"scores"`
	// Missing are the present scorers who had not submitted when the chair forced the reveal.
	Missing    []string  `json:"missing,omitempty"`
	RevealedAt time.Time `json:"revealedAt"`
	// Advisory is the meeting's family-advisory setting when the round was revealed.
	Advisory bool `json:"advisory"`
	// tallies, once the round is revealed (its scores fixed), are its counted scores per
	// subject, so that the streak of stable safety does not go through every score of every
	// held meeting on each view (roundTally); replay sets them as the live state does.
	tallies map[string]tally
}

// Meeting is one case conference (overleg).
type Meeting struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	At     time.Time     `json:"at"`
	Status MeetingStatus `json:"status"`
	// Chair is the participant id of the current chair.
	Chair string `json:"chair"`
	// FamilyAdvisory: family and network scores are shown but do not count toward consensus.
	FamilyAdvisory bool `json:"familyAdvisory"`
	// AdvisoryReason is why the chair made them advisory; everyone at the table reads it.
	AdvisoryReason string `json:"advisoryReason,omitempty"`
	// AutoReveal: a round reveals itself the moment every present scorer has scored. Off by
	// default: the chair decides when the scores go up ("iedereen heeft gescoord — onthullen?").
	AutoReveal bool `json:"autoReveal,omitempty"`
	// DisplayLanguage is the shared screen's language as the chair set it ("nl", "en"); empty:
	// each screen keeps its own.
	DisplayLanguage string         `json:"displayLanguage,omitempty"`
	Participants    []*Participant `json:"participants"`
	Agenda          []*AgendaItem  `json:"agenda"`
	Rounds          []*Round       `json:"rounds"`
	// Index is the meeting's position in the case's timeline (0-based, by scheduling).
	Index int `json:"index"`
	// ClosedSeq is the sequence of the event that closed the meeting (0 while open): the
	// meeting closed last is the current one between meetings, whatever the scheduled order.
	ClosedSeq uint64 `json:"closedSeq,omitempty"`
	// ClosedAt is when the meeting closed (zero while open): an invitee reads until a set
	// time after it.
	ClosedAt time.Time `json:"closedAt,omitzero"`
	// StartedAt is when the meeting started: the day it was held (At is the plan). The
	// timeline, the minutes and the stable streak go by it.
	StartedAt time.Time `json:"startedAt,omitzero"`
	// GateReasons are the chair's reasons to go on with the meeting although a bottom line was
	// not met in it (gate rule 2b).
	GateReasons []*GateReason `json:"gateReasons,omitempty"`
}

// Held is the day the meeting was held: when it started, else (not started) when planned.
func (m *Meeting) Held() time.Time {
	if !m.StartedAt.IsZero() {
		return m.StartedAt
	}
	return m.At
}

// participant returns the participant with id, or nil.
func (m *Meeting) participant(id string) *Participant {
	for _, p := range m.Participants {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// item returns the agenda item with id, or nil.
func (m *Meeting) item(id string) *AgendaItem {
	for _, it := range m.Agenda {
		if it.ID == id {
			return it
		}
	}
	return nil
}

// round returns the round with id, or nil.
func (m *Meeting) round(id string) *Round {
	for _, r := range m.Rounds {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// openRound returns the open round, or nil.
func (m *Meeting) openRound() *Round {
	if n := len(m.Rounds); n > 0 && m.Rounds[n-1].Status == RoundOpen {
		return m.Rounds[n-1]
	}
	return nil
}

// lastRevealed returns the latest revealed round, or nil.
func (m *Meeting) lastRevealed() *Round {
	for i := len(m.Rounds) - 1; i >= 0; i-- {
		if m.Rounds[i].Status == RoundRevealed {
			return m.Rounds[i]
		}
	}
	return nil
}

// State is one case (casus, one household) as folded from its event log.
type State struct {
	// Seq is the sequence of the last applied event.
	Seq uint64 `json:"seq"`
	// Created is true once case.created has been applied.
	Created bool   `json:"created"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	// Owner is the actor id of the casusregisseur who created the case.
	Owner  string `json:"owner"`
	Phase  int    `json:"phase"`
	Policy Policy `json:"policy"`
	// Persons are the case's persons, each once (persons.go); Subjects (at risk) and Family
	// (household) are derived from them.
	Persons  []Person       `json:"persons"`
	Subjects []Subject      `json:"subjects"`
	Family   []FamilyMember `json:"family"`
	Meetings []*Meeting     `json:"meetings"`
	// Intake and TriageRoute: the intake the case started from and its route, if any.
	Intake      string `json:"intake,omitempty"`
	TriageRoute string `json:"triageRoute,omitempty"`
	Plans       Plans  `json:"plans"`
	// SafetyPlanRetired: the noodverband has been removed (needs stable safety); a round that
	// breaks the 6 puts it back.
	SafetyPlanRetired bool `json:"safetyPlanRetired"`
	// SafetyPlanLog lists each removal and reinstatement of the noodverband.
	SafetyPlanLog []SafetyPlanChange `json:"safetyPlanLog,omitempty"`
	// Directors are the case directors (casusregisseurs), in order; the last one holds the case.
	Directors []*DirectorTerm `json:"directors,omitempty"`
	// Life is where the case is in its life: closed, retention, legal hold, deletion
	// approvals, requests for destruction (lifecycle.go).
	Life Life `json:"life"`
	// seats index, per participant id, the latest meeting they take part in (Apply keeps it;
	// lastSeat), so that finding someone's place does not walk every meeting of a long case.
	seats map[string]int
}

// NewState returns the empty state of a case that does not exist yet.
func NewState() *State { return &State{} }

func (s *State) meeting(id string) *Meeting {
	for _, m := range s.Meetings {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Current returns the meeting in progress, or else the one closed most recently, or nil.
// Direct safety is judged on it.
func (s *State) Current() *Meeting {
	var last *Meeting
	for _, m := range s.Meetings {
		if m.Status == MeetingInProgress {
			return m
		}
		if m.Status == MeetingClosed && (last == nil || m.ClosedSeq >= last.ClosedSeq) {
			last = m
		}
	}
	return last
}

// inProgress returns the meeting in progress, or nil.
func (s *State) inProgress() *Meeting {
	for _, m := range s.Meetings {
		if m.Status == MeetingInProgress {
			return m
		}
	}
	return nil
}

func (s *State) subject(id string) *Subject {
	for i := range s.Subjects {
		if s.Subjects[i].ID == id {
			return &s.Subjects[i]
		}
	}
	return nil
}

func (s *State) familyMember(id string) *FamilyMember {
	for i := range s.Family {
		if s.Family[i].ID == id {
			return &s.Family[i]
		}
	}
	return nil
}
