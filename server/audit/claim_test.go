package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// claimStore is a store that writes KV logs with a batch of events, as the hub's are.
type claimStore interface {
	kv.Store
	hub.LogAppender
}

// TestClaimsAndRecordsKeepTheChain: two access logs over one store (two instances) write
// entries both ways at once — claimed with a batch of case events (the store's
// AppendBatchLogged, as the hub does) and recorded alone — and some claims' batches fail
// (a stale expected sequence). Every entry of a stored batch and every recorded entry is in
// the global and the case log exactly once, no entry of a failed batch is, and both chains
// are whole. On bbolt every write of a stored batch goes in its transaction (relinked onto
// the log's end when another write came first); on a real Redis, those whose chain this
// instance could claim do, and the others follow.
func TestClaimsAndRecordsKeepTheChain(t *testing.T) {
	t.Run("bolt", func(t *testing.T) {
		testClaims(t, openBolt(t, filepath.Join(t.TempDir(), "tafel.db")), true)
	})
	t.Run("redis", func(t *testing.T) {
		rs := redistest.Start(t)
		st, err := redisstore.New(context.Background(), redisstore.Options{URL: rs.URL(), Prefix: "t"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		testClaims(t, st, false)
	})
}

func testClaims(t *testing.T, st claimStore, relinks bool) {
	logs := []*audit.Log{audit.New(st, audit.Options{}), audit.New(st, audit.Options{})}
	ctx := context.Background()
	// The first entry makes each chain known (a claim needs the last entry).
	for _, l := range logs {
		if err := l.Record(ctx, entry("u:0", "c1", audit.ActionRead)); err != nil {
			t.Fatal(err)
		}
	}
	const workers, rounds = 6, 20
	var (
		mu      sync.Mutex
		want    = map[string]bool{} // actions that must be in the logs
		refused = map[string]bool{} // actions that must not
		seq     uint64              // the case's event log head, guarded by mu
		made    int                 // log writes made with the events, guarded by mu
		batches int                 // batches stored, guarded by mu
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := logs[w%2]
			for i := range rounds {
				action := fmt.Sprintf("w%d-%d", w, i)
				if i%3 == 0 {
					if err := l.Record(ctx, entry("u:1", "c1", action)); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					want[action] = true
					mu.Unlock()
					continue
				}
				cl, err := l.Claim(ctx, []audit.Entry{entry("u:2", "c1", action), entry("u:3", "c1", action+"b")})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				expected := seq
				if i%5 == 0 {
					expected++ // a stale sequence: the batch is not stored
				}
				res, written, err := st.AppendBatchLogged(ctx, "c1", expected, []hub.Command{{ID: action, Events: [][]byte{[]byte(`{}`)}}}, cl.Writes())
				stored := err == nil
				for _, ok := range written {
					if ok {
						made++
					}
				}
				if stored {
					batches++
					seq = res[0].Last
					want[action], want[action+"b"] = true, true
				} else {
					refused[action], refused[action+"b"] = true, true
				}
				mu.Unlock()
				if err := cl.Finish(ctx, stored, written); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d log writes went with the events", made, 2*batches)
	if relinks && made != 2*batches {
		t.Errorf("%d log writes went with the events, want all %d", made, 2*batches)
	}
	if made == 0 {
		t.Error("no log write went with the events: every entry took the separate path")
	}
	for _, name := range []string{audit.GlobalLog, audit.CaseLog("c1")} {
		r := verify(t, st, name)
		if !r.OK() {
			t.Fatalf("%s: %+v", name, r)
		}
		entries, err := logs[0].Global(ctx, 0, 0)
		if name != audit.GlobalLog {
			entries, err = logs[0].Case(ctx, "c1", 0, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range entries {
			seen[e.Action]++
		}
		for a := range want {
			if seen[a] != 1 {
				t.Errorf("%s holds %q %d times, want once", name, a, seen[a])
			}
		}
		for a := range refused {
			if seen[a] != 0 {
				t.Errorf("%s holds %q of a batch that was not stored", name, a)
			}
		}
		if len(entries) != len(want)+2 {
			t.Errorf("%s holds %d entries, want %d", name, len(entries), len(want)+2)
		}
	}
}
