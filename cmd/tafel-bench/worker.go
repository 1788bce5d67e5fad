package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A worker is a generator process holding WebSocket clients. The coordinator starts it as
// `tafel-bench worker`, sends one op per line on its stdin and reads one reply per line from
// its stdout; clients of one meeting always live in one worker, which drives that meeting.

// op is a request from the coordinator.
type op struct {
	Op string `json:"op"`
	// Seq numbers the request; the reply carries it (ops run concurrently: P4 asks who is up
	// while the meetings play).
	Seq uint64 `json:"seq"`

	// init
	Worker    int           `json:"worker,omitempty"`
	Instances []string      `json:"instances,omitempty"` // ws://host:port
	Origin    string        `json:"origin,omitempty"`
	Baseline  bool          `json:"baseline,omitempty"`
	Meetings  []meetingSpec `json:"meetings,omitempty"`

	// connect: the first N meetings (0 = all); which clients: "all", "chairs", "others"
	N     int    `json:"n,omitempty"`
	Which string `json:"which,omitempty"`
	// homes: instance of each client ("spread": client j of meeting m → (m+j) mod n;
	// "first": instance 0; "chairs-second": chairs on 1, others on 0)
	Homes string `json:"homes,omitempty"`

	// play
	Seconds float64 `json:"seconds,omitempty"`
	Rate    float64 `json:"rate,omitempty"`

	// slow
	Fraction float64 `json:"fraction,omitempty"`

	// burst
	Rounds int `json:"rounds,omitempty"`

	// reconnect
	On bool `json:"on,omitempty"`
}

// reply answers an op.
type reply struct {
	Seq       uint64       `json:"seq"`
	OK        bool         `json:"ok"`
	Err       string       `json:"err,omitempty"`
	Connected int          `json:"connected,omitempty"`
	Failed    int          `json:"failed,omitempty"`
	Errors    []string     `json:"errors,omitempty"`
	Stats     *Snapshot    `json:"stats,omitempty"`
	Check     *checkResult `json:"check,omitempty"`
	Up        int          `json:"up,omitempty"`
	Case      string       `json:"case,omitempty"`
}

// meetingRun is the live state of one meeting in a worker.
type meetingRun struct {
	spec   *meetingSpec
	chair  *client
	others []*client

	mu        sync.Mutex
	round     int // number of the current round (id <meeting>-r<round>)
	open      bool
	confirmed int // the highest round whose opening was acknowledged
	step      int
	move      bool
}

func (m *meetingRun) all() []*client { return append([]*client{m.chair}, m.others...) }

func (m *meetingRun) roundID() string { return fmt.Sprintf("%s-r%d", m.spec.Meeting, m.round) }

type worker struct {
	idx       int
	instances []string
	origin    string
	baseline  bool
	meetings  []*meetingRun
	clients   []*client
	st        *workerStats
	cmdSeq    atomic.Uint64
	reconnect atomic.Bool
	stopPlay  atomic.Bool

	unslowMu sync.Mutex
	unslow   chan struct{} // closed to let slow clients read again (when they are closed)
}

// unslowCh returns the channel slow readers wait on.
func (w *worker) unslowCh() chan struct{} {
	w.unslowMu.Lock()
	defer w.unslowMu.Unlock()
	return w.unslow
}

// runWorker serves ops on stdin until "exit" or EOF.
func runWorker(in io.Reader, out io.Writer) error {
	w := &worker{st: newWorkerStats(), unslow: make(chan struct{})}
	w.reconnect.Store(true)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	enc := json.NewEncoder(out)
	var encMu sync.Mutex
	send := func(r reply) {
		encMu.Lock()
		defer encMu.Unlock()
		_ = enc.Encode(r)
	}
	var running sync.WaitGroup
	for sc.Scan() {
		var o op
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			return fmt.Errorf("worker: bad op: %w", err)
		}
		switch o.Op {
		case "init", "exit", "closeall":
			// Ops that change the set of clients run alone.
			running.Wait()
			r := w.do(o)
			r.Seq = o.Seq
			send(r)
			if o.Op == "exit" {
				return nil
			}
		default:
			running.Add(1)
			go func(o op) {
				defer running.Done()
				r := w.do(o)
				r.Seq = o.Seq
				send(r)
			}(o)
		}
	}
	return sc.Err()
}

func (w *worker) do(o op) reply {
	switch o.Op {
	case "init":
		w.idx, w.instances, w.origin, w.baseline = o.Worker, o.Instances, o.Origin, o.Baseline
		for i := range o.Meetings {
			spec := &o.Meetings[i]
			mt := &meetingRun{spec: spec}
			mt.chair = newClient(w, &spec.Chair, mt)
			for j := range spec.Others {
				mt.others = append(mt.others, newClient(w, &spec.Others[j], mt))
			}
			w.meetings = append(w.meetings, mt)
			w.clients = append(w.clients, mt.all()...)
		}
		return reply{OK: true}
	case "connect":
		return w.connect(o)
	case "prepare":
		return w.prepare()
	case "play":
		w.play(o.Seconds, o.Rate)
		return reply{OK: true}
	case "stopplay":
		w.stopPlay.Store(true)
		return reply{OK: true}
	case "setinstances":
		w.instances = o.Instances
		return reply{OK: true}
	case "case":
		if len(w.meetings) == 0 {
			return reply{Err: "no meetings"}
		}
		return reply{OK: true, Case: w.meetings[0].spec.Case}
	case "unslow":
		w.unslowAll()
		return reply{OK: true}
	case "exclude":
		w.pickSlow(o.Fraction, false)
		return reply{OK: true}
	case "reset":
		w.st.reset()
		return reply{OK: true}
	case "measure":
		w.st.measuring.Store(o.On)
		return reply{OK: true}
	case "stats":
		return reply{OK: true, Stats: w.st.snapshot(), Up: w.upCount()}
	case "slow":
		w.pickSlow(o.Fraction, true)
		return reply{OK: true}
	case "burst":
		return w.burst(o.Rounds)
	case "reconnect":
		w.reconnect.Store(o.On)
		return reply{OK: true}
	case "up":
		return reply{OK: true, Up: w.upCount()}
	case "pending":
		return reply{OK: true, Up: w.pendingCount()}
	case "mark":
		for _, c := range w.clients {
			c.mu.Lock()
			c.mark = c.last
			c.welcomes = nil
			c.mu.Unlock()
		}
		return reply{OK: true}
	case "check":
		return reply{OK: true, Check: w.check()}
	case "closeall":
		w.closeAll()
		return reply{OK: true}
	case "exit":
		w.closeAll()
		return reply{OK: true}
	}
	return reply{Err: "unknown op " + o.Op}
}

// pendingCount is the number of commands of clients that are up and still wait for an answer.
func (w *worker) pendingCount() int {
	n := 0
	for _, c := range w.clients {
		c.mu.Lock()
		if c.up && !c.slow.Load() {
			n += len(c.pending)
		}
		c.mu.Unlock()
	}
	return n
}

func (w *worker) upCount() int {
	n := 0
	for _, c := range w.clients {
		if c.isUp() {
			n++
		}
	}
	return n
}

// connect opens the clients of the first o.N meetings (all when 0) and waits until each is
// welcomed.
func (w *worker) connect(o op) reply {
	ms := w.meetings
	if o.N > 0 && o.N < len(ms) {
		ms = ms[:o.N]
	}
	var todo []*client
	for mi, mt := range ms {
		for j, c := range mt.all() {
			if (o.Which == "chairs" && j != 0) || (o.Which == "others" && j == 0) {
				continue
			}
			switch o.Homes {
			case "spread":
				c.inst = (mi + j + w.idx) % len(w.instances)
			case "chairs-second":
				c.inst = 0
				if j == 0 && len(w.instances) > 1 {
					c.inst = 1
				}
			default:
				c.inst = 0
			}
			c.mu.Lock()
			c.closing = false
			c.mu.Unlock()
			c.measured.Store(true)
			todo = append(todo, c)
		}
	}
	var (
		mu  sync.Mutex
		r   = reply{OK: true}
		wg  sync.WaitGroup
		sem = make(chan struct{}, 32)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, c := range todo {
		if c.isUp() {
			mu.Lock()
			r.Connected++
			mu.Unlock()
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(c *client) {
			defer wg.Done()
			defer func() { <-sem }()
			var err error
			for attempt := 0; attempt < 5; attempt++ {
				if err = c.connect(ctx); err == nil {
					break
				}
				time.Sleep(time.Duration(200*(attempt+1)) * time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Failed++
				if len(r.Errors) < 5 {
					r.Errors = append(r.Errors, err.Error())
				}
				return
			}
			r.Connected++
		}(c)
	}
	wg.Wait()
	return r
}

// prepare schedules and starts each meeting, lets every participant join, admits them and
// opens the first scoring round (Tafel only; the baseline has no meeting state).
func (w *worker) prepare() reply {
	if w.baseline {
		// No meeting state to set up: play the same cycle from an open first round.
		for _, mt := range w.meetings {
			mt.mu.Lock()
			if !mt.open {
				mt.round, mt.open, mt.confirmed = mt.round+1, true, mt.round+1
			}
			mt.mu.Unlock()
		}
		return reply{OK: true}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		r     = reply{OK: true}
		sem   = make(chan struct{}, 16)
		ctx   = context.Background()
		fails = func(err error) {
			mu.Lock()
			defer mu.Unlock()
			r.Failed++
			if len(r.Errors) < 5 {
				r.Errors = append(r.Errors, err.Error())
			}
		}
	)
	for _, mt := range w.meetings {
		wg.Add(1)
		sem <- struct{}{}
		go func(mt *meetingRun) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := w.prepareMeeting(ctx, mt); err != nil {
				fails(fmt.Errorf("case %s: %w", mt.spec.Case, err))
			}
		}(mt)
	}
	wg.Wait()
	r.OK = r.Failed == 0
	return r
}

func (w *worker) prepareMeeting(ctx context.Context, mt *meetingRun) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	m := mt.spec.Meeting
	must := func(c *client, kind string, payload any, okCodes ...string) error {
		res, err := c.do(ctx, kind, payload)
		if err != nil {
			return err
		}
		if res == "ack" || res == "dup" {
			return nil
		}
		for _, ok := range okCodes {
			if res == ok {
				return nil
			}
		}
		return fmt.Errorf("%s by %s: nack %s", kind, c.spec.ID, res)
	}
	if err := must(mt.chair, "meeting.schedule", map[string]any{"id": m, "at": time.Now().UTC()}, "conflict"); err != nil {
		return err
	}
	// The burst (P6) measures the self-revealing round: the last score reveals it. A round
	// that is open (a worker that reconnected) refuses the setting; that is fine.
	if err := must(mt.chair, "meeting.set_auto_reveal", map[string]any{"meeting": m, "autoReveal": true}, "conflict"); err != nil {
		return err
	}
	if err := must(mt.chair, "meeting.start", map[string]any{"meeting": m}, "conflict"); err != nil {
		return err
	}
	for _, c := range mt.others {
		if err := must(c, "participant.join", map[string]any{"meeting": m}); err != nil {
			return err
		}
	}
	for _, c := range mt.others {
		if err := must(mt.chair, "participant.admit", map[string]any{"meeting": m, "participant": c.spec.ID}, "conflict"); err != nil {
			return err
		}
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if !mt.open {
		if err := must(mt.chair, "round.open", map[string]any{"meeting": m}); err != nil {
			return err
		}
		mt.round++
		mt.open = true
		mt.confirmed = mt.round
	}
	return nil
}

// play drives every meeting at rate commands per second for the given seconds. A meeting
// plays a cycle: each invitee in turn submits a score, then the chair reveals the round,
// moves an agenda item and opens the next round — len(others)+3 commands per cycle. Each
// meeting starts at a random phase so the load is spread over the second.
func (w *worker) play(seconds, rate float64) {
	if rate <= 0 {
		rate = 1
	}
	period := time.Duration(float64(time.Second) / rate)
	end := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	w.stopPlay.Store(false)
	var wg sync.WaitGroup
	for _, mt := range w.meetings {
		if !mt.chair.isUp() {
			continue
		}
		wg.Add(1)
		go func(mt *meetingRun) {
			defer wg.Done()
			time.Sleep(time.Duration(rand.Int64N(int64(period))))
			t := time.NewTicker(period)
			defer t.Stop()
			for time.Now().Before(end) && !w.stopPlay.Load() {
				w.tick(mt)
				<-t.C
			}
		}(mt)
	}
	wg.Wait()
}

// tick sends one command of the meeting's cycle. People act on what their screen shows: a
// scorer scores, and the chair reveals, only once the round's opening has been acknowledged;
// until then (a saturated server) the tick passes without a command.
func (w *worker) tick(mt *meetingRun) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	n := len(mt.others)
	step := mt.step % (n + 3)
	mt.step++
	m := mt.spec.Meeting
	ready := mt.open && mt.confirmed == mt.round
	switch {
	case step < n:
		if !ready {
			w.st.skipped.Add(1)
			return
		}
		c := mt.others[step]
		if !c.isUp() || c.slow.Load() {
			// The scorer is away (reconnecting, or not reading): the chair shares a fact
			// instead, so every meeting keeps one command per tick.
			w.fact(mt)
			return
		}
		v := 3 + rand.IntN(6)
		c.command("score.submit", map[string]any{"round": mt.roundID(), "subject": mt.spec.Subject, "value": v,
			"meaning": "Bench: thuis is het rustig, afspraken worden nagekomen.", "notHigher": "Nog geen zicht op de avonden."})
	case step == n:
		if !ready {
			w.st.skipped.Add(1)
			return
		}
		mt.chair.command("round.reveal", map[string]any{"round": mt.roundID()})
		mt.open = false
	case step == n+1:
		pos := 1
		if mt.move {
			pos = 2
		}
		mt.move = !mt.move
		mt.chair.command("agenda.move", map[string]any{"meeting": m, "item": m + "-a2", "position": pos})
	default:
		if mt.open {
			w.fact(mt)
			return
		}
		_, done := mt.chair.command("round.open", map[string]any{"meeting": m})
		mt.round++
		mt.open = true
		number := mt.round
		go func() {
			if <-done == "ack" {
				mt.mu.Lock()
				mt.confirmed = max(mt.confirmed, number)
				mt.mu.Unlock()
			}
		}()
	}
}

func (w *worker) fact(mt *meetingRun) {
	if !mt.chair.isUp() {
		return
	}
	id := fmt.Sprintf("f%d-%d", w.idx, w.cmdSeq.Add(1))
	mt.chair.command("fact.add", map[string]any{"id": id, "text": "Bench: school meldt dat het kind op tijd was."})
}

// pickSlow takes every 1/fraction-th invitee out of the latency figures and, when stop is
// set, makes it stop reading (P5).
func (w *worker) pickSlow(fraction float64, stop bool) {
	if fraction <= 0 {
		return
	}
	every := int(1/fraction + 0.5)
	k := 0
	for _, mt := range w.meetings {
		for _, c := range mt.others {
			k++
			if k%every == 0 {
				c.measured.Store(false)
				if stop {
					c.slow.Store(true)
				}
			}
		}
	}
}

// burst is P6: in every meeting of the worker, everyone (the chair too) submits a score at
// the same instant; the last one completes and reveals the round; then the chair opens the
// next. Command → ack times go to the ack histogram.
func (w *worker) burst(rounds int) reply {
	r := reply{OK: true}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, mt := range w.meetings {
		if !mt.chair.isUp() {
			continue // only the connected meeting(s) take part
		}
		m := mt.spec.Meeting
		if mt.open {
			// Close what the play left open, then start from a fresh round.
			_, _ = mt.chair.do(ctx, "round.reveal", map[string]any{"round": mt.roundID()})
			mt.open = false
		}
		for i := 0; i < rounds; i++ {
			res, err := mt.chair.do(ctx, "round.open", map[string]any{"meeting": m})
			if err != nil || res != "ack" {
				r.Failed++
				r.Errors = append(r.Errors, fmt.Sprintf("round.open: %v %s", err, res))
				return r
			}
			mt.round++
			mt.confirmed = mt.round
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]string, len(mt.all()))
			for j, c := range mt.all() {
				wg.Add(1)
				go func(j int, c *client) {
					defer wg.Done()
					<-start
					t0 := time.Now()
					results[j], _ = c.do(ctx, "score.submit", map[string]any{"round": mt.roundID(), "subject": mt.spec.Subject,
						"value": 5 + j%3, "meaning": "Bench: gelijktijdige score.", "notHigher": "Bench."})
					if results[j] == "ack" {
						w.st.addCommit(time.Since(t0))
					}
				}(j, c)
			}
			time.Sleep(50 * time.Millisecond) // every goroutine waits at the start line
			close(start)
			wg.Wait()
			for _, res := range results {
				if res != "ack" {
					r.Failed++
					if len(r.Errors) < 5 {
						r.Errors = append(r.Errors, "score.submit: "+res)
					}
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return r
}

// checkResult is P4's verdict over the events each client received.
type checkResult struct {
	Clients   int    `json:"clients"`
	Lost      uint64 `json:"lost"`
	Dups      uint64 `json:"duplicated"`
	Reorders  uint64 `json:"reordered"`
	Down      int    `json:"down"`
	Pending   int    `json:"pending"`
	BehindMax uint64 `json:"behindMax"`
	// Samples describe a few clients that lost events: case, client, missing sequences,
	// and the welcomes they got (instance:resume:seq:lastSeq of the hello).
	Samples []string `json:"samples,omitempty"`
}

// key is the comparable part of a check (without samples).
func (c *checkResult) key() [6]uint64 {
	return [6]uint64{uint64(c.Clients), c.Lost, c.Dups, c.Reorders, uint64(c.Down), uint64(c.Pending)}
}

// check compares what every client holds with the highest sequence any client of its case
// holds: a sequence after the client's mark (set before the scenario) and up to that head
// that the client never received is lost. (Before the mark, a client may rightly lack events:
// an invitee waiting in the lobby gets none.)
func (w *worker) check() *checkResult {
	r := &checkResult{}
	for _, mt := range w.meetings {
		var head uint64
		for _, c := range mt.all() {
			c.mu.Lock()
			head = max(head, c.last)
			c.mu.Unlock()
		}
		for _, c := range mt.all() {
			c.mu.Lock()
			r.Clients++
			if !c.up {
				r.Down++
			}
			r.Pending += len(c.pending)
			r.Dups += c.dups
			r.Reorders += c.reorders
			var missing []uint64
			for s := c.mark + 1; s <= head; s++ {
				if !c.isSeen(s) {
					r.Lost++
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 && len(r.Samples) < 20 {
				r.Samples = append(r.Samples, fmt.Sprintf("case %s client %s mark %d last %d head %d missing %v welcomes %v pending %d",
					mt.spec.Case, c.spec.ID, c.mark, c.last, head, missing[:min(len(missing), 8)], c.welcomes, len(c.pending)))
			}
			r.BehindMax = max(r.BehindMax, head-c.last)
			c.mu.Unlock()
		}
	}
	return r
}

// unslowAll lets the slow clients read again: they read what the kernel kept for them and
// learn whether the server has closed their connection meanwhile.
func (w *worker) unslowAll() {
	for _, c := range w.clients {
		c.slow.Store(false)
	}
	w.unslowMu.Lock()
	close(w.unslow)
	w.unslow = make(chan struct{})
	w.unslowMu.Unlock()
}

func (w *worker) closeAll() {
	w.unslowMu.Lock()
	close(w.unslow)
	w.unslowMu.Unlock()
	var wg sync.WaitGroup
	for _, c := range w.clients {
		wg.Add(1)
		go func(c *client) { defer wg.Done(); c.close() }(c)
	}
	wg.Wait()
	for _, c := range w.clients {
		c.mu.Lock()
		c.up = false
		c.conn = nil
		c.slow.Store(false)
		c.mu.Unlock()
	}
	w.unslowMu.Lock()
	w.unslow = make(chan struct{})
	w.unslowMu.Unlock()
}

// workerMain is `tafel-bench worker`.
func workerMain() {
	if err := runWorker(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tafel-bench worker:", err)
		os.Exit(1)
	}
}
