package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// maxResumeEvents: a client further behind than this gets a snapshot instead of events.
const maxResumeEvents = 2000

// room is one case on this instance: the folded state, every event, and the local clients.
type room struct {
	h      *Hub
	id     string
	refs   int // guarded by h.mu
	ctx    context.Context
	cancel context.CancelFunc

	cmdMu sync.Mutex // one command at a time per room per instance

	mu      sync.Mutex
	state   *meeting.State
	log     []meeting.Event   // every event, log[i].Seq == i+1
	cmds    map[string]uint64 // command id → last sequence it produced
	clients map[*client]struct{}
	applied chan struct{} // closed and replaced whenever the state advances
	head    uint64        // the store's head when the room started
	loaded  chan struct{} // closed once the state reached head
	isLoad  bool
	online  []PresenceEntry // last presence broadcast
	poke    chan struct{}
	views   [2]viewCache // the last view encoded per audience, the base of the next patch
}

// viewCache is an audience's view (its JSON) at a sequence.
type viewCache struct {
	seq  uint64
	json []byte // nil: none yet
}

func newRoom(h *Hub, id string) *room {
	ctx, cancel := context.WithCancel(h.ctx)
	r := &room{h: h, id: id, ctx: ctx, cancel: cancel, state: meeting.NewState(),
		cmds: map[string]uint64{}, clients: map[*client]struct{}{},
		applied: make(chan struct{}), loaded: make(chan struct{}), poke: make(chan struct{}, 1)}
	h.wg.Add(1)
	go r.run()
	return r
}

// run starts following the log (retrying while the store is unreachable) and keeps presence.
func (r *room) run() {
	defer r.h.wg.Done()
	backoff := 50 * time.Millisecond
	for {
		err := r.start()
		if err == nil {
			break
		}
		r.h.log.Warn("room cannot follow its case log", "case", r.id, "err", err)
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
	r.presenceLoop()
}

func (r *room) start() error {
	head, err := r.h.cfg.Store.Head(r.ctx, r.id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.head = head
	r.checkLoaded()
	after := r.state.Seq
	r.mu.Unlock()
	return r.h.cfg.Store.Follow(r.ctx, r.id, after, r.deliver)
}

func (r *room) stop() { r.cancel() }

// checkLoaded marks the room loaded once it holds the store's head. Caller holds r.mu.
func (r *room) checkLoaded() {
	if !r.isLoad && r.state.Seq >= r.head {
		r.isLoad = true
		close(r.loaded)
	}
}

func (r *room) waitLoaded(ctx context.Context) error {
	select {
	case <-r.loaded:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("hub: loading case: %w", ErrUnavailable)
	case <-r.ctx.Done():
		return ErrDraining
	}
}

func decodeEvent(rec Record) (meeting.Event, error) {
	var e meeting.Event
	if err := json.Unmarshal(rec.Data, &e); err != nil {
		return e, fmt.Errorf("hub: record %d: %w", rec.Seq, err)
	}
	if e.Seq != rec.Seq {
		return e, fmt.Errorf("hub: record %d holds event %d", rec.Seq, e.Seq)
	}
	return e, nil
}

// deliver folds records from the store's follow into the state and sends them on.
func (r *room) deliver(recs []Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var fresh []meeting.Event
	for _, rec := range recs {
		if rec.Seq <= r.state.Seq {
			continue
		}
		if rec.Seq != r.state.Seq+1 {
			r.h.log.Error("case log gap", "case", r.id, "have", r.state.Seq, "got", rec.Seq)
			break
		}
		e, err := decodeEvent(rec)
		if err != nil {
			r.h.log.Error("undecodable event", "case", r.id, "seq", rec.Seq, "err", err)
			break
		}
		r.state = meeting.Apply(r.state, e)
		r.log = append(r.log, e)
		r.cmds[rec.CommandID] = rec.Seq
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return
	}
	r.broadcast(fresh)
	close(r.applied)
	r.applied = make(chan struct{})
	r.checkLoaded()
}

// deliverOwn folds the events this room has just appended, starting at first, without
// waiting for the store's follow to bring them back: the room's own commands reach its
// clients one store round trip sooner. It does so only when the room holds the log up to
// just before first (nothing else can come in between, since the store accepted the append
// at that head); the follow skips what is already applied.
func (r *room) deliverOwn(first uint64, cmdID string, data [][]byte) {
	r.mu.Lock()
	ready := r.state.Seq+1 == first
	r.mu.Unlock()
	if !ready {
		return
	}
	recs := make([]Record, len(data))
	for i, d := range data {
		recs[i] = Record{Seq: first + uint64(i), CommandID: cmdID, Data: d}
	}
	r.deliver(recs)
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

func visible(evs []meeting.Event, a meeting.Audience) []meeting.Event {
	out := make([]meeting.Event, 0, len(evs))
	for _, e := range evs {
		if re, ok := meeting.Redact(e, a); ok {
			out = append(out, re)
		}
	}
	return out
}

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

// join registers c after hello: it gets the welcome, the events it missed after lastSeq (or
// a snapshot), and the view, atomically with respect to new events, so it sees no gap and no
// duplicate.
func (r *room) join(c *client, lastSeq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	viewer := r.state.ViewerFor(c.p.ID, c.p.Professional)
	head := r.state.Seq
	resume := "snapshot"
	if lastSeq > 0 && lastSeq <= head && head-lastSeq <= maxResumeEvents {
		resume = "events"
	}
	role := string(viewer.Role)
	if viewer.InLobby() {
		resume = "snapshot"
	}
	c.enqueue(prepare(welcomeFrame{Type: "welcome", Case: r.id, Seq: head, Resume: resume,
		You: You{ID: c.p.ID, Name: c.p.Name, Role: role, Professional: c.p.Professional}}))
	switch {
	case viewer.InLobby():
		c.enqueue(r.lobbyMessage(viewer))
		c.viewAud = noView
	default:
		if resume == "events" {
			if vis := visible(r.log[lastSeq:], viewer.Audience()); len(vis) > 0 {
				c.enqueue(prepare(eventsFrame{Type: "events", Events: vis}))
			}
		}
		c.enqueue(r.viewMessage(viewer.Audience()))
		c.viewAud, c.viewSeq = int8(viewer.Audience()), head
		if r.online != nil {
			// Who is online now; later changes follow as they happen.
			c.enqueue(prepare(presenceFrame{Type: "presence", Online: r.online}))
		}
	}
	r.clients[c] = struct{}{}
	r.pokePresence()
}

func (r *room) leave(c *client) {
	r.mu.Lock()
	_, was := r.clients[c]
	delete(r.clients, c)
	r.mu.Unlock()
	if was {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = r.h.cfg.Store.RemovePresence(ctx, r.id, c.connID)
		cancel()
		r.pokePresence()
	}
}

// execute decides cmd on the current state and appends its events, retrying on a conflict
// with another instance. A repeated command id returns the first result.
func (r *room) execute(ctx context.Context, p Principal, cmdID string, cmd meeting.Command) (Result, error) {
	if cmdID == "" || len(cmdID) > 64 {
		return Result{}, errBadID
	}
	if err := r.h.cfg.Authorize(ctx, p, r.id); err != nil {
		if errors.Is(err, ErrUnavailable) || closeCodeFor(err) == CloseTryAgain {
			return Result{}, errUnavailable // could not check: fail closed, but keep the connection
		}
		return Result{}, &accessError{cause: err}
	}
	if id, ok := createsCase(cmd); ok && id != r.id {
		return Result{}, &meeting.Error{Code: meeting.CodeInvalid, NL: "casus-id past niet bij de verbinding", EN: "case id does not match the connection"}
	}
	if mid, ok := joins(cmd); ok && !p.Professional && p.MeetingID != "" && mid != p.MeetingID {
		return Result{}, &meeting.Error{Code: meeting.CodeForbidden,
			NL: "Je uitnodiging geldt voor een ander overleg; vraag de voorzitter om een nieuwe.",
			EN: "Your invitation is for another meeting; ask the chair for a new one."}
	}
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	actor := meeting.Actor{ID: p.ID, Name: p.Name, Professional: p.Professional, InviteRole: meeting.Role(p.InviteRole)}
	for attempt := 0; attempt < 50; attempt++ {
		r.mu.Lock()
		if seq, ok := r.cmds[cmdID]; ok {
			r.mu.Unlock()
			// Applied here, but perhaps from a store that did not yet confirm it (see
			// Confirmer): the ack must promise no less than a fresh append's.
			if c, ok := r.h.cfg.Store.(Confirmer); ok {
				if err := c.Confirm(ctx, r.id, cmdID); err != nil {
					return Result{}, err
				}
			}
			return Result{Seq: seq, Duplicate: true}, nil
		}
		expected := r.state.Seq
		evs, err := meeting.Decide(r.state, cmd, meeting.Context{Actor: actor, Now: r.h.cfg.Now().UTC(), CommandID: cmdID, Defaults: r.h.cfg.Policy})
		applied := r.applied
		r.mu.Unlock()
		if err != nil {
			// This room may lag the log by a moment (another instance appended, or this very
			// command was stored before a reconnect): decide again on the caught-up state
			// before refusing.
			if head, herr := r.h.cfg.Store.Head(ctx, r.id); herr == nil && head > expected {
				r.waitSeq(ctx, head)
				continue
			}
			return Result{}, err
		}
		if len(evs) == 0 {
			return Result{Seq: expected}, nil
		}
		data := make([][]byte, len(evs))
		for i, e := range evs {
			if data[i], err = json.Marshal(e); err != nil {
				return Result{}, fmt.Errorf("hub: encoding %s: %w", e.Type, err)
			}
		}
		res, err := r.h.cfg.Store.Append(ctx, r.id, expected, cmdID, data)
		if errors.Is(err, ErrConflict) {
			// Another instance appended first: wait until we have seen it, then decide again.
			if !r.waitApplied(ctx, applied) {
				return Result{}, errUnavailable
			}
			continue
		}
		if err != nil {
			return Result{}, err
		}
		if !res.Duplicate {
			r.deliverOwn(res.First, cmdID, data)
		}
		r.waitSeq(ctx, res.Last)
		return Result{Seq: res.Last, Duplicate: res.Duplicate}, nil
	}
	return Result{}, &meeting.Error{Code: meeting.CodeConflict, NL: "het is te druk in deze casus; probeer het opnieuw", EN: "too many concurrent changes in this case; try again"}
}

func (r *room) waitApplied(ctx context.Context, ch chan struct{}) bool {
	t := time.NewTimer(r.h.cfg.AckWait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	case <-r.ctx.Done():
		return false
	}
}

// waitSeq waits until the room has applied seq (so the ack follows the events on the
// client's connection), at most AckWait.
func (r *room) waitSeq(ctx context.Context, seq uint64) {
	deadline := time.Now().Add(r.h.cfg.AckWait)
	for {
		r.mu.Lock()
		done := r.state.Seq >= seq
		ch := r.applied
		r.mu.Unlock()
		if done || time.Now().After(deadline) {
			return
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
		case <-r.ctx.Done():
		}
		t.Stop()
		if ctx.Err() != nil || r.ctx.Err() != nil {
			return
		}
	}
}

func (r *room) pokePresence() {
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// presenceLoop refreshes this instance's presence entries and sends everyone the list of
// who is online whenever it changes (here or on another instance).
func (r *room) presenceLoop() {
	every := r.h.cfg.PresenceTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		case <-r.poke:
		}
		r.syncPresence()
	}
}

func (r *room) syncPresence() {
	r.mu.Lock()
	local := make(map[string][]byte, len(r.clients))
	for c := range r.clients {
		role := r.state.ViewerFor(c.p.ID, c.p.Professional).Role
		b, _ := json.Marshal(PresenceEntry{ID: c.p.ID, Name: c.p.Name, Role: string(role)})
		local[c.connID] = b
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	defer cancel()
	for connID, b := range local {
		if err := r.h.cfg.Store.SetPresence(ctx, r.id, connID, b, r.h.cfg.PresenceTTL); err != nil {
			return
		}
	}
	all, err := r.h.cfg.Store.Presence(ctx, r.id)
	if err != nil {
		return
	}
	seen := map[string]bool{}
	online := []PresenceEntry{}
	for _, b := range all {
		var pe PresenceEntry
		if json.Unmarshal(b, &pe) == nil && !seen[pe.ID] {
			seen[pe.ID] = true
			online = append(online, pe)
		}
	}
	slices.SortFunc(online, func(a, b PresenceEntry) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if slices.Equal(online, r.online) {
		return
	}
	r.online = online
	msg := prepare(presenceFrame{Type: "presence", Online: online})
	for c := range r.clients {
		if !r.state.ViewerFor(c.p.ID, c.p.Professional).InLobby() {
			c.enqueue(msg) // who is at the table is case content too
		}
	}
}

// createsCase returns the id of the case a case.create command (by value or pointer) creates.
func createsCase(cmd meeting.Command) (string, bool) {
	switch c := cmd.(type) {
	case *meeting.CreateCase:
		return c.ID, true
	case meeting.CreateCase:
		return c.ID, true
	}
	return "", false
}

// joins returns the meeting a participant.join command (by value or pointer) joins.
func joins(cmd meeting.Command) (string, bool) {
	switch c := cmd.(type) {
	case *meeting.Join:
		return c.Meeting, true
	case meeting.Join:
		return c.Meeting, true
	}
	return "", false
}
