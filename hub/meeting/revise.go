package meeting

import (
	"slices"
	"strings"
	"time"
)

// Bijstellen (paper §1 phase 4, §3.4 "tussentijds geëvalueerd en zo nodig bijgesteld", §3.4
// "het bijstellen van de afspraken"): bottom lines, agreements, goals, risk factors and
// future-plan lines are revised and withdrawn, never deleted. Each change is an event; an
// entry keeps what it was before each revision, in which meeting; the plan has a version that
// every addition, revision and withdrawal raises, and a family confirmation records it.

// Changes is what happened to a plan entry after it was added.
type Changes struct {
	// Version is the plan version of the entry's last change (its addition, a revision or its
	// withdrawal).
	Version int `json:"version,omitempty"`
	// AddedIn is the meeting the entry was added in ("" between meetings).
	AddedIn   string     `json:"addedIn,omitempty"`
	Revisions []Revision `json:"revisions,omitempty"`
	// Withdrawn is set once the entry is withdrawn: it stays, marked, and no longer counts.
	Withdrawn *Withdrawn `json:"withdrawn,omitempty"`
}

func (c *Changes) changes() *Changes { return c }

// Revision is one revision of a plan entry: where and when, and what the entry said before.
type Revision struct {
	Meeting string    `json:"meeting,omitempty"`
	At      time.Time `json:"at"`
	// Was is the entry before the revision, in a line.
	Was     string `json:"was"`
	Version int    `json:"version"`
}

// Withdrawn records the withdrawal of a plan entry.
type Withdrawn struct {
	Meeting string    `json:"meeting,omitempty"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
}

// Entry kinds of plan.withdraw.
var entryKinds = set("bottom_line", "agreement", "goal", "risk_factor", "future", "task")

// ReviseBottomLine revises a bottom line (chair, safety section).
type ReviseBottomLine struct {
	ID       string   `json:"id"`
	Subjects []string `json:"subjects"`
	Text     string   `json:"text"`
}

// ReviseAgreement revises an agreement (chair, the gate of its plan's section). Owner, when,
// what it serves and the schedule are given anew; the plan and status stay.
type ReviseAgreement struct {
	ID         string    `json:"id"`
	Action     string    `json:"action"`
	Owner      Owner     `json:"owner"`
	When       string    `json:"when"`
	BottomLine string    `json:"bottomLine"`
	Goal       string    `json:"goal"`
	Schedule   *Schedule `json:"schedule,omitempty"`
}

// ReviseGoal revises a care or recovery goal (chair, the gate of its plan's section).
type ReviseGoal struct {
	ID          string   `json:"id"`
	Member      string   `json:"member"`
	Text        string   `json:"text"`
	Priority    int      `json:"priority"`
	RiskFactors []string `json:"riskFactors"`
}

// ReviseRiskFactor revises a risk factor (chair, care section); who may see it stays.
type ReviseRiskFactor struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	Category   string `json:"category"`
	Dynamic    bool   `json:"dynamic"`
	Priority   int    `json:"priority"`
	Instrument string `json:"instrument"`
}

// ReviseFutureEntry revises a line of the future plan (chair, future section).
type ReviseFutureEntry struct {
	ID          string `json:"id"`
	WarningSign string `json:"warningSign"`
	Action      string `json:"action"`
	Contact     string `json:"contact"`
}

// WithdrawEntry withdraws a plan entry, with a reason: it stays in the plan, marked withdrawn.
// Entry is bottom_line, agreement, goal, risk_factor, future or task (a monitoring task).
type WithdrawEntry struct {
	Entry  string `json:"entry"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Withdrawal is the body of plan.withdrawn. It carries the entry's markings, so it reaches no
// one the entry is withheld from.
type Withdrawal struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
	Withholding
}

// revisable finds entry id of list and checks it may be revised: found, not withdrawn.
func revisable[T interface {
	identified
	changes() *Changes
}](list []T, what, id string) (T, error) {
	e, ok := findByID(list, id)
	if !ok {
		return e, notFound(what, id)
	}
	if e.changes().Withdrawn != nil {
		return e, conflict("%s %q is ingetrokken", "%s %q has been withdrawn", what, id)
	}
	return e, nil
}

// marks copies markings.
func marks(w Withholding) Withholding {
	return Withholding{HiddenFrom: slices.Clone(w.HiddenFrom), HiddenReason: w.HiddenReason}
}

func (d *decider) reviseBottomLine(c *ReviseBottomLine) error {
	b, err := revisable(d.s.Plans.BottomLines, "bodemeis", c.ID)
	if err != nil {
		return err
	}
	m, err := d.planGate(SectionSafety, true)
	if err != nil {
		return err
	}
	if err := d.checkBottomLine(c.Subjects, c.Text); err != nil {
		return err
	}
	if slices.Equal(b.Subjects, c.Subjects) && b.Text == c.Text {
		return nil
	}
	d.emit("bottomline.revised", m.ID, VisibleAll, &BottomLine{ID: b.ID, Subjects: slices.Clone(c.Subjects), Text: c.Text, Status: b.Status, Withholding: marks(b.Withholding)})
	return nil
}

func (d *decider) reviseAgreement(c *ReviseAgreement) error {
	a, err := revisable(d.s.Plans.Agreements, "afspraak", c.ID)
	if err != nil {
		return err
	}
	m, err := d.planGate(sectionOfPlan(a.Plan), true)
	if err != nil {
		return err
	}
	owner, err := d.agreementFields(m, a.Owner, c.Action, c.Owner, c.When, c.BottomLine, c.Goal, c.Schedule)
	if err != nil {
		return err
	}
	if c.Action == a.Action && owner == a.Owner && c.When == a.When && c.BottomLine == a.BottomLine && c.Goal == a.Goal &&
		(c.Schedule == nil) == (a.Schedule == nil) && (c.Schedule == nil || *c.Schedule == *a.Schedule) {
		return nil
	}
	d.emit("agreement.revised", m.ID, VisibleAll, &Agreement{ID: a.ID, Plan: a.Plan, Action: c.Action, Owner: owner, When: c.When,
		BottomLine: c.BottomLine, Goal: c.Goal, Status: a.Status, Schedule: copySchedule(c.Schedule), Withholding: marks(a.Withholding)})
	return nil
}

func (d *decider) reviseGoal(c *ReviseGoal) error {
	g, err := revisable(d.s.Plans.Goals, "doel", c.ID)
	if err != nil {
		return err
	}
	m, err := d.planGate(sectionOfPlan(g.Plan), true)
	if err != nil {
		return err
	}
	if err := d.checkGoal(g.Plan, c.Member, c.Text, c.Priority, c.RiskFactors); err != nil {
		return err
	}
	if c.Member == g.Member && c.Text == g.Text && c.Priority == g.Priority && slices.Equal(c.RiskFactors, g.RiskFactors) {
		return nil
	}
	d.emit("goal.revised", m.ID, VisibleAll, &Goal{ID: g.ID, Plan: g.Plan, Member: c.Member, Text: c.Text, Priority: c.Priority,
		RiskFactors: append([]string{}, c.RiskFactors...), Meeting: g.Meeting, Withholding: marks(g.Withholding)})
	return nil
}

func (d *decider) reviseRiskFactor(c *ReviseRiskFactor) error {
	r, err := revisable(d.s.Plans.RiskFactors, "risicofactor", c.ID)
	if err != nil {
		return err
	}
	m, err := d.planGate(SectionCare, true)
	if err != nil {
		return err
	}
	if err := checkRiskFactor(c.Text, c.Category, c.Instrument, c.Priority); err != nil {
		return err
	}
	if c.Text == r.Text && c.Category == r.Category && c.Dynamic == r.Dynamic && c.Priority == r.Priority && c.Instrument == r.Instrument {
		return nil
	}
	d.emit("risk.revised", m.ID, visibility(r.ProfessionalsOnly), &RiskFactor{ID: r.ID, Text: c.Text, Category: c.Category, Dynamic: c.Dynamic,
		Priority: c.Priority, Instrument: c.Instrument, ProfessionalsOnly: r.ProfessionalsOnly, Withholding: marks(r.Withholding)})
	return nil
}

func (d *decider) reviseFutureEntry(c *ReviseFutureEntry) error {
	f, err := revisable(d.s.Plans.Future, "regel van het toekomstplan", c.ID)
	if err != nil {
		return err
	}
	m, err := d.planGate(SectionFuture, true)
	if err != nil {
		return err
	}
	if err := checkFuture(c.WarningSign, c.Action, c.Contact); err != nil {
		return err
	}
	if c.WarningSign == f.WarningSign && c.Action == f.Action && c.Contact == f.Contact {
		return nil
	}
	d.emit("future.revised", m.ID, VisibleAll, &FutureEntry{ID: f.ID, WarningSign: c.WarningSign, Action: c.Action, Contact: c.Contact, Withholding: marks(f.Withholding)})
	return nil
}

// withdrawEntry withdraws an entry under the rules that add it: the chair under the gate of
// its section; a monitoring task the case director or the chair, in or between meetings.
func (d *decider) withdrawEntry(c *WithdrawEntry) error {
	if !entryKinds[c.Entry] {
		return invalid("onbekend soort onderdeel %q", "unknown kind of entry %q", c.Entry)
	}
	p := &d.s.Plans
	var (
		w       Withholding
		section Section
		vis     = VisibleAll
		err     error
	)
	switch c.Entry {
	case "bottom_line":
		var b *BottomLine
		b, err = revisable(p.BottomLines, "bodemeis", c.ID)
		if b != nil {
			w, section = b.Withholding, SectionSafety
		}
	case "agreement":
		var a *Agreement
		a, err = revisable(p.Agreements, "afspraak", c.ID)
		if a != nil {
			w, section = a.Withholding, sectionOfPlan(a.Plan)
		}
	case "goal":
		var g *Goal
		g, err = revisable(p.Goals, "doel", c.ID)
		if g != nil {
			w, section = g.Withholding, sectionOfPlan(g.Plan)
		}
	case "risk_factor":
		var r *RiskFactor
		r, err = revisable(p.RiskFactors, "risicofactor", c.ID)
		if r != nil {
			w, section, vis = r.Withholding, SectionCare, visibility(r.ProfessionalsOnly)
		}
	case "future":
		var f *FutureEntry
		f, err = revisable(p.Future, "regel van het toekomstplan", c.ID)
		if f != nil {
			w, section = f.Withholding, SectionFuture
		}
	case "task":
		var t *MonitoringTask
		t, err = revisable(p.Tasks, "monitoringtaak", c.ID)
		if t != nil {
			w, vis = t.Withholding, VisibleProfessionals
		}
	}
	if err != nil {
		return err
	}
	meeting := ""
	if c.Entry == "task" {
		if err := d.requireCaseLead(); err != nil {
			return err
		}
		meeting = meetingID(d.s.inProgress())
	} else {
		m, err := d.planGate(section, true)
		if err != nil {
			return err
		}
		meeting = m.ID
	}
	if err := checkText("reden", c.Reason, true, maxText); err != nil {
		return err
	}
	d.emit("plan.withdrawn", meeting, vis, &Withdrawal{Kind: c.Entry, ID: c.ID, Reason: c.Reason, Withholding: marks(w)})
	return nil
}

// bump raises the plan version for a change of the entry with ch.
func (p *Plans) bump(ch *Changes) {
	p.Version++
	ch.Version = p.Version
}

// revised records a revision of the entry with ch, which was was.
func (p *Plans) revised(ch *Changes, e Event, was string) {
	p.bump(ch)
	ch.Revisions = append(ch.Revisions, Revision{Meeting: e.Meeting, At: e.Time, Was: was, Version: ch.Version})
}

// line joins the non-empty parts with " — ".
func line(parts ...string) string {
	var out []string
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " — ")
}

// applyChange folds in a revision or withdrawal; false when e is neither.
func applyChange(p *Plans, e Event) bool {
	switch b := e.Data.(type) {
	case *Withdrawal:
		ch := p.entryChanges(b.Kind, b.ID)
		if ch == nil {
			return true
		}
		ch.Withdrawn = &Withdrawn{Meeting: e.Meeting, At: e.Time, Reason: b.Reason}
		if b.Kind != "task" { // monitoring tasks are not part of the plan the family confirms
			p.bump(ch)
		}
		return true
	case *BottomLine:
		if e.Type != "bottomline.revised" {
			return false
		}
		if x, ok := findByID(p.BottomLines, b.ID); ok {
			p.revised(&x.Changes, e, x.Text)
			x.Subjects, x.Text = slices.Clone(b.Subjects), b.Text
		}
		return true
	case *Agreement:
		if e.Type != "agreement.revised" {
			return false
		}
		if x, ok := findByID(p.Agreements, b.ID); ok {
			p.revised(&x.Changes, e, line(x.Action, x.Owner.Name, x.When))
			x.Action, x.Owner, x.When, x.BottomLine, x.Goal, x.Schedule = b.Action, b.Owner, b.When, b.BottomLine, b.Goal, copySchedule(b.Schedule)
		}
		return true
	case *Goal:
		if e.Type != "goal.revised" {
			return false
		}
		if x, ok := findByID(p.Goals, b.ID); ok {
			p.revised(&x.Changes, e, x.Text)
			x.Member, x.Text, x.Priority, x.RiskFactors = b.Member, b.Text, b.Priority, slices.Clone(b.RiskFactors)
		}
		return true
	case *RiskFactor:
		if e.Type != "risk.revised" {
			return false
		}
		if x, ok := findByID(p.RiskFactors, b.ID); ok {
			p.revised(&x.Changes, e, x.Text)
			x.Text, x.Category, x.Dynamic, x.Priority, x.Instrument = b.Text, b.Category, b.Dynamic, b.Priority, b.Instrument
		}
		return true
	case *FutureEntry:
		if e.Type != "future.revised" {
			return false
		}
		if x, ok := findByID(p.Future, b.ID); ok {
			p.revised(&x.Changes, e, line(x.WarningSign, x.Action, x.Contact))
			x.WarningSign, x.Action, x.Contact = b.WarningSign, b.Action, b.Contact
		}
		return true
	}
	return false
}

// entryChanges is the changes of entry id of a kind, or nil.
func (p *Plans) entryChanges(kind, id string) *Changes {
	switch kind {
	case "bottom_line":
		return changesIn(p.BottomLines, id)
	case "agreement":
		return changesIn(p.Agreements, id)
	case "goal":
		return changesIn(p.Goals, id)
	case "risk_factor":
		return changesIn(p.RiskFactors, id)
	case "future":
		return changesIn(p.Future, id)
	case "task":
		return changesIn(p.Tasks, id)
	}
	return nil
}

func changesIn[T interface {
	identified
	changes() *Changes
}](list []T, id string) *Changes {
	if e, ok := findByID(list, id); ok {
		return e.changes()
	}
	return nil
}

// visibleVersion is the version of the plan as v sees it: the last change of an entry v may see.
func (s *State) visibleVersion(v Viewer) int {
	out, _ := plansFor(&s.Plans, v)
	return out.Version
}

// planVersion is the highest version among the entries of a (filtered) plan.
func planVersion(p *Plans) int {
	v := 0
	up := func(ch *Changes) { v = max(v, ch.Version) }
	for _, e := range p.BottomLines {
		up(&e.Changes)
	}
	for _, e := range p.Agreements {
		up(&e.Changes)
	}
	for _, e := range p.Goals {
		up(&e.Changes)
	}
	for _, e := range p.RiskFactors {
		up(&e.Changes)
	}
	for _, e := range p.Future {
		up(&e.Changes)
	}
	return v
}
