package redisstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

// BenchmarkAppend appends one-event commands to one case, one after another, with Redis
// writing its AOF with appendfsync always (fsync before the reply) and everysec.
func BenchmarkAppend(b *testing.B) {
	event := []byte(`{"type":"score.submitted","payload":{"subject":"Janna","value":6}}`)
	for _, fsync := range []string{"always", "everysec"} {
		b.Run("appendfsync="+fsync, func(b *testing.B) {
			srv := redistest.Start(b, "--appendfsync", fsync)
			s := benchStore(b, srv.URL())
			var seq uint64
			for b.Loop() {
				if _, err := s.Append(b.Context(), "bench", seq, fmt.Sprint("cmd-", seq), [][]byte{event}); err != nil {
					b.Fatal(err)
				}
				seq++
			}
		})
	}
}

// BenchmarkAppendParallel appends from many goroutines, each to its own case (Redis groups
// the fsyncs of commands that arrive together).
func BenchmarkAppendParallel(b *testing.B) {
	event := []byte(`{"type":"score.submitted","payload":{"subject":"Janna","value":6}}`)
	for _, fsync := range []string{"always", "everysec"} {
		b.Run("appendfsync="+fsync, func(b *testing.B) {
			srv := redistest.Start(b, "--appendfsync", fsync)
			s := benchStore(b, srv.URL())
			var cases atomic.Int64
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				caseID := fmt.Sprint("bench-", cases.Add(1))
				var seq uint64
				for pb.Next() {
					if _, err := s.Append(b.Context(), caseID, seq, fmt.Sprint("cmd-", seq), [][]byte{event}); err != nil {
						b.Error(err)
						return
					}
					seq++
				}
			})
		})
	}
}
