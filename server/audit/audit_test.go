package audit_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.uber.org/goleak"

	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openBolt(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func entry(principal, caseID, action string) audit.Entry {
	return audit.Entry{PrincipalID: principal, Name: "Carla", Role: "chair", Organisation: "VT", CaseID: caseID, Object: "case",
		Action: action, Outcome: audit.OutcomeGranted, Addr: "192.0.2.1", Authority: "case member (chair)", Channel: "ws"}
}

func verify(t *testing.T, store kv.Store, name string) audit.Report {
	t.Helper()
	r, err := audit.Verify(context.Background(), store, name)
	if err != nil {
		t.Fatalf("Verify(%s): %v", name, err)
	}
	return r
}

func TestRecordGoesToGlobalAndCaseLog(t *testing.T) {
	st := openBolt(t, filepath.Join(t.TempDir(), "tafel.db"))
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := audit.New(st, audit.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	e := entry("u:1", "c1", audit.ActionRead)
	if err := l.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	e.CaseID = ""
	if err := l.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	g, _ := l.Global(ctx, 0, 0)
	c, _ := l.Case(ctx, "c1", 0, 0)
	if len(g) != 2 || len(c) != 1 {
		t.Fatalf("got %d global and %d case entries, want 2 and 1", len(g), len(c))
	}
	if !c[0].Time.Equal(now) || c[0].Seq != 1 || c[0].Channel != "ws" || c[0].Hash == "" || c[0].Prev != "" {
		t.Errorf("got %+v, want time set by the clock, seq 1, a hash and no prev", c[0])
	}
	if g[1].Prev != g[0].Hash {
		t.Errorf("entry 2 links to %q, want the hash of entry 1 (%q)", g[1].Prev, g[0].Hash)
	}
	for i, bad := range []audit.Entry{{Object: "x", Outcome: "granted", Authority: "a"}, {Action: "read", Outcome: "granted", Authority: "a"},
		{Action: "read", Object: "x", Authority: "a"}, {Action: "read", Object: "x", Outcome: "granted"}} {
		if err := l.Record(ctx, bad); err == nil {
			t.Errorf("incomplete entry %d: got nil error", i)
		}
	}
}

// TestChainAcrossInstances: two instances writing the same logs at once keep one chain.
func TestChainAcrossInstances(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tafel.db")
	a, b := audit.New(openBolt(t, path), audit.Options{}), audit.New(openBolt(t, path), audit.Options{})
	var wg sync.WaitGroup
	for w, l := range []*audit.Log{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := l.Record(context.Background(), entry(fmt.Sprintf("u:%d", w), fmt.Sprintf("c%d", i%3), audit.ActionRead)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	st := openBolt(t, path)
	if r := verify(t, st, audit.GlobalLog); !r.OK() || r.Entries != 100 {
		t.Fatalf("global log: %+v, want 100 whole entries", r)
	}
	for i := range 3 {
		if r := verify(t, st, audit.CaseLog(fmt.Sprintf("c%d", i))); !r.OK() || r.Entries < 32 {
			t.Fatalf("case log c%d: %+v", i, r)
		}
	}
}

// tamper changes the stored bytes of entry seq of log name in the bbolt file at path (the
// store must be closed), as someone with access to the file could.
func tamper(t *testing.T, path, name string, seq uint64, change func([]byte) []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("logs")).Bucket([]byte(name))
		k := binary.BigEndian.AppendUint64(nil, seq)
		if v := b.Get(k); v != nil {
			next := change(append([]byte(nil), v...))
			if next == nil {
				return b.Delete(k)
			}
			return b.Put(k, next)
		}
		return fmt.Errorf("no entry %d", seq)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVerifyNamesTheTamperedEntry: a changed entry, a removed one, and a changed entry whose
// hash was recomputed are each found, at the first entry that no longer fits.
func TestVerifyNamesTheTamperedEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func([]byte) []byte
		broken uint64
		reason string
	}{
		{"changed", func(b []byte) []byte {
			return []byte(strings.Replace(string(b), `"action":"read"`, `"action":"list"`, 1))
		}, 5, "content does not match"},
		{"removed", func([]byte) []byte { return nil }, 6, "entries 5 to 5 are missing"},
		{"rehashed", func(b []byte) []byte {
			s := strings.Replace(string(b), `"name":"Carla"`, `"name":"Niemand"`, 1)
			i := strings.LastIndex(s, `,"hash":`)
			body := s[:i] + "}"
			var prev struct{ Prev string }
			_ = json.Unmarshal([]byte(body), &prev)
			return []byte(audit.Relink(prev.Prev, body))
		}, 6, "prev does not match the hash of entry 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tafel.db")
			st, err := boltstore.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			l := audit.New(st, audit.Options{})
			for range 8 {
				if err := l.Record(context.Background(), entry("u:1", "c1", audit.ActionRead)); err != nil {
					t.Fatal(err)
				}
			}
			if r := verify(t, st, audit.GlobalLog); !r.OK() || r.Entries != 8 {
				t.Fatalf("before: %+v", r)
			}
			_ = st.Close()
			tamper(t, path, audit.GlobalLog, 5, tc.change)
			st = openBolt(t, path)
			r := verify(t, st, audit.GlobalLog)
			if r.Broken != tc.broken || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got %+v, want entry %d broken (%s)", r, tc.broken, tc.reason)
			}
			if r := verify(t, st, audit.CaseLog("c1")); !r.OK() {
				t.Fatalf("the case's log was not touched: %+v", r)
			}
		})
	}
}

// TestTrimKeepsTheChain: the log's retention removes old entries, never the last, and the
// chain verifies from its anchor; appends go on after it.
func TestTrimKeepsTheChain(t *testing.T) {
	st := openBolt(t, filepath.Join(t.TempDir(), "tafel.db"))
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := audit.New(st, audit.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 10 {
		now = now.Add(24 * time.Hour)
		if err := l.Record(ctx, entry("u:1", "c1", fmt.Sprint("read", i))); err != nil {
			t.Fatal(err)
		}
	}
	n, err := audit.Trim(ctx, st, audit.GlobalLog, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 3 {
		t.Fatalf("Trim = %d, %v; want 3 (2 to 4 March)", n, err)
	}
	r := verify(t, st, audit.GlobalLog)
	if !r.OK() || r.Entries != 7 || r.Anchor == nil || r.Anchor.Seq != 3 {
		t.Fatalf("after Trim: %+v", r)
	}
	if n, err := audit.Trim(ctx, st, audit.GlobalLog, now.Add(time.Hour)); err != nil || n != 6 {
		t.Fatalf("Trim of everything = %d, %v; want 6 (the last stays)", n, err)
	}
	if err := l.Record(ctx, entry("u:1", "", "later")); err != nil {
		t.Fatal(err)
	}
	if r := verify(t, st, audit.GlobalLog); !r.OK() || r.Entries != 2 || r.Anchor.Seq != 9 {
		t.Fatalf("after trimming all but the last and appending: %+v", r)
	}
}

// TestNamesOfADeletedCase: an invitee's name is sealed with their case's key; the entry
// survives the case's deletion, still verifies, and reads with the case's pseudonym.
func TestNamesOfADeletedCase(t *testing.T) {
	dir := t.TempDir()
	b := openBolt(t, filepath.Join(dir, "tafel.db"))
	keys, err := sealedstore.OpenFileKeys(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := sealedstore.ParseMasterKeys(strings.Repeat("11", 32))
	st, err := sealedstore.New(context.Background(), b, sealedstore.Options{Keys: keys, Master: m})
	if err != nil {
		t.Fatal(err)
	}
	l := audit.New(st, audit.Options{Names: st, Pseudonym: func(_ context.Context, c string) string { return "casus-P" + c }})
	ctx := context.Background()
	mother := entry("i:inv1", "c1", audit.ActionRead)
	mother.Name = "Moeder Sanne"
	if err := l.Record(ctx, mother); err != nil {
		t.Fatal(err)
	}
	other := entry("i:inv2", "c2", audit.ActionRead)
	other.Name = "Vader Kees"
	if err := l.Record(ctx, other); err != nil {
		t.Fatal(err)
	}
	raw, _ := st.ReadLog(ctx, audit.CaseLog("c1"), 0, 0)
	if strings.Contains(string(raw[0].Data), "Sanne") {
		t.Fatalf("the invitee's name is stored in plain text: %s", raw[0].Data)
	}
	if g, _ := l.Global(ctx, 0, 0); g[0].Name != "Moeder Sanne" || g[1].Name != "Vader Kees" {
		t.Fatalf("names before deletion: %q, %q", g[0].Name, g[1].Name)
	}
	if err := st.DeleteCase(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	g, _ := l.Global(ctx, 0, 0)
	if g[0].Name != "casus-Pc1" || !g[0].Pseudonymised || g[1].Name != "Vader Kees" {
		t.Fatalf("after deletion: %+v / %+v", g[0], g[1])
	}
	for _, name := range []string{audit.GlobalLog, audit.CaseLog("c1")} {
		if r := verify(t, st, name); !r.OK() {
			t.Fatalf("%s after deletion: %+v", name, r)
		}
	}
	_ = st.Close()
}
