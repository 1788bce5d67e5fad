package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gorilla/websocket"
	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func marker(p hub.Principal, subject string) string { return "UITLEG-" + p.ID + "-" + subject }

func scorePayload(round, subject string, p hub.Principal, v int) map[string]any {
	return map[string]any{"round": round, "subject": subject, "value": v, "meaning": marker(p, subject), "notHigher": "NIETHOGER-" + p.ID}
}

// TestHiddenScores connects as every role and checks that no frame received before the reveal
// holds another scorer's value or explanation — the chair's neither.
func TestHiddenScores(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, others := setUpJanna(t, in, pSocial, pMother, pAunt, pGuest)
	seq := chair.Must("round.open", map[string]any{"meeting": "m1"})
	round := chair.WaitView(seq).Current.Rounds[0].ID

	scorers := []hub.Principal{pChair, pSocial, pMother, pAunt}
	clients := map[string]*wstest.Client{pChair.ID: chair}
	for id, c := range others {
		clients[id] = c
	}
	values := map[string]int{pChair.ID: 2, pSocial.ID: 3, pMother.ID: 4, pAunt.ID: 5}
	// Everyone but the aunt scores both subjects; the aunt scores Janna only: no reveal yet.
	for _, p := range scorers {
		for _, sub := range []string{"janna", "moeder"} {
			if p.ID == pAunt.ID && sub == "moeder" {
				continue
			}
			clients[p.ID].Must("score.submit", scorePayload(round, sub, p, values[p.ID]))
		}
	}
	last := clients[pAunt.ID].Must("score.submit", scorePayload(round, "janna", pAunt, 5))
	for id, c := range clients {
		v := c.WaitView(last)
		if v.Current.Rounds[0].Status != "open" {
			t.Fatalf("%s: round revealed before the aunt scored moeder", id)
		}
		for _, f := range c.Frames() {
			for _, p := range scorers {
				for _, sub := range []string{"janna", "moeder"} {
					if strings.Contains(f.Raw, marker(p, sub)) {
						t.Errorf("%s received %q before the reveal in a %s frame", id, marker(p, sub), f.Type)
					}
				}
			}
			for _, e := range f.Events {
				var ev struct {
					Type string
					Data map[string]any
				}
				_ = json.Unmarshal(e, &ev)
				if ev.Type == "score.submitted" {
					if _, has := ev.Data["score"]; has {
						t.Errorf("%s received a score.submitted with its score: %s", id, e)
					}
				}
			}
			if f.View != nil && f.View.Current != nil {
				for _, r := range f.View.Current.Rounds {
					if r.Status == "open" && (r.Scores != nil || r.Results != nil) {
						t.Errorf("%s received values of the open round in a view", id)
					}
				}
			}
		}
	}
	// The aunt completes the round, and the chair reveals it: to everyone, with the values.
	clients[pAunt.ID].Must("score.submit", scorePayload(round, "moeder", pAunt, 5))
	last = clients[pChair.ID].Must("round.reveal", map[string]any{"round": round})
	for id, c := range clients {
		v := c.WaitView(last)
		r := v.Current.Rounds[0]
		if r.Status != "revealed" || len(r.Scores) != 8 {
			t.Fatalf("%s after the last score: status %s with %d scores, want revealed with 8", id, r.Status, len(r.Scores))
		}
	}
}

// TestRetryAfterDrop: a client drops mid-round right after sending its commands; after
// reconnecting it sends them again with the same ids; each is applied once.
func TestRetryAfterDrop(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, others := setUpJanna(t, in, pSocial)
	seq := chair.Must("round.open", map[string]any{"meeting": "m1"})
	round := chair.WaitView(seq).Current.Rounds[0].ID

	mo := others[pSocial.ID]
	cmds := []struct{ id, subject string }{{"mo-janna", "janna"}, {"mo-moeder", "moeder"}}
	for _, c := range cmds {
		mo.Send(map[string]any{"type": "command", "id": c.id, "kind": "score.submit", "payload": scorePayload(round, c.subject, pSocial, 4)})
	}
	mo.Close() // the phone sleeps before any ack arrives

	back := dial(t, in, pSocial, "janna", 0)
	for _, c := range cmds {
		f := back.DoID(c.id, "score.submit", scorePayload(round, c.subject, pSocial, 4))
		if f.Type != "ack" {
			t.Fatalf("retry of %s: %s", c.id, f.Raw)
		}
	}
	_, events, err := in.hub.Load(context.Background(), "janna")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, e := range events {
		if e.Type == "score.submitted" && e.Actor == pSocial.ID {
			count++
		}
	}
	if count != 2 {
		t.Errorf("score.submitted by %s in the log: got %d, want 2 (one per command)", pSocial.ID, count)
	}
	// A retry after the ack is answered with the first result and marked duplicate.
	f := back.DoID("mo-janna", "score.submit", scorePayload(round, "janna", pSocial, 9))
	if f.Type != "ack" || !f.Duplicate {
		t.Errorf("repeated id: got %s, want ack duplicate", f.Raw)
	}
}

// TestResumeFromOldSequence: a client that comes back with an old sequence gets exactly the
// events it missed, in order.
func TestResumeFromOldSequence(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, others := setUpJanna(t, in, pSocial)
	mo := others[pSocial.ID]
	held := mo.WaitView(0).Seq
	held = mo.WaitView(held).Seq
	mo.Close()

	var missed []uint64
	for i := 0; i < 5; i++ {
		missed = append(missed, chair.Must("fact.add", map[string]any{"text": fmt.Sprintf("feit %d", i)}))
	}
	back := dial(t, in, pSocial, "janna", held)
	v := back.Expect("view")
	if v.Seq != missed[len(missed)-1] {
		t.Fatalf("view after resume at %d, want %d", v.Seq, missed[len(missed)-1])
	}
	got := back.EventSeqs()
	var want []uint64
	for s := held + 1; s <= missed[len(missed)-1]; s++ {
		want = append(want, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("resumed events: got %v, want %v", got, want)
	}
}

// TestSlowClient: a client that stops reading is disconnected; the others get every event.
func TestSlowClient(t *testing.T) {
	in := startInstance(t, openBolt(t), func(c *hub.Config) { c.SendBuffer = 8; c.CommandRate = 1000; c.CommandBurst = 1000 })
	chair, others := setUpJanna(t, in, pSocial, pNurse)
	// The nurse's phone comes back on a connection with a small receive buffer.
	others[pNurse.ID].Close()
	slow := dialWith(t, in, pNurse, "janna", 0, 16<<10)
	// The slow client stops reading: its TCP buffers fill, then its send buffer on the server.
	slow.Pause()

	long := strings.Repeat("x", 3900)
	var last uint64
	// Views go out as small patches: it takes a few hundred kilobytes of facts to fill the
	// socket buffers on both sides and then the send buffer.
	for i := 0; i < 80; i++ {
		last = chair.Must("fact.add", map[string]any{"text": fmt.Sprintf("%d %s", i, long)})
	}
	fast := others[pSocial.ID]
	fast.WaitView(last)
	seqs := fast.EventSeqs()
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("fast client: gap between %d and %d", seqs[i-1], seqs[i])
		}
	}
	if seqs[len(seqs)-1] != last {
		t.Fatalf("fast client: last event %d, want %d", seqs[len(seqs)-1], last)
	}
	slow.Resume()
	select {
	case code := <-slow.Closed():
		// 4001 when the close frame got through; 1006 or a reset (-1) when the server had to
		// cut the connection because the client's buffers were full. Anything but a normal
		// close is the disconnect this test wants.
		if code == hub.CloseNormal {
			t.Errorf("slow client closed normally, want a disconnect")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("slow client was not disconnected")
	}
}

// TestShutdownDrains: Shutdown tells every client to reconnect elsewhere (4002).
func TestShutdownDrains(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, others := setUpJanna(t, in, pMother)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := in.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wstest.Client{chair, others[pMother.ID]} {
		select {
		case code := <-c.Closed():
			if code != hub.CloseDraining {
				t.Errorf("%s closed with %d, want %d", c.Name, code, hub.CloseDraining)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s not closed by Shutdown", c.Name)
		}
	}
}

// TestInvitationBoundToItsMeeting: an invitee for meeting m1 cannot join another meeting.
func TestInvitationBoundToItsMeeting(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, _ := setUpJanna(t, in)
	chair.Must("meeting.schedule", map[string]any{"id": "m2", "at": time.Now().Add(time.Hour)})
	mother := dial(t, in, pMother, "janna", 0)
	if f := mother.Do("participant.join", map[string]any{"meeting": "m2"}); f.Type != "nack" || f.Code != "forbidden" {
		t.Errorf("join of another meeting: got %s, want a forbidden nack", f.Raw)
	}
	mother.Must("participant.join", map[string]any{"meeting": "m1"})
}

// TestPresenceOnJoin: a client that connects gets who is online at once, also when nothing
// changes afterwards.
func TestPresenceOnJoin(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, _ := setUpJanna(t, in, pSocial)
	// The room has a list once the chair has seen one (maybe while waiting for an ack).
	seen := false
	for _, f := range chair.Frames() {
		seen = seen || f.Type == "presence"
	}
	if !seen {
		chair.Expect("presence")
	}
	late := dial(t, in, pSocial, "janna", 0)
	f := late.Expect("presence")
	if !strings.Contains(f.Raw, pChair.ID) {
		t.Errorf("presence on join: %s, want the chair in it", f.Raw)
	}
}

// TestAuthorizeUnavailable: when the right to the case must be asked again (here: before every
// command) and cannot be checked (the store is down), a command is nacked unavailable and the
// connection stays; it is not called forbidden.
func TestAuthorizeUnavailable(t *testing.T) {
	var down atomic.Bool
	in := startInstance(t, openBolt(t), func(c *hub.Config) {
		c.GrantTTL = time.Nanosecond
		c.Rights = rightsFunc(func(p hub.Principal) error {
			if down.Load() {
				return fmt.Errorf("checking membership: %w", hub.ErrUnavailable)
			}
			return nil
		})
	})
	chair, _ := setUpJanna(t, in)
	down.Store(true)
	if f := chair.Do("fact.add", map[string]any{"text": "tijdens storing"}); f.Type != "nack" || f.Code != string(meeting.CodeUnavailable) {
		t.Fatalf("command while the check is unavailable: got %s, want nack unavailable", f.Raw)
	}
	down.Store(false)
	chair.Must("fact.add", map[string]any{"text": "na storing"})
}

// TestHeldGrant: a connection's grant serves its commands without asking Rights again; a
// Recheck that cannot check the right drops the grant (the next command asks, and is nacked
// unavailable while the check fails), one that is refused closes the connection.
func TestHeldGrant(t *testing.T) {
	var asked atomic.Int64
	var state atomic.Int32 // 0 granted, 1 unavailable, 2 forbidden
	in := startInstance(t, openBolt(t), func(c *hub.Config) {
		c.Rights = rightsFunc(func(p hub.Principal) error {
			if p.ID != pSocial.ID {
				return nil
			}
			asked.Add(1)
			switch state.Load() {
			case 1:
				return fmt.Errorf("checking membership: %w", hub.ErrUnavailable)
			case 2:
				return meeting.NewError(meeting.CodeForbidden, "geen lid", "not a member")
			}
			return nil
		})
	})
	_, others := setUpJanna(t, in, pSocial)
	mw := others[pSocial.ID]
	before := asked.Load()
	for i := range 5 {
		mw.Must("fact.add", map[string]any{"text": fmt.Sprintf("feit %d", i)})
	}
	if n := asked.Load() - before; n != 0 {
		t.Fatalf("Rights asked %d times for 5 commands under a held grant, want 0", n)
	}
	state.Store(1)
	in.hub.Recheck("janna", pSocial.ID)
	if f := mw.Do("fact.add", map[string]any{"text": "tijdens storing"}); f.Type != "nack" || f.Code != string(meeting.CodeUnavailable) {
		t.Fatalf("command after a Recheck that could not check: got %s, want nack unavailable", f.Raw)
	}
	state.Store(0)
	mw.Must("fact.add", map[string]any{"text": "na storing"})
	state.Store(2)
	in.hub.Recheck("janna", pSocial.ID)
	select {
	case code := <-mw.Closed():
		if code != hub.CloseForbidden {
			t.Fatalf("closed with %d after a refused Recheck, want %d", code, hub.CloseForbidden)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the connection stayed open after a refused Recheck")
	}
}

// TestViewPatches follows a meeting with one client per audience that stays connected (and so
// gets viewPatch frames) and, after every step, a fresh client per audience (which gets the
// whole view): the patched view must equal the whole view, for professionals and family.
func TestViewPatches(t *testing.T) {
	in := startInstance(t, openBolt(t), nil)
	chair, others := setUpJanna(t, in, pSocial, pMother)
	steady := map[string]*wstest.Client{pSocial.ID: others[pSocial.ID], pMother.ID: others[pMother.ID]}
	check := func(seq uint64) {
		t.Helper()
		for id, c := range steady {
			c.WaitView(seq)
			got, at := c.HeldView()
			fresh := dial(t, in, map[string]hub.Principal{pSocial.ID: pSocial, pMother.ID: pMother}[id], "janna", 0)
			fresh.WaitView(seq)
			want, wantAt := fresh.HeldView()
			if at != wantAt {
				t.Fatalf("%s holds the view at %d, a fresh client at %d", id, at, wantAt)
			}
			var g, w any
			_ = jsonUnmarshal(got, &g)
			_ = jsonUnmarshal(want, &w)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s: patched view differs from the whole view at %d:\n%s\n%s", id, seq, got, want)
			}
			fresh.Close()
		}
	}
	seq := chair.Must("round.open", map[string]any{"meeting": "m1"})
	check(seq)
	round := chair.WaitView(seq).Current.Rounds[0].ID
	for _, p := range []hub.Principal{pChair, pSocial, pMother} {
		c := map[string]*wstest.Client{pChair.ID: chair, pSocial.ID: others[pSocial.ID], pMother.ID: others[pMother.ID]}[p.ID]
		for _, sub := range []string{"janna", "moeder"} {
			check(c.Must("score.submit", scorePayload(round, sub, p, 7)))
		}
	}
	// Everyone scored: the chair reveals the round and opens the next.
	check(chair.Must("round.reveal", map[string]any{"round": round}))
	check(chair.Must("round.open", map[string]any{"meeting": "m1"}))
	for id, c := range steady {
		patches, smaller := 0, 0
		view, _ := c.HeldView()
		for _, f := range c.Frames() {
			if f.Patched {
				patches++
				if len(f.Raw) < len(view)/2 {
					smaller++
				}
			}
		}
		// The reveal shows the family every score at once: that patch may be large.
		if patches < 8 || smaller < patches-1 {
			t.Fatalf("%s got %d patches, %d of them under half the view: want updates as small patches", id, patches, smaller)
		}
	}
}

// rightsFunc is a hub.Rights that grants what the function does not refuse and records
// nothing.
type rightsFunc func(p hub.Principal) error

func (f rightsFunc) Grant(_ context.Context, p hub.Principal, _ string) (hub.Grant, error) {
	return hub.Grant{Role: p.InviteRole}, f(p)
}

func (f rightsFunc) Record(context.Context, hub.Principal, hub.Grant, string, string, string, string) error {
	return nil
}

// TestHelloWait: a connection that does not say hello within HelloWait is closed with 4400,
// although it answers every ping; one that does stays.
func TestHelloWait(t *testing.T) {
	in := startInstance(t, openBolt(t), func(c *hub.Config) {
		c.HelloWait = 300 * time.Millisecond
		c.PingInterval = 100 * time.Millisecond // pinged (and answering) before HelloWait ends
		c.PongWait = 10 * time.Second
	})
	url := "ws" + strings.TrimPrefix(in.srv.URL, "http") + "/?who=" + pChair.ID + "&case=janna"
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	silent := wstest.New(t, "silent", conn) // its reader answers pings, says nothing
	select {
	case code := <-silent.Closed():
		if code != hub.CloseProtocol {
			t.Errorf("got close %d, want %d", code, hub.CloseProtocol)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a connection that never said hello is still open")
	}
	talker := dial(t, in, pChair, "janna", 0)
	time.Sleep(400 * time.Millisecond) // past HelloWait, pinged all along
	select {
	case code := <-talker.Closed():
		t.Fatalf("a connection that said hello was closed with %d", code)
	default:
	}
}
