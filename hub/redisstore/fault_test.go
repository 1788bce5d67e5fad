package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

// collector gathers what a follow delivers.
type collector struct {
	mu   sync.Mutex
	recs []hub.Record
}

func (c *collector) deliver(recs []hub.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, recs...)
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recs)
}

// check waits until c holds n records and verifies they are 1..n, each once, in order, with
// the data appended for them.
func (c *collector) check(t *testing.T, what string, want []string) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s: %d records", what, len(want)), func() bool { return c.len() >= len(want) })
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.recs) != len(want) {
		t.Fatalf("%s: got %d records, want %d", what, len(c.recs), len(want))
	}
	for i, r := range c.recs {
		if r.Seq != uint64(i+1) || string(r.Data) != want[i] {
			t.Fatalf("%s: record %d is {seq %d, %q}, want {seq %d, %q}", what, i, r.Seq, r.Data, i+1, want[i])
		}
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// appendNext appends one event to caseID at its current head, retrying on conflict.
func appendNext(t *testing.T, s hub.Store, caseID, cmd, data string) {
	t.Helper()
	for {
		head, err := s.Head(t.Context(), caseID)
		if err != nil {
			t.Fatalf("Head: %v", err)
		}
		_, err = s.Append(t.Context(), caseID, head, cmd, [][]byte{[]byte(data)})
		if errors.Is(err, hub.ErrConflict) {
			continue
		}
		if err != nil {
			t.Fatalf("Append %s: %v", cmd, err)
		}
		return
	}
}

// TestFollowSurvivesRestart kills Redis under two instances with live follows, checks that
// every call fails as unavailable while it is down, restarts it from its AOF on the same port,
// and checks that nothing acknowledged was lost and the follows resume without gap or repeat.
func TestFollowSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t)
	prefix := freshPrefix()
	open := opener(t, srv.URL(), prefix)
	a, b := open(), open()
	ctx := t.Context()

	const cases = 3
	var want [cases][]string
	follows := make([]*collector, cases)
	for i := range cases {
		follows[i] = &collector{}
		if err := []hub.Store{a, b}[i%2].Follow(ctx, caseName(i), 0, follows[i].deliver); err != nil {
			t.Fatalf("Follow: %v", err)
		}
	}
	add := func(s hub.Store, i int, tag string) {
		t.Helper()
		data := fmt.Sprintf("%s-%d-%d", tag, i, len(want[i]))
		appendNext(t, s, caseName(i), "cmd-"+data, data)
		want[i] = append(want[i], data)
	}
	for i := range cases {
		add(a, i, "before")
		add(b, i, "before")
	}
	for i := range cases {
		follows[i].check(t, "before the crash", want[i])
	}

	srv.Kill()
	// Every call fails as unavailable (checked concurrently: go-redis spends a while
	// re-dialling before it gives up).
	checkUnavailable(t, map[string]func() error{
		"Append on a": func() error {
			_, err := a.Append(ctx, caseName(0), uint64(len(want[0])), "while-down", [][]byte{[]byte("x")})
			return err
		},
		"Append on b": func() error {
			_, err := b.Append(ctx, caseName(1), uint64(len(want[1])), "while-down", [][]byte{[]byte("x")})
			return err
		},
		"Head":   func() error { _, err := a.Head(ctx, caseName(0)); return err },
		"Read":   func() error { _, err := b.Read(ctx, caseName(0), 0, 0); return err },
		"Ping":   func() error { return a.Ping(ctx) },
		"Follow": func() error { return b.Follow(ctx, caseName(0), 0, func([]hub.Record) {}) },
		"Presence": func() error {
			return a.SetPresence(ctx, caseName(0), "conn", []byte("x"), time.Minute)
		},
	})

	srv.Start()
	// go-redis keeps failing fast for up to a second after its dials failed (a circuit
	// breaker that probes once a second); wait until both instances reach Redis again.
	for _, s := range []hub.Store{a, b} {
		eventually(t, "the store to reach Redis again", func() bool { return s.Ping(ctx) == nil })
	}
	// Append at once, before the pub/sub connections have necessarily come back: the follows
	// must catch these up from the stream.
	for i := range cases {
		add(b, i, "after")
		add(a, i, "after")
	}
	for i := range cases {
		follows[i].check(t, fmt.Sprintf("case %d after the restart", i), want[i])
	}
	for i := range cases {
		add(a, i, "later")
	}
	for i := range cases {
		follows[i].check(t, fmt.Sprintf("case %d, live after the restart", i), want[i])
		recs, err := b.Read(ctx, caseName(i), 0, 0)
		if err != nil || len(recs) != len(want[i]) {
			t.Fatalf("Read of case %d after the restart: %d records, %v; want %d", i, len(recs), err, len(want[i]))
		}
	}
}

func caseName(i int) string { return fmt.Sprintf("restart-%d", i) }

// TestKVSubscribeSurvivesRestart: a subscription made before a crash receives what is
// published after the restart.
func TestKVSubscribeSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t)
	open := opener(t, srv.URL(), freshPrefix())
	a, b := open(), open()
	got := make(chan string, 100)
	if err := a.Subscribe(t.Context(), "revoked", func(m []byte) { got <- string(m) }); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	srv.Restart()
	// Publish until the subscription's connection is back (messages published before that
	// are lost: Publish is best effort).
	eventually(t, "a message after the restart", func() bool {
		if err := b.Publish(t.Context(), "revoked", []byte("s1")); err != nil {
			return false
		}
		select {
		case m := <-got:
			if m != "s1" {
				t.Fatalf("received %q, want s1", m)
			}
			return true
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
}

// TestOnePubSubConnection: all follows and subscriptions of a Store share one pub/sub
// connection; channels are unsubscribed when their last listener leaves.
func TestOnePubSubConnection(t *testing.T) {
	srv := redistest.Start(t)
	s := opener(t, srv.URL(), freshPrefix())()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()

	ctx, cancel := context.WithCancel(t.Context())
	const cases = 20
	for i := range cases {
		for range 2 { // two follows of the same case share its channel
			if err := s.Follow(ctx, fmt.Sprintf("case-%d", i), 0, func([]hub.Record) {}); err != nil {
				t.Fatalf("Follow: %v", err)
			}
		}
	}
	for _, ch := range []string{"revoked", "config"} {
		if err := s.Subscribe(ctx, ch, func([]byte) {}); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
	}
	subs := func() []int {
		list, err := admin.ClientList(t.Context()).Result()
		if err != nil {
			t.Fatalf("CLIENT LIST: %v", err)
		}
		var out []int
		for line := range strings.SplitSeq(strings.TrimSpace(list), "\n") {
			for field := range strings.FieldsSeq(line) {
				if v, ok := strings.CutPrefix(field, "sub="); ok {
					if n, _ := strconv.Atoi(v); n > 0 {
						out = append(out, n)
					}
				}
			}
		}
		return out
	}
	if got := subs(); len(got) != 1 || got[0] != cases+2 {
		t.Fatalf("pub/sub connections with their channel counts: %v, want one connection with %d channels", got, cases+2)
	}
	cancel()
	eventually(t, "every channel to be unsubscribed", func() bool { return len(subs()) == 0 })
}

// TestRetriedAppendAppendsOnce drops the connection after Redis ran the append script but
// before its reply reached the client; go-redis sends the script again on a new connection.
// The command id makes the second run append nothing, and the caller sees one clean append.
func TestRetriedAppendAppendsOnce(t *testing.T) {
	srv := redistest.Start(t)
	proxy := startProxy(t, srv.Addr())
	prefix := freshPrefix()
	s := opener(t, "redis://"+proxy.addr()+"/0", prefix)()
	ctx := t.Context()
	// Load the script into Redis first, so that the dropped reply is the script's result and
	// not a NOSCRIPT.
	if _, err := s.Append(ctx, "warm-up", 0, "warm", [][]byte{[]byte("w")}); err != nil {
		t.Fatalf("warm-up Append: %v", err)
	}
	follow := &collector{}
	if err := s.Follow(ctx, "retried", 0, follow.deliver); err != nil {
		t.Fatalf("Follow: %v", err)
	}

	proxy.dropReplyTo([]byte("retried-cmd"))
	res, err := s.Append(ctx, "retried", 0, "retried-cmd", [][]byte{[]byte("once")})
	if err != nil {
		t.Fatalf("Append through a dropped connection: %v", err)
	}
	if n := proxy.dropped.Load(); n != 1 {
		t.Fatalf("the proxy dropped %d replies, want 1: the test did not exercise a retry", n)
	}
	if res != (hub.AppendResult{First: 1, Last: 1}) {
		t.Fatalf("Append result = %+v, want {First:1 Last:1 Duplicate:false}", res)
	}
	recs, err := s.Read(ctx, "retried", 0, 0)
	if err != nil || len(recs) != 1 || string(recs[0].Data) != "once" {
		t.Fatalf("log after a retried append = %v, %v; want the one record", recs, err)
	}
	follow.check(t, "follow of the retried append", []string{"once"})
	// Another caller with the same command id does see a duplicate.
	res, err = s.Append(ctx, "retried", 1, "retried-cmd", [][]byte{[]byte("twice")})
	if err != nil || res != (hub.AppendResult{First: 1, Last: 1, Duplicate: true}) {
		t.Fatalf("repeated command = %+v, %v; want the original result as a duplicate", res, err)
	}
}

// TestSilentPubSubConnectionIsReplaced freezes the pub/sub connection (it neither answers nor
// closes): the health check notices, replaces the connection, and the follow catches up on
// what was appended meanwhile.
func TestSilentPubSubConnectionIsReplaced(t *testing.T) {
	t.Cleanup(redisstore.SetHealthEvery(100 * time.Millisecond))
	srv := redistest.Start(t)
	proxy := startProxy(t, srv.Addr())
	prefix := freshPrefix()
	viaProxy := opener(t, "redis://"+proxy.addr()+"/0", prefix)()
	direct := opener(t, srv.URL(), prefix)()
	follow := &collector{}
	if err := viaProxy.Follow(t.Context(), "silent", 0, follow.deliver); err != nil {
		t.Fatalf("Follow: %v", err)
	}
	var want []string
	add := func(data string) {
		appendNext(t, direct, "silent", "cmd-"+data, data)
		want = append(want, data)
	}
	add("before")
	follow.check(t, "before the freeze", want)
	proxy.freeze()
	add("during-1")
	add("during-2")
	follow.check(t, "after the silent connection was replaced", want)
	add("after")
	follow.check(t, "live on the new connection", want)
}

// proxy forwards TCP connections to Redis and can drop the reply to a request that contains
// a marker, closing that connection instead.
type proxy struct {
	ln      net.Listener
	target  string
	marker  atomic.Pointer[[]byte]
	dropped atomic.Int32
	wg      sync.WaitGroup

	mu     sync.Mutex
	conns  []net.Conn
	frozen []*atomic.Bool // one per proxied connection
}

// freeze makes every connection proxied so far go silent without closing: bytes are read and
// thrown away in both directions, like a peer that vanished. New connections work normally.
func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.frozen {
		f.Store(true)
	}
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// dropReplyTo arms the proxy once: the next request containing marker reaches Redis, but its
// reply, if it is an array (a script's result), is swallowed and the client's connection closed.
func (p *proxy) dropReplyTo(marker []byte) { p.marker.Store(&marker) }

func (p *proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		frozen := new(atomic.Bool)
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.frozen = append(p.frozen, frozen)
		p.mu.Unlock()
		var armed atomic.Bool
		p.wg.Go(func() { // client → server
			defer server.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := client.Read(buf)
				if n > 0 && !frozen.Load() {
					if m := p.marker.Load(); m != nil && bytes.Contains(buf[:n], *m) {
						armed.Store(true)
					}
					if _, werr := server.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
		p.wg.Go(func() { // server → client
			defer client.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 && !frozen.Load() {
					if armed.Load() && buf[0] == '*' {
						p.marker.Store(nil)
						p.dropped.Add(1)
						_ = server.Close()
						return
					}
					if _, werr := client.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

// TestKVUnavailable: KV calls fail as unavailable while Redis is down, and work again after
// it is back.
func TestKVUnavailable(t *testing.T) {
	srv := redistest.Start(t)
	s := opener(t, srv.URL(), freshPrefix())()
	ctx := t.Context()
	srv.Kill()
	checkUnavailable(t, map[string]func() error{
		"Get":         func() error { _, err := s.Get(ctx, "b", "k"); return err },
		"Put":         func() error { return s.Put(ctx, "b", "k", []byte("v")) },
		"PutIfAbsent": func() error { _, err := s.PutIfAbsent(ctx, "b", "k", []byte("v"), time.Minute); return err },
		"Delete":      func() error { return s.Delete(ctx, "b", "k") },
		"List":        func() error { _, err := s.List(ctx, "b"); return err },
		"AppendLog":   func() error { _, err := s.AppendLog(ctx, "access", []byte("x")); return err },
		"AppendLogs":  func() error { _, err := s.AppendLogs(ctx, []string{"access", "case"}, []byte("x")); return err },
		"ReadLog":     func() error { _, err := s.ReadLog(ctx, "access", 0, 0); return err },
		"Publish":     func() error { return s.Publish(ctx, "c", []byte("x")) },
		"Subscribe":   func() error { return s.Subscribe(ctx, "c", func([]byte) {}) },
	})
	srv.Start()
	eventually(t, "the store to reach Redis again", func() bool { return s.Ping(ctx) == nil })
	if ok, err := s.PutIfAbsent(ctx, "b", "k", []byte("v"), time.Minute); !ok || err != nil {
		t.Fatalf("PutIfAbsent after the restart = %v, %v; want true", ok, err)
	}
}

// checkUnavailable runs the calls concurrently and checks each fails with ErrUnavailable.
func checkUnavailable(t *testing.T, calls map[string]func() error) {
	t.Helper()
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			if err := call(); !errors.Is(err, hub.ErrUnavailable) {
				t.Errorf("%s while Redis is down: got %v, want ErrUnavailable", name, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// TestCloseWhileDown closes a Store with live follows and subscriptions while Redis is down:
// Close returns and every goroutine of the Store ends (goleak checks the rest at exit).
func TestCloseWhileDown(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(t.Context(), redisstore.Options{URL: srv.URL(), Prefix: freshPrefix(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Follow(t.Context(), fmt.Sprint("down-", i), 0, func([]hub.Record) {}); err != nil {
			t.Fatalf("Follow: %v", err)
		}
	}
	if err := s.Subscribe(t.Context(), "revoked", func([]byte) {}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	srv.Kill()
	if _, err := s.Head(t.Context(), "down-0"); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Head while down: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close while Redis is down: %v", err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Ping after Close: got %v, want ErrUnavailable", err)
	}
	// go-redis probes a failed address from a goroutine that notices the Close within a
	// second; wait for it so that goleak judges only our goroutines.
	eventually(t, "go-redis's dial probe to end", func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "tryDial")
	})
}
