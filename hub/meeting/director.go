package meeting

import (
	"strings"
	"time"
)

// The case director (casusregisseur, paper §2.3 point 5, §3.5: "1 huishouden, 1 plan, 1
// regisseur") holds the case between and across meetings; the chair steers one meeting. The
// professional who creates a case is its first director; the director hands the case over
// (case.transfer_direction) and the new one holds every authority of the old one from that
// moment, the old one none.

// DirectorTerm is one case director's time with the case.
type DirectorTerm struct {
	// ID is the director's participant id ("u:…").
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	// Phone is the number the family calls (set by the director).
	Phone string    `json:"phone,omitempty"`
	From  time.Time `json:"from"`
	// To is when the term ended (zero for the director now).
	To time.Time `json:"to,omitzero"`
	// Reason, Meeting, Warm and WhyNotWarm describe the hand-over that began the term (empty
	// for the first director): why, in which meeting (empty between meetings), whether it was
	// warm — the safety plan gone through with the family present, shown by a family
	// confirmation in that meeting — and if not, why not.
	Reason     string `json:"reason,omitempty"`
	Meeting    string `json:"meeting,omitempty"`
	Warm       bool   `json:"warm,omitempty"`
	WhyNotWarm string `json:"whyNotWarm,omitempty"`
}

// TransferDirection hands the case to another case director (warme overdracht). Only the
// director sends it. To is a professional who has been at the table of one of the case's
// meetings; their name (and, unless given, their organisation) is taken from there.
type TransferDirection struct {
	To           string `json:"to"`
	Reason       string `json:"reason"`
	Organisation string `json:"organisation,omitempty"`
	Phone        string `json:"phone,omitempty"`
	// WhyNotWarm is required unless the hand-over is warm: made in the meeting in progress
	// after a family or network member confirmed the plan in it.
	WhyNotWarm string `json:"whyNotWarm,omitempty"`
}

// SetDirectorContact sets the phone number of the case director, for the family's plan.
type SetDirectorContact struct {
	Phone string `json:"phone"`
}

// DirectionTransferred is the body of direction.transferred.
type DirectionTransferred struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Reason       string `json:"reason"`
	Meeting      string `json:"meeting,omitempty"`
	Warm         bool   `json:"warm,omitempty"`
	WhyNotWarm   string `json:"whyNotWarm,omitempty"`
}

// DirectorContact is the body of director.contact_set.
type DirectorContact struct {
	Phone string `json:"phone"`
}

// Director returns the case director now, or nil before the case exists.
func (s *State) Director() *DirectorTerm {
	if n := len(s.Directors); n > 0 {
		return s.Directors[n-1]
	}
	return nil
}

// directorID is the participant id of the case director now.
func (s *State) directorID() string {
	if d := s.Director(); d != nil {
		return d.ID
	}
	return s.Owner
}

// isDirector: the actor is the case director now.
func (d *decider) isDirector() bool { return d.ctx.Actor.ID == d.s.directorID() }

// atTable returns the latest record of id as a participant who was admitted to one of the
// case's meetings (admitted now, or left after), or nil.
func (s *State) atTable(id string) *Participant {
	for i := s.lastSeat(id); i >= 0; i-- {
		if p := s.Meetings[i].participant(id); p != nil && (p.Status == Admitted || p.Status == Left) {
			return p
		}
	}
	return nil
}

// nameOf is a participant's name as the case last knew it ("" when unknown).
func (s *State) nameOf(id string) string {
	for i := s.lastSeat(id); i >= 0; i-- {
		if p := s.Meetings[i].participant(id); p != nil {
			return p.Name
		}
	}
	return ""
}

// familyConfirmedIn reports whether a family or network member confirmed the plan in meeting.
func (s *State) familyConfirmedIn(meeting string) bool {
	for _, c := range s.Plans.Confirmations {
		if c.Meeting == meeting {
			return true
		}
	}
	return false
}

// checkPhone accepts an empty number or one of digits, spaces and + - ( ) (at most 40).
func checkPhone(v string) error {
	if len(v) > 40 {
		return invalid("telefoonnummer is te lang", "phone number is too long")
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-()", r)) {
			return invalid("ongeldig telefoonnummer %q", "invalid phone number %q", v)
		}
	}
	return nil
}

// transferDirection hands the case over: the new director holds every authority of the old
// one from this event on, the old one none.
func (d *decider) transferDirection(c *TransferDirection) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur draagt de casus over", "only the case director hands the case over")
	}
	if err := checkID(c.To); err != nil {
		return err
	}
	if c.To == d.s.directorID() {
		return conflict("%s is al de casusregisseur", "%s is the case director already", c.To)
	}
	p := d.s.atTable(c.To)
	if p == nil || !p.Professional {
		return invalid("de nieuwe casusregisseur is een professional die aan tafel zat in een overleg van deze casus",
			"the new case director is a professional who sat at the table in a meeting of this case")
	}
	if err := checkTexts(req("reden", c.Reason, maxText), opt("organisatie", c.Organisation, maxName), opt("waarom geen warme overdracht", c.WhyNotWarm, maxText)); err != nil {
		return err
	}
	if err := checkPhone(c.Phone); err != nil {
		return err
	}
	m := d.s.inProgress()
	warm := m != nil && d.s.familyConfirmedIn(m.ID)
	why := strings.TrimSpace(c.WhyNotWarm)
	if warm {
		why = ""
	} else if why == "" {
		return invalid("zonder bevestiging van het plan door het gezin in dit overleg is het geen warme overdracht: zeg waarom niet",
			"without the family confirming the plan in this meeting the hand-over is not warm: say why not")
	}
	org := c.Organisation
	if org == "" {
		org = p.Organisation
	}
	d.emit("direction.transferred", meetingID(m), VisibleAll, &DirectionTransferred{
		From: d.s.directorID(), To: p.ID, Name: p.Name, Organisation: org, Phone: c.Phone,
		Reason: c.Reason, Meeting: meetingID(m), Warm: warm, WhyNotWarm: why,
	})
	return nil
}

func (d *decider) setDirectorContact(c *SetDirectorContact) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur zet het eigen telefoonnummer", "only the case director sets their phone number")
	}
	if err := checkPhone(c.Phone); err != nil {
		return err
	}
	if dir := d.s.Director(); dir != nil && dir.Phone == c.Phone {
		return nil
	}
	d.emit("director.contact_set", "", VisibleAll, &DirectorContact{Phone: c.Phone})
	return nil
}

// applyDirection folds the director events in.
func applyDirection(s *State, e Event) {
	switch b := e.Data.(type) {
	case *DirectionTransferred:
		if cur := s.Director(); cur != nil {
			cur.To = e.Time
		}
		s.Directors = append(s.Directors, &DirectorTerm{ID: b.To, Name: b.Name, Organisation: b.Organisation, Phone: b.Phone,
			From: e.Time, Reason: b.Reason, Meeting: b.Meeting, Warm: b.Warm, WhyNotWarm: b.WhyNotWarm})
	case *DirectorContact:
		if cur := s.Director(); cur != nil {
			cur.Phone = b.Phone
		}
	}
}
