package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// sentinelOptions are the Options of a Store on set (appends wait for one replica).
func sentinelOptions(set *redistest.SentinelSet, prefix string) redisstore.Options {
	return redisstore.Options{Sentinel: &redisstore.Sentinel{MasterName: set.MasterName, Addrs: set.SentinelAddrs()},
		Prefix: prefix, Logger: quietLogger()}
}

// openWith returns a function that opens a Store with opts, closed at the test's end.
func openWith(t *testing.T, opts redisstore.Options) func() *redisstore.Store {
	return func() *redisstore.Store {
		t.Helper()
		s, err := redisstore.New(t.Context(), opts)
		if err != nil {
			t.Fatalf("redisstore.New: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

// TestConformanceSentinel runs the conformance suites on a primary with one replica and
// three sentinels; every append waits for the replica (WAIT 1).
func TestConformanceSentinel(t *testing.T) {
	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		open := openWith(t, sentinelOptions(set, freshPrefix()))
		return func() hub.Store { return open() }
	})
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		open := openWith(t, sentinelOptions(set, freshPrefix()))
		return func() kv.Store { return open() }
	})
}

// TestConformanceCluster runs the conformance suites on a Redis Cluster of three primaries
// (sharded pub/sub: the servers are Redis 7).
func TestConformanceCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	opts := func() redisstore.Options {
		return redisstore.Options{Cluster: c.Addrs(), Prefix: freshPrefix(), Logger: quietLogger()}
	}
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		open := openWith(t, opts())
		return func() hub.Store { return open() }
	})
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		open := openWith(t, opts())
		return func() kv.Store { return open() }
	})
}

// TestCaseKeysInOneSlot uses every kind of key of a case on a Cluster (log, command ids,
// presence) and of the KV store (bucket, expiry set, log), then checks with CLUSTER KEYSLOT
// that each case's keys — its event channel included — share one slot, that each bucket's keys
// share one, and that the cases were spread over more than one node.
func TestCaseKeysInOneSlot(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	prefix := freshPrefix()
	s := openWith(t, redisstore.Options{Cluster: c.Addrs(), Prefix: prefix, Logger: quietLogger()})()
	ctx := t.Context()
	nodes := map[string]bool{}
	for i := range 12 {
		caseID := fmt.Sprintf("case-%d", i)
		if _, err := s.Append(ctx, caseID, 0, "c1", [][]byte{[]byte("e")}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPresence(ctx, caseID, "conn", []byte("p"), time.Minute); err != nil {
			t.Fatal(err)
		}
		keys := scanKeys(t, c, prefix+"{"+caseID+"}*")
		if len(keys) != 4 { // log, cmds, presence, presdata
			t.Fatalf("case %s has keys %v, want its log, command ids and presence", caseID, keys)
		}
		slot := sameSlot(t, c, append(keys, prefix+"{"+caseID+"}:events"))
		node, _, _ := c.NodeOf(keys[0])
		nodes[node.Addr()] = true
		t.Logf("case %s: %d keys and its channel in slot %s", caseID, len(keys), slot)
	}
	if len(nodes) < 2 {
		t.Fatalf("12 cases on %d node(s): the hash tags do not spread cases", len(nodes))
	}
	if _, err := s.PutIfAbsent(ctx, "sessions", "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "sessions", "k2", []byte("v")); err != nil {
		t.Fatal(err)
	}
	sameSlot(t, c, scanKeys(t, c, prefix+"kv:{sessions}*"))
	if _, err := s.AppendLogs(ctx, []string{"access", "case:case-1", "case:case-2"}, []byte("x")); err != nil {
		t.Fatalf("AppendLogs over several slots: %v", err)
	}
	if keys := scanKeys(t, c, prefix+"log:*"); len(keys) != 3 {
		t.Fatalf("log keys %v, want 3", keys)
	}
}

// scanKeys returns the keys matching pattern on every node.
func scanKeys(t *testing.T, c *redistest.Cluster, pattern string) []string {
	t.Helper()
	var out []string
	for _, n := range c.Nodes {
		v, err := redistest.DoAny(n.Addr(), "KEYS", pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range v.([]any) {
			out = append(out, k.(string))
		}
	}
	return out
}

// sameSlot checks with CLUSTER KEYSLOT that keys share one slot and returns it.
func sameSlot(t *testing.T, c *redistest.Cluster, keys []string) string {
	t.Helper()
	var slot string
	for _, k := range keys {
		got, err := redistest.Do(c.Nodes[0].Addr(), "CLUSTER", "KEYSLOT", k)
		if err != nil {
			t.Fatal(err)
		}
		if slot != "" && got != slot {
			t.Fatalf("key %s is in slot %s, the others in %s: %v", k, got, slot, keys)
		}
		slot = got
	}
	return slot
}

// TestAppendWaitsForReplica: with the replica down, the primary refuses the append
// (min-replicas-to-write 1: NOREPLICAS) and nothing is stored. Without that setting the
// append is stored but not acknowledged (WAIT 1 times out: ErrUnavailable), and so is a
// resend; once the replica is back, the resend with the same command id is acknowledged, and
// the log holds the command once. No follow delivers the record before a replica confirmed it.
func TestAppendWaitsForReplica(t *testing.T) {
	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
	opts := sentinelOptions(set, freshPrefix())
	opts.ReplicaTimeout = 200 * time.Millisecond
	s := openWith(t, opts)()
	ctx := t.Context()
	follow := &collector{}
	if err := openWith(t, opts)().Follow(ctx, "w", 0, follow.deliver); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "w", 0, "first", [][]byte{[]byte("1")}); err != nil {
		t.Fatalf("Append with the replica up: %v", err)
	}
	// The follower has the confirmed record before the replica goes (it may have joined the
	// channel after the publish and then catches up by reading, which needs a replica).
	eventually(t, "the follow to deliver the first record", func() bool { return follow.len() == 1 })
	primary, replica := set.Primary(), set.Replicas()[0]
	replica.Kill()
	eventually(t, "the primary to refuse writes", func() bool {
		_, err := s.Append(ctx, "w", 1, "refused", [][]byte{[]byte("r")})
		return errors.Is(err, hub.ErrUnavailable) && strings.Contains(err.Error(), "NOREPLICAS")
	})
	xlen := func() string {
		t.Helper()
		n, err := redistest.Do(primary.Addr(), "XLEN", opts.Prefix+"{w}:log")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := xlen(); n != "1" {
		t.Fatalf("XLEN on the primary = %s after a refused append; want 1", n)
	}
	// Head and Read give only what a replica confirmed: without a replica, nothing.
	if _, err := s.Head(ctx, "w"); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Head with the replica down: %v, want ErrUnavailable", err)
	}

	if _, err := redistest.Do(primary.Addr(), "CONFIG", "SET", "min-replicas-to-write", "0"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Append(ctx, "w", 1, "second", [][]byte{[]byte("2")})
	if !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Append with the replica down: %v, want ErrUnavailable", err)
	}
	if n := xlen(); n != "2" {
		t.Fatalf("XLEN on the primary = %s: the unconfirmed append should be there", n)
	}
	if _, err := s.Read(ctx, "w", 0, 0); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Read with an unconfirmed record: %v, want ErrUnavailable", err)
	}
	// No follower sees a record no replica has: a failover could drop it.
	time.Sleep(300 * time.Millisecond)
	if n := follow.len(); n != 1 {
		t.Fatalf("the follow delivered %d records while the second is unconfirmed; want 1", n)
	}
	if _, err := s.Append(ctx, "w", 1, "second", [][]byte{[]byte("2")}); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("resend with the replica down: %v, want ErrUnavailable", err)
	}
	if err := s.Confirm(ctx, "w", "second"); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Confirm with the replica down: %v, want ErrUnavailable", err)
	}
	// KV writes wait for the replica too.
	checkUnavailable(t, map[string]func() error{
		"Put":         func() error { return s.Put(ctx, "b", "k", []byte("v")) },
		"PutIfAbsent": func() error { _, err := s.PutIfAbsent(ctx, "b", "k2", []byte("v"), time.Minute); return err },
		"Delete":      func() error { return s.Delete(ctx, "b", "k") },
		"AppendLog":   func() error { _, err := s.AppendLog(ctx, "access", []byte("x")); return err },
		"AppendLogs":  func() error { _, err := s.AppendLogs(ctx, []string{"access", "case:w"}, []byte("x")); return err },
	})
	replica.StartReplicaOf(primary.Addr())
	replica.WaitSynced()
	// From here on a store with a 2 s replica timeout (the most it allows): 200 ms, right for the refusals
	// above, is too short for a replica's acknowledgements on a loaded machine.
	long := opts
	long.ReplicaTimeout = 2 * time.Second
	s = openWith(t, long)()
	res, err := s.Append(ctx, "w", 1, "second", [][]byte{[]byte("2")})
	if err != nil || res != (hub.AppendResult{First: 2, Last: 2, Duplicate: true}) {
		t.Fatalf("resend with the replica back = %+v, %v; want the stored append as a duplicate", res, err)
	}
	if err := s.Confirm(ctx, "w", "second"); err != nil {
		t.Fatalf("Confirm with the replica back: %v", err)
	}
	if head, err := s.Head(ctx, "w"); err != nil || head != 2 {
		t.Fatalf("Head with the replica back = %d, %v; want 2", head, err)
	}
	follow.check(t, "the follow once the second is confirmed", []string{"1", "2"})
	if err := s.Put(ctx, "b", "k", []byte("v2")); err != nil {
		t.Fatalf("Put with the replica back: %v", err)
	}
	if seqs, err := s.AppendLogs(ctx, []string{"access", "case:w"}, []byte("y")); err != nil || len(seqs) != 2 {
		t.Fatalf("AppendLogs with the replica back = %v, %v", seqs, err)
	}
	if err := s.Confirm(ctx, "w", "never-sent"); err == nil {
		t.Fatalf("Confirm of an unknown command succeeded")
	}
	recs, err := s.Read(ctx, "w", 0, 0)
	if err != nil || len(recs) != 2 || recs[1].CommandID != "second" {
		t.Fatalf("log = %v, %v; want first and second once", recs, err)
	}
	if v, err := redistest.Do(replica.Addr(), "XLEN", opts.Prefix+"{w}:log"); err != nil || v != "2" {
		t.Fatalf("XLEN on the replica = %q, %v; want 2", v, err)
	}
}

// TestFailoverKeepsAcknowledged appends from four goroutines while the primary is killed with
// SIGKILL; the sentinels promote the replica and the old primary rejoins as a replica. Every
// append that was acknowledged is in the log exactly once, the log has no gap, and a follow
// started before the kill delivers the whole log in order.
func TestFailoverKeepsAcknowledged(t *testing.T) {
	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
	opts := sentinelOptions(set, freshPrefix())
	open := openWith(t, opts)
	a, b := open(), open()
	ctx := t.Context()
	follow := &collector{}
	if err := b.Follow(ctx, "fo", 0, follow.deliver); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		s := []*redisstore.Store{a, b}[w%2]
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				cmd := fmt.Sprintf("w%d-%d", w, i)
				for { // resend with the same id until acknowledged
					head, err := s.Head(ctx, "fo")
					if err == nil {
						_, err = s.Append(ctx, "fo", head, cmd, [][]byte{[]byte(cmd)})
					}
					if err == nil {
						mu.Lock()
						acked[cmd] = true
						mu.Unlock()
						break
					}
					if !errors.Is(err, hub.ErrConflict) && !errors.Is(err, hub.ErrUnavailable) {
						t.Errorf("Append %s: %v", cmd, err)
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		})
	}
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	eventually(t, "appends before the kill", func() bool { return ackedCount() >= 50 })
	old := set.Primary()
	killedAt := time.Now()
	before := ackedCount()
	old.Kill()
	primary := set.WaitFailover(old)
	promoted := time.Since(killedAt)
	old.StartReplicaOf(primary.Addr())
	eventually(t, "appends after the failover", func() bool { return ackedCount() >= before+50 })
	t.Logf("replica promoted %v after the kill; %d appends acknowledged before, %d after", promoted.Round(time.Millisecond), before, ackedCount()-before)
	close(stop)
	wg.Wait()

	recs, err := a.Read(ctx, "fo", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) || string(r.Data) != r.CommandID {
			t.Fatalf("record %d is {%d %s %s}", i, r.Seq, r.CommandID, r.Data)
		}
		seen[r.CommandID]++
	}
	mu.Lock()
	for cmd := range acked {
		if seen[cmd] != 1 {
			t.Errorf("acknowledged %s is in the log %d times", cmd, seen[cmd])
		}
	}
	mu.Unlock()
	for cmd, n := range seen {
		if n != 1 {
			t.Errorf("%s is in the log %d times", cmd, n)
		}
	}
	eventually(t, "the follow to deliver the whole log", func() bool { return follow.len() >= len(recs) })
	follow.mu.Lock()
	defer follow.mu.Unlock()
	for i, r := range follow.recs {
		if i >= len(recs) || r.Seq != recs[i].Seq || r.CommandID != recs[i].CommandID {
			t.Fatalf("follow delivered %d: {%d %s}, the log holds %v", i, r.Seq, r.CommandID, recs[min(i, len(recs)-1)])
		}
	}
}

// TestOptionsErrors: bad options are refused with a message that says what is wrong.
func TestOptionsErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name string
		opts redisstore.Options
		want string
	}{
		{"nothing", redisstore.Options{}, "URL, Sentinel or Cluster is required"},
		{"both", redisstore.Options{Sentinel: &redisstore.Sentinel{MasterName: "m", Addrs: []string{"127.0.0.1:1"}}, Cluster: []string{"127.0.0.1:1"}}, "exclude each other"},
		{"no master name", redisstore.Options{Sentinel: &redisstore.Sentinel{Addrs: []string{"127.0.0.1:1"}}}, "master name"},
		{"bad sentinel address", redisstore.Options{Sentinel: &redisstore.Sentinel{MasterName: "m", Addrs: []string{"nohost"}}}, `"nohost" is not host:port`},
		{"bad cluster address", redisstore.Options{Cluster: []string{"127.0.0.1"}}, "not host:port"},
		{"URL with a host", redisstore.Options{URL: "redis://u:secret@h:6379/0", Cluster: []string{"127.0.0.1:1"}}, "without a host"},
		{"cluster database", redisstore.Options{URL: "redis:///2", Cluster: []string{"127.0.0.1:1"}}, "only database 0"},
		{"cluster replicas", redisstore.Options{Cluster: []string{"127.0.0.1:1"}, Replicas: 1}, "not supported with Cluster"},
		{"replica timeout", redisstore.Options{URL: "redis://127.0.0.1:1/0", ReplicaTimeout: time.Minute}, "replica timeout"},
	} {
		_, err := redisstore.New(ctx, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
}
