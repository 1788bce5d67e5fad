package hub_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
)

func openRedis(tb testing.TB, url string) *redisstore.Store {
	tb.Helper()
	st, err := redisstore.New(context.Background(), redisstore.Options{URL: url, Prefix: "t:"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// TestTwoInstancesOneRedis: clients on two hub instances sharing one Redis submit at the same
// time; every client sees the same events in the same order, with no gap and no duplicate.
func TestTwoInstancesOneRedis(t *testing.T) {
	rs := redistest.Start(t)
	a := startInstance(t, openRedis(t, rs.URL()), func(c *hub.Config) { c.CommandRate, c.CommandBurst = 1000, 1000 })
	b := startInstance(t, openRedis(t, rs.URL()), func(c *hub.Config) { c.CommandRate, c.CommandBurst = 1000, 1000 })

	chair, _ := setUpJanna(t, a, pSocial)
	// The nurse and the social worker are on instance b, the chair on instance a.
	mo := dial(t, b, pSocial, "janna", 0)
	jet := dial(t, b, pNurse, "janna", 0)
	joined := jet.Must("participant.join", map[string]any{"meeting": "m1"})
	chair.WaitView(joined) // the chair admits only whom its own instance shows in the lobby
	chair.Must("participant.admit", map[string]any{"meeting": "m1", "participant": pNurse.ID})

	const each = 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]uint64{}
	for _, c := range []*wstest.Client{chair, mo, jet} {
		wg.Add(1)
		go func(c *wstest.Client) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("%s-fact-%d", c.Name, i)
				f := c.DoID(id, "fact.add", map[string]any{"text": id})
				if f.Type != "ack" {
					t.Errorf("%s: %s", id, f.Raw)
					return
				}
				mu.Lock()
				acked[id] = f.Seq
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	var head uint64
	for _, s := range acked {
		head = max(head, s)
	}
	for _, c := range []*wstest.Client{chair, mo, jet} {
		c.WaitView(head)
	}
	// Every client's events, from its first sequence on, are gapless and end at head; the
	// overlapping parts are identical across clients.
	var ref []uint64
	for _, c := range []*wstest.Client{chair, mo, jet} {
		seqs := c.EventSeqs()
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]+1 {
				t.Fatalf("%s: events %d then %d (gap or duplicate)", c.Name, seqs[i-1], seqs[i])
			}
		}
		if seqs[len(seqs)-1] != head {
			t.Fatalf("%s: last event %d, want %d", c.Name, seqs[len(seqs)-1], head)
		}
		if ref == nil || seqs[0] > ref[0] {
			ref = seqs
		}
	}
	_, events, err := a.hub.Load(context.Background(), "janna")
	if err != nil {
		t.Fatal(err)
	}
	facts := map[string]int{}
	for _, e := range events {
		if e.Type == "fact.added" {
			facts[e.ID]++
		}
	}
	if len(facts) != 3*each {
		t.Errorf("fact.added events in the log: %d, want %d", len(facts), 3*each)
	}
	// Same order everywhere: the event ids at each sequence agree between the clients.
	order := func(c *wstest.Client) map[uint64]string {
		out := map[uint64]string{}
		for _, f := range c.Frames() {
			for _, raw := range f.Events {
				var e struct {
					Seq uint64
					ID  string
				}
				_ = jsonUnmarshal(raw, &e)
				out[e.Seq] = e.ID
			}
		}
		return out
	}
	oa, ob, oc := order(chair), order(mo), order(jet)
	for _, s := range ref {
		if oa[s] != ob[s] || ob[s] != oc[s] {
			t.Fatalf("sequence %d: chair %q, mo %q, jet %q", s, oa[s], ob[s], oc[s])
		}
	}
	if !slices.IsSorted(ref) {
		t.Fatal("unsorted")
	}
}

// TestLaggingInstanceDecidesOnTheLog: a command sent to an instance right after another
// instance stored what it depends on (here: a join, then the admit) is decided on the
// caught-up log, not refused on the room's older state.
func TestLaggingInstanceDecidesOnTheLog(t *testing.T) {
	rs := redistest.Start(t)
	a := startInstance(t, openRedis(t, rs.URL()), nil)
	b := startInstance(t, openRedis(t, rs.URL()), nil)
	chair, _ := setUpJanna(t, a)
	for i, p := range []hub.Principal{pSocial, pNurse, pMother, pAunt} {
		c := dial(t, b, p, "janna", 0)
		c.Must("participant.join", map[string]any{"meeting": "m1"})
		// No wait for the chair's instance to see the join.
		if f := chair.Do("participant.admit", map[string]any{"meeting": "m1", "participant": p.ID}); f.Type != "ack" {
			t.Fatalf("admit %d (%s) right after the join on the other instance: %s", i, p.ID, f.Raw)
		}
	}
}
