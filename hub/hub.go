// Package hub runs Tafel's live meetings: one room per case per instance, each client with one
// reader goroutine (started afresh after hello, so that an idle connection keeps a small
// stack), a goroutine for each frame while it is handled, a writer goroutine only while it has
// frames to write, and a bounded send queue. Commands go through the domain
// (hub/meeting.Decide), are appended to the case log in the Store with optimistic concurrency,
// and every instance's room follows the log, folds it (meeting.Apply) and sends each client
// what it may see (meeting.View, meeting.Redact), encoded once per audience.
package hub

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Config configures a Hub. The zero value of every field but Store is a documented default.
type Config struct {
	// Store is the case log (required).
	Store Store
	// Logger receives structured logs (default slog.Default()). Never message contents.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Policy is the organisation's policy default for new cases (default meeting.DefaultPolicy).
	Policy meeting.Policy
	// Retention is the organisation's retention rule per route (default
	// meeting.DefaultRetention for every route).
	Retention map[string]meeting.RetentionRule
	// Rights says who may reach a case and records every read and change in the access log
	// (default: professionals any case, invitees only their own; nothing recorded).
	Rights Rights
	// SendBuffer is the number of frames queued per client before it counts as too slow (64).
	SendBuffer int
	// ReadLimit is the largest frame a client may send, in bytes (64 KiB).
	ReadLimit int64
	// PingInterval is how often the server pings (20 s); PongWait how long it waits for any
	// frame or pong (2.5 × PingInterval); WriteWait the deadline of one write (10 s).
	PingInterval, PongWait, WriteWait time.Duration
	// CommandRate and CommandBurst limit commands per connection (20/s, burst 40).
	CommandRate  float64
	CommandBurst int
	// AckWait is how long an ack waits for the room to see its own append (5 s).
	AckWait time.Duration
	// PresenceTTL is how long a presence entry lives without refresh (30 s).
	PresenceTTL time.Duration
	// AfterClose is how long an invitee may still read after their meeting closed
	// (meeting.DefaultAfterClose, 24 h).
	AfterClose time.Duration
	// HelloWait is how long a new connection may take to say hello before it is closed (10 s).
	HelloWait time.Duration
	// GrantTTL is how long a connection's grant (Rights.Grant) serves its commands before it
	// is asked again (60 s). A changed right does not wait for it: Recheck asks at once; the
	// TTL only bounds how long a Recheck that never arrived (a lost message) goes unnoticed.
	GrantTTL time.Duration
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Policy == (meeting.Policy{}) {
		c.Policy = meeting.DefaultPolicy
	}
	if c.Rights == nil {
		c.Rights = inviteeRights{}
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = 64
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = 64 << 10
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 20 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = c.PingInterval * 5 / 2
	}
	if c.WriteWait <= 0 {
		c.WriteWait = 10 * time.Second
	}
	if c.CommandRate <= 0 {
		c.CommandRate = 20
	}
	if c.CommandBurst <= 0 {
		c.CommandBurst = 40
	}
	if c.AckWait <= 0 {
		c.AckWait = 5 * time.Second
	}
	if c.HelloWait <= 0 {
		c.HelloWait = 10 * time.Second
	}
	if c.GrantTTL <= 0 {
		c.GrantTTL = time.Minute
	}
	if c.PresenceTTL <= 0 {
		c.PresenceTTL = 30 * time.Second
	}
}

// Hub holds the rooms of one instance.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context // ends at Shutdown; parent of every room's follow
	cancel context.CancelFunc

	mu       sync.Mutex
	rooms    map[string]*room
	clients  map[*client]struct{}
	draining bool
	wg       sync.WaitGroup // client and room goroutines

	pingerDone chan struct{} // closed when the pinger has ended (after Shutdown)
}

// New returns a Hub on cfg.Store.
func New(cfg Config) *Hub {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel,
		rooms: map[string]*room{}, clients: map[*client]struct{}{}, pingerDone: make(chan struct{})}
	go h.pinger()
	return h
}

// pinger pings every connection every PingInterval (one goroutine for the whole hub, rather
// than a timer per connection); a connection's writer sends the ping.
func (h *Hub) pinger() {
	defer close(h.pingerDone)
	t := time.NewTicker(h.cfg.PingInterval)
	defer t.Stop()
	var all []*client
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		all = all[:0]
		for c := range h.clients {
			all = append(all, c)
		}
		h.mu.Unlock()
		for _, c := range all {
			c.ping()
		}
		clear(all)
	}
}

// ErrDraining is returned when the hub is shutting down.
var ErrDraining = errors.New("hub: draining")

// Serve runs one WebSocket connection of p to caseID until it ends (Start, waiting for the
// end).
func (h *Hub) Serve(conn *websocket.Conn, p Principal, caseID string) {
	done := make(chan struct{})
	h.Start(conn, p, caseID, func() { close(done) })
	<-done
}

// Start runs one WebSocket connection of p to caseID. The server has already authenticated
// p, checked the Origin, and upgraded the connection. Start returns after the hello (or once
// the connection failed to say it); the connection goes on on goroutines of its own, and
// ended (if not nil) is called once it is closed.
func (h *Hub) Start(conn *websocket.Conn, p Principal, caseID string, ended func()) {
	h.mu.Lock()
	if h.draining {
		h.mu.Unlock()
		closeWith(conn, CloseDraining, "draining", h.cfg.WriteWait)
		if ended != nil {
			ended()
		}
		return
	}
	c := newClient(h, conn, p, caseID)
	c.onEnd = func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
		h.wg.Done()
		if ended != nil {
			ended()
		}
	}
	h.clients[c] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()
	c.start()
}

// CloseSession closes every connection of a session on this instance (revocation, logout).
func (h *Hub) CloseSession(sessionID string) {
	h.mu.Lock()
	var victims []*client
	for c := range h.clients {
		if c.p.SessionID == sessionID {
			victims = append(victims, c)
		}
	}
	h.mu.Unlock()
	for _, c := range victims {
		c.kill(CloseRevoked, "session revoked")
	}
}

// Ready reports whether the store answers.
func (h *Hub) Ready(ctx context.Context) error { return h.cfg.Store.Ping(ctx) }

// Shutdown drains the hub: new connections are refused, every client is told to reconnect
// elsewhere (close code 4002), and Shutdown waits for every goroutine to end or ctx.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.draining = true
	var all []*client
	for c := range h.clients {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.kill(CloseDraining, "instance draining")
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		h.cancel()
		<-h.pingerDone
		return nil
	case <-ctx.Done():
		h.cancel()
		<-h.pingerDone
		return ctx.Err()
	}
}

// Result is where an executed command landed.
type Result struct {
	// Seq is the last sequence the command produced (or the case's head for a no-op).
	Seq uint64
	// Duplicate is true when the command id had been executed before.
	Duplicate bool
	// sent is true when the ack already went out in the sender's update frame; recorded when
	// the access-log entry of the command was written with its batch.
	sent, recorded bool
}

// Execute runs one command for p on caseID outside a WebSocket (REST: creating a case,
// scheduling a meeting). It has the same exactly-once and authorisation rules as a command
// sent over a connection.
func (h *Hub) Execute(ctx context.Context, p Principal, caseID, commandID string, cmd meeting.Command) (Result, error) {
	r, err := h.acquire(ctx, caseID)
	if err != nil {
		return Result{}, err
	}
	defer h.release(r)
	if _, err := h.cfg.Rights.Grant(ctx, p, caseID); err != nil {
		if unavailable(err) {
			return Result{}, errUnavailable
		}
		return Result{}, err
	}
	return r.execute(ctx, nil, p, commandID, cmd)
}

// Load folds the log of caseID from the store (for reads outside a room: minutes, REST).
func (h *Hub) Load(ctx context.Context, caseID string) (*meeting.State, []meeting.Event, error) {
	recs, err := h.cfg.Store.Read(ctx, caseID, 0, 0)
	if err != nil {
		return nil, nil, err
	}
	s := meeting.NewState()
	evs := make([]meeting.Event, 0, len(recs))
	for _, rec := range recs {
		e, err := decodeEvent(rec)
		if err != nil {
			return nil, nil, err
		}
		s = meeting.Apply(s, e)
		evs = append(evs, e)
	}
	return s, evs, nil
}

// acquire returns the room of caseID, loaded up to the store's head, holding a reference.
func (h *Hub) acquire(ctx context.Context, caseID string) (*room, error) {
	h.mu.Lock()
	if h.draining {
		h.mu.Unlock()
		return nil, ErrDraining
	}
	r := h.rooms[caseID]
	if r == nil {
		r = newRoom(h, caseID)
		h.rooms[caseID] = r
	}
	r.refs++
	h.mu.Unlock()
	if err := r.waitLoaded(ctx); err != nil {
		h.release(r)
		return nil, err
	}
	return r, nil
}

// release drops a reference; the last one stops the room.
func (h *Hub) release(r *room) {
	h.mu.Lock()
	r.refs--
	last := r.refs == 0
	if last {
		delete(h.rooms, r.id)
	}
	h.mu.Unlock()
	if last {
		r.stop()
	}
}
