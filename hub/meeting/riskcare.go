package meeting

import "slices"

// Risk factors that steer the care plan (issue 16; paper: rank by "grootste bedreiging" and
// "snelst effect", "beschermende factoren", every goal's "effect … op de mate van veiligheid
// binnen de relatie"). A risk factor belongs to a person or a relationship (two persons); it is
// static or dynamic; it is rated on two axes, threat to safety and speed of effect (1 low – 3
// high, 0 not rated); a protective factor is recorded the same way, marked protective. Family
// members propose factors, which the chair accepts or declines. Coverage lists the dynamic,
// high-threat risk factors no goal addresses, and the goals linked only to static factors.

// Axis values.
const (
	RatingHigh = 3
)

// ProposeRiskFactor proposes a risk or protective factor (risk.propose): anyone admitted to
// the meeting in progress but observers; the chair accepts or declines it.
type ProposeRiskFactor struct {
	RiskFactor
}

// DecideRiskProposal accepts or declines a proposed factor (risk.decide_proposal, chair).
type DecideRiskProposal struct {
	ID     string `json:"id"`
	Accept bool   `json:"accept"`
}

// Kind implements Command.
func (*ProposeRiskFactor) Kind() string { return "risk.propose" }

// Kind implements Command.
func (*DecideRiskProposal) Kind() string { return "risk.decide_proposal" }

func (c *ProposeRiskFactor) decide(d *decider) error  { return d.proposeRiskFactor(c) }
func (c *DecideRiskProposal) decide(d *decider) error { return d.decideRiskProposal(c) }

// Proposal states of a risk factor.
const (
	ProposalOpen     = "proposed"
	ProposalDeclined = "declined"
)

// checkRiskOwner: a factor belongs to a person, to a relationship of two persons, or (as
// before issue 16) to the household as a whole; axes 0–3.
func (d *decider) checkRiskOwner(rf *RiskFactor) error {
	if rf.Person != "" && len(rf.Relationship) > 0 {
		return invalid("een factor hoort bij een persoon of bij een relatie", "a factor belongs to a person or to a relationship")
	}
	if rf.Person != "" && d.s.person(rf.Person) == nil {
		return notFound("persoon", rf.Person)
	}
	if n := len(rf.Relationship); n != 0 {
		if n != 2 || rf.Relationship[0] == rf.Relationship[1] || d.s.person(rf.Relationship[0]) == nil || d.s.person(rf.Relationship[1]) == nil {
			return invalid("een relatie is tussen twee personen van de casus", "a relationship is between two persons of the case")
		}
	}
	if rf.Threat < 0 || rf.Threat > 3 || rf.Speed < 0 || rf.Speed > 3 {
		return invalid("dreiging en snelheid van effect zijn 1 tot 3", "threat and speed of effect are 1 to 3")
	}
	rf.Relationship = slices.Clone(rf.Relationship)
	return nil
}

func (d *decider) proposeRiskFactor(c *ProposeRiskFactor) error {
	m, err := d.planGate(SectionCare, false)
	if err != nil {
		return err
	}
	if p := m.participant(d.ctx.Actor.ID); p == nil || p.Status != Admitted || p.Role == RoleObserver {
		return forbidden("alleen wie aan tafel zit stelt een factor voor", "only someone at the table proposes a factor")
	}
	rf := c.RiskFactor
	rf.Changes, rf.Withholding, rf.ProfessionalsOnly = Changes{}, Withholding{}, false
	if rf.ID, err = d.newID(rf.ID, "rf", func(id string) bool { return has(d.s.Plans.RiskFactors, id) }); err != nil {
		return err
	}
	if rf.Priority == 0 {
		rf.Priority = 1
	}
	if err := checkRiskFactor(rf.Text, rf.Category, rf.Instrument, rf.Priority); err != nil {
		return err
	}
	if err := d.checkRiskOwner(&rf); err != nil {
		return err
	}
	rf.Proposal, rf.ProposedBy = ProposalOpen, d.ctx.Actor.Name
	d.emit("risk.proposed", m.ID, VisibleAll, &rf)
	return nil
}

func (d *decider) decideRiskProposal(c *DecideRiskProposal) error {
	m, err := d.planGate(SectionCare, true)
	if err != nil {
		return err
	}
	rf, ok := findByID(d.s.Plans.RiskFactors, c.ID)
	if !ok {
		return notFound("risicofactor", c.ID)
	}
	if rf.Proposal != ProposalOpen {
		return conflict("over deze factor is al besloten", "this factor has been decided on")
	}
	status := "accepted"
	if !c.Accept {
		status = ProposalDeclined
	}
	d.emit("risk.proposal_decided", m.ID, VisibleAll, &StatusSet{ID: c.ID, Status: status, Meeting: m.ID})
	return nil
}

// applyProposal folds risk.proposed (no new plan version: a proposal is not yet the plan) and
// risk.proposal_decided (accepted: the factor joins the plan, with a version). It reports
// whether e was one of them.
func applyProposal(p *Plans, e Event) bool {
	switch e.Type {
	case "risk.proposed":
		if b, ok := e.Data.(*RiskFactor); ok {
			c := *b
			c.AddedIn = e.Meeting
			p.RiskFactors = append(p.RiskFactors, &c)
		}
		return true
	case "risk.proposal_decided":
		if b, ok := e.Data.(*StatusSet); ok {
			if rf, found := findByID(p.RiskFactors, b.ID); found {
				if b.Status == ProposalDeclined {
					rf.Proposal = ProposalDeclined
				} else {
					rf.Proposal = ""
					p.bump(&rf.Changes)
				}
			}
		}
		return true
	}
	return false
}

// Coverage is the care plan's check against the risk factors.
type Coverage struct {
	// Uncovered are the dynamic, high-threat risk factors (not protective, in force, not a
	// proposal) that no goal in force addresses.
	Uncovered []string `json:"uncovered"`
	// StaticOnly are the goals in force linked to risk factors that are all static.
	StaticOnly []string `json:"staticOnly"`
}

// inForcePlan: neither withdrawn nor an open or declined proposal.
func (rf *RiskFactor) inForcePlan() bool { return rf.Withdrawn == nil && rf.Proposal == "" }

// CoverageOf checks the care plan in p: what a viewer sees is checked against what they see.
func CoverageOf(p Plans) Coverage {
	cov := Coverage{Uncovered: []string{}, StaticOnly: []string{}}
	addressed := map[string]bool{}
	for _, g := range p.Goals {
		if g.Withdrawn != nil {
			continue
		}
		linked, static := 0, 0
		for _, id := range g.RiskFactors {
			rf, ok := findByID(p.RiskFactors, id)
			if !ok || !rf.inForcePlan() {
				continue
			}
			addressed[id] = true
			linked++
			if !rf.Dynamic {
				static++
			}
		}
		if linked > 0 && static == linked {
			cov.StaticOnly = append(cov.StaticOnly, g.ID)
		}
	}
	for _, rf := range p.RiskFactors {
		if rf.inForcePlan() && rf.Dynamic && !rf.Protective && rf.Threat >= RatingHigh && !addressed[rf.ID] {
			cov.Uncovered = append(cov.Uncovered, rf.ID)
		}
	}
	return cov
}

// checkGoalSafety checks what a goal says for safety: the relationship is two persons of the
// case, the review a day; texts bounded. They are optional (goals of before issue 16 have none).
func (d *decider) checkGoalSafety(c *AddGoal) error {
	if err := firstErr(checkText("effect op veiligheid", c.Safety, false, maxText), checkText("hoe gecontroleerd", c.Check, false, maxText)); err != nil {
		return err
	}
	if n := len(c.Relationship); n != 0 {
		if n != 2 || c.Relationship[0] == c.Relationship[1] || d.s.person(c.Relationship[0]) == nil || d.s.person(c.Relationship[1]) == nil {
			return invalid("een relatie is tussen twee personen van de casus", "a relationship is between two persons of the case")
		}
	}
	if _, ok := parseDay(c.Review); c.Review != "" && !ok {
		return invalid("evaluatiedatum is een dag (2006-01-02)", "the review date is a day (2006-01-02)")
	}
	return nil
}
