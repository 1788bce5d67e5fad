package meeting

// One record per person (issue 16). A person of the case is entered once, with two flags: at
// risk (their safety is scored) and household (a member of the family, for agreements and
// recovery plans). The mother of the Janna case is one person with both flags. The lists
// State.Subjects and State.Family are derived from State.Persons after every change, so the
// rules that speak of subjects (rounds, consensus, the gate) and of the household stay as they
// were. Logs written before persons existed (case.created with subjects and family,
// subject.added, family.added) are replayed into persons: a subject becomes a person at risk, a
// family member a household person, ids unchanged — nothing is lost.

// Person is one person of the case.
type Person struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Relation string `json:"relation,omitempty"`
	// BirthYear, when known, counts for the retention of the case (lifecycle.go).
	BirthYear int `json:"birthYear,omitempty"`
	// AtRisk: the person's safety is scored (a subject of the rounds).
	AtRisk bool `json:"atRisk"`
	// Household: the person belongs to the family (recovery plans, agreements).
	Household bool `json:"household"`
}

// AddPerson adds a person to the case (case.add_person).
type AddPerson struct {
	Person
}

// SetPerson changes a person's name, relation, birth year and flags (case.set_person).
type SetPerson struct {
	Person
}

// Kind implements Command.
func (*AddPerson) Kind() string { return "case.add_person" }

// Kind implements Command.
func (*SetPerson) Kind() string { return "case.set_person" }

func (c *AddPerson) decide(d *decider) error { return d.addPerson(c.Person, "p") }
func (c *SetPerson) decide(d *decider) error { return d.setPerson(c.Person) }

// personFromSubject and personFromFamily replay the shapes of the first version.
func personFromSubject(s Subject) Person {
	return Person{ID: s.ID, Name: s.Name, BirthYear: s.BirthYear, AtRisk: true}
}

func personFromFamily(f FamilyMember) Person {
	return Person{ID: f.ID, Name: f.Name, Relation: f.Relation, Household: true}
}

// derivePersons rebuilds Subjects and Family from Persons, in the persons' order.
func (s *State) derivePersons() {
	s.Subjects, s.Family = nil, nil
	for _, p := range s.Persons {
		if p.AtRisk {
			s.Subjects = append(s.Subjects, Subject{ID: p.ID, Name: p.Name, BirthYear: p.BirthYear})
		}
		if p.Household {
			s.Family = append(s.Family, FamilyMember{ID: p.ID, Name: p.Name, Relation: p.Relation})
		}
	}
}

// person returns the person with id, or nil.
func (s *State) person(id string) *Person {
	for i := range s.Persons {
		if s.Persons[i].ID == id {
			return &s.Persons[i]
		}
	}
	return nil
}

// applyPerson folds person.added and person.updated (and the first version's subject.added and
// family.added) into s.
func applyPerson(s *State, typ string, p Person) {
	if typ == "person.updated" {
		if x := s.person(p.ID); x != nil {
			*x = p
		}
	} else if s.person(p.ID) == nil {
		s.Persons = append(s.Persons, p)
	}
	s.derivePersons()
}

// casePersons merges the persons of a case.create command: the persons given, then the first
// version's subjects and family (every id once across all three).
func (d *decider) casePersons(c *CreateCase) ([]Person, error) {
	var out []Person
	seen := map[string]bool{}
	add := func(p Person, prefix string, i int) error {
		if p.ID == "" {
			p.ID = prefix + itoa(i+1)
		}
		if err := d.checkPerson(p.ID, p.Name, seen); err != nil {
			return err
		}
		if err := checkPersonFields(p); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}
	for i, p := range c.Persons {
		if err := add(p, "p", i); err != nil {
			return nil, err
		}
	}
	for i, sub := range c.Subjects {
		if err := add(personFromSubject(sub), "s", i); err != nil {
			return nil, err
		}
	}
	for i, f := range c.Family {
		if err := add(personFromFamily(f), "f", i); err != nil {
			return nil, err
		}
	}
	if n := countAtRisk(out); n == 0 || n > 20 {
		return nil, invalid("een casus heeft 1 tot 20 personen om wie het gaat", "a case has 1 to 20 subjects")
	}
	return out, nil
}

func countAtRisk(ps []Person) int {
	n := 0
	for _, p := range ps {
		if p.AtRisk {
			n++
		}
	}
	return n
}

// checkPersonFields checks what a person carries besides id and name.
func checkPersonFields(p Person) error {
	if !p.AtRisk && !p.Household {
		return invalid("een persoon loopt risico, hoort bij het huishouden, of beide", "a person is at risk, of the household, or both")
	}
	if err := checkBirthYear(p.BirthYear); err != nil {
		return err
	}
	return checkText("relatie", p.Relation, false, maxName)
}

func (d *decider) addPerson(p Person, prefix string) error {
	if err := d.requireCaseLead(); err != nil {
		return err
	}
	ids := d.personIDs()
	if p.ID == "" {
		p.ID = freeID(prefix+itoa(int(d.s.Seq)+1), func(id string) bool { return ids[id] })
	}
	if err := d.checkPerson(p.ID, p.Name, ids); err != nil {
		return err
	}
	if err := checkPersonFields(p); err != nil {
		return err
	}
	if p.AtRisk {
		if err := d.canAddSubject(); err != nil {
			return err
		}
	}
	d.emit("person.added", "", VisibleAll, &p)
	if p.AtRisk {
		d.suspendAfterNewSubject(p)
	}
	return nil
}

// canAddSubject refuses a new person at risk while a round is open, or beyond 20.
func (d *decider) canAddSubject() error {
	if m := d.s.inProgress(); m != nil && m.openRound() != nil {
		return conflict("er loopt een ronde: voeg personen toe na de onthulling", "a round is open: add subjects after the reveal")
	}
	if len(d.s.Subjects) >= 20 {
		return invalid("maximaal 20 personen", "at most 20 subjects")
	}
	return nil
}

// suspendAfterNewSubject: a subject without a score ends direct safety.
func (d *decider) suspendAfterNewSubject(p Person) {
	if m := d.s.inProgress(); m != nil {
		after := *d.s
		after.Persons = append(append([]Person(nil), d.s.Persons...), p)
		after.derivePersons()
		d.suspendLocked(&after, m, m)
	}
}

// setPerson changes a person. Making someone at risk follows the rules of adding a subject; a
// person stays at risk once scored in a round (their scores would lose their subject).
func (d *decider) setPerson(p Person) error {
	if err := d.requireCaseLead(); err != nil {
		return err
	}
	old := d.s.person(p.ID)
	if old == nil {
		return notFound("persoon", p.ID)
	}
	if err := checkText("naam", p.Name, true, maxName); err != nil {
		return err
	}
	if err := checkPersonFields(p); err != nil {
		return err
	}
	if *old == p {
		return nil
	}
	if old.AtRisk && !p.AtRisk && d.s.everScored(p.ID) {
		return conflict("%q is al gescoord en blijft persoon om wie het gaat", "%q has been scored and stays at risk", p.ID)
	}
	if !old.AtRisk && p.AtRisk {
		if err := d.canAddSubject(); err != nil {
			return err
		}
	}
	d.emit("person.updated", "", VisibleAll, &p)
	if !old.AtRisk && p.AtRisk {
		d.suspendAfterNewSubject(p)
	}
	return nil
}

// everScored reports whether any round of the case holds a score for subject.
func (s *State) everScored(subject string) bool {
	for _, m := range s.Meetings {
		for _, r := range m.Rounds {
			for _, bySubject := range r.Scores {
				if _, ok := bySubject[subject]; ok {
					return true
				}
			}
		}
	}
	return false
}
