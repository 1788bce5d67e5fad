package meeting

import (
	"strings"
	"time"
)

// StartFromIntake turns an intake into a case (case.start_from_intake): its people become the
// case's persons, its incidents and police information the case's facts (police information
// professionals only), and the first meeting is scheduled at the deadline with a safety-only
// agenda — plus the research plan on the MDA++ routes. On the local-field route the case goes
// to a local case director (Director), who holds it and chairs the first meeting.
type StartFromIntake struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Intake  *Intake `json:"intake"`
	Meeting string  `json:"meeting"`
	// Director is the local case director (local-field route only): an account holder.
	Director *DirectorRef `json:"director,omitempty"`
}

// DirectorRef names a case director chosen outside a meeting.
type DirectorRef struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
}

// Kind implements Command.
func (*StartFromIntake) Kind() string { return "case.start_from_intake" }

func (c *StartFromIntake) decide(d *decider) error { return d.startFromIntake(c) }

// firstAgenda is the safety-only agenda of the first meeting after an intake.
func firstAgenda(route string) []ItemKind {
	kinds := []ItemKind{KindBottomLines, KindSafetyAgreements, KindMonitoring}
	if route == RouteMDAAcute || route == RouteMDAStructural {
		kinds = append(kinds, KindResearchPlan)
	}
	return kinds
}

// FirstMeetingAt is when the first meeting after an intake is planned: the acute safety
// meeting's deadline, else 09:00 on the last day of the safety assessment (in the zone the
// report was received in).
func FirstMeetingAt(in *Intake) time.Time {
	if sm := in.Deadlines.SafetyMeeting; sm != nil {
		return *sm
	}
	d, _ := time.ParseInLocation(time.DateOnly, in.Deadlines.Assessment, in.Received.Location())
	return d.Add(9 * time.Hour)
}

func (d *decider) startFromIntake(c *StartFromIntake) error {
	if d.s.Created {
		return conflict("deze casus bestaat al", "this case already exists")
	}
	in := c.Intake
	if err := d.checkStart(c); err != nil {
		return err
	}
	owner := Actor{ID: d.ctx.Actor.ID, Name: d.ctx.Actor.Name, Organisation: d.ctx.Actor.Organisation, Discipline: d.ctx.Actor.Discipline, Professional: true}
	if in.Route == RouteLocalField {
		owner = Actor{ID: c.Director.ID, Name: c.Director.Name, Organisation: c.Director.Organisation, Professional: true}
	}
	persons, err := d.casePersons(&CreateCase{Persons: in.Persons})
	if err != nil {
		return err
	}
	d.emit("case.created", "", VisibleAll, &CaseCreated{
		ID: c.ID, Title: c.Title, Owner: owner.ID, OwnerName: owner.Name, OwnerOrganisation: owner.Organisation,
		Persons: persons, Policy: DefaultPolicy.withDefaults(d.ctx.Defaults), Intake: in.ID, TriageRoute: in.Route,
	})
	for i, f := range intakeFacts(in) {
		d.emit("fact.added", "", visibility(f.ProfessionalsOnly), &Fact{ID: "fa-intake-" + itoa(i+1), Text: f.Text, By: in.RecordedByName, ProfessionalsOnly: f.ProfessionalsOnly})
	}
	mid := c.Meeting
	if mid == "" {
		mid = "m1"
	}
	agenda := []*AgendaItem{newItem(mid+"-a0", KindSafetyAssessment, "")}
	for i, k := range firstAgenda(in.Route) {
		agenda = append(agenda, newItem(mid+"-a"+itoa(i+1), k, ""))
	}
	d.emit("meeting.scheduled", mid, VisibleAll, &NewMeeting{
		ID: mid, Title: "Eerste veiligheidsoverleg", At: FirstMeetingAt(in).UTC(),
		Chair: Participant{ID: owner.ID, Name: owner.Name, Role: RoleChair, Status: Admitted, Professional: true,
			Organisation: owner.Organisation, Discipline: owner.Discipline},
		Agenda: agenda,
	})
	return nil
}

func (d *decider) checkStart(c *StartFromIntake) error {
	if !d.ctx.Actor.Professional {
		return forbidden("alleen professionals starten een casus", "only professionals start a case")
	}
	if err := firstErr(checkID(c.ID), checkText("titel", c.Title, true, maxName)); err != nil {
		return err
	}
	if c.Meeting != "" {
		if err := checkID(c.Meeting); err != nil {
			return err
		}
	}
	in := c.Intake
	if in == nil || in.ID == "" {
		return invalid("welke melding?", "which report?")
	}
	if in.CaseID != "" || in.Closed != nil {
		return conflict("deze melding is al afgehandeld", "this report has been dealt with")
	}
	switch in.Route {
	case RouteMDAAcute, RouteMDAStructural:
	case RouteLocalField:
		if c.Director == nil || checkID(c.Director.ID) != nil || strings.TrimSpace(c.Director.Name) == "" {
			return invalid("het lokale veld krijgt een lokale casusregisseur", "the local field gets a local case director")
		}
	default:
		return conflict("op de route %s begint geen casus", "no case starts on the route %s", in.Route)
	}
	if err := checkIntakePersons(in.Persons); err != nil {
		return err
	}
	return checkIntakeFacts(&RecordIntake{Incidents: in.Incidents, Police: in.Police})
}

// intakeFacts are the incidents (for everyone at the table) and the police information
// (professionals only) of an intake, as facts of the case.
func intakeFacts(in *Intake) []Fact {
	var out []Fact
	for _, x := range in.Incidents {
		t := x.What
		if x.From != "" || x.Towards != "" {
			t = strings.TrimSpace(x.From+" → "+x.Towards) + ": " + t
		}
		if x.When != "" {
			t += " (" + x.When + ")"
		}
		out = append(out, Fact{Text: "Melding: " + t})
	}
	for _, p := range in.Police {
		out = append(out, Fact{Text: "Politie (" + policeLabel[p.Kind] + "): " + p.Text, ProfessionalsOnly: true})
	}
	return out
}

var policeLabel = map[string]string{"earlier_report": "eerdere melding", "violence": "geweld", "sexual_offence": "zedendelict", "firearms": "vuurwapens"}
