package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/heldview"
)

// People of the Janna case as principals.
var (
	pChair  = hub.Principal{ID: "u:vt", Name: "Vera", Professional: true, AccountRole: "chair", SessionID: "s-vt"}
	pSocial = hub.Principal{ID: "u:mw", Name: "Mo", Professional: true, AccountRole: "professional", SessionID: "s-mw"}
	pNurse  = hub.Principal{ID: "u:jgz", Name: "Jet", Professional: true, AccountRole: "professional", SessionID: "s-jgz"}
	pMother = hub.Principal{ID: "i:moeder", Name: "Moeder", CaseID: "janna", MeetingID: "m1", InviteRole: "family", SessionID: "s-moeder"}
	pAunt   = hub.Principal{ID: "i:tante", Name: "Tante", CaseID: "janna", MeetingID: "m1", InviteRole: "network", SessionID: "s-tante"}
	pGuest  = hub.Principal{ID: "i:gast", Name: "Gast", CaseID: "janna", MeetingID: "m1", InviteRole: "observer", SessionID: "s-gast"}
)

// instance is one hub behind a real HTTP server. The test handler stands in for the
// server's authentication: it looks the principal up by a query parameter.
type instance struct {
	hub *hub.Hub
	srv *httptest.Server
}

var principals = map[string]hub.Principal{}

func init() {
	for _, p := range []hub.Principal{pChair, pSocial, pNurse, pMother, pAunt, pGuest} {
		principals[p.ID] = p
	}
}

func startInstance(tb testing.TB, store hub.Store, tweak func(*hub.Config)) *instance {
	tb.Helper()
	cfg := hub.Config{Store: store, PingInterval: time.Second}
	if tweak != nil {
		tweak(&cfg)
	}
	h := hub.New(cfg)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := principals[r.URL.Query().Get("who")]
		if !ok {
			http.Error(w, "who?", http.StatusUnauthorized)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		if tc, ok := conn.UnderlyingConn().(*net.TCPConn); ok && r.URL.Query().Get("small") != "" {
			_ = tc.SetWriteBuffer(16 << 10) // a small socket buffer on the server's side too
		}
		h.Serve(conn, p, r.URL.Query().Get("case"))
	}))
	in := &instance{hub: h, srv: srv}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		srv.Close()
	})
	return in
}

func openBolt(tb testing.TB) *boltstore.Store {
	tb.Helper()
	st, err := boltstore.Open(filepath.Join(tb.TempDir(), "tafel.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// frame is any server frame, decoded loosely, with its raw text.
type frame struct {
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	Seq       uint64            `json:"seq"`
	Duplicate bool              `json:"duplicate"`
	Code      string            `json:"code"`
	Resume    string            `json:"resume"`
	Events    []json.RawMessage `json:"events"`
	View      *meeting.CaseView `json:"view"`
	Raw       string            `json:"-"`
	// Patched marks a view the client built from a viewPatch (Type is then "view").
	Patched bool `json:"-"`
}

type wsClient struct {
	tb     testing.TB
	who    hub.Principal
	conn   *websocket.Conn
	frames chan frame
	mu     sync.Mutex
	all    []frame  // every frame received
	seqs   []uint64 // sequences of every event received
	closed chan int // close code when the server closes
	n      int
	gate   chan struct{} // while non-nil and open, the client does not read

	held heldview.View // the view held, as a browser holds it: whole views and patches applied
}

// pause makes the client stop reading from its socket (after the frame it may be reading
// now); resume lets it read again.
func pause(c *wsClient) {
	c.mu.Lock()
	c.gate = make(chan struct{})
	c.mu.Unlock()
}

func resume(c *wsClient) {
	c.mu.Lock()
	close(c.gate)
	c.gate = nil
	c.mu.Unlock()
}

func dial(tb testing.TB, in *instance, who hub.Principal, caseID string, lastSeq uint64) *wsClient {
	tb.Helper()
	return dialWith(tb, in, who, caseID, lastSeq, 0)
}

// dialWith dials with a receive buffer of rcvbuf bytes (0: the system's default); with one,
// the server's send buffer for the connection is small too.
func dialWith(tb testing.TB, in *instance, who hub.Principal, caseID string, lastSeq uint64, rcvbuf int) *wsClient {
	tb.Helper()
	url := "ws" + strings.TrimPrefix(in.srv.URL, "http") + "/?who=" + who.ID + "&case=" + caseID
	if rcvbuf > 0 {
		url += "&small=1"
	}
	d := *websocket.DefaultDialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := conn.(*net.TCPConn); ok && rcvbuf > 0 {
			_ = tc.SetReadBuffer(rcvbuf)
		}
		return conn, err
	}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		tb.Fatalf("dial as %s: %v", who.ID, err)
	}
	c := &wsClient{tb: tb, who: who, conn: conn, frames: make(chan frame, 4096), closed: make(chan int, 1)}
	go c.readLoop()
	tb.Cleanup(func() { conn.Close() })
	c.send(map[string]any{"type": "hello", "lastSeq": lastSeq})
	if f := c.expect("welcome"); f.Seq < lastSeq && f.Resume == "events" {
		tb.Fatalf("welcome seq %d below lastSeq %d with resume events", f.Seq, lastSeq)
	}
	return c
}

func (c *wsClient) readLoop() {
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
			var ce *websocket.CloseError
			if ok := asClose(err, &ce); ok {
				c.closed <- ce.Code
			} else {
				c.closed <- -1
			}
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			c.tb.Errorf("undecodable frame %s", b)
			return
		}
		f.Raw = string(b)
		c.mu.Lock()
		if !c.trackView(&f, b) {
			c.mu.Unlock()
			return
		}
		c.all = append(c.all, f)
		for _, e := range f.Events {
			var hdr struct{ Seq uint64 }
			_ = json.Unmarshal(e, &hdr)
			c.seqs = append(c.seqs, hdr.Seq)
		}
		c.mu.Unlock()
		c.frames <- f
	}
}

// heldView is the view the client holds now, as JSON, and its sequence.
func (c *wsClient) heldView() ([]byte, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held.JSON, c.held.Seq
}

// trackView (c.mu held) keeps the view the client holds; a frame built from a viewPatch then
// reads as a view.
func (c *wsClient) trackView(f *frame, b []byte) bool {
	v, err := c.held.Take(f.Type, b)
	if err != nil {
		c.tb.Errorf("%s: %v (%s)", c.who.ID, err, b)
		return false
	}
	if v != nil {
		f.Type, f.View, f.Patched = "view", v, true
	}
	return true
}

func asClose(err error, target **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*target = ce
	}
	return ok
}

func (c *wsClient) send(v any) {
	c.tb.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.tb.Fatalf("%s send: %v", c.who.ID, err)
	}
}

// expect waits for the next frame of a type, skipping others.
func (c *wsClient) expect(typ string) frame {
	c.tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.tb.Fatalf("%s: connection ended waiting for %s", c.who.ID, typ)
			}
			if f.Type == typ {
				return f
			}
		case <-deadline:
			c.tb.Fatalf("%s: no %s frame within 10s", c.who.ID, typ)
		}
	}
}

// do sends a command with a fresh id and waits for its ack or nack.
func (c *wsClient) do(kind string, payload any) frame {
	c.tb.Helper()
	c.n++
	return c.doID(fmt.Sprintf("%s-%d", c.who.ID, c.n), kind, payload)
}

func (c *wsClient) doID(id, kind string, payload any) frame {
	c.tb.Helper()
	c.send(map[string]any{"type": "command", "id": id, "kind": kind, "payload": payload})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.tb.Fatalf("%s: connection ended waiting for the answer to %s", c.who.ID, kind)
			}
			if (f.Type == "ack" || f.Type == "nack") && f.ID == id {
				return f
			}
		case <-deadline:
			c.tb.Fatalf("%s: no answer to %s within 10s", c.who.ID, kind)
		}
	}
}

// must sends a command that must be acked.
func (c *wsClient) must(kind string, payload any) uint64 {
	c.tb.Helper()
	f := c.do(kind, payload)
	if f.Type != "ack" {
		c.tb.Fatalf("%s %s: %s", c.who.ID, kind, f.Raw)
	}
	return f.Seq
}

// waitView waits until a view at or past seq arrives and returns it.
func (c *wsClient) waitView(seq uint64) *meeting.CaseView {
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
		c.expect("view")
	}
}

func (c *wsClient) snapshotFrames() []frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]frame(nil), c.all...)
}

func (c *wsClient) eventSeqs() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]uint64(nil), c.seqs...)
}

// setUpJanna creates the case through Execute and a meeting in progress with everyone
// admitted; it returns the chair's client and the other clients.
func setUpJanna(t *testing.T, in *instance, people ...hub.Principal) (*wsClient, map[string]*wsClient) {
	t.Helper()
	ctx := context.Background()
	_, err := in.hub.Execute(ctx, pChair, "janna", "create-janna", &meeting.CreateCase{ID: "janna", Title: "Gezin van baby Janna",
		Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}, {ID: "moeder", Name: "moeder"}}})
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	if _, err := in.hub.Execute(ctx, pChair, "janna", "schedule-m1", &meeting.ScheduleMeeting{ID: "m1", At: time.Now()}); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	chair := dial(t, in, pChair, "janna", 0)
	chair.must("meeting.start", map[string]any{"meeting": "m1"})
	others := map[string]*wsClient{}
	for _, p := range people {
		c := dial(t, in, p, "janna", 0)
		c.must("participant.join", map[string]any{"meeting": "m1"})
		chair.must("participant.admit", map[string]any{"meeting": "m1", "participant": p.ID})
		others[p.ID] = c
	}
	return chair, others
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
