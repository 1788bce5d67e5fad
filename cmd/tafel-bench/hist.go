package main

import (
	"math"
	"math/bits"
	"time"
)

// histSub is the number of linear sub-buckets per power of two: values are kept with a
// relative error below 1/histSub (0.2 %), as in HdrHistogram with 3 significant digits.
const (
	histSubBits = 9
	histSub     = 1 << histSubBits
)

// Hist is a log-linear histogram of durations in microseconds. The zero value is empty and
// ready; two histograms merge by adding counts, so workers send theirs to the coordinator.
type Hist struct {
	Counts map[int]uint64 `json:"c"` // bucket index → count
	N      uint64         `json:"n"`
	Max    uint64         `json:"max"` // µs
	Sum    float64        `json:"sum"` // µs
}

func bucketOf(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits - 1 // v>>shift is in [histSub, 2·histSub)
	return 2*histSub + (shift-1)*histSub + int(v>>shift) - histSub
}

// bucketValue is the largest value of bucket b (so quantiles never understate).
func bucketValue(b int) uint64 {
	if b < 2*histSub {
		return uint64(b)
	}
	b -= 2 * histSub
	shift := b/histSub + 1
	mant := uint64(b%histSub + histSub)
	return (mant+1)<<shift - 1
}

// Add records one duration (negative durations count as 0).
func (h *Hist) Add(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.AddMicros(uint64(us))
}

// AddMicros records one value in microseconds.
func (h *Hist) AddMicros(us uint64) {
	if h.Counts == nil {
		h.Counts = map[int]uint64{}
	}
	h.Counts[bucketOf(us)]++
	h.N++
	h.Sum += float64(us)
	if us > h.Max {
		h.Max = us
	}
}

// Merge adds o's counts to h.
func (h *Hist) Merge(o *Hist) {
	if o == nil || o.N == 0 {
		return
	}
	if h.Counts == nil {
		h.Counts = map[int]uint64{}
	}
	for b, n := range o.Counts {
		h.Counts[b] += n
	}
	h.N += o.N
	h.Sum += o.Sum
	h.Max = max(h.Max, o.Max)
}

// sortedBuckets returns the bucket indexes in increasing order.
func (h *Hist) sortedBuckets() []int {
	lo, hi := math.MaxInt, -1
	for b := range h.Counts {
		lo, hi = min(lo, b), max(hi, b)
	}
	var out []int
	if hi < 0 {
		return out
	}
	// The map is sparse but bounded (a few thousand buckets at most): walk the range.
	for b := lo; b <= hi; b++ {
		if h.Counts[b] > 0 {
			out = append(out, b)
		}
	}
	return out
}

// Quantile returns the q-quantile (0 < q ≤ 1) in milliseconds, or 0 for an empty histogram.
func (h *Hist) Quantile(q float64) float64 {
	if h.N == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.N)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for _, b := range h.sortedBuckets() {
		seen += h.Counts[b]
		if seen >= rank {
			return float64(min(bucketValue(b), h.Max)) / 1000
		}
	}
	return float64(h.Max) / 1000
}

// Mean returns the mean in milliseconds.
func (h *Hist) Mean() float64 {
	if h.N == 0 {
		return 0
	}
	return h.Sum / float64(h.N) / 1000
}

// CDF returns (milliseconds, cumulative fraction) points, one per non-empty bucket.
func (h *Hist) CDF() (xs, ys []float64) {
	var seen uint64
	for _, b := range h.sortedBuckets() {
		seen += h.Counts[b]
		xs = append(xs, float64(min(bucketValue(b), h.Max))/1000)
		ys = append(ys, float64(seen)/float64(h.N))
	}
	return xs, ys
}
