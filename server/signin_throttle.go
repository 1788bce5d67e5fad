package server

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"sync"
	"time"
)

// Sign-in throttling. Three limits work together:
//
//   - per network (/64 for IPv6, the address for IPv4): LoginRate attempts a minute
//     (Server.loginLimit), so one network cannot try many accounts;
//   - per account: after freeFailures failed passwords the next attempt must wait 1 s, then
//     2 s, 4 s, … up to maxSignInDelay, whatever address the attempts come from. The count
//     is kept in the shared KV (every instance sees it). It is no lock-out an attacker can
//     use against the owner: a browser in which the account signed in before (device token)
//     has a count of its own;
//   - per network, one password hash at a time (hashGate): the password package hashes at
//     most password.MaxConcurrent at once, and one network can hold only one of those slots.
const (
	bucketFailures = "signin-failures" // account id [+ "/" + device id] → failureRecord
	freeFailures   = 3
	maxSignInDelay = 15 * time.Minute
	failureMemory  = 24 * time.Hour
	hashWait       = 3 * time.Second
)

type failureRecord struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

func failureKey(accountID, device string) string {
	if device == "" {
		return accountID
	}
	return accountID + "/" + device
}

// delayAfter is the wait after count consecutive failures.
func delayAfter(count int) time.Duration {
	if count < freeFailures {
		return 0
	}
	n := count - freeFailures
	if n > 20 {
		return maxSignInDelay
	}
	return min(time.Second<<n, maxSignInDelay)
}

func (s *Server) failures(ctx context.Context, key string) failureRecord {
	var r failureRecord
	if b, err := s.kv.Get(ctx, bucketFailures, key); err == nil {
		_ = json.Unmarshal(b, &r)
	}
	return r
}

// signInDelay is how long the next password attempt for accountID must still wait (0: now).
func (s *Server) signInDelay(ctx context.Context, accountID, device string) (time.Duration, error) {
	r := s.failures(ctx, failureKey(accountID, device))
	wait := r.Last.Add(delayAfter(r.Count)).Sub(s.now())
	if wait < 0 {
		return 0, nil
	}
	return wait, nil
}

// noteFailure counts a wrong password for accountID (in device's own count when known).
func (s *Server) noteFailure(ctx context.Context, accountID, device string) {
	key := failureKey(accountID, device)
	r := s.failures(ctx, key)
	r.Count++
	r.Last = s.now()
	b, _ := json.Marshal(r)
	if err := s.putTTL(ctx, bucketFailures, key, b, failureMemory); err != nil {
		s.log.Warn("sign-in failure not counted", "err", err)
	}
}

// clearFailures forgets the account-wide failures of accountID (after a right password or a
// new one).
func (s *Server) clearFailures(ctx context.Context, accountID string) {
	_ = s.kv.Delete(ctx, bucketFailures, accountID)
}

// networkOf is the network an address counts toward: the /64 of an IPv6 address, an IPv4
// address itself.
func networkOf(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// hashGate lets one password hash per network run at a time; others from the same network
// wait up to hashWait.
type hashGate struct {
	mu    sync.Mutex
	slots map[string]*netSlot
}

type netSlot struct {
	ch    chan struct{}
	users int
}

// acquire waits for network's slot; ok is false when it did not come in time.
func (g *hashGate) acquire(ctx context.Context, network string) (release func(), ok bool) {
	g.mu.Lock()
	if g.slots == nil {
		g.slots = map[string]*netSlot{}
	}
	sl := g.slots[network]
	if sl == nil {
		sl = &netSlot{ch: make(chan struct{}, 1)}
		g.slots[network] = sl
	}
	sl.users++
	g.mu.Unlock()
	done := func() {
		g.mu.Lock()
		if sl.users--; sl.users == 0 {
			delete(g.slots, network)
		}
		g.mu.Unlock()
	}
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case sl.ch <- struct{}{}:
		return func() { <-sl.ch; done() }, true
	case <-t.C:
	case <-ctx.Done():
	}
	done()
	return nil, false
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// putTTL stores value under key for ttl (the KV's Put keeps values for ever): it replaces the
// value, so two writers racing may lose one write — used only for counters and short-lived
// state where that does not matter.
func (s *Server) putTTL(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) error {
	if err := s.kv.Delete(ctx, bucket, key); err != nil {
		return err
	}
	_, err := s.kv.PutIfAbsent(ctx, bucket, key, value, ttl)
	return err
}
