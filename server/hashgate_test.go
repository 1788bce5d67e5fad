package server

import (
	"context"
	"testing"
	"time"
)

// TestHashGateOneSlotPerNetwork: a network holds at most one of the password-hashing slots, so
// another network always gets one.
func TestHashGateOneSlotPerNetwork(t *testing.T) {
	var g hashGate
	releaseA, ok := g.acquire(context.Background(), "198.51.100.7")
	if !ok {
		t.Fatal("first hash of network A refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, ok := g.acquire(ctx, "198.51.100.7"); ok {
		t.Fatal("network A got a second slot while its first is busy")
	}
	releaseB, ok := g.acquire(context.Background(), "2001:db8:1:2::/64")
	if !ok {
		t.Fatal("network B waited for network A")
	}
	releaseB()
	releaseA()
	if _, ok := g.acquire(context.Background(), "198.51.100.7"); !ok {
		t.Fatal("network A's slot not given back")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.slots) != 1 {
		t.Errorf("got %d networks tracked, want 1 (the one still holding its slot)", len(g.slots))
	}
}
