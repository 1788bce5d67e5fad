package meeting

// Withholding marks a plan entry "niet zichtbaar voor" named persons of the case (family or
// network members linked to a participant at admission). Whoever may record the entry may
// mark it. The reason is kept for professionals; the people it is withheld from, and everyone
// else outside the professionals' audience, see neither the entry's markings nor the reason.
type Withholding struct {
	// HiddenFrom lists the case persons (subject or family ids) the entry is withheld from.
	HiddenFrom []string `json:"hiddenFrom,omitempty"`
	// HiddenReason says why, for professionals only (optional).
	HiddenReason string `json:"hiddenReason,omitempty"`
}

// withholding gives access to an entry's markings (every plan entry embeds Withholding).
func (w *Withholding) withholding() *Withholding { return w }

// withheldEntry is a plan entry that can be withheld from persons.
type withheldEntry interface{ withholding() *Withholding }

// checkWithholding validates a marking of a new entry: known persons, no repeats, a short
// reason, and a reason only with persons.
func (d *decider) checkWithholding(w Withholding) (Withholding, error) {
	if len(w.HiddenFrom) == 0 {
		if w.HiddenReason != "" {
			return Withholding{}, invalid("een reden hoort bij 'niet zichtbaar voor'", "a reason needs 'hidden from' persons")
		}
		return Withholding{}, nil
	}
	if len(w.HiddenFrom) > maxItems {
		return Withholding{}, invalid("te veel personen bij 'niet zichtbaar voor'", "too many 'hidden from' persons")
	}
	seen := map[string]bool{}
	for _, id := range w.HiddenFrom {
		if !d.s.isPerson(id) {
			return Withholding{}, notFound("persoon", id)
		}
		if seen[id] {
			return Withholding{}, invalid("persoon %q staat twee keer bij 'niet zichtbaar voor'", "person %q is named twice in 'hidden from'", id)
		}
		seen[id] = true
	}
	if err := checkText("reden", w.HiddenReason, false, maxText); err != nil {
		return Withholding{}, err
	}
	return Withholding{HiddenFrom: append([]string(nil), w.HiddenFrom...), HiddenReason: w.HiddenReason}, nil
}

// isPerson reports whether id is a person of the case (a subject or a family member).
func (s *State) isPerson(id string) bool {
	if s.subject(id) != nil {
		return true
	}
	for _, f := range s.Family {
		if f.ID == id {
			return true
		}
	}
	return false
}

// withholdsFrom reports whether any plan entry is withheld from person.
func (p *Plans) withholdsFrom(person string) bool {
	found := false
	p.eachWithheld(func(w *Withholding) {
		for _, h := range w.HiddenFrom {
			found = found || h == person
		}
	})
	return found
}

// eachWithheld calls fn with the markings of every entry that has any.
func (p *Plans) eachWithheld(fn func(*Withholding)) {
	visit := func(w *Withholding) {
		if len(w.HiddenFrom) > 0 {
			fn(w)
		}
	}
	for _, e := range p.BottomLines {
		visit(&e.Withholding)
	}
	for _, e := range p.Agreements {
		visit(&e.Withholding)
	}
	for _, e := range p.Monitoring {
		visit(&e.Withholding)
	}
	for _, e := range p.RiskFactors {
		visit(&e.Withholding)
	}
	for _, e := range p.Goals {
		visit(&e.Withholding)
	}
	for _, e := range p.Future {
		visit(&e.Withholding)
	}
	for _, e := range p.Facts {
		visit(&e.Withholding)
	}
	for _, e := range p.Tasks {
		visit(&e.Withholding)
	}
}

// visibleEntries is the entries of in that v may see; outside the professionals' audience
// each is a copy without its markings. withheld reports whether any entry was left out.
func visibleEntries[T any, PT interface {
	*T
	withheldEntry
}](v Viewer, in []PT) (out []PT, withheld bool) {
	out = make([]PT, 0, len(in))
	pro := v.Audience() == AudienceProfessional
	for _, e := range in {
		w := e.withholding()
		switch {
		case v.hides(w.HiddenFrom):
			withheld = true
		case pro || len(w.HiddenFrom) == 0 && w.HiddenReason == "":
			out = append(out, e)
		default:
			c := *e
			PT(&c).withholding().HiddenFrom, PT(&c).withholding().HiddenReason = nil, ""
			out = append(out, PT(&c))
		}
	}
	return out, withheld
}

// redactEntry is an event body as v may see it, false when it is a plan entry withheld from
// v; outside the professionals' audience a marked entry becomes a copy without markings.
func redactEntry(data any, v Viewer) (any, bool) {
	we, ok := data.(withheldEntry)
	if !ok {
		return data, true
	}
	w := we.withholding()
	if v.hides(w.HiddenFrom) {
		return nil, false
	}
	if v.Audience() == AudienceProfessional || len(w.HiddenFrom) == 0 && w.HiddenReason == "" {
		return data, true
	}
	return unmarkedBody(data), true
}

// unmarkedBody is a copy of a plan entry without its markings.
func unmarkedBody(data any) any {
	switch e := data.(type) {
	case *BottomLine:
		return unmarked(e)
	case *Agreement:
		return unmarked(e)
	case *CheckIn:
		return unmarked(e)
	case *RiskFactor:
		return unmarked(e)
	case *Goal:
		return unmarked(e)
	case *FutureEntry:
		return unmarked(e)
	case *Fact:
		return unmarked(e)
	case *MonitoringTask:
		return unmarked(e)
	case *Withdrawal:
		return unmarked(e)
	}
	return data
}

// unmarked is a copy of e without its markings.
func unmarked[T any, PT interface {
	*T
	withheldEntry
}](e PT) PT {
	c := *e
	PT(&c).withholding().HiddenFrom, PT(&c).withholding().HiddenReason = nil, ""
	return PT(&c)
}
