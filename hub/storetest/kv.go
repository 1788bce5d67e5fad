package storetest

import (
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// RunKV checks that the stores made by factory keep the kv.Store contract.
func RunKV(t *testing.T, factory KVFactory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() kv.Store)
	}{
		{"GetPutDeleteList", testKVBasics},
		{"PutIfAbsentOneWinner", testKVOneWinner},
		{"PutIfAbsentTTL", testKVTTL},
		{"Log", testKVLog},
		{"PublishSubscribe", testKVPubSub},
		{"DeleteBucket", testKVDeleteBucket},
		{"LogAt", testKVLogAt},
		{"TrimLog", testKVTrimLog},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := factory(t)
			tc.fn(t, func() kv.Store {
				t.Helper()
				kv := open()
				t.Cleanup(func() {
					if c, ok := kv.(interface{ Close() error }); ok {
						_ = c.Close()
					}
				})
				return kv
			})
		})
	}
}

func kvGet(t *testing.T, store kv.Store, bucket, key string) (string, bool) {
	t.Helper()
	v, err := store.Get(t.Context(), bucket, key)
	if errors.Is(err, kv.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", bucket, key, err)
	}
	return string(v), true
}

func kvPut(t *testing.T, store kv.Store, bucket, key, value string) {
	t.Helper()
	if err := store.Put(t.Context(), bucket, key, []byte(value)); err != nil {
		t.Fatalf("Put(%q, %q): %v", bucket, key, err)
	}
}

func kvList(t *testing.T, store kv.Store, bucket string) map[string]string {
	t.Helper()
	m, err := store.List(t.Context(), bucket)
	if err != nil {
		t.Fatalf("List(%q): %v", bucket, err)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func kvPutIfAbsent(t *testing.T, store kv.Store, bucket, key, value string, ttl time.Duration) bool {
	t.Helper()
	ok, err := store.PutIfAbsent(t.Context(), bucket, key, []byte(value), ttl)
	if err != nil {
		t.Fatalf("PutIfAbsent(%q, %q): %v", bucket, key, err)
	}
	return ok
}

func testKVBasics(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	if v, ok := kvGet(t, a, "accounts", "anna"); ok {
		t.Fatalf("Get of a missing key = %q, want ErrNotFound", v)
	}
	if got := kvList(t, a, "accounts"); len(got) != 0 {
		t.Fatalf("List of an empty bucket = %q, want empty", got)
	}
	kvPut(t, a, "accounts", "anna", "v1")
	kvPut(t, a, "accounts", "bas", "b1")
	kvPut(t, a, "invites", "anna", "other bucket")
	if v, ok := kvGet(t, b, "accounts", "anna"); !ok || v != "v1" {
		t.Fatalf("Get from second instance = %q, %v; want v1", v, ok)
	}
	kvPut(t, b, "accounts", "anna", "v2")
	if v, _ := kvGet(t, a, "accounts", "anna"); v != "v2" {
		t.Fatalf("Get after overwrite = %q, want v2", v)
	}
	if got, want := kvList(t, a, "accounts"), map[string]string{"anna": "v2", "bas": "b1"}; !maps.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	if err := b.Delete(t.Context(), "accounts", "anna"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := b.Delete(t.Context(), "accounts", "never-there"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if err := b.Delete(t.Context(), "no-such-bucket", "x"); err != nil {
		t.Fatalf("Delete in a missing bucket: %v", err)
	}
	if v, ok := kvGet(t, a, "accounts", "anna"); ok {
		t.Fatalf("Get after Delete = %q, want ErrNotFound", v)
	}
	if got, want := kvList(t, a, "accounts"), map[string]string{"bas": "b1"}; !maps.Equal(got, want) {
		t.Fatalf("List after Delete = %q, want %q", got, want)
	}
	if v, _ := kvGet(t, a, "invites", "anna"); v != "other bucket" {
		t.Fatalf("Get in another bucket = %q, want %q", v, "other bucket")
	}
	// Values are bytes, not text.
	bin := string([]byte{0, 1, 2, 0xff, '\n', 0})
	kvPut(t, a, "bin", "k", bin)
	if v, _ := kvGet(t, b, "bin", "k"); v != bin {
		t.Fatalf("binary value came back as %q, want %q", v, bin)
	}
}

func testKVOneWinner(t *testing.T, open func() kv.Store) {
	stores := []kv.Store{open(), open()}
	const racers = 16
	for round := range 5 {
		key := fmt.Sprintf("jti-%d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i := range racers {
			store := stores[i%len(stores)]
			wg.Go(func() {
				value := fmt.Sprintf("racer-%d", i)
				ttl := time.Duration(0)
				if round%2 == 1 {
					ttl = time.Hour
				}
				ok, err := store.PutIfAbsent(t.Context(), "spent", key, []byte(value), ttl)
				if err != nil {
					t.Errorf("PutIfAbsent: %v", err)
					return
				}
				if ok {
					mu.Lock()
					winners = append(winners, value)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d winners %q, want exactly one", round, len(winners), winners)
		}
		if v, _ := kvGet(t, stores[1], "spent", key); v != winners[0] {
			t.Fatalf("round %d: stored value %q, want the winner's %q", round, v, winners[0])
		}
	}
}

func testKVTTL(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	// A long ttl: present, and refused again.
	if !kvPutIfAbsent(t, a, "spent", "long", "1", time.Hour) {
		t.Fatal("first PutIfAbsent of a new key lost")
	}
	if kvPutIfAbsent(t, b, "spent", "long", "2", time.Hour) {
		t.Fatal("second PutIfAbsent of a live key won")
	}
	// A permanent key is refused too.
	kvPut(t, a, "spent", "perm", "p")
	if kvPutIfAbsent(t, b, "spent", "perm", "x", time.Hour) {
		t.Fatal("PutIfAbsent over a Put key won")
	}
	// A key first written with a ttl and then Put becomes permanent.
	if !kvPutIfAbsent(t, a, "spent", "made-permanent", "1", 100*time.Millisecond) {
		t.Fatal("PutIfAbsent of made-permanent lost")
	}
	kvPut(t, b, "spent", "made-permanent", "2")
	// A short ttl: the key expires, disappears from Get and List, and can be taken again.
	if !kvPutIfAbsent(t, a, "spent", "short", "1", 100*time.Millisecond) {
		t.Fatal("PutIfAbsent of a new short-lived key lost")
	}
	eventually(t, "the short-lived key to expire", func() bool {
		_, ok := kvGet(t, b, "spent", "short")
		return !ok
	})
	got := kvList(t, b, "spent")
	if want := map[string]string{"long": "1", "perm": "p", "made-permanent": "2"}; !maps.Equal(got, want) {
		t.Fatalf("List after expiry = %q, want %q", got, want)
	}
	if !kvPutIfAbsent(t, b, "spent", "short", "again", 0) {
		t.Fatal("PutIfAbsent of an expired key lost")
	}
	if v, _ := kvGet(t, a, "spent", "short"); v != "again" {
		t.Fatalf("Get after retaking an expired key = %q, want again", v)
	}
}

func testKVLog(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	ctx := t.Context()
	var want []kv.Entry
	for i := range 7 {
		store := []kv.Store{a, b}[i%2]
		data := fmt.Sprintf(`{"n":%d}`, i)
		seq, err := store.AppendLog(ctx, "access", []byte(data))
		if err != nil {
			t.Fatalf("AppendLog: %v", err)
		}
		if seq != uint64(i+1) {
			t.Fatalf("AppendLog #%d returned seq %d, want %d", i, seq, i+1)
		}
		want = append(want, kv.Entry{Seq: seq, Data: []byte(data)})
	}
	if seq, err := a.AppendLog(ctx, "other", []byte("x")); err != nil || seq != 1 {
		t.Fatalf("AppendLog to a new log = %d, %v; want 1", seq, err)
	}
	// One entry to several logs: a sequence in each, the entry readable in each.
	seqs, err := b.AppendLogs(ctx, []string{"access", "other", "third"}, []byte(`{"n":7}`))
	if err != nil || len(seqs) != 3 || seqs[0] != 8 || seqs[1] != 2 || seqs[2] != 1 {
		t.Fatalf("AppendLogs = %v, %v; want [8 2 1]", seqs, err)
	}
	want = append(want, kv.Entry{Seq: 8, Data: []byte(`{"n":7}`)})
	for name, after := range map[string]uint64{"other": 1, "third": 0} {
		got, err := a.ReadLog(ctx, name, after, 0)
		if err != nil || len(got) != 1 || string(got[0].Data) != `{"n":7}` {
			t.Fatalf("ReadLog(%s) after AppendLogs = %v, %v", name, got, err)
		}
	}
	if _, err := a.AppendLogs(ctx, []string{"access", ""}, []byte("x")); err == nil {
		t.Fatal("AppendLogs accepted an empty log name")
	}
	if got, _ := a.ReadLog(ctx, "access", 8, 0); len(got) != 0 {
		t.Fatalf("a refused AppendLogs still wrote %v", got)
	}
	check := func(after uint64, limit int, want []kv.Entry) {
		t.Helper()
		got, err := b.ReadLog(ctx, "access", after, limit)
		if err != nil {
			t.Fatalf("ReadLog(after %d, limit %d): %v", after, limit, err)
		}
		if len(got) != len(want) {
			t.Fatalf("ReadLog(after %d, limit %d) has %d entries, want %d", after, limit, len(got), len(want))
		}
		for i := range want {
			if got[i].Seq != want[i].Seq || string(got[i].Data) != string(want[i].Data) {
				t.Fatalf("ReadLog(after %d, limit %d)[%d] = {%d %s}, want {%d %s}", after, limit, i, got[i].Seq, got[i].Data, want[i].Seq, want[i].Data)
			}
		}
	}
	check(0, 0, want)
	check(3, 0, want[3:])
	check(3, 2, want[3:5])
	check(7, 0, want[7:])
	check(8, 0, nil)
	check(9, 0, nil)
	if got, err := a.ReadLog(ctx, "never-written", 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("ReadLog of an unknown log = %v, %v; want none", got, err)
	}
}

// inbox gathers the messages a subscription receives.
type inbox struct {
	mu   sync.Mutex
	msgs []string
}

func (in *inbox) add(msg []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.msgs = append(in.msgs, string(msg))
}

func (in *inbox) get() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.msgs...)
}

func testKVPubSub(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	ctx := t.Context()
	var onA, onB, otherChannel inbox
	for _, sub := range []struct {
		kv      kv.Store
		channel string
		in      *inbox
	}{{a, "revoked", &onA}, {b, "revoked", &onB}, {b, "elsewhere", &otherChannel}} {
		if err := sub.kv.Subscribe(ctx, sub.channel, sub.in.add); err != nil {
			t.Fatalf("Subscribe(%q): %v", sub.channel, err)
		}
	}
	var want []string
	for i := range 6 {
		msg := fmt.Sprintf("session-%d", i)
		if err := []kv.Store{a, b}[i%2].Publish(ctx, "revoked", []byte(msg)); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		want = append(want, msg)
	}
	if err := a.Publish(ctx, "elsewhere", []byte("marker")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	for name, in := range map[string]*inbox{"subscriber on A": &onA, "subscriber on B": &onB} {
		eventually(t, name+" to receive every message", func() bool { return len(in.get()) >= len(want) })
		got := in.get()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s received %q, want %q", name, got, want)
		}
	}
	eventually(t, "the other channel's message", func() bool { return len(otherChannel.get()) >= 1 })
	if got := otherChannel.get(); len(got) != 1 || got[0] != "marker" {
		t.Fatalf("subscriber of another channel received %q, want only [marker]", got)
	}
}
