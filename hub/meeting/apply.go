package meeting

// Apply folds one event into s (in place) and returns s; a nil s starts a new case.
// Events come from Decide, in order; Apply trusts them and never fails. An event whose
// subject no longer fits (which Decide never produces) changes nothing.
func Apply(s *State, e Event) *State {
	if s == nil {
		s = NewState()
	}
	s.Seq = e.Seq
	switch b := e.Data.(type) {
	case *CaseCreated:
		applyCaseCreated(s, e, b)
	case *Subject:
		applyPerson(s, e.Type, personFromSubject(*b))
	case *FamilyMember:
		applyPerson(s, e.Type, personFromFamily(*b))
	case *Person:
		applyPerson(s, e.Type, *b)
	case *Policy:
		s.Policy = *b
	case *PhaseSet:
		s.Phase = b.Phase
	case *NewMeeting:
		chair := b.Chair
		m := &Meeting{ID: b.ID, Title: b.Title, At: b.At, Status: MeetingScheduled, Chair: chair.ID,
			Participants: []*Participant{&chair}, Index: len(s.Meetings)}
		for _, it := range b.Agenda {
			c := *it
			m.Agenda = append(m.Agenda, &c)
		}
		s.Meetings = append(s.Meetings, m)
		s.seat(chair.ID, m.Index)
	case *MeetingRef:
		applyMeetingRef(s, e.Type, b)
		if m := s.meeting(b.Meeting); m != nil {
			switch e.Type {
			case "meeting.closed":
				m.ClosedAt = e.Time
			case "meeting.started":
				m.StartedAt = e.Time
			}
		}
		if e.Type == "safetyplan.retired" {
			s.SafetyPlanLog = append(s.SafetyPlanLog, SafetyPlanChange{Kind: "retired", Meeting: b.Meeting, At: e.Time})
		}
	case *SafetyPlanChange:
		s.SafetyPlanRetired = false
		c := *b
		c.At = e.Time
		s.SafetyPlanLog = append(s.SafetyPlanLog, c)
	case *GateReason:
		if m := s.meeting(b.Meeting); m != nil {
			c := *b
			m.GateReasons = append(m.GateReasons, &c)
		}
	case *DirectionTransferred, *DirectorContact:
		applyDirection(s, e)
	case *ParticipantRef:
		applyParticipant(s, e.Type, b)
	case *ItemRef:
		applyItem(s, e.Type, b)
	case *RoundRef:
		applyRound(s, e, b)
	case *ScoreSubmitted:
		if m := s.meeting(b.Meeting); m != nil {
			if r := m.round(b.Round); r != nil && b.Score != nil {
				if r.Scores[b.Participant] == nil {
					r.Scores[b.Participant] = map[string]Score{}
				}
				r.Scores[b.Participant][b.Subject] = *b.Score
			}
		}
	case lifecycleBody:
		b.applyTo(s, e)
	default:
		applyPlan(s, e)
	}
	return s
}

func applyMeetingRef(s *State, typ string, b *MeetingRef) {
	m := s.meeting(b.Meeting)
	switch typ {
	case "meeting.started":
		m.Status = MeetingInProgress
	case "meeting.closed":
		m.Status, m.ClosedSeq = MeetingClosed, s.Seq
		for _, it := range m.Agenda {
			if it.Status == ItemOpen {
				it.Status = ItemClosed
			}
		}
	case "meeting.advisory_set":
		m.FamilyAdvisory, m.AdvisoryReason = b.Advisory, b.Reason
	case "meeting.auto_reveal_set":
		m.AutoReveal = b.AutoReveal
	case "meeting.display_language_set":
		m.DisplayLanguage = b.Language
	case "safetyplan.retired":
		s.SafetyPlanRetired = true
	}
}

func applyParticipant(s *State, typ string, b *ParticipantRef) {
	m := s.meeting(b.Meeting)
	p := m.participant(b.Participant)
	switch typ {
	case "participant.joined":
		if p == nil {
			m.Participants = append(m.Participants, &Participant{ID: b.Participant, Name: b.Name, Role: b.Role, Status: InLobby, Professional: b.Professional, Organisation: b.Organisation, Discipline: b.Discipline})
			s.seat(b.Participant, m.Index)
			return
		}
		p.Name, p.Role, p.Status, p.Professional, p.Organisation, p.Discipline = b.Name, b.Role, InLobby, b.Professional, b.Organisation, b.Discipline
	case "participant.admitted":
		p.Status, p.Removed = Admitted, false
		if b.Person != "" {
			p.Person = b.Person
		}
		if b.Role != "" {
			p.Role = b.Role
		}
	case "participant.removed":
		p.Status, p.Removed = Left, true
	case "participant.left":
		p.Status = Left
	case "participant.role_set":
		p.Role = b.Role
	case "chair.handed_over":
		if old := m.participant(b.From); old != nil {
			old.Role = RoleProfessional
		}
		p.Role = RoleChair
		m.Chair = p.ID
	}
}

func applyItem(s *State, typ string, b *ItemRef) {
	m := s.meeting(b.Meeting)
	switch typ {
	case "agenda.item_added":
		it := *b.New
		pos := min(max(b.Position, 0), len(m.Agenda))
		m.Agenda = append(m.Agenda[:pos], append([]*AgendaItem{&it}, m.Agenda[pos:]...)...)
		return
	case "agenda.item_moved":
		from := -1
		for i, it := range m.Agenda {
			if it.ID == b.Item {
				from = i
			}
		}
		it := m.Agenda[from]
		rest := append(append([]*AgendaItem{}, m.Agenda[:from]...), m.Agenda[from+1:]...)
		pos := min(max(b.Position, 0), len(rest))
		m.Agenda = append(rest[:pos], append([]*AgendaItem{it}, rest[pos:]...)...)
		return
	}
	it := m.item(b.Item)
	switch typ {
	case "agenda.item_opened":
		for _, o := range m.Agenda {
			if o.Status == ItemOpen {
				o.Status = ItemPending
			}
		}
		it.Status = ItemOpen
	case "agenda.item_closed":
		it.Status = ItemClosed
	case "agenda.item_suspended":
		it.Status = ItemSuspended
	}
}

func applyRound(s *State, e Event, b *RoundRef) {
	m := s.meeting(b.Meeting)
	switch e.Type {
	case "round.opened":
		m.Rounds = append(m.Rounds, &Round{ID: b.Round, Number: b.Number, Status: RoundOpen, Scores: map[string]map[string]Score{}})
	case "round.revealed":
		r := m.round(b.Round)
		r.Status, r.Missing, r.RevealedAt, r.Advisory = RoundRevealed, b.Missing, e.Time, b.Advisory
		r.tallies = tallyScores(r)
	}
}

func applyPlan(s *State, e Event) {
	p := &s.Plans
	if applyChange(p, e) || applyProposal(p, e) {
		return
	}
	switch b := e.Data.(type) {
	case *BottomLine:
		c := *b
		c.AddedIn = e.Meeting
		p.bump(&c.Changes)
		p.BottomLines = append(p.BottomLines, &c)
	case *Agreement:
		c := *b
		c.AddedIn = e.Meeting
		p.bump(&c.Changes)
		p.Agreements = append(p.Agreements, &c)
	case *CheckIn:
		c := *b
		p.Monitoring = append(p.Monitoring, &c)
	case *MonitoringTask:
		c := *b
		c.AddedIn = e.Meeting
		p.Tasks = append(p.Tasks, &c)
	case *Escalation:
		c := *b
		p.Escalations = append(p.Escalations, &c)
	case *ResearchPart:
		c := *b
		p.Research = append(p.Research, &c)
	case *RiskFactor:
		c := *b
		c.AddedIn = e.Meeting
		p.bump(&c.Changes)
		p.RiskFactors = append(p.RiskFactors, &c)
	case *Goal:
		c := *b
		c.AddedIn = e.Meeting
		p.bump(&c.Changes)
		p.Goals = append(p.Goals, &c)
	case *FutureEntry:
		c := *b
		c.AddedIn = e.Meeting
		p.bump(&c.Changes)
		p.Future = append(p.Future, &c)
	case *Fact:
		c := *b
		p.Facts = append(p.Facts, &c)
	case *Decision:
		c := *b
		p.Decisions = append(p.Decisions, &c)
	case *Confirmation:
		c := *b
		if c.Version == 0 { // recorded before plans had versions: the plan as it stood
			c.Version = p.Version
		}
		p.Confirmations = append(p.Confirmations, &c)
	case *StatusSet:
		applyStatus(p, e.Type, b)
	case *RecoveryProfile:
		applyProfile(p, b)
	}
}

func applyStatus(p *Plans, typ string, b *StatusSet) {
	switch typ {
	case "bottomline.status_set":
		if bl, ok := findByID(p.BottomLines, b.ID); ok {
			bl.Status = b.Status
			if bl.History == nil {
				bl.History = map[string]string{}
			}
			bl.History[b.Meeting] = b.Status
		}
	case "agreement.status_set":
		if a, ok := findByID(p.Agreements, b.ID); ok {
			a.Status = b.Status
		}
	case "agreement.taken_on":
		if a, ok := findByID(p.Agreements, b.ID); ok && b.Owner != nil {
			a.Owner = *b.Owner
		}
	case "goal.evaluated":
		if g, ok := findByID(p.Goals, b.ID); ok {
			g.Evaluation = b.Status
			if g.Evaluations == nil {
				g.Evaluations = map[string]string{}
			}
			g.Evaluations[b.Meeting] = b.Status
		}
	}
}

// applyCaseCreated folds case.created, of either shape (persons, or subjects and family).
func applyCaseCreated(s *State, e Event, b *CaseCreated) {
	s.Created, s.ID, s.Title, s.Owner, s.Phase, s.Policy = true, b.ID, b.Title, b.Owner, 1, b.Policy
	s.Persons = append([]Person(nil), b.Persons...)
	for _, sub := range b.Subjects { // the first version's shape
		s.Persons = append(s.Persons, personFromSubject(sub))
	}
	for _, f := range b.Family {
		s.Persons = append(s.Persons, personFromFamily(f))
	}
	s.derivePersons()
	s.Intake, s.TriageRoute = b.Intake, b.TriageRoute
	s.Directors = []*DirectorTerm{{ID: b.Owner, Name: b.OwnerName, Organisation: b.OwnerOrganisation, From: e.Time}}
}
