// Package wstest is the WebSocket client of the hub's and the server's tests: a browser tab on
// protocol v1 that keeps every frame it receives, the sequences of the events in them, and the
// view it holds (whole views, with patches applied, as the browser does). An update frame is
// kept as the frames it combines, in its order: an events frame (when it has events), a view
// frame (Patched when it came as a patch) and one ack frame per ack, each with the update's
// Raw text.
//
// Dialing stays with each test suite (the hub's tests dial a bare hub, the server's tests
// dial /ws with a session cookie); New takes the connection from there.
package wstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/heldview"
)

// wait is how long the client waits for a frame before it fails the test.
const wait = 10 * time.Second

// Frame is any server frame of protocol v1, decoded loosely, with its raw text.
type Frame struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
	Code      string `json:"code"`
	Resume    string `json:"resume"`
	Case      string `json:"case"`
	You       *You   `json:"you"`
	Message   *struct {
		NL string `json:"nl"`
		EN string `json:"en"`
	} `json:"message"`
	Events []json.RawMessage `json:"events"`
	View   *meeting.CaseView `json:"view"`
	// Acks are an update frame's acks.
	Acks []Frame `json:"acks"`
	// Raw is the frame as it was sent (for the parts of an update: the update).
	Raw string `json:"-"`
	// Patched marks a view the client built from a patch (Type is then "view").
	Patched bool `json:"-"`
}

// You is the principal a welcome frame names.
type You struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Professional bool   `json:"professional"`
}

// commandSeq makes command ids unique across every client of a test binary: a command id is
// exactly-once per case, so two clients must never share one.
var commandSeq atomic.Int64

// Client is one connection on the live protocol.
type Client struct {
	// Name says who the client is in failure messages; it may be empty.
	Name string

	tb     testing.TB
	conn   *websocket.Conn
	frames chan Frame
	closed chan int // the close code (-1 when the connection ended without one)

	mu   sync.Mutex
	all  []Frame       // every frame received
	seqs []uint64      // sequences of every event received
	gate chan struct{} // while non-nil and open, the client does not read
	held heldview.View // the view held, as a browser holds it
}

// New starts reading conn and closes it when the test ends. name says who the client is in
// failure messages (it may be empty). New sends nothing: Hello does.
func New(tb testing.TB, name string, conn *websocket.Conn) *Client {
	c := &Client{Name: name, tb: tb, conn: conn, frames: make(chan Frame, 4096), closed: make(chan int, 1)}
	go c.readLoop()
	tb.Cleanup(func() { _ = conn.Close() })
	return c
}

// failf fails the test now, naming the client.
func (c *Client) failf(format string, args ...any) {
	c.tb.Helper()
	c.tb.Fatalf(c.prefix()+format, args...)
}

func (c *Client) prefix() string {
	if c.Name == "" {
		return ""
	}
	return c.Name + ": "
}

func (c *Client) readLoop() {
	defer close(c.frames)
	for {
		c.mu.Lock()
		gate := c.gate
		c.mu.Unlock()
		if gate != nil {
			<-gate
		}
		_, b, err := c.conn.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.closed <- ce.Code
			} else {
				c.closed <- -1
			}
			return
		}
		var f Frame
		if err := json.Unmarshal(b, &f); err != nil {
			c.tb.Errorf("%sundecodable frame %s", c.prefix(), b)
			return
		}
		f.Raw = string(b)
		c.mu.Lock()
		parts, ok := c.split(f, b)
		if !ok {
			c.mu.Unlock()
			return
		}
		c.all = append(c.all, parts...)
		for _, e := range f.Events {
			var hdr struct{ Seq uint64 }
			_ = json.Unmarshal(e, &hdr)
			c.seqs = append(c.seqs, hdr.Seq)
		}
		c.mu.Unlock()
		for _, p := range parts {
			c.frames <- p
		}
	}
}

// split (c.mu held) keeps the view the client holds and returns f as the frames it combines
// (see the package comment); any other frame as itself.
func (c *Client) split(f Frame, b []byte) ([]Frame, bool) {
	v, err := c.held.Take(f.Type, b)
	if err != nil {
		c.tb.Errorf("%s%v (%s)", c.prefix(), err, b)
		return nil, false
	}
	if f.Type != "update" {
		return []Frame{f}, true
	}
	var parts []Frame
	if len(f.Events) > 0 {
		parts = append(parts, Frame{Type: "events", Events: f.Events, Raw: f.Raw})
	}
	var u struct{ Ops json.RawMessage }
	_ = json.Unmarshal(b, &u)
	parts = append(parts, Frame{Type: "view", Seq: f.Seq, View: v, Raw: f.Raw, Patched: u.Ops != nil})
	for _, a := range f.Acks {
		parts = append(parts, Frame{Type: "ack", ID: a.ID, Seq: a.Seq, Duplicate: a.Duplicate, Raw: f.Raw})
	}
	return parts, true
}

// Pause makes the client stop reading from its socket (after the frame it may be reading
// now); Resume lets it read again.
func (c *Client) Pause() {
	c.mu.Lock()
	c.gate = make(chan struct{})
	c.mu.Unlock()
}

// Resume lets a paused client read again.
func (c *Client) Resume() {
	c.mu.Lock()
	close(c.gate)
	c.gate = nil
	c.mu.Unlock()
}

// Close closes the connection from the client's side, as a phone that goes to sleep.
func (c *Client) Close() { _ = c.conn.Close() }

// Closed receives the close code once the connection has ended (-1 when it ended without one).
func (c *Client) Closed() <-chan int { return c.closed }

// CloseCode waits for the server to close the connection and returns the close code.
func (c *Client) CloseCode() int {
	c.tb.Helper()
	select {
	case code := <-c.closed:
		return code
	case <-time.After(wait):
		c.failf("the server did not close the connection within 10s")
		return 0
	}
}

// Send writes v as a JSON frame.
func (c *Client) Send(v any) {
	c.tb.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.failf("send: %v", err)
	}
}

// Hello sends hello with lastSeq and returns the welcome.
func (c *Client) Hello(lastSeq uint64) Frame {
	c.tb.Helper()
	c.Send(map[string]any{"type": "hello", "lastSeq": lastSeq})
	return c.Expect("welcome")
}

// Expect waits for the next frame of a type, skipping others.
func (c *Client) Expect(typ string) Frame {
	c.tb.Helper()
	deadline := time.After(wait)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.failf("connection ended waiting for a %s frame", typ)
			}
			if f.Type == typ {
				return f
			}
		case <-deadline:
			c.failf("no %s frame within 10s", typ)
		}
	}
}

// Do sends a command with a fresh id and returns its ack or nack.
func (c *Client) Do(kind string, payload any) Frame {
	c.tb.Helper()
	return c.DoID(fmt.Sprintf("c%d-%s", commandSeq.Add(1), strings.ReplaceAll(kind, ".", "-")), kind, payload)
}

// DoID sends a command with the given id and returns its ack or nack.
func (c *Client) DoID(id, kind string, payload any) Frame {
	c.tb.Helper()
	c.Send(map[string]any{"type": "command", "id": id, "kind": kind, "payload": payload})
	deadline := time.After(wait)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.failf("connection ended waiting for the answer to %s", kind)
			}
			if (f.Type == "ack" || f.Type == "nack") && f.ID == id {
				return f
			}
		case <-deadline:
			c.failf("no answer to %s within 10s", kind)
		}
	}
}

// Must sends a command that must be acked and returns its sequence.
func (c *Client) Must(kind string, payload any) uint64 {
	c.tb.Helper()
	f := c.Do(kind, payload)
	if f.Type != "ack" {
		c.failf("%s: got %s, want an ack", kind, f.Raw)
	}
	return f.Seq
}

// WaitView waits until a view at or past seq has arrived and returns it.
func (c *Client) WaitView(seq uint64) *meeting.CaseView {
	c.tb.Helper()
	for {
		c.mu.Lock()
		for i := len(c.all) - 1; i >= 0; i-- {
			if f := c.all[i]; f.Type == "view" && f.Seq >= seq {
				c.mu.Unlock()
				return f.View
			}
		}
		c.mu.Unlock()
		c.Expect("view")
	}
}

// Frames returns every frame received so far.
func (c *Client) Frames() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Frame(nil), c.all...)
}

// EventSeqs returns the sequences of every event received so far, in the order received.
func (c *Client) EventSeqs() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]uint64(nil), c.seqs...)
}

// HeldView returns the view the client holds now, as JSON, and its sequence.
func (c *Client) HeldView() ([]byte, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held.JSON, c.held.Seq
}
