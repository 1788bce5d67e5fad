package meeting

import "time"

// Commands of the case's life and of the family's rights (lifecycle.go).

// CloseCase closes the case (the care ends): the retention clock starts.
type CloseCase struct {
	// Reason says why the case closes (required).
	Reason string `json:"reason"`
	// Route selects the organisation's retention rule (Context.Retention); empty is the
	// default route.
	Route string `json:"route,omitempty"`
	// YoungestBirthYear is the birth year of the youngest subject, from the intake, when no
	// subject of the case has one.
	YoungestBirthYear int `json:"youngestBirthYear,omitempty"`
}

// ReopenCase makes a closed case active again (new concerns); its retention clock stops.
type ReopenCase struct {
	Reason string `json:"reason"`
}

// SetLegalHold puts the case under a legal hold (the clock stops) or lifts it.
type SetLegalHold struct {
	Hold   bool   `json:"hold"`
	Reason string `json:"reason"`
}

// ApproveDeletion is one professional's approval to delete the case at the end of its
// retention; a second professional's approval completes it (four eyes).
type ApproveDeletion struct{}

// CorrectEntry corrects a factual error in an entry: the entry shows Text from then on; the
// previous text, who and why stay for professionals.
type CorrectEntry struct {
	EntryRef
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// AddStatement attaches a person's own statement (eigen verklaring) to an entry.
type AddStatement struct {
	ID string `json:"id"`
	EntryRef
	Person string `json:"person"`
	Text   string `json:"text"`
}

// RequestDestruction records a parent's or young person's (from 12) request to destroy the
// file before its retention ends.
type RequestDestruction struct {
	ID     string `json:"id"`
	Person string `json:"person"`
	Reason string `json:"reason"`
}

// DecideDestruction is one professional's decision on a request for destruction; a second
// professional deciding the same makes it final.
type DecideDestruction struct {
	ID     string `json:"id"`
	Grant  bool   `json:"grant"`
	Reason string `json:"reason"`
}

// openWhenClosed reports whether cmd may be decided for a closed case: the case's life, the
// family's rights and who holds the case (a hand-over during retention); nothing that changes
// the care.
func openWhenClosed(cmd Command) bool {
	switch cmd.(type) {
	case *CloseCase, *ReopenCase, *SetLegalHold, *ApproveDeletion, *CorrectEntry, *AddStatement,
		*RequestDestruction, *DecideDestruction, *ConfirmPlan, *TransferDirection, *SetDirectorContact:
		return true
	}
	return false
}

// minAgeForDestruction is the age from which a young person may ask for destruction.
const minAgeForDestruction = 12

func (d *decider) closeCase(c *CloseCase) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur sluit de casus", "only the case director closes the case")
	}
	if d.s.Life.Closed {
		return conflict("de casus is al gesloten", "the case is already closed")
	}
	if d.s.inProgress() != nil {
		return conflict("sluit eerst het overleg dat bezig is", "close the meeting in progress first")
	}
	if err := checkTexts(req("reden", c.Reason, maxText), opt("route", c.Route, maxName)); err != nil {
		return err
	}
	route := c.Route
	if route == "" {
		route = DefaultRoute
	}
	if _, ok := d.ctx.Retention[route]; !ok && route != DefaultRoute {
		return invalid("onbekende route %q", "unknown route %q", route)
	}
	rule := ruleFor(d.ctx.Retention, route)
	youngest := 0
	for _, s := range d.s.Subjects {
		youngest = max(youngest, s.BirthYear)
	}
	if youngest == 0 {
		youngest = c.YoungestBirthYear
	}
	if youngest != 0 && (youngest < 1900 || youngest > d.ctx.Now.Year()) {
		return invalid("geboortejaar %d kan niet", "birth year %d is not possible", youngest)
	}
	if rule.UntilAge > 0 && youngest == 0 {
		return invalid("geef het geboortejaar van het jongste kind: de casus wordt bewaard tot het %d is",
			"give the birth year of the youngest child: the case is kept until they are %d", rule.UntilAge)
	}
	d.emit("case.closed", "", VisibleAll, &CaseClosed{Reason: c.Reason, Route: route, Rule: rule, YoungestBirthYear: youngest,
		RetainUntil: retainUntil(d.ctx.Now, rule, youngest)})
	return nil
}

func (d *decider) reopenCase(c *ReopenCase) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur heropent de casus", "only the case director reopens the case")
	}
	if !d.s.Life.Closed {
		return conflict("de casus is niet gesloten", "the case is not closed")
	}
	if err := checkText("reden", c.Reason, true, maxText); err != nil {
		return err
	}
	d.emit("case.reopened", "", VisibleAll, &CaseReopened{Reason: c.Reason})
	return nil
}

func (d *decider) setLegalHold(c *SetLegalHold) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur zet een bewaarplicht", "only the case director sets a legal hold")
	}
	if c.Hold == (d.s.Life.Hold != nil) {
		return nil
	}
	if err := checkText("reden", c.Reason, c.Hold, maxText); err != nil {
		return err
	}
	d.emit("case.legal_hold_set", "", VisibleProfessionals, &LegalHoldSet{Hold: c.Hold, Reason: c.Reason})
	return nil
}

func (d *decider) approveDeletion() error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals keuren verwijderen goed", "only professionals approve a deletion")
	}
	if d.s.DeletionApproved() {
		return nil
	}
	if !d.s.DueForDeletion(d.ctx.Now) {
		if end, ok := d.s.RetentionEnd(); ok {
			return conflict("de bewaartermijn loopt tot %s", "the retention period lasts until %s", dateText(end))
		}
		if d.s.Life.Hold != nil {
			return conflict("de casus valt onder een bewaarplicht", "the case is under a legal hold")
		}
		return conflict("de casus is niet gesloten", "the case is not closed")
	}
	for _, a := range d.s.Life.Approvals {
		if a.By == d.ctx.Actor.ID {
			return nil // the same professional twice is still one pair of eyes
		}
	}
	d.emit("case.deletion_approved", "", VisibleProfessionals, &Approval{By: d.ctx.Actor.ID, Name: d.ctx.Actor.Name, At: d.ctx.Now})
	return nil
}

// checkTarget finds the entry ref names, for a correction or a statement.
func (d *decider) checkTarget(ref EntryRef) (entryTarget, error) {
	t, ok := d.s.Plans.target(ref)
	if !ok {
		return entryTarget{}, notFound("onderdeel", ref.Kind+"/"+ref.Entry)
	}
	return t, nil
}

func (d *decider) correctEntry(c *CorrectEntry) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals corrigeren een onderdeel; vraag het de casusregisseur", "only professionals correct an entry; ask the case director")
	}
	t, err := d.checkTarget(c.EntryRef)
	if err != nil {
		return err
	}
	if err := checkTexts(req("tekst", c.Text, maxText), req("reden", c.Reason, maxText)); err != nil {
		return err
	}
	if c.Text == *t.text {
		return nil
	}
	d.emit("entry.corrected", "", visibility(t.professionalsOnly), &Correction{EntryRef: c.EntryRef, Text: c.Text, Previous: *t.text,
		Reason: c.Reason, By: d.ctx.Actor.Name, At: d.ctx.Now, ProfessionalsOnly: t.professionalsOnly, Withholding: t.w})
	return nil
}

// actsFor reports whether the actor may act for person: a professional, or the person
// themselves (a participant the chair linked to them).
func (d *decider) actsFor(person string) bool {
	if d.ctx.Actor.Professional {
		return true
	}
	for _, m := range d.s.Meetings {
		if p := m.participant(d.ctx.Actor.ID); p != nil && p.Person == person {
			return true
		}
	}
	return false
}

// personName is the name of a case person, or "" when id is none.
func (s *State) personName(id string) string {
	if sub := s.subject(id); sub != nil {
		return sub.Name
	}
	if f := s.familyMember(id); f != nil {
		return f.Name
	}
	return ""
}

func (d *decider) addStatement(c *AddStatement) error {
	name := d.s.personName(c.Person)
	if name == "" {
		return notFound("persoon", c.Person)
	}
	if !d.actsFor(c.Person) {
		return forbidden("alleen de persoon zelf of een professional legt een eigen verklaring vast", "only the person or a professional records a statement")
	}
	t, err := d.checkTarget(c.EntryRef)
	if err != nil {
		return err
	}
	if t.professionalsOnly && !d.ctx.Actor.Professional || d.viewerHides(t.w) {
		return notFound("onderdeel", c.EntryRef.Kind+"/"+c.Entry)
	}
	id, err := d.newID(c.ID, "st", func(id string) bool {
		for _, s := range d.s.Plans.Statements {
			if s.ID == id {
				return true
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	if err := checkText("verklaring", c.Text, true, maxText); err != nil {
		return err
	}
	d.emit("statement.added", "", visibility(t.professionalsOnly), &Statement{ID: id, EntryRef: c.EntryRef, Person: c.Person, Name: name,
		Text: c.Text, By: d.ctx.Actor.Name, At: d.ctx.Now, ProfessionalsOnly: t.professionalsOnly, Withholding: t.w})
	return nil
}

// viewerHides reports whether an entry with markings w is withheld from the actor (someone
// who is not a professional, linked to a person it is withheld from).
func (d *decider) viewerHides(w Withholding) bool {
	if d.ctx.Actor.Professional {
		return false
	}
	for _, m := range d.s.Meetings {
		if p := m.participant(d.ctx.Actor.ID); p != nil && p.Person != "" && (Viewer{Hidden: []string{p.Person}}).hides(w.HiddenFrom) {
			return true
		}
	}
	return false
}

func (d *decider) requestDestruction(c *RequestDestruction) error {
	name := d.s.personName(c.Person)
	if name == "" {
		return notFound("persoon", c.Person)
	}
	if !d.actsFor(c.Person) {
		return forbidden("alleen de persoon zelf of een professional legt een verzoek vast", "only the person or a professional records a request")
	}
	if sub := d.s.subject(c.Person); sub != nil && sub.BirthYear > 0 && d.ctx.Now.Year()-sub.BirthYear < minAgeForDestruction {
		return invalid("%s is jonger dan %d: een ouder vraagt het", "%s is younger than %d: a parent asks", name, minAgeForDestruction)
	}
	id, err := d.newID(c.ID, "vv", func(id string) bool { return d.s.destruction(id) != nil })
	if err != nil {
		return err
	}
	if err := checkText("toelichting", c.Reason, false, maxText); err != nil {
		return err
	}
	d.emit("destruction.requested", "", VisibleAll, &DestructionRequest{ID: id, Person: c.Person, Name: name, Reason: c.Reason,
		By: d.ctx.Actor.Name, At: d.ctx.Now, Status: DestructionOpen})
	return nil
}

func (d *decider) decideDestruction(c *DecideDestruction) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals beslissen over vernietiging", "only professionals decide on destruction")
	}
	r := d.s.destruction(c.ID)
	if r == nil {
		return notFound("verzoek", c.ID)
	}
	if r.Status == DestructionGranted || r.Status == DestructionRefused {
		return conflict("over dit verzoek is al beslist", "this request has been decided")
	}
	if err := checkText("reden", c.Reason, true, maxText); err != nil {
		return err
	}
	dec := &DestructionDecision{ID: c.ID, Grant: c.Grant, Reason: c.Reason, By: d.ctx.Actor.ID, Name: d.ctx.Actor.Name}
	p := r.Decision
	switch {
	case p == nil || p.Grant != c.Grant:
		d.emit("destruction.proposed", "", VisibleAll, dec) // a first decision, or a different one
	case p.By == d.ctx.Actor.ID:
		return conflict("een tweede professional moet de beslissing bevestigen", "a second professional must confirm the decision")
	default:
		dec.By, dec.Name, dec.Reason = p.By, p.Name, p.Reason
		dec.Second, dec.SecondName = d.ctx.Actor.ID, d.ctx.Actor.Name
		d.emit("destruction.decided", "", VisibleAll, dec)
	}
	return nil
}

// dateText is a date as the messages give it.
func dateText(t time.Time) string { return t.Format("2-1-2006") }

// redactNote is a correction or statement as v may see it: for the family's audience without
// the previous text, the reason, who corrected, and the markings.
func redactNote(data any, v Viewer) any {
	if v.Audience() == AudienceProfessional {
		return data
	}
	switch n := data.(type) {
	case *Correction:
		c := *n
		c.Previous, c.Reason, c.By, c.Withholding = "", "", "", Withholding{}
		return &c
	case *Statement:
		c := *n
		c.Withholding = Withholding{}
		return &c
	}
	return data
}

// checkBirthYear accepts no birth year (0) or a plausible one.
func checkBirthYear(y int) error {
	if y != 0 && (y < 1900 || y > 2200) {
		return invalid("geboortejaar %d kan niet", "birth year %d is not possible", y)
	}
	return nil
}
