package meeting

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// FuzzIntake decides random reports and route changes and checks: DecideIntake never panics,
// refuses with an *Error in both languages and never changes the intake it is given; a recorded
// intake's proposal follows ProposeRoute; the assessment's last day is a working day (not a
// weekend day, not a holiday), the fifth after the day received; the state moves forward only
// (open → due today → overdue) as time passes; an acute intake is due within 24 hours.
//
// Run: go test -run '^$' -fuzz=FuzzIntake -fuzztime=1m ./hub/meeting
func FuzzIntake(f *testing.F) {
	f.Add(uint8(0), uint8(1), uint8(3), int64(0), uint8(2), uint8(9))
	f.Add(uint8(1), uint8(0), uint8(0), int64(3600*30), uint8(0), uint8(1))
	f.Add(uint8(2), uint8(2), uint8(2), int64(86400*5), uint8(4), uint8(200))
	answers := []string{AnswerYes, AnswerNo, AnswerUnknown, "", "maybe"}
	holidays := []string{"2026-12-25", "2026-12-28", "2027-01-01"}
	f.Fuzz(func(t *testing.T, a, s, m uint8, offset int64, route uint8, hours uint8) {
		recv := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(offset%(86400*20)) * time.Second)
		j := func(x uint8) Judgement {
			ans := answers[int(x)%len(answers)]
			if ans == "" {
				return Judgement{}
			}
			return Judgement{Answer: ans, Reason: "r"}
		}
		cmd := policeReport("i1", Judgements{Acute: j(a), Structural: j(s), MultiProblem: j(m)})
		cmd.Received = recv
		ctx := IntakeContext{Actor: vt, Now: recv.Add(time.Hour), Holidays: holidays, MayIntake: true}
		in, err := DecideIntake(nil, cmd, ctx)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.NL == "" || de.EN == "" {
				t.Fatalf("error %v is not a *meeting.Error with both messages", err)
			}
			return
		}
		if in.Proposed != ProposeRoute(cmd.Judgements) || in.Route != in.Proposed {
			t.Fatalf("proposal %s, route %s, want %s", in.Proposed, in.Route, ProposeRoute(cmd.Judgements))
		}
		day, err := time.Parse(time.DateOnly, in.Deadlines.Assessment)
		if err != nil || day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || slices.Contains(holidays, in.Deadlines.Assessment) {
			t.Fatalf("assessment day %s is no working day", in.Deadlines.Assessment)
		}
		if d := day.Sub(time.Date(recv.Year(), recv.Month(), recv.Day(), 0, 0, 0, 0, time.UTC)); d < 5*24*time.Hour || d > 14*24*time.Hour {
			t.Fatalf("assessment %s is %v after the day received %s", in.Deadlines.Assessment, d, recv)
		}
		before := *in
		changed, err := DecideIntake(in, &ChangeRoute{Route: routesFuzz[int(route)%len(routesFuzz)], Reason: "r"}, ctx)
		if !reflectEqualIntake(&before, in) {
			t.Fatal("DecideIntake changed the intake it was given")
		}
		if err == nil {
			in = changed
		}
		order := map[string]int{IntakeOpen: 0, IntakeDueToday: 1, IntakeOverdue: 2}
		last := -1
		for h := 0; h < 24*16; h += 1 + int(hours)%23 {
			st := in.StateAt(recv.Add(time.Duration(h) * time.Hour))
			if order[st] < last {
				t.Fatalf("state went back to %s after %d hours", st, h)
			}
			last = order[st]
		}
		if in.Route == RouteMDAAcute && in.StateAt(recv.Add(23*time.Hour)) != IntakeDueToday {
			t.Fatal("an acute intake is not due within 24 hours")
		}
	})
}

var routesFuzz = []string{RouteMDAAcute, RouteMDAStructural, RouteLocalField, RouteAdvice, RouteClose, "elders"}

func reflectEqualIntake(a, b *Intake) bool {
	return a.Route == b.Route && a.RouteReason == b.RouteReason && a.Deadlines.Assessment == b.Deadlines.Assessment &&
		len(a.History) == len(b.History) && (a.Deadlines.SafetyMeeting == nil) == (b.Deadlines.SafetyMeeting == nil)
}
