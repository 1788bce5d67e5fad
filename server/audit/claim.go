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
// same write as the events of a batch (bbolt: one transaction; Redis: one script). A chain is
// claimed only when no write to it is under way on this instance and its last entry is known;
// while claimed, other entries for it queue, and they are written once the claim is finished.
// The entries of a log whose chain could not be claimed, or whose write was not made (another
// instance appended first), are written by Finish the usual way. Every Claim is finished
// exactly once.
type Claim struct {
	l      *Log
	writes []kv.LogWrite
	claims []claimedChain // one per write
	rest   map[string][]Entry
	all    map[string][]Entry
}

// claimedChain is a chain held by a Claim and where its write would leave it.
type claimedChain struct {
	c    *chain
	seq  uint64
	hash string
}

// Claim prepares entries (as Record does) and links them onto their logs' chains where it can
// claim them. Each entry goes to the global log and to the log of its case.
func (l *Log) Claim(ctx context.Context, entries []Entry) (*Claim, error) {
	cl := &Claim{l: l, rest: map[string][]Entry{}, all: map[string][]Entry{}}
	var order []string
	for _, e := range entries {
		if err := l.prepare(ctx, &e); err != nil {
			return nil, err
		}
		names := []string{GlobalLog}
		if e.CaseID != "" {
			names = append(names, CaseLog(e.CaseID))
		}
		for _, n := range names {
			if _, ok := cl.all[n]; !ok {
				order = append(order, n)
			}
			cl.all[n] = append(cl.all[n], e)
		}
	}
	for _, name := range order {
		c := l.chain(name)
		seq, prev, ok := c.claim()
		if !ok {
			cl.rest[name] = cl.all[name]
			continue
		}
		data, hash, err := linkAll(prev, cl.all[name])
		if err != nil {
			c.release(false, 0, "", l.store)
			_ = cl.Finish(ctx, false, nil) // releases what was claimed; nothing is written
			return nil, err
		}
		cl.writes = append(cl.writes, kv.LogWrite{Name: name, Seq: seq + 1, Entries: data})
		cl.claims = append(cl.claims, claimedChain{c: c, seq: seq + uint64(len(data)), hash: hash})
	}
	return cl, nil
}

// Writes are the log writes to make with the caller's other data.
func (cl *Claim) Writes() []kv.LogWrite { return cl.writes }

// Finish ends the claim. stored says whether the caller's write went through (the accesses it
// records happened); written says, per write of Writes, whether it is in its log. The chains
// are released; when stored, every entry not yet written is appended now, and Finish returns
// once it is (or failed). When not stored, nothing more is written.
func (cl *Claim) Finish(ctx context.Context, stored bool, written []bool) error {
	for i, cc := range cl.claims {
		ok := stored && i < len(written) && written[i]
		cc.c.release(ok, cc.seq, cc.hash, cl.l.store)
		if !ok {
			cl.rest[cc.c.name] = cl.all[cc.c.name]
		}
	}
	cl.claims = nil
	if !stored || len(cl.rest) == 0 {
		return nil
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for name, es := range cl.rest {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cl.l.chain(name).appendAll(ctx, cl.l.store, es); err != nil {
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
