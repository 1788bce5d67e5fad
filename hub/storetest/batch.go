package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// batch is the commands named ids, cmd i with sizes[i] events.
func batch(ids []string, sizes []int) []hub.Command {
	out := make([]hub.Command, len(ids))
	for i, id := range ids {
		out[i] = hub.Command{ID: id, Events: evs(id, sizes[i])}
	}
	return out
}

func mustAppendBatch(t *testing.T, s hub.Store, caseID string, expected uint64, cmds []hub.Command) []hub.AppendResult {
	t.Helper()
	res, err := s.AppendBatch(t.Context(), caseID, expected, cmds)
	if err != nil {
		t.Fatalf("AppendBatch(%q, %d, %d commands): %v", caseID, expected, len(cmds), err)
	}
	if len(res) != len(cmds) {
		t.Fatalf("AppendBatch(%q, %d, %d commands): %d results", caseID, expected, len(cmds), len(res))
	}
	return res
}

func checkResults(t *testing.T, what string, got, want []hub.AppendResult) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: results %+v, want %+v", what, got, want)
	}
}

// testBatchAppend: the commands of a batch land in order, one after another, each with its
// own result and its records under its own id; a follower sees them like any append's.
func testBatchAppend(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-ba", 2)
	res := mustAppendBatch(t, s, "case-ba", 2, batch([]string{"b1", "b2", "b3"}, []int{1, 3, 2}))
	checkResults(t, "batch", res, []hub.AppendResult{{First: 3, Last: 3}, {First: 4, Last: 6}, {First: 7, Last: 8}})
	for _, c := range []struct {
		id string
		n  int
	}{{"b1", 1}, {"b2", 3}, {"b3", 2}} {
		for j := range c.n {
			want = append(want, hub.Record{Seq: uint64(len(want)) + 1, CommandID: c.id, Data: ev(c.id, j)})
		}
	}
	checkRecords(t, "Read after the batch", mustRead(t, s, "case-ba", 0, 0), want)
	if h := mustHead(t, open(), "case-ba"); h != 8 {
		t.Fatalf("Head after the batch = %d, want 8", h)
	}
	// A single Append follows a batch like any other.
	if r := mustAppend(t, s, "case-ba", 8, "after", evs("after", 1)); r != (hub.AppendResult{First: 9, Last: 9}) {
		t.Fatalf("append after the batch: %+v", r)
	}
}

// testBatchDuplicates: exactly-once per command id inside a batch and across batches.
func testBatchDuplicates(t *testing.T, open func() hub.Store) {
	s := open()
	// A repeated id inside one batch appends once; the repeat returns the first's result.
	res := mustAppendBatch(t, s, "case-bd", 0, batch([]string{"x", "y", "x"}, []int{2, 1, 3}))
	checkResults(t, "batch with a repeat", res, []hub.AppendResult{{First: 1, Last: 2}, {First: 3, Last: 3}, {First: 1, Last: 2, Duplicate: true}})
	want := mustRead(t, s, "case-bd", 0, 0)
	if len(want) != 3 {
		t.Fatalf("a batch with a repeated id stored %d records, want 3", len(want))
	}
	// A batch of ids appended before returns the originals whatever expected is, from any
	// instance, and appends nothing.
	for _, expected := range []uint64{0, 3, 9} {
		res = mustAppendBatch(t, open(), "case-bd", expected, batch([]string{"y", "x", "y"}, []int{4, 4, 4}))
		checkResults(t, fmt.Sprintf("batch of duplicates at %d", expected), res,
			[]hub.AppendResult{{First: 3, Last: 3, Duplicate: true}, {First: 1, Last: 2, Duplicate: true}, {First: 3, Last: 3, Duplicate: true}})
		checkRecords(t, "log after a batch of duplicates", mustRead(t, s, "case-bd", 0, 0), want)
	}
	// A batch mixing an id appended before with new ones appends nothing: conflict.
	if res, err := s.AppendBatch(t.Context(), "case-bd", 3, batch([]string{"z", "x"}, []int{1, 1})); !errors.Is(err, hub.ErrConflict) {
		t.Fatalf("batch mixing a duplicate and a new command: got %+v, %v; want ErrConflict", res, err)
	}
	checkRecords(t, "log after a mixed batch", mustRead(t, s, "case-bd", 0, 0), want)
	// The new command of the refused batch was not recorded: it appends afterwards.
	res = mustAppendBatch(t, s, "case-bd", 3, batch([]string{"z"}, []int{1}))
	checkResults(t, "retry without the duplicate", res, []hub.AppendResult{{First: 4, Last: 4}})
	if r := mustAppend(t, s, "case-bd", 0, "z", evs("z", 2)); r != (hub.AppendResult{First: 4, Last: 4, Duplicate: true}) {
		t.Fatalf("single append of an id a batch appended: %+v", r)
	}
}

// testBatchConflict: a stale expected refuses the whole batch; nothing of it is recorded.
func testBatchConflict(t *testing.T, open func() hub.Store) {
	s := open()
	want := buildLog(t, s, "case-bc", 1, 1)
	for _, expected := range []uint64{0, 1, 3} {
		res, err := s.AppendBatch(t.Context(), "case-bc", expected, batch([]string{"p", "q"}, []int{1, 2}))
		if !errors.Is(err, hub.ErrConflict) {
			t.Fatalf("batch at %d on head 2: got %+v, %v; want ErrConflict", expected, res, err)
		}
	}
	checkRecords(t, "log after conflicting batches", mustRead(t, s, "case-bc", 0, 0), want)
	res := mustAppendBatch(t, s, "case-bc", 2, batch([]string{"p", "q"}, []int{1, 2}))
	checkResults(t, "batch after conflicts", res, []hub.AppendResult{{First: 3, Last: 3}, {First: 4, Last: 5}})
	// Malformed batches are refused and record nothing.
	for name, cmds := range map[string][]hub.Command{
		"no commands":          nil,
		"a command without id": {{ID: "", Events: evs("a", 1)}},
		"a command no events":  {{ID: "r", Events: evs("r", 1)}, {ID: "s"}},
	} {
		if _, err := s.AppendBatch(t.Context(), "case-bc", 5, cmds); err == nil {
			t.Fatalf("%s: got no error", name)
		}
	}
	if h := mustHead(t, s, "case-bc"); h != 5 {
		t.Fatalf("Head after malformed batches = %d, want 5", h)
	}
}

// testBatchFollow: a follower receives a batch's records in order, exactly once.
func testBatchFollow(t *testing.T, open func() hub.Store) {
	s, f := open(), open()
	got := make(chan []hub.Record, 16)
	if err := f.Follow(t.Context(), "case-bf", 0, func(recs []hub.Record) { got <- recs }); err != nil {
		t.Fatalf("Follow: %v", err)
	}
	mustAppendBatch(t, s, "case-bf", 0, batch([]string{"f1", "f2"}, []int{2, 1}))
	mustAppendBatch(t, s, "case-bf", 3, batch([]string{"f3"}, []int{1}))
	var all []hub.Record
	eventually(t, "4 followed records", func() bool {
		for {
			select {
			case recs := <-got:
				all = append(all, recs...)
				continue
			default:
			}
			return len(all) >= 4
		}
	})
	checkRecords(t, "followed", all, mustRead(t, s, "case-bf", 0, 0))
	if all[1].CommandID != "f1" || all[2].CommandID != "f2" || all[3].CommandID != "f3" {
		t.Fatalf("followed records have command ids %q %q %q", all[1].CommandID, all[2].CommandID, all[3].CommandID)
	}
}
