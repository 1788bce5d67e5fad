package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Claim is the entries of several accesses, linked onto the chains of their logs for a write
// that the caller makes itself, together with other data: the hub's stores write them in the
// same write as the events of a batch (bbolt: one transaction; Redis: one script). Each log
// gets one write. A chain is claimed when no write to it is under way on this instance and
// its last entry is known: the entries are linked onto that entry, and other entries for the
// chain queue until the claim is finished. Every write can also be relinked, inside the
// store's transaction, onto whatever entry the log ends with (kv.LogWrite.Relink; bbolt
// does, Redis cannot). The entries of a write that was not made are written by Finish the
// usual way. Every Claim is finished exactly once.
type Claim struct {
	l      *Log
	writes []kv.LogWrite
	heads  []*claimHead // one per write
}

// claimHead is one log's part of a Claim: its entries, its chain when claimed, and where the
// chain ends after the write (as linked, or as last relinked).
type claimHead struct {
	name    string
	entries []Entry
	c       *chain // nil: not claimed
	seq     uint64
	hash    string
}

// Claim prepares entries (as Record does) and links them onto their logs' chains where it can
// claim them. Each entry goes to the global log and to the log of its case.
func (l *Log) Claim(ctx context.Context, entries []Entry) (*Claim, error) {
	byLog := map[string]*claimHead{}
	cl := &Claim{l: l}
	for _, e := range entries {
		if err := l.prepare(ctx, &e); err != nil {
			return nil, err
		}
		names := []string{GlobalLog}
		if e.CaseID != "" {
			names = append(names, CaseLog(e.CaseID))
		}
		for _, n := range names {
			h := byLog[n]
			if h == nil {
				h = &claimHead{name: n}
				byLog[n] = h
				cl.heads = append(cl.heads, h)
			}
			h.entries = append(h.entries, e)
		}
	}
	for _, h := range cl.heads {
		w := kv.LogWrite{Name: h.name, Relink: h.relinkOnto}
		c := l.chain(h.name)
		if seq, prev, ok := c.claim(); ok {
			data, hash, err := linkAll(prev, h.entries)
			if err != nil {
				c.release(false, 0, "", l.store)
				_ = cl.Finish(ctx, false, nil) // releases what was claimed; nothing is written
				return nil, err
			}
			h.c, h.seq, h.hash = c, seq+uint64(len(data)), hash
			w.Seq, w.Entries = seq+1, data
		}
		cl.writes = append(cl.writes, w)
	}
	return cl, nil
}

// relinkOnto links the entries onto last (kv.LogWrite.Relink), inside the store's write.
func (h *claimHead) relinkOnto(last kv.Entry) [][]byte {
	prev := ""
	if last.Seq > 0 {
		prev = hashOf(last.Data)
	}
	data, hash, err := linkAll(prev, h.entries)
	if err != nil {
		return nil
	}
	h.seq, h.hash = last.Seq+uint64(len(data)), hash
	return data
}

// Writes are the log writes to make with the caller's other data.
func (cl *Claim) Writes() []kv.LogWrite { return cl.writes }

// Finish ends the claim. stored says whether the caller's write went through (the accesses it
// records happened); written says, per write of Writes, whether it is in its log. The chains
// are released; when stored, every entry not yet written is appended now, and Finish returns
// once it is (or failed). When not stored, nothing more is written.
func (cl *Claim) Finish(ctx context.Context, stored bool, written []bool) error {
	var rest []*claimHead
	for i, h := range cl.heads {
		ok := stored && i < len(written) && written[i]
		if h.c != nil {
			h.c.release(ok, h.seq, h.hash, cl.l.store)
			h.c = nil
		}
		if !ok {
			rest = append(rest, h)
		}
	}
	if !stored || len(rest) == 0 {
		return nil
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, h := range rest {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cl.l.chain(h.name).appendAll(ctx, cl.l.store, h.entries); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// linkAll links entries one after another onto prev: their stored forms and the last hash.
func linkAll(prev string, entries []Entry) ([][]byte, string, error) {
	data := make([][]byte, len(entries))
	for i, e := range entries {
		e.Prev = prev
		body, err := json.Marshal(e)
		if err != nil {
			return nil, "", err
		}
		data[i], prev = link(e.Prev, body)
	}
	return data, prev, nil
}
