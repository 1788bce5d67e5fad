package storetest_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestSuiteOnEmbeddedStore runs the suite on the cheapest real backend, so that a change to
// the suite is checked by `go test ./hub/storetest/` itself; every backend runs it again in
// its own package.
func TestSuiteOnEmbeddedStore(t *testing.T) {
	open := func(t *testing.T, path string) *boltstore.Store {
		t.Helper()
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		path := filepath.Join(t.TempDir(), "tafel.db")
		return func() hub.Store { return open(t, path) }
	})
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		path := filepath.Join(t.TempDir(), "tafel.db")
		return func() kv.Store { return open(t, path) }
	})
}
