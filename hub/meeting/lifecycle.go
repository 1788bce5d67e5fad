package meeting

import "time"

// A case has a life: active → closed (with a reason and a date) → deleted at the end of its
// retention, or earlier when the family's request for destruction is granted. Deletion itself
// is not an event (nothing of the case is left to hold it): the domain says when a case may be
// deleted (DeletionApproved), the server carries it out. While a case is closed the family's
// rights go on: corrections, their own statements and requests for destruction.

// RetentionRule is how long a closed case is kept on one route (an organisation's policy):
// the later of YearsAfterClose after closing and the end of the year in which the youngest
// subject turns UntilAge. Zero fields do not count.
type RetentionRule struct {
	YearsAfterClose int `json:"yearsAfterClose"`
	UntilAge        int `json:"untilAge"`
}

// DefaultRetention is the rule of a route the organisation did not set: a youth-care file is
// kept at least 20 years after the care ends (Jeugdwet), and Veilig Thuis keeps a file at
// least until the youngest child is 18.
var DefaultRetention = RetentionRule{YearsAfterClose: 20, UntilAge: 18}

// DefaultRoute is the route whose rule applies when a case names none.
const DefaultRoute = "default"

// ruleFor is the organisation's rule for route (Context.Retention), else its default route's,
// else DefaultRetention.
func ruleFor(rules map[string]RetentionRule, route string) RetentionRule {
	if r, ok := rules[route]; ok {
		return r
	}
	if r, ok := rules[DefaultRoute]; ok {
		return r
	}
	return DefaultRetention
}

// retainUntil is the end of the retention of a case closed at closedAt.
func retainUntil(closedAt time.Time, r RetentionRule, youngestBirthYear int) time.Time {
	end := closedAt.AddDate(r.YearsAfterClose, 0, 0)
	if r.UntilAge > 0 && youngestBirthYear > 0 {
		// Turning UntilAge some day of that year: kept until the year is over.
		if adult := time.Date(youngestBirthYear+r.UntilAge+1, 1, 1, 0, 0, 0, 0, time.UTC); adult.After(end) {
			end = adult
		}
	}
	return end
}

// Life is where a case is in its life.
type Life struct {
	// Closed is set by case.closed, cleared by case.reopened.
	Closed bool `json:"closed,omitempty"`
	// ClosedAt, Reason and Route are those of the closing; Rule is the route's retention rule
	// then, YoungestBirthYear the birth year it counted with.
	ClosedAt          time.Time     `json:"closedAt,omitzero"`
	Reason            string        `json:"reason,omitempty"`
	Route             string        `json:"route,omitempty"`
	Rule              RetentionRule `json:"rule,omitzero"`
	YoungestBirthYear int           `json:"youngestBirthYear,omitempty"`
	// RetainUntil is the end of retention as set at closing; legal holds move it (Held).
	RetainUntil time.Time `json:"retainUntil,omitzero"`
	// Hold is the legal hold in force: it stops the retention clock.
	Hold *LegalHold `json:"hold,omitempty"`
	// Held is how long ended holds stopped the clock: retention ends that much later.
	Held time.Duration `json:"held,omitempty"`
	// Approvals are the professionals who approved the deletion of the due case (four eyes).
	Approvals []Approval `json:"approvals,omitempty"`
	// Destruction are the family's requests for earlier destruction.
	Destruction []*DestructionRequest `json:"destruction,omitempty"`
}

// LegalHold stops the retention clock (a proceeding needs the file).
type LegalHold struct {
	Since  time.Time `json:"since"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
}

// Approval is one professional's approval of a deletion.
type Approval struct {
	By   string    `json:"by"`
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// RetentionEnd is when the retention of the closed case ends, legal holds included; ok is
// false while the case is open or a hold is in force (the clock stands still).
func (s *State) RetentionEnd() (end time.Time, ok bool) {
	l := s.Life
	if !l.Closed || l.Hold != nil {
		return time.Time{}, false
	}
	return l.RetainUntil.Add(l.Held), true
}

// DueForDeletion reports whether the case's retention has ended at now: closed, no legal hold,
// the end reached.
func (s *State) DueForDeletion(now time.Time) bool {
	end, ok := s.RetentionEnd()
	return ok && !now.Before(end)
}

// DeletionApproved reports whether the case may now be deleted: two professionals approved
// the deletion of the due case, or a request for destruction was granted (by two).
func (s *State) DeletionApproved() bool {
	if len(s.Life.Approvals) >= 2 {
		return true
	}
	for _, r := range s.Life.Destruction {
		if r.Status == DestructionGranted {
			return true
		}
	}
	return false
}

// Statuses of a request for destruction.
const (
	DestructionOpen     = "open"
	DestructionProposed = "proposed" // one professional decided; a second must confirm
	DestructionGranted  = "granted"
	DestructionRefused  = "refused"
)

// DestructionRequest is a parent's or young person's (from 12) request to destroy the file
// before its retention ends. Two professionals decide it, granting or refusing with a reason
// (refused when someone else has a substantial interest in keeping it).
type DestructionRequest struct {
	ID     string    `json:"id"`
	Person string    `json:"person"`
	Name   string    `json:"name"`
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	// Decision is the proposed (then final) decision.
	Decision *DestructionDecision `json:"decision,omitempty"`
}

// DestructionDecision is the body of destruction.proposed and destruction.decided.
type DestructionDecision struct {
	ID     string `json:"id"`
	Grant  bool   `json:"grant"`
	Reason string `json:"reason"`
	By     string `json:"by"`
	Name   string `json:"name"`
	// Second and SecondName are the professional who confirmed (destruction.decided).
	Second     string `json:"second,omitempty"`
	SecondName string `json:"secondName,omitempty"`
}

// EntryRef names a plan entry by its kind and id (ids are unique within a kind).
type EntryRef struct {
	// Kind is bottomline, agreement, goal, fact, risk, future, decision or monitoring.
	Kind  string `json:"kind"`
	Entry string `json:"entry"`
}

// Correction marks an entry corrected: the entry shows Text from then on, everywhere. The
// previous text, who corrected it and why are kept for professionals only.
type Correction struct {
	EntryRef
	Text     string    `json:"text"`
	Previous string    `json:"previous,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
	// ProfessionalsOnly and Withholding are the entry's: who does not see the entry does not
	// see its correction either.
	ProfessionalsOnly bool `json:"professionalsOnly,omitempty"`
	Withholding
}

// Statement is a person's own statement (eigen verklaring) attached to an entry they
// disagree with; it is shown and printed with the entry.
type Statement struct {
	ID string `json:"id"`
	EntryRef
	// Person is the case person whose statement it is; Name their name.
	Person string    `json:"person"`
	Name   string    `json:"name"`
	Text   string    `json:"text"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	// ProfessionalsOnly and Withholding are the entry's.
	ProfessionalsOnly bool `json:"professionalsOnly,omitempty"`
	Withholding
}

// Event bodies of the case's life.

// CaseClosed is the body of case.closed.
type CaseClosed struct {
	Reason            string        `json:"reason"`
	Route             string        `json:"route"`
	Rule              RetentionRule `json:"rule"`
	YoungestBirthYear int           `json:"youngestBirthYear,omitempty"`
	RetainUntil       time.Time     `json:"retainUntil"`
}

// CaseReopened is the body of case.reopened.
type CaseReopened struct {
	Reason string `json:"reason"`
}

// LegalHoldSet is the body of case.legal_hold_set.
type LegalHoldSet struct {
	Hold   bool   `json:"hold"`
	Reason string `json:"reason"`
}

// lifecycleEvents are the event types of this file, added to eventTypes.
var lifecycleEvents = map[string]func() any{
	"case.closed":            func() any { return &CaseClosed{} },
	"case.reopened":          func() any { return &CaseReopened{} },
	"case.legal_hold_set":    func() any { return &LegalHoldSet{} },
	"case.deletion_approved": func() any { return &Approval{} },
	"entry.corrected":        func() any { return &Correction{} },
	"statement.added":        func() any { return &Statement{} },
	"destruction.requested":  func() any { return &DestructionRequest{} },
	"destruction.proposed":   func() any { return &DestructionDecision{} },
	"destruction.decided":    func() any { return &DestructionDecision{} },
}

func init() {
	for typ, f := range lifecycleEvents {
		eventTypes[typ] = f
	}
}

// lifecycleBody is an event body of this file: it folds itself into the state.
type lifecycleBody interface{ applyTo(s *State, e Event) }

func (b *CaseClosed) applyTo(s *State, e Event) {
	l := &s.Life
	l.Closed, l.ClosedAt, l.Reason, l.Route, l.Rule, l.YoungestBirthYear, l.RetainUntil =
		true, e.Time, b.Reason, b.Route, b.Rule, b.YoungestBirthYear, b.RetainUntil
	l.Approvals = nil
}

func (b *CaseReopened) applyTo(s *State, _ Event) {
	l := &s.Life
	l.Closed, l.ClosedAt, l.Reason, l.Route, l.Rule, l.YoungestBirthYear, l.RetainUntil = false, time.Time{}, "", "", RetentionRule{}, 0, time.Time{}
	l.Held, l.Approvals = 0, nil
}

func (b *LegalHoldSet) applyTo(s *State, e Event) {
	l := &s.Life
	switch {
	case b.Hold && l.Hold == nil:
		l.Hold = &LegalHold{Since: e.Time, Reason: b.Reason, By: e.Actor}
	case !b.Hold && l.Hold != nil:
		if l.Closed {
			// The clock stood still since the hold or the closing, whichever came later.
			from := l.Hold.Since
			if l.ClosedAt.After(from) {
				from = l.ClosedAt
			}
			if d := e.Time.Sub(from); d > 0 {
				l.Held += d
			}
		}
		l.Hold = nil
	}
	l.Approvals = nil
}

func (b *Approval) applyTo(s *State, _ Event) {
	s.Life.Approvals = append(s.Life.Approvals, *b)
}

func (b *DestructionRequest) applyTo(s *State, _ Event) {
	c := *b
	s.Life.Destruction = append(s.Life.Destruction, &c)
}

func (b *DestructionDecision) applyTo(s *State, e Event) {
	r := s.destruction(b.ID)
	if r == nil {
		return
	}
	c := *b
	r.Decision = &c
	switch {
	case e.Type == "destruction.proposed":
		r.Status = DestructionProposed
	case b.Grant:
		r.Status = DestructionGranted
	default:
		r.Status = DestructionRefused
	}
}

func (b *Correction) applyTo(s *State, _ Event) {
	if t, ok := s.Plans.target(b.EntryRef); ok {
		*t.text = b.Text
	}
	c := *b
	s.Plans.Corrections = append(s.Plans.Corrections, &c)
}

func (b *Statement) applyTo(s *State, _ Event) {
	c := *b
	s.Plans.Statements = append(s.Plans.Statements, &c)
}

func (s *State) destruction(id string) *DestructionRequest {
	for _, r := range s.Life.Destruction {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// entryTarget is a plan entry as corrections and statements see it: its main text, its
// markings and whether it is for professionals only.
type entryTarget struct {
	text              *string
	w                 Withholding
	professionalsOnly bool
}

// target finds the entry ref names.
func (p *Plans) target(ref EntryRef) (entryTarget, bool) {
	switch ref.Kind {
	case "bottomline":
		if e, ok := findByID(p.BottomLines, ref.Entry); ok {
			return entryTarget{text: &e.Text, w: e.Withholding}, true
		}
	case "agreement":
		if e, ok := findByID(p.Agreements, ref.Entry); ok {
			return entryTarget{text: &e.Action, w: e.Withholding}, true
		}
	case "goal":
		if e, ok := findByID(p.Goals, ref.Entry); ok {
			return entryTarget{text: &e.Text, w: e.Withholding}, true
		}
	case "fact":
		if e, ok := findByID(p.Facts, ref.Entry); ok {
			return entryTarget{text: &e.Text, w: e.Withholding, professionalsOnly: e.ProfessionalsOnly}, true
		}
	case "risk":
		if e, ok := findByID(p.RiskFactors, ref.Entry); ok {
			return entryTarget{text: &e.Text, w: e.Withholding, professionalsOnly: e.ProfessionalsOnly}, true
		}
	case "future":
		if e, ok := findByID(p.Future, ref.Entry); ok {
			return entryTarget{text: &e.WarningSign, w: e.Withholding}, true
		}
	case "decision":
		if e, ok := findByID(p.Decisions, ref.Entry); ok {
			return entryTarget{text: &e.Text}, true
		}
	case "monitoring":
		if e, ok := findByID(p.Monitoring, ref.Entry); ok {
			return entryTarget{text: &e.HowItWorked, w: e.Withholding, professionalsOnly: true}, true
		}
	}
	return entryTarget{}, false
}

// LifeView is the case's life as a viewer sees it.
type LifeView struct {
	Status      string     `json:"status"` // active or closed
	ClosedAt    *time.Time `json:"closedAt,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Route       string     `json:"route,omitempty"`
	RetainUntil *time.Time `json:"retainUntil,omitempty"`
	// Held: a legal hold stops the retention clock (RetainUntil is then not known).
	Held bool `json:"held,omitempty"`
	// HoldReason and Approvals are shown to professionals only.
	HoldReason  string                `json:"holdReason,omitempty"`
	Approvals   []Approval            `json:"approvals,omitempty"`
	Destruction []*DestructionRequest `json:"destruction"`
}

// lifeView is the case's life for audience aud.
func (s *State) lifeView(aud Audience) LifeView {
	l := s.Life
	v := LifeView{Status: "active", Destruction: nonNil(l.Destruction)}
	if l.Closed {
		at := l.ClosedAt
		v.Status, v.ClosedAt, v.Reason, v.Route = "closed", &at, l.Reason, l.Route
		if end, ok := s.RetentionEnd(); ok {
			v.RetainUntil = &end
		}
	}
	v.Held = l.Hold != nil
	if aud == AudienceProfessional {
		if l.Hold != nil {
			v.HoldReason = l.Hold.Reason
		}
		v.Approvals = l.Approvals
	}
	return v
}

// visibleNotes are the corrections and statements viewer v may see: those of entries v sees,
// and for the family's audience corrections without the previous text, the reason and who.
func visibleNotes(p *Plans, v Viewer) ([]*Correction, []*Statement) {
	pro := v.Audience() == AudienceProfessional
	cs, _ := visibleEntries(v, slicesFilter(p.Corrections, func(c *Correction) bool { return pro || !c.ProfessionalsOnly }))
	ss, _ := visibleEntries(v, slicesFilter(p.Statements, func(c *Statement) bool { return pro || !c.ProfessionalsOnly }))
	if !pro {
		out := make([]*Correction, len(cs))
		for i, c := range cs {
			x := *c
			x.Previous, x.Reason, x.By = "", "", ""
			out[i] = &x
		}
		cs = out
	}
	return cs, ss
}
