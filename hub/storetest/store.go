package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// Run checks that the stores made by factory keep the hub.Store contract.
func Run(t *testing.T, factory Factory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() hub.Store)
	}{
		{"Ordering", testOrdering},
		{"EmptyCase", testEmptyCase},
		{"Conflict", testConflict},
		{"DuplicateCommand", testDuplicateCommand},
		{"NoEvents", testNoEvents},
		{"BatchAppend", testBatchAppend},
		{"BatchDuplicates", testBatchDuplicates},
		{"BatchConflict", testBatchConflict},
		{"BatchFollow", testBatchFollow},
		{"BatchLogged", testBatchLogged},
		{"CatchUpRead", testCatchUpRead},
		{"ConcurrentAppenders", testConcurrentAppenders},
		{"FollowLiveAndCatchUp", testFollowLiveAndCatchUp},
		{"FollowFromMiddle", testFollowFromMiddle},
		{"FollowManyCases", testFollowManyCases},
		{"FollowSlowConsumer", testFollowSlowConsumer},
		{"FollowStopsWithContext", testFollowStopsWithContext},
		{"Presence", testPresence},
		{"PresenceExpiry", testPresenceExpiry},
		{"Ping", testPing},
		{"DeleteCase", testDeleteCase},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := factory(t)
			tc.fn(t, func() hub.Store {
				t.Helper()
				s := open()
				t.Cleanup(func() { _ = s.Close() })
				return s
			})
		})
	}
}

// ev is the encoded event the suite appends: opaque bytes that name the command and index.
func ev(cmd string, i int) []byte { return fmt.Appendf(nil, `{"cmd":%q,"i":%d}`, cmd, i) }

func evs(cmd string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = ev(cmd, i)
	}
	return out
}

func mustAppend(t *testing.T, s hub.Store, caseID string, expected uint64, cmd string, events [][]byte) hub.AppendResult {
	t.Helper()
	res, err := s.Append(t.Context(), caseID, expected, cmd, events)
	if err != nil {
		t.Fatalf("Append(%q, %d, %q): %v", caseID, expected, cmd, err)
	}
	return res
}

func mustRead(t *testing.T, s hub.Store, caseID string, after uint64, limit int) []hub.Record {
	t.Helper()
	recs, err := s.Read(t.Context(), caseID, after, limit)
	if err != nil {
		t.Fatalf("Read(%q, %d, %d): %v", caseID, after, limit, err)
	}
	return recs
}

func mustHead(t *testing.T, s hub.Store, caseID string) uint64 {
	t.Helper()
	h, err := s.Head(t.Context(), caseID)
	if err != nil {
		t.Fatalf("Head(%q): %v", caseID, err)
	}
	return h
}

// checkRecords compares records field by field.
func checkRecords(t *testing.T, what string, got, want []hub.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records %v, want %d %v", what, len(got), seqs(got), len(want), seqs(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.CommandID != w.CommandID || string(g.Data) != string(w.Data) {
			t.Fatalf("%s: record %d is {%d %q %s}, want {%d %q %s}", what, i, g.Seq, g.CommandID, g.Data, w.Seq, w.CommandID, w.Data)
		}
	}
}

func seqs(recs []hub.Record) []uint64 {
	out := make([]uint64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

// buildLog appends commands of sizes n to caseID and returns the records they must produce.
func buildLog(t *testing.T, s hub.Store, caseID string, sizes ...int) []hub.Record {
	t.Helper()
	var want []hub.Record
	for i, n := range sizes {
		cmd := fmt.Sprintf("%s-cmd-%d", caseID, i)
		head := uint64(len(want))
		res := mustAppend(t, s, caseID, head, cmd, evs(cmd, n))
		if res.First != head+1 || res.Last != head+uint64(n) || res.Duplicate {
			t.Fatalf("append %q at %d: got %+v, want {First:%d Last:%d Duplicate:false}", cmd, head, res, head+1, head+uint64(n))
		}
		for j := range n {
			want = append(want, hub.Record{Seq: head + 1 + uint64(j), CommandID: cmd, Data: ev(cmd, j)})
		}
	}
	return want
}

func testOrdering(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-a", 1, 3, 2)
	checkRecords(t, "Read after 0", mustRead(t, s, "case-a", 0, 0), want)
	if h := mustHead(t, s, "case-a"); h != 6 {
		t.Fatalf("Head = %d, want 6", h)
	}
	// Another case has its own sequence.
	other := buildLog(t, s, "case-b", 2)
	checkRecords(t, "Read case-b", mustRead(t, s, "case-b", 0, 0), other)
	checkRecords(t, "Read case-a again", mustRead(t, s, "case-a", 0, 0), want)
	// A second instance sees the same log.
	checkRecords(t, "Read from second instance", mustRead(t, open(), "case-a", 0, 0), want)
}

func testEmptyCase(t *testing.T, open func() hub.Store) {
	s := open()
	if h := mustHead(t, s, "nobody"); h != 0 {
		t.Fatalf("Head of unknown case = %d, want 0", h)
	}
	if recs := mustRead(t, s, "nobody", 0, 0); len(recs) != 0 {
		t.Fatalf("Read of unknown case = %v, want none", seqs(recs))
	}
}

func testConflict(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-c", 2)
	for _, expected := range []uint64{0, 1, 3, 100} {
		res, err := s.Append(t.Context(), "case-c", expected, fmt.Sprintf("stale-%d", expected), evs("stale", 1))
		if !errors.Is(err, hub.ErrConflict) {
			t.Fatalf("Append with expected %d at head 2: got %+v, %v; want an error wrapping ErrConflict", expected, res, err)
		}
	}
	checkRecords(t, "after conflicts", mustRead(t, s, "case-c", 0, 0), want)
	if h := mustHead(t, s, "case-c"); h != 2 {
		t.Fatalf("Head after conflicts = %d, want 2", h)
	}
	// A command refused with a conflict was not recorded: it can be appended afterwards.
	res := mustAppend(t, s, "case-c", 2, "stale-0", evs("stale-0", 1))
	if res.Duplicate || res.First != 3 || res.Last != 3 {
		t.Fatalf("retry of a conflicted command: got %+v, want {First:3 Last:3 Duplicate:false}", res)
	}
}

func testDuplicateCommand(t *testing.T, open func() hub.Store) {
	s := open()
	buildLog(t, s, "case-d", 1)
	first := mustAppend(t, s, "case-d", 1, "cmd-x", evs("cmd-x", 2))
	if first != (hub.AppendResult{First: 2, Last: 3}) {
		t.Fatalf("first append: got %+v, want {First:2 Last:3}", first)
	}
	want := mustRead(t, s, "case-d", 0, 0)
	for _, tc := range []struct {
		name     string
		s        hub.Store
		expected uint64
	}{
		{"stale expected", s, 1},
		{"current expected", s, 3},
		{"future expected", s, 7},
		{"second instance", open(), 0},
	} {
		res, err := tc.s.Append(t.Context(), "case-d", tc.expected, "cmd-x", evs("other", 4))
		if err != nil {
			t.Fatalf("%s: repeated command: %v", tc.name, err)
		}
		if res != (hub.AppendResult{First: 2, Last: 3, Duplicate: true}) {
			t.Fatalf("%s: repeated command: got %+v, want {First:2 Last:3 Duplicate:true}", tc.name, res)
		}
		checkRecords(t, tc.name+": log after duplicate", mustRead(t, s, "case-d", 0, 0), want)
	}
	// Command ids are per case.
	res := mustAppend(t, s, "case-d2", 0, "cmd-x", evs("cmd-x", 1))
	if res != (hub.AppendResult{First: 1, Last: 1}) {
		t.Fatalf("same command id in another case: got %+v, want {First:1 Last:1}", res)
	}
}

func testNoEvents(t *testing.T, open func() hub.Store) {
	s := open()
	if _, err := s.Append(t.Context(), "case-e", 0, "empty", nil); err == nil {
		t.Fatal("Append without events: got no error, want one")
	}
	if h := mustHead(t, s, "case-e"); h != 0 {
		t.Fatalf("Head after refused empty append = %d, want 0", h)
	}
	// The refused command id was not recorded.
	if res := mustAppend(t, s, "case-e", 0, "empty", evs("empty", 1)); res.Duplicate {
		t.Fatalf("command refused for having no events came back as a duplicate: %+v", res)
	}
}

func testCatchUpRead(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-r", 3, 1, 4, 2)
	n := uint64(len(want))
	for after := uint64(0); after <= n+1; after++ {
		var tail []hub.Record
		if after < n {
			tail = want[after:]
		}
		checkRecords(t, fmt.Sprintf("Read after %d", after), mustRead(t, s, "case-r", after, 0), tail)
		for _, limit := range []int{1, 3} {
			lim := tail
			if len(lim) > limit {
				lim = lim[:limit]
			}
			checkRecords(t, fmt.Sprintf("Read after %d limit %d", after, limit), mustRead(t, s, "case-r", after, limit), lim)
		}
	}
}

func testConcurrentAppenders(t *testing.T, open func() hub.Store) {
	stores := []hub.Store{open(), open()}
	const writers, perWriter = 8, 6
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range perWriter {
				cmd := fmt.Sprintf("w%d-c%d", w, i)
				for {
					head, err := s.Head(ctx, "case-n")
					if err != nil {
						errs <- err
						return
					}
					_, err = s.Append(ctx, "case-n", head, cmd, evs(cmd, 1+i%2))
					if errors.Is(err, hub.ErrConflict) {
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("append %s: %w", cmd, err)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	recs := mustRead(t, stores[0], "case-n", 0, 0)
	count := map[string]int{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d: sequences must be 1..n without gaps", i, r.Seq)
		}
		count[r.CommandID]++
	}
	for w := range writers {
		for i := range perWriter {
			cmd := fmt.Sprintf("w%d-c%d", w, i)
			if want := 1 + i%2; count[cmd] != want {
				t.Fatalf("command %s has %d records, want %d (exactly once)", cmd, count[cmd], want)
			}
		}
	}
	if len(count) != writers*perWriter {
		t.Fatalf("log holds %d commands, want %d", len(count), writers*perWriter)
	}
}

// collector gathers what a follow delivers.
type collector struct {
	mu   sync.Mutex
	recs []hub.Record
}

func (c *collector) deliver(recs []hub.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range recs {
		c.recs = append(c.recs, hub.Record{Seq: r.Seq, CommandID: r.CommandID, Data: slices.Clone(r.Data)})
	}
}

func (c *collector) snapshot() []hub.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.recs)
}

// waitRecords waits until c holds at least len(want) records, then checks they are exactly
// want: in order, no gap, no repeat.
func (c *collector) waitRecords(t *testing.T, what string, want []hub.Record) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s: %d records", what, len(want)), func() bool {
		return len(c.snapshot()) >= len(want)
	})
	checkRecords(t, what, c.snapshot(), want)
}

func follow(t *testing.T, ctx context.Context, s hub.Store, caseID string, after uint64) *collector {
	t.Helper()
	c := &collector{}
	if err := s.Follow(ctx, caseID, after, c.deliver); err != nil {
		t.Fatalf("Follow(%q, %d): %v", caseID, after, err)
	}
	return c
}

func testFollowLiveAndCatchUp(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	want := buildLog(t, a, "case-f", 2, 1)
	onA := follow(t, t.Context(), a, "case-f", 0)
	onB := follow(t, t.Context(), b, "case-f", 0)
	onA.waitRecords(t, "follow on A, catch-up", want)
	onB.waitRecords(t, "follow on B, catch-up", want)

	// Appends after the follow started, alternating between the instances.
	for i := range 10 {
		s := []hub.Store{a, b}[i%2]
		cmd := fmt.Sprintf("live-%d", i)
		head := uint64(len(want))
		mustAppend(t, s, "case-f", head, cmd, evs(cmd, 1+i%3))
		for j := range 1 + i%3 {
			want = append(want, hub.Record{Seq: head + 1 + uint64(j), CommandID: cmd, Data: ev(cmd, j)})
		}
	}
	onA.waitRecords(t, "follow on A, live", want)
	onB.waitRecords(t, "follow on B, live", want)

	// A duplicate append delivers nothing new: the next real record comes right after.
	mustAppend(t, b, "case-f", 0, "live-0", evs("again", 1))
	cmd := "final"
	mustAppend(t, a, "case-f", uint64(len(want)), cmd, evs(cmd, 1))
	want = append(want, hub.Record{Seq: uint64(len(want)) + 1, CommandID: cmd, Data: ev(cmd, 0)})
	onA.waitRecords(t, "follow on A after a duplicate", want)
	onB.waitRecords(t, "follow on B after a duplicate", want)
}

func testFollowFromMiddle(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-m", 3, 3)
	for _, after := range []uint64{0, 2, 5, 6} {
		c := follow(t, t.Context(), s, "case-m", after)
		c.waitRecords(t, fmt.Sprintf("follow after %d", after), want[after:])
	}
	// A follow of an empty case that fills up later.
	c := follow(t, t.Context(), open(), "case-m-new", 0)
	later := buildLog(t, s, "case-m-new", 2)
	c.waitRecords(t, "follow of a case that was empty", later)
}

func testFollowManyCases(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	const cases, rounds = 6, 5
	followers := make([]*collector, cases)
	for i := range cases {
		followers[i] = follow(t, t.Context(), []hub.Store{a, b}[i%2], fmt.Sprintf("many-%d", i), 0)
	}
	wants := make([][]hub.Record, cases)
	var wg sync.WaitGroup
	for i := range cases {
		s := []hub.Store{b, a}[i%2]
		wg.Go(func() {
			caseID := fmt.Sprintf("many-%d", i)
			for r := range rounds {
				cmd := fmt.Sprintf("%s-r%d", caseID, r)
				head := uint64(len(wants[i]))
				if _, err := s.Append(t.Context(), caseID, head, cmd, evs(cmd, 2)); err != nil {
					t.Errorf("append %s: %v", cmd, err)
					return
				}
				for j := range 2 {
					wants[i] = append(wants[i], hub.Record{Seq: head + 1 + uint64(j), CommandID: cmd, Data: ev(cmd, j)})
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range cases {
		followers[i].waitRecords(t, fmt.Sprintf("follow of many-%d", i), wants[i])
	}
}

// testFollowSlowConsumer blocks a follow's deliver while many commands are appended (more
// than a store would sensibly buffer), then lets it go: everything arrives, in order, once.
func testFollowSlowConsumer(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	release := make(chan struct{})
	var once sync.Once
	c := &collector{}
	blocked := make(chan struct{})
	err := a.Follow(t.Context(), "case-slow", 0, func(recs []hub.Record) {
		once.Do(func() {
			close(blocked)
			<-release
		})
		c.deliver(recs)
	})
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	const commands = 300
	var want []hub.Record
	for i := range commands {
		cmd := fmt.Sprintf("slow-%d", i)
		mustAppend(t, b, "case-slow", uint64(i), cmd, evs(cmd, 1))
		want = append(want, hub.Record{Seq: uint64(i + 1), CommandID: cmd, Data: ev(cmd, 0)})
		if i == 0 {
			<-blocked // the follow is now stuck in its first deliver
		}
	}
	close(release)
	c.waitRecords(t, "slow follow after release", want)
}

func testFollowStopsWithContext(t *testing.T, open func() hub.Store) {
	s := open()
	ctx, cancel := context.WithCancel(t.Context())
	c := follow(t, ctx, s, "case-x", 0)
	want := buildLog(t, s, "case-x", 1)
	c.waitRecords(t, "follow before cancel", want)
	cancel()
	// Following with a context that is already done is refused with the context's error.
	if err := s.Follow(ctx, "case-x", 0, func([]hub.Record) {}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow with a cancelled context: got %v, want context.Canceled", err)
	}
	// The store goes on working for other follows.
	more := buildLog(t, s, "case-x2", 1)
	follow(t, t.Context(), s, "case-x2", 0).waitRecords(t, "follow after another was cancelled", more)
}

func testPresence(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	ctx := t.Context()
	set := func(s hub.Store, caseID, conn, data string) {
		t.Helper()
		if err := s.SetPresence(ctx, caseID, conn, []byte(data), time.Hour); err != nil {
			t.Fatalf("SetPresence(%q, %q): %v", caseID, conn, err)
		}
	}
	check := func(s hub.Store, caseID string, want map[string]string) {
		t.Helper()
		got, err := s.Presence(ctx, caseID)
		if err != nil {
			t.Fatalf("Presence(%q): %v", caseID, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Presence(%q) = %q, want %q", caseID, got, want)
		}
		for k, v := range want {
			if string(got[k]) != v {
				t.Fatalf("Presence(%q)[%q] = %q, want %q", caseID, k, got[k], v)
			}
		}
	}
	check(a, "case-p", map[string]string{})
	set(a, "case-p", "conn-1", `{"name":"Anna"}`)
	set(b, "case-p", "conn-2", `{"name":"Bas"}`)
	set(a, "case-q", "conn-3", `{"name":"Cor"}`)
	check(a, "case-p", map[string]string{"conn-1": `{"name":"Anna"}`, "conn-2": `{"name":"Bas"}`})
	check(b, "case-p", map[string]string{"conn-1": `{"name":"Anna"}`, "conn-2": `{"name":"Bas"}`})
	check(b, "case-q", map[string]string{"conn-3": `{"name":"Cor"}`})

	set(b, "case-p", "conn-1", `{"name":"Anna","away":true}`) // refresh with new data
	check(a, "case-p", map[string]string{"conn-1": `{"name":"Anna","away":true}`, "conn-2": `{"name":"Bas"}`})

	if err := b.RemovePresence(ctx, "case-p", "conn-1"); err != nil {
		t.Fatalf("RemovePresence: %v", err)
	}
	check(a, "case-p", map[string]string{"conn-2": `{"name":"Bas"}`})
	if err := a.RemovePresence(ctx, "case-p", "never-there"); err != nil {
		t.Fatalf("RemovePresence of an absent connection: %v", err)
	}
	check(a, "case-q", map[string]string{"conn-3": `{"name":"Cor"}`})
}

func testPresenceExpiry(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	ctx := t.Context()
	for _, conn := range []string{"stays", "goes"} {
		if err := a.SetPresence(ctx, "case-t", conn, []byte(conn), time.Hour); err != nil {
			t.Fatalf("SetPresence(%q): %v", conn, err)
		}
	}
	got, err := b.Presence(ctx, "case-t")
	if err != nil || len(got) != 2 {
		t.Fatalf("Presence = %q, %v; want both entries", got, err)
	}
	// Refreshing with a short ttl replaces the long one; the entry then expires on its own.
	if err := a.SetPresence(ctx, "case-t", "goes", []byte("goes"), 150*time.Millisecond); err != nil {
		t.Fatalf("SetPresence with short ttl: %v", err)
	}
	eventually(t, "the short-lived presence entry to expire", func() bool {
		got, err := b.Presence(ctx, "case-t")
		if err != nil {
			t.Fatalf("Presence: %v", err)
		}
		_, present := got["goes"]
		return !present
	})
	got, err = b.Presence(ctx, "case-t")
	if err != nil || len(got) != 1 || string(got["stays"]) != "stays" {
		t.Fatalf("Presence after expiry = %q, %v; want only {stays: stays}", got, err)
	}
}

func testPing(t *testing.T, open func() hub.Store) {
	s := open()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping after Close: got no error, want one")
	}
}
