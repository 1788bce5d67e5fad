package meeting

import "slices"

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

// checkBottomLine checks the fields of a bottom line: one or more subjects and a text.
func (d *decider) checkBottomLine(subjects []string, text string) error {
	if len(subjects) == 0 {
		return invalid("een bodemeis gaat over minstens één persoon", "a bottom line concerns at least one subject")
	}
	for _, sid := range subjects {
		if d.s.subject(sid) == nil {
			return notFound("persoon", sid)
		}
	}
	return checkText("bodemeis", text, true, maxText)
}

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
	if err := d.checkBottomLine(c.Subjects, c.Text); err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("bottomline.added", m.ID, VisibleAll, &BottomLine{ID: id, Subjects: append([]string(nil), c.Subjects...), Text: c.Text, Status: "open", Withholding: w})
	return nil
}

// setBottomLineStatus records a bottom line's status for the meeting in progress. It is part
// of the safety assessment (the first item lists the bottom lines), so it needs no revealed
// round; a bottom line marked not met locks the sections outside safety until the chair
// records why the meeting goes on (gate rule 2b), and suspends an open item there.
func (d *decider) setBottomLineStatus(c *SetBottomLineStatus) error {
	m, err := d.meetingInProgress("")
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	if err := d.inForce("", c.ID, "", ""); err != nil {
		return err
	}
	if !bottomLineStatuses[c.Status] {
		return invalid("status is open, met of not_met", "status is open, met or not_met")
	}
	d.emit("bottomline.status_set", m.ID, VisibleAll, &StatusSet{ID: c.ID, Status: c.Status, Meeting: m.ID})
	d.suspendLocked(d.s.withBottomLineStatus(c.ID, m.ID, c.Status), m, m)
	return nil
}

// withBottomLineStatus returns a read-only copy of s in which bottom line id has status in
// meeting: the state as it will be once the status is set.
func (s *State) withBottomLineStatus(id, meeting, status string) *State {
	sc := *s
	sc.Plans.BottomLines = make([]*BottomLine, len(s.Plans.BottomLines))
	for i, b := range s.Plans.BottomLines {
		sc.Plans.BottomLines[i] = b
		if b.ID == id {
			c := *b
			c.History = map[string]string{meeting: status}
			for k, v := range b.History {
				if k != meeting {
					c.History[k] = v
				}
			}
			sc.Plans.BottomLines[i] = &c
		}
	}
	return &sc
}

// Agreements (in the safety, care or recovery plan).

// agreementFields checks the fields of an agreement made or revised in meeting m and returns
// its owner: a participant of m (whose name is taken from the table) or the agreement's owner
// before (keep), or a named person.
func (d *decider) agreementFields(m *Meeting, keep Owner, action string, owner Owner, when, bottomLine, goal string, sc *Schedule) (Owner, error) {
	if owner.Participant != "" && owner.Participant != keep.Participant {
		q := m.participant(owner.Participant)
		if q == nil {
			return Owner{}, notFound("deelnemer", owner.Participant)
		}
		owner.Name = q.Name
	} else if owner.Participant != "" {
		owner.Name = keep.Name
	}
	if err := checkTexts(req("actie", action, maxText), req("uitvoerder", owner.Name, maxName), opt("wanneer", when, maxName)); err != nil {
		return Owner{}, err
	}
	if err := d.inForce("", bottomLine, goal, ""); err != nil {
		return Owner{}, err
	}
	if sc != nil {
		if err := sc.check(); err != nil {
			return Owner{}, err
		}
	}
	return owner, nil
}

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
	owner, err := d.agreementFields(m, Owner{}, c.Action, c.Owner, c.When, c.BottomLine, c.Goal, c.Schedule)
	if err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("agreement.added", m.ID, VisibleAll, &Agreement{ID: id, Plan: c.Plan, Action: c.Action, Owner: owner, When: c.When,
		BottomLine: c.BottomLine, Goal: c.Goal, Status: "open", Schedule: copySchedule(c.Schedule), Withholding: w})
	return nil
}

func copySchedule(sc *Schedule) *Schedule {
	if sc == nil {
		return nil
	}
	c := *sc
	return &c
}

func (d *decider) setAgreementStatus(c *SetAgreementStatus) error {
	a, found := findByID(d.s.Plans.Agreements, c.ID)
	if !found {
		return notFound("afspraak", c.ID)
	}
	if err := d.inForce(c.ID, "", "", ""); err != nil {
		return err
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
	if err := d.inForce(c.ID, "", "", ""); err != nil {
		return err
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

// Research and risk factors.

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
	rf.Changes = Changes{}
	if rf.ID, err = d.newID(rf.ID, "rf", func(id string) bool { return has(d.s.Plans.RiskFactors, id) }); err != nil {
		return err
	}
	if err := checkRiskFactor(rf.Text, rf.Category, rf.Instrument, rf.Priority); err != nil {
		return err
	}
	rf.Proposal, rf.ProposedBy = "", ""
	if err := d.checkRiskOwner(&rf); err != nil {
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

// checkRiskFactor checks the fields of a risk factor.
func checkRiskFactor(text, category, instrument string, priority int) error {
	if !riskCategories[category] || !riskInstruments[instrument] || priority < 1 || priority > 100 {
		return invalid("categorie, instrument of prioriteit (1–100) ongeldig", "invalid category, instrument or priority (1–100)")
	}
	return checkText("risicofactor", text, true, maxText)
}

// Goals and the future plan.

// checkGoal checks the fields of a goal: a recovery goal is for one family member (or
// subject); a care goal is for the family, or may name one member (paper §3.4: Janna's goals
// 1 and 3 each concern one parent).
func (d *decider) checkGoal(plan, member, text string, priority int, riskFactors []string) error {
	if member != "" || plan == "recovery" {
		if d.s.familyMember(member) == nil && d.s.subject(member) == nil {
			return notFound("gezinslid", member)
		}
	}
	if priority < 1 || priority > 100 {
		return invalid("prioriteit is 1 tot 100", "priority is 1 to 100")
	}
	if len(riskFactors) > maxItems {
		return invalid("te veel risicofactoren", "too many risk factors")
	}
	for _, rf := range riskFactors {
		r, ok := findByID(d.s.Plans.RiskFactors, rf)
		if !ok {
			return notFound("risicofactor", rf)
		}
		if r.Withdrawn != nil {
			return conflict("risicofactor %q is ingetrokken", "risk factor %q has been withdrawn", rf)
		}
	}
	return checkText("doel", text, true, maxText)
}

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
	if err := d.checkGoal(c.Plan, c.Member, c.Text, c.Priority, c.RiskFactors); err != nil {
		return err
	}
	if err := d.checkGoalSafety(c); err != nil {
		return err
	}
	w, err := d.checkWithholding(c.Withholding)
	if err != nil {
		return err
	}
	d.emit("goal.added", m.ID, VisibleAll, &Goal{ID: id, Plan: c.Plan, Member: c.Member, Text: c.Text, Priority: c.Priority, RiskFactors: append([]string{}, c.RiskFactors...),
		Safety: c.Safety, Relationship: slices.Clone(c.Relationship), Check: c.Check, Review: c.Review, Meeting: m.ID, Withholding: w})
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
	if err := d.inForce("", "", c.ID, ""); err != nil {
		return err
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
	f.Changes = Changes{}
	if f.ID, err = d.newID(f.ID, "fp", func(id string) bool { return has(d.s.Plans.Future, id) }); err != nil {
		return err
	}
	if err := checkFuture(f.WarningSign, f.Action, f.Contact); err != nil {
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

// checkFuture checks the fields of a future-plan line.
func checkFuture(warningSign, action, contact string) error {
	return checkTexts(req("signaal", warningSign, maxText), req("wat te doen", action, maxText), req("wie bellen", contact, maxName))
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

// confirmPlan: an admitted family or network member confirms the plan as far as they can see
// it, recording its version. The meeting need not be in progress. Confirming again changes
// nothing unless the plan they see changed since their last confirmation in that meeting.
func (d *decider) confirmPlan(c *ConfirmPlan) error {
	m := d.s.meeting(c.Meeting)
	if m == nil {
		return notFound("overleg", c.Meeting)
	}
	me := m.participant(d.ctx.Actor.ID)
	if me == nil || me.Status != Admitted || !me.Role.familyOrNetwork() {
		return forbidden("alleen familie en netwerk bevestigen het plan", "only family and network confirm the plan")
	}
	v := Viewer{ID: me.ID, Role: me.Role, Person: me.Person}
	v.Hidden = d.s.hiddenFor(v)
	version := d.s.visibleVersion(v)
	for _, cf := range d.s.Plans.Confirmations {
		if cf.Participant == me.ID && cf.Meeting == m.ID && cf.Version >= version {
			return nil
		}
	}
	d.emit("plan.confirmed", m.ID, VisibleAll, &Confirmation{Participant: me.ID, Name: me.Name, Meeting: m.ID, At: d.ctx.Now, Version: version})
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

func (b *BottomLine) entryID() string     { return b.ID }
func (a *Agreement) entryID() string      { return a.ID }
func (c *CheckIn) entryID() string        { return c.ID }
func (e *Escalation) entryID() string     { return e.ID }
func (r *ResearchPart) entryID() string   { return r.ID }
func (r *RiskFactor) entryID() string     { return r.ID }
func (g *Goal) entryID() string           { return g.ID }
func (f *FutureEntry) entryID() string    { return f.ID }
func (f *Fact) entryID() string           { return f.ID }
func (d *Decision) entryID() string       { return d.ID }
func (t *MonitoringTask) entryID() string { return t.ID }

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
