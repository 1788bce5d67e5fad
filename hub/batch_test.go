package hub_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

// TestBatchExactlyOnceAndOrder is a property test of the room's batches: random batches of
// fact.add commands mixing new commands, commands refused as invalid, commands refused by the
// state the batch's earlier commands left (a fact id taken), and commands sent again (an id
// acknowledged in an earlier batch, an id earlier in the same batch), on bbolt and on Redis.
// A model decides what each outcome must be. After every batch: each command got the model's
// outcome (a repeat the original's sequence, with Duplicate); and at the end the log holds
// every acknowledged command exactly once, in the order the batches decided them, with no
// record of a refused one, and the room's state equals the log folded again.
func TestBatchExactlyOnceAndOrder(t *testing.T) {
	stores := map[string]func(t *testing.T) hub.Store{
		"bolt":  func(t *testing.T) hub.Store { return openBolt(t) },
		"redis": func(t *testing.T) hub.Store { return openRedis(t, redistest.Start(t).URL()) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(4) {
				checkBatches(t, open(t), seed)
			}
		})
	}
}

// batchModel is what the log must hold after the batches so far.
type batchModel struct {
	head  uint64
	acked map[string]uint64 // command id → the sequence its ack named
	facts []string          // fact ids, in the order they were added
	order []string          // command ids of the log's records, in order
}

func checkBatches(t *testing.T, st hub.Store, seed uint64) {
	ctx := context.Background()
	h := hub.New(hub.Config{Store: st})
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = h.Shutdown(sctx)
	}()
	caseID := fmt.Sprintf("case-%d", seed)
	if _, err := h.Execute(ctx, pChair, caseID, "create", &meeting.CreateCase{ID: caseID, Title: "Batches",
		Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}}}); err != nil {
		t.Fatalf("create case: %v", err)
	}
	m := &batchModel{head: 1, acked: map[string]uint64{"create": 1}, order: []string{"create"}}
	rng := rand.New(rand.NewPCG(seed, 19))
	sent := map[string]hub.BatchCmd{} // every command sent, by id, to send again
	var ids []string
	for round := range 30 {
		n := 1 + rng.IntN(8)
		cmds := make([]hub.BatchCmd, 0, n)
		for i := range n {
			var c hub.BatchCmd
			switch k := rng.IntN(10); {
			case k < 3 && len(ids) > 0: // a command sent again, from this batch or an earlier one
				c = sent[ids[rng.IntN(len(ids))]]
			case k < 5:
				c = hub.BatchCmd{P: pChair, ID: fmt.Sprintf("bad-%d-%d", round, i), Cmd: &meeting.AddFact{ID: fmt.Sprintf("fx%d", i), Text: ""}}
			default: // a fact id from a small pool: taken ids are refused
				c = hub.BatchCmd{P: pChair, ID: fmt.Sprintf("c-%d-%d", round, i), Cmd: &meeting.AddFact{ID: fmt.Sprintf("f%d", rng.IntN(12)), Text: "Een feit."}}
			}
			if _, ok := sent[c.ID]; !ok {
				sent[c.ID] = c
				ids = append(ids, c.ID)
			}
			cmds = append(cmds, c)
		}
		res, errs := hub.RunBatch(ctx, h, caseID, cmds)
		m.check(t, fmt.Sprintf("seed %d batch %d", seed, round), cmds, res, errs)
	}
	recs, err := st.Read(ctx, caseID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, r := range recs {
		if r.Seq != uint64(i)+1 {
			t.Fatalf("seed %d: record %d has sequence %d", seed, i, r.Seq)
		}
		order = append(order, r.CommandID)
	}
	if !slices.Equal(order, m.order) {
		t.Fatalf("seed %d: the log holds commands\n%v\nwant\n%v", seed, order, m.order)
	}
	seq, facts := hub.RoomFacts(ctx, h, caseID)
	state, _, err := h.Load(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var folded []string
	for _, f := range state.Plans.Facts {
		folded = append(folded, f.ID)
	}
	if seq != m.head || state.Seq != m.head || !slices.Equal(facts, m.facts) || !slices.Equal(folded, m.facts) {
		t.Fatalf("seed %d: room at %d with facts %v, log folded at %d with %v; want %d with %v", seed, seq, facts, state.Seq, folded, m.head, m.facts)
	}
}

// check compares a batch's outcomes with the model's and advances the model.
func (m *batchModel) check(t *testing.T, what string, cmds []hub.BatchCmd, res []hub.Result, errs []error) {
	t.Helper()
	type outcome struct {
		seq  uint64
		code meeting.Code // "" when stored
	}
	first := map[string]outcome{} // this batch's first occurrences
	for i, c := range cmds {
		var want outcome
		dup := false
		if seq, ok := m.acked[c.ID]; ok {
			want, dup = outcome{seq: seq}, true
		} else if o, ok := first[c.ID]; ok {
			want, dup = o, o.code == ""
		} else {
			f := c.Cmd.(*meeting.AddFact)
			switch {
			case f.Text == "":
				want.code = meeting.CodeInvalid
			case slices.Contains(m.facts, f.ID):
				want.code = meeting.CodeConflict
			default:
				m.head++
				m.facts = append(m.facts, f.ID)
				m.order = append(m.order, c.ID)
				want.seq = m.head
			}
			first[c.ID] = want
		}
		var got outcome
		if errs[i] != nil {
			var e *meeting.Error
			if !errors.As(errs[i], &e) {
				t.Fatalf("%s: command %d (%s): %v", what, i, c.ID, errs[i])
			}
			got.code = e.Code
		} else {
			got.seq = res[i].Seq
			if res[i].Duplicate != dup {
				t.Fatalf("%s: command %d (%s): Duplicate %v, want %v", what, i, c.ID, res[i].Duplicate, dup)
			}
		}
		if got != want {
			t.Fatalf("%s: command %d (%s): got %+v, want %+v", what, i, c.ID, got, want)
		}
	}
	for id, o := range first {
		if o.code == "" {
			m.acked[id] = o.seq
		}
	}
}
