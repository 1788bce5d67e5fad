package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Reconnect backoff of the web app (frontend/src/lib/ws/backoff.ts): full jitter between 0
// and min(20 s, 500 ms·2^attempt); "instance draining" (4002) reconnects at once.
const (
	backoffMin = 500 * time.Millisecond
	backoffMax = 20 * time.Second
)

// readyTimeout bounds the wait for welcome (and the first view) after a connect.
const readyTimeout = 60 * time.Second

var debug = os.Getenv("TAFEL_BENCH_DEBUG") != ""

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// client is one generator WebSocket client: a reader goroutine per connection, commands
// sent by the meeting's driver, and the bookkeeping the scenarios read: delivery latency
// (from the send time in the command id), acks, and the sequence of events received.
type client struct {
	w    *worker
	spec *clientSpec
	mt   *meetingRun
	inst int // instance it is connected (or connecting) to

	wmu sync.Mutex // one writer at a time (gorilla/websocket)

	mu        sync.Mutex
	conn      *websocket.Conn
	up        bool          // welcomed and not closed
	ready     chan struct{} // closed when the current connection is welcomed (and viewed)
	downAt    time.Time     // when the connection was lost (zero while up)
	attempt   int           // failed reconnect attempts since the last welcome
	closing   bool          // the scenario closes it: do not reconnect
	pending   map[string]*pending
	order     []string // pending ids in send order
	lastClose int

	measured atomic.Bool // its deliveries count in the latency figures
	slow     atomic.Bool // it has stopped reading (P5)

	// Reader-goroutine state (read by check under mu).
	catchingUp bool
	seen       []uint64 // bitset of sequences held (delivered or in a snapshot)
	last       uint64   // highest sequence held
	mark       uint64   // last when the scenario started (P4 checks what follows)
	welcomes   []string // the welcomes of this client since the mark: "inst:resume:seq:lastSeq"
	helloSeq   uint64   // lastSeq of the current connection's hello
	dups       uint64
	reorders   uint64
}

// pending is a command sent (or waiting to be sent) and not yet answered.
type pending struct {
	kind  string
	frame []byte
	sent  time.Time
	done  chan string // receives "ack", "dup" or the nack code
	resnt bool
}

func newClient(w *worker, spec *clientSpec, mt *meetingRun) *client {
	return &client{w: w, spec: spec, mt: mt, inst: spec.Home % len(w.instances), pending: map[string]*pending{}}
}

func (c *client) isUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up
}

// connect dials the client's instance, says hello with the last sequence it holds, and
// waits for the welcome.
func (c *client) connect(ctx context.Context) error {
	local := &net.TCPAddr{IP: net.ParseIP(c.spec.Src)}
	d := websocket.Dialer{
		NetDialContext:   (&net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}).DialContext,
		HandshakeTimeout: 20 * time.Second,
		ReadBufferSize:   2048,
		WriteBufferSize:  1024,
	}
	h := http.Header{}
	h.Set("Origin", c.w.origin)
	if c.spec.Cookie != "" {
		h.Set("Cookie", c.spec.Cookie)
	}
	url := c.w.instances[c.inst] + "/ws?case=" + c.mt.spec.Case
	conn, resp, err := d.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			resp.Body.Close()
			return fmt.Errorf("dial %s: %w (HTTP %d %s)", url, err, resp.StatusCode, b)
		}
		return fmt.Errorf("dial %s: %w", url, err)
	}
	ready := make(chan struct{})
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		conn.Close()
		return errors.New("closing")
	}
	c.conn = conn
	c.ready = ready
	c.catchingUp = true
	hello := fmt.Appendf(nil, `{"type":"hello","lastSeq":%d}`, c.last)
	c.helloSeq = c.last
	c.mu.Unlock()
	if err := c.write(conn, hello); err != nil {
		conn.Close()
		return err
	}
	go c.read(conn, ready)
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	select {
	case <-ready:
		return nil
	case <-t.C:
		conn.Close()
		return errors.New("no welcome within 60 s")
	case <-ctx.Done():
		conn.Close()
		return ctx.Err()
	}
}

func (c *client) write(conn *websocket.Conn, b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return conn.WriteMessage(websocket.TextMessage, b)
}

// close ends the connection with a normal close and no reconnect.
func (c *client) close() {
	c.mu.Lock()
	c.closing = true
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return
	}
	c.wmu.Lock()
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	conn.Close()
}

// read is the reader goroutine of one connection.
func (c *client) read(conn *websocket.Conn, ready chan struct{}) {
	var welcomed bool
	for {
		if c.slow.Load() {
			// P5: the client stops reading; the socket and the server's buffer fill up.
			<-c.w.unslowCh()
		}
		_, r, err := conn.NextReader()
		if err != nil {
			c.lost(conn, err)
			return
		}
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		_, err = buf.ReadFrom(r)
		now := time.Now()
		if err != nil {
			bufPool.Put(buf)
			c.lost(conn, err)
			return
		}
		c.handle(buf.Bytes(), now, ready, &welcomed)
		bufPool.Put(buf)
	}
}

var (
	pfxEvents   = []byte(`{"type":"events"`)
	pfxView     = []byte(`{"type":"view"`)
	pfxPatch    = []byte(`{"type":"viewPatch"`)
	pfxUpdate   = []byte(`{"type":"update"`)
	pfxWelcome  = []byte(`{"type":"welcome"`)
	pfxAck      = []byte(`{"type":"ack"`)
	pfxNack     = []byte(`{"type":"nack"`)
	pfxPresence = []byte(`{"type":"presence"`)
	keySeq      = []byte(`{"seq":`)
	keyID       = []byte(`,"id":"`)
)

func (c *client) handle(b []byte, now time.Time, ready chan struct{}, welcomed *bool) {
	if debug && c == c.mt.chair {
		fmt.Fprintf(os.Stderr, "DEBUG %s got %.150s\n", c.spec.ID, b)
	}
	st := c.w.st
	st.frames.Add(1)
	st.bytes.Add(uint64(len(b)))
	switch {
	case bytes.HasPrefix(b, pfxEvents):
		c.events(b, now)
	case bytes.HasPrefix(b, pfxView):
		st.views.Add(1)
		c.mu.Lock()
		c.catchingUp = false
		c.mu.Unlock()
		if *welcomed && !isClosed(ready) {
			c.markReady(ready, now)
		}
	case bytes.HasPrefix(b, pfxPatch):
		st.views.Add(1) // what changed in the view, after the whole view of the join
	case bytes.HasPrefix(b, pfxUpdate):
		c.update(b, now, ready, welcomed)
	case bytes.HasPrefix(b, pfxWelcome):
		var f struct {
			Seq    uint64 `json:"seq"`
			Resume string `json:"resume"`
		}
		_ = json.Unmarshal(b, &f)
		c.mu.Lock()
		if len(c.welcomes) < 8 {
			c.welcomes = append(c.welcomes, fmt.Sprintf("%d:%s:%d:%d", c.inst, f.Resume, f.Seq, c.helloSeq))
		}
		if f.Resume == "snapshot" {
			for s := uint64(1); s <= f.Seq; s++ {
				c.setSeen(s)
			}
			c.last = max(c.last, f.Seq)
		}
		c.mu.Unlock()
		*welcomed = true
		if c.w.baseline {
			// The baseline sends no view: live events follow the welcome at once.
			c.mu.Lock()
			c.catchingUp = false
			c.mu.Unlock()
			c.markReady(ready, now)
		}
	case bytes.HasPrefix(b, pfxAck), bytes.HasPrefix(b, pfxNack):
		var f struct {
			Type      string `json:"type"`
			ID        string `json:"id"`
			Code      string `json:"code"`
			Duplicate bool   `json:"duplicate"`
		}
		_ = json.Unmarshal(b, &f)
		c.answer(f.ID, f.Type, f.Code, f.Duplicate, now)
	case bytes.HasPrefix(b, pfxPresence):
		st.presence.Add(1)
	}
}

// update handles an update frame (one per batch: its events, its view change, the acks of
// this client's commands), in that order.
func (c *client) update(b []byte, now time.Time, ready chan struct{}, welcomed *bool) {
	var f struct {
		Events json.RawMessage `json:"events"`
		Acks   []struct {
			ID        string `json:"id"`
			Duplicate bool   `json:"duplicate"`
		} `json:"acks"`
	}
	_ = json.Unmarshal(b, &f)
	if f.Events != nil {
		c.events(f.Events, now)
	}
	c.w.st.views.Add(1)
	c.mu.Lock()
	c.catchingUp = false
	c.mu.Unlock()
	if *welcomed && !isClosed(ready) {
		c.markReady(ready, now)
	}
	for _, a := range f.Acks {
		c.answer(a.ID, "ack", "", a.Duplicate, now)
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// markReady records a completed (re)connect and resends what was not answered.
func (c *client) markReady(ready chan struct{}, now time.Time) {
	c.mu.Lock()
	down := c.downAt
	c.downAt = time.Time{}
	c.up = true
	c.attempt = 0
	var resend [][]byte
	for _, id := range c.order {
		if p := c.pending[id]; p != nil {
			p.resnt = true
			resend = append(resend, p.frame)
		}
	}
	conn := c.conn
	c.mu.Unlock()
	close(ready)
	if !down.IsZero() {
		c.w.st.addResume(now.Sub(down))
	}
	for _, f := range resend {
		c.w.st.resent.Add(1)
		_ = c.write(conn, f)
	}
}

// events handles an events frame: sequence bookkeeping and, for live (not catch-up) events
// of generator commands, the delivery latency from the send time in the command id.
func (c *client) events(b []byte, now time.Time) {
	st := c.w.st
	measure := c.measured.Load() && st.measuring.Load()
	c.mu.Lock()
	live := !c.catchingUp
	for {
		i := bytes.Index(b, keySeq)
		if i < 0 {
			break
		}
		b = b[i+len(keySeq):]
		j := 0
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		seq, _ := strconv.ParseUint(string(b[:j]), 10, 64)
		b = b[j:]
		if !bytes.HasPrefix(b, keyID) {
			continue // not an event (an event is {"seq":N,"id":"…)
		}
		c.track(seq)
		b = b[len(keyID):]
		k := bytes.IndexByte(b, '"')
		if k < 0 {
			break
		}
		id := b[:k]
		b = b[k:]
		if !live || !measure || len(id) < 2 || id[0] != 'b' {
			continue
		}
		e := bytes.IndexByte(id, '-')
		if e < 0 {
			continue
		}
		ns, err := strconv.ParseInt(string(id[1:e]), 10, 64)
		if err != nil {
			continue
		}
		st.addLatency(now.Sub(time.Unix(0, ns)))
	}
	c.mu.Unlock()
}

// track records one delivered sequence. Caller holds c.mu.
func (c *client) track(seq uint64) {
	if seq == 0 {
		return
	}
	if c.isSeen(seq) {
		c.dups++
		return
	}
	if seq < c.last {
		c.reorders++
	}
	c.setSeen(seq)
	c.last = max(c.last, seq)
}

func (c *client) isSeen(s uint64) bool {
	i := s / 64
	return i < uint64(len(c.seen)) && c.seen[i]&(1<<(s%64)) != 0
}

func (c *client) setSeen(s uint64) {
	i := s / 64
	for uint64(len(c.seen)) <= i {
		c.seen = append(c.seen, 0)
	}
	c.seen[i] |= 1 << (s % 64)
}

// lost handles the end of a connection: reconnect with backoff unless the scenario closes it
// or the close code says to stop.
func (c *client) lost(conn *websocket.Conn, err error) {
	code := websocket.CloseAbnormalClosure
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		code = ce.Code
	}
	conn.Close()
	c.mu.Lock()
	if c.conn != conn {
		c.mu.Unlock()
		return
	}
	c.up = false
	c.lastClose = code
	if c.downAt.IsZero() {
		c.downAt = time.Now()
	}
	if code == websocket.CloseAbnormalClosure || code == websocket.CloseGoingAway || code == 4002 {
		// The instance is gone or draining: the load balancer sends the next connection
		// elsewhere.
		c.inst = c.otherInstance()
	}
	closing := c.closing
	c.mu.Unlock()
	c.w.st.addClose(code)
	if closing || !c.w.reconnect.Load() || !reconnectable(code) {
		return
	}
	go c.reconnect(code == 4002)
}

// otherInstance picks an instance other than the current one at random. Caller holds c.mu.
func (c *client) otherInstance() int {
	n := len(c.w.instances)
	if n < 2 {
		return 0
	}
	return (c.inst + 1 + rand.IntN(n-1)) % n
}

// reconnectable follows docs/protocol.md: 1001, 1006 and 4000–4099 reconnect.
func reconnectable(code int) bool {
	return code == 1001 || code == 1006 || (code >= 4000 && code <= 4099)
}

// reconnect dials again with the web app's backoff, moving to the next instance after a
// failed attempt (what a load balancer does when an instance is gone).
func (c *client) reconnect(now bool) {
	c.w.st.reconnects.Add(1)
	for {
		c.mu.Lock()
		attempt := c.attempt
		closing := c.closing
		c.mu.Unlock()
		if closing || !c.w.reconnect.Load() {
			return
		}
		delay := time.Duration(0)
		if !(now && attempt == 0) {
			cap := min(backoffMax, backoffMin<<min(attempt, 10))
			delay = time.Duration(rand.Int64N(int64(cap)))
		}
		time.Sleep(delay)
		ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
		err := c.connect(ctx)
		cancel()
		if err == nil {
			return
		}
		c.w.st.reconnectFails.Add(1)
		c.mu.Lock()
		c.attempt++
		c.inst = c.otherInstance()
		c.mu.Unlock()
	}
}

// command sends a command with a fresh id that holds the send time; the answer arrives on
// the returned channel. A client that is down keeps it and sends it after resuming.
func (c *client) command(kind string, payload any) (string, chan string) {
	now := time.Now()
	id := fmt.Sprintf("b%d-%d-%d", now.UnixNano(), c.w.idx, c.w.cmdSeq.Add(1))
	pl, _ := json.Marshal(payload)
	frame := fmt.Appendf(nil, `{"type":"command","id":%q,"kind":%q,"payload":%s}`, id, kind, pl)
	p := &pending{kind: kind, frame: frame, sent: now, done: make(chan string, 1)}
	c.mu.Lock()
	c.pending[id] = p
	c.order = append(c.order, id)
	up, conn := c.up, c.conn
	c.mu.Unlock()
	c.w.st.sent.Add(1)
	if debug && c == c.mt.chair {
		fmt.Fprintf(os.Stderr, "DEBUG %s send up=%v %s\n", c.spec.ID, up, frame)
	}
	if up {
		_ = c.write(conn, frame)
	}
	return id, p.done
}

// answer handles an ack or nack.
func (c *client) answer(id, typ, code string, dup bool, now time.Time) {
	c.mu.Lock()
	p := c.pending[id]
	delete(c.pending, id)
	if p != nil {
		for i, o := range c.order {
			if o == id {
				c.order = append(c.order[:i], c.order[i+1:]...)
				break
			}
		}
	}
	c.mu.Unlock()
	if p == nil {
		return
	}
	st := c.w.st
	res := "ack"
	if typ == "nack" {
		res = code
		st.addNack(p.kind, code)
	} else {
		st.acks.Add(1)
		if dup {
			st.dupAcks.Add(1)
			res = "dup"
		}
		if !p.resnt {
			st.addAck(now.Sub(p.sent))
		}
	}
	p.done <- res
}

// do sends a command and waits for its answer.
func (c *client) do(ctx context.Context, kind string, payload any) (string, error) {
	_, ch := c.command(kind, payload)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return "", fmt.Errorf("%s by %s: no answer: %w", kind, c.spec.ID, ctx.Err())
	}
}
