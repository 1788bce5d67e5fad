package redisstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// followQueue is how many published batches wait for a slow follow; beyond that they are
// dropped and the follow reads the stream instead.
const followQueue = 256

// Follow implements hub.Store. The follow listens on the case's channel of the Store's one
// pub/sub connection; it reads the stream (XRANGE) only to catch up: at the start, after a gap
// in the published sequences, after the pub/sub connection was re-established, and when its
// queue overflowed. It returns once the subscription is confirmed, so every record appended
// after Follow returns is delivered.
func (s *Store) Follow(ctx context.Context, caseID string, after uint64, deliver func([]hub.Record)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	f := &follower{s: s, caseID: caseID, deliver: deliver, last: after, stale: true, wake: make(chan struct{}, 1)}
	channel := s.eventsChannel(caseID)
	subs, err := s.subsFor(ctx, channel)
	if err != nil {
		return err
	}
	n, err := subs.add(ctx, channel, f)
	if err != nil {
		return err
	}
	if err := subs.wait(ctx, n); err != nil {
		subs.remove(channel, f)
		return err
	}
	err = s.start(func() {
		defer subs.remove(channel, f)
		f.run(ctx)
	})
	if err != nil {
		subs.remove(channel, f)
	}
	return err
}

// follower is one Follow: its queue is filled by the pub/sub loop, its goroutine delivers.
type follower struct {
	s       *Store
	caseID  string
	deliver func([]hub.Record)
	last    uint64 // the last sequence delivered; only the follow goroutine uses it

	mu    sync.Mutex
	queue []string // published batches not yet looked at
	stale bool     // messages may have been missed: read the stream
	wake  chan struct{}
}

func (f *follower) message(payload string) {
	f.mu.Lock()
	if len(f.queue) >= followQueue {
		f.queue, f.stale = nil, true
	} else {
		f.queue = append(f.queue, payload)
	}
	f.mu.Unlock()
	f.signal()
}

func (f *follower) resync() {
	f.mu.Lock()
	f.stale = true
	f.mu.Unlock()
	f.signal()
}

func (f *follower) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// run delivers until ctx is done or the Store closes.
func (f *follower) run(ctx context.Context) {
	delay := 20 * time.Millisecond
	var retry <-chan time.Time
	for {
		f.mu.Lock()
		queue, stale := f.queue, f.stale
		f.queue, f.stale = nil, false
		f.mu.Unlock()

		ok := true
		if stale {
			ok = f.catchUp(ctx)
		}
		for _, payload := range queue {
			if !ok {
				break // the stream is read again on the retry; it holds everything queued
			}
			ok = f.apply(ctx, payload)
		}
		if ok {
			delay, retry = 20*time.Millisecond, nil
		} else {
			f.mu.Lock()
			f.stale = true
			f.mu.Unlock()
			retry = time.After(delay)
			delay = min(2*delay, maxBackoff)
		}
		select {
		case <-f.wake:
		case <-retry:
		case <-ctx.Done():
			return
		case <-f.s.ctx.Done():
			return
		}
	}
}

// apply delivers the records of one published batch that follow f.last, or catches up from
// the stream when the batch leaves a gap. It reports false when the stream could not be read.
func (f *follower) apply(ctx context.Context, payload string) bool {
	if n, ok := strings.CutPrefix(payload, syncMsgPrefix); ok {
		// The log is confirmed up to head: read what this follow lacks of it.
		head, err := strconv.ParseUint(n, 10, 64)
		if err != nil || head <= f.last {
			return true
		}
		return f.catchUpTo(ctx, head)
	}
	recs, err := decodeBatch(payload)
	if err != nil {
		f.s.log.Error("undecodable batch on a case channel; reading the stream", "case", f.caseID, "err", err)
		return f.catchUp(ctx)
	}
	first, last := recs[0].Seq, recs[len(recs)-1].Seq
	switch {
	case last <= f.last:
		return true // already delivered (read while catching up)
	case first > f.last+1:
		// A gap: the stream holds the missing records and these; read no further than
		// these, which are published, so confirmed (when appends wait for replicas).
		return f.catchUpTo(ctx, last)
	}
	if ctx.Err() != nil {
		return true
	}
	f.deliver(recs[f.last-first+1:])
	f.last = last
	return true
}

// catchUp reads and delivers every record after f.last (Read: when appends wait for replicas,
// only what a replica has). It reports false when the stream could not be read.
func (f *follower) catchUp(ctx context.Context) bool { return f.catchUpTo(ctx, 0) }

// catchUpTo reads and delivers the records after f.last up to upto (0: Read's all). It
// reports false when the stream could not be read.
func (f *follower) catchUpTo(ctx context.Context, upto uint64) bool {
	for {
		if ctx.Err() != nil {
			return true
		}
		var recs []hub.Record
		var err error
		if upto == 0 {
			recs, err = f.s.Read(ctx, f.caseID, f.last, readPage)
		} else {
			recs, err = f.s.readUpTo(ctx, f.caseID, f.last, upto, readPage)
		}
		if err != nil {
			if ctx.Err() == nil && f.s.ctx.Err() == nil {
				f.s.log.Warn("follow cannot read the case stream; retrying", "case", f.caseID, "err", err)
			}
			return false
		}
		if len(recs) == 0 {
			return true
		}
		f.deliver(recs)
		f.last = recs[len(recs)-1].Seq
		if len(recs) < readPage {
			return true
		}
	}
}
