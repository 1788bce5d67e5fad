package meeting

import (
	"slices"
	"time"
)

func (d *decider) scheduleMeeting(c *ScheduleMeeting) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals plannen een overleg", "only professionals schedule a meeting")
	}
	if err := d.requireCaseLead(); err != nil {
		return err
	}
	if len(d.s.Meetings) >= 500 {
		return invalid("te veel overleggen", "too many meetings")
	}
	id, err := d.newID(c.ID, "m", func(id string) bool { return d.s.meeting(id) != nil })
	if err != nil {
		return err
	}
	if err := checkText("titel", c.Title, false, maxName); err != nil {
		return err
	}
	if c.At.IsZero() {
		return invalid("datum en tijd zijn verplicht", "date and time are required")
	}
	kinds := c.Agenda
	if len(kinds) == 0 {
		kinds = defaultAgenda
	}
	if len(kinds) > maxItems {
		return invalid("te veel agendapunten", "too many agenda items")
	}
	agenda := []*AgendaItem{newItem(id+"-a0", KindSafetyAssessment, "")}
	for i, k := range kinds {
		if _, ok := kindInfo[k]; !ok {
			return invalid("onbekend soort agendapunt %q", "unknown agenda item kind %q", k)
		}
		if k == KindSafetyAssessment || k == KindRestoreSix {
			continue
		}
		agenda = append(agenda, newItem(id+"-a"+itoa(i+1), k, ""))
	}
	if len(d.s.unmetTwice(nil)) > 0 && !slices.Contains(kinds, KindConsiderEscalation) {
		agenda = slices.Insert(agenda, 1, newItem(id+"-escalate", KindConsiderEscalation, ""))
	}
	title := c.Title
	if title == "" {
		title = "Overleg " + itoa(len(d.s.Meetings)+1)
	}
	d.emit("meeting.scheduled", id, VisibleAll, &NewMeeting{
		ID: id, Title: title, At: c.At.UTC(),
		Chair: Participant{ID: d.ctx.Actor.ID, Name: d.ctx.Actor.Name, Role: RoleChair, Status: Admitted, Professional: true,
			Organisation: d.ctx.Actor.Organisation, Discipline: d.ctx.Actor.Discipline},
		Agenda: agenda,
	})
	return nil
}

func newItem(id string, k ItemKind, title string) *AgendaItem {
	if title == "" {
		title = kindInfo[k].title
	}
	return &AgendaItem{ID: id, Title: title, Kind: k, Section: kindInfo[k].section, Status: ItemPending}
}

func (d *decider) startMeeting(c *StartMeeting) error {
	m := d.s.meeting(c.Meeting)
	if m == nil {
		return notFound("overleg", c.Meeting)
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	if m.Status != MeetingScheduled {
		return conflict("dit overleg is al begonnen of gesloten", "this meeting has already started or closed")
	}
	if d.s.inProgress() != nil {
		return conflict("er is al een overleg bezig", "another meeting is in progress")
	}
	d.emit("meeting.started", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID})
	d.considerEscalation(m)
	return nil
}

func (d *decider) closeMeeting(c *CloseMeeting) error {
	m, err := d.meetingInProgress(c.Meeting)
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	if m.openRound() != nil {
		return conflict("onthul eerst de lopende ronde", "reveal the open round first")
	}
	d.emit("meeting.closed", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID})
	return nil
}

// chairOfOpenMeeting finds meeting mid for a change only its chair makes, and only while it is
// not closed.
func (d *decider) chairOfOpenMeeting(mid string) (*Meeting, error) {
	m := d.s.meeting(mid)
	if m == nil {
		return nil, notFound("overleg", mid)
	}
	if err := d.requireChair(m); err != nil {
		return nil, err
	}
	if m.Status == MeetingClosed {
		return nil, conflict("dit overleg is gesloten", "this meeting is closed")
	}
	return m, nil
}

// chairBetweenRounds finds meeting mid for a change of its settings: as chairOfOpenMeeting, and
// only between rounds (a round's rule does not change while it runs).
func (d *decider) chairBetweenRounds(mid string) (*Meeting, error) {
	m, err := d.chairOfOpenMeeting(mid)
	if err != nil {
		return nil, err
	}
	if m.openRound() != nil {
		return nil, conflict("niet tijdens een lopende ronde", "not while a round is open")
	}
	return m, nil
}

func (d *decider) setFamilyAdvisory(c *SetFamilyAdvisory) error {
	m, err := d.chairBetweenRounds(c.Meeting)
	if err != nil {
		return err
	}
	if err := checkText("reden", c.Reason, c.Advisory, maxText); err != nil {
		return err
	}
	reason := c.Reason
	if !c.Advisory {
		reason = ""
	}
	if m.FamilyAdvisory == c.Advisory && m.AdvisoryReason == reason {
		return nil
	}
	d.emit("meeting.advisory_set", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID, Advisory: c.Advisory, Reason: reason})
	return nil
}

// setAutoReveal switches the round's self-reveal on or off, between rounds of a meeting that
// is not closed (like the advisory setting: a round's rule does not change while it runs).
func (d *decider) setAutoReveal(c *SetAutoReveal) error {
	m, err := d.chairBetweenRounds(c.Meeting)
	if err != nil {
		return err
	}
	if m.AutoReveal == c.AutoReveal {
		return nil
	}
	d.emit("meeting.auto_reveal_set", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID, AutoReveal: c.AutoReveal})
	return nil
}

// DisplayLanguages are the languages a shared screen can be switched to ("" is the screen's
// own choice).
var DisplayLanguages = []string{"nl", "en"}

// setDisplayLanguage switches the shared screen's language: the chair of a meeting that is not
// closed, at any moment (a language changes no rule, so also during a round).
func (d *decider) setDisplayLanguage(c *SetDisplayLanguage) error {
	m, err := d.chairOfOpenMeeting(c.Meeting)
	if err != nil {
		return err
	}
	if c.Language != "" && !slices.Contains(DisplayLanguages, c.Language) {
		return invalid("onbekende taal %q: kies nl of en", "unknown language %q: choose nl or en", c.Language)
	}
	if m.DisplayLanguage == c.Language {
		return nil
	}
	d.emit("meeting.display_language_set", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID, Language: c.Language})
	return nil
}

// join puts the actor in the lobby of a scheduled or running meeting. A professional of the
// case (an account: the server lets only the case's members in) is admitted at once, unless
// the chair sent them away from this meeting before; family, network and anyone invited by a
// link wait for the chair.
func (d *decider) join(c *Join) error {
	m := d.s.meeting(c.Meeting)
	if m == nil {
		return notFound("overleg", c.Meeting)
	}
	if m.Status == MeetingClosed {
		return conflict("dit overleg is gesloten", "this meeting is closed")
	}
	a := d.ctx.Actor
	if err := checkText("naam", a.Name, true, maxName); err != nil {
		return err
	}
	role := a.InviteRole
	if role == "" {
		if !a.Professional {
			return forbidden("je bent niet uitgenodigd voor dit overleg", "you were not invited to this meeting")
		}
		role = RoleProfessional
	}
	if !role.valid() || role == RoleChair {
		return invalid("ongeldige rol %q", "invalid role %q", role)
	}
	if p := m.participant(a.ID); p != nil && p.Status != Left {
		return nil // already in the lobby or admitted: joining again changes nothing
	}
	if len(m.Participants) >= maxItems {
		return invalid("te veel deelnemers", "too many participants")
	}
	org := ""
	if a.Professional {
		org = a.Organisation
		if err := checkText("organisatie", org, false, maxName); err != nil {
			return err
		}
	}
	if err := checkText("discipline", a.Discipline, false, maxName); err != nil {
		return err
	}
	d.emit("participant.joined", m.ID, VisibleAll, &ParticipantRef{
		Meeting: m.ID, Participant: a.ID, Name: a.Name, Role: role, Professional: a.Professional, Organisation: org, Discipline: a.Discipline,
	})
	if a.Professional && a.InviteRole == "" {
		if p := m.participant(a.ID); p == nil || !p.Removed {
			d.emit("participant.admitted", m.ID, VisibleAll, &ParticipantRef{Meeting: m.ID, Participant: a.ID})
		}
	}
	return nil
}

// chairsParticipant finds meeting mid, requires the actor to chair it, and finds participant
// pid in it: the common start of the chair's commands about a participant.
func (d *decider) chairsParticipant(mid, pid string) (*Meeting, *Participant, error) {
	m := d.s.meeting(mid)
	if m == nil {
		return nil, nil, notFound("overleg", mid)
	}
	if err := d.requireChair(m); err != nil {
		return nil, nil, err
	}
	p := m.participant(pid)
	if p == nil {
		return nil, nil, notFound("deelnemer", pid)
	}
	return m, p, nil
}

func (d *decider) admit(c *Admit) error {
	m, p, err := d.chairsParticipant(c.Meeting, c.Participant)
	if err != nil {
		return err
	}
	if p.Status == Admitted && (c.Person == "" || c.Person == p.Person) && (c.Role == "" || c.Role == p.Role) {
		return nil // already admitted (a professional of the case is, on joining): nothing changes
	}
	if p.Status != InLobby {
		return conflict("%s wacht niet in de lobby", "%s is not waiting in the lobby", p.Name)
	}
	if c.Person != "" && !d.s.isPerson(c.Person) {
		return notFound("persoon", c.Person)
	}
	if c.Role != "" {
		if err := checkAssignedRole(c.Role, p); err != nil {
			return err
		}
	}
	d.emit("participant.admitted", m.ID, VisibleAll, &ParticipantRef{Meeting: m.ID, Participant: p.ID, Person: c.Person, Role: c.Role})
	return nil
}

// checkAssignedRole is the rule for a role the chair gives a participant (at admission or
// later): a valid role, never chair (that is a hand-over), professional only for a professional.
func checkAssignedRole(r Role, p *Participant) error {
	if !r.valid() || r == RoleChair {
		return invalid("gebruik 'voorzitterschap overdragen' voor de voorzitter", "use hand-over for the chair role")
	}
	if r == RoleProfessional && !p.Professional {
		return invalid("alleen professionals krijgen de rol professional", "only professionals get the professional role")
	}
	return nil
}

// removeParticipant sends a participant away (chair) or lets the actor leave. A leaver no
// longer blocks an open round: if everyone left present has submitted, it is revealed.
func (d *decider) removeParticipant(meetingID, pid, typ string, byChair bool) error {
	m := d.s.meeting(meetingID)
	if m == nil {
		return notFound("overleg", meetingID)
	}
	if byChair {
		if err := d.requireChair(m); err != nil {
			return err
		}
	}
	p := m.participant(pid)
	if p == nil {
		return notFound("deelnemer", pid)
	}
	if p.Status == Left {
		return nil
	}
	if p.ID == m.Chair {
		return conflict("draag eerst het voorzitterschap over", "hand over the chair first")
	}
	d.emit(typ, m.ID, VisibleAll, &ParticipantRef{Meeting: m.ID, Participant: p.ID})
	return d.autoReveal(m, func(q *Participant) bool { return q.ID != p.ID && q.present() }, nil)
}

func (d *decider) setRole(c *SetRole) error {
	m, p, err := d.chairsParticipant(c.Meeting, c.Participant)
	if err != nil {
		return err
	}
	if p.ID == m.Chair {
		return invalid("gebruik 'voorzitterschap overdragen' voor de voorzitter", "use hand-over for the chair role")
	}
	if err := checkAssignedRole(c.Role, p); err != nil {
		return err
	}
	if p.Role == c.Role {
		return nil
	}
	d.emit("participant.role_set", m.ID, VisibleAll, &ParticipantRef{Meeting: m.ID, Participant: p.ID, Role: c.Role})
	return d.autoReveal(m, func(q *Participant) bool {
		if q.ID == p.ID {
			return q.Status == Admitted && c.Role.Scores()
		}
		return q.present()
	}, nil)
}

func (d *decider) handOver(c *HandOver) error {
	m, err := d.chairOfOpenMeeting(c.Meeting)
	if err != nil {
		return err
	}
	p := m.participant(c.Participant)
	if p == nil {
		return notFound("deelnemer", c.Participant)
	}
	if p.Status != Admitted || !p.Professional || p.ID == m.Chair {
		return invalid("het voorzitterschap gaat naar een toegelaten professional", "the chair goes to an admitted professional")
	}
	d.emit("chair.handed_over", m.ID, VisibleAll, &ParticipantRef{Meeting: m.ID, Participant: p.ID, From: m.Chair})
	return nil
}

// Agenda.

func (d *decider) agendaItem(meetingID, itemID string) (*Meeting, *AgendaItem, error) {
	m := d.s.meeting(meetingID)
	if m == nil {
		return nil, nil, notFound("overleg", meetingID)
	}
	if err := d.requireChair(m); err != nil {
		return nil, nil, err
	}
	if m.Status == MeetingClosed {
		return nil, nil, conflict("dit overleg is gesloten", "this meeting is closed")
	}
	if itemID == "" {
		return m, nil, nil
	}
	it := m.item(itemID)
	if it == nil {
		return nil, nil, notFound("agendapunt", itemID)
	}
	return m, it, nil
}

func (d *decider) addItem(c *AddItem) error {
	m, _, err := d.agendaItem(c.Meeting, "")
	if err != nil {
		return err
	}
	if _, ok := kindInfo[c.ItemKind]; !ok || c.ItemKind == KindSafetyAssessment || c.ItemKind == KindRestoreSix {
		return invalid("ongeldig soort agendapunt %q", "invalid agenda item kind %q", c.ItemKind)
	}
	if len(m.Agenda) >= maxItems {
		return invalid("te veel agendapunten", "too many agenda items")
	}
	id, err := d.newID(c.ID, m.ID+"-a", func(id string) bool { return m.item(id) != nil })
	if err != nil {
		return err
	}
	if err := checkText("titel", c.Title, false, maxName); err != nil {
		return err
	}
	d.emit("agenda.item_added", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: id, Position: len(m.Agenda), New: newItem(id, c.ItemKind, c.Title)})
	return nil
}

func (d *decider) moveItem(c *MoveItem) error {
	m, it, err := d.agendaItem(c.Meeting, c.Item)
	if err != nil {
		return err
	}
	if it.Kind == KindSafetyAssessment || c.Position < 1 || c.Position >= len(m.Agenda) {
		return invalid("de veiligheidstaxatie blijft het eerste punt", "the safety assessment stays first")
	}
	d.emit("agenda.item_moved", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID, Position: c.Position})
	return nil
}

func (d *decider) openItem(c *OpenItem) error {
	m, it, err := d.agendaItem(c.Meeting, c.Item)
	if err != nil {
		return err
	}
	if m.Status != MeetingInProgress {
		return conflict("het overleg is nog niet begonnen", "the meeting has not started")
	}
	if it.Status == ItemOpen {
		return nil
	}
	if it.Status == ItemClosed {
		return conflict("dit agendapunt is al afgerond", "this agenda item is already closed")
	}
	if l := d.s.lockOf(m, it); l != nil {
		return gateError(l)
	}
	d.emit("agenda.item_opened", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID})
	return nil
}

func (d *decider) closeItem(c *CloseItem) error {
	m, it, err := d.agendaItem(c.Meeting, c.Item)
	if err != nil {
		return err
	}
	if it.Status == ItemClosed {
		return nil
	}
	d.emit("agenda.item_closed", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID})
	return nil
}

func (d *decider) suspendItem(c *SuspendItem) error {
	m, it, err := d.agendaItem(c.Meeting, c.Item)
	if err != nil {
		return err
	}
	if it.Status != ItemOpen {
		return conflict("alleen een open agendapunt kan worden opgeschort", "only an open item can be suspended")
	}
	d.emit("agenda.item_suspended", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID})
	return nil
}

// scheduledAfter reports the earliest scheduled meeting other than self at or after t, or nil.
func (s *State) scheduledAfter(self *Meeting, t time.Time) *Meeting {
	var best *Meeting
	for _, m := range s.Meetings {
		if m != self && m.Status == MeetingScheduled && !m.At.Before(t) && (best == nil || m.At.Before(best.At)) {
			best = m
		}
	}
	return best
}
