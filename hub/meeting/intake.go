package meeting

import (
	"slices"
	"time"
)

// Intake (triage, issue 16): a report reaches Veilig Thuis, which records it, judges three
// questions — acute danger, structural unsafety, a harmful multi-problem situation — and sends
// the family on (paper: "Triage aan de poort van Veilig Thuis"). An intake precedes a case, so it
// is its own small aggregate: one record, decided here by pure functions (no clock: every
// command carries its time, and the public holidays come in with it), kept by the server.

// Routes an intake may take.
const (
	RouteMDAAcute      = "mda_acute"      // MDA++ acuut
	RouteMDAStructural = "mda_structural" // MDA++ structureel
	RouteLocalField    = "local_field"    // lokaal veld: 1 gezin, 1 plan, 1 regisseur
	RouteAdvice        = "advice"         // advies
	RouteClose         = "close"          // afsluiten
)

var intakeRoutes = map[string]bool{RouteMDAAcute: true, RouteMDAStructural: true, RouteLocalField: true, RouteAdvice: true, RouteClose: true}

// Answers to a judgement.
const (
	AnswerYes     = "yes"
	AnswerNo      = "no"
	AnswerUnknown = "unknown"
)

// Judgement is one of the three triage questions: yes, no or unknown, with a reason. An
// empty answer is a question skipped (only the multi-problem question, when structural
// unsafety is yes).
type Judgement struct {
	Answer string `json:"answer"`
	Reason string `json:"reason"`
}

// Judgements are the three questions of the triage.
type Judgements struct {
	// Acute: is there acute danger — must something happen within 24 hours?
	Acute Judgement `json:"acute"`
	// Structural: is there structural, serious unsafety?
	Structural Judgement `json:"structural"`
	// MultiProblem: is the family's situation harmful through many problems at once?
	MultiProblem Judgement `json:"multiProblem"`
}

// Reporter is who made the report and how they hear back.
type Reporter struct {
	// Kind: police, school, gp, neighbour, self, other.
	Kind     string `json:"kind"`
	Name     string `json:"name,omitempty"`
	Feedback string `json:"feedback,omitempty"`
}

// Incident is a fact of the report: what happened, who towards whom, when.
type Incident struct {
	What    string `json:"what"`
	From    string `json:"from,omitempty"`
	Towards string `json:"towards,omitempty"`
	When    string `json:"when,omitempty"`
}

// PoliceInfo is earlier police information (professionals only, always).
type PoliceInfo struct {
	// Kind: earlier_report, violence, sexual_offence, firearms.
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// IntakeChange is one line of an intake's history: the route changed, the case started, the
// intake closed.
type IntakeChange struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	What   string    `json:"what"`
	Route  string    `json:"route,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Intake is one report and its triage.
type Intake struct {
	ID string `json:"id"`
	// Received is when the report came in, with the zone it was given in (the day of the
	// deadlines is the day there).
	Received       time.Time  `json:"received"`
	Recorded       time.Time  `json:"recorded"`
	RecordedBy     string     `json:"recordedBy"`
	RecordedByName string     `json:"recordedByName"`
	Organisation   string     `json:"organisation,omitempty"`
	Reporter       Reporter   `json:"reporter"`
	Persons        []Person   `json:"persons"`
	Incidents      []Incident `json:"incidents"`
	// Violence: physical, psychological, sexual, neglect, other.
	Violence []string     `json:"violence"`
	Police   []PoliceInfo `json:"police"`
	// Vulnerabilities: addiction, psychiatric, intellectual, physical_health.
	Vulnerabilities []string   `json:"vulnerabilities"`
	Judgements      Judgements `json:"judgements"`
	// Proposed is the route that follows from the judgements; Route the one taken, with
	// RouteReason when it differs.
	Proposed    string    `json:"proposed"`
	Route       string    `json:"route"`
	RouteReason string    `json:"routeReason,omitempty"`
	Deadlines   Deadlines `json:"deadlines"`
	// CaseID is the case started from the intake; Closed is when it closed without one.
	CaseID  string         `json:"caseId,omitempty"`
	Closed  *time.Time     `json:"closed,omitempty"`
	History []IntakeChange `json:"history"`
}

// Deadlines of an intake.
type Deadlines struct {
	// SafetyMeeting is when a safety meeting must have been held (acute: received + 24 h).
	SafetyMeeting *time.Time `json:"safetyMeeting,omitempty"`
	// Assessment is the last day of the safety assessment ("2006-01-02"): five working days
	// after the day received.
	Assessment string `json:"assessment"`
}

// ProposeRoute is the route that follows from the judgements (paper §2 and §6.2): acute danger
// → MDA++ acuut; structural unsafety → MDA++ structureel; a harmful multi-problem situation →
// lokaal veld; nothing yes but something unknown — the grey area the paper sends to the local
// field ("omdat men voorlopig concludeert dat de onveiligheid 'niet structureel' is") → lokaal
// veld; all no → afsluiten. Advies is never proposed: the professional chooses it, with a reason
// (a request for advice rather than a report).
func ProposeRoute(j Judgements) string {
	switch {
	case j.Acute.Answer == AnswerYes:
		return RouteMDAAcute
	case j.Structural.Answer == AnswerYes:
		return RouteMDAStructural
	case j.MultiProblem.Answer == AnswerYes:
		return RouteLocalField
	case j.Acute.Answer == AnswerUnknown || j.Structural.Answer == AnswerUnknown || j.MultiProblem.Answer == AnswerUnknown:
		return RouteLocalField
	}
	return RouteClose
}

// checkJudgements: every question answered yes, no or unknown with a reason; the
// multi-problem question may be skipped (empty) when structural unsafety is yes.
func checkJudgements(j Judgements) error {
	for _, q := range []struct {
		name string
		j    Judgement
		skip bool
	}{
		{"acuut gevaar", j.Acute, false},
		{"structurele onveiligheid", j.Structural, false},
		{"multiproblematiek", j.MultiProblem, j.Structural.Answer == AnswerYes},
	} {
		if q.j.Answer == "" && q.skip && q.j.Reason == "" {
			continue
		}
		if q.j.Answer != AnswerYes && q.j.Answer != AnswerNo && q.j.Answer != AnswerUnknown {
			return invalid("%s: antwoord ja, nee of onbekend", "%s: answer yes, no or unknown", q.name)
		}
		if err := checkText(q.name+": reden", q.j.Reason, true, maxText); err != nil {
			return err
		}
	}
	return nil
}

// AddWorkingDays returns the day n working days (Monday to Friday, not a holiday) after day;
// holidays are days "2006-01-02". Only the date of day counts.
func AddWorkingDays(day time.Time, n int, holidays []string) time.Time {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || slices.Contains(holidays, d.Format(time.DateOnly)) {
			continue
		}
		n--
	}
	return d
}

// AssessmentDays is the term of the safety assessment in working days (Uitvoeringsbesluit
// Wmo 2015 art. 4.1.7: "zo spoedig mogelijk, doch uiterlijk binnen vijf werkdagen").
const AssessmentDays = 5

// deadlinesFor returns the deadlines of a report received at received on route.
func deadlinesFor(received time.Time, route string, holidays []string) Deadlines {
	d := Deadlines{Assessment: AddWorkingDays(received, AssessmentDays, holidays).Format(time.DateOnly)}
	if route == RouteMDAAcute {
		t := received.Add(24 * time.Hour)
		d.SafetyMeeting = &t
	}
	return d
}

// Intake states in the team overview.
const (
	IntakeOpen     = "open"
	IntakeDueToday = "due_today"
	IntakeOverdue  = "overdue"
	IntakeDone     = "done"
)

// StateAt is the intake's state at now: done once a case started or the intake closed;
// otherwise overdue past its deadline (the acute safety meeting, or the end of the assessment
// day, in the zone it was received in), due today on the deadline's day (an acute intake is due
// today until it is overdue: "binnen 24 uur"), else open.
func (in *Intake) StateAt(now time.Time) string {
	if in.CaseID != "" || in.Closed != nil {
		return IntakeDone
	}
	loc := in.Received.Location()
	now = now.In(loc)
	if sm := in.Deadlines.SafetyMeeting; sm != nil {
		if now.After(*sm) {
			return IntakeOverdue
		}
		return IntakeDueToday
	}
	today := now.Format(time.DateOnly)
	switch {
	case today > in.Deadlines.Assessment:
		return IntakeOverdue
	case today == in.Deadlines.Assessment:
		return IntakeDueToday
	}
	return IntakeOpen
}

// Due is the moment the intake's first deadline ends (for sorting the overview).
func (in *Intake) Due() time.Time {
	if sm := in.Deadlines.SafetyMeeting; sm != nil {
		return *sm
	}
	d, _ := time.ParseInLocation(time.DateOnly, in.Deadlines.Assessment, in.Received.Location())
	return d.AddDate(0, 0, 1)
}
