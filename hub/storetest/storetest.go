// Package storetest is the conformance suite every store backend passes: Run checks a
// hub.Store, RunKV a kv.Store. A backend's test calls them with a factory that prepares fresh
// backing data for one test:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) func() hub.Store {
//			path := filepath.Join(t.TempDir(), "tafel.db")
//			return func() hub.Store { return mustOpen(t, path) }
//		})
//	}
//
// The factory is called once per subtest; the open function it returns may be called several
// times and must return a new instance on the SAME backing data each time, the way a second
// Tafel instance shares the first one's Redis. The suite closes every instance it opens (Close
// may be called twice). It never asserts timing: waits poll with a generous deadline.
package storetest

import (
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Factory prepares fresh, empty backing data for one test and returns open, which opens a new
// hub.Store instance on that data each time it is called. open fails the test itself (with
// t.Fatal) when it cannot open.
type Factory func(t *testing.T) (open func() hub.Store)

// KVFactory is Factory for kv.Store.
type KVFactory func(t *testing.T) (open func() kv.Store)

// waitFor is how long the suite waits for something that should happen promptly (a delivery,
// an expiry) before it fails; it is a deadline against hangs, not a speed requirement.
const waitFor = 20 * time.Second

// eventually polls cond until it holds or waitFor passes.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up after %v waiting for %s", waitFor, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
