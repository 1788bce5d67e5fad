package meeting

// The live view carries what a meeting needs; the case's history is read on demand, a page at
// a time, under the same visibility rule (docs/protocol.md, "The live view and history").

// RecentItems bounds each history list in the live view: the last RecentItems check-ins,
// facts, decisions and confirmations a viewer may see, and the last RecentItems closed
// meetings (with every meeting not yet closed). Older entries are read with History.
const RecentItems = 6

// MaxHistoryPage is the most entries one history page holds.
const MaxHistoryPage = 100

// History lists (the list parameter of History).
const (
	ListMeetings      = "meetings"
	ListMonitoring    = "monitoring"
	ListFacts         = "facts"
	ListDecisions     = "decisions"
	ListConfirmations = "confirmations"
)

// Earlier says, per history list, where the entries before the live view's begin: the cursor
// to pass as History's before, 0 when the viewer may see nothing older.
type Earlier struct {
	Meetings      int `json:"meetings"`
	Monitoring    int `json:"monitoring"`
	Facts         int `json:"facts"`
	Decisions     int `json:"decisions"`
	Confirmations int `json:"confirmations"`
}

// MeetingRecord is a meeting of the case's history: its summary and its rounds, as the viewer
// may see them.
type MeetingRecord struct {
	MeetingSummary
	Rounds []RoundView `json:"rounds"`
}

// HistoryPage is one page of one history list, oldest first. Before is the cursor of the next
// (older) page: 0 when the viewer may see nothing older.
type HistoryPage struct {
	List          string          `json:"list"`
	Meetings      []MeetingRecord `json:"meetings,omitempty"`
	Monitoring    []*CheckIn      `json:"monitoring,omitempty"`
	Facts         []*Fact         `json:"facts,omitempty"`
	Decisions     []*Decision     `json:"decisions,omitempty"`
	Confirmations []*Confirmation `json:"confirmations,omitempty"`
	Before        int             `json:"before"`
}

// History is a page of list as viewer v may see it: up to limit entries (1–MaxHistoryPage)
// from before the cursor before (a position in the case's list: 0 or more than its length
// means from the newest). The rule is View's: an invitee sees their own meeting's meetings,
// decisions and confirmations only; check-ins are for the professionals' audience; family,
// network and observers never see a professionals-only fact; nobody sees an entry withheld
// from them, and outside the professionals' audience entries come without their markings.
func History(s *State, v Viewer, list string, before, limit int) (HistoryPage, error) {
	if limit < 1 || limit > MaxHistoryPage {
		return HistoryPage{}, invalid("limit is 1 tot en met %d", "limit is 1 to %d", MaxHistoryPage)
	}
	out := HistoryPage{List: list}
	switch list {
	case ListMeetings:
		out.Meetings, out.Before = s.meetingPage(v, before, limit)
	case ListMonitoring:
		out.Monitoring, out.Before = page(s.Plans.Monitoring, before, limit, func(e *CheckIn) (*CheckIn, bool) {
			return visibleEntry(v, e, v.Audience() == AudienceProfessional)
		})
	case ListFacts:
		out.Facts, out.Before = page(s.Plans.Facts, before, limit, func(e *Fact) (*Fact, bool) {
			return visibleEntry(v, e, !e.ProfessionalsOnly || v.Audience() == AudienceProfessional)
		})
	case ListDecisions:
		out.Decisions, out.Before = page(s.Plans.Decisions, before, limit, func(e *Decision) (*Decision, bool) {
			return e, v.Meeting == "" || e.Meeting == v.Meeting
		})
	case ListConfirmations:
		out.Confirmations, out.Before = page(s.Plans.Confirmations, before, limit, func(e *Confirmation) (*Confirmation, bool) {
			return e, v.Meeting == "" || e.Meeting == v.Meeting
		})
	default:
		return HistoryPage{}, invalid("onbekende lijst %q", "unknown list %q", list)
	}
	return out, nil
}

// visibleEntry is e as v may see it (the rule of visibleEntries for one entry), false when
// the audience rule (ok) or a withholding keeps it from v.
func visibleEntry[T any, PT interface {
	*T
	withheldEntry
}](v Viewer, e PT, ok bool) (PT, bool) {
	if !ok {
		return nil, false
	}
	out, _ := visibleEntries(v, []PT{e})
	if len(out) == 0 {
		return nil, false
	}
	return out[0], true
}

// page walks in from before the cursor back to its start and keeps up to limit entries that
// see returns true for, oldest first. next is the cursor of the page before (the position of
// the oldest entry kept) when an older entry would be seen, else 0.
func page[T any](in []T, before, limit int, see func(T) (T, bool)) (out []T, next int) {
	if before <= 0 || before > len(in) {
		before = len(in)
	}
	out = []T{}
	i := before - 1
	for ; i >= 0 && len(out) < limit; i-- {
		if e, ok := see(in[i]); ok {
			out = append(out, e)
		}
	}
	for j := i; j >= 0; j-- {
		if _, ok := see(in[j]); ok {
			next = i + 1
			break
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out, next
}

// meetingPage is a page of the meetings v may see, with their rounds.
func (s *State) meetingPage(v Viewer, before, limit int) ([]MeetingRecord, int) {
	aud := v.Audience()
	ms, next := page(s.Meetings, before, limit, func(m *Meeting) (*Meeting, bool) {
		return m, v.Meeting == "" || m.ID == v.Meeting
	})
	out := make([]MeetingRecord, 0, len(ms))
	for _, m := range ms {
		rec := MeetingRecord{MeetingSummary: s.meetingSummary(m), Rounds: []RoundView{}}
		for _, r := range m.Rounds {
			rec.Rounds = append(rec.Rounds, s.roundView(m, r, aud))
		}
		out = append(out, rec)
	}
	return out, next
}

// meetingSummary is m on the case's timeline, with its final round.
func (s *State) meetingSummary(m *Meeting) MeetingSummary {
	ms := MeetingSummary{ID: m.ID, Title: m.Title, At: m.At, Status: m.Status, HeldAt: m.StartedAt}
	if r := m.lastRevealed(); r != nil {
		ms.Final = s.Results(r)
	}
	return ms
}

// recentMeetings is the live view's timeline: every meeting v may see that is not closed, and
// the last RecentItems closed ones, in the case's order; earlier is the cursor of the closed
// meetings before them.
func (s *State) recentMeetings(v Viewer) (out []MeetingSummary, earlier int) {
	closed := 0
	out = []MeetingSummary{}
	for i := len(s.Meetings) - 1; i >= 0; i-- {
		m := s.Meetings[i]
		if v.Meeting != "" && m.ID != v.Meeting {
			continue // an invitee sees nothing of a meeting they were not invited to
		}
		if m.Status == MeetingClosed {
			if closed == RecentItems {
				if earlier == 0 {
					earlier = i + 1
				}
				continue
			}
			closed++
		}
		out = append(out, s.meetingSummary(m))
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out, earlier
}

// seat records that id takes part in the meeting with index i.
func (s *State) seat(id string, i int) {
	if s.seats == nil {
		s.seats = map[string]int{}
	}
	if j, ok := s.seats[id]; !ok || i > j {
		s.seats[id] = i
	}
}

// lastSeat is the index of the meeting to start from when looking for participant id from the
// latest meeting back: the latest they take part in, -1 when they never took part. A state not
// built by Apply (without the index) starts from the last meeting.
func (s *State) lastSeat(id string) int {
	if s.seats == nil {
		return len(s.Meetings) - 1
	}
	i, ok := s.seats[id]
	if !ok {
		return -1
	}
	return min(i, len(s.Meetings)-1)
}
