package sealedstore_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
)

// event is an encoded event of about 400 bytes, the size of a score with its explanations.
var event = []byte(`{"seq":1,"id":"c:0","type":"score.submitted","time":"2026-12-03T10:00:00Z","actor":"i:moeder",` +
	`"meeting":"m1","visibility":"all","data":{"meeting":"m1","round":"m1-r1","participant":"i:moeder","subject":"janna",` +
	`"score":{"value":6,"abstain":false,"meaning":"` + strings.Repeat("Janna slaapt weer door. ", 8) + `","notHigher":"Nog onrustig.","role":"family"}}}`)

// stores returns the plain bbolt store and the same sealed, on one file each.
func stores(b *testing.B) map[string]hub.Store {
	plainDir, sealedDir := b.TempDir(), b.TempDir()
	plain, err := boltstore.Open(filepath.Join(plainDir, "tafel.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = plain.Close() })
	sealed := openSealed(b, sealedDir)
	return map[string]hub.Store{"plain": plain, "sealed": sealed}
}

// BenchmarkAppend: one event per append, committed and fsynced, with and without encryption.
func BenchmarkAppend(b *testing.B) {
	for _, name := range []string{"plain", "sealed"} {
		b.Run(name, func(b *testing.B) {
			s := stores(b)[name]
			b.SetBytes(int64(len(event)))
			for i := range b.N {
				if _, err := s.Append(b.Context(), "c1", uint64(i), fmt.Sprint("cmd", i), [][]byte{event}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRead: reading a case of 500 events (loading a room), with and without encryption.
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"plain", "sealed"} {
		b.Run(name, func(b *testing.B) {
			s := stores(b)[name]
			evs := make([][]byte, 500)
			for i := range evs {
				evs[i] = event
			}
			if _, err := s.Append(b.Context(), "c1", 0, "load", evs); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(500 * len(event)))
			b.ResetTimer()
			for range b.N {
				if recs, err := s.Read(b.Context(), "c1", 0, 0); err != nil || len(recs) != 500 {
					b.Fatal(len(recs), err)
				}
			}
		})
	}
}
