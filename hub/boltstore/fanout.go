package boltstore

import "sync"

// subscriberBuffer is how many published messages wait for a slow subscriber before further
// messages to it are dropped (Publish is best effort).
const subscriberBuffer = 1024

// fanout is the in-process notification of one file: it wakes the follows of a case after an
// append commits, and carries Publish messages to subscribers. It holds no records: a woken
// follow reads what is new from the file, so a wake-up can never be out of order or lost.
type fanout struct {
	mu      sync.Mutex
	follows map[string]map[chan struct{}]struct{} // by case id; each channel has capacity 1
	subs    map[string]map[chan []byte]struct{}   // by channel name
}

func newFanout() *fanout {
	return &fanout{
		follows: map[string]map[chan struct{}]struct{}{},
		subs:    map[string]map[chan []byte]struct{}{},
	}
}

// watch returns a channel that receives a signal after every commit to caseID's log, and a
// function that stops the watch.
func (f *fanout) watch(caseID string) (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	set := f.follows[caseID]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		f.follows[caseID] = set
	}
	set[c] = struct{}{}
	return c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(set, c)
		if len(set) == 0 && f.follows[caseID] != nil && len(f.follows[caseID]) == 0 {
			delete(f.follows, caseID)
		}
	}
}

// wake signals every watch of caseID without blocking: a pending signal already covers it.
func (f *fanout) wake(caseID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.follows[caseID] {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// subscribe returns a buffered channel receiving the messages published on channel, and a
// function that ends the subscription.
func (f *fanout) subscribe(channel string) (<-chan []byte, func()) {
	c := make(chan []byte, subscriberBuffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	set := f.subs[channel]
	if set == nil {
		set = map[chan []byte]struct{}{}
		f.subs[channel] = set
	}
	set[c] = struct{}{}
	return c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(set, c)
		if len(set) == 0 && f.subs[channel] != nil && len(f.subs[channel]) == 0 {
			delete(f.subs, channel)
		}
	}
}

// publish hands msg to every subscriber of channel; a subscriber whose buffer is full misses
// it.
func (f *fanout) publish(channel string, msg []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs[channel] {
		select {
		case c <- msg:
		default:
		}
	}
}
