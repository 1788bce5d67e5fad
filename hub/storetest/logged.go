package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// testBatchLogged: a store that writes KV log entries with a batch of events
// (hub.LogAppender) makes a write only together with an append, only at its sequence, and says
// truly which it made. A store that is not a LogAppender or a kv.Store has nothing to check.
func testBatchLogged(t *testing.T, open func() hub.Store) {
	s := open()
	la, ok1 := s.(hub.LogAppender)
	kvs, ok2 := s.(kv.Store)
	if !ok1 || !ok2 {
		t.Logf("%T writes no KV log with its events", s)
		return
	}
	ctx := t.Context()
	logA, logB := "bl-a-"+randomHex(4), "bl-b-"+randomHex(4)
	if _, err := kvs.AppendLog(ctx, logB, []byte("b1")); err != nil {
		t.Fatal(err)
	}
	entries := func(name string, n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = fmt.Appendf(nil, "%s-%d", name, i)
		}
		return out
	}
	// The batch appends; logA is empty (write at 1 fits), logB holds one entry (a write at 1
	// does not fit).
	writes := []kv.LogWrite{{Name: logA, Seq: 1, Entries: entries("a", 2)}, {Name: logB, Seq: 1, Entries: entries("b", 1)}}
	res, written, err := la.AppendBatchLogged(ctx, "case-bl", 0, batch([]string{"l1", "l2"}, []int{1, 2}), writes)
	if err != nil {
		t.Fatalf("AppendBatchLogged: %v", err)
	}
	checkResults(t, "logged batch", res, []hub.AppendResult{{First: 1, Last: 1}, {First: 2, Last: 3}})
	if len(written) != 2 {
		t.Fatalf("written = %v, want one flag per write", written)
	}
	t.Logf("%T made the fitting write: %v", s, written[0]) // a Cluster cannot (slots)
	if written[1] {
		t.Fatalf("a write at sequence 1 to a log holding one entry was reported made")
	}
	checkLog(t, kvs, logA, written[0], entries("a", 2))
	checkLog(t, kvs, logB, true, [][]byte{[]byte("b1")})
	if h := mustHead(t, s, "case-bl"); h != 3 {
		t.Fatalf("head = %d, want 3", h)
	}
	// A write whose log moved on may be relinked onto the log's end (a store that links in
	// its transaction does; one that cannot makes no such write).
	logD := "bl-d-" + randomHex(4)
	if _, err := kvs.AppendLog(ctx, logD, []byte("d1")); err != nil {
		t.Fatal(err)
	}
	var sawLast kv.Entry
	relink := kv.LogWrite{Name: logD, Seq: 1, Entries: entries("stale", 1), Relink: func(last kv.Entry) [][]byte {
		sawLast = kv.Entry{Seq: last.Seq, Data: append([]byte(nil), last.Data...)}
		return [][]byte{[]byte("relinked")}
	}}
	_, written, err = la.AppendBatchLogged(ctx, "case-bl", 3, batch([]string{"l4"}, []int{1}), []kv.LogWrite{relink})
	if err != nil {
		t.Fatalf("AppendBatchLogged with a relink: %v", err)
	}
	t.Logf("%T relinked: %v", s, written[0])
	if written[0] {
		if sawLast.Seq != 1 || string(sawLast.Data) != "d1" {
			t.Fatalf("Relink was given %d %q, want the log's last entry 1 %q", sawLast.Seq, sawLast.Data, "d1")
		}
		checkLog(t, kvs, logD, true, [][]byte{[]byte("d1"), []byte("relinked")})
	} else {
		checkLog(t, kvs, logD, true, [][]byte{[]byte("d1")})
	}
	// A stale expected appends nothing and writes nothing.
	logC := "bl-c-" + randomHex(4)
	_, written, err = la.AppendBatchLogged(ctx, "case-bl", 1, batch([]string{"l3"}, []int{1}), []kv.LogWrite{{Name: logC, Seq: 1, Entries: entries("c", 1)}})
	if !errors.Is(err, hub.ErrConflict) {
		t.Fatalf("stale expected: err = %v, want ErrConflict", err)
	}
	if len(written) > 0 && written[0] {
		t.Fatalf("a conflicting append reported its log write made")
	}
	checkLog(t, kvs, logC, false, nil)
	// A batch of duplicates appends nothing and writes nothing new.
	res, written, err = la.AppendBatchLogged(ctx, "case-bl", 4, batch([]string{"l1"}, []int{1}), []kv.LogWrite{{Name: logC, Seq: 1, Entries: entries("c", 1)}})
	if err != nil || len(res) != 1 || !res[0].Duplicate {
		t.Fatalf("duplicate batch: %+v, %v", res, err)
	}
	if written[0] {
		t.Fatalf("a batch of duplicates reported its log write made")
	}
	checkLog(t, kvs, logC, false, nil)
}

// checkLog fails unless log name holds exactly want (present) or nothing (!present).
func checkLog(t *testing.T, s kv.Store, name string, present bool, want [][]byte) {
	t.Helper()
	got, err := s.ReadLog(t.Context(), name, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !present {
		if len(got) != 0 {
			t.Fatalf("log %s holds %d entries, want none", name, len(got))
		}
		return
	}
	if len(got) != len(want) {
		t.Fatalf("log %s holds %d entries, want %d", name, len(got), len(want))
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || string(e.Data) != string(want[i]) {
			t.Fatalf("log %s entry %d = %d %q, want %d %q", name, i, e.Seq, e.Data, i+1, want[i])
		}
	}
}
