package meeting

// ViewerFor returns the viewer a person is in this case now: their role in the meeting the
// view centres on (the one in progress, else the next scheduled, else the latest closed),
// or no role when they are not (or no longer) a participant of it.
func (s *State) ViewerFor(id string, professional bool) Viewer {
	v := Viewer{ID: id, Professional: professional}
	if m := s.viewMeeting(); m != nil {
		if p := m.participant(id); p != nil && p.Status != Left {
			v.Role = p.Role
		}
	}
	return v
}
