package meeting

// ViewPart is a part of the live view, so that a server rebuilds, encodes and compares only
// what a batch of events can have changed (hub/room_view.go).
type ViewPart uint8

// The parts of the live view. PartTimeline is the timeline (Meetings), the plans with
// Coverage and Withheld, and Earlier: they are built together.
const (
	PartCase     ViewPart = 1 << iota // Case
	PartSafety                        // Safety
	PartCurrent                       // Current
	PartTimeline                      // Meetings, Plans, Coverage, Withheld, Earlier
	AllParts     = PartCase | PartSafety | PartCurrent | PartTimeline
)

// Touched is the parts of a live view that events can change, for every viewer whose
// visibility (Viewer.Key) stays the same; Seq and ReadUntil are not parts (always rebuilt).
// Most events may change anything; the rhythm of a meeting — scores, rounds opened, agenda
// moves, people joining the lobby, facts, check-ins, decisions and confirmations — touches
// one part. A type missing here touches every part: a new event type is safe by default.
func Touched(evs []Event) ViewPart {
	var out ViewPart
	for _, e := range evs {
		switch e.Type {
		case "score.submitted", "round.opened", "participant.joined", "agenda.item_added", "agenda.item_moved",
			"agenda.item_opened", "agenda.item_closed", "agenda.item_suspended", "meeting.display_language_set":
			out |= PartCurrent // the meeting's rounds (before a reveal), people and agenda
		case "fact.added", "monitoring.added", "decision.recorded", "plan.confirmed":
			out |= PartTimeline // plan lists that no lock, safety rule or set-up reads
		default:
			return AllParts
		}
	}
	return out
}

// ViewParts builds the parts of viewer v's live view (View) that parts names, and its Seq and
// ReadUntil; the other parts are left zero.
func ViewParts(s *State, v Viewer, parts ViewPart) CaseView {
	cv := CaseView{Seq: s.Seq, ReadUntil: readUntil(v)}
	if parts&PartCase != 0 {
		cv.Case = s.caseInfo(v)
	}
	if parts&PartSafety != 0 {
		cv.Safety = s.safetyView()
	}
	if parts&PartCurrent != 0 {
		if m := s.meetingFor(v); m != nil {
			cv.Current = s.meetingView(m, v.Audience())
		}
	}
	if parts&PartTimeline != 0 {
		s.timeline(&cv, v)
	}
	return cv
}

// timeline puts the live view's timeline, plans and history cursors into cv.
func (s *State) timeline(cv *CaseView, v Viewer) {
	cv.Plans, cv.Withheld = plansFor(&s.Plans, v)
	cv.Coverage = CoverageOf(cv.Plans)
	e := &Earlier{}
	cv.Meetings, e.Meetings = s.recentMeetings(v)
	for _, list := range []string{ListMonitoring, ListFacts, ListDecisions, ListConfirmations} {
		h, _ := History(s, v, list, 0, RecentItems)
		switch list {
		case ListMonitoring:
			cv.Plans.Monitoring, e.Monitoring = nonNil(h.Monitoring), h.Before
		case ListFacts:
			cv.Plans.Facts, e.Facts = nonNil(h.Facts), h.Before
		case ListDecisions:
			cv.Plans.Decisions, e.Decisions = nonNil(h.Decisions), h.Before
		case ListConfirmations:
			cv.Plans.Confirmations, e.Confirmations = nonNil(h.Confirmations), h.Before
		}
	}
	cv.Earlier = e
}
