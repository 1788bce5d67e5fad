package main

import (
	"os"
	"path/filepath"
	"time"
)

// fsyncProbe measures the latency of a 4 KiB write followed by fsync in dir, n times: the
// floor under every durable append of the embedded store and of Redis with appendfsync
// always, on this machine's disk, while other work shares it.
func fsyncProbe(dir string, n int) (p50, p99 float64) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, 0
	}
	defer os.Remove(filepath.Clean(f.Name()))
	defer f.Close()
	buf := make([]byte, 4096)
	var h Hist
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, int64(i%64)*4096); err != nil {
			return 0, 0
		}
		if err := f.Sync(); err != nil {
			return 0, 0
		}
		h.Add(time.Since(t0))
	}
	return round3(h.Quantile(0.5)), round3(h.Quantile(0.99))
}
