package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// testDeleteCase: DeleteCase removes a case's records, command ids and presence, on every
// instance, and leaves other cases alone.
func testDeleteCase(t *testing.T, open func() hub.Store) {
	a, b := open(), open()
	ctx := t.Context()
	gone := buildLog(t, a, "case-gone", 2, 1)
	kept := buildLog(t, a, "case-kept", 3)
	for _, c := range []string{"case-gone", "case-kept"} {
		if err := a.SetPresence(ctx, c, "conn-"+c, []byte(c), time.Hour); err != nil {
			t.Fatalf("SetPresence: %v", err)
		}
	}
	if err := b.DeleteCase(ctx, "case-gone"); err != nil {
		t.Fatalf("DeleteCase: %v", err)
	}
	for _, s := range []hub.Store{a, b} {
		if recs := mustRead(t, s, "case-gone", 0, 0); len(recs) != 0 {
			t.Fatalf("Read after DeleteCase = %d records, want none", len(recs))
		}
		if h := mustHead(t, s, "case-gone"); h != 0 {
			t.Fatalf("Head after DeleteCase = %d, want 0", h)
		}
		if p, err := s.Presence(ctx, "case-gone"); err != nil || len(p) != 0 {
			t.Fatalf("Presence after DeleteCase = %q, %v; want none", p, err)
		}
		checkRecords(t, "the other case", mustRead(t, s, "case-kept", 0, 0), kept)
		if p, err := s.Presence(ctx, "case-kept"); err != nil || len(p) != 1 {
			t.Fatalf("Presence of the other case = %q, %v; want its entry", p, err)
		}
	}
	// The command ids went too: the old id is not a duplicate of a record that is gone. (A
	// sealed store refuses any append to a deleted case: its key is destroyed for good.)
	res, err := a.Append(ctx, "case-gone", 0, "case-gone-cmd-0", evs("again", 1))
	switch {
	case errors.Is(err, sealedstore.ErrDestroyed):
	case err != nil:
		t.Fatalf("append after DeleteCase: %v", err)
	case res.Duplicate || res.First != 1:
		t.Fatalf("append after DeleteCase = %+v, want a fresh first record (the old %d are gone)", res, len(gone))
	}
	if err := a.DeleteCase(ctx, "never-there"); err != nil {
		t.Fatalf("DeleteCase of an unknown case: %v", err)
	}
}

func testKVDeleteBucket(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	ctx := t.Context()
	kvPut(t, a, "case-members:x", "k1", "v1")
	kvPutIfAbsent(t, a, "case-members:x", "k2", "v2", time.Hour)
	kvPut(t, a, "case-members:y", "k1", "other")
	if err := b.DeleteBucket(ctx, "case-members:x"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if got := kvList(t, a, "case-members:x"); len(got) != 0 {
		t.Fatalf("List after DeleteBucket = %q, want empty", got)
	}
	if _, ok := kvGet(t, a, "case-members:x", "k2"); ok {
		t.Fatal("Get after DeleteBucket found the key")
	}
	if v, ok := kvGet(t, b, "case-members:y", "k1"); !ok || v != "other" {
		t.Fatalf("the other bucket: %q, %v", v, ok)
	}
	if err := a.DeleteBucket(ctx, "never-there"); err != nil {
		t.Fatalf("DeleteBucket of an absent bucket: %v", err)
	}
	// The bucket can be used again.
	if !kvPutIfAbsent(t, a, "case-members:x", "k2", "new", 0) {
		t.Fatal("PutIfAbsent after DeleteBucket lost")
	}
}

// testKVLogAt: AppendLogAt appends only after the expected entry, so of two instances that
// both read the same last entry exactly one appends; LastLog is the last entry.
func testKVLogAt(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	ctx := t.Context()
	if e, err := a.LastLog(ctx, "chain"); err != nil || e.Seq != 0 {
		t.Fatalf("LastLog of an empty log = %+v, %v", e, err)
	}
	if err := a.AppendLogAt(ctx, "chain", 2, [][]byte{[]byte("x")}); !errors.Is(err, kv.ErrConflict) {
		t.Fatalf("AppendLogAt(2) on an empty log: %v, want ErrConflict", err)
	}
	if err := a.AppendLogAt(ctx, "chain", 1, [][]byte{[]byte("one")}); err != nil {
		t.Fatalf("AppendLogAt(1): %v", err)
	}
	if err := b.AppendLogAt(ctx, "chain", 1, [][]byte{[]byte("again")}); !errors.Is(err, kv.ErrConflict) {
		t.Fatalf("a second AppendLogAt(1): %v, want ErrConflict", err)
	}
	// Racing appenders: each reads the last entry and appends after it; every sequence is
	// taken once, by exactly one of them.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[uint64]string{}
	for w, s := range []kv.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 10; {
				last, err := s.LastLog(ctx, "chain")
				if err != nil {
					t.Errorf("LastLog: %v", err)
					return
				}
				data := fmt.Sprintf("w%d-%d", w, n)
				err = s.AppendLogAt(ctx, "chain", last.Seq+1, [][]byte{[]byte(data)})
				if errors.Is(err, kv.ErrConflict) {
					continue
				}
				if err != nil {
					t.Errorf("AppendLogAt: %v", err)
					return
				}
				mu.Lock()
				if prev, dup := won[last.Seq+1]; dup {
					t.Errorf("sequence %d taken twice (%s, %s)", last.Seq+1, prev, data)
				}
				won[last.Seq+1] = data
				mu.Unlock()
				n++
			}
		}()
	}
	wg.Wait()
	got, err := b.ReadLog(ctx, "chain", 0, 0)
	if err != nil || len(got) != 41 {
		t.Fatalf("ReadLog = %d entries, %v; want 41", len(got), err)
	}
	for _, e := range got[1:] {
		if string(e.Data) != won[e.Seq] {
			t.Fatalf("entry %d = %q, want %q", e.Seq, e.Data, won[e.Seq])
		}
	}
	if e, err := a.LastLog(ctx, "chain"); err != nil || e.Seq != 41 || string(e.Data) != won[41] {
		t.Fatalf("LastLog = %+v, %v; want entry 41", e, err)
	}
	// AppendLog goes on after AppendLogAt, and the other way round.
	if seq, err := a.AppendLog(ctx, "chain", []byte("plain")); err != nil || seq != 42 {
		t.Fatalf("AppendLog after AppendLogAt = %d, %v; want 42", seq, err)
	}
	if err := b.AppendLogAt(ctx, "chain", 43, [][]byte{[]byte("l1"), []byte("l2"), []byte("l3")}); err != nil {
		t.Fatalf("AppendLogAt(43) after AppendLog: %v", err)
	}
	if got, err := a.ReadLog(ctx, "chain", 42, 0); err != nil || len(got) != 3 || got[2].Seq != 45 || string(got[2].Data) != "l3" {
		t.Fatalf("ReadLog after appending three at once = %v, %v", got, err)
	}
	if seq, err := a.AppendLog(ctx, "chain", []byte("plain")); err != nil || seq != 46 {
		t.Fatalf("AppendLog after three at once = %d, %v; want 46", seq, err)
	}
}

// testKVTrimLog: TrimLog removes the oldest entries but never the last, and the log goes on
// after it.
func testKVTrimLog(t *testing.T, open func() kv.Store) {
	a, b := open(), open()
	ctx := t.Context()
	for i := range 5 {
		if _, err := a.AppendLog(ctx, "old", fmt.Appendf(nil, "e%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.TrimLog(ctx, "old", 2); err != nil {
		t.Fatalf("TrimLog(2): %v", err)
	}
	got, err := a.ReadLog(ctx, "old", 0, 0)
	if err != nil || len(got) != 3 || got[0].Seq != 3 {
		t.Fatalf("ReadLog after TrimLog(2) = %v, %v; want entries 3–5", got, err)
	}
	if err := b.TrimLog(ctx, "old", 99); err != nil {
		t.Fatalf("TrimLog(99): %v", err)
	}
	got, err = a.ReadLog(ctx, "old", 0, 0)
	if err != nil || len(got) != 1 || got[0].Seq != 5 || string(got[0].Data) != "e5" {
		t.Fatalf("ReadLog after TrimLog past the end = %v, %v; want only the last entry", got, err)
	}
	if seq, err := b.AppendLog(ctx, "old", []byte("e6")); err != nil || seq != 6 {
		t.Fatalf("AppendLog after trimming = %d, %v; want 6", seq, err)
	}
	if err := a.AppendLogAt(ctx, "old", 7, [][]byte{[]byte("e7")}); err != nil {
		t.Fatalf("AppendLogAt(7) after trimming: %v", err)
	}
	if err := a.TrimLog(ctx, "never-written", 10); err != nil {
		t.Fatalf("TrimLog of an unknown log: %v", err)
	}
}
