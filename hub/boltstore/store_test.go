package boltstore_test

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

// opener returns a function that opens the bbolt file at path.
func opener(t *testing.T, path string) func() *boltstore.Store {
	return func() *boltstore.Store {
		t.Helper()
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatalf("Open(%q): %v", path, err)
		}
		return s
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		open := opener(t, filepath.Join(t.TempDir(), "tafel.db"))
		return func() hub.Store { return open() }
	})
}

func TestConformanceKV(t *testing.T) {
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		open := opener(t, filepath.Join(t.TempDir(), "tafel.db"))
		return func() kv.Store { return open() }
	})
}
