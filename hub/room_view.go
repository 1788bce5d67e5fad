package hub

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// View building, encoding and diffing. A view (meeting.View: the live view, bounded whatever
// the case's history) is encoded in sections — its top-level members — and a patch compares
// only the sections whose bytes changed: an event that touches the plan is not diffed against
// the case, the safety, the timeline or the meeting.

// viewSections are the top-level members of meeting.CaseView in the order encoding/json
// writes them; omit tells which ones are left out when empty (omitempty), part which part of
// the view each belongs to (0: rebuilt every time).
var viewSections = [...]struct {
	name string
	omit bool
	part meeting.ViewPart
}{{"seq", false, 0}, {"case", false, meeting.PartCase}, {"safety", false, meeting.PartSafety},
	{"meetings", false, meeting.PartTimeline}, {"current", true, meeting.PartCurrent}, {"plans", false, meeting.PartTimeline},
	{"coverage", false, meeting.PartTimeline}, {"withheld", true, meeting.PartTimeline}, {"readUntil", true, 0},
	{"earlier", true, meeting.PartTimeline}}

// viewCache is one visibility's view at a sequence: each section's JSON, and the whole view's
// JSON once somebody needs it (whole): most batches send every client a patch, and the whole
// view is then never assembled.
type viewCache struct {
	seq   uint64
	size  int    // the length of the whole view's JSON
	json  []byte // nil: not assembled yet
	parts [len(viewSections)][]byte
}

// whole is the whole view's JSON, assembled from the sections on first use.
func (c *viewCache) whole() []byte {
	if c.json != nil {
		return c.json
	}
	out := make([]byte, 0, c.size)
	out = append(out, '{')
	for i, b := range c.parts {
		if b == nil {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, viewSections[i].name...)
		out = append(out, '"', ':')
		out = append(out, b...)
	}
	c.json = append(out, '}')
	return c.json
}

// encodeView encodes cv section by section; its whole() is byte for byte what json.Marshal(cv)
// writes (a test keeps it so). With old, only the sections of parts are encoded from cv (built
// by meeting.ViewParts); the others are old's.
func encodeView(cv *meeting.CaseView, parts meeting.ViewPart, old *viewCache) *viewCache {
	c := &viewCache{seq: cv.Seq}
	vals := [len(viewSections)]any{cv.Seq, &cv.Case, &cv.Safety, cv.Meetings, cv.Current, &cv.Plans, &cv.Coverage, cv.Withheld, cv.ReadUntil, cv.Earlier}
	empty := [len(viewSections)]bool{4: cv.Current == nil, 7: !cv.Withheld, 8: cv.ReadUntil == nil, 9: cv.Earlier == nil}
	size, n := 2, 0
	for i, v := range vals {
		sec := viewSections[i]
		switch {
		case old != nil && sec.part != 0 && parts&sec.part == 0:
			c.parts[i] = old.parts[i] // not touched: as it was
		case sec.omit && empty[i]:
		default:
			b, err := json.Marshal(v)
			if err != nil {
				panic(fmt.Sprintf("hub: encoding a view's %s: %v", sec.name, err))
			}
			c.parts[i] = b
		}
		if c.parts[i] != nil {
			size += len(c.parts[i]) + len(sec.name) + 3 // "name":
			n++
		}
	}
	c.size = size + max(n-1, 0) // the commas
	return c
}

// viewPatch is the operations that turn view a into b, section by section: a section whose
// bytes did not change costs one comparison.
func viewPatch(a, b *viewCache) []jsonpatch.Op {
	ops := []jsonpatch.Op{} // "ops":[] rather than null when nothing changed
	for i := range b.parts {
		pa, pb := a.parts[i], b.parts[i]
		path := "/" + viewSections[i].name
		switch {
		case bytes.Equal(pa, pb):
		case pa == nil:
			ops = append(ops, jsonpatch.Op{Op: "add", Path: path, Value: pb})
		case pb == nil:
			ops = append(ops, jsonpatch.Op{Op: "remove", Path: path})
		default:
			ops = jsonpatch.DiffAt(ops, path, pa, pb)
		}
	}
	return ops
}

// viewUpdate encodes viewer v's view now (one per visibility) and, when that visibility's view
// at base is cached, the patch from there: then only the parts of the view that the events
// since base touched (meeting.Touched) are built, encoded and compared. Caller holds r.mu.
func (r *room) viewUpdate(v meeting.Viewer, base uint64, touched meeting.ViewPart) *viewFrames {
	key := v.Key()
	old := r.views[key]
	if old == nil || old.seq != base {
		now := r.viewJSON(v)
		r.views[key] = now
		return &viewFrames{view: now, seq: now.seq}
	}
	cv := meeting.ViewParts(r.state, v, touched)
	now := encodeView(&cv, touched, old)
	r.views[key] = now
	f := &viewFrames{view: now, seq: now.seq}
	b, err := json.Marshal(viewPatch(old, now)) // the ops of the update frame (room_broadcast.go)
	if err != nil {
		panic(fmt.Sprintf("hub: encoding a view patch: %v", err))
	}
	if len(b)+24 < now.size {
		f.ops = b
	}
	return f
}

// viewJSON encodes viewer v's view of the current state.
func (r *room) viewJSON(v meeting.Viewer) *viewCache {
	cv := meeting.View(r.state, v)
	return encodeView(&cv, meeting.AllParts, nil)
}
