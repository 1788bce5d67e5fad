package boltstore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
)

// TestPrivacy runs the privacy suite on a bbolt file: "live" is the file after compaction,
// "lingering" the file as it is, freed pages included; a copy is a copy of the file. The keys
// live in their own file, as in production.
func TestPrivacy(t *testing.T) {
	storetest.RunPrivacy(t, func(t *testing.T) storetest.Backing {
		dir := t.TempDir()
		path := filepath.Join(dir, "tafel.db")
		keys, err := sealedstore.OpenFileKeys(filepath.Join(dir, "keys.json"))
		if err != nil {
			t.Fatal(err)
		}
		openAt := func(p string) func() sealedstore.Backend {
			return func() sealedstore.Backend { return opener(t, p)() }
		}
		read := func(p string) []byte {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		n := 0
		return storetest.Backing{
			Open: openAt(path),
			Keys: keys,
			Live: func() []byte {
				n++
				dst := filepath.Join(dir, "compacted-"+string(rune('a'+n))+".db")
				if err := boltstore.Compact(dst, path); err != nil {
					t.Fatal(err)
				}
				return read(dst)
			},
			Lingering: func() []byte { return read(path) },
			Copy: func() func() sealedstore.Backend {
				dst := filepath.Join(dir, "backup.db")
				if err := os.WriteFile(dst, read(path), 0o600); err != nil {
					t.Fatal(err)
				}
				return openAt(dst)
			},
		}
	})
}
