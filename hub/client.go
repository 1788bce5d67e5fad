package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// client is one WebSocket connection: one reader goroutine (serve, after hello), a writer
// goroutine only while there is something to write (client_write.go) and one for each frame
// being handled, so that an idle connection costs one goroutine with the smallest stack.
type client struct {
	h      *Hub
	conn   *websocket.Conn
	p      Principal
	caseID string
	connID string
	done   chan struct{} // closed by kill: the writer sends the close frame and ends

	wmu      sync.Mutex
	queue    []*websocket.PreparedMessage // frames for the writer, at most SendBuffer
	writing  bool                         // a writer goroutine runs (stays true once it closed)
	pingDue  bool                         // the pinger asked for a ping
	finished chan struct{}                // closed once the close frame is written and the socket closed
	onEnd    func()                       // called once the connection is over (Hub.Start)
	expiry   *time.Timer                  // ends the socket with the session (nil: no end)

	once      sync.Once
	closeCode int
	closeText string

	tokens float64 // command rate limit (reader goroutine only)
	last   time.Time

	// The last view this client was sent (guarded by its room's mu): of which visibility
	// (meeting.Viewer.Key; "" for none or a lobby view) at which sequence. A viewPatch goes
	// only to a client that holds the patch's base.
	viewKey string
	viewSeq uint64

	// The connection's latest right to the case: it serves the commands until GrantTTL has
	// passed since it was asked or Recheck replaces or drops it (grantAt zero: ask again).
	grantMu sync.Mutex
	grant   Grant
	grantAt time.Time
}

func newClient(h *Hub, conn *websocket.Conn, p Principal, caseID string) *client {
	var id [12]byte
	_, _ = rand.Read(id[:])
	return &client{h: h, conn: conn, p: p, caseID: caseID, connID: hex.EncodeToString(id[:]),
		done: make(chan struct{}), finished: make(chan struct{}),
		tokens: float64(h.cfg.CommandBurst), last: h.cfg.Now()}
}

func closeWith(conn *websocket.Conn, code int, text string, wait time.Duration) {
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(wait))
	_ = conn.Close()
}

// start says hello and joins the room on the caller's goroutine, whose stack the hello's
// work grows (the grant, loading the room, the first view), then hands the connection to a
// fresh reader goroutine (serve). The connection is over when c.onEnd is called.
func (c *client) start() {
	r, ok := c.hello()
	if !ok {
		c.end(nil)
		return
	}
	go c.serve(r)
}

// hello reads the hello, asks for the grant, joins the room and returns it; on failure the
// connection is killed and the room (if any) released.
func (c *client) hello() (*room, bool) {
	c.conn.SetReadLimit(c.h.cfg.ReadLimit)
	// A connection says hello within HelloWait, whatever else it does: answering pings does
	// not keep a silent socket open.
	_ = c.conn.SetReadDeadline(time.Now().Add(c.h.cfg.HelloWait))
	var f inFrame
	if err := c.readHello(&f); err != nil {
		return nil, false
	}
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(c.h.cfg.PongWait))
	})
	if !c.p.Expires.IsZero() {
		// A socket outlives no session: it ends when the session does, with 4401.
		c.expiry = time.AfterFunc(c.p.Expires.Sub(c.h.cfg.Now()), func() { c.kill(CloseUnauthorized, "session expired") })
	}
	if _, err := c.askGrant(); err != nil {
		_ = c.audit("case", "read", "refused")
		c.kill(closeCodeFor(err), "not allowed")
		return nil, false
	}
	loadCtx, cancel := context.WithTimeout(c.h.ctx, 15*time.Second)
	r, err := c.h.acquire(loadCtx, c.caseID)
	cancel()
	if err != nil {
		if errors.Is(err, ErrDraining) {
			c.kill(CloseDraining, "draining")
		} else {
			c.kill(CloseTryAgain, "store unavailable")
		}
		return nil, false
	}
	if err := c.audit("case", "read", "granted"); err != nil {
		c.kill(CloseTryAgain, "access log unavailable")
		c.h.release(r)
		return nil, false
	}
	r.join(c, f.LastSeq)
	return r, true
}

// serve is the reader after hello: it reads frames until the connection ends. Its goroutine
// is the only one an idle connection has, so it stays shallow: blocked in a read it needs
// less than the smallest goroutine stack (2 KiB), and each frame is decoded and handled on a
// goroutine of its own (handle), whose deeper stack ends with it.
func (c *client) serve(r *room) {
	defer c.end(r)
	for {
		typ, b, err := c.conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.kill(CloseProtocol, "frame too large")
			}
			return
		}
		if !c.handle(r, typ, b) {
			return
		}
	}
}

// handle decodes and handles one frame on a goroutine of its own and waits for it; false
// ends the connection.
func (c *client) handle(r *room, typ int, b []byte) bool {
	ok := make(chan bool, 1)
	go func() { ok <- c.frame(r, typ, b) }()
	return <-ok
}

// frame handles one frame after hello: a command; anything else ends the connection.
func (c *client) frame(r *room, typ int, b []byte) bool {
	var f inFrame
	if c.decode(typ, b, &f) != nil {
		return false
	}
	switch f.Type {
	case "command":
		c.command(r, f)
		return true
	case "hello":
		c.kill(CloseProtocol, "hello twice")
	default:
		c.kill(CloseProtocol, "unknown frame type")
	}
	return false
}

// end ends the connection: it leaves and releases r (nil: none joined), closes the socket,
// waits for the writer, and tells the hub (onEnd).
func (c *client) end(r *room) {
	if r != nil {
		r.leave(c)
		c.h.release(r)
	}
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.kill(CloseGoingAway, "")
	<-c.finished
	c.onEnd()
}

// readHello reads the first frame, which must be hello within HelloWait.
func (c *client) readHello(f *inFrame) error {
	typ, b, err := c.conn.ReadMessage()
	if err != nil {
		var ne net.Error
		switch {
		case errors.Is(err, websocket.ErrReadLimit):
			c.kill(CloseProtocol, "frame too large")
		case errors.As(err, &ne) && ne.Timeout():
			c.kill(CloseProtocol, "no hello")
		}
		return err
	}
	if err := c.decode(typ, b, f); err != nil {
		return err
	}
	if f.Type != "hello" {
		c.kill(CloseProtocol, "hello first")
		return errors.New("hub: hello first")
	}
	return nil
}

// decode decodes one frame and extends the read deadline. A frame that is not JSON text
// ends the connection with a protocol close.
func (c *client) decode(typ int, b []byte, f *inFrame) error {
	_ = c.conn.SetReadDeadline(time.Now().Add(c.h.cfg.PongWait))
	if typ != websocket.TextMessage || json.Unmarshal(b, f) != nil {
		c.kill(CloseProtocol, "not a JSON text frame")
		return errors.New("hub: bad frame")
	}
	return nil
}

func (c *client) command(r *room, f inFrame) {
	if !c.allow() {
		c.auditChange(knownKind(f.Kind), "refused")
		c.nack(f.ID, errRateLimited)
		return
	}
	cmd, err := meeting.DecodeCommand(f.Kind, f.Payload)
	if err != nil {
		c.auditChange(knownKind(f.Kind), "refused")
		c.nack(f.ID, asError(err))
		return
	}
	if _, ok := cmd.(*meeting.StartFromIntake); ok { // only the intake route starts a case from a report
		c.auditChange(cmd.Kind(), "refused")
		c.nack(f.ID, errStartOverSocket)
		return
	}
	// The connection's grant serves the command and its access-log entry; it is asked again
	// when a right to the case changed (Recheck) or GrantTTL has passed.
	_, err = c.heldGrant()
	if err != nil {
		c.auditChange(cmd.Kind(), "refused")
		if unavailable(err) {
			c.nack(f.ID, errUnavailable) // could not check: fail closed, but keep the connection
			return
		}
		c.nack(f.ID, errForbiddenCase)
		c.kill(closeCodeFor(err), "not allowed")
		return
	}
	res, err := r.execute(c.h.ctx, c, c.p, f.ID, cmd)
	if err != nil {
		c.auditChange(cmd.Kind(), "refused")
		c.nack(f.ID, asError(err))
		return
	}
	if !res.recorded { // a stored command's entry was written with its batch, before its ack
		c.auditChange(cmd.Kind(), "granted")
	}
	if !res.sent { // the ack of a stored command rides with the update frame of its batch
		c.enqueue(prepare(ackFrame{Type: "ack", ID: f.ID, Seq: res.Seq, Duplicate: res.Duplicate}))
	}
}

func (c *client) nack(id string, e *meeting.Error) {
	c.enqueue(prepare(newNack(id, e)))
}

// allow is a token bucket per connection.
func (c *client) allow() bool {
	now := c.h.cfg.Now()
	c.tokens = min(float64(c.h.cfg.CommandBurst), c.tokens+now.Sub(c.last).Seconds()*c.h.cfg.CommandRate)
	c.last = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// audit records one access-log entry under the connection's latest grant.
func (c *client) audit(object, action, outcome string) error {
	return c.h.cfg.Rights.Record(c.h.ctx, c.p, c.heldForLog(), c.caseID, object, action, outcome)
}

// heldForLog is the grant the connection holds, as its access-log entries record it.
func (c *client) heldForLog() Grant {
	c.grantMu.Lock()
	defer c.grantMu.Unlock()
	return c.grant
}

// heldGrant is the connection's grant: the one it holds while fresh, else asked again.
func (c *client) heldGrant() (Grant, error) {
	c.grantMu.Lock()
	g, at := c.grant, c.grantAt
	c.grantMu.Unlock()
	now := c.h.cfg.Now()
	if !at.IsZero() && now.Sub(at) < c.h.cfg.GrantTTL && (c.p.Expires.IsZero() || now.Before(c.p.Expires)) {
		return g, nil
	}
	return c.askGrant()
}

// askGrant asks Rights for the connection's right to the case now and holds the answer: a
// grant to serve the next commands, a refusal's grant (which says on what authority it was
// refused) only for the access-log entry of the refusal.
func (c *client) askGrant() (Grant, error) {
	ctx, cancel := context.WithTimeout(c.h.ctx, 5*time.Second)
	defer cancel()
	g, err := c.h.cfg.Rights.Grant(ctx, c.p, c.caseID)
	c.setGrant(g, err == nil)
	return g, err
}

// setGrant holds g; valid says whether it may serve commands.
func (c *client) setGrant(g Grant, valid bool) {
	c.grantMu.Lock()
	defer c.grantMu.Unlock()
	c.grant, c.grantAt = g, time.Time{}
	if valid {
		c.grantAt = c.h.cfg.Now()
	}
}

// auditChange records a command; the change itself is already in the case log, so a failed
// entry is reported in the server log rather than undone.
func (c *client) auditChange(kind, outcome string) {
	if err := c.audit("command", kind, outcome); err != nil {
		c.h.log.Error("access log entry lost", "case", c.caseID, "principal", c.p.ID, "action", kind, "err", err)
	}
}

// knownKind is the command kind as the access log may record it: a kind the domain does not
// know is recorded as "unknown", never as the client's own text.
func knownKind(kind string) string {
	if slices.Contains(meeting.CommandKinds(), kind) {
		return kind
	}
	return "unknown"
}

var errStartOverSocket = meeting.NewError(meeting.CodeForbidden, "Een casus start vanuit een melding alleen via de intake.", "A case starts from a report only through the intake.")
