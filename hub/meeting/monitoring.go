package meeting

import (
	"sort"
	"time"
)

// Monitoring as a schedule (paper §3.2: "Iedere week heeft de casusregisseur contact met
// moeder…", §3.5): an agreement or a monitoring task has an owner and a schedule; a check-in
// has a real date and names what it checks; what is due and overdue follows from the schedule,
// the check-ins and a time given by the caller (the domain has no clock).

// Day is the layout of a date without a time ("2006-01-02").
const Day = "2006-01-02"

// MaxCheckInAge is how far back a check-in may be dated (a check-in is recorded soon after
// the contact); a date may also be at most one day ahead of the command's time (time zones).
const MaxCheckInAge = 90

// DueWindow is how many days ahead Due lists what is coming.
const DueWindow = 7

// Schedule is a recurring check: from Start, every Every days, until Until (optional).
type Schedule struct {
	Start string `json:"start"`
	Every int    `json:"every"`
	Until string `json:"until,omitempty"`
}

// parseDay reads a Day; ok is false for anything else.
func parseDay(v string) (time.Time, bool) {
	t, err := time.Parse(Day, v)
	return t, err == nil
}

// dayOf is the date of t in UTC, at midnight.
func dayOf(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func (sc *Schedule) check() error {
	start, ok := parseDay(sc.Start)
	if !ok {
		return invalid("begindatum is een datum (jjjj-mm-dd)", "start is a date (yyyy-mm-dd)")
	}
	if sc.Every < 1 || sc.Every > 365 {
		return invalid("om de hoeveel dagen: 1 tot 365", "every how many days: 1 to 365")
	}
	if sc.Until != "" {
		until, ok := parseDay(sc.Until)
		if !ok || until.Before(start) {
			return invalid("einddatum is een datum na de begindatum", "until is a date after the start")
		}
	}
	return nil
}

// MonitoringTask is a monitoring task between meetings: who checks what, on which schedule,
// for which agreement or bottom line (professionals only).
type MonitoringTask struct {
	ID string `json:"id"`
	// What is checked, e.g. "Contact met moeder".
	What     string   `json:"what"`
	Owner    Owner    `json:"owner"`
	Schedule Schedule `json:"schedule"`
	// Person is the case person the contact is with, if any.
	Person     string `json:"person,omitempty"`
	Agreement  string `json:"agreement,omitempty"`
	BottomLine string `json:"bottomLine,omitempty"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the meeting it was planned in and its withdrawal.
	Changes
}

// PlanMonitoring plans a monitoring task (the case director, or the chair of the meeting in
// progress; between meetings too).
type PlanMonitoring struct {
	MonitoringTask
}

// DueItem is a scheduled check that is due, overdue, or due within DueWindow days.
type DueItem struct {
	// Kind is "agreement" or "task".
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	What   string `json:"what"`
	Owner  Owner  `json:"owner"`
	Person string `json:"person,omitempty"`
	// Due is the day the next check-in is due.
	Due string `json:"due"`
	// Days late: > 0 overdue, 0 due today, < 0 due in -Days days.
	Days    int  `json:"days"`
	Overdue bool `json:"overdue"`
	// Last is the date of the latest check-in linked to it, if any.
	Last string `json:"last,omitempty"`
}

// Due lists the scheduled checks (open agreements with a schedule, monitoring tasks; neither
// withdrawn) that are overdue, due, or due within DueWindow days on the day of now, overdue
// first. The next check is due Every days after the latest check-in linked to it (not before
// Start); after Until the schedule has ended. now is the caller's time: the command's, or the
// reader's (the day is its UTC date).
func (s *State) Due(now time.Time) []DueItem {
	today := dayOf(now)
	last := map[string]time.Time{}
	for _, ci := range s.Plans.Monitoring {
		d, ok := parseDay(ci.Date)
		if !ok {
			continue
		}
		for _, key := range []string{"agreement:" + ci.Agreement, "task:" + ci.Task} {
			if key[len(key)-1] != ':' && d.After(last[key]) {
				last[key] = d
			}
		}
	}
	var out []DueItem
	add := func(kind, id, what string, owner Owner, person string, sc Schedule) {
		start, ok := parseDay(sc.Start)
		if !ok || sc.Every < 1 {
			return
		}
		next := start
		it := DueItem{Kind: kind, ID: id, What: what, Owner: owner, Person: person}
		if l, ok := last[kind+":"+id]; ok {
			it.Last = l.Format(Day)
			if n := l.AddDate(0, 0, sc.Every); n.After(next) {
				next = n
			}
		}
		if until, ok := parseDay(sc.Until); ok && (next.After(until) || today.After(until)) {
			return // the schedule has ended
		}
		it.Days = int(today.Sub(next).Hours() / 24)
		if it.Days < -DueWindow {
			return
		}
		it.Due, it.Overdue = next.Format(Day), it.Days > 0
		out = append(out, it)
	}
	for _, a := range s.Plans.Agreements {
		if a.Schedule != nil && a.Status == "open" && a.Withdrawn == nil {
			add("agreement", a.ID, a.Action, a.Owner, "", *a.Schedule)
		}
	}
	for _, t := range s.Plans.Tasks {
		if t.Withdrawn == nil {
			add("task", t.ID, t.What, t.Owner, t.Person, t.Schedule)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Days > out[j].Days })
	return out
}

// checkCheckInDate: a real date, not more than a day ahead of now, at most MaxCheckInAge days
// back.
func checkCheckInDate(v string, now time.Time) error {
	d, ok := parseDay(v)
	if !ok {
		return invalid("de datum van het contact is een datum (jjjj-mm-dd)", "the date of the contact is a date (yyyy-mm-dd)")
	}
	today := dayOf(now)
	if d.After(today.AddDate(0, 0, 1)) {
		return invalid("een contact ligt niet in de toekomst", "a contact is not in the future")
	}
	if d.Before(today.AddDate(0, 0, -MaxCheckInAge)) {
		return invalid("een contact van meer dan %d dagen geleden legt u niet meer vast", "a contact more than %d days ago is not recorded any more", MaxCheckInAge)
	}
	return nil
}

// addCheckIn records monitoring: any professional, in or between meetings, without the gate.
// The check-in has a real date and names what it checks: an agreement, a bottom line or a
// monitoring task (none withdrawn); whoever records it is linked to it.
func (d *decider) addCheckIn(c *AddCheckIn) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals leggen monitoring vast", "only professionals record monitoring")
	}
	p := &d.s.Plans
	ci := c.CheckIn
	id, err := d.newID(ci.ID, "mo", func(id string) bool { return has(p.Monitoring, id) })
	if err != nil {
		return err
	}
	ci.ID, ci.ByID = id, d.ctx.Actor.ID
	if ci.By == "" {
		ci.By = d.ctx.Actor.Name
	}
	if err := checkTexts(req("datum", ci.Date, 40), opt("door", ci.By, maxName), opt("hoe het werkte", ci.HowItWorked, maxText), opt("zorgen", ci.Concerns, maxText)); err != nil {
		return err
	}
	if err := checkCheckInDate(ci.Date, d.ctx.Now); err != nil {
		return err
	}
	if ci.Agreement == "" && ci.BottomLine == "" && ci.Task == "" {
		return invalid("zeg welke afspraak, bodemeis of monitoringtaak dit contact toetst", "say which agreement, bottom line or monitoring task this contact checks")
	}
	if err := d.inForce(ci.Agreement, ci.BottomLine, "", ci.Task); err != nil {
		return err
	}
	if ci.Person != "" && !d.s.isPerson(ci.Person) {
		return notFound("persoon", ci.Person)
	}
	w, err := d.checkWithholding(ci.Withholding)
	if err != nil {
		return err
	}
	ci.Withholding = w
	d.emit("monitoring.added", meetingID(d.s.inProgress()), VisibleProfessionals, &ci)
	return nil
}

// inForce checks that each named plan entry exists and is not withdrawn.
func (d *decider) inForce(agreement, bottomLine, goal, task string) error {
	p := &d.s.Plans
	check := func(what, id string, ch *Changes, ok bool) error {
		if id == "" {
			return nil
		}
		if !ok {
			return notFound(what, id)
		}
		if ch.Withdrawn != nil {
			return conflict("%s %q is ingetrokken", "%s %q has been withdrawn", what, id)
		}
		return nil
	}
	a, okA := findByID(p.Agreements, agreement)
	b, okB := findByID(p.BottomLines, bottomLine)
	g, okG := findByID(p.Goals, goal)
	t, okT := findByID(p.Tasks, task)
	for _, err := range []error{
		check("afspraak", agreement, changesOf(a, okA), okA),
		check("bodemeis", bottomLine, changesOf(b, okB), okB),
		check("doel", goal, changesOf(g, okG), okG),
		check("monitoringtaak", task, changesOf(t, okT), okT),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// changesOf is e's changes, or empty changes when e was not found.
func changesOf[T interface{ changes() *Changes }](e T, ok bool) *Changes {
	if !ok {
		return &Changes{}
	}
	return e.changes()
}

// planMonitoring plans a monitoring task: the case director, or the chair of the meeting in
// progress; in or between meetings, without the gate (like check-ins).
func (d *decider) planMonitoring(c *PlanMonitoring) error {
	if err := d.requireCaseLead(); err != nil {
		return err
	}
	p := &d.s.Plans
	t := c.MonitoringTask
	id, err := d.newID(t.ID, "mt", func(id string) bool { return has(p.Tasks, id) })
	if err != nil {
		return err
	}
	t.ID, t.Changes = id, Changes{}
	if t.Owner.Participant != "" {
		q := d.s.atTable(t.Owner.Participant)
		if q == nil {
			return notFound("deelnemer", t.Owner.Participant)
		}
		t.Owner.Name = q.Name
	}
	if t.Owner.Participant == "" && t.Owner.Name == "" {
		t.Owner = Owner{Participant: d.ctx.Actor.ID, Name: d.ctx.Actor.Name}
	}
	if err := checkTexts(req("wat", t.What, maxName), req("wie", t.Owner.Name, maxName)); err != nil {
		return err
	}
	if err := t.Schedule.check(); err != nil {
		return err
	}
	if t.Person != "" && !d.s.isPerson(t.Person) {
		return notFound("persoon", t.Person)
	}
	if err := d.inForce(t.Agreement, t.BottomLine, "", ""); err != nil {
		return err
	}
	w, err := d.checkWithholding(t.Withholding)
	if err != nil {
		return err
	}
	t.Withholding = w
	d.emit("monitoring.planned", meetingID(d.s.inProgress()), VisibleProfessionals, &t)
	return nil
}

// addEscalation records an escalation (opschaling): in a meeting its chair, under the gate of
// the safety section; between meetings the case director (paper §3.5: monitoring between
// meetings is what finds the reason to escalate).
func (d *decider) addEscalation(c *AddEscalation) error {
	e := c.Escalation
	m := d.s.inProgress()
	if m != nil {
		if _, err := d.planGate(SectionSafety, true); err != nil {
			return err
		}
		e.Between = false
	} else {
		if !d.isDirector() {
			return forbidden("tussen de overleggen legt de casusregisseur opschaling vast", "between meetings the case director records escalation")
		}
		e.Between = true
	}
	var err error
	if e.ID, err = d.newID(e.ID, "es", func(id string) bool { return has(d.s.Plans.Escalations, id) }); err != nil {
		return err
	}
	if !escalationKinds[e.Kind] {
		return invalid("onbekende vorm van opschaling %q", "unknown escalation kind %q", e.Kind)
	}
	if err := checkTexts(req("besluit", e.Decision, maxText), opt("reden", e.Reason, maxText), opt("wie", e.Who, maxName), opt("wanneer", e.When, maxName)); err != nil {
		return err
	}
	if e.CheckIn != "" && !has(d.s.Plans.Monitoring, e.CheckIn) {
		return notFound("contact", e.CheckIn)
	}
	if err := d.inForce("", e.BottomLine, "", ""); err != nil {
		return err
	}
	d.emit("escalation.added", meetingID(m), VisibleProfessionals, &e)
	return nil
}
