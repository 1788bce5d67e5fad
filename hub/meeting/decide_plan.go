package meeting

// planGate finds the meeting in progress, requires the actor to chair it (when chairOnly),
// and applies the gate for work in section: the safety assessment first (rule 1), direct
// safety outside the safety section (rule 2), stable safety for the future section (rule 4).
func (d *decider) planGate(section Section, chairOnly bool) (*Meeting, error) {
	m, err := d.meetingInProgress("")
	if err != nil {
		return nil, err
	}
	if chairOnly {
		if err := d.requireChair(m); err != nil {
			return nil, err
		}
	}
	if l := d.s.lockOf(m, &AgendaItem{Section: section}); l != nil {
		return nil, gateError(l)
	}
	return m, nil
}

func sectionOfPlan(plan string) Section {
	switch plan {
	case "care":
		return SectionCare
	case "recovery":
		return SectionRecovery
	}
	return SectionSafety
}

// Safety plan: bottom lines (bodemeisen).

func (d *decider) addBottomLine(c *AddBottomLine) error {
	p := &d.s.Plans
	m, err := d.planGate(SectionSafety, true)
	if err != nil {
		return err
	}
	id, err := d.newID(c.ID, "bl", func(id string) bool { return has(p.BottomLines, id) })
	if err != nil {
		return err
	}
	if len(c.Subjects) == 0 {
		return invalid("een bodemeis gaat over minstens één persoon", "a bottom line concerns at least one subject")
	}
	for _, sid := range c.Subjects {
		if d.s.subject(sid) == nil {
			return notFound("persoon", sid)
		}
	}
	if err := checkText("bodemeis", c.Text, true, maxText); err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("bottomline.added", m.ID, VisibleAll, &BottomLine{ID: id, Subjects: append([]string(nil), c.Subjects...), Text: c.Text, Status: "open", Withholding: w})
	return nil
}

func (d *decider) setBottomLineStatus(c *SetBottomLineStatus) error {
	m, err := d.planGate(SectionSafety, true)
	if err != nil {
		return err
	}
	if !has(d.s.Plans.BottomLines, c.ID) {
		return notFound("bodemeis", c.ID)
	}
	if !bottomLineStatuses[c.Status] {
		return invalid("status is open, met of not_met", "status is open, met or not_met")
	}
	d.emit("bottomline.status_set", m.ID, VisibleAll, &StatusSet{ID: c.ID, Status: c.Status, Meeting: m.ID})
	return nil
}

// Agreements (in the safety, care or recovery plan).

func (d *decider) addAgreement(c *AddAgreement) error {
	p := &d.s.Plans
	if !agreementPlans[c.Plan] {
		return invalid("plan is safety, care of recovery", "plan is safety, care or recovery")
	}
	m, err := d.planGate(sectionOfPlan(c.Plan), true)
	if err != nil {
		return err
	}
	id, err := d.newID(c.ID, "ag", func(id string) bool { return has(p.Agreements, id) })
	if err != nil {
		return err
	}
	owner := c.Owner
	if owner.Participant != "" {
		q := m.participant(owner.Participant)
		if q == nil {
			return notFound("deelnemer", owner.Participant)
		}
		owner.Name = q.Name
	}
	if err := checkTexts(req("actie", c.Action, maxText), req("uitvoerder", owner.Name, maxName), opt("wanneer", c.When, maxName)); err != nil {
		return err
	}
	if c.BottomLine != "" && !has(p.BottomLines, c.BottomLine) {
		return notFound("bodemeis", c.BottomLine)
	}
	if c.Goal != "" && !has(p.Goals, c.Goal) {
		return notFound("doel", c.Goal)
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("agreement.added", m.ID, VisibleAll, &Agreement{ID: id, Plan: c.Plan, Action: c.Action, Owner: owner, When: c.When, BottomLine: c.BottomLine, Goal: c.Goal, Status: "open", Withholding: w})
	return nil
}

func (d *decider) setAgreementStatus(c *SetAgreementStatus) error {
	a, found := findByID(d.s.Plans.Agreements, c.ID)
	if !found {
		return notFound("afspraak", c.ID)
	}
	m, err := d.planGate(sectionOfPlan(a.Plan), true)
	if err != nil {
		return err
	}
	if !agreementStatuses[c.Status] {
		return invalid("status is open, done of not_done", "status is open, done or not_done")
	}
	d.emit("agreement.status_set", m.ID, VisibleAll, &StatusSet{ID: c.ID, Status: c.Status, Meeting: m.ID})
	return nil
}

func (d *decider) takeOnAgreement(c *TakeOnAgreement) error {
	a, found := findByID(d.s.Plans.Agreements, c.ID)
	if !found {
		return notFound("afspraak", c.ID)
	}
	m, err := d.planGate(sectionOfPlan(a.Plan), false)
	if err != nil {
		return err
	}
	me := m.participant(d.ctx.Actor.ID)
	if me == nil || me.Status != Admitted || me.Role == RoleObserver {
		return forbidden("alleen toegelaten deelnemers nemen een afspraak op zich", "only admitted participants take on an agreement")
	}
	d.emit("agreement.taken_on", m.ID, VisibleAll, &StatusSet{ID: c.ID, Meeting: m.ID, Owner: &Owner{Participant: me.ID, Name: me.Name}})
	return nil
}

// Monitoring, escalation, research and risk factors.

// addCheckIn records monitoring: any professional, in or between meetings, without the gate.
func (d *decider) addCheckIn(c *AddCheckIn) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals leggen monitoring vast", "only professionals record monitoring")
	}
	ci := c.CheckIn
	id, err := d.newID(ci.ID, "mo", func(id string) bool { return has(d.s.Plans.Monitoring, id) })
	if err != nil {
		return err
	}
	ci.ID = id
	if ci.By == "" {
		ci.By = d.ctx.Actor.Name
	}
	if err := checkTexts(req("datum", ci.Date, 40), opt("door", ci.By, maxName), opt("hoe het werkte", ci.HowItWorked, maxText), opt("zorgen", ci.Concerns, maxText)); err != nil {
		return err
	}
	w, err := d.checkWithholding(ci.Withholding)
	if err != nil {
		return err
	}
	ci.Withholding = w
	d.emit("monitoring.added", meetingID(d.s.inProgress()), VisibleProfessionals, &ci)
	return nil
}

func (d *decider) addEscalation(c *AddEscalation) error {
	m, err := d.planGate(SectionSafety, true)
	if err != nil {
		return err
	}
	e := c.Escalation
	if e.ID, err = d.newID(e.ID, "es", func(id string) bool { return has(d.s.Plans.Escalations, id) }); err != nil {
		return err
	}
	if !escalationKinds[e.Kind] {
		return invalid("onbekende vorm van opschaling %q", "unknown escalation kind %q", e.Kind)
	}
	if err := checkTexts(req("besluit", e.Decision, maxText), opt("reden", e.Reason, maxText), opt("wie", e.Who, maxName), opt("wanneer", e.When, maxName)); err != nil {
		return err
	}
	d.emit("escalation.added", m.ID, VisibleProfessionals, &e)
	return nil
}

func (d *decider) addResearchPart(c *AddResearchPart) error {
	m, err := d.planGate(SectionSafety, true)
	if err != nil {
		return err
	}
	r := c.ResearchPart
	if r.ID, err = d.newID(r.ID, "rp", func(id string) bool { return has(d.s.Plans.Research, id) }); err != nil {
		return err
	}
	if !researchParts[r.Part] || !researchChains[r.Chain] {
		return invalid("onbekend onderdeel of onbekende keten", "unknown research part or chain")
	}
	if err := checkText("toelichting", r.Notes, false, maxText); err != nil {
		return err
	}
	d.emit("research.added", m.ID, VisibleProfessionals, &r)
	return nil
}

func (d *decider) addRiskFactor(c *AddRiskFactor) error {
	m, err := d.planGate(SectionCare, true)
	if err != nil {
		return err
	}
	rf := c.RiskFactor
	if rf.ID, err = d.newID(rf.ID, "rf", func(id string) bool { return has(d.s.Plans.RiskFactors, id) }); err != nil {
		return err
	}
	if !riskCategories[rf.Category] || !riskInstruments[rf.Instrument] || rf.Priority < 1 || rf.Priority > 100 {
		return invalid("categorie, instrument of prioriteit (1–100) ongeldig", "invalid category, instrument or priority (1–100)")
	}
	if err := checkText("risicofactor", rf.Text, true, maxText); err != nil {
		return err
	}
	w, err := d.checkWithholding(rf.Withholding)
	if err != nil {
		return err
	}
	rf.Withholding = w
	d.emit("risk.added", m.ID, visibility(rf.ProfessionalsOnly), &rf)
	return nil
}

// Goals and the future plan.

func (d *decider) addGoal(c *AddGoal) error {
	p := &d.s.Plans
	if !goalPlans[c.Plan] {
		return invalid("plan is care of recovery", "plan is care or recovery")
	}
	m, err := d.planGate(sectionOfPlan(c.Plan), true)
	if err != nil {
		return err
	}
	id, err := d.newID(c.ID, "go", func(id string) bool { return has(p.Goals, id) })
	if err != nil {
		return err
	}
	if c.Plan == "recovery" {
		if d.s.familyMember(c.Member) == nil && d.s.subject(c.Member) == nil {
			return notFound("gezinslid", c.Member)
		}
	} else if c.Member != "" {
		return invalid("een doel van het hulpverleningsplan hoort bij het gezin, niet bij één gezinslid", "a care-plan goal belongs to the family, not one member")
	}
	if c.Priority < 1 || c.Priority > 100 {
		return invalid("prioriteit is 1 tot 100", "priority is 1 to 100")
	}
	for _, rf := range c.RiskFactors {
		if !has(p.RiskFactors, rf) {
			return notFound("risicofactor", rf)
		}
	}
	if err := checkText("doel", c.Text, true, maxText); err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("goal.added", m.ID, VisibleAll, &Goal{ID: id, Plan: c.Plan, Member: c.Member, Text: c.Text, Priority: c.Priority, RiskFactors: append([]string{}, c.RiskFactors...), Meeting: m.ID, Withholding: w})
	return nil
}

// evaluateGoal records a goal's outcome, under the gate of the evaluation section, in a later
// meeting than the one that set the goal.
func (d *decider) evaluateGoal(c *EvaluateGoal) error {
	m, err := d.planGate(SectionEvaluation, true)
	if err != nil {
		return err
	}
	g, found := findByID(d.s.Plans.Goals, c.ID)
	if !found {
		return notFound("doel", c.ID)
	}
	if g.Meeting == m.ID {
		return conflict("een doel wordt in een later overleg geëvalueerd", "a goal is evaluated in a later meeting")
	}
	if !goalOutcomes[c.Outcome] {
		return invalid("uitkomst is achieved, in_progress, not_achieved of adjusted", "outcome is achieved, in_progress, not_achieved or adjusted")
	}
	d.emit("goal.evaluated", m.ID, VisibleAll, &StatusSet{ID: c.ID, Status: c.Outcome, Meeting: m.ID})
	return nil
}

func (d *decider) addFutureEntry(c *AddFutureEntry) error {
	m, err := d.planGate(SectionFuture, true)
	if err != nil {
		return err
	}
	f := c.FutureEntry
	if f.ID, err = d.newID(f.ID, "fp", func(id string) bool { return has(d.s.Plans.Future, id) }); err != nil {
		return err
	}
	if err := checkTexts(req("signaal", f.WarningSign, maxText), req("wat te doen", f.Action, maxText), req("wie bellen", f.Contact, maxName)); err != nil {
		return err
	}
	w, err := d.checkWithholding(f.Withholding)
	if err != nil {
		return err
	}
	f.Withholding = w
	d.emit("future.added", m.ID, VisibleAll, &f)
	return nil
}

// retireSafetyPlan removes the noodverband, in the future section (so under stable safety).
func (d *decider) retireSafetyPlan() error {
	m, err := d.planGate(SectionFuture, true)
	if err != nil {
		return err
	}
	if d.s.SafetyPlanRetired {
		return conflict("het noodverband is al verwijderd", "the safety plan has already been retired")
	}
	d.emit("safetyplan.retired", m.ID, VisibleAll, &MeetingRef{Meeting: m.ID})
	return nil
}

// Facts, decisions and confirmations.

// addFact shares a fact: any professional, in or between meetings, without the gate.
func (d *decider) addFact(c *AddFact) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals voegen feiten toe", "only professionals add facts")
	}
	id, err := d.newID(c.ID, "fa", func(id string) bool { return has(d.s.Plans.Facts, id) })
	if err != nil {
		return err
	}
	if err := checkText("feit", c.Text, true, maxText); err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("fact.added", meetingID(d.s.inProgress()), visibility(c.ProfessionalsOnly), &Fact{ID: id, Text: c.Text, By: d.ctx.Actor.Name, ProfessionalsOnly: c.ProfessionalsOnly, Withholding: w})
	return nil
}

// recordDecision records a decision: the chair of the meeting in progress, without the gate.
func (d *decider) recordDecision(c *RecordDecision) error {
	m, err := d.meetingInProgress("")
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	id, err := d.newID(c.ID, "de", func(id string) bool { return has(d.s.Plans.Decisions, id) })
	if err != nil {
		return err
	}
	if err := checkText("besluit", c.Text, true, maxText); err != nil {
		return err
	}
	d.emit("decision.recorded", m.ID, VisibleAll, &Decision{ID: id, Text: c.Text, Meeting: m.ID})
	return nil
}

// confirmPlan: an admitted family or network member confirms the plan, once per meeting (a
// second confirmation changes nothing). The meeting need not be in progress.
func (d *decider) confirmPlan(c *ConfirmPlan) error {
	m := d.s.meeting(c.Meeting)
	if m == nil {
		return notFound("overleg", c.Meeting)
	}
	me := m.participant(d.ctx.Actor.ID)
	if me == nil || me.Status != Admitted || !me.Role.familyOrNetwork() {
		return forbidden("alleen familie en netwerk bevestigen het plan", "only family and network confirm the plan")
	}
	for _, cf := range d.s.Plans.Confirmations {
		if cf.Participant == me.ID && cf.Meeting == m.ID {
			return nil
		}
	}
	d.emit("plan.confirmed", m.ID, VisibleAll, &Confirmation{Participant: me.ID, Name: me.Name, Meeting: m.ID, At: d.ctx.Now})
	return nil
}

func visibility(professionalsOnly bool) Visibility {
	if professionalsOnly {
		return VisibleProfessionals
	}
	return VisibleAll
}

func meetingID(m *Meeting) string {
	if m == nil {
		return ""
	}
	return m.ID
}

// identified is a plan entry with an id.
type identified interface{ entryID() string }

func (b *BottomLine) entryID() string   { return b.ID }
func (a *Agreement) entryID() string    { return a.ID }
func (c *CheckIn) entryID() string      { return c.ID }
func (e *Escalation) entryID() string   { return e.ID }
func (r *ResearchPart) entryID() string { return r.ID }
func (r *RiskFactor) entryID() string   { return r.ID }
func (g *Goal) entryID() string         { return g.ID }
func (f *FutureEntry) entryID() string  { return f.ID }
func (f *Fact) entryID() string         { return f.ID }
func (d *Decision) entryID() string     { return d.ID }

func findByID[T identified](list []T, id string) (T, bool) {
	for _, x := range list {
		if x.entryID() == id {
			return x, true
		}
	}
	var zero T
	return zero, false
}

func has[T identified](list []T, id string) bool {
	_, ok := findByID(list, id)
	return ok
}

type textField struct {
	name     string
	v        string
	required bool
	max      int
}

func req(name, v string, max int) textField { return textField{name, v, true, max} }
func opt(name, v string, max int) textField { return textField{name, v, false, max} }

func checkTexts(fs ...textField) error {
	for _, f := range fs {
		if err := checkText(f.name, f.v, f.required, f.max); err != nil {
			return err
		}
	}
	return nil
}
