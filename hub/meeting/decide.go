package meeting

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Field limits.
const (
	maxID    = 64
	maxName  = 200
	maxText  = 4000
	maxItems = 200
)

// Decide checks cmd against the rules for the case in s, acting as ctx.Actor at ctx.Now, and
// returns the events it produces (with sequences following s.Seq), or an *Error. It never
// changes s (nor cmd). A command that changes nothing returns no events and no error. Commands
// are pointers (only *CreateCase, *Join, … implement Command); a nil command is invalid.
func Decide(s *State, cmd Command, ctx Context) ([]Event, error) {
	if s == nil {
		s = NewState()
	}
	if v := reflect.ValueOf(cmd); cmd == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, invalid("lege opdracht", "empty command")
	}
	if ctx.Actor.ID == "" {
		return nil, forbidden("onbekende afzender", "unknown sender")
	}
	if !createsCase(cmd) && !s.Created {
		return nil, notFound("casus", s.ID)
	}
	if s.Life.Closed && !openWhenClosed(cmd) {
		return nil, conflict("de casus is gesloten", "the case is closed")
	}
	// Times are kept in UTC, without a monotonic reading, so that the state rebuilt from the
	// stored log (through JSON) equals the state the events were applied to.
	ctx.Now = ctx.Now.UTC()
	d := &decider{s: s, ctx: ctx}
	if err := cmd.decide(d); err != nil {
		return nil, err
	}
	return d.events, nil
}

// createsCase reports whether cmd may come before the case exists.
func createsCase(cmd Command) bool {
	switch cmd.(type) {
	case *CreateCase, *StartFromIntake:
		return true
	}
	return false
}

type decider struct {
	s      *State
	ctx    Context
	events []Event
}

func (d *decider) emit(typ, meeting string, vis Visibility, data any) {
	n := len(d.events)
	d.events = append(d.events, Event{
		Seq:        d.s.Seq + uint64(n) + 1,
		ID:         d.ctx.CommandID + ":" + itoa(n),
		Type:       typ,
		Time:       d.ctx.Now,
		Actor:      d.ctx.Actor.ID,
		Meeting:    meeting,
		Visibility: vis,
		Data:       data,
	})
}

// newID returns the given id after checking it, or a fresh one derived from the sequence.
func (d *decider) newID(given, prefix string, exists func(string) bool) (string, error) {
	id := given
	if id == "" {
		id = freeID(prefix+itoa(int(d.s.Seq)+1), exists)
	}
	if err := checkID(id); err != nil {
		return "", err
	}
	if exists(id) {
		return "", conflict("%q bestaat al", "%q already exists", id)
	}
	return id, nil
}

// freeID returns base, or else the first of base-2, base-3, … that is not taken: a generated
// id never collides with one a client chose.
func freeID(base string, taken func(string) bool) string {
	id := base
	for k := 2; taken(id); k++ {
		id = base + "-" + itoa(k)
	}
	return id
}

func checkID(id string) error {
	if id == "" || len(id) > maxID {
		return invalid("ongeldige id %q", "invalid id %q", id)
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return invalid("ongeldige id %q", "invalid id %q", id)
		}
	}
	return nil
}

// checkText validates a free-text field: required or not, at most max runes, valid UTF-8.
func checkText(field, v string, required bool, max int) error {
	if !utf8.ValidString(v) {
		return invalid("%s is geen geldige tekst", "%s is not valid text", field)
	}
	if required && strings.TrimSpace(v) == "" {
		return invalid("%s is verplicht", "%s is required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return invalid("%s is te lang (max %d tekens)", "%s is too long (max %d characters)", field, max)
	}
	return nil
}

// Each command is decided by its own method of decider; the table below lists every command
// once, and a command type without a line here does not satisfy Command.
func (c *CreateCase) decide(d *decider) error         { return d.createCase(c) }
func (c *AddSubject) decide(d *decider) error         { return d.addSubject(c) }
func (c *AddFamilyMember) decide(d *decider) error    { return d.addFamilyMember(c) }
func (c *SetPolicy) decide(d *decider) error          { return d.setPolicy(c) }
func (c *SetPhase) decide(d *decider) error           { return d.setPhase(c) }
func (c *ScheduleMeeting) decide(d *decider) error    { return d.scheduleMeeting(c) }
func (c *StartMeeting) decide(d *decider) error       { return d.startMeeting(c) }
func (c *CloseMeeting) decide(d *decider) error       { return d.closeMeeting(c) }
func (c *SetFamilyAdvisory) decide(d *decider) error  { return d.setFamilyAdvisory(c) }
func (c *SetAutoReveal) decide(d *decider) error      { return d.setAutoReveal(c) }
func (c *SetDisplayLanguage) decide(d *decider) error { return d.setDisplayLanguage(c) }
func (c *Join) decide(d *decider) error               { return d.join(c) }
func (c *Admit) decide(d *decider) error              { return d.admit(c) }
func (c *Remove) decide(d *decider) error {
	return d.removeParticipant(c.Meeting, c.Participant, "participant.removed", true)
}
func (c *Leave) decide(d *decider) error {
	return d.removeParticipant(c.Meeting, d.ctx.Actor.ID, "participant.left", false)
}
func (c *SetRole) decide(d *decider) error             { return d.setRole(c) }
func (c *HandOver) decide(d *decider) error            { return d.handOver(c) }
func (c *AddItem) decide(d *decider) error             { return d.addItem(c) }
func (c *MoveItem) decide(d *decider) error            { return d.moveItem(c) }
func (c *OpenItem) decide(d *decider) error            { return d.openItem(c) }
func (c *CloseItem) decide(d *decider) error           { return d.closeItem(c) }
func (c *SuspendItem) decide(d *decider) error         { return d.suspendItem(c) }
func (c *OpenRound) decide(d *decider) error           { return d.openRound(c) }
func (c *SubmitScore) decide(d *decider) error         { return d.submitScore(c) }
func (c *RevealRound) decide(d *decider) error         { return d.revealRound(c) }
func (c *AddBottomLine) decide(d *decider) error       { return d.addBottomLine(c) }
func (c *SetBottomLineStatus) decide(d *decider) error { return d.setBottomLineStatus(c) }
func (c *AddAgreement) decide(d *decider) error        { return d.addAgreement(c) }
func (c *SetAgreementStatus) decide(d *decider) error  { return d.setAgreementStatus(c) }
func (c *TakeOnAgreement) decide(d *decider) error     { return d.takeOnAgreement(c) }
func (c *AddCheckIn) decide(d *decider) error          { return d.addCheckIn(c) }
func (c *AddEscalation) decide(d *decider) error       { return d.addEscalation(c) }
func (c *AddResearchPart) decide(d *decider) error     { return d.addResearchPart(c) }
func (c *AddRiskFactor) decide(d *decider) error       { return d.addRiskFactor(c) }
func (c *AddGoal) decide(d *decider) error             { return d.addGoal(c) }
func (c *EvaluateGoal) decide(d *decider) error        { return d.evaluateGoal(c) }
func (c *AddFutureEntry) decide(d *decider) error      { return d.addFutureEntry(c) }
func (c *RetireSafetyPlan) decide(d *decider) error    { return d.retireSafetyPlan() }
func (c *AddFact) decide(d *decider) error             { return d.addFact(c) }
func (c *RecordDecision) decide(d *decider) error      { return d.recordDecision(c) }
func (c *ConfirmPlan) decide(d *decider) error         { return d.confirmPlan(c) }
func (c *TransferDirection) decide(d *decider) error   { return d.transferDirection(c) }
func (c *SetDirectorContact) decide(d *decider) error  { return d.setDirectorContact(c) }
func (c *PlanMonitoring) decide(d *decider) error      { return d.planMonitoring(c) }
func (c *RecordGateReason) decide(d *decider) error    { return d.recordGateReason(c) }
func (c *ReviseBottomLine) decide(d *decider) error    { return d.reviseBottomLine(c) }
func (c *ReviseAgreement) decide(d *decider) error     { return d.reviseAgreement(c) }
func (c *ReviseGoal) decide(d *decider) error          { return d.reviseGoal(c) }
func (c *ReviseRiskFactor) decide(d *decider) error    { return d.reviseRiskFactor(c) }
func (c *ReviseFutureEntry) decide(d *decider) error   { return d.reviseFutureEntry(c) }
func (c *WithdrawEntry) decide(d *decider) error       { return d.withdrawEntry(c) }
func (c *CloseCase) decide(d *decider) error           { return d.closeCase(c) }
func (c *ReopenCase) decide(d *decider) error          { return d.reopenCase(c) }
func (c *SetLegalHold) decide(d *decider) error        { return d.setLegalHold(c) }
func (c *ApproveDeletion) decide(d *decider) error     { return d.approveDeletion() }
func (c *CorrectEntry) decide(d *decider) error        { return d.correctEntry(c) }
func (c *AddStatement) decide(d *decider) error        { return d.addStatement(c) }
func (c *RequestDestruction) decide(d *decider) error  { return d.requestDestruction(c) }
func (c *DecideDestruction) decide(d *decider) error   { return d.decideDestruction(c) }

// Authorisation helpers.

// requireChair: the actor chairs meeting m.
func (d *decider) requireChair(m *Meeting) error {
	if m.Chair != d.ctx.Actor.ID {
		return forbidden("alleen de voorzitter mag dit", "only the chair may do this")
	}
	return nil
}

// requireCaseLead: the casusregisseur, or the chair of the meeting in progress.
func (d *decider) requireCaseLead() error {
	if d.isDirector() {
		return nil
	}
	if m := d.s.inProgress(); m != nil && m.Chair == d.ctx.Actor.ID {
		return nil
	}
	return forbidden("alleen de casusregisseur of de voorzitter mag dit", "only the case director or the chair may do this")
}

// meetingInProgress finds meeting id (or the one in progress when id is empty) and requires
// it to be in progress.
func (d *decider) meetingInProgress(id string) (*Meeting, error) {
	var m *Meeting
	if id == "" {
		m = d.s.inProgress()
		if m == nil {
			return nil, conflict("er is geen overleg bezig", "no meeting is in progress")
		}
		return m, nil
	}
	m = d.s.meeting(id)
	if m == nil {
		return nil, notFound("overleg", id)
	}
	if m.Status != MeetingInProgress {
		return nil, conflict("overleg %q is niet bezig", "meeting %q is not in progress", id)
	}
	return m, nil
}

// Case set-up.

func (d *decider) createCase(c *CreateCase) error {
	if d.s.Created {
		return conflict("deze casus bestaat al", "this case already exists")
	}
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals maken een casus aan", "only professionals create a case")
	}
	if err := checkID(c.ID); err != nil {
		return err
	}
	if err := checkText("titel", c.Title, true, maxName); err != nil {
		return err
	}
	persons, err := d.casePersons(c)
	if err != nil {
		return err
	}
	if err := checkPolicy(c.Policy, true); err != nil {
		return err
	}
	d.emit("case.created", "", VisibleAll, &CaseCreated{
		ID: c.ID, Title: c.Title, Owner: d.ctx.Actor.ID, OwnerName: d.ctx.Actor.Name, OwnerOrganisation: d.ctx.Actor.Organisation,
		Persons: persons,
		Policy:  c.Policy.withDefaults(d.ctx.Defaults),
	})
	return nil
}

func (d *decider) checkPerson(id, name string, seen map[string]bool) error {
	if err := checkID(id); err != nil {
		return err
	}
	if seen[id] {
		return conflict("%q bestaat al", "%q already exists", id)
	}
	seen[id] = true
	return checkText("naam", name, true, maxName)
}

func checkPolicy(p Policy, zeroOK bool) error {
	ok := func(v, lo, hi int) bool { return (zeroOK && v == 0) || (v >= lo && v <= hi) }
	if !ok(p.Quorum, 1, 50) || !ok(p.StableMeetings, 1, 20) || !ok(p.StableDays, 0, 365) {
		return invalid("beleid buiten bereik (Q 1–50, K 1–20, D 0–365)", "policy out of range (Q 1–50, K 1–20, D 0–365)")
	}
	return nil
}

func (d *decider) personIDs() map[string]bool {
	seen := map[string]bool{}
	for _, p := range d.s.Persons {
		seen[p.ID] = true
	}
	return seen
}

// addSubject and addFamilyMember are the first version's commands: they add a person.
func (d *decider) addSubject(c *AddSubject) error {
	return d.addPerson(personFromSubject(c.Subject), "s")
}

func (d *decider) addFamilyMember(c *AddFamilyMember) error {
	return d.addPerson(personFromFamily(c.FamilyMember), "f")
}

func (d *decider) setPolicy(c *SetPolicy) error {
	if !d.isDirector() {
		return forbidden("alleen de casusregisseur stelt het beleid in", "only the case director sets the policy")
	}
	if err := checkPolicy(c.Policy, false); err != nil {
		return err
	}
	p := c.Policy
	d.emit("policy.set", "", VisibleAll, &p)
	if m := d.s.inProgress(); m != nil { // a higher Q, K or D may end direct or stable safety
		after := *d.s
		after.Policy = p
		d.suspendLocked(&after, m, m)
	}
	return nil
}

// setPhase moves the phase: back at any time; forward one step, guarded by the gate
// (2–4 need direct safety, 5 needs stable safety).
func (d *decider) setPhase(c *SetPhase) error {
	if err := d.requireCaseLead(); err != nil {
		return err
	}
	if c.Phase < 1 || c.Phase > 5 {
		return invalid("fase moet 1 tot 5 zijn", "phase must be 1 to 5")
	}
	if c.Phase == d.s.Phase {
		return nil
	}
	if c.Phase > d.s.Phase+1 {
		return conflict("de fase gaat één stap per keer vooruit", "the phase moves forward one step at a time")
	}
	if c.Phase > d.s.Phase {
		if direct, lows := d.s.DirectSafety(); !direct {
			return gateError(gateLock("direct_safety", lows, "Fase "+itoa(c.Phase)+" vraagt directe veiligheid — ", "Phase "+itoa(c.Phase)+" needs direct safety — "))
		}
		if c.Phase == 5 && !d.s.StableSafety() {
			return gateError(&Lock{Rule: "stable_safety", NL: "Fase 5 vraagt stabiele veiligheid: " + streakText(d.s, "nl"), EN: "Phase 5 needs stable safety: " + streakText(d.s, "en")})
		}
	}
	d.emit("phase.set", "", VisibleAll, &PhaseSet{Phase: c.Phase})
	return nil
}
