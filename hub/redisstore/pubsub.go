package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub"
)

const (
	// syncPrefix starts the payload of the PINGs the Store sends on its pub/sub connection.
	syncPrefix = "tafel-sync:"
	// syncTimeout bounds how long Follow and Subscribe wait for their subscription to be
	// confirmed before they report the store unavailable.
	syncTimeout = 10 * time.Second
	// unsubscribeTimeout bounds the UNSUBSCRIBE sent when a channel's last listener leaves.
	unsubscribeTimeout = 5 * time.Second
	// maxBackoff caps the wait between reconnection attempts and catch-up retries.
	maxBackoff = 2 * time.Second
)

// healthEvery is how long the pub/sub connection may stay silent before a PING checks it; a
// PING unanswered for another healthEvery means the connection is dead (e.g. a peer that
// vanished without closing it) and it is replaced. A variable so that tests can shorten it.
var healthEvery = 15 * time.Second

// listener receives what the pub/sub connection carries for one channel.
type listener interface {
	// message hands over one published payload. It must not block.
	message(payload string)
	// resync says that messages may have been lost (the connection was re-established).
	resync()
}

// subscriptions multiplexes every follow and KV subscription of a Store over ONE pub/sub
// connection: a channel is SUBSCRIBEd when its first listener arrives and UNSUBSCRIBEd when its
// last one leaves, and one goroutine (loop) reads the connection and routes messages.
//
// Knowing when a subscription is active: go-redis writes SUBSCRIBE without waiting for the
// confirmation. After subscribing, the Store sends "PING tafel-sync:<n>" on the same
// connection, numbering the PINGs in the order they are written. Redis answers a connection's
// commands in order, so the PONG of n proves every SUBSCRIBE written before PING n is active.
// When the connection is replaced, go-redis subscribes every channel on the new connection
// before anything else is written there, so a PONG of n also covers listeners registered with
// smaller numbers on the old connection. The first PONG after a reconnect also tells every
// listener to resync: follows then read the stream for what they missed.
type subscriptions struct {
	s       *Store
	sharded bool // SSUBSCRIBE on the primary of the channels' slots, not SUBSCRIBE

	// opMu serialises what is written on the pub/sub connection (SUBSCRIBE, UNSUBSCRIBE,
	// PING) with the bookkeeping that decides it, and guards ps (written only by loop),
	// pingSeq and closed.
	opMu    sync.Mutex
	ps      *redis.PubSub
	pingSeq uint64
	closed  bool
	looping bool // loop runs (sharded: started with the first channel, so that the
	// connection is made to the node of that channel's slot, not to a random one)

	mu        sync.Mutex
	listeners map[string]map[listener]struct{} // by channel
	synced    uint64                           // highest PING number whose PONG arrived
	syncedCh  chan struct{}                    // closed and replaced when synced grows
	resyncAt  uint64                           // PONG number that triggers a resync of all (0: none)
}

func newSubscriptions(s *Store, sharded bool) *subscriptions {
	p := &subscriptions{
		s:         s,
		sharded:   sharded,
		listeners: map[string]map[listener]struct{}{},
		syncedCh:  make(chan struct{}),
	}
	p.ps = p.newPubSub()
	return p
}

// newPubSub returns a pub/sub connection that connects on its first (S)SUBSCRIBE (on a
// Cluster: to the primary of the first channel's slot) and re-subscribes every channel
// after a reconnect.
func (p *subscriptions) newPubSub() *redis.PubSub {
	if p.sharded {
		return p.s.rdb.SSubscribe(p.s.ctx)
	}
	return p.s.rdb.Subscribe(p.s.ctx)
}

func (p *subscriptions) subscribe(ctx context.Context, channels ...string) error {
	if p.sharded {
		return p.ps.SSubscribe(ctx, channels...)
	}
	return p.ps.Subscribe(ctx, channels...)
}

func (p *subscriptions) unsubscribe(ctx context.Context, channel string) error {
	if p.sharded {
		return p.ps.SUnsubscribe(ctx, channel)
	}
	return p.ps.Unsubscribe(ctx, channel)
}

// add registers l for channel, subscribing the channel when it is new, and returns the number
// of the PING whose PONG proves the subscription active (see wait).
func (p *subscriptions) add(ctx context.Context, channel string, l listener) (uint64, error) {
	p.opMu.Lock()
	defer p.opMu.Unlock()
	if p.closed {
		return 0, errClosed
	}
	p.mu.Lock()
	set := p.listeners[channel]
	isNew := set == nil
	if isNew {
		set = map[listener]struct{}{}
		p.listeners[channel] = set
	}
	set[l] = struct{}{}
	p.mu.Unlock()
	if isNew {
		if err := p.subscribe(ctx, channel); err != nil {
			p.removeLocked(channel, l)
			return 0, mapErr("subscribe", err)
		}
	}
	if !p.looping {
		if err := p.s.start(p.loop); err != nil {
			p.removeLocked(channel, l)
			return 0, err
		}
		p.looping = true
	}
	n, err := p.pingLocked(ctx)
	if err != nil {
		p.removeLocked(channel, l)
		return 0, mapErr("subscribe", err)
	}
	return n, nil
}

// wait waits until the PONG of PING n has arrived.
func (p *subscriptions) wait(ctx context.Context, n uint64) error {
	timer := time.NewTimer(syncTimeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		done, changed := p.synced >= n, p.syncedCh
		p.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.s.ctx.Done():
			return errClosed
		case <-timer.C:
			return fmt.Errorf("redisstore: subscription not confirmed within %v: %w", syncTimeout, hub.ErrUnavailable)
		}
	}
}

// remove unregisters l from channel, unsubscribing the channel when l was its last listener.
func (p *subscriptions) remove(channel string, l listener) {
	p.opMu.Lock()
	defer p.opMu.Unlock()
	p.removeLocked(channel, l)
}

func (p *subscriptions) removeLocked(channel string, l listener) {
	p.mu.Lock()
	set := p.listeners[channel]
	delete(set, l)
	last := set != nil && len(set) == 0
	if last {
		delete(p.listeners, channel)
	}
	p.mu.Unlock()
	if last && !p.closed {
		ctx, cancel := context.WithTimeout(context.Background(), unsubscribeTimeout)
		defer cancel()
		// On failure the connection is being replaced; the channel is no longer in go-redis's
		// list, so it is not subscribed again, and stray messages find no listener.
		_ = p.unsubscribe(ctx, channel)
	}
}

// pingLocked writes the next numbered PING. opMu must be held.
func (p *subscriptions) pingLocked(ctx context.Context) (uint64, error) {
	p.pingSeq++
	n := p.pingSeq
	return n, p.ps.Ping(ctx, syncPrefix+strconv.FormatUint(n, 10))
}

func (p *subscriptions) ping(ctx context.Context) (uint64, error) {
	p.opMu.Lock()
	defer p.opMu.Unlock()
	if p.closed {
		return 0, errClosed
	}
	return p.pingLocked(ctx)
}

// close closes the pub/sub connection; loop then ends.
func (p *subscriptions) close() {
	p.opMu.Lock()
	defer p.opMu.Unlock()
	p.closed = true
	_ = p.ps.Close()
}

// loop reads the pub/sub connection until the Store closes: it routes messages, records
// PONGs, checks a silent connection with a PING, and reconnects after errors.
func (p *subscriptions) loop() {
	ctx := p.s.ctx
	healthPending := false
	for {
		msg, err := p.ps.ReceiveTimeout(ctx, healthEvery)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var nerr net.Error
			if errors.As(err, &nerr) && nerr.Timeout() {
				if healthPending {
					p.s.log.Warn("redis pub/sub connection silent; replacing it")
					p.replace()
					healthPending = false
					continue
				}
				healthPending = true
				if _, err := p.ping(ctx); err != nil {
					p.reconnect(err)
				}
				continue
			}
			if redis.HasErrorPrefix(err, "MOVED") || redis.HasErrorPrefix(err, "ASK") {
				// A sharded subscription reached a node that does not hold the channel's slot
				// (the connection was made before this shard had a channel, or the slot
				// moved): connect again, to the node of the channels' slot.
				p.s.log.Warn("redis pub/sub subscription on the wrong node; reconnecting", "err", err)
				if sleepCtx(ctx, 100*time.Millisecond) != nil {
					return
				}
				p.replace()
				continue
			}
			p.reconnect(err)
			continue
		}
		healthPending = false
		switch m := msg.(type) {
		case *redis.Message:
			p.route(m.Channel, m.Payload)
		case *redis.Pong:
			p.pong(m.Payload)
		}
	}
}

// reconnect pings until the pub/sub connection works again (go-redis re-dials and
// re-subscribes every channel on the new connection first), then marks that PING as the one
// whose PONG makes every listener resync.
func (p *subscriptions) reconnect(cause error) {
	p.s.log.Warn("redis pub/sub connection lost; reconnecting", "err", cause)
	delay := 20 * time.Millisecond
	for {
		select {
		case <-p.s.ctx.Done():
			return
		case <-time.After(delay):
		}
		n, err := p.ping(p.s.ctx)
		if err == nil {
			p.mu.Lock()
			p.resyncAt = n
			p.mu.Unlock()
			p.s.log.Info("redis pub/sub connection re-established")
			return
		}
		delay = min(2*delay, maxBackoff)
	}
}

// replace swaps a connection that stopped answering for a new one, subscribed to every
// channel that has listeners. Only loop calls it.
func (p *subscriptions) replace() {
	p.opMu.Lock()
	if p.closed {
		p.opMu.Unlock()
		return
	}
	_ = p.ps.Close()
	p.ps = p.newPubSub()
	p.mu.Lock()
	channels := make([]string, 0, len(p.listeners))
	for ch := range p.listeners {
		channels = append(channels, ch)
	}
	p.mu.Unlock()
	var err error
	if len(channels) > 0 {
		// Recorded by go-redis even when the write fails, so a later reconnect subscribes them.
		err = p.subscribe(p.s.ctx, channels...)
	}
	p.opMu.Unlock()
	if err == nil {
		var n uint64
		if n, err = p.ping(p.s.ctx); err == nil {
			p.mu.Lock()
			p.resyncAt = n
			p.mu.Unlock()
			return
		}
	}
	p.reconnect(err)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (p *subscriptions) route(channel, payload string) {
	p.mu.Lock()
	ls := make([]listener, 0, len(p.listeners[channel]))
	for l := range p.listeners[channel] {
		ls = append(ls, l)
	}
	p.mu.Unlock()
	for _, l := range ls {
		l.message(payload)
	}
}

func (p *subscriptions) pong(payload string) {
	n, err := strconv.ParseUint(strings.TrimPrefix(payload, syncPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(payload, syncPrefix) {
		return
	}
	p.mu.Lock()
	if n > p.synced {
		p.synced = n
		close(p.syncedCh)
		p.syncedCh = make(chan struct{})
	}
	var all []listener
	if p.resyncAt != 0 && n >= p.resyncAt {
		p.resyncAt = 0
		for _, set := range p.listeners {
			for l := range set {
				all = append(all, l)
			}
		}
	}
	p.mu.Unlock()
	for _, l := range all {
		l.resync()
	}
}
