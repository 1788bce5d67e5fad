package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// The chain. Entry n of a log is stored as the JSON object of the entry with "prev" set to
// the hash of entry n-1, followed — as the object's last member — by "hash": the SHA-256, in
// hexadecimal, of prev, a newline and the object without its hash member. Verify recomputes
// both from the stored bytes, so it depends on nothing but the log. An entry written before
// the chain existed has no hash; its hash for the next entry's prev is the SHA-256 of its
// stored bytes. The log's retention (Trim) removes the oldest entries and keeps, in the KV
// bucket AnchorBucket, the sequence and hash of the last one removed, so that the chain still
// starts somewhere known.

// AnchorBucket is the KV bucket that holds, per log, where its chain starts after Trim.
const AnchorBucket = "audit-anchors"

// maxAppendTries bounds how often a batch is linked again after another instance appended to
// the same log first.
const maxAppendTries = 100

// appendTimeout bounds one write of a batch; it is not tied to one caller's context, since a
// batch carries the entries of several callers.
const appendTimeout = 10 * time.Second

// hashSuffix matches the hash member that ends a chained entry.
var hashSuffix = regexp.MustCompile(`,"hash":"([0-9a-f]{64})"\}$`)

// link makes the stored form of body (an entry's JSON object with its prev set, no hash) and
// its hash.
func link(prev string, body []byte) (data []byte, hash string) {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(body)
	hash = hex.EncodeToString(h.Sum(nil))
	data = make([]byte, 0, len(body)+len(hash)+10)
	data = append(data, body[:len(body)-1]...)
	data = append(data, `,"hash":"`...)
	data = append(data, hash...)
	return append(data, `"}`...), hash
}

// hashOf is the hash the entry after data links to: its own stored hash, or for an entry from
// before the chain, the SHA-256 of its bytes.
func hashOf(data []byte) string {
	if m := hashSuffix.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// chain appends the entries of one log in order: whoever finds no write under way writes
// every entry queued so far in one AppendLogAt (group append), and goes on while more queue.
type chain struct {
	name string

	mu      sync.Mutex
	queue   []*pending
	writing bool
	known   bool // seq and hash are the log's last entry as far as this instance knows
	seq     uint64
	hash    string
}

type pending struct {
	e    Entry
	done chan error
}

// append queues e and waits until it is written (or the write failed).
func (c *chain) append(ctx context.Context, store kv.Store, e Entry) error {
	return c.appendAll(ctx, store, []Entry{e})
}

// appendAll queues entries, in order, and waits until they are written (or the write failed).
func (c *chain) appendAll(ctx context.Context, store kv.Store, entries []Entry) error {
	ps := make([]*pending, len(entries))
	for i, e := range entries {
		ps[i] = &pending{e: e, done: make(chan error, 1)}
	}
	c.mu.Lock()
	c.queue = append(c.queue, ps...)
	lead := !c.writing
	c.writing = true
	c.mu.Unlock()
	if lead {
		go c.write(context.WithoutCancel(ctx), store)
	}
	var errs []error
	for _, p := range ps {
		select {
		case err := <-p.done:
			errs = append(errs, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// claim takes the chain for a write its caller makes (Claim) when no write is under way and
// the last entry is known: it returns the last entry's sequence and hash.
func (c *chain) claim() (seq uint64, hash string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing || !c.known {
		return 0, "", false
	}
	c.writing = true
	return c.seq, c.hash, true
}

// release gives back a claimed chain: at seq and hash when the claim's write was made, else no
// longer known (the log may have moved on). Entries queued meanwhile are written now.
func (c *chain) release(written bool, seq uint64, hash string, store kv.Store) {
	c.mu.Lock()
	if written {
		c.seq, c.hash = seq, hash
	} else {
		c.known = false
	}
	more := len(c.queue) > 0
	c.writing = more
	c.mu.Unlock()
	if more {
		go c.write(context.Background(), store)
	}
}

// write writes batches until the queue is empty.
func (c *chain) write(ctx context.Context, store kv.Store) {
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := c.writeBatch(ctx, store, batch)
		for _, p := range batch {
			p.done <- err
		}
	}
}

func (c *chain) writeBatch(ctx context.Context, store kv.Store, batch []*pending) error {
	ctx, cancel := context.WithTimeout(ctx, appendTimeout)
	defer cancel()
	for range maxAppendTries {
		if !c.known {
			last, err := store.LastLog(ctx, c.name)
			if err != nil {
				return err
			}
			c.seq, c.hash, c.known = last.Seq, "", true
			if last.Seq > 0 {
				c.hash = hashOf(last.Data)
			}
		}
		entries := make([]Entry, len(batch))
		for i, p := range batch {
			entries[i] = p.e
		}
		data, prev, err := linkAll(c.hash, entries)
		if err != nil {
			return err
		}
		err = store.AppendLogAt(ctx, c.name, c.seq+1, data)
		if errors.Is(err, kv.ErrConflict) {
			c.known = false // another instance appended: read the last entry again
			continue
		}
		if err != nil {
			c.known = false
			return err
		}
		c.seq, c.hash = c.seq+uint64(len(batch)), prev
		return nil
	}
	return fmt.Errorf("audit: log %s: gave up after %d conflicting appends", c.name, maxAppendTries)
}

// Anchor is where a log's chain starts after its oldest entries were removed: the sequence
// and hash of the last removed entry.
type Anchor struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Report is the outcome of Verify.
type Report struct {
	// Log is the log's name.
	Log string `json:"log"`
	// Entries is how many entries were checked; First and Last their sequences.
	Entries     int    `json:"entries"`
	First, Last uint64 `json:"-"`
	// Unchained counts entries from before the chain (no hash of their own).
	Unchained int `json:"unchained"`
	// Anchor is where the chain starts after retention removed older entries (nil: at 1).
	Anchor *Anchor `json:"anchor,omitempty"`
	// Broken is the sequence of the first entry that does not fit the chain (0: none), and
	// Reason says why.
	Broken uint64 `json:"broken,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// OK reports whether the chain is whole.
func (r Report) OK() bool { return r.Broken == 0 }

// verifyPage is how many entries Verify reads at a time.
const verifyPage = 1000

// Verify walks log name from its start and names the first entry that breaks the chain: a
// sequence missing, an entry whose content no longer gives its hash, or one whose prev is
// not the hash of the entry before it. Only a failure to read is an error.
func Verify(ctx context.Context, store kv.Store, name string) (Report, error) {
	r := Report{Log: name}
	var prev string
	var next uint64 = 1
	if b, err := store.Get(ctx, AnchorBucket, name); err == nil {
		var a Anchor
		if err := json.Unmarshal(b, &a); err != nil {
			return r, fmt.Errorf("audit: anchor of %s: %w", name, err)
		}
		r.Anchor, prev, next = &a, a.Hash, a.Seq+1
	} else if !errors.Is(err, kv.ErrNotFound) {
		return r, err
	}
	chained := false
	for after := uint64(0); ; {
		page, err := store.ReadLog(ctx, name, after, verifyPage)
		if err != nil {
			return r, err
		}
		for _, e := range page {
			if r.Anchor != nil && e.Seq <= r.Anchor.Seq {
				continue // removed by Trim, which stopped before it was done
			}
			if r.Entries == 0 {
				r.First = e.Seq
			}
			r.Entries++
			r.Last = e.Seq
			if e.Seq != next {
				return r.broken(e.Seq, fmt.Sprintf("entries %d to %d are missing", next, e.Seq-1)), nil
			}
			m := hashSuffix.FindSubmatchIndex(e.Data)
			if m == nil {
				if chained {
					return r.broken(e.Seq, "entry without a hash after the chain began"), nil
				}
				r.Unchained++
				prev, next = hashOf(e.Data), e.Seq+1
				continue
			}
			chained = true
			body := append(bytes.Clone(e.Data[:m[0]]), '}')
			var head struct {
				Prev string `json:"prev"`
			}
			if err := json.Unmarshal(body, &head); err != nil {
				return r.broken(e.Seq, "entry is not valid JSON"), nil
			}
			if head.Prev != prev {
				return r.broken(e.Seq, fmt.Sprintf("prev does not match the hash of entry %d", e.Seq-1)), nil
			}
			if _, h := link(head.Prev, body); h != string(e.Data[m[2]:m[3]]) {
				return r.broken(e.Seq, "content does not match its hash (the entry was changed)"), nil
			}
			prev, next = string(e.Data[m[2]:m[3]]), e.Seq+1
		}
		if len(page) < verifyPage {
			return r, nil
		}
		after = page[len(page)-1].Seq
	}
}

func (r Report) broken(seq uint64, reason string) Report {
	r.Broken, r.Reason = seq, reason
	return r
}

// Trim removes the entries of log name older than before — never the last entry — after
// recording the new start of the chain (AnchorBucket). It returns how many it removed.
func Trim(ctx context.Context, store kv.Store, name string, before time.Time) (int, error) {
	var cut *kv.Entry
	n := 0
	for after := uint64(0); ; {
		page, err := store.ReadLog(ctx, name, after, verifyPage)
		if err != nil {
			return 0, err
		}
		stop := false
		for i := range page {
			var e struct {
				Time time.Time `json:"time"`
			}
			if json.Unmarshal(page[i].Data, &e) != nil || !e.Time.Before(before) {
				stop = true
				break
			}
			cut = &page[i]
			n++
		}
		if stop || len(page) < verifyPage {
			break
		}
		after = page[len(page)-1].Seq
	}
	if cut == nil {
		return 0, nil
	}
	last, err := store.LastLog(ctx, name)
	if err != nil {
		return 0, err
	}
	if cut.Seq == last.Seq { // the last entry stays: the chain goes on from it
		if n--; n == 0 {
			return 0, nil
		}
		page, err := store.ReadLog(ctx, name, cut.Seq-2, 1)
		if err != nil || len(page) != 1 {
			return 0, err
		}
		cut = &page[0]
	}
	b, _ := json.Marshal(Anchor{Seq: cut.Seq, Hash: hashOf(cut.Data)})
	if err := store.Put(ctx, AnchorBucket, name, b); err != nil {
		return 0, err
	}
	if err := store.TrimLog(ctx, name, cut.Seq); err != nil {
		return 0, err
	}
	return n, nil
}
