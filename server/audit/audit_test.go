package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// memLogs is a minimal append-only log pair for exercising the encoding; the server's tests
// run the Log on the real bbolt and Redis stores.
type memLogs struct {
	mu   sync.Mutex
	logs map[string][][]byte
}

func (m *memLogs) append(_ context.Context, names []string, data []byte) ([]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seqs := make([]uint64, len(names))
	for i, name := range names {
		m.logs[name] = append(m.logs[name], data)
		seqs[i] = uint64(len(m.logs[name]))
	}
	return seqs, nil
}

func (m *memLogs) read(_ context.Context, name string, after uint64, limit int) ([]uint64, [][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var seqs []uint64
	var data [][]byte
	for i, d := range m.logs[name] {
		if uint64(i+1) > after && (limit <= 0 || len(data) < limit) {
			seqs, data = append(seqs, uint64(i+1)), append(data, d)
		}
	}
	return seqs, data, nil
}

func TestRecordGoesToGlobalAndCaseLog(t *testing.T) {
	m := &memLogs{logs: map[string][][]byte{}}
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := audit.New(m.append, m.read, func() time.Time { return now })
	ctx := context.Background()
	e := audit.Entry{PrincipalID: "u:1", Name: "Carla", Role: "chair", Organisation: "VT", CaseID: "c1", Object: "case",
		Action: audit.ActionRead, Outcome: audit.OutcomeGranted, Addr: "192.0.2.1", Authority: "case member (chair)", Channel: "ws"}
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
	if !c[0].Time.Equal(now) || c[0].Seq != 1 || c[0].Channel != "ws" {
		t.Errorf("got %+v, want time set by the clock and seq 1", c[0])
	}
	for i, bad := range []audit.Entry{{Object: "x", Outcome: "granted", Authority: "a"}, {Action: "read", Outcome: "granted", Authority: "a"},
		{Action: "read", Object: "x", Authority: "a"}, {Action: "read", Object: "x", Outcome: "granted"}} {
		if err := l.Record(ctx, bad); err == nil {
			t.Errorf("incomplete entry %d: got nil error", i)
		}
	}
	m.logs = map[string][][]byte{}
	if err := l.Record(ctx, audit.Entry{Action: "read", Object: "x", Outcome: "granted", Authority: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(len(m.logs[audit.GlobalLog])); got != "1" {
		t.Errorf("got %s global entries, want 1", got)
	}
}
