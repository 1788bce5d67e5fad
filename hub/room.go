package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// maxResumeEvents: a client further behind than this gets a snapshot instead of events. A
// room keeps between this many and twice as many recent events (remember). A variable for the
// tests.
var maxResumeEvents = 2000

// room is one case on this instance: the folded state, every event, and the local clients.
type room struct {
	h      *Hub
	id     string
	refs   int // guarded by h.mu
	ctx    context.Context
	cancel context.CancelFunc

	qmu     sync.Mutex    // guards queue and running
	queue   []*pendingCmd // commands waiting for the next batch
	running bool          // a runCommands goroutine is deciding batches

	mu      sync.Mutex
	state   *meeting.State
	log     []meeting.Event // the recent events, for resumes: log[i].Seq == logFrom+i (see remember)
	logFrom uint64
	past    pastLog           // every event, encoded: what undoing a batch folds again
	cmds    map[string]uint64 // command id → last sequence it produced
	clients map[*client]struct{}
	applied chan struct{} // closed and replaced whenever the state advances
	head    uint64        // the store's head when the room started
	loaded  chan struct{} // closed once the state reached head
	isLoad  bool
	online  []PresenceEntry // last presence broadcast
	poke    chan struct{}
	views   map[string]*viewCache // the last view encoded per visibility key, the base of its next patch
}

// newRoom makes the room for case id and starts it (run) under the hub's context.
func newRoom(h *Hub, id string) *room {
	ctx, cancel := context.WithCancel(h.ctx)
	r := &room{h: h, id: id, ctx: ctx, cancel: cancel, state: meeting.NewState(),
		cmds: map[string]uint64{}, clients: map[*client]struct{}{}, views: map[string]*viewCache{},
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

// start reads the store's head and starts following the log after the state's sequence.
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

// stop cancels the room's context: its follow and presence loop end.
func (r *room) stop() { r.cancel() }

// checkLoaded marks the room loaded once it holds the store's head. Caller holds r.mu.
func (r *room) checkLoaded() {
	if !r.isLoad && r.state.Seq >= r.head {
		r.isLoad = true
		close(r.loaded)
	}
}

// waitLoaded waits until the room holds the store's head (see checkLoaded); it fails with
// ErrUnavailable when ctx ends first and with ErrDraining when the room stops.
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

// decodeEvent decodes a stored record into its event, which must carry the record's sequence.
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
		r.remember(e)
		r.past.add(rec.Data)
		r.cmds[rec.CommandID] = rec.Seq
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return
	}
	r.broadcast(fresh, nil)
	close(r.applied)
	r.applied = make(chan struct{})
	r.checkLoaded()
}

// pastLog is a case's events as the store keeps them (encoded JSON), back to back: what a
// room folds again to undo a batch it applied before storing it. It holds no pointers, so the
// garbage collector does not walk it however long the case's history, and it needs no store
// (which may be what failed).
type pastLog struct {
	data []byte
	ends []int // ends[i]: where event i+1 ends in data
}

// add appends one encoded event.
func (p *pastLog) add(b []byte) {
	p.data = append(p.data, b...)
	p.ends = append(p.ends, len(p.data))
}

// fold is the state of the first n events.
func (p *pastLog) fold(n uint64) (*meeting.State, error) {
	if uint64(len(p.ends)) < n {
		return nil, fmt.Errorf("hub: %d events kept, want %d", len(p.ends), n)
	}
	s := meeting.NewState()
	start := 0
	for i := range n {
		e, err := decodeEvent(Record{Seq: i + 1, Data: p.data[start:p.ends[i]]})
		if err != nil {
			return nil, err
		}
		s = meeting.Apply(s, e)
		start = p.ends[i]
	}
	return s, nil
}

// remember keeps evs as the room's most recent events, for clients that resume: at most
// 2 × maxResumeEvents, the oldest dropped, so that a room's memory does not grow with its
// case's history (the state holds what the views need). Caller holds r.mu.
func (r *room) remember(evs ...meeting.Event) {
	if len(evs) == 0 {
		return
	}
	if len(r.log) == 0 {
		r.logFrom = evs[0].Seq
	}
	r.log = append(r.log, evs...)
	if len(r.log) > 2*maxResumeEvents {
		drop := len(r.log) - maxResumeEvents
		r.log = append([]meeting.Event(nil), r.log[drop:]...)
		r.logFrom += uint64(drop)
	}
}

// join registers c after hello: it gets the welcome, the events it missed after lastSeq (or
// a snapshot), and the view, atomically with respect to new events, so it sees no gap and no
// duplicate.
func (r *room) join(c *client, lastSeq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sg := r.sightOf(c)
	if sg.Kind == meeting.SightNone {
		c.kill(CloseForbidden, "not allowed")
		return
	}
	viewer := sg.Viewer
	head := r.state.Seq
	resume := "snapshot"
	if lastSeq > 0 && lastSeq <= head && head-lastSeq <= uint64(maxResumeEvents) && (lastSeq == head || lastSeq+1 >= r.logFrom) {
		resume = "events"
	}
	role := string(viewer.Role)
	if sg.Kind == meeting.SightLobby {
		resume, role = "snapshot", ""
	}
	c.enqueue(prepare(welcomeFrame{Type: "welcome", Case: r.id, Seq: head, Resume: resume,
		You: You{ID: c.p.ID, Name: c.p.Name, Role: role, Professional: c.p.Professional}}))
	switch sg.Kind {
	case meeting.SightLobby:
		c.enqueue(r.lobbyMessage(viewer))
		c.viewKey = ""
	default:
		if resume == "events" && lastSeq < head {
			if vis := visible(r.log[lastSeq+1-r.logFrom:], viewer); len(vis) > 0 {
				c.enqueue(prepare(eventsFrame{Type: "events", Events: vis}))
			}
		}
		c.enqueue(r.viewMessage(viewer))
		c.viewKey, c.viewSeq = viewer.Key(), head
		if r.online != nil {
			// Who is online now; later changes follow as they happen.
			c.enqueue(prepare(presenceFrame{Type: "presence", Online: r.online}))
		}
	}
	r.clients[c] = struct{}{}
	r.pokePresence()
}

// leave unregisters c; if it was registered, its presence entry goes and the presence loop
// is poked.
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
