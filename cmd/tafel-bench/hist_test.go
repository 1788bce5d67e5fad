package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 511, 1023, 1024, 1025, 2047, 2048, 5000, 123456, 1 << 30, 3_600_000_000} {
		b := bucketOf(v)
		hi := bucketValue(b)
		if hi < v {
			t.Errorf("bucket %d of %d ends at %d, below the value", b, v, hi)
		}
		if v >= 1024 && float64(hi-v)/float64(v) > 1.0/histSub*2 {
			t.Errorf("bucket of %d ends at %d: more than %.2f%% above", v, hi, 200.0/histSub)
		}
		if b > 0 && bucketValue(b-1) >= v {
			t.Errorf("value %d also fits the bucket below (%d ends at %d)", v, b-1, bucketValue(b-1))
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Hist
	for i := 1; i <= 1000; i++ {
		h.Add(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		name string
		q    float64
		want float64 // ms
	}{
		{"median", 0.5, 500},
		{"p99", 0.99, 990},
		{"p99.9", 0.999, 999},
		{"max", 1, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := h.Quantile(tc.q)
			if math.Abs(got-tc.want)/tc.want > 0.005 {
				t.Errorf("got %.3f ms, want %.3f ms within 0.5%%", got, tc.want)
			}
		})
	}
	if got, want := h.Mean(), 500.5; math.Abs(got-want) > 0.01 {
		t.Errorf("mean: got %.3f, want %.3f", got, want)
	}
}

func TestMergeAddsCounts(t *testing.T) {
	var a, b Hist
	a.Add(time.Millisecond)
	b.Add(3 * time.Millisecond)
	b.Add(5 * time.Millisecond)
	a.Merge(&b)
	if a.N != 3 || a.Max != 5000 {
		t.Fatalf("got N=%d max=%d, want N=3 max=5000", a.N, a.Max)
	}
	if got := a.Quantile(0.5); math.Abs(got-3) > 0.01 {
		t.Errorf("median: got %.3f ms, want 3", got)
	}
}

func TestEventsFrameLatencyAndSequence(t *testing.T) {
	w := &worker{st: newWorkerStats(), instances: []string{"ws://x"}, unslow: make(chan struct{})}
	w.st.measuring.Store(true)
	mt := &meetingRun{spec: &meetingSpec{Case: "c"}}
	c := newClient(w, &clientSpec{}, mt)
	mt.chair = c
	c.measured.Store(true)
	sent := time.Now().Add(-3 * time.Millisecond)
	frame := []byte(`{"type":"events","events":[` +
		`{"seq":7,"id":"b` + itoa64(sent.UnixNano()) + `-0-1:0","type":"score.submitted","data":{"seq":99}},` +
		`{"seq":8,"id":"other:0","type":"fact.added"},` +
		`{"seq":8,"id":"other:0","type":"fact.added"}]}`)
	c.events(frame, time.Now())
	if got := w.st.deliveries.Load(); got != 1 {
		t.Fatalf("deliveries: got %d, want 1 (only ids with a send time count)", got)
	}
	if got := w.st.lat.Quantile(1); got < 3 || got > 1000 {
		t.Errorf("latency: got %.3f ms, want about 3", got)
	}
	if c.last != 8 || c.dups != 1 {
		t.Errorf("got last %d and %d duplicates, want 8 and 1", c.last, c.dups)
	}
	c.events([]byte(`{"type":"events","events":[{"seq":5,"id":"x:0"}]}`), time.Now())
	if c.reorders != 1 {
		t.Errorf("an older sequence after a newer one: got %d reorders, want 1", c.reorders)
	}
	c.catchingUp = true
	c.events([]byte(`{"type":"events","events":[{"seq":9,"id":"b`+itoa64(sent.UnixNano())+`-0-2:0"}]}`), time.Now())
	if got := w.st.deliveries.Load(); got != 1 {
		t.Errorf("catch-up events counted in the latency: got %d deliveries, want 1", got)
	}
}

func itoa64(n int64) string {
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func TestPlotWritesPNG(t *testing.T) {
	var h Hist
	for i := 1; i <= 100; i++ {
		h.Add(time.Duration(i) * 100 * time.Microsecond)
	}
	path := filepath.Join(t.TempDir(), "cdf.png")
	if err := plotLatency(path, "test", "ms", []series{{label: "a", hist: h}, {label: "empty"}}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if img.Bounds().Dx() < 1000 {
		t.Errorf("got width %d, want the full plot", img.Bounds().Dx())
	}
	if err := plotLatency(path, "test", "ms", []series{{label: "empty"}}); err == nil {
		t.Error("a plot without data: got no error")
	}
}
