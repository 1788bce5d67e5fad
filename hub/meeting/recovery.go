package meeting

// A recovery plan for each person (issue 16; paper §4: "herstelplan voor ieder van de
// gezinsleden"). Besides the goals, agreements and evaluations that name the person (Goal.Member,
// agreements serving those goals), each person — at risk or of the household, a child only at
// risk included — has one profile: needs and obstacles; a trauma screening (intrusive memories
// yes / no / unknown, then treat or watch with a re-check date: trauma treatment comes earlier
// when intrusive memories are present); the life areas home, school or work, leisure and
// network; and, for a child, the child's own view — a short summary, who spoke with the child,
// when and how (e.g. Three Houses, Words & Pictures). The profile is set as a whole, in the
// recovery section (its gate), by the chair.

// RecoveryProfile is one person's recovery plan besides their goals.
type RecoveryProfile struct {
	Person    string          `json:"person"`
	Needs     string          `json:"needs,omitempty"`
	Obstacles string          `json:"obstacles,omitempty"`
	Trauma    TraumaScreening `json:"trauma"`
	LifeAreas LifeAreas       `json:"lifeAreas"`
	ChildView *ChildView      `json:"childView,omitempty"`
	// Meeting is where the profile was set last.
	Meeting string `json:"meeting"`
}

// TraumaScreening: intrusive memories, and what follows.
type TraumaScreening struct {
	// Intrusive: yes, no or unknown ("" not screened).
	Intrusive string `json:"intrusive,omitempty"`
	// Action: treat or watch (after yes or unknown).
	Action string `json:"action,omitempty"`
	// Recheck is the day of the re-check ("2006-01-02"), for watch.
	Recheck string `json:"recheck,omitempty"`
}

// LifeAreas: how the person is doing at home, at school or work, in leisure, in the network.
type LifeAreas struct {
	Home    string `json:"home,omitempty"`
	School  string `json:"school,omitempty"`
	Leisure string `json:"leisure,omitempty"`
	Network string `json:"network,omitempty"`
}

// ChildView is the child's own voice.
type ChildView struct {
	Summary string `json:"summary"`
	By      string `json:"by"`
	Date    string `json:"date"`
	// Method: three_houses, words_pictures, conversation, other.
	Method string `json:"method"`
}

// SetRecoveryProfile sets one person's recovery profile (recovery.set_profile).
type SetRecoveryProfile struct {
	RecoveryProfile
}

// Kind implements Command.
func (*SetRecoveryProfile) Kind() string { return "recovery.set_profile" }

func (c *SetRecoveryProfile) decide(d *decider) error { return d.setRecoveryProfile(c) }

var childViewMethods = map[string]bool{"three_houses": true, "words_pictures": true, "conversation": true, "other": true}

func (d *decider) setRecoveryProfile(c *SetRecoveryProfile) error {
	m, err := d.planGate(SectionRecovery, true)
	if err != nil {
		return err
	}
	p := c.RecoveryProfile
	if d.s.person(p.Person) == nil {
		return notFound("persoon", p.Person)
	}
	if err := checkProfile(p); err != nil {
		return err
	}
	p.Meeting = m.ID
	if p.ChildView != nil {
		cv := *p.ChildView
		p.ChildView = &cv
	}
	d.emit("recovery.profile_set", m.ID, VisibleAll, &p)
	return nil
}

func checkProfile(p RecoveryProfile) error {
	for _, f := range []struct{ name, v string }{{"behoeften", p.Needs}, {"belemmeringen", p.Obstacles}, {"thuis", p.LifeAreas.Home},
		{"school of werk", p.LifeAreas.School}, {"vrije tijd", p.LifeAreas.Leisure}, {"netwerk", p.LifeAreas.Network}} {
		if err := checkText(f.name, f.v, false, maxText); err != nil {
			return err
		}
	}
	t := p.Trauma
	switch t.Intrusive {
	case "", AnswerNo:
		if t.Action != "" || t.Recheck != "" {
			return invalid("zonder herbelevingen geen behandeling of hercontrole", "no treatment or re-check without intrusive memories")
		}
	case AnswerYes, AnswerUnknown:
		if t.Action != "treat" && t.Action != "watch" {
			return invalid("bij herbelevingen: behandelen of volgen", "with intrusive memories: treat or watch")
		}
		if _, ok := parseDay(t.Recheck); t.Action == "watch" && !ok {
			return invalid("volgen heeft een datum van hercontrole", "watch needs a re-check date")
		}
	default:
		return invalid("herbelevingen: ja, nee of onbekend", "intrusive memories: yes, no or unknown")
	}
	if v := p.ChildView; v != nil {
		if _, ok := parseDay(v.Date); !ok || !childViewMethods[v.Method] {
			return invalid("stem van het kind: datum en werkwijze (Drie Huizen, Woorden en Plaatjes, gesprek, anders)", "the child's view: date and method (Three Houses, Words & Pictures, conversation, other)")
		}
		if err := firstErr(checkText("samenvatting", v.Summary, true, maxText), checkText("gesproken door", v.By, true, maxName)); err != nil {
			return err
		}
	}
	return nil
}

// applyProfile sets a person's profile in p.
func applyProfile(p *Plans, b *RecoveryProfile) {
	c := *b
	for i, x := range p.Recovery {
		if x.Person == c.Person {
			p.Recovery[i] = &c
			return
		}
	}
	p.Recovery = append(p.Recovery, &c)
}
