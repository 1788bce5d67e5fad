package faulttest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var runsFlag = flag.Int("fault.runs", 0, "iterations of TestInstanceKill (default 20, or $TAFEL_FAULT_RUNS)")

// runs is how many times TestInstanceKill kills an instance.
func runs(t *testing.T) int {
	if *runsFlag > 0 {
		return *runsFlag
	}
	if v := os.Getenv("TAFEL_FAULT_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TAFEL_FAULT_RUNS=%q is not a positive whole number", v)
		}
		return n
	}
	return 20
}

const cases = 3 // meetings at once; 12 participants each (a chair, 2 professionals, 9 invitees)

// roundDeadline bounds one round of every meeting: a safety net that turns a hang into a
// failure that says who waits for what, not a claim about speed.
const roundDeadline = 2 * time.Minute

// roundWithFault plays one round in every case and calls fault, in the test's goroutine, once
// the given share of the round's scores has been acknowledged. It returns when the round is
// over everywhere.
func roundWithFault(ctx context.Context, t *testing.T, w *world, share float64, pause time.Duration, fault func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, roundDeadline)
	defer cancel()
	threshold := int64(float64(w.scoresPerRound()) * share)
	trigger := make(chan struct{})
	var scored atomic.Int64
	done := make(chan error, 1)
	go func() {
		done <- w.playRounds(ctx, roundHooks{pause: pause, scored: func() {
			if scored.Add(1) == threshold {
				close(trigger)
			}
		}})
	}()
	select {
	case <-trigger:
	case err := <-done:
		t.Fatalf("the round ended before the fault: %v\n%s", err, w.describe())
	}
	fault()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round with a fault: %v\n%s", err, w.describe())
			}
			return
		case <-time.After(10 * time.Second): // not a failure: say who the round waits for
			t.Logf("the round still runs; waiting:\n%s", w.describe())
		}
	}
}

// TestInstanceKill kills the instance most participants are connected to with SIGKILL in the
// middle of a round, again and again; after each kill the round completes through the other
// instances, every acknowledged command is in the log exactly once, and every participant
// holds the same state as the others of its audience. The killed instance is started again
// before the next run.
func TestInstanceKill(t *testing.T) {
	n := runs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(n)*30*time.Second)
	defer cancel()
	top := startTopology(t)
	begin := time.Now()
	w := setUp(ctx, t, top, cases)
	setupTime := time.Since(begin)
	people := len(w.everyone())

	var fig figures
	var victimsTotal int
	runsStart := time.Now()
	for run := 1; run <= n; run++ {
		runBegin := time.Now()
		var victim int
		var victims map[*participant]int
		roundWithFault(ctx, t, w, 1.0/3, 0, func() {
			victim, _ = w.busiestInstance()
			victims = map[*participant]int{}
			for p := range w.onInstance(victim) {
				victims[p] = p.snapshot().connects
			}
			top.signal(fmt.Sprintf("tafel%d", victim), syscall.SIGKILL, 10*time.Second)
		})
		// Every participant cut off reconnects through nginx to another instance and resumes
		// (the round may have ended in its meeting before its socket noticed the kill).
		deadline := time.Now().Add(30 * time.Second) // a safety net
		for p, before := range victims {
			for {
				s := p.snapshot()
				if s.connects > before && s.upstream != "" {
					if top.instanceOf(s.upstream) == victim {
						t.Fatalf("run %d: %s reconnected to the killed tafel%d", run, p.name, victim)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("run %d: %s was on tafel%d and did not reconnect (connects %d → %d, dial failures %d: %s)",
						run, p.name, victim, before, s.connects, s.dialFails, s.dialErr)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		roundEnd := time.Now()
		fig = check(ctx, t, w, fmt.Sprintf("run %d (tafel%d killed)", run, victim))
		checkEnd := time.Now()
		if len(victims) == 0 {
			t.Fatalf("run %d: nobody was connected to tafel%d when it was killed", run, victim)
		}
		victimsTotal += len(victims)
		top.start() // only the killed instance is missing
		t.Logf("run %d: tafel%d killed with %d participants on it; round %v, check %v, restart %v", run, victim, len(victims),
			roundEnd.Sub(runBegin).Round(time.Millisecond), checkEnd.Sub(roundEnd).Round(time.Millisecond), time.Since(checkEnd).Round(time.Millisecond))
	}
	perRun := time.Since(runsStart) / time.Duration(n)
	t.Logf("SUMMARY instance kill: %d runs, %d participants in %d meetings, %d commands acknowledged (%d answered as duplicates after a resend), "+
		"%d nacks, %d participants cut off by kills, %d reconnects (close codes %v), %d events and views checked; set-up %v, %v per run",
		n, people, cases, fig.acked, fig.duplicateAcks, fig.nacked, victimsTotal, fig.connects-people, fig.closes, fig.events,
		setupTime.Round(100*time.Millisecond), perRun.Round(100*time.Millisecond))
}

// TestRedisKill kills Redis with SIGKILL in the middle of a round and starts it again from its
// append-only file. While it is down every instance reports not ready and a command gets a
// nack `unavailable`, never an ack; afterwards everything recovers by itself, and no
// acknowledged command is lost.
func TestRedisKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	top := startTopology(t)
	w := setUp(ctx, t, top, cases)
	rctx, rcancel := context.WithTimeout(ctx, roundDeadline)
	defer rcancel()
	if err := w.playRounds(rctx, roundHooks{}); err != nil {
		t.Fatalf("first round: %v\n%s", err, w.describe())
	}
	check(ctx, t, w, "before the Redis kill")

	var killedAt, downFrom, restartAt time.Time
	var probes []*command
	owners := []*participant{w.cases[0].chair, w.cases[1].pros[1], w.cases[2].people[3]}
	roundWithFault(ctx, t, w, 1.0/4, time.Second, func() {
		killedAt = top.signal("redis", syscall.SIGKILL, 10*time.Second)
		downFrom = time.Now()
		top.waitReadyz(503, 30*time.Second) // fails closed
		// A command from a chair, a professional and a family member while Redis is down. Each
		// gets a nack unavailable, or no answer when its socket is closed (it cannot reconnect
		// while Redis is down, since the session check needs it); never an ack.
		probes = []*command{
			owners[0].do("fact.add", map[string]any{"text": "Feit terwijl Redis weg is"}),
			owners[1].do("fact.add", map[string]any{"text": "Waarneming terwijl Redis weg is", "professionalsOnly": true}),
			owners[2].do("plan.confirm", map[string]string{"meeting": meetingID}),
		}
		deadline := time.Now().Add(30 * time.Second) // a safety net
		for i, c := range probes {
			for {
				p := owners[i]
				p.mu.Lock()
				settled := len(c.nacks) > 0 || c.acked || c.refusal != "" || p.conn == nil || !p.welcomed
				p.mu.Unlock()
				if settled {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: no answer to %s %s while Redis is down\n%s", p.name, c.Kind, c.ID, w.describe())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		// Let the scorers' retries meet the outage for a moment, then bring Redis back.
		if err := sleep(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		restartAt = time.Now()
		top.start() // Redis again, from its AOF
		top.waitReadyz(200, 60*time.Second)
	})
	for i, c := range probes {
		if err := owners[i].await(ctx, c); err != nil {
			t.Fatalf("after Redis came back: %v", err)
		}
	}
	fig := check(ctx, t, w, "after the Redis restart")

	var sentWhileDown, nacksWhileDown, ackedBeforeKill, ackedWhileDown int
	for _, c := range w.commands() {
		for _, nk := range c.nacks {
			if nk.at.Before(downFrom) || !nk.at.Before(restartAt) {
				continue
			}
			if nk.code == "unavailable" {
				nacksWhileDown++
			} else if nk.code != "rate_limited" {
				t.Errorf("command %s (%s) got nack %q while Redis was down; want unavailable (nothing stored, try again)", c.ID, c.Kind, nk.code)
			}
		}
		if c.firstSent.After(killedAt) && c.firstSent.Before(restartAt) {
			sentWhileDown++
			if c.acked && c.ackAt.Before(restartAt) {
				t.Errorf("command %s (%s), first sent at %v while Redis was down (%v–%v), was acknowledged at %v",
					c.ID, c.Kind, c.firstSent.Format(time.StampMicro), killedAt.Format(time.StampMicro), restartAt.Format(time.StampMicro), c.ackAt.Format(time.StampMicro))
			}
		}
		if c.acked && c.ackAt.Before(killedAt) {
			ackedBeforeKill++
		}
		if c.acked && c.ackAt.After(killedAt) && c.ackAt.Before(restartAt) {
			ackedWhileDown++ // sent before the kill, stored before it: their acks may arrive late
		}
	}
	if nacksWhileDown == 0 {
		t.Errorf("no nack unavailable while Redis was down")
	}
	t.Logf("SUMMARY redis kill: %d commands acknowledged before the kill, all found after the restart from AOF; Redis down %v; "+
		"%d commands first sent while down, none acknowledged before the restart (%d nacks unavailable); %d acks of earlier commands arrived while down; "+
		"%d commands acknowledged in all, %d duplicates, %d reconnects",
		ackedBeforeKill, restartAt.Sub(killedAt).Round(10*time.Millisecond), sentWhileDown, nacksWhileDown, ackedWhileDown,
		fig.acked, fig.duplicateAcks, fig.connects-len(w.everyone()))
}

// TestRollingRestart stops each instance in turn with SIGTERM and starts it again while the
// meetings go on. A stopping instance drains: its clients are told to reconnect elsewhere
// (close code 4002) and no connection breaks; nothing is lost, and every participant sees a
// continuous state.
func TestRollingRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	top := startTopology(t)
	w := setUp(ctx, t, top, cases)

	stop := make(chan struct{})
	done := make(chan error, 1)
	var rounds atomic.Int64
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			rctx, cancel := context.WithTimeout(ctx, roundDeadline)
			err := w.playRounds(rctx, roundHooks{pause: 600 * time.Millisecond})
			cancel()
			if err != nil {
				done <- err
				return
			}
			rounds.Add(1)
		}
	}()
	drained := 0
	for i := 1; i <= len(top.ports); i++ {
		if err := sleep(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		on := map[*participant]int{}
		for p := range w.onInstance(i) {
			on[p] = p.snapshot().closes[4002]
		}
		top.signal(fmt.Sprintf("tafel%d", i), syscall.SIGTERM, 40*time.Second)
		deadline := time.Now().Add(30 * time.Second) // a safety net
		for p, before := range on {
			for p.snapshot().closes[4002] <= before {
				if time.Now().After(deadline) {
					t.Fatalf("%s was on tafel%d when it was stopped but was not told 4002 (close codes %v)", p.name, i, p.snapshot().closes)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		drained += len(on)
		top.start()
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("meeting during the rolling restart: %v\n%s", err, w.describe())
	}
	fig := check(ctx, t, w, "after the rolling restart")
	if fig.closesAbnormal > 0 {
		t.Errorf("%d connections broke without a close frame during a rolling restart", fig.closesAbnormal)
	}
	if drained == 0 {
		t.Errorf("nobody was connected to a stopped instance")
	}
	t.Logf("SUMMARY rolling restart: 3 instances restarted one by one during %d rounds in %d meetings; %d participants drained with 4002 (%d closes 4002), "+
		"%d connections broken; %d commands acknowledged, all in the log once; %d reconnects; streams continuous",
		rounds.Load(), cases, drained, fig.closes4002, fig.closesAbnormal, fig.acked, fig.connects-len(w.everyone()))
}
