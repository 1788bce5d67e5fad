// Package ratelimit is a token-bucket rate limiter per key (a client address), bounded in
// memory.
//
// Each key has a bucket of Burst tokens refilled at Rate tokens per second. At most MaxKeys
// buckets are kept; when the table is full, buckets that have refilled completely (they hold
// no information) are dropped first, and if none has, the least recently used bucket is
// dropped. Memory is therefore O(MaxKeys) whatever an attacker sends.
package ratelimit

import (
	"container/list"
	"sync"
	"time"
)

// Limiter limits events per key. It is safe for concurrent use.
type Limiter struct {
	rate    float64
	burst   float64
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*list.Element
	lru     *list.List // front = most recently used; values are *bucket
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

// New returns a Limiter allowing rate events per second per key with bursts of burst,
// tracking at most maxKeys keys. now is the clock (nil = time.Now).
func New(rate float64, burst, maxKeys int, now func() time.Time) *Limiter {
	if burst < 1 {
		burst = 1
	}
	if maxKeys < 1 {
		maxKeys = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, burst: float64(burst), maxKeys: maxKeys, now: now,
		buckets: make(map[string]*list.Element), lru: list.New()}
}

// Allow takes one token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		el = l.lru.PushFront(&bucket{key: key, tokens: l.burst, last: now})
		l.buckets[key] = el
	}
	l.lru.MoveToFront(el)
	b := el.Value.(*bucket)
	l.refill(b, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens += el * l.rate
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
	}
	b.last = now
}

// evict drops full buckets from the cold end (at most a few), or else the least recently used.
func (l *Limiter) evict(now time.Time) {
	const scan = 16
	el := l.lru.Back()
	for i := 0; i < scan && el != nil; i++ {
		prev := el.Prev()
		b := el.Value.(*bucket)
		l.refill(b, now)
		if b.tokens >= l.burst {
			l.remove(el)
			return
		}
		el = prev
	}
	if back := l.lru.Back(); back != nil {
		l.remove(back)
	}
}

func (l *Limiter) remove(el *list.Element) {
	delete(l.buckets, el.Value.(*bucket).key)
	l.lru.Remove(el)
}
