package meeting

// ViewerFor returns the viewer a person is in this case now: their role in the meeting the
// view centres on (the one in progress, else the next scheduled, else the latest closed) once
// the chair has admitted them. Someone at that meeting's table but not admitted (in the lobby,
// sent away) has no role. Someone not at that table keeps the role of the latest meeting they
// were admitted to — so a parent still reads the agreed plan once the next meeting is
// scheduled — or has none.
func (s *State) ViewerFor(id string, professional bool) Viewer {
	v := Viewer{ID: id, Professional: professional}
	m := s.viewMeeting()
	if m == nil {
		return v
	}
	if p := m.participant(id); p != nil {
		if p.Status == Admitted {
			v.Role = p.Role
		}
		return v
	}
	for i := s.lastSeat(id); i >= 0; i-- {
		if p := s.Meetings[i].participant(id); p != nil && s.Meetings[i] != m {
			if p.Status == Admitted {
				v.Role = p.Role
			}
			return v
		}
	}
	return v
}

// InLobby reports whether v may see no case content yet: someone who is not a professional
// and has not been admitted to the meeting (waiting in the lobby, not yet joined, or sent
// away). Such a viewer gets LobbyView, not View.
func (v Viewer) InLobby() bool { return !v.Professional && v.Role == "" }

// LobbyView is all a viewer in the lobby may see: the case's title and the meeting they wait
// for, with only themselves in it (so they can see when they are admitted).
func LobbyView(s *State, v Viewer) CaseView {
	cv := CaseView{Seq: s.Seq,
		Case: CaseInfo{ID: s.ID, Title: s.Title, Subjects: []Subject{}, Family: []FamilyMember{},
			SafetyPlanLog: []SafetyPlanChange{}, Directors: []DirectorTerm{}},
		Safety:   SafetyView{Lowest: []SubjectLowest{}},
		Meetings: []MeetingSummary{},
	}
	cv.Plans, _ = plansFor(&Plans{}, Viewer{})
	if m := s.meetingFor(v); m != nil {
		mv := &MeetingView{ID: m.ID, Title: m.Title, At: m.At, Status: m.Status,
			Participants: []Participant{}, Agenda: []AgendaItemView{}, Rounds: []RoundView{}, GateReasons: []GateReason{}}
		if p := m.participant(v.ID); p != nil {
			mv.Participants = append(mv.Participants, *p)
		}
		cv.Current = mv
	}
	return cv
}
