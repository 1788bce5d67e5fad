package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// roundTrips is a go-redis hook that counts round trips to Redis — one per command sent
// alone, one per pipeline — by what they touch.
type roundTrips struct {
	caseID string

	mu     sync.Mutex
	counts map[string]int
}

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.count([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.count(cmds)
		return next(ctx, cmds)
	}
}

// count files one round trip under what its commands touch: the case log (the append
// script), the KV logs (the access log), the KV buckets (sessions, memberships, revocations:
// what a right is checked against), presence (the room's presence loop, not the commands),
// or anything else.
func (r *roundTrips) count(cmds []redis.Cmder) {
	var b strings.Builder
	for _, c := range cmds {
		for _, a := range c.Args() {
			fmt.Fprint(&b, a, " ")
		}
	}
	args := b.String()
	kind := "other"
	switch {
	case strings.HasPrefix(args, "hello ") || strings.HasPrefix(args, "client ") || strings.HasPrefix(args, "eval "):
		kind = "setup" // a new pooled connection's handshake, a script's first load
	case strings.Contains(args, "{"+r.caseID+"}:log"):
		kind = "append"
	case strings.Contains(args, "log:{"):
		kind = "access log"
	case strings.Contains(args, "kv:{"):
		kind = "kv"
	case strings.Contains(args, "{"+r.caseID+"}:pres"):
		kind = "presence"
	}
	r.mu.Lock()
	if r.counts != nil {
		r.counts[kind]++
	}
	r.mu.Unlock()
}

func (r *roundTrips) start() {
	r.mu.Lock()
	r.counts = map[string]int{}
	r.mu.Unlock()
}

func (r *roundTrips) stop() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.counts
	r.counts = nil
	return c
}

// TestRoundTripsPerCommand counts, against a real redis-server, the round trips to Redis that
// a command sent over a socket costs once its connection is open: one, the append script,
// which checks the sequence and the command id, appends the events, writes the command's
// access-log entries to the global and the case log (hub.Journal, hub.LogAppender) and
// publishes; none to check the right to the case (the connection holds its grant). The issue
// allows two. Before issue 19 a command cost about six, one after another (three reads for the
// right, the append, a read and a write for the access log); before the entries went with the
// events, three (the append, then the two access logs side by side). The entries it wrote are
// then read back: one per command in the global and in the case log, both chains whole.
func TestRoundTripsPerCommand(t *testing.T) {
	rs := redistest.Start(t)
	st, err := redisstore.New(context.Background(), redisstore.Options{URL: rs.URL(), Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rt := &roundTrips{}
	st.AddHook(rt)
	h := startServer(t, st, newClock())
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	rt.caseID = caseID
	ws, _ := chair.connect(t, caseID)
	// The first commands find the access logs' last entries (later ones know them), load the
	// scripts and fill the connection pool.
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	for i := range 3 {
		ws.Must("fact.add", map[string]any{"text": fmt.Sprintf("Eerder feit %d.", i)})
	}
	const n = 10
	rt.start()
	for i := range n {
		ws.Must("fact.add", map[string]any{"text": fmt.Sprintf("Feit %d.", i)})
	}
	got := rt.stop()
	t.Logf("round trips for %d commands: %v", n, got)
	if got["append"] != n {
		t.Errorf("%d round trips to the case log for %d commands, want one each", got["append"], n)
	}
	if got["kv"] != 0 {
		t.Errorf("%d round trips to KV buckets for %d commands, want none (the connection holds its grant)", got["kv"], n)
	}
	if got["access log"] != 0 {
		t.Errorf("%d round trips to the access logs for %d commands, want none (the entries go with the events)", got["access log"], n)
	}
	if got["other"] > 0 {
		t.Errorf("%d other round trips for %d commands, want none", got["other"], n)
	}
	if total := got["append"] + got["kv"] + got["access log"] + got["other"]; total > 2*n {
		t.Errorf("%d round trips for %d commands, want at most 2 each", total, n)
	}
	// Every command left its entry, in both logs, and the chains are whole.
	for _, name := range []string{audit.GlobalLog, audit.CaseLog(caseID)} {
		entries, err := h.srv.AuditLog().Case(context.Background(), caseID, 0, 0)
		if name == audit.GlobalLog {
			entries, err = h.srv.AuditLog().Global(context.Background(), 0, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		facts := 0
		for _, e := range entries {
			if e.CaseID == caseID && e.Action == "fact.add" && e.Outcome == audit.OutcomeGranted && e.Channel == "ws" {
				facts++
			}
		}
		if facts != n+3 {
			t.Errorf("%s holds %d fact.add entries, want %d", name, facts, n+3)
		}
		if r, err := audit.Verify(context.Background(), st, name); err != nil || !r.OK() {
			t.Errorf("%s: chain %+v, %v", name, r, err)
		}
	}
}
