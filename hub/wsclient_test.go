package hub_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
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

// dial connects as who to caseID on in and completes hello → welcome from lastSeq.
func dial(tb testing.TB, in *instance, who hub.Principal, caseID string, lastSeq uint64) *wstest.Client {
	tb.Helper()
	return dialWith(tb, in, who, caseID, lastSeq, 0)
}

// dialWith dials with a receive buffer of rcvbuf bytes (0: the system's default); with one,
// the server's send buffer for the connection is small too.
func dialWith(tb testing.TB, in *instance, who hub.Principal, caseID string, lastSeq uint64, rcvbuf int) *wstest.Client {
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
	c := wstest.New(tb, who.ID, conn)
	if f := c.Hello(lastSeq); f.Seq < lastSeq && f.Resume == "events" {
		tb.Fatalf("welcome seq %d below lastSeq %d with resume events", f.Seq, lastSeq)
	}
	return c
}

// setUpJanna creates the case through Execute and a meeting in progress with everyone
// admitted; it returns the chair's client and the other clients.
func setUpJanna(t *testing.T, in *instance, people ...hub.Principal) (*wstest.Client, map[string]*wstest.Client) {
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
	chair.Must("meeting.start", map[string]any{"meeting": "m1"})
	others := map[string]*wstest.Client{}
	for _, p := range people {
		c := dial(t, in, p, "janna", 0)
		c.Must("participant.join", map[string]any{"meeting": "m1"})
		chair.Must("participant.admit", map[string]any{"meeting": "m1", "participant": p.ID})
		others[p.ID] = c
	}
	return chair, others
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
