package meeting

import (
	"slices"
	"time"
)

// IntakeContext is everything DecideIntake needs besides the intake and the command.
type IntakeContext struct {
	Actor Actor
	// Now is the time of the command.
	Now time.Time
	// Holidays are the public holidays ("2006-01-02") the organisation configured.
	Holidays []string
	// MayIntake: the actor holds the intake permission (Veilig Thuis staff).
	MayIntake bool
}

// RecordIntake records a report and its triage (intake.record). The route proposed follows
// from the judgements; Route may differ from it with RouteReason.
type RecordIntake struct {
	ID              string       `json:"id"`
	Received        time.Time    `json:"received"`
	Reporter        Reporter     `json:"reporter"`
	Persons         []Person     `json:"persons"`
	Incidents       []Incident   `json:"incidents"`
	Violence        []string     `json:"violence"`
	Police          []PoliceInfo `json:"police"`
	Vulnerabilities []string     `json:"vulnerabilities"`
	Judgements      Judgements   `json:"judgements"`
	Route           string       `json:"route"`
	RouteReason     string       `json:"routeReason"`
}

// ChangeRoute changes the route of an open intake, with a reason (intake.change_route).
type ChangeRoute struct {
	Route  string `json:"route"`
	Reason string `json:"reason"`
}

// CloseIntake closes an intake without a case — advice given, or nothing to do — with a
// reason (intake.close).
type CloseIntake struct {
	Reason string `json:"reason"`
}

var (
	reporterKinds   = map[string]bool{"police": true, "school": true, "gp": true, "neighbour": true, "self": true, "other": true}
	violenceKinds   = map[string]bool{"physical": true, "psychological": true, "sexual": true, "neglect": true, "other": true}
	policeKinds     = map[string]bool{"earlier_report": true, "violence": true, "sexual_offence": true, "firearms": true}
	vulnerabilities = map[string]bool{"addiction": true, "psychiatric": true, "intellectual": true, "physical_health": true}
)

// DecideIntake checks cmd (a *RecordIntake, *ChangeRoute or *CloseIntake) against the intake in
// (nil before it is recorded) and returns the new intake, or an *Error. It never changes in.
func DecideIntake(in *Intake, cmd any, ctx IntakeContext) (*Intake, error) {
	if ctx.Actor.ID == "" || !ctx.Actor.Professional || !ctx.MayIntake {
		return nil, forbidden("alleen wie intakes doet (Veilig Thuis) legt een melding vast", "only intake staff (Veilig Thuis) record a report")
	}
	switch c := cmd.(type) {
	case *RecordIntake:
		if in != nil {
			return nil, conflict("deze melding bestaat al", "this report exists already")
		}
		return recordIntake(c, ctx)
	case *ChangeRoute:
		if err := intakeOpen(in); err != nil {
			return nil, err
		}
		return changeRoute(in, c, ctx)
	case *CloseIntake:
		if err := intakeOpen(in); err != nil {
			return nil, err
		}
		if err := checkText("reden", c.Reason, true, maxText); err != nil {
			return nil, err
		}
		out := in.clone()
		t := ctx.Now.UTC()
		out.Closed = &t
		out.History = append(out.History, IntakeChange{At: t, By: ctx.Actor.Name, What: "closed", Reason: c.Reason})
		return out, nil
	}
	return nil, invalid("onbekende opdracht", "unknown command")
}

func intakeOpen(in *Intake) error {
	if in == nil {
		return notFound("melding", "")
	}
	if in.CaseID != "" || in.Closed != nil {
		return conflict("deze melding is al afgehandeld", "this report has been dealt with")
	}
	return nil
}

func (in *Intake) clone() *Intake {
	out := *in
	out.History = slices.Clone(in.History)
	return &out
}

func recordIntake(c *RecordIntake, ctx IntakeContext) (*Intake, error) {
	if err := checkIntake(c, ctx.Now); err != nil {
		return nil, err
	}
	proposed := ProposeRoute(c.Judgements)
	route, reason := proposed, ""
	if c.Route != "" && c.Route != proposed {
		if !intakeRoutes[c.Route] {
			return nil, invalid("onbekende route %q", "unknown route %q", c.Route)
		}
		if err := checkText("reden van de andere route", c.RouteReason, true, maxText); err != nil {
			return nil, err
		}
		route, reason = c.Route, c.RouteReason
	}
	t := ctx.Now.UTC()
	in := &Intake{ID: c.ID, Received: c.Received, Recorded: t, RecordedBy: ctx.Actor.ID, RecordedByName: ctx.Actor.Name,
		Organisation: ctx.Actor.Organisation, Reporter: c.Reporter, Persons: slices.Clone(c.Persons),
		Incidents: slices.Clone(c.Incidents), Violence: slices.Clone(c.Violence), Police: slices.Clone(c.Police),
		Vulnerabilities: slices.Clone(c.Vulnerabilities), Judgements: c.Judgements,
		Proposed: proposed, Route: route, RouteReason: reason, Deadlines: deadlinesFor(c.Received, route, ctx.Holidays),
		History: []IntakeChange{{At: t, By: ctx.Actor.Name, What: "recorded", Route: route, Reason: reason}}}
	return in, nil
}

func changeRoute(in *Intake, c *ChangeRoute, ctx IntakeContext) (*Intake, error) {
	if !intakeRoutes[c.Route] {
		return nil, invalid("onbekende route %q", "unknown route %q", c.Route)
	}
	if err := checkText("reden", c.Reason, true, maxText); err != nil {
		return nil, err
	}
	if c.Route == in.Route {
		return in, nil
	}
	out := in.clone()
	out.Route, out.RouteReason = c.Route, c.Reason
	out.Deadlines = deadlinesFor(in.Received, c.Route, ctx.Holidays)
	out.History = append(out.History, IntakeChange{At: ctx.Now.UTC(), By: ctx.Actor.Name, What: "route_changed", Route: c.Route, Reason: c.Reason})
	return out, nil
}

// checkIntake checks the fields of a report.
func checkIntake(c *RecordIntake, now time.Time) error {
	if err := checkID(c.ID); err != nil {
		return err
	}
	if c.Received.IsZero() || c.Received.After(now.Add(time.Hour)) {
		return invalid("wanneer kwam de melding binnen?", "when did the report come in?")
	}
	if !reporterKinds[c.Reporter.Kind] {
		return invalid("wie meldde: politie, school, huisarts, buren, de persoon zelf of anders", "who reported: police, school, GP, neighbour, the person themselves or other")
	}
	if err := firstErr(checkText("naam melder", c.Reporter.Name, false, maxName), checkText("terugkoppeling", c.Reporter.Feedback, false, maxText)); err != nil {
		return err
	}
	if err := checkIntakePersons(c.Persons); err != nil {
		return err
	}
	if err := checkIntakeFacts(c); err != nil {
		return err
	}
	return checkJudgements(c.Judgements)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkIntakePersons(ps []Person) error {
	if len(ps) == 0 || len(ps) > 40 {
		return invalid("noem de betrokkenen (1 tot 40)", "name the people involved (1 to 40)")
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if err := checkID(p.ID); err != nil {
			return err
		}
		if seen[p.ID] {
			return conflict("%q bestaat al", "%q already exists", p.ID)
		}
		seen[p.ID] = true
		if err := firstErr(checkText("naam", p.Name, true, maxName), checkPersonFields(p)); err != nil {
			return err
		}
	}
	if n := countAtRisk(ps); n == 0 || n > 20 {
		return invalid("1 tot 20 betrokkenen lopen risico", "1 to 20 of the people involved are at risk")
	}
	return nil
}

func checkIntakeFacts(c *RecordIntake) error {
	if len(c.Incidents) > maxItems || len(c.Police) > maxItems {
		return invalid("te veel feiten", "too many facts")
	}
	for _, x := range c.Incidents {
		if err := firstErr(checkText("wat er gebeurde", x.What, true, maxText), checkText("door", x.From, false, maxName),
			checkText("tegen", x.Towards, false, maxName), checkText("wanneer", x.When, false, maxName)); err != nil {
			return err
		}
	}
	for _, p := range c.Police {
		if !policeKinds[p.Kind] {
			return invalid("politie-informatie: eerdere melding, geweld, zedendelict of vuurwapens", "police information: earlier report, violence, sexual offence or firearms")
		}
		if err := checkText("politie-informatie", p.Text, true, maxText); err != nil {
			return err
		}
	}
	for _, v := range c.Violence {
		if !violenceKinds[v] {
			return invalid("onbekende vorm van geweld %q", "unknown form of violence %q", v)
		}
	}
	for _, v := range c.Vulnerabilities {
		if !vulnerabilities[v] {
			return invalid("onbekende kwetsbaarheid %q", "unknown vulnerability %q", v)
		}
	}
	return nil
}
