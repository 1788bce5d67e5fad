package hub

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// sightOf is what client c may see of the case now: the domain's one rule
// (meeting.State.SightOf). Caller holds r.mu.
func (r *room) sightOf(c *client) meeting.Sight {
	return r.state.SightOf(c.p.Reader(), meeting.Reading{Now: r.h.cfg.Now(), AfterClose: r.h.cfg.AfterClose})
}

// broadcast sends new events and the new view to every client. Caller holds r.mu. Each
// client's sight is decided again first: one who may no longer see the case is closed
// (4403), one sent back to the lobby gets the lobby view. Events go out first to everyone,
// then the views, each encoded once per visibility (meeting.Viewer.Key), not per person: a
// client that holds its visibility's previous view gets only what changed (a viewPatch), any
// other the whole view.
func (r *room) broadcast(fresh []meeting.Event) {
	events := map[string]*websocket.PreparedMessage{}
	viewers := map[string]meeting.Viewer{}
	type target struct {
		c   *client
		key string
	}
	targets := make([]target, 0, len(r.clients))
	for c := range r.clients {
		sg := r.sightOf(c)
		switch sg.Kind {
		case meeting.SightNone:
			c.kill(CloseForbidden, "no longer allowed")
			continue
		case meeting.SightLobby:
			c.enqueue(r.lobbyMessage(sg.Viewer)) // no events: nothing of the case before admission
			c.viewKey = ""
			continue
		}
		key := sg.Viewer.Key()
		if _, done := viewers[key]; !done {
			viewers[key] = sg.Viewer
			if vis := visible(fresh, sg.Viewer); len(vis) > 0 {
				events[key] = prepare(eventsFrame{Type: "events", Events: vis})
			}
		}
		if m := events[key]; m != nil && !c.enqueue(m) {
			continue // reset as too slow: it resumes from its last sequence
		}
		targets = append(targets, target{c, key})
	}
	base := fresh[0].Seq - 1
	touched := meeting.Touched(fresh) // the parts of the views these events can change (room_view.go)
	frames := make(map[string]*viewFrames, len(viewers))
	for _, t := range targets {
		f := frames[t.key]
		if f == nil {
			f = r.viewUpdate(viewers[t.key], base, touched)
			frames[t.key] = f
		}
		if f.patch != nil && t.c.viewKey == t.key && t.c.viewSeq == base {
			t.c.enqueue(f.patch)
		} else {
			t.c.enqueue(f.full())
		}
		t.c.viewKey, t.c.viewSeq = t.key, r.state.Seq
	}
	for key := range r.views {
		if _, used := frames[key]; !used {
			delete(r.views, key) // nobody holds this visibility's view any more
		}
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

// viewMessage is viewer v's whole view now; it becomes the base of its visibility's next
// patch.
func (r *room) viewMessage(v meeting.Viewer) *websocket.PreparedMessage {
	key := v.Key()
	if c := r.views[key]; c.json != nil && c.seq == r.state.Seq {
		return prepareView(c.seq, c.json)
	}
	c := r.viewJSON(v) // room_view.go
	r.views[key] = c
	return prepareView(c.seq, c.json)
}

// visible is evs as viewer v sees them: redacted, without those v may not see.
func visible(evs []meeting.Event, v meeting.Viewer) []meeting.Event {
	out := make([]meeting.Event, 0, len(evs))
	for _, e := range evs {
		if re, ok := meeting.Redact(e, v); ok {
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
