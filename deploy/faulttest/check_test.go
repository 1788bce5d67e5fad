package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
)

// figures add up what the checks saw.
type figures struct {
	acked, duplicateAcks, nacked, refused int
	connects, closes4002, closesAbnormal  int
	events                                int
	closes                                map[int]int // close codes seen by participants
}

// logEvent is what the checks need of a stored event.
type logEvent struct {
	Seq        uint64 `json:"seq"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	Visibility string `json:"visibility"`
}

// readLog reads the whole log of a case straight from Redis.
func readLog(ctx context.Context, top *topology, caseID string) ([]hub.Record, error) {
	st, err := redisstore.New(ctx, top.storeOptions())
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Read(ctx, caseID, 0, 0)
}

// check waits until every participant holds the head of its case's log, then checks the
// promises of a fault test, failing the test with everything that does not hold:
//
//   - the log has sequences 1…n, and every command's events are one append, with event ids
//     <commandId>:0…k-1 (exactly once);
//   - every acknowledged command is in the log, and its ack carries the sequence of its last
//     event; no refused command is in it;
//   - every participant ends with the same view as the others of its audience, at the head;
//   - every participant's stream of events and views has no gap, duplicate or step back for its
//     audience, and nothing else went wrong on its connection.
func check(ctx context.Context, t *testing.T, w *world, label string) figures {
	t.Helper()
	fig := figures{closes: map[int]int{}}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, mc := range w.cases {
		recs, err := readLog(ctx, w.top, mc.id)
		if err != nil {
			t.Fatalf("%s: read log of case %d: %v", label, mc.n, err)
		}
		head := uint64(len(recs))
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second) // a safety net, not a timing claim
		for _, p := range mc.people {
			if err := p.waitView(wctx, head); err != nil {
				fail("case %d: %v", mc.n, err)
			}
		}
		cancel()

		events, byCmd, logErrs := decodeLog(recs)
		for _, e := range logErrs {
			fail("case %d log: %s", mc.n, e)
		}
		visible := map[bool][]uint64{}
		for _, e := range events {
			visible[true] = append(visible[true], e.Seq)
			if e.Visibility == "all" {
				visible[false] = append(visible[false], e.Seq)
			}
		}
		views := map[bool][]byte{}
		viewOwner := map[bool]string{}
		for _, p := range mc.people {
			s := p.snapshot()
			fig.connects += s.connects
			fig.closes4002 += s.closes[4002]
			fig.closesAbnormal += s.closes[1006]
			for k, v := range s.closes {
				fig.closes[k] += v
			}
			fig.events += len(s.stream)
			for _, pr := range s.problems {
				fail("case %d %s: %s", mc.n, p.name, pr)
			}
			for _, c := range s.cmds {
				fig.nacked += len(c.nacks)
				seqs := byCmd[c.ID]
				switch {
				case c.acked:
					fig.acked++
					if c.duplicate {
						fig.duplicateAcks++
					}
					if len(seqs) == 0 {
						fail("case %d: acknowledged command %s (%s, ack seq %d) is not in the log", mc.n, c.ID, c.Kind, c.ackSeq)
					} else if last := seqs[len(seqs)-1]; last != c.ackSeq {
						fail("case %d: command %s acknowledged with seq %d, its last event is %d", mc.n, c.ID, c.ackSeq, last)
					}
				case c.refusal != "":
					fig.refused++
					if len(seqs) > 0 {
						fail("case %d: command %s was refused (%s) but is in the log at %v", mc.n, c.ID, c.refusal, seqs)
					}
				default:
					fail("case %d: command %s (%s) of %s has no answer", mc.n, c.ID, c.Kind, p.name)
				}
			}
			if s.viewSeq != head {
				fail("case %d %s: last view at seq %d, log head %d", mc.n, p.name, s.viewSeq, head)
			}
			aud := p.professional()
			if views[aud] == nil {
				views[aud], viewOwner[aud] = s.view, p.name
			} else if !sameJSON(views[aud], s.view) { // patched views are re-encoded: compare values
				fail("case %d: %s and %s end with different views:\n%s\n%s", mc.n, viewOwner[aud], p.name, views[aud], s.view)
			}
			for _, e := range checkStream(s.stream, visible[aud]) {
				fail("case %d %s: %s", mc.n, p.name, e)
			}
		}
	}
	if len(errs) > 0 {
		if len(errs) > 40 {
			errs = append(errs[:40], fmt.Sprintf("… and %d more", len(errs)-40))
		}
		t.Fatalf("%s:\n%s", label, strings.Join(errs, "\n"))
	}
	return fig
}

// decodeLog decodes the events of a log, checks that the log is 1…n and that each command's
// events are one append, and returns the sequences of each command's events.
func decodeLog(recs []hub.Record) ([]logEvent, map[string][]uint64, []string) {
	var errs []string
	events := make([]logEvent, 0, len(recs))
	byCmd := map[string][]uint64{}
	lastOf := map[string]uint64{} // command id → seq of its previous event
	for i, rec := range recs {
		var e logEvent
		if err := json.Unmarshal(rec.Data, &e); err != nil {
			errs = append(errs, fmt.Sprintf("record %d: %v", rec.Seq, err))
			continue
		}
		if rec.Seq != uint64(i+1) || e.Seq != rec.Seq {
			errs = append(errs, fmt.Sprintf("record %d at position %d holds event %d", rec.Seq, i+1, e.Seq))
		}
		cmd, n, ok := strings.Cut(e.ID, ":")
		k, err := strconv.Atoi(n)
		if !ok || err != nil || cmd != rec.CommandID {
			errs = append(errs, fmt.Sprintf("event %d has id %q, command %q", e.Seq, e.ID, rec.CommandID))
		}
		if k != len(byCmd[cmd]) {
			errs = append(errs, fmt.Sprintf("event %s at %d: command %s appended more than once (events %v before)", e.ID, e.Seq, cmd, byCmd[cmd]))
		}
		if prev, seen := lastOf[cmd]; seen && prev != e.Seq-1 {
			errs = append(errs, fmt.Sprintf("command %s has events at %d and %d: not one append", cmd, prev, e.Seq))
		}
		lastOf[cmd] = e.Seq
		byCmd[cmd] = append(byCmd[cmd], e.Seq)
		events = append(events, e)
	}
	return events, byCmd, errs
}

// checkStream replays what a participant received against the sequences visible to its
// audience: after each welcome and view the participant holds a sequence; each event must be
// the next visible one after it, and each view must not skip a visible event nor go back.
// A snapshot welcome starts again from the view that follows it, and so does a lobby view
// (neither may go back); no event comes between a lobby view and the admission event.
func checkStream(stream []item, visible []uint64) []string {
	var errs []string
	next := func(after uint64) uint64 { // the first visible sequence above after, or 0
		i := sort.Search(len(visible), func(i int) bool { return visible[i] > after })
		if i == len(visible) {
			return 0
		}
		return visible[i]
	}
	var held uint64
	started, snapshot := false, false
	for _, it := range stream {
		switch it.kind {
		case 's':
			snapshot = true
		case 'r':
			snapshot = false
			if !started {
				errs = append(errs, fmt.Sprintf("resumed with events at %d before holding anything", it.seq))
			}
		case 'e':
			if !started || snapshot {
				errs = append(errs, fmt.Sprintf("event %d before the view of a snapshot", it.seq))
				break
			}
			if want := next(held); it.seq != want {
				errs = append(errs, fmt.Sprintf("event %d while holding %d: want event %d (gap or duplicate)", it.seq, held, want))
			}
			held = it.seq
		case 'l':
			if it.seq < held {
				errs = append(errs, fmt.Sprintf("lobby view went back from %d to %d", held, it.seq))
			}
			held, started, snapshot = it.seq, true, false
		case 'v':
			switch {
			case it.seq < held:
				errs = append(errs, fmt.Sprintf("view went back from %d to %d", held, it.seq))
			case snapshot || !started:
			default:
				if n := next(held); n != 0 && n <= it.seq {
					errs = append(errs, fmt.Sprintf("view at %d while holding %d: event %d never arrived", it.seq, held, n))
				}
			}
			held, started, snapshot = it.seq, true, false
		}
	}
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Sprintf("… and %d more", len(errs)-10))
	}
	return errs
}

// commands returns a copy of every participant's commands, in the order they were first sent.
func (w *world) commands() []*command {
	var all []*command
	for _, p := range w.everyone() {
		all = append(all, p.snapshot().cmds...)
	}
	slices.SortFunc(all, func(a, b *command) int { return a.firstSent.Compare(b.firstSent) })
	return all
}

// describe says, for a failure message, who has commands without an answer and how their
// connections ended.
func (w *world) describe() string {
	var b strings.Builder
	for _, p := range w.everyone() {
		s := p.snapshot()
		var open []string
		for _, c := range s.cmds {
			if !c.acked && c.refusal == "" {
				open = append(open, fmt.Sprintf("%s %s (sent %d×, nacks %d)", c.ID, c.Kind, c.sends, len(c.nacks)))
			}
		}
		if len(open) > 0 || len(s.problems) > 0 {
			fmt.Fprintf(&b, "%s on %q, view seq %d, connects %d, dial failures %d (last: %s), closes %v: waiting for %v; problems %v\n",
				p.name, s.upstream, s.viewSeq, s.connects, s.dialFails, s.dialErr, s.closes, open, s.problems)
		}
	}
	return b.String()
}

// sameJSON reports whether two JSON documents hold the same value (key order aside).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
