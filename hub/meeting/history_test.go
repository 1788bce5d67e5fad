package meeting_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/casegen"
)

// twoYear is the two-year case of issue 19: 48 held meetings, the 49th started.
func twoYear(tb testing.TB) *meeting.State {
	tb.Helper()
	s, err := casegen.Run(nil, casegen.Case(48, true), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func encoded(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sight is reader r's viewer by the one rule (SightOf), which must let r see the case.
func sight(tb testing.TB, s *meeting.State, r meeting.Reader, now time.Time) meeting.Viewer {
	tb.Helper()
	sg := s.SightOf(r, meeting.Reading{Now: now})
	if sg.Kind != meeting.SightView {
		tb.Fatalf("%s may not see the case (sight %d)", r.ID, sg.Kind)
	}
	return sg.Viewer
}

// TestFirstViewOfTwoYearCase: the first view a phone receives in the two-year case is at most
// 24 KB, whoever holds the phone, and a year more of history does not make it grow.
func TestFirstViewOfTwoYearCase(t *testing.T) {
	s := twoYear(t)
	now := casegen.Start.AddDate(0, 0, 14*48)
	fam := casegen.Family(49)
	steps := []casegen.Step{{Actor: fam, Now: now, Cmd: &meeting.Join{Meeting: "m49"}},
		{Actor: casegen.Professionals()[0], Now: now, Cmd: &meeting.Admit{Meeting: "m49", Participant: fam.ID, Person: "moeder"}}}
	s, err := casegen.Run(s, steps, nil)
	if err != nil {
		t.Fatal(err)
	}
	pro := sight(t, s, meeting.Reader{ID: "u:pro2", Professional: true}, now)
	family := sight(t, s, meeting.Reader{ID: fam.ID, Meeting: "m49"}, now)
	for _, v := range []meeting.Viewer{pro, family} {
		n := len(encoded(t, meeting.View(s, v)))
		full := len(encoded(t, meeting.FullView(s, v)))
		t.Logf("%s: live view %d bytes, everything %d bytes", v.Key(), n, full)
		if n > 24*1024 {
			t.Errorf("%s: first view is %d bytes, want at most 24 KB", v.Key(), n)
		}
		if full < 2*n {
			t.Errorf("%s: the full view (%d bytes) is not much larger than the live view (%d): the case has no history?", v.Key(), full, n)
		}
	}
	// Another year: the live view of a professional stays the same size, give or take ids.
	longer, err := casegen.Run(nil, casegen.Case(74, true), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := len(encoded(t, meeting.View(s, pro)))
	pro74 := sight(t, longer, meeting.Reader{ID: "u:pro2", Professional: true}, now)
	b := len(encoded(t, meeting.View(longer, pro74)))
	if b > a+a/20 {
		t.Errorf("the live view grew from %d to %d bytes with a year more of history", a, b)
	}
}

// pages reads list as v sees it, a page of limit at a time, from the newest back, and returns
// the pages' entries oldest first.
func pages(t *testing.T, s *meeting.State, v meeting.Viewer, list string, limit int) []any {
	t.Helper()
	var out []any
	before := 0
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatalf("%s: the pages of %s do not end", v.Key(), list)
		}
		p, err := meeting.History(s, v, list, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []any
		switch list {
		case meeting.ListMeetings:
			for _, m := range p.Meetings {
				got = append(got, m.MeetingSummary)
			}
		case meeting.ListMonitoring:
			got = anys(p.Monitoring)
		case meeting.ListFacts:
			got = anys(p.Facts)
		case meeting.ListDecisions:
			got = anys(p.Decisions)
		case meeting.ListConfirmations:
			got = anys(p.Confirmations)
		}
		if len(got) > limit {
			t.Fatalf("%s: a page of %s holds %d entries, limit %d", v.Key(), list, len(got), limit)
		}
		out = append(got, out...)
		if p.Before == 0 {
			return out
		}
		if before != 0 && p.Before >= before {
			t.Fatalf("%s: the cursor of %s went from %d to %d", v.Key(), list, before, p.Before)
		}
		before = p.Before
	}
}

func anys[T any](in []T) []any {
	out := make([]any, len(in))
	for i, e := range in {
		out[i] = e
	}
	return out
}

// fullList is list of v's full view (everything v may see).
func fullList(cv meeting.CaseView, list string) []any {
	switch list {
	case meeting.ListMeetings:
		return anys(cv.Meetings)
	case meeting.ListMonitoring:
		return anys(cv.Plans.Monitoring)
	case meeting.ListFacts:
		return anys(cv.Plans.Facts)
	case meeting.ListDecisions:
		return anys(cv.Plans.Decisions)
	}
	return anys(cv.Plans.Confirmations)
}

var lists = []string{meeting.ListMeetings, meeting.ListMonitoring, meeting.ListFacts, meeting.ListDecisions, meeting.ListConfirmations}

// TestHistoryObeysTheVisibilityRule: read page by page, the history of every kind of reader is
// exactly what the one rule lets them see of the case (FullView) — the family member sees no
// professionals-only fact, no check-in and nothing withheld from her person; an invitee bound
// to one meeting sees nothing of other meetings; the live view's recent lists are the last
// entries of the same, and its cursors lead to the rest.
func TestHistoryObeysTheVisibilityRule(t *testing.T) {
	s := twoYear(t)
	now := casegen.Start.AddDate(0, 0, 14*48)
	// The mother invited to meeting 48 (closed, still within her day to read) and to meeting
	// 49 (open, admitted); the shared screen; a professional.
	steps := []casegen.Step{{Actor: casegen.Family(49), Now: now, Cmd: &meeting.Join{Meeting: "m49"}},
		{Actor: casegen.Professionals()[0], Now: now, Cmd: &meeting.Admit{Meeting: "m49", Participant: casegen.Family(49).ID, Person: "moeder"}}}
	s, err := casegen.Run(s, steps, nil)
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]meeting.Reader{
		"professional": {ID: "u:pro3", Professional: true},
		"family m49":   {ID: casegen.Family(49).ID, Meeting: "m49"},
		"display":      {ID: "display", Display: true},
	}
	m48 := s.SightOf(meeting.Reader{ID: casegen.Family(48).ID, Meeting: "m48"}, meeting.Reading{Now: casegen.Start.AddDate(0, 0, 14*47).Add(time.Hour)})
	if m48.Kind != meeting.SightView {
		t.Fatalf("the mother invited to m48 cannot read it just after it closed (sight %d)", m48.Kind)
	}
	viewers := map[string]meeting.Viewer{"family m48 (closed)": m48.Viewer}
	for name, r := range readers {
		viewers[name] = sight(t, s, r, now)
	}
	if len(viewers["family m49"].Hidden) == 0 {
		t.Fatal("nothing is withheld from the mother: the case does not test withholding")
	}
	for name, v := range viewers {
		full := meeting.FullView(s, v)
		live := meeting.View(s, v)
		for _, list := range lists {
			got := pages(t, s, v, list, 7)
			want := fullList(full, list)
			if g, w := encoded(t, got), encoded(t, want); string(g) != string(w) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s: the history of %s differs from what the rule lets them see:\n got %.300s\nwant %.300s", name, list, g, w)
			}
			recent := fullList(live, list)
			if len(recent) > len(want) || string(encoded(t, recent)) != string(encoded(t, want[len(want)-len(recent):])) && list != meeting.ListMeetings {
				t.Errorf("%s: the live view's %s are not the last of its history", name, list)
			}
		}
		text := string(encoded(t, pages(t, s, v, meeting.ListFacts, 100))) + string(encoded(t, pages(t, s, v, meeting.ListMonitoring, 100)))
		if v.Audience() != meeting.AudienceProfessional {
			if strings.Contains(text, casegen.ProfessionalsOnlyMark) || strings.Contains(text, "Huisbezoek") {
				t.Errorf("%s: history holds a professionals-only fact or a check-in", name)
			}
			if strings.Contains(text, "hiddenFrom") || strings.Contains(text, "Lopend onderzoek") {
				t.Errorf("%s: history carries markings", name)
			}
		}
		if len(v.Hidden) > 0 && strings.Contains(text, `"fa-10-2"`) {
			t.Errorf("%s: history holds a fact withheld from them", name)
		}
		if v.Meeting != "" {
			for _, list := range []string{meeting.ListMeetings, meeting.ListDecisions, meeting.ListConfirmations} {
				b := string(encoded(t, pages(t, s, v, list, 3)))
				for n := 1; n <= 49; n++ {
					other := casegen.MeetingID(n)
					if other != v.Meeting && (strings.Contains(b, `"`+other+`"`) || strings.Contains(b, `"de-`+other[1:]+`"`)) {
						t.Fatalf("%s: the history of %s holds meeting %s", name, list, other)
					}
				}
			}
		}
	}
	if n := len(pages(t, s, viewers["professional"], meeting.ListFacts, 100)); n != 48*4 {
		t.Errorf("a professional reads %d facts in history, want %d", n, 48*4)
	}
	if _, err := meeting.History(s, viewers["professional"], "scores", 0, 10); err == nil {
		t.Error("an unknown list is not refused")
	}
	if _, err := meeting.History(s, viewers["professional"], meeting.ListFacts, 0, meeting.MaxHistoryPage+1); err == nil {
		t.Error("a page over the maximum is not refused")
	}
}

// TestSightWithoutTheSeatIndex: the state keeps, per participant, the latest meeting they take
// part in, so that a reader's sight does not walk every meeting of a long case; a state built
// otherwise (decoded, without that index) gives every reader the same sight and view.
func TestSightWithoutTheSeatIndex(t *testing.T) {
	s := twoYear(t)
	var decoded meeting.State
	if err := json.Unmarshal(encoded(t, s), &decoded); err != nil {
		t.Fatal(err)
	}
	now := casegen.Start.AddDate(0, 0, 14*48)
	for _, r := range []meeting.Reader{{ID: "u:pro1", Professional: true}, {ID: "u:pro9", Professional: true},
		{ID: casegen.Family(48).ID, Meeting: "m48"}, {ID: casegen.Family(3).ID, Meeting: "m3"}, {ID: "display", Display: true}} {
		at := meeting.Reading{Now: now}
		if r.Meeting == "m48" {
			at.Now = casegen.Start.AddDate(0, 0, 14*47).Add(time.Hour)
		}
		a, b := s.SightOf(r, at), decoded.SightOf(r, at)
		if a.Kind != b.Kind || a.Viewer.Key() != b.Viewer.Key() || a.Viewer.Role != b.Viewer.Role || a.Viewer.Person != b.Viewer.Person {
			t.Errorf("%s: sight %+v with the index, %+v without", r.ID, a, b)
		}
		if a.Kind == meeting.SightView && string(encoded(t, meeting.View(s, a.Viewer))) != string(encoded(t, meeting.View(&decoded, b.Viewer))) {
			t.Errorf("%s: the view differs without the index", r.ID)
		}
	}
}
