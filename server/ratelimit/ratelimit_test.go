package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBurstThenRefill(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(1, 3, 10, c.now)
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d: got refused, want allowed (within burst)", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("4th request: got allowed, want refused (burst spent)")
	}
	if !l.Allow("b") {
		t.Fatal("other key: got refused, want allowed (own bucket)")
	}
	c.t = c.t.Add(time.Second)
	if !l.Allow("a") {
		t.Fatal("after 1s: got refused, want one token refilled")
	}
	if l.Allow("a") {
		t.Fatal("after 1s, 2nd request: got allowed, want refused")
	}
}

func TestBoundedKeys(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(1, 2, 100, c.now)
	for i := range 10_000 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if got := l.Len(); got > 100 {
		t.Fatalf("got %d keys tracked, want at most 100", got)
	}
}

func TestEvictionKeepsActiveKeyLimited(t *testing.T) {
	// A key that is being limited survives a flood of one-off keys when full buckets can be
	// dropped instead (the flood keys refill to full after 2s).
	c := &clock{t: time.Unix(1000, 0)}
	l := New(1, 2, 4, c.now)
	l.Allow("x")
	l.Allow("x")
	for i := range 3 {
		l.Allow(fmt.Sprintf("k%d", i))
	}
	c.t = c.t.Add(500 * time.Millisecond)
	l.Allow("x") // x: 0.5 tokens, refused, most recently used
	c.t = c.t.Add(2 * time.Second)
	l.Allow("new") // table full: a full flood bucket is dropped, not x
	if _, ok := l.buckets["x"]; !ok {
		t.Fatal("active key x was evicted, want a full bucket evicted instead")
	}
}
