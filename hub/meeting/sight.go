package meeting

import (
	"slices"
	"strings"
	"time"
)

// Reader is someone who asks to read a case: the one input of the visibility rule. The
// server fills it from a session or an invitation after checking that the person belongs to
// the case at all (a membership, or an invitation for this case that is not withdrawn).
type Reader struct {
	// ID is the participant id: "u:<account id>" or "i:<invitation id>".
	ID string
	// Professional is true for a professional who is a member of the case.
	Professional bool
	// Meeting, for an invitee, is the one meeting the invitation is for.
	Meeting string
	// Display is true for the shared screen: it shows only what everyone admitted to the
	// meeting may see.
	Display bool
}

// SightKind is how much of a case a reader may see.
type SightKind int

// Sight kinds.
const (
	// SightNone: nothing of the case (the connection ends; REST answers forbidden).
	SightNone SightKind = iota
	// SightLobby: the lobby view only (LobbyView): the case's title and the meeting waited for.
	SightLobby
	// SightView: the case view for Sight.Viewer (View, Redact).
	SightView
)

// Sight is what a reader may see of a case now.
type Sight struct {
	Kind SightKind
	// Viewer is who the views and events are built for (meaningful for SightView and
	// SightLobby).
	Viewer Viewer
	// Until, for an invitee, is when their right to read ends (a set time after their
	// meeting closed); zero while the meeting is not closed.
	Until time.Time
}

// Reading is the moment and the policy a sight is judged at.
type Reading struct {
	// Now is the time of the question (the domain has no clock of its own).
	Now time.Time
	// AfterClose is how long an invitee may still read after their meeting closed
	// (0 means DefaultAfterClose).
	AfterClose time.Duration
}

// DefaultAfterClose is how long an invitee may read the plan after their meeting closed.
const DefaultAfterClose = 24 * time.Hour

// SightOf is the one rule of who may see what of the case (docs/domain.md, "Visibility"):
//
//   - A professional member sees the case as their role in the meeting at hand makes them
//     (chair or professional: everything but unrevealed scores; family, network or observer
//     at that table: the family's view).
//   - The shared screen sees what every person admitted to the meeting at hand may see: the
//     family's view, without what is withheld from any of them, without explanations kept
//     for professionals.
//   - An invitee sees nothing of a meeting they were not invited to. Invited to meeting M:
//     while not admitted (waiting, or sent back) the lobby; removed from M, nothing; admitted,
//     M and the plan as far as it is visible to them (their role, and the entries withheld
//     from the case person they are), until AfterClose after M closed, then nothing.
func (s *State) SightOf(r Reader, at Reading) Sight {
	if r.ID == "" {
		return Sight{}
	}
	if r.Display {
		return Sight{Kind: SightView, Viewer: s.displayViewer()}
	}
	if r.Professional {
		v := s.ViewerFor(r.ID, true)
		if v.Audience() != AudienceProfessional { // at the table as family: what is withheld from their person counts
			v.Person = s.personOf(r.ID)
		}
		v.Hidden = s.hiddenFor(v)
		return Sight{Kind: SightView, Viewer: v}
	}
	lobby := Sight{Kind: SightLobby, Viewer: Viewer{ID: r.ID, Meeting: r.Meeting}}
	m := s.meeting(r.Meeting)
	if m == nil {
		return lobby // the meeting is not (yet) in the case's log: wait for it
	}
	p := m.participant(r.ID)
	if p == nil {
		if m.Status == MeetingClosed {
			return Sight{}
		}
		return lobby // not yet joined: the lobby of the meeting they are invited to
	}
	switch p.Status {
	case Left:
		return Sight{}
	case InLobby:
		if m.Status == MeetingClosed {
			return Sight{}
		}
		return lobby
	}
	out := Sight{Kind: SightView, Viewer: Viewer{ID: r.ID, Role: p.Role, Meeting: m.ID, Person: p.Person}}
	out.Viewer.Hidden = s.hiddenFor(out.Viewer)
	if m.Status == MeetingClosed {
		after := at.AfterClose
		if after <= 0 {
			after = DefaultAfterClose
		}
		out.Until = m.ClosedAt.Add(after)
		out.Viewer.Until = out.Until
		if !at.Now.Before(out.Until) {
			return Sight{}
		}
	}
	return out
}

// displayViewer is the shared screen of the meeting at hand: the family's audience, with what
// is withheld from every admitted person.
func (s *State) displayViewer() Viewer {
	v := Viewer{ID: "display", Display: true}
	m := s.viewMeeting()
	if m == nil {
		return v
	}
	var persons []string
	for _, p := range m.Participants {
		if p.Status == Admitted && p.Person != "" && !slices.Contains(persons, p.Person) {
			persons = append(persons, p.Person)
		}
	}
	slices.Sort(persons)
	for _, person := range persons {
		if s.Plans.withholdsFrom(person) {
			v.Hidden = append(v.Hidden, person)
		}
	}
	return v
}

// personOf is the case person a participant was linked to in the latest meeting that has them.
func (s *State) personOf(id string) string {
	for i := s.lastSeat(id); i >= 0; i-- {
		if p := s.Meetings[i].participant(id); p != nil && p.Person != "" {
			return p.Person
		}
	}
	return ""
}

// hiddenFor is the person whose withheld entries v must not see, when anything is withheld
// from them: a viewer in the professionals' audience sees every entry.
func (s *State) hiddenFor(v Viewer) []string {
	if v.Person == "" || v.Audience() == AudienceProfessional || !s.Plans.withholdsFrom(v.Person) {
		return nil
	}
	return []string{v.Person}
}

// Key identifies the view v gets: viewers with one key get byte-identical views and events,
// so a server encodes them once per key (per visibility, not per person).
func (v Viewer) Key() string {
	var b strings.Builder
	if v.Audience() == AudienceProfessional {
		b.WriteString("pro")
	} else {
		b.WriteString("family")
	}
	if v.Display {
		b.WriteString("|display")
	}
	if v.Meeting != "" {
		b.WriteString("|m=" + v.Meeting)
	}
	for _, h := range v.Hidden {
		b.WriteString("|-" + h)
	}
	return b.String()
}

// hides reports whether an entry withheld from persons is hidden from v.
func (v Viewer) hides(hiddenFrom []string) bool {
	for _, h := range v.Hidden {
		if slices.Contains(hiddenFrom, h) {
			return true
		}
	}
	return false
}
