package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/heldview"
)

// frame is any server frame of protocol v1, decoded loosely, with its raw text.
type frame struct {
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	Seq       uint64            `json:"seq"`
	Duplicate bool              `json:"duplicate"`
	Code      string            `json:"code"`
	Resume    string            `json:"resume"`
	Case      string            `json:"case"`
	You       *you              `json:"you"`
	Message   *wsMessage        `json:"message"`
	Events    []json.RawMessage `json:"events"`
	View      *meeting.CaseView `json:"view"`
	Raw       string            `json:"-"`
}

type you struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Professional bool   `json:"professional"`
}

type wsMessage struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// wsClient is a browser tab on the live protocol: it dials /ws with the client's session
// cookie and the allowed Origin, and keeps every frame it receives.
type wsClient struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan frame
	closed chan int // the close code (-1 when the connection ended without one)
	mu     sync.Mutex
	all    []frame

	held heldview.View // view frames, with viewPatch frames applied (read loop only)
}

// commandSeq makes command ids unique across every client of a test binary: a command id
// is exactly-once per case, so two clients must never share one.
var commandSeq atomic.Int64

// dialWS opens a WebSocket to caseID as c (the upgrade only: no hello yet).
func (c *client) dialWS(t *testing.T, caseID string) *wsClient {
	t.Helper()
	h := c.h
	hdr := http.Header{"Origin": {h.srv.Config().PublicURL}, "Cookie": {h.srv.CookieName() + "=" + c.cookie()}}
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(h, caseID), hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial case %s: %v (status %d)", caseID, err, status)
	}
	w := &wsClient{t: t, conn: conn, frames: make(chan frame, 4096), closed: make(chan int, 1)}
	go w.readLoop()
	t.Cleanup(func() { _ = conn.Close() })
	return w
}

// connect dials caseID as c and completes hello → welcome.
func (c *client) connect(t *testing.T, caseID string) (*wsClient, frame) {
	t.Helper()
	w := c.dialWS(t, caseID)
	w.send(map[string]any{"type": "hello", "lastSeq": 0})
	return w, w.expect("welcome")
}

func (w *wsClient) readLoop() {
	defer close(w.frames)
	for {
		_, b, err := w.conn.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				w.closed <- ce.Code
			} else {
				w.closed <- -1
			}
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			w.t.Errorf("undecodable frame %s", b)
			return
		}
		f.Raw = string(b)
		if !w.trackView(&f, b) {
			return
		}
		w.mu.Lock()
		w.all = append(w.all, f)
		w.mu.Unlock()
		w.frames <- f
	}
}

// trackView keeps the view the client holds, as a browser does; a frame built from a viewPatch
// then reads as a view (Raw is still what was sent, so searches of the raw frames see the
// patch).
func (w *wsClient) trackView(f *frame, b []byte) bool {
	v, err := w.held.Take(f.Type, b)
	if err != nil {
		w.t.Errorf("%v (%s)", err, b)
		return false
	}
	if v != nil {
		f.Type, f.View = "view", v
	}
	return true
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	if err := w.conn.WriteJSON(v); err != nil {
		w.t.Fatalf("send: %v", err)
	}
}

// expect waits for the next frame of a type, skipping others.
func (w *wsClient) expect(typ string) frame {
	w.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-w.frames:
			if !ok {
				w.t.Fatalf("connection ended waiting for a %s frame", typ)
			}
			if f.Type == typ {
				return f
			}
		case <-deadline:
			w.t.Fatalf("no %s frame within 10s", typ)
		}
	}
}

// do sends a command with a fresh id and returns its ack or nack.
func (w *wsClient) do(kind string, payload any) frame {
	w.t.Helper()
	return w.doID(fmt.Sprintf("c%d-%s", commandSeq.Add(1), strings.ReplaceAll(kind, ".", "-")), kind, payload)
}

// doID sends a command with the given id and returns its ack or nack.
func (w *wsClient) doID(id, kind string, payload any) frame {
	w.t.Helper()
	w.send(map[string]any{"type": "command", "id": id, "kind": kind, "payload": payload})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-w.frames:
			if !ok {
				w.t.Fatalf("connection ended waiting for the answer to %s", kind)
			}
			if (f.Type == "ack" || f.Type == "nack") && f.ID == id {
				return f
			}
		case <-deadline:
			w.t.Fatalf("no answer to %s within 10s", kind)
		}
	}
}

// must sends a command that must be acked and returns its sequence.
func (w *wsClient) must(kind string, payload any) uint64 {
	w.t.Helper()
	f := w.do(kind, payload)
	if f.Type != "ack" {
		w.t.Fatalf("%s: got %s, want an ack", kind, f.Raw)
	}
	return f.Seq
}

// waitView waits until a view at or past seq has arrived and returns it.
func (w *wsClient) waitView(seq uint64) *meeting.CaseView {
	w.t.Helper()
	for {
		w.mu.Lock()
		for i := len(w.all) - 1; i >= 0; i-- {
			if f := w.all[i]; f.Type == "view" && f.Seq >= seq {
				w.mu.Unlock()
				return f.View
			}
		}
		w.mu.Unlock()
		w.expect("view")
	}
}

// received returns every frame received so far.
func (w *wsClient) received() []frame {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]frame(nil), w.all...)
}

// closeCode waits for the server to close the connection and returns the close code.
func (w *wsClient) closeCode() int {
	w.t.Helper()
	select {
	case code := <-w.closed:
		return code
	case <-time.After(10 * time.Second):
		w.t.Fatal("the server did not close the connection within 10s")
		return 0
	}
}
