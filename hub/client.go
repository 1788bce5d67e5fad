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

// client is one WebSocket connection: one reader goroutine (run) and one writer goroutine.
type client struct {
	h      *Hub
	conn   *websocket.Conn
	p      Principal
	caseID string
	connID string
	send   chan *websocket.PreparedMessage
	done   chan struct{} // closed by kill: the writer sends the close frame and ends

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

	// grant is the connection's latest right to the case (reader goroutine only).
	grant Grant
}

func newClient(h *Hub, conn *websocket.Conn, p Principal, caseID string) *client {
	var id [12]byte
	_, _ = rand.Read(id[:])
	return &client{h: h, conn: conn, p: p, caseID: caseID, connID: hex.EncodeToString(id[:]),
		send: make(chan *websocket.PreparedMessage, h.cfg.SendBuffer), done: make(chan struct{}),
		tokens: float64(h.cfg.CommandBurst), last: h.cfg.Now()}
}

// kill ends the connection with a close code. When the client is too slow, its writer may be
// stuck in a write: force makes that write fail at once instead of after WriteWait.
func (c *client) kill(code int, text string) {
	c.once.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
		if code == CloseTooSlow {
			// Drop what the kernel still holds for this client (reset, not a slow drain)
			// and make a write that is stuck fail now.
			if tc, ok := c.conn.NetConn().(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = c.conn.NetConn().SetWriteDeadline(time.Now())
		}
	})
}

// enqueue queues a frame without ever blocking the room; a full buffer disconnects the
// client with "too slow, resume".
func (c *client) enqueue(m *websocket.PreparedMessage) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- m:
		return true
	default:
		c.kill(CloseTooSlow, "too slow")
		return false
	}
}

func closeWith(conn *websocket.Conn, code int, text string, wait time.Duration) {
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(wait))
	_ = conn.Close()
}

// run is the reader: hello, then commands, until the connection ends.
func (c *client) run() {
	writerDone := make(chan struct{})
	go func() { c.writer(); close(writerDone) }()
	defer func() {
		c.kill(CloseGoingAway, "")
		<-writerDone
	}()

	c.conn.SetReadLimit(c.h.cfg.ReadLimit)
	// A connection says hello within HelloWait, whatever else it does: answering pings does
	// not keep a silent socket open.
	_ = c.conn.SetReadDeadline(time.Now().Add(c.h.cfg.HelloWait))
	var f inFrame
	if err := c.readHello(&f); err != nil {
		return
	}
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(c.h.cfg.PongWait))
	})
	if !c.p.Expires.IsZero() {
		// A socket outlives no session: it ends when the session does, with 4401.
		t := time.AfterFunc(c.p.Expires.Sub(c.h.cfg.Now()), func() { c.kill(CloseUnauthorized, "session expired") })
		defer t.Stop()
	}
	ctx := c.h.ctx
	g, err := c.h.cfg.Rights.Grant(ctx, c.p, c.caseID)
	c.grant = g // a refusal's grant says on what authority it was refused
	if err != nil {
		_ = c.audit("case", "read", "refused")
		c.kill(closeCodeFor(err), "not allowed")
		return
	}
	loadCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	r, err := c.h.acquire(loadCtx, c.caseID)
	cancel()
	if err != nil {
		if errors.Is(err, ErrDraining) {
			c.kill(CloseDraining, "draining")
		} else {
			c.kill(CloseTryAgain, "store unavailable")
		}
		return
	}
	defer c.h.release(r)
	if err := c.audit("case", "read", "granted"); err != nil {
		c.kill(CloseTryAgain, "access log unavailable")
		return
	}
	defer r.leave(c)
	r.join(c, f.LastSeq)

	for {
		var f inFrame
		if err := c.read(&f); err != nil {
			return
		}
		switch f.Type {
		case "command":
			c.command(r, f)
		case "hello":
			c.kill(CloseProtocol, "hello twice")
			return
		default:
			c.kill(CloseProtocol, "unknown frame type")
			return
		}
	}
}

// readHello reads the first frame, which must be hello within HelloWait.
func (c *client) readHello(f *inFrame) error {
	if err := c.read(f); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.kill(CloseProtocol, "no hello")
		}
		return err
	}
	if f.Type != "hello" {
		c.kill(CloseProtocol, "hello first")
		return errors.New("hub: hello first")
	}
	return nil
}

// read reads one JSON frame. A frame over the read limit or that is not JSON ends the
// connection with a protocol close.
func (c *client) read(f *inFrame) error {
	typ, b, err := c.conn.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			c.kill(CloseProtocol, "frame too large")
		}
		return err
	}
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
	// The right to the case is asked once per command: the grant serves the command and its
	// access-log entry.
	g, err := c.h.cfg.Rights.Grant(c.h.ctx, c.p, c.caseID)
	c.grant = g
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
	res, err := r.execute(c.h.ctx, c.p, f.ID, cmd)
	if err != nil {
		c.auditChange(cmd.Kind(), "refused")
		c.nack(f.ID, asError(err))
		return
	}
	c.auditChange(cmd.Kind(), "granted")
	c.enqueue(prepare(ackFrame{Type: "ack", ID: f.ID, Seq: res.Seq, Duplicate: res.Duplicate}))
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
	return c.h.cfg.Rights.Record(c.h.ctx, c.p, c.grant, c.caseID, object, action, outcome)
}

// auditChange records a command; the change itself is already in the case log, so a failed
// entry is reported in the server log rather than undone.
func (c *client) auditChange(kind, outcome string) {
	if err := c.audit("command", kind, outcome); err != nil {
		c.h.log.Error("access log entry lost", "case", c.caseID, "principal", c.p.ID, "action", kind, "err", err)
	}
}

// writer sends queued frames and pings, and the close frame when the client is killed.
func (c *client) writer() {
	ping := time.NewTicker(c.h.cfg.PingInterval)
	defer ping.Stop()
	defer c.conn.Close()
	for {
		select {
		case <-c.done: // a kill wins over queued frames
			c.closeFrame()
			return
		default:
		}
		select {
		case m := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(c.h.cfg.WriteWait))
			if err := c.conn.WritePreparedMessage(m); err != nil {
				c.kill(CloseGoingAway, "")
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.h.cfg.WriteWait)); err != nil {
				c.kill(CloseGoingAway, "")
				return
			}
		case <-c.done:
			c.closeFrame()
			return
		}
	}
}

// closeFrame flushes what is queued (acks, the last events) unless the client is too slow,
// then sends the close frame with the kill's code.
func (c *client) closeFrame() {
	if c.closeCode != CloseTooSlow {
		for {
			select {
			case m := <-c.send:
				_ = c.conn.SetWriteDeadline(time.Now().Add(c.h.cfg.WriteWait))
				if c.conn.WritePreparedMessage(m) != nil {
					return
				}
				continue
			default:
			}
			break
		}
	}
	_ = c.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(time.Second))
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
