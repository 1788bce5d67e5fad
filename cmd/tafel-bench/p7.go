package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/internal/casegen"
)

// P7 history (issue 19): does an event cost more in a case with two years of history than in
// a fresh one? The same load — rooms meetings of 10 (the 8 professionals at the table, the
// mother admitted as family, a professional member watching), one command per second per
// room (a round opened, 24 scores, the reveal, a fact) — is played against three servers in
// processes of their own: the hub with fresh cases, the hub with two-year cases (48 held
// meetings: 8 professionals, 3 persons at risk, 2 rounds, 4 check-ins and 4 facts each), and
// the plain broadcast baseline. Reported: server CPU per command and per delivery, delivery
// p50/p99 (send to arrival at each of the 10), and the bytes of the first view each kind of
// client receives.

// Targets of issue 19.
const (
	targetP7CPURatio   = 1.2   // two-year ÷ fresh, server CPU per command
	targetP7FirstViewB = 24576 // bytes
)

const p7History = 48 // held meetings of the two-year case

// p7Size is P7's rooms and measured seconds: enough commands that the CPU of a few hundred
// (read in clock ticks of 10 ms) says something, also in quick mode.
func (r *runner) p7Size() (rooms int, seconds float64) {
	if r.mode == "full" {
		return 100, r.sz.seconds
	}
	return 40, max(12, r.sz.seconds) // -seconds makes it longer
}

// p7Who is one client of a P7 room, as the query of its connection says.
type p7Who struct {
	id, role, meeting string
	pro               bool
}

// p7People are the clients of a room whose current meeting is mid: the 8 professionals at the
// table (the first chairs), the family invitee of that meeting, a professional watching.
func p7People(mid string, n int) []p7Who {
	var out []p7Who
	for _, p := range casegen.Professionals() {
		out = append(out, p7Who{id: p.ID, pro: true})
	}
	out = append(out, p7Who{id: casegen.Family(n).ID, role: "family", meeting: mid}, p7Who{id: "u:pro9", pro: true})
	return out
}

// p7Client is one WebSocket client of P7.
type p7Client struct {
	who       p7Who
	conn      *websocket.Conn
	wmu       sync.Mutex
	firstView chan int // the size of the first view frame (against the baseline: 0 on welcome)
	got       bool
	baseline  bool
}

// p7Room is one meeting played by P7.
type p7Room struct {
	caseID, mid string
	clients     []*p7Client
	step, round int
}

// p7Run is the bookkeeping of one server's play.
type p7Run struct {
	mu        sync.Mutex
	sent      map[string]time.Time // command id → send time (events arrive with id "<cmd>:0")
	waiting   map[string]chan string
	lat       Hist
	measuring atomic.Bool
	acks      atomic.Int64
	nacks     atomic.Int64
	seq       atomic.Int64
}

func newP7Run() *p7Run {
	return &p7Run{sent: map[string]time.Time{}, waiting: map[string]chan string{}}
}

// connect opens c to base (ws://host:port) for case caseID and says hello.
func (pr *p7Run) connect(base, caseID string, c *p7Client) error {
	q := url.Values{"case": {caseID}, "id": {c.who.id}, "role": {c.who.role}, "meeting": {c.who.meeting}}
	if c.who.pro {
		q.Set("pro", "1")
	}
	conn, _, err := websocket.DefaultDialer.Dial(base+"/ws?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	c.conn, c.firstView = conn, make(chan int, 1)
	go pr.read(c)
	return c.write([]byte(`{"type":"hello","lastSeq":0}`))
}

func (c *p7Client) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

// read takes c's frames: the first view's size, event arrivals (latency of the command that
// caused them), acks and nacks.
func (pr *p7Run) read(c *p7Client) {
	var f struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Code   string `json:"code"`
		Events []struct {
			ID string `json:"id"`
		} `json:"events"`
	}
	for {
		_, b, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		switch {
		case strings.HasPrefix(string(b), `{"type":"view"`):
			if !c.got {
				c.got = true
				c.firstView <- len(b)
			}
			continue
		case strings.HasPrefix(string(b), `{"type":"welcome"`):
			if c.baseline && !c.got {
				c.got = true
				c.firstView <- 0 // the baseline sends no view
			}
			continue
		case strings.HasPrefix(string(b), `{"type":"viewPatch"`), strings.HasPrefix(string(b), `{"type":"presence"`):
			continue
		}
		f.Events, f.ID, f.Code = nil, "", ""
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		switch f.Type {
		case "events":
			for _, e := range f.Events {
				cmd, ok := strings.CutSuffix(e.ID, ":0")
				if !ok {
					continue
				}
				pr.mu.Lock()
				at, known := pr.sent[cmd]
				pr.mu.Unlock()
				if known && pr.measuring.Load() {
					pr.mu.Lock()
					pr.lat.Add(now.Sub(at))
					pr.mu.Unlock()
				}
			}
		case "ack", "nack":
			if f.Type == "ack" {
				pr.acks.Add(1)
			} else {
				pr.nacks.Add(1)
			}
			pr.mu.Lock()
			ch := pr.waiting[f.ID]
			delete(pr.waiting, f.ID)
			pr.mu.Unlock()
			if ch != nil {
				ch <- f.Type + " " + f.Code
			}
		}
	}
}

// send sends a command from c; the returned channel receives "ack" or "nack <code>".
func (pr *p7Run) send(c *p7Client, kind string, payload any) <-chan string {
	id := fmt.Sprintf("p7-%d", pr.seq.Add(1))
	b, _ := json.Marshal(map[string]any{"type": "command", "id": id, "kind": kind, "payload": payload})
	ch := make(chan string, 1)
	pr.mu.Lock()
	pr.sent[id] = time.Now()
	pr.waiting[id] = ch
	pr.mu.Unlock()
	if err := c.write(b); err != nil {
		ch <- "nack write"
	}
	return ch
}

// tick sends the room's next command of its cycle: round.open, 24 scores (8 professionals ×
// 3 persons), round.reveal, fact.add.
func (pr *p7Run) tick(rm *p7Room) {
	s := rm.step % 27
	rm.step++
	chair := rm.clients[0]
	rid := fmt.Sprintf("%s-r%d", rm.mid, rm.round)
	switch {
	case s == 0:
		rm.round++
		pr.send(chair, "round.open", map[string]any{"meeting": rm.mid})
	case s <= 24:
		k := s - 1
		v := 3 + rand.IntN(6)
		pr.send(rm.clients[k/3], "score.submit", map[string]any{"round": rid, "subject": casegen.Subjects[k%3].ID, "value": v,
			"meaning": "Bench: thuis is het rustig, afspraken worden nagekomen.", "notHigher": "Nog geen zicht op de avonden."})
	case s == 25:
		pr.send(chair, "round.reveal", map[string]any{"round": rid})
	default:
		pr.send(chair, "fact.add", map[string]any{"text": "Bench: school meldt dat het kind op tijd was."})
	}
}

// p7Result is one server's figures over its windows.
type p7Result struct {
	cpuPerCmdUs, cpuPerDeliveryUs float64
	p50, p99                      float64
	commands, nacks               int64
	firstView                     map[string]int
}

func (x p7Result) figures() map[string]any {
	return map[string]any{"cpu_us_per_command": round3(x.cpuPerCmdUs), "cpu_us_per_delivery": round3(x.cpuPerDeliveryUs),
		"p50_ms": round3(x.p50), "p99_ms": round3(x.p99), "commands": x.commands, "nacks": x.nacks, "first_view_bytes": x.firstView}
}

// p7Session is one server with its rooms connected: windows are played on it in turns with
// the other servers', so that all see the same drift of a shared machine.
type p7Session struct {
	r               *runner
	pr              *p7Run
	pid             int
	rms             []*p7Room
	conns           []*p7Client
	firstView       map[string]int
	cpuSec          float64
	commands, nacks int64
	server          *proc // the P7 server it runs against (nil: the baseline, stopped by p7)
}

func (ss *p7Session) close() {
	for _, c := range ss.conns {
		_ = c.conn.Close()
	}
	if ss.server != nil {
		ss.server.stop(5 * time.Second)
	}
}

// p7Setup connects the rooms to the server at base (its process pid), admits the family and
// reconnects her phone to measure its first view (not against the baseline), and warms up.
func (r *runner) p7Setup(base string, pid int, rooms, meetingN int, baseline bool) (*p7Session, error) {
	ss := &p7Session{r: r, pr: newP7Run(), pid: pid, firstView: map[string]int{}}
	pr := ss.pr
	mid := casegen.MeetingID(meetingN)
	ready := func(c *p7Client) (int, error) {
		select {
		case n := <-c.firstView:
			return n, nil
		case <-time.After(60 * time.Second):
			return 0, fmt.Errorf("no welcome or view for %s", c.who.id)
		}
	}
	for i := range rooms {
		rm := &p7Room{caseID: p7CaseID(i), mid: mid}
		for _, w := range p7People(mid, meetingN) {
			c := &p7Client{who: w, baseline: baseline}
			if err := pr.connect(base, rm.caseID, c); err != nil {
				return ss, err
			}
			ss.conns = append(ss.conns, c)
			rm.clients = append(rm.clients, c)
		}
		ss.rms = append(ss.rms, rm)
	}
	for _, rm := range ss.rms {
		for k, c := range rm.clients {
			n, err := ready(c)
			if err != nil {
				return ss, fmt.Errorf("%s: %w", rm.caseID, err)
			}
			if kind := [...]string{"professional", "", "watching"}[min(max(k-7, 0), 2)]; kind != "" {
				ss.firstView[kind] = max(ss.firstView[kind], n)
			}
		}
		if baseline {
			continue
		}
		if err := ss.admitFamily(rm, mid); err != nil {
			return ss, err
		}
		// The mother's phone joins the meeting she was admitted to: its first view.
		fam := rm.clients[8]
		_ = fam.conn.Close()
		again := &p7Client{who: fam.who}
		if err := pr.connect(base, rm.caseID, again); err != nil {
			return ss, err
		}
		ss.conns = append(ss.conns, again)
		rm.clients[8] = again
		n, err := ready(again)
		if err != nil {
			return ss, fmt.Errorf("%s: %w", rm.caseID, err)
		}
		ss.firstView["family"] = max(ss.firstView["family"], n)
	}
	ss.play(max(r.sz.warmup, 2))
	return ss, nil
}

// admitFamily has the mother join the meeting and the chair admit her, linked to her person.
func (ss *p7Session) admitFamily(rm *p7Room, mid string) error {
	fam := rm.clients[8]
	for _, step := range []struct {
		c       *p7Client
		kind    string
		payload map[string]any
	}{{fam, "participant.join", map[string]any{"meeting": mid}},
		{rm.clients[0], "participant.admit", map[string]any{"meeting": mid, "participant": fam.who.id, "person": "moeder"}}} {
		select {
		case got := <-ss.pr.send(step.c, step.kind, step.payload):
			if got != "ack " {
				return fmt.Errorf("%s: %s: %s", rm.caseID, step.kind, got)
			}
		case <-time.After(60 * time.Second):
			return fmt.Errorf("%s: %s: no answer", rm.caseID, step.kind)
		}
	}
	return nil
}

// play plays every room for seconds, then waits for the answers and the last deliveries.
func (ss *p7Session) play(seconds float64) {
	end := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for _, rm := range ss.rms {
		wg.Add(1)
		go func(rm *p7Room) {
			defer wg.Done()
			time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for time.Now().Before(end) {
				ss.pr.tick(rm)
				<-t.C
			}
		}(rm)
	}
	wg.Wait()
	deadline := time.Now().Add(ss.r.sz.drainMax)
	for time.Now().Before(deadline) {
		ss.pr.mu.Lock()
		n := len(ss.pr.waiting)
		ss.pr.mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(ss.r.sz.drain)
}

// window plays one measured window and adds its CPU and commands.
func (ss *p7Session) window(seconds float64) {
	pr := ss.pr
	a0, n0 := pr.acks.Load(), pr.nacks.Load()
	pr.measuring.Store(true)
	cm := newCPUMeter(ss.pid)
	start := time.Now()
	ss.play(seconds)
	ss.cpuSec += cm.cores()[0] * time.Since(start).Seconds()
	pr.measuring.Store(false)
	ss.commands += pr.acks.Load() - a0 + pr.nacks.Load() - n0
	ss.nacks += pr.nacks.Load() - n0
}

// result is the session's figures over its windows.
func (ss *p7Session) result() p7Result {
	res := p7Result{commands: ss.commands, nacks: ss.nacks, firstView: ss.firstView}
	if ss.commands > 0 {
		res.cpuPerCmdUs = ss.cpuSec * 1e6 / float64(ss.commands)
		res.cpuPerDeliveryUs = res.cpuPerCmdUs / 10
	}
	ss.pr.mu.Lock()
	res.p50, res.p99 = ss.pr.lat.Quantile(0.5), ss.pr.lat.Quantile(0.99)
	ss.pr.mu.Unlock()
	return res
}

// p7 runs P7: the baseline, the hub with fresh cases and the hub with two-year cases, each
// in its own process, under the same load, measured in alternating windows.
func (r *runner) p7() error {
	rooms, seconds := r.p7Size()
	parts := 3
	base, err := startBaseline(r.work)
	if err != nil {
		return err
	}
	defer base.stop(5 * time.Second)
	names := []string{"baseline", "fresh", "two_year"}
	sessions := map[string]*p7Session{}
	defer func() {
		for _, ss := range sessions {
			ss.close()
		}
	}()
	for _, name := range names {
		var ss *p7Session
		switch name {
		case "baseline":
			ss, err = r.p7Setup("ws"+strings.TrimPrefix(base.url, "http"), base.pid(), rooms, 1, true)
		case "fresh":
			ss, err = r.p7Server(name, rooms, 0)
		default:
			ss, err = r.p7Server(name, rooms, p7History)
		}
		if ss != nil {
			sessions[name] = ss
		}
		if err != nil {
			return fmt.Errorf("P7 %s: %w", name, err)
		}
	}
	for part := range parts {
		for i := range names {
			sessions[names[(i+part)%len(names)]].window(seconds / float64(parts))
		}
	}
	results := map[string]p7Result{}
	for _, name := range names {
		res := sessions[name].result()
		r.logf("P7 %s: %.0f µs CPU per command, p99 %.1f ms, first view %v", name, res.cpuPerCmdUs, res.p99, res.firstView)
		results[name] = res
	}
	fresh, old, bl := results["fresh"], results["two_year"], results["baseline"]
	firstView := 0
	for _, n := range old.firstView {
		firstView = max(firstView, n)
	}
	r.emit(map[string]any{"scenario": "P7", "rooms": rooms, "per_room": 10, "seconds": seconds, "parts": parts, "history_meetings": p7History,
		"fresh": fresh.figures(), "two_year": old.figures(), "baseline": bl.figures(),
		"cpu_ratio_two_year_fresh":    round3(ratio(old.cpuPerCmdUs, fresh.cpuPerCmdUs)),
		"cpu_ratio_two_year_baseline": round3(ratio(old.cpuPerCmdUs, bl.cpuPerCmdUs)),
		"cpu_ratio_fresh_baseline":    round3(ratio(fresh.cpuPerCmdUs, bl.cpuPerCmdUs)),
		"p99_ratio_two_year_baseline": round3(ratio(old.p99, bl.p99)),
		"p99_ratio_fresh_baseline":    round3(ratio(fresh.p99, bl.p99)),
		"first_view_bytes_max":        firstView,
		"target_cpu_ratio":            targetP7CPURatio, "target_first_view_bytes": targetP7FirstViewB,
		"cpu_target_met": ratio(old.cpuPerCmdUs, fresh.cpuPerCmdUs) <= targetP7CPURatio, "first_view_target_met": firstView <= targetP7FirstViewB})
	return nil
}

// p7Server starts a P7 server holding rooms cases with meetings held meetings and sets up a
// session on it (closing the session stops the server).
func (r *runner) p7Server(name string, rooms, meetings int) (*p7Session, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(r.work, "p7-"+name)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p, err := start("p7-"+name, filepath.Join(dir, "server.log"), nil, self, "p7server", "-dir", dir,
		"-rooms", strconv.Itoa(rooms), "-meetings", strconv.Itoa(meetings), "-addr", addr)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP("http://"+addr+"/readyz", 5*time.Minute, p.exited); err != nil {
		p.kill()
		return nil, err
	}
	ss, err := r.p7Setup("ws://"+addr, p.pid(), rooms, meetings+1, false)
	if ss != nil {
		ss.server = p
	} else {
		p.stop(5 * time.Second)
	}
	return ss, err
}
