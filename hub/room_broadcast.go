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

// broadcast sends each client ONE update frame for a batch of new events: the events it may
// see, its view's change and, for the senders of the batch's commands, their acks (acks;
// broadcast removes the clients it sent theirs to). Caller holds r.mu. Each client's sight is
// decided again first: one who may no longer see the case is closed (4403), one sent back to
// the lobby gets the lobby view. The parts are encoded once per visibility
// (meeting.Viewer.Key), not per person: a client that holds its visibility's previous view gets
// only what changed (a patch), any other the whole view; clients without acks of their own
// share one prepared frame per visibility and kind of view change.
func (r *room) broadcast(fresh []meeting.Event, acks map[*client][]updateAck) []heldFrame {
	base := fresh[0].Seq - 1
	touched := meeting.Touched(fresh) // the parts of the views these events can change (room_view.go)
	auds := map[string]*audience{}
	var held []heldFrame
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
		a := auds[key]
		if a == nil {
			a = &audience{view: r.viewUpdate(sg.Viewer, base, touched)}
			if vis := visible(fresh, sg.Viewer); len(vis) > 0 {
				a.events = mustJSON(vis)
			}
			auds[key] = a
		}
		patch := a.view.ops != nil && c.viewKey == key && c.viewSeq == base
		if own, ok := acks[c]; ok {
			held = append(held, heldFrame{c, preparedBytes(a.frame(patch, base, mustJSON(own)))})
			delete(acks, c)
			c.viewKey, c.viewSeq = key, r.state.Seq
			continue
		}
		if c.enqueue(a.shared(patch, base)) {
			c.viewKey, c.viewSeq = key, r.state.Seq
		}
	}
	for key := range r.views {
		if _, used := auds[key]; !used {
			delete(r.views, key) // nobody holds this visibility's view any more
		}
	}
	return held
}

// heldFrame is a client's update frame that carries acks, to be sent by broadcast's caller.
type heldFrame struct {
	c *client
	m *websocket.PreparedMessage
}

// audience is one visibility's share of a batch's update frames.
type audience struct {
	events []byte // the visible events' JSON array (nil: none)
	view   *viewFrames
	frames [2]*websocket.PreparedMessage // shared frames without acks: [0] whole view, [1] patch
}

// shared is the audience's update frame without acks, prepared on first use.
func (a *audience) shared(patch bool, base uint64) *websocket.PreparedMessage {
	i := 0
	if patch {
		i = 1
	}
	if a.frames[i] == nil {
		a.frames[i] = preparedBytes(a.frame(patch, base, nil))
	}
	return a.frames[i]
}

// frame writes an update frame (see updateAck) from encoded parts.
func (a *audience) frame(patch bool, base uint64, acks []byte) []byte {
	v := a.view
	n := 64 + len(a.events) + len(acks)
	if patch {
		n += len(v.ops)
	} else {
		n += v.view.size
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"update","seq":`...)
	b = strconv.AppendUint(b, v.seq, 10)
	if a.events != nil {
		b = append(b, `,"events":`...)
		b = append(b, a.events...)
	}
	if patch {
		b = append(b, `,"base":`...)
		b = strconv.AppendUint(b, base, 10)
		b = append(b, `,"ops":`...)
		b = append(b, v.ops...)
	} else {
		b = append(b, `,"view":`...)
		b = append(b, v.view.whole()...)
	}
	if acks != nil {
		b = append(b, `,"acks":`...)
		b = append(b, acks...)
	}
	return append(b, '}')
}

// viewFrames is an audience's view after a batch: the patch from base (nil when the
// audience's view at base is not known, or the patch would not be smaller) and the whole view.
type viewFrames struct {
	ops  []byte // the JSON array of the patch's operations
	view *viewCache
	seq  uint64
}

// mustJSON encodes one of the hub's own values, which always encode.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hub: encoding %T: %v", v, err))
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

// viewMessage is viewer v's whole view now; it becomes the base of its visibility's next
// patch.
func (r *room) viewMessage(v meeting.Viewer) *websocket.PreparedMessage {
	key := v.Key()
	if c := r.views[key]; c != nil && c.seq == r.state.Seq {
		return prepareView(c.seq, c.whole())
	}
	c := r.viewJSON(v) // room_view.go
	r.views[key] = c
	return prepareView(c.seq, c.whole())
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
