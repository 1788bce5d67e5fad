package hub

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// viewCache is an audience's view (its JSON) at a sequence.
type viewCache struct {
	seq  uint64
	json []byte // nil: none yet
}

// broadcast sends new events and the new view to every client. Caller holds r.mu. Events go
// out first to everyone, then the views, each encoded once per audience: a client that holds
// the audience's previous view gets only what changed (a viewPatch), any other the whole view.
func (r *room) broadcast(fresh []meeting.Event) {
	var events [2]*websocket.PreparedMessage
	var encoded [2]bool
	type target struct {
		c *client
		a meeting.Audience
	}
	targets := make([]target, 0, len(r.clients))
	for c := range r.clients {
		v := r.state.ViewerFor(c.p.ID, c.p.Professional)
		if v.InLobby() {
			c.enqueue(r.lobbyMessage(v)) // no events: nothing of the case before admission
			c.viewAud = noView
			continue
		}
		a := v.Audience()
		if !encoded[a] {
			encoded[a] = true
			if vis := visible(fresh, a); len(vis) > 0 {
				events[a] = prepare(eventsFrame{Type: "events", Events: vis})
			}
		}
		if events[a] != nil && !c.enqueue(events[a]) {
			continue // reset as too slow: it resumes from its last sequence
		}
		targets = append(targets, target{c, a})
	}
	base := fresh[0].Seq - 1
	var frames [2]*viewFrames
	for _, t := range targets {
		if frames[t.a] == nil {
			frames[t.a] = r.viewUpdate(t.a, base)
		}
		f := frames[t.a]
		if f.patch != nil && t.c.viewAud == int8(t.a) && t.c.viewSeq == base {
			t.c.enqueue(f.patch)
		} else {
			t.c.enqueue(f.full())
		}
		t.c.viewAud, t.c.viewSeq = int8(t.a), r.state.Seq
	}
}

// viewFrames are an audience's view frames after a batch: the patch from base (nil when the
// audience's view at base is not known, or the patch would not be smaller) and the whole view,
// encoded only if someone needs it.
type viewFrames struct {
	patch *websocket.PreparedMessage
	json  []byte
	seq   uint64
	fullM *websocket.PreparedMessage
}

// full is the whole view's frame, prepared on first use.
func (f *viewFrames) full() *websocket.PreparedMessage {
	if f.fullM == nil {
		f.fullM = prepareView(f.seq, f.json)
	}
	return f.fullM
}

// viewUpdate encodes audience a's view now and, when its view at base is cached, the patch
// from there. Caller holds r.mu.
func (r *room) viewUpdate(a meeting.Audience, base uint64) *viewFrames {
	f := &viewFrames{json: r.viewJSON(a), seq: r.state.Seq}
	old := r.views[a]
	r.views[a] = viewCache{seq: f.seq, json: f.json}
	if old.json == nil || old.seq != base {
		return f
	}
	ops := jsonpatch.DiffEncoded(old.json, f.json) // both written by json.Marshal
	if ops == nil {
		ops = []jsonpatch.Op{} // "ops":[] rather than null: nothing changed
	}
	b, err := json.Marshal(viewPatchFrame{Type: "viewPatch", Seq: f.seq, Base: base, Ops: ops})
	if err != nil {
		panic(fmt.Sprintf("hub: encoding a view patch: %v", err))
	}
	if len(b) < len(f.json) {
		f.patch = preparedBytes(b)
	}
	return f
}

// viewJSON encodes audience a's view of the current state.
func (r *room) viewJSON(a meeting.Audience) []byte {
	v := meeting.Viewer{Role: meeting.RoleFamily}
	if a == meeting.AudienceProfessional {
		v = meeting.Viewer{Role: meeting.RoleProfessional, Professional: true}
	}
	cv := meeting.View(r.state, v)
	b, err := json.Marshal(&cv)
	if err != nil {
		panic(fmt.Sprintf("hub: encoding a view: %v", err))
	}
	return b
}

// prepareView frames an encoded view as a view frame (the fields of viewFrame, in its order).
func prepareView(seq uint64, view []byte) *websocket.PreparedMessage {
	b := make([]byte, 0, len(view)+48)
	b = append(b, `{"type":"view","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"view":`...)
	b = append(b, view...)
	b = append(b, '}')
	return preparedBytes(b)
}

// lobbyMessage is the view of someone waiting to be admitted (one per such client).
func (r *room) lobbyMessage(v meeting.Viewer) *websocket.PreparedMessage {
	cv := meeting.LobbyView(r.state, v)
	return prepare(viewFrame{Type: "view", Seq: r.state.Seq, View: &cv})
}

// viewMessage is audience a's whole view now; it becomes the base of the next patch.
func (r *room) viewMessage(a meeting.Audience) *websocket.PreparedMessage {
	if c := r.views[a]; c.json != nil && c.seq == r.state.Seq {
		return prepareView(c.seq, c.json)
	}
	b := r.viewJSON(a)
	r.views[a] = viewCache{seq: r.state.Seq, json: b}
	return prepareView(r.state.Seq, b)
}

// visible is evs as audience a sees them: redacted, without those it may not see.
func visible(evs []meeting.Event, a meeting.Audience) []meeting.Event {
	out := make([]meeting.Event, 0, len(evs))
	for _, e := range evs {
		if re, ok := meeting.Redact(e, a); ok {
			out = append(out, re)
		}
	}
	return out
}

// prepare encodes one of the hub's frames as JSON and prepares it.
func prepare(v any) *websocket.PreparedMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hub: encoding %T: %v", v, err)) // our own frame types always encode
	}
	return preparedBytes(b)
}

// preparedBytes prepares an encoded text frame.
func preparedBytes(b []byte) *websocket.PreparedMessage {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		panic(fmt.Sprintf("hub: preparing frame: %v", err))
	}
	return pm
}
