package hub_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// TestResumeKeepsOnlyRecentEvents: a room keeps a bounded number of recent events for
// resumes, not its case's whole log. A client a few events behind resumes with exactly the
// events it missed; one further behind than the room keeps gets a snapshot (the view) and
// no events, and both see the same state.
func TestResumeKeepsOnlyRecentEvents(t *testing.T) {
	defer hub.SetMaxResumeEvents(hub.SetMaxResumeEvents(10))
	in := startInstance(t, openBolt(t), func(c *hub.Config) { c.CommandRate, c.CommandBurst = 1000, 1000 })
	chair, others := setUpJanna(t, in, pSocial)
	early := others[pSocial.ID].WaitView(0).Seq
	others[pSocial.ID].Close()
	var last uint64
	for i := range 45 { // more than 2 × 10: the oldest were dropped
		last = chair.Must("fact.add", map[string]any{"text": fmt.Sprintf("feit %d", i)})
	}
	if n := hub.RoomEvents(context.Background(), in.hub, "janna"); n > 20 || uint64(n) >= last {
		t.Fatalf("the room keeps %d of %d events, want at most 20", n, last)
	}
	recent := last - 5
	back := dial(t, in, pSocial, "janna", recent)
	if v := back.Expect("view"); v.Seq != last {
		t.Fatalf("view after a short resume at %d, want %d", v.Seq, last)
	}
	var want []uint64
	for s := recent + 1; s <= last; s++ {
		want = append(want, s)
	}
	if got := back.EventSeqs(); !slices.Equal(got, want) {
		t.Fatalf("short resume: events %v, want %v", got, want)
	}
	far := dial(t, in, pNurse, "janna", early)
	if v := far.Expect("view"); v.Seq != last {
		t.Fatalf("view after a long resume at %d, want %d", v.Seq, last)
	}
	if got := far.EventSeqs(); len(got) != 0 {
		t.Fatalf("a resume from %d, beyond the events the room keeps, got events %v; want a snapshot", early, got)
	}
}

// foreignFirst is a bbolt store on which, once armed, another writer appends a fact to the
// case just before the room's next batch of several commands is stored — what another
// instance does when it appends first — so that the batch, already applied to the room's
// state, conflicts and must be undone.
type foreignFirst struct {
	hub.Store
	mu    sync.Mutex
	armed bool
}

func (f *foreignFirst) AppendBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command) ([]hub.AppendResult, error) {
	f.mu.Lock()
	fire := f.armed && len(cmds) > 1
	if fire {
		f.armed = false
	}
	f.mu.Unlock()
	if fire {
		data := fmt.Appendf(nil, `{"seq":%d,"type":"fact.added","at":"2026-12-03T10:00:00Z","actor":"u:elders","fact":{"id":"foreign","text":"Van een andere instantie.","by":"u:elders","at":"2026-12-03T10:00:00Z"}}`, expected+1)
		if _, err := f.Store.AppendBatch(ctx, caseID, expected, []hub.Command{{ID: "foreign", Events: [][]byte{data}}}); err != nil {
			return nil, err
		}
	}
	return f.Store.AppendBatch(ctx, caseID, expected, cmds)
}

// TestBatchUndoneAfterAConflict: a batch of three commands is applied to the room's state
// before it is stored; another writer appends first, so the append conflicts. The room undoes
// the batch by folding its encoded copy of the log again (no store read: the store may be
// what failed), catches up
// with the other writer's record and decides the three again: all three are acknowledged,
// the log holds the other record and then theirs, once each, and the room's state is the log
// folded again.
func TestBatchUndoneAfterAConflict(t *testing.T) {
	st := &foreignFirst{Store: openBolt(t)}
	in := startInstance(t, st, nil)
	setUpJanna(t, in)
	ctx := context.Background()
	st.mu.Lock()
	st.armed = true
	st.mu.Unlock()
	var cmds []hub.BatchCmd
	for i := range 3 {
		cmds = append(cmds, hub.BatchCmd{P: pChair, ID: fmt.Sprintf("b%d", i), Cmd: &meeting.AddFact{ID: fmt.Sprintf("fb%d", i), Text: "Een feit."}})
	}
	_, errs := hub.RunBatch(ctx, in.hub, "janna", cmds)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
	}
	st.mu.Lock()
	fired := !st.armed
	st.mu.Unlock()
	if !fired {
		t.Fatal("the other writer never appended: the batch was not stored as one")
	}
	recs, err := st.Read(ctx, "janna", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	s := meeting.NewState()
	for _, rec := range recs {
		var e meeting.Event
		if err := jsonUnmarshal(rec.Data, &e); err != nil {
			t.Fatal(err)
		}
		s = meeting.Apply(s, e)
		if e.Type == "fact.added" {
			ids = append(ids, rec.CommandID)
		}
	}
	if tail := ids[len(ids)-4:]; !slices.Equal(tail, []string{"foreign", "b0", "b1", "b2"}) {
		t.Fatalf("the log's last facts came from %v, want the other writer's, then b0, b1, b2", tail)
	}
	seq, facts := hub.RoomFacts(ctx, in.hub, "janna")
	var want []string
	for _, f := range s.Plans.Facts {
		want = append(want, f.ID)
	}
	if seq != uint64(len(recs)) || !slices.Equal(facts, want) {
		t.Fatalf("room at %d with facts %v; the log folded again is at %d with %v", seq, facts, len(recs), want)
	}
}
