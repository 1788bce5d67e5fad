package meeting

import "time"

// Viewer is who a view is built for.
type Viewer struct {
	// ID is the viewer's participant id.
	ID string
	// Professional is true for account holders.
	Professional bool
	// Role is the viewer's role in the current meeting ("" when not a participant).
	Role Role
	// Person is the case person the viewer is (linked at admission), if any; SightOf leaves it
	// empty in the professionals' audience, which sees what is withheld from anyone.
	Person string
	// Meeting, for an invitee, is the one meeting whose content they may see: the view
	// centres on it and holds nothing of other meetings.
	Meeting string
	// Display is the shared screen.
	Display bool
	// Hidden lists the persons whose withheld entries the viewer must not see (set by
	// State.SightOf).
	Hidden []string
	// Until, for an invitee whose meeting closed, is when their right to read ends (set by
	// State.SightOf; the same for everyone invited to that meeting).
	Until time.Time
}

// Audience returns the kind of viewer: chairs and professionals see professionals-only facts;
// family, network and observers never do, whatever account they hold. Someone who is not a
// participant of the current meeting is judged by their account.
func (v Viewer) Audience() Audience {
	switch v.Role {
	case RoleChair, RoleProfessional:
		return AudienceProfessional
	case "":
		if v.Professional {
			return AudienceProfessional
		}
	}
	return AudienceFamily
}

// CaseView is everything one viewer may see of a case. It never holds a score value or
// explanation of an unrevealed round, for family, network and observers never a
// professionals-only fact or explanation, and never an entry withheld from the viewer. It
// depends on the viewer only through Viewer.Key, so a server builds it once per key.
type CaseView struct {
	Seq      uint64           `json:"seq"`
	Case     CaseInfo         `json:"case"`
	Safety   SafetyView       `json:"safety"`
	Meetings []MeetingSummary `json:"meetings"`
	Current  *MeetingView     `json:"current,omitempty"`
	Plans    Plans            `json:"plans"`
	// Coverage checks the care plan against the risk factors this viewer sees (riskcare.go).
	Coverage Coverage `json:"coverage"`
	// Withheld says, without details, that the plan holds entries this viewer does not see
	// ("er zijn afspraken die je niet ziet"), so no one is misled.
	Withheld bool `json:"withheld,omitempty"`
	// ReadUntil, for an invitee whose meeting closed, says until when they can read this
	// (then a new link from the case director is needed).
	ReadUntil *time.Time `json:"readUntil,omitempty"`
	// Earlier, in the live view (View), holds the cursors of the history before the recent
	// entries it carries (History); nil in FullView, which carries everything.
	Earlier *Earlier `json:"earlier,omitempty"`
}

// CaseInfo is the case's set-up.
type CaseInfo struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Phase  int    `json:"phase"`
	Policy Policy `json:"policy"`
	// Persons are the case's persons, each once with the flags at risk and household;
	// Subjects and Family are the two lists derived from them.
	Persons           []Person       `json:"persons"`
	Subjects          []Subject      `json:"subjects"`
	Family            []FamilyMember `json:"family"`
	SafetyPlanRetired bool           `json:"safetyPlanRetired"`
	// Intake and TriageRoute: the intake the case started from, and its route.
	Intake      string `json:"intake,omitempty"`
	TriageRoute string `json:"triageRoute,omitempty"`
	// SafetyPlanLog lists each removal and reinstatement of the noodverband.
	SafetyPlanLog []SafetyPlanChange `json:"safetyPlanLog"`
	// Director is the case director now (casusregisseur: name, organisation, phone);
	// Directors every one, with from–to dates.
	Director  *DirectorTerm  `json:"director,omitempty"`
	Directors []DirectorTerm `json:"directors"`
	// Life is the case's life: closed, retention, legal hold, requests for destruction.
	Life LifeView `json:"life"`
}

// SafetyView is the state of the safety-first rules now.
type SafetyView struct {
	Direct bool `json:"direct"`
	Stable bool `json:"stable"`
	// Streak is k of "k of K" meetings with consensus on a 7.
	Streak int             `json:"streak"`
	Reason *Message        `json:"reason,omitempty"`
	Lowest []SubjectLowest `json:"lowest"`
	Policy Policy          `json:"policy"`
}

// MeetingSummary is a meeting on the case's timeline with its final round.
type MeetingSummary struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	At     time.Time     `json:"at"`
	Status MeetingStatus `json:"status"`
	// HeldAt is when the meeting was held (started); At is when it was planned.
	HeldAt time.Time `json:"heldAt,omitzero"`
	Final  []Result  `json:"final,omitempty"`
}

// MeetingView is the meeting being worked on.
type MeetingView struct {
	ID             string        `json:"id"`
	Title          string        `json:"title"`
	At             time.Time     `json:"at"`
	Status         MeetingStatus `json:"status"`
	Chair          string        `json:"chair"`
	HeldAt         time.Time     `json:"heldAt,omitzero"`
	FamilyAdvisory bool          `json:"familyAdvisory"`
	// AdvisoryReason is why family and network scores are advisory (when they are).
	AdvisoryReason string `json:"advisoryReason,omitempty"`
	// AutoReveal: rounds reveal themselves when complete; off, the chair reveals.
	AutoReveal bool `json:"autoReveal"`
	// DisplayLanguage is the shared screen's language as the chair set it ("nl", "en"); absent:
	// each screen keeps its own.
	DisplayLanguage string `json:"displayLanguage,omitempty"`
	// GateReasons are the chair's reasons to go on although a bottom line was not met.
	GateReasons  []GateReason     `json:"gateReasons"`
	NextAt       *time.Time       `json:"nextAt,omitempty"`
	Participants []Participant    `json:"participants"`
	Agenda       []AgendaItemView `json:"agenda"`
	Rounds       []RoundView      `json:"rounds"`
}

// AgendaItemView is an agenda item with its lock, if any.
type AgendaItemView struct {
	AgendaItem
	Locked bool      `json:"locked"`
	Lock   *LockView `json:"lock,omitempty"`
}

// LockView says why an item is locked.
type LockView struct {
	Rule     string          `json:"rule"`
	Message  Message         `json:"message"`
	Subjects []SubjectLowest `json:"subjects"`
}

// RoundView is a round as a viewer may see it: before the reveal only who has submitted.
type RoundView struct {
	ID        string      `json:"id"`
	Number    int         `json:"number"`
	Status    RoundStatus `json:"status"`
	Submitted []string    `json:"submitted"`
	Pending   []string    `json:"pending"`
	Missing   []string    `json:"missing,omitempty"`
	// Complete: the round is open and every present scorer has scored every subject; it waits
	// for the chair to reveal it.
	Complete bool        `json:"complete"`
	Advisory bool        `json:"advisory"`
	Scores   []ScoreView `json:"scores,omitempty"`
	Results  []Result    `json:"results,omitempty"`
}

// ScoreView is one revealed score.
type ScoreView struct {
	Participant string `json:"participant"`
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	Subject     string `json:"subject"`
	Value       *int   `json:"value"`
	Abstain     bool   `json:"abstain"`
	Meaning     string `json:"meaning"`
	NotHigher   string `json:"notHigher"`
	// Advisory: shown but not counted (family and network in an advisory meeting).
	Advisory bool `json:"advisory"`
	// ExplanationWithheld: the scorer kept the explanation for professionals (this viewer
	// sees the value only).
	ExplanationWithheld bool `json:"explanationWithheld,omitempty"`
}

// View builds the live view: what viewer v may see of the case that a meeting needs — the
// case, safety, the current meeting, the plan in force and a bounded recent timeline (the
// meetings not closed and the last RecentItems closed ones; the last RecentItems check-ins,
// facts, decisions and confirmations). Its size and cost do not grow with the case's
// history; the rest is read with History.
func View(s *State, v Viewer) CaseView { return ViewParts(s, v, AllParts) }

// FullView is everything viewer v may see of the case, history included (the printable plan,
// the minutes): View without the bound.
func FullView(s *State, v Viewer) CaseView {
	cv := buildView(s, v)
	for _, m := range s.Meetings {
		if v.Meeting != "" && m.ID != v.Meeting {
			continue // an invitee sees nothing of a meeting they were not invited to
		}
		cv.Meetings = append(cv.Meetings, s.meetingSummary(m))
	}
	return cv
}

// buildView is the view without its timeline (Meetings), with every plan entry v may see.
func buildView(s *State, v Viewer) CaseView {
	cv := CaseView{Seq: s.Seq, Case: s.caseInfo(v), Safety: s.safetyView(), Meetings: []MeetingSummary{}}
	cv.Plans, cv.Withheld = plansFor(&s.Plans, v)
	cv.Coverage = CoverageOf(cv.Plans)
	cv.ReadUntil = readUntil(v)
	if m := s.meetingFor(v); m != nil {
		cv.Current = s.meetingView(m, v.Audience())
	}
	return cv
}

// caseInfo is the case's set-up as v sees it.
func (s *State) caseInfo(v Viewer) CaseInfo {
	ci := CaseInfo{ID: s.ID, Title: s.Title, Phase: s.Phase, Policy: s.Policy,
		Persons: nonNil(s.Persons), Subjects: nonNil(s.Subjects), Family: nonNil(s.Family), SafetyPlanRetired: s.SafetyPlanRetired,
		Intake: s.Intake, TriageRoute: s.TriageRoute,
		SafetyPlanLog: nonNil(s.SafetyPlanLog), Directors: []DirectorTerm{}}
	for _, t := range s.Directors {
		c := *t
		if c.Name == "" { // a case created before the director's name was recorded
			c.Name = s.nameOf(c.ID)
		}
		ci.Directors = append(ci.Directors, c)
	}
	if n := len(ci.Directors); n > 0 {
		d := ci.Directors[n-1]
		ci.Director = &d
	}
	ci.Life = s.lifeView(v.Audience())
	return ci
}

// safetyView is the state of the safety-first rules now (the same for every viewer).
func (s *State) safetyView() SafetyView {
	direct, lows := s.DirectSafety()
	sv := SafetyView{Direct: direct, Stable: s.StableSafety(), Streak: s.StableStreak(), Lowest: nonNil(lows), Policy: s.Policy}
	if !direct {
		l := gateLock("direct_safety", lows, "Nog geen consensus over een 6 — ", "No consensus on a 6 yet — ")
		sv.Reason = &Message{NL: l.NL, EN: l.EN}
	}
	return sv
}

// readUntil is when an invitee whose meeting closed can read no more, nil otherwise.
func readUntil(v Viewer) *time.Time {
	if v.Until.IsZero() {
		return nil
	}
	until := v.Until
	return &until
}

// meetingFor is the meeting a view for v centres on: an invitee's own meeting, else the
// meeting at hand (viewMeeting).
func (s *State) meetingFor(v Viewer) *Meeting {
	if v.Meeting != "" {
		return s.meeting(v.Meeting)
	}
	return s.viewMeeting()
}

// viewMeeting is the meeting a view centres on: the one in progress, else the next scheduled
// one, else the latest closed one.
func (s *State) viewMeeting() *Meeting {
	if m := s.inProgress(); m != nil {
		return m
	}
	var next *Meeting
	for _, m := range s.Meetings {
		if m.Status == MeetingScheduled && (next == nil || m.At.Before(next.At)) {
			next = m
		}
	}
	if next != nil {
		return next
	}
	return s.Current()
}

func (s *State) meetingView(m *Meeting, aud Audience) *MeetingView {
	mv := &MeetingView{ID: m.ID, Title: m.Title, At: m.At, Status: m.Status, Chair: m.Chair, HeldAt: m.StartedAt,
		FamilyAdvisory: m.FamilyAdvisory, AdvisoryReason: m.AdvisoryReason, AutoReveal: m.AutoReveal, DisplayLanguage: m.DisplayLanguage, GateReasons: []GateReason{},
		Participants: []Participant{}, Agenda: []AgendaItemView{}, Rounds: []RoundView{}}
	for _, r := range m.GateReasons {
		mv.GateReasons = append(mv.GateReasons, *r)
	}
	if n := s.scheduledAfter(m, m.At); n != nil {
		at := n.At
		mv.NextAt = &at
	}
	for _, p := range m.Participants {
		mv.Participants = append(mv.Participants, *p)
	}
	for _, it := range m.Agenda {
		iv := AgendaItemView{AgendaItem: *it}
		if l := s.lockOf(m, it); l != nil {
			iv.Locked = true
			iv.Lock = &LockView{Rule: l.Rule, Message: Message{NL: l.NL, EN: l.EN}, Subjects: nonNil(l.Subjects)}
		}
		mv.Agenda = append(mv.Agenda, iv)
	}
	for _, r := range m.Rounds {
		mv.Rounds = append(mv.Rounds, s.roundView(m, r, aud))
	}
	return mv
}

func (s *State) roundView(m *Meeting, r *Round, aud Audience) RoundView {
	rv := RoundView{ID: r.ID, Number: r.Number, Status: r.Status, Submitted: []string{}, Pending: []string{},
		Missing: r.Missing, Advisory: r.Advisory}
	d := &decider{s: s}
	for _, p := range m.Participants {
		switch {
		case len(r.Scores[p.ID]) > 0 && d.complete(r, p.ID, nil):
			rv.Submitted = append(rv.Submitted, p.ID)
		case r.Status == RoundOpen && p.present():
			rv.Pending = append(rv.Pending, p.ID)
		}
	}
	rv.Complete = r.Status == RoundOpen && len(rv.Pending) == 0 && len(rv.Submitted) > 0
	if r.Status != RoundRevealed {
		return rv // values and explanations stay on the server until the reveal
	}
	rv.Scores = []ScoreView{}
	for _, p := range m.Participants {
		for _, sub := range s.Subjects {
			sc, ok := r.Scores[p.ID][sub.ID]
			if !ok {
				continue
			}
			sv := ScoreView{Participant: p.ID, Name: p.Name, Role: sc.Role, Subject: sub.ID,
				Value: sc.Value, Abstain: sc.Abstain, Meaning: sc.Meaning, NotHigher: sc.NotHigher,
				Advisory: sc.advisory(r.Advisory, sub.ID)}
			if sc.ProfessionalsOnly && aud != AudienceProfessional {
				sv.Meaning, sv.NotHigher, sv.ExplanationWithheld = "", "", true
			}
			rv.Scores = append(rv.Scores, sv)
		}
	}
	rv.Results = s.Results(r)
	return rv
}

// plansFor copies the plans viewer v may see, and reports whether an entry was withheld from
// v. Family, network and observers never see monitoring, escalations, the research plan, or
// professionals-only risk factors and facts; an invitee sees the decisions and confirmations
// of their own meeting only; nobody sees an entry withheld from them.
func plansFor(p *Plans, v Viewer) (Plans, bool) {
	out := Plans{
		Future: nonNil(p.Future), Decisions: nonNil(p.Decisions), Confirmations: nonNil(p.Confirmations),
		Monitoring: []*CheckIn{}, Escalations: []*Escalation{}, Research: []*ResearchPart{}, Tasks: []*MonitoringTask{},
	}
	var w [8]bool
	out.BottomLines, w[0] = visibleEntries(v, p.BottomLines)
	out.Agreements, w[1] = visibleEntries(v, p.Agreements)
	out.Goals, w[2] = visibleEntries(v, p.Goals)
	out.Future, w[3] = visibleEntries(v, p.Future)
	facts, risks := p.Facts, p.RiskFactors
	if v.Audience() == AudienceProfessional {
		out.Monitoring, w[4] = visibleEntries(v, p.Monitoring)
		out.Tasks, w[7] = visibleEntries(v, p.Tasks)
		out.Escalations, out.Research = nonNil(p.Escalations), nonNil(p.Research)
	} else {
		facts = slicesFilter(p.Facts, func(f *Fact) bool { return !f.ProfessionalsOnly })
		risks = slicesFilter(p.RiskFactors, func(rf *RiskFactor) bool { return !rf.ProfessionalsOnly })
	}
	out.Facts, w[5] = visibleEntries(v, facts)
	out.RiskFactors, w[6] = visibleEntries(v, risks)
	out.Corrections, out.Statements = visibleNotes(p, v)
	out.Recovery = nonNil(p.Recovery)
	if v.Meeting != "" {
		out.Decisions = slicesFilter(p.Decisions, func(d *Decision) bool { return d.Meeting == v.Meeting })
		out.Confirmations = slicesFilter(p.Confirmations, func(c *Confirmation) bool { return c.Meeting == v.Meeting })
	}
	out.Version = planVersion(&out)
	return out, w != [8]bool{}
}

// slicesFilter is the elements of in that keep returns true for (never nil).
func slicesFilter[T any](in []T, keep func(T) bool) []T {
	out := make([]T, 0, len(in))
	for _, e := range in {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
