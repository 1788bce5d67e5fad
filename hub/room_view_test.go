package hub

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/casegen"
)

// TestPatchedViewEqualsFreshView runs a long case through the domain (twelve meetings, so
// every recent list of the live view moves on) and, after every step, for a professional, the
// mother invited to one meeting and the shared screen: the sectioned encoding is byte for byte
// json.Marshal of the view, and the client's copy, patched section by section from the
// previous step, equals the view freshly built.
func TestPatchedViewEqualsFreshView(t *testing.T) {
	readers := []meeting.Reader{
		{ID: "u:pro2", Professional: true},
		{ID: casegen.Family(3).ID, Meeting: casegen.MeetingID(3)},
		{ID: "display", Display: true},
	}
	prev := make([]viewCache, len(readers))
	client := make([][]byte, len(readers))
	patches, ops := 0, 0
	steps := casegen.Case(12, true)
	_, err := casegen.Run(nil, steps, func(i int, s *meeting.State, _ []meeting.Event) {
		for k, r := range readers {
			sg := s.SightOf(r, meeting.Reading{Now: steps[i].Now})
			if sg.Kind != meeting.SightView {
				prev[k], client[k] = viewCache{}, nil
				continue
			}
			cv := meeting.View(s, sg.Viewer)
			now := encodeView(&cv)
			whole, err := json.Marshal(&cv)
			if err != nil {
				t.Fatal(err)
			}
			if string(now.json) != string(whole) {
				t.Fatalf("step %d, %s: sectioned encoding differs from json.Marshal:\n%s\n%s", i, r.ID, now.json, whole)
			}
			if client[k] != nil {
				p := viewPatch(&prev[k], &now)
				patched, err := jsonpatch.Apply(client[k], p)
				if err != nil {
					t.Fatalf("step %d, %s: the patch does not apply: %v", i, r.ID, err)
				}
				sameJSON(t, i, r.ID, patched, now.json)
				client[k] = patched
				patches++
				ops += len(p)
			} else {
				client[k] = now.json
			}
			prev[k] = now
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if patches < 1000 {
		t.Fatalf("only %d patches applied: the scenario did not run", patches)
	}
	t.Logf("%d patches, %d operations", patches, ops)
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
