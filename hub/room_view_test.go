package hub

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/casegen"
)

// TestPatchedViewEqualsFreshView runs a long case through the domain (twelve meetings, so
// every recent list of the live view moves on) and, after every step, for a professional, the
// mother invited to one meeting and the shared screen, checks the hub's way of updating a view
// against a fresh build: the sectioned encoding is byte for byte json.Marshal of the view; the
// view updated from the previous one — only the parts the step's events touched
// (meeting.Touched) rebuilt and encoded, the other sections kept from the cache — is byte for
// byte the view built afresh; and the client's copy, patched section by section, equals it.
func TestPatchedViewEqualsFreshView(t *testing.T) {
	readers := []meeting.Reader{
		{ID: "u:pro2", Professional: true},
		{ID: casegen.Family(3).ID, Meeting: casegen.MeetingID(3)},
		{ID: "display", Display: true},
	}
	prev := make([]*viewCache, len(readers))
	keys := make([]string, len(readers))
	client := make([][]byte, len(readers))
	patches, ops, partial := 0, 0, 0
	steps := casegen.Case(12, true)
	_, err := casegen.Run(nil, steps, func(i int, s *meeting.State, evs []meeting.Event) {
		touched := meeting.Touched(evs)
		for k, r := range readers {
			sg := s.SightOf(r, meeting.Reading{Now: steps[i].Now})
			if sg.Kind != meeting.SightView {
				prev[k], client[k] = nil, nil
				continue
			}
			cv := meeting.View(s, sg.Viewer)
			fresh := encodeView(&cv, meeting.AllParts, nil)
			whole, err := json.Marshal(&cv)
			if err != nil {
				t.Fatal(err)
			}
			if string(fresh.whole()) != string(whole) || fresh.size != len(whole) {
				t.Fatalf("step %d, %s: sectioned encoding (size %d) differs from json.Marshal:\n%s\n%s", i, r.ID, fresh.size, fresh.whole(), whole)
			}
			if client[k] == nil || keys[k] != sg.Viewer.Key() { // the hub sends the whole view
				prev[k], keys[k], client[k] = fresh, sg.Viewer.Key(), fresh.whole()
				continue
			}
			part := meeting.ViewParts(s, sg.Viewer, touched)
			now := encodeView(&part, touched, prev[k])
			if string(now.whole()) != string(fresh.whole()) || now.size != fresh.size {
				t.Fatalf("step %d (%s), %s: the view updated in parts %b differs from a fresh one:\n got %s\nwant %s",
					i, steps[i].Cmd.Kind(), r.ID, touched, now.whole(), fresh.whole())
			}
			if touched != meeting.AllParts {
				partial++
			}
			p := viewPatch(prev[k], now)
			patched, err := jsonpatch.Apply(client[k], p)
			if err != nil {
				t.Fatalf("step %d, %s: the patch does not apply: %v", i, r.ID, err)
			}
			sameJSON(t, i, r.ID, patched, fresh.whole())
			client[k], prev[k] = patched, now
			patches++
			ops += len(p)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if patches < 1000 || partial < patches/2 {
		t.Fatalf("%d patches applied, %d of them from a view updated in parts: the scenario did not run", patches, partial)
	}
	t.Logf("%d patches (%d from a view updated in parts), %d operations", patches, partial, ops)
}

func sameJSON(t *testing.T, step int, who string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("step %d, %s: the patched view differs from the fresh one:\n got %s\nwant %s", step, who, got, want)
	}
}

// BenchmarkEventCost is P7 without the network: one command of a meeting's cycle (a round
// opened, 24 scores — the last reveals —, a fact) decided and applied, the sight of the room's
// 10 readers with the events redacted for each, and the view update the hub makes for a
// professional and the family (the touched parts built, encoded and compared), in a fresh case and in the two-year case. Each cycle starts again from the case,
// so that the meeting does not pile up rounds. The two should cost about the same
// (docs/bench.md, P7).
func BenchmarkEventCost(b *testing.B) {
	for _, held := range []int{0, 48} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			fresh := func() *meeting.State {
				s, err := casegen.Run(nil, casegen.Case(held, true), nil)
				if err != nil {
					b.Fatal(err)
				}
				return s
			}
			s := fresh()
			pros := casegen.Professionals()
			mid := casegen.MeetingID(held + 1)
			now := casegen.Start.AddDate(0, 0, 14*held)
			viewers := []meeting.Viewer{{ID: pros[1].ID, Professional: true, Role: meeting.RoleProfessional},
				{ID: "i:x", Role: meeting.RoleFamily, Meeting: mid}}
			caches := make([]*viewCache, len(viewers))
			readers := []meeting.Reader{{ID: "u:pro9", Professional: true}, {ID: casegen.Family(held + 1).ID, Meeting: mid}}
			for _, p := range pros {
				readers = append(readers, meeting.Reader{ID: p.ID, Professional: true})
			}
			for i, v := range viewers {
				cv := meeting.View(s, v)
				caches[i] = encodeView(&cv, meeting.AllParts, nil)
			}
			var evs []meeting.Event
			for i := 0; b.Loop(); i++ {
				var st casegen.Step
				switch k := i % 26; {
				case k == 0:
					if i > 0 {
						b.StopTimer()
						s = fresh()
						for i, v := range viewers {
							cv := meeting.View(s, v)
							caches[i] = encodeView(&cv, meeting.AllParts, nil)
						}
						b.StartTimer()
					}
					st = casegen.Step{Actor: pros[0], Now: now, Cmd: &meeting.OpenRound{Meeting: mid}}
				case k <= 24:
					v := 5
					st = casegen.Step{Actor: pros[(k-1)/3], Now: now, Cmd: &meeting.SubmitScore{Round: mid + "-r1",
						Subject: casegen.Subjects[(k-1)%3].ID, Value: &v, Meaning: "m", NotHigher: "n"}}
				default:
					st = casegen.Step{Actor: pros[0], Now: now, Cmd: &meeting.AddFact{Text: "feit"}}
				}
				var err error
				if s, err = casegen.Run(s, []casegen.Step{st}, func(_ int, _ *meeting.State, e []meeting.Event) { evs = e }); err != nil {
					b.Fatal(err)
				}
				touched := meeting.Touched(evs)
				for _, r := range readers { // the sight of each of the room's 10 clients, as broadcast asks
					if sg := s.SightOf(r, meeting.Reading{Now: now}); sg.Kind == meeting.SightNone {
						b.Fatalf("%s sees nothing", r.ID)
					} else {
						visible(evs, sg.Viewer)
					}
				}
				for i, v := range viewers {
					cv := meeting.ViewParts(s, v, touched)
					now := encodeView(&cv, touched, caches[i])
					if _, err := json.Marshal(viewPatch(caches[i], now)); err != nil {
						b.Fatal(err)
					}
					caches[i] = now
				}
			}
		})
	}
}
