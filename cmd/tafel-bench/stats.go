package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// workerStats are what a worker measured since its last reset.
type workerStats struct {
	measuring atomic.Bool

	mu      sync.Mutex
	lat     Hist // delivery latency of live events of generator commands, measured clients
	ack     Hist // command sent → ack
	resume  Hist // connection lost → welcomed again
	commit  Hist // P6: a simultaneous score.submit → its ack
	nacks   map[string]int
	closes  map[int]int
	started time.Time

	deliveries     atomic.Uint64 // events counted in lat
	frames, bytes  atomic.Uint64
	views          atomic.Uint64
	presence       atomic.Uint64
	sent, acks     atomic.Uint64
	dupAcks        atomic.Uint64
	reconnects     atomic.Uint64
	reconnectFails atomic.Uint64
	resent         atomic.Uint64 // unanswered commands sent again after a resume
	skipped        atomic.Uint64 // ticks without a command: the round's opening not yet acknowledged
}

func newWorkerStats() *workerStats {
	s := &workerStats{}
	s.reset()
	return s
}

func (s *workerStats) reset() {
	s.mu.Lock()
	s.lat, s.ack, s.resume, s.commit = Hist{}, Hist{}, Hist{}, Hist{}
	s.nacks, s.closes = map[string]int{}, map[int]int{}
	s.started = time.Now()
	s.mu.Unlock()
	for _, c := range []*atomic.Uint64{&s.deliveries, &s.frames, &s.bytes, &s.views, &s.presence,
		&s.sent, &s.acks, &s.dupAcks, &s.reconnects, &s.reconnectFails, &s.resent, &s.skipped} {
		c.Store(0)
	}
}

func (s *workerStats) addLatency(d time.Duration) {
	s.deliveries.Add(1)
	s.mu.Lock()
	s.lat.Add(d)
	s.mu.Unlock()
}

func (s *workerStats) addAck(d time.Duration) {
	s.mu.Lock()
	s.ack.Add(d)
	s.mu.Unlock()
}

func (s *workerStats) addCommit(d time.Duration) {
	s.mu.Lock()
	s.commit.Add(d)
	s.mu.Unlock()
}

func (s *workerStats) addResume(d time.Duration) {
	s.mu.Lock()
	s.resume.Add(d)
	s.mu.Unlock()
}

func (s *workerStats) addNack(kind, code string) {
	s.mu.Lock()
	s.nacks[kind+":"+code]++
	s.mu.Unlock()
}

func (s *workerStats) addClose(code int) {
	s.mu.Lock()
	s.closes[code]++
	s.mu.Unlock()
}

// Snapshot is the JSON form of workerStats, summed over workers by the coordinator.
type Snapshot struct {
	Seconds        float64        `json:"seconds"`
	Lat            Hist           `json:"lat"`
	Ack            Hist           `json:"ack"`
	Resume         Hist           `json:"resume"`
	Commit         Hist           `json:"commit"`
	Nacks          map[string]int `json:"nacks"`
	Closes         map[int]int    `json:"closes"`
	Deliveries     uint64         `json:"deliveries"`
	Frames         uint64         `json:"frames"`
	Bytes          uint64         `json:"bytes"`
	Views          uint64         `json:"views"`
	Sent           uint64         `json:"sent"`
	Acks           uint64         `json:"acks"`
	DupAcks        uint64         `json:"dupAcks"`
	Reconnects     uint64         `json:"reconnects"`
	ReconnectFails uint64         `json:"reconnectFails"`
	Resent         uint64         `json:"resent"`
	Skipped        uint64         `json:"skipped"`
}

func (s *workerStats) snapshot() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &Snapshot{Seconds: time.Since(s.started).Seconds(), Lat: s.lat, Ack: s.ack, Resume: s.resume, Commit: s.commit,
		Nacks: map[string]int{}, Closes: map[int]int{},
		Deliveries: s.deliveries.Load(), Frames: s.frames.Load(), Bytes: s.bytes.Load(), Views: s.views.Load(),
		Sent: s.sent.Load(), Acks: s.acks.Load(), DupAcks: s.dupAcks.Load(), Reconnects: s.reconnects.Load(),
		ReconnectFails: s.reconnectFails.Load(), Resent: s.resent.Load(), Skipped: s.skipped.Load()}
	// Copy the histograms' maps: the caller encodes them after the lock is released.
	out.Lat.Counts, out.Ack.Counts = cloneCounts(s.lat.Counts), cloneCounts(s.ack.Counts)
	out.Resume.Counts, out.Commit.Counts = cloneCounts(s.resume.Counts), cloneCounts(s.commit.Counts)
	for k, v := range s.nacks {
		out.Nacks[k] = v
	}
	for k, v := range s.closes {
		out.Closes[k] = v
	}
	return out
}

func cloneCounts(m map[int]uint64) map[int]uint64 {
	out := make(map[int]uint64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// merge adds o to s (Seconds is the longest).
func (s *Snapshot) merge(o *Snapshot) {
	s.Seconds = max(s.Seconds, o.Seconds)
	s.Lat.Merge(&o.Lat)
	s.Ack.Merge(&o.Ack)
	s.Resume.Merge(&o.Resume)
	s.Commit.Merge(&o.Commit)
	if s.Nacks == nil {
		s.Nacks = map[string]int{}
	}
	if s.Closes == nil {
		s.Closes = map[int]int{}
	}
	for k, v := range o.Nacks {
		s.Nacks[k] += v
	}
	for k, v := range o.Closes {
		s.Closes[k] += v
	}
	s.Deliveries += o.Deliveries
	s.Frames += o.Frames
	s.Bytes += o.Bytes
	s.Views += o.Views
	s.Sent += o.Sent
	s.Acks += o.Acks
	s.DupAcks += o.DupAcks
	s.Reconnects += o.Reconnects
	s.ReconnectFails += o.ReconnectFails
	s.Resent += o.Resent
	s.Skipped += o.Skipped
}
