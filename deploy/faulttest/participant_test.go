package faulttest

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
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
)

// participant is one scripted person at a meeting: a browser with its own cookie jar and its
// own loopback address (so that rate limits and the access log see a different client per
// person), and one WebSocket through nginx that it keeps open the way the real client does:
// on close 1001, 1006 or 4000–4099 it reconnects with jittered backoff (at once for 4002) and
// resumes with the last sequence it holds; commands not yet answered are sent again with the
// same id. It records everything it receives, for the checks afterwards.
type participant struct {
	name   string // short and unique; command ids are name.n
	role   string // chair, professional, family, network, observer
	ip     string
	base   string // nginx URL
	caseID string
	http   *http.Client
	jar    http.CookieJar
	id     string // principal id ("u:…", "i:…")

	wmu sync.Mutex // one writer per connection

	mu        sync.Mutex
	n         int
	conn      *websocket.Conn
	gen       int    // connection number; commands remember on which they were sent
	welcomed  bool   // the current connection got its welcome
	upstream  string // the instance the current connection reached (nginx's X-Tafel-Upstream)
	held      uint64 // the last sequence held (resumed from on reconnect)
	admitted  bool   // a view showed this participant admitted
	view      []byte // the last view frame
	viewSeq   uint64
	viewMoved chan struct{} // closed and replaced on every view
	stream    []item
	cmds      map[string]*command
	outbox    []*command // unanswered, in order
	closes    map[int]int
	connects  int
	dialFails int
	dialErr   string // the last dial error
	problems  []string
	stopCode  int // a close code that told this participant to stop (0 while it goes on)
	done      chan struct{}
}

// item is one thing the participant received, in order: an event, a view, or a welcome that
// starts a snapshot or an events resume.
type item struct {
	// 'e' event, 'v' view, 'l' lobby view (someone not admitted sees no case content and gets
	// no events), 's' welcome with snapshot, 'r' welcome with events resume
	kind byte
	seq  uint64
}

// viewFrameSeq recognises a view frame, {"type":"view","seq":N,"view":…} as the hub encodes
// it, and returns its sequence and the view's JSON without decoding them.
func viewFrameSeq(b []byte) (uint64, []byte, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"type":"view","seq":`))
	if !ok {
		return 0, nil, false
	}
	digits, rest, ok := bytes.Cut(rest, []byte(","))
	if !ok {
		return 0, nil, false
	}
	view, ok := bytes.CutPrefix(rest, []byte(`"view":`))
	if !ok || !bytes.HasSuffix(view, []byte("}")) {
		return 0, nil, false
	}
	seq, err := strconv.ParseUint(string(digits), 10, 64)
	return seq, view[:len(view)-1], err == nil
}

// admittedIn reports whether a view shows participant id admitted to the current meeting.
func admittedIn(view []byte, id string) bool {
	var v struct {
		Current *struct {
			Participants []struct{ ID, Status string }
		}
	}
	if json.Unmarshal(view, &v) != nil || v.Current == nil {
		return false
	}
	for _, p := range v.Current.Participants {
		if p.ID == id {
			return p.Status == "admitted"
		}
	}
	return false
}

// command is one command and what became of it.
type command struct {
	ID      string
	Kind    string
	Payload any

	sentGen   int // the connection it was last sent on
	firstSent time.Time
	lastSent  time.Time
	sends     int
	nacks     []nackRecord
	answered  chan struct{} // closed on ack or final refusal
	acked     bool
	ackSeq    uint64
	duplicate bool
	ackAt     time.Time
	refusal   string // code and message of a final nack
}

type nackRecord struct {
	code string
	at   time.Time
}

// frame is a server frame, decoded loosely.
type frame struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Seq       uint64          `json:"seq"`
	Duplicate bool            `json:"duplicate"`
	Code      string          `json:"code"`
	Message   json.RawMessage `json:"message"`
	Resume    string          `json:"resume"`
	Events    []struct {
		Seq uint64 `json:"seq"`
	} `json:"events"`
	View json.RawMessage `json:"view"` // for a view frame: the view's JSON (see viewFrameSeq)
	Base uint64          `json:"base"` // an update's patch
	Ops  []jsonpatch.Op  `json:"ops"`  // an update's patch
	Acks []frame         `json:"acks"` // an update's acks
}

// parts is an update frame as the frames it combines, in its order: its events, its view
// change (a viewPatch or a view) and its acks.
func (f frame) parts() []frame {
	var out []frame
	if len(f.Events) > 0 {
		out = append(out, frame{Type: "events", Events: f.Events})
	}
	if f.View != nil {
		out = append(out, frame{Type: "view", Seq: f.Seq, View: f.View})
	} else {
		out = append(out, frame{Type: "viewPatch", Seq: f.Seq, Base: f.Base, Ops: f.Ops})
	}
	for _, a := range f.Acks {
		a.Type = "ack"
		out = append(out, a)
	}
	return out
}

func newParticipant(base, name, role, ip string) *participant {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &participant{name: name, role: role, ip: ip, base: base, jar: jar,
		http: &http.Client{Transport: tr, Jar: jar, Timeout: 20 * time.Second},
		cmds: map[string]*command{}, closes: map[int]int{}, viewMoved: make(chan struct{}), done: make(chan struct{})}
}

// professional reports whether the participant sees what professionals see.
func (p *participant) professional() bool { return p.role == "chair" || p.role == "professional" }

// call does a REST call through nginx as this participant: an allowed Origin, the CSRF header
// on changes, JSON in and out. A status of 300 or more is an error.
func (p *participant) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Origin", p.base)
	req.Header.Set("X-Tafel-CSRF", "1")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s as %s: %w", method, path, p.name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s as %s: %s: %s", method, path, p.name, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// connect starts keeping a WebSocket to the case open, until ctx ends or a close code says
// stop.
func (p *participant) connect(ctx context.Context, caseID string) {
	p.caseID = caseID
	go p.run(ctx)
}

func (p *participant) run(ctx context.Context) {
	defer close(p.done)
	attempt := 0
	for ctx.Err() == nil {
		code, welcomed, err := p.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if welcomed {
			attempt = 0
		}
		if err == nil && (code == websocket.CloseNormalClosure || code >= 4400 && code <= 4499) {
			p.mu.Lock()
			p.stopCode = code
			p.problems = append(p.problems, fmt.Sprintf("told to stop with close code %d", code))
			p.mu.Unlock()
			return
		}
		var wait time.Duration
		if code == 4002 { // draining: reconnect at once, elsewhere
			wait = rand.N(50 * time.Millisecond)
		} else { // full jitter
			wait = rand.N(min(2*time.Second, 100*time.Millisecond<<min(attempt, 5)) + time.Millisecond)
			attempt++
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// session runs one connection: dial, hello, then frames until it ends. It returns the close
// code (1006 when the connection broke without one), whether a welcome arrived, and a dial
// error.
func (p *participant) session(ctx context.Context) (code int, welcomed bool, err error) {
	d := websocket.Dialer{
		NetDialContext:   (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(p.ip)}}).DialContext,
		HandshakeTimeout: 5 * time.Second,
		Jar:              p.jar,
	}
	h := http.Header{"Origin": {p.base}}
	wsURL := "ws" + strings.TrimPrefix(p.base, "http") + "/ws?case=" + p.caseID
	conn, resp, err := d.DialContext(ctx, wsURL, h)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			err = fmt.Errorf("%w: %s %s", err, resp.Status, b)
		}
		p.mu.Lock()
		p.dialFails++
		p.dialErr = err.Error()
		p.mu.Unlock()
		return 0, false, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()

	p.mu.Lock()
	p.gen++
	gen := p.gen
	p.conn, p.welcomed, p.connects = conn, false, p.connects+1
	p.upstream = resp.Header.Get("X-Tafel-Upstream")
	hello := map[string]any{"type": "hello", "lastSeq": p.held}
	p.mu.Unlock()
	p.write(conn, hello)

	defer func() {
		p.mu.Lock()
		if p.gen == gen {
			p.conn, p.welcomed, p.upstream = nil, false, ""
		}
		p.closes[code]++
		p.mu.Unlock()
	}()
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, welcomed, nil
			}
			return websocket.CloseAbnormalClosure, welcomed, nil
		}
		var f frame
		if seq, view, ok := viewFrameSeq(b); ok {
			// A big frame: the whole state. Kept as it came, not decoded, so that the test's
			// own work stays small.
			f = frame{Type: "view", Seq: seq, View: view}
		} else if err := json.Unmarshal(b, &f); err != nil {
			p.problem("undecodable frame %.200s", b)
			continue
		}
		if f.Type == "welcome" {
			welcomed = true
		}
		p.handle(conn, gen, f)
	}
}

func (p *participant) write(conn *websocket.Conn, v any) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = conn.WriteJSON(v) // a broken connection shows in the reader
}

func (p *participant) problem(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// handle records one frame and answers commands.
func (p *participant) handle(conn *websocket.Conn, gen int, f frame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.Type == "update" {
		for _, part := range f.parts() {
			p.take(conn, gen, part)
		}
		return
	}
	p.take(conn, gen, f)
}

// take records one frame (an update's part, or a frame of its own). Caller holds p.mu.
func (p *participant) take(conn *websocket.Conn, gen int, f frame) {
	switch f.Type {
	case "welcome":
		kind := byte('s')
		if f.Resume == "events" {
			kind = 'r'
		}
		p.stream = append(p.stream, item{kind: kind, seq: f.Seq})
		p.welcomed = true
		// Everything not answered goes again, with the same id, on the new connection.
		var resend []*command
		for _, c := range p.outbox {
			if c.sentGen != gen {
				resend = append(resend, p.markSent(c, gen))
			}
		}
		go p.sendAll(conn, resend)
	case "events":
		for _, e := range f.Events {
			if e.Seq <= p.held {
				p.problems = append(p.problems, fmt.Sprintf("event %d arrived while holding %d", e.Seq, p.held))
			}
			p.stream = append(p.stream, item{kind: 'e', seq: e.Seq})
			p.held = max(p.held, e.Seq)
		}
	case "viewPatch":
		if p.view == nil || f.Base != p.viewSeq {
			p.problems = append(p.problems, fmt.Sprintf("viewPatch from %d while holding the view at %d", f.Base, p.viewSeq))
			return
		}
		view, err := jsonpatch.Apply(p.view, f.Ops)
		if err != nil {
			p.problems = append(p.problems, fmt.Sprintf("viewPatch %d→%d does not apply: %v", f.Base, f.Seq, err))
			return
		}
		f.View = view
		fallthrough // the view the patch made counts as a view frame
	case "view":
		if f.Seq < p.held {
			p.problems = append(p.problems, fmt.Sprintf("view went back from %d to %d", p.held, f.Seq))
		}
		kind := byte('v')
		if !p.professional() && !p.admitted {
			if p.admitted = admittedIn(f.View, p.id); !p.admitted {
				kind = 'l' // a lobby view: no case content, and no events before it
			}
		}
		p.stream = append(p.stream, item{kind: kind, seq: f.Seq})
		p.held = f.Seq
		p.view, p.viewSeq = f.View, f.Seq
		close(p.viewMoved)
		p.viewMoved = make(chan struct{})
	case "ack":
		c := p.cmds[f.ID]
		switch {
		case c == nil:
			p.problems = append(p.problems, "ack for an unknown command "+f.ID)
		case c.acked:
			if c.ackSeq != f.Seq {
				p.problems = append(p.problems, fmt.Sprintf("%s acked twice with seq %d and %d", f.ID, c.ackSeq, f.Seq))
			}
		case c.refusal != "":
			p.problems = append(p.problems, fmt.Sprintf("%s acked after it was refused (%s)", f.ID, c.refusal))
		default:
			c.acked, c.ackSeq, c.duplicate, c.ackAt = true, f.Seq, f.Duplicate, time.Now()
			p.answer(c)
		}
	case "nack":
		c := p.cmds[f.ID]
		if c == nil {
			p.problems = append(p.problems, "nack for an unknown command "+f.ID)
			return
		}
		if c.acked || c.refusal != "" {
			return
		}
		c.nacks = append(c.nacks, nackRecord{code: f.Code, at: time.Now()})
		if f.Code == "unavailable" || f.Code == "rate_limited" {
			// Nothing was stored: try again with the same id after a pause.
			delay := 150*time.Millisecond + rand.N(150*time.Millisecond)
			time.AfterFunc(delay, func() { p.retry(c) })
			return
		}
		c.refusal = f.Code + ": " + string(f.Message)
		p.answer(c)
	}
}

// answer closes c's wait and takes it out of the outbox. Caller holds p.mu.
func (p *participant) answer(c *command) {
	close(c.answered)
	for i, o := range p.outbox {
		if o == c {
			p.outbox = append(p.outbox[:i], p.outbox[i+1:]...)
			break
		}
	}
}

// markSent notes that c goes out on connection gen. Caller holds p.mu.
func (p *participant) markSent(c *command, gen int) *command {
	c.sentGen = gen
	c.lastSent = time.Now()
	if c.sends == 0 {
		c.firstSent = c.lastSent
	}
	c.sends++
	return c
}

func (p *participant) sendAll(conn *websocket.Conn, cs []*command) {
	for _, c := range cs {
		p.write(conn, map[string]any{"type": "command", "id": c.ID, "kind": c.Kind, "payload": c.Payload})
	}
}

// retry sends c again on the current connection after a nack that said nothing was stored.
func (p *participant) retry(c *command) {
	p.mu.Lock()
	if c.acked || c.refusal != "" || p.conn == nil || !p.welcomed {
		p.mu.Unlock()
		return // answered meanwhile, or the next connection sends it
	}
	conn := p.conn
	p.markSent(c, p.gen)
	p.mu.Unlock()
	p.sendAll(conn, []*command{c})
}

// do sends a command (now when connected, else after the next welcome) and returns it.
func (p *participant) do(kind string, payload any) *command {
	p.mu.Lock()
	p.n++
	c := &command{ID: fmt.Sprintf("%s.%d", p.name, p.n), Kind: kind, Payload: payload, answered: make(chan struct{})}
	p.cmds[c.ID] = c
	p.outbox = append(p.outbox, c)
	conn := p.conn
	if conn == nil || !p.welcomed {
		p.mu.Unlock()
		return c
	}
	p.markSent(c, p.gen)
	p.mu.Unlock()
	p.sendAll(conn, []*command{c})
	return c
}

// must sends a command and waits until it is acknowledged; a refusal is an error.
func (p *participant) must(ctx context.Context, kind string, payload any) (*command, error) {
	c := p.do(kind, payload)
	return c, p.await(ctx, c)
}

// await waits for c's answer; a refusal is an error.
func (p *participant) await(ctx context.Context, c *command) error {
	select {
	case <-c.answered:
	case <-ctx.Done():
		return fmt.Errorf("%s: no answer to %s %s: %w", p.name, c.Kind, c.ID, ctx.Err())
	case <-p.done:
		return fmt.Errorf("%s stopped (close code %d) waiting for %s %s", p.name, p.stopCode, c.Kind, c.ID)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !c.acked {
		return fmt.Errorf("%s: %s %s refused: %s", p.name, c.Kind, c.ID, c.refusal)
	}
	return nil
}

// waitView waits until the participant holds a view at seq or later.
func (p *participant) waitView(ctx context.Context, seq uint64) error {
	for {
		p.mu.Lock()
		got, moved := p.viewSeq, p.viewMoved
		p.mu.Unlock()
		if got >= seq {
			return nil
		}
		select {
		case <-moved:
		case <-p.done:
			return fmt.Errorf("%s stopped (close code %d) at seq %d, want %d", p.name, p.stopCode, got, seq)
		case <-ctx.Done():
			return fmt.Errorf("%s holds seq %d, want %d: %w", p.name, got, seq, ctx.Err())
		}
	}
}

// stats is a consistent copy of what a participant observed.
type stats struct {
	connects, dialFails int
	dialErr             string
	closes              map[int]int
	problems            []string
	upstream            string
	view                []byte
	viewSeq             uint64
	stream              []item
	cmds                []*command
}

func (p *participant) snapshot() stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := stats{connects: p.connects, dialFails: p.dialFails, dialErr: p.dialErr, closes: map[int]int{}, upstream: p.upstream,
		problems: append([]string(nil), p.problems...), view: p.view, viewSeq: p.viewSeq,
		stream: append([]item(nil), p.stream...)}
	for k, v := range p.closes {
		s.closes[k] = v
	}
	for _, c := range p.cmds {
		cc := *c
		cc.nacks = append([]nackRecord(nil), c.nacks...)
		s.cmds = append(s.cmds, &cc)
	}
	return s
}
