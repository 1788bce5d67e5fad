package meeting

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

var vt = Actor{ID: "u:vt-triage", Name: "Vera (Veilig Thuis)", Professional: true, Organisation: "Veilig Thuis"}

func judge(acute, structural, multi string) Judgements {
	j := func(a string) Judgement {
		if a == "" {
			return Judgement{}
		}
		return Judgement{Answer: a, Reason: "omdat"}
	}
	return Judgements{Acute: j(acute), Structural: j(structural), MultiProblem: j(multi)}
}

// TestProposeRoute: the route follows from the three judgements.
func TestProposeRoute(t *testing.T) {
	for _, tc := range []struct{ a, s, m, want string }{
		{"yes", "yes", "yes", RouteMDAAcute},
		{"yes", "no", "no", RouteMDAAcute},
		{"no", "yes", "", RouteMDAStructural},
		{"unknown", "yes", "no", RouteMDAStructural},
		{"no", "no", "yes", RouteLocalField},
		{"no", "unknown", "no", RouteLocalField},
		{"no", "no", "unknown", RouteLocalField},
		{"unknown", "no", "no", RouteLocalField},
		{"no", "no", "no", RouteClose},
	} {
		if got := ProposeRoute(judge(tc.a, tc.s, tc.m)); got != tc.want {
			t.Errorf("%s/%s/%s: got %s, want %s", tc.a, tc.s, tc.m, got, tc.want)
		}
	}
}

func policeReport(id string, j Judgements) *RecordIntake {
	return &RecordIntake{ID: id, Received: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Reporter: Reporter{Kind: "police", Feedback: "via de wijkagent"},
		Persons: []Person{{ID: "moeder", Name: "Moeder", Relation: "moeder", AtRisk: true, Household: true},
			{ID: "vader", Name: "Vader", Relation: "vader", Household: true},
			{ID: "kind1", Name: "Sem", BirthYear: 2018, AtRisk: true, Household: true},
			{ID: "kind2", Name: "Lot", BirthYear: 2021, AtRisk: true, Household: true}},
		Incidents:  []Incident{{What: "Vader sloeg moeder in het bijzijn van de kinderen", From: "vader", Towards: "moeder", When: "2 december 2026, 22:00"}},
		Violence:   []string{"physical", "psychological"},
		Police:     []PoliceInfo{{Kind: "violence", Text: "Twee eerdere meldingen huiselijk geweld (2025)"}},
		Judgements: j}
}

func intakeCtx(now time.Time, holidays ...string) IntakeContext {
	return IntakeContext{Actor: vt, Now: now, Holidays: holidays, MayIntake: true}
}

// TestRecordIntake: the skip rule, reasons, the permission, and the route changed with a reason.
func TestRecordIntake(t *testing.T) {
	now := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	in, err := DecideIntake(nil, policeReport("i1", judge("no", "yes", "")), intakeCtx(now))
	if err != nil {
		t.Fatalf("structural yes, multi-problem skipped: %v", err)
	}
	if in.Proposed != RouteMDAStructural || in.Route != RouteMDAStructural || in.Deadlines.SafetyMeeting != nil {
		t.Errorf("route %s/%s, safety meeting %v; want mda_structural and no 24 h deadline", in.Proposed, in.Route, in.Deadlines.SafetyMeeting)
	}
	for name, j := range map[string]Judgements{
		"skip without structural yes": judge("no", "no", ""),
		"no reason":                   {Acute: Judgement{Answer: "no"}, Structural: Judgement{Answer: "yes", Reason: "x"}},
		"bad answer":                  judge("maybe", "yes", ""),
	} {
		if _, err := DecideIntake(nil, policeReport("i2", j), intakeCtx(now)); err == nil || err.(*Error).Code != CodeInvalid {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	ctx := intakeCtx(now)
	ctx.MayIntake = false
	if _, err := DecideIntake(nil, policeReport("i3", judge("no", "yes", "")), ctx); err == nil || err.(*Error).Code != CodeForbidden {
		t.Errorf("without the intake permission: got %v, want forbidden", err)
	}
	c := policeReport("i4", judge("no", "yes", ""))
	c.Route = RouteLocalField
	if _, err := DecideIntake(nil, c, intakeCtx(now)); err == nil {
		t.Error("another route without a reason: accepted")
	}
	c.RouteReason = "Gezin werkt al mee met het wijkteam"
	in2, err := DecideIntake(nil, c, intakeCtx(now))
	if err != nil || in2.Route != RouteLocalField || in2.Proposed != RouteMDAStructural {
		t.Fatalf("another route with a reason: %v %+v", err, in2)
	}
	if _, err := DecideIntake(in, &ChangeRoute{Route: RouteMDAAcute}, intakeCtx(now)); err == nil {
		t.Error("route change without a reason: accepted")
	}
	ch, err := DecideIntake(in, &ChangeRoute{Route: RouteMDAAcute, Reason: "Vader dreigt met een wapen"}, intakeCtx(now))
	if err != nil || ch.Route != RouteMDAAcute || ch.Deadlines.SafetyMeeting == nil || len(ch.History) != 2 || len(in.History) != 1 {
		t.Errorf("route change: %v %+v (the old intake must not change)", err, ch)
	}
}

// TestDeadlines: five working days, Monday to Friday, across a weekend and a configured
// holiday; acute: a safety meeting within 24 hours.
func TestDeadlines(t *testing.T) {
	thu := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC) // Thursday
	if got := AddWorkingDays(thu, 5, nil).Format(time.DateOnly); got != "2026-12-10" {
		t.Errorf("Thursday + 5 working days: got %s, want 2026-12-10 (across the weekend)", got)
	}
	if got := AddWorkingDays(thu, 5, []string{"2026-12-08"}).Format(time.DateOnly); got != "2026-12-11" {
		t.Errorf("with a holiday on Tuesday: got %s, want 2026-12-11", got)
	}
	xmas := time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC) // Wednesday
	if got := AddWorkingDays(xmas, 5, []string{"2026-12-25", "2026-12-26"}).Format(time.DateOnly); got != "2026-12-31" {
		t.Errorf("over Christmas: got %s, want 2026-12-31", got)
	}
	sat := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	if got := AddWorkingDays(sat, 5, nil).Format(time.DateOnly); got != "2026-12-11" {
		t.Errorf("received on a Saturday: got %s, want 2026-12-11", got)
	}
	acute := deadlinesFor(thu, RouteMDAAcute, nil)
	if acute.SafetyMeeting == nil || !acute.SafetyMeeting.Equal(thu.Add(24*time.Hour)) || acute.Assessment != "2026-12-10" {
		t.Errorf("acute deadlines: %+v", acute)
	}
}

// TestIntakeStateAt: open, due today, overdue and done follow from the command's time.
func TestIntakeStateAt(t *testing.T) {
	recv := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	in := &Intake{Received: recv, Deadlines: deadlinesFor(recv, RouteMDAStructural, nil)}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{recv.Add(time.Hour), IntakeOpen},
		{time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC), IntakeDueToday},
		{time.Date(2026, 12, 10, 23, 59, 0, 0, time.UTC), IntakeDueToday},
		{time.Date(2026, 12, 11, 0, 1, 0, 0, time.UTC), IntakeOverdue},
	} {
		if got := in.StateAt(tc.now); got != tc.want {
			t.Errorf("at %s: got %s, want %s", tc.now, got, tc.want)
		}
	}
	ac := &Intake{Received: recv, Deadlines: deadlinesFor(recv, RouteMDAAcute, nil)}
	if got := ac.StateAt(recv.Add(23 * time.Hour)); got != IntakeDueToday {
		t.Errorf("acute after 23 h: got %s, want due_today", got)
	}
	if got := ac.StateAt(recv.Add(25 * time.Hour)); got != IntakeOverdue {
		t.Errorf("acute after 25 h: got %s, want overdue", got)
	}
	ac.CaseID = "c1"
	if got := ac.StateAt(recv.Add(25 * time.Hour)); got != IntakeDone {
		t.Errorf("with a case: got %s, want done", got)
	}
}

// TestStartFromIntake: one command turns the intake into a case — persons, facts (police
// information professionals only), the first meeting at the deadline with a safety-only agenda
// and the research plan on the MDA++ routes; the local field goes to a local case director.
func TestStartFromIntake(t *testing.T) {
	now := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	in, err := DecideIntake(nil, policeReport("i1", judge("no", "yes", "")), intakeCtx(now))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.now = now
	h.do(vt, &StartFromIntake{ID: "c1", Title: "Gezin Sem en Lot", Intake: in})
	s := h.s
	if len(s.Persons) != 4 || len(s.Subjects) != 3 || len(s.Family) != 4 || s.Intake != "i1" || s.TriageRoute != RouteMDAStructural {
		t.Fatalf("case: %d persons, %d subjects, %d family, intake %q", len(s.Persons), len(s.Subjects), len(s.Family), s.Intake)
	}
	m := s.Meetings[0]
	if want := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC); !m.At.Equal(want) {
		t.Errorf("first meeting at %s, want %s", m.At, want)
	}
	for _, it := range m.Agenda {
		if it.Section != SectionSafety {
			t.Errorf("agenda item %s in section %s: want safety only", it.Kind, it.Section)
		}
	}
	if m.Agenda[len(m.Agenda)-1].Kind != KindResearchPlan {
		t.Errorf("MDA++ route: want the research plan on the agenda")
	}
	if len(s.Plans.Facts) != 2 || s.Plans.Facts[0].ProfessionalsOnly || !s.Plans.Facts[1].ProfessionalsOnly {
		t.Errorf("facts: %+v; want the incident for all and the police information professionals only", s.Plans.Facts)
	}
	fv := View(s, Viewer{ID: mother.ID, Role: RoleFamily})
	for _, f := range fv.Plans.Facts {
		if strings.Contains(f.Text, "Politie") {
			t.Errorf("family view holds police information: %q", f.Text)
		}
	}
	h.fail(vt, &StartFromIntake{ID: "c1", Title: "x", Intake: in}, CodeConflict)

	// The local field: the case goes to a local case director, without a research plan.
	loc := in.clone()
	loc.Route = RouteLocalField
	h2 := newHarness(t)
	h2.fail(vt, &StartFromIntake{ID: "c2", Title: "Gezin", Intake: loc}, CodeInvalid)
	h2.do(vt, &StartFromIntake{ID: "c2", Title: "Gezin", Intake: loc, Director: &DirectorRef{ID: "u:wijk", Name: "Wim (wijkteam)"}})
	if h2.s.Director().ID != "u:wijk" || h2.s.Meetings[0].Chair != "u:wijk" {
		t.Errorf("local field: director %+v, chair %s", h2.s.Director(), h2.s.Meetings[0].Chair)
	}
	for _, it := range h2.s.Meetings[0].Agenda {
		if it.Kind == KindResearchPlan {
			t.Error("local field: research plan on the agenda")
		}
	}
	// No case on the routes advice and close; none from a closed intake.
	adv := in.clone()
	adv.Route = RouteAdvice
	newHarness(t).fail(vt, &StartFromIntake{ID: "c3", Title: "x", Intake: adv}, CodeConflict)
	done := in.clone()
	done.CaseID = "c1"
	newHarness(t).fail(vt, &StartFromIntake{ID: "c4", Title: "x", Intake: done}, CodeConflict)
	newHarness(t).fail(mother, &StartFromIntake{ID: "c5", Title: "x", Intake: in}, CodeForbidden)
}

// TestPersonMigration replays a log written by the first version (subjects and family apart,
// testdata/log-v1-janna.jsonl, written by TestJanna before persons existed) into persons: no
// person, goal or score lost, ids unchanged, flags from where they were.
func TestPersonMigration(t *testing.T) {
	f, err := os.Open("testdata/log-v1-janna.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewState()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	var log []Event
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		s = Apply(s, e)
		log = append(log, e)
		n++
	}
	if n != 114 {
		t.Fatalf("replayed %d events, want 114", n)
	}
	want := []Person{
		{ID: "janna", Name: "Janna", AtRisk: true}, {ID: "moeder", Name: "moeder", AtRisk: true},
		{ID: "vader", Name: "Vader", Relation: "vader", Household: true}, {ID: "mama", Name: "Moeder", Relation: "moeder", Household: true},
		{ID: "broer", Name: "Broer", BirthYear: 2020, AtRisk: true}, {ID: "oma", Name: "Oma", Relation: "grootmoeder", Household: true},
	}
	if len(s.Persons) != len(want) {
		t.Fatalf("persons: got %+v", s.Persons)
	}
	for i := range want {
		if s.Persons[i] != want[i] {
			t.Errorf("person %d: got %+v, want %+v", i, s.Persons[i], want[i])
		}
	}
	if len(s.Subjects) != 3 || len(s.Family) != 3 || len(s.Plans.Goals) != 6 || len(s.Plans.RiskFactors) != 2 || len(s.Meetings) != 3 {
		t.Errorf("after replay: %d subjects, %d family, %d goals, %d risk factors, %d meetings", len(s.Subjects), len(s.Family), len(s.Plans.Goals), len(s.Plans.RiskFactors), len(s.Meetings))
	}
	if r := s.meeting("m3").lastRevealed(); r == nil || len(r.Scores) != 6 || r.Scores["u:vt"]["moeder"].Value == nil {
		t.Error("scores lost in the replay")
	}
	// The replayed case goes on in the new shape: the father becomes at risk too.
	h := newHarness(t)
	h.s, h.log, h.now = s, log, t0.AddDate(0, 7, 0)
	h.do(chair, &SetPerson{Person{ID: "vader", Name: "Vader", Relation: "vader", Household: true, AtRisk: true}})
	if len(h.s.Subjects) != 4 {
		t.Errorf("subjects after set_person: %d, want 4", len(h.s.Subjects))
	}
	h.fail(chair, &SetPerson{Person{ID: "janna", Name: "Janna", Household: true}}, CodeConflict)
}

// TestOnePersonBothFlags: the mother is one person, at risk and of the household.
func TestOnePersonBothFlags(t *testing.T) {
	h := newHarness(t)
	h.do(chair, &CreateCase{ID: "janna", Title: "Gezin van baby Janna", Persons: []Person{
		{ID: "janna", Name: "Janna", AtRisk: true},
		{ID: "moeder", Name: "Moeder", Relation: "moeder", AtRisk: true, Household: true},
		{ID: "vader", Name: "Vader", Relation: "vader", Household: true}}})
	if len(h.s.Subjects) != 2 || len(h.s.Family) != 2 || h.s.Family[0].ID != "moeder" {
		t.Errorf("subjects %+v family %+v", h.s.Subjects, h.s.Family)
	}
	h.fail(chair, &AddPerson{Person{ID: "moeder", Name: "Mama", Household: true}}, CodeConflict)
	h.fail(chair, &AddPerson{Person{ID: "oma", Name: "Oma"}}, CodeInvalid)
	h.do(chair, &AddPerson{Person{ID: "oma", Name: "Oma", Household: true}})
}
