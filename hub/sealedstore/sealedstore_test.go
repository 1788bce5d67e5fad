package sealedstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const keyA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func master(t testing.TB, text string) *sealedstore.FileMaster {
	t.Helper()
	m, err := sealedstore.ParseMasterKeys(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func openSealed(t testing.TB, dir string) *sealedstore.Store {
	t.Helper()
	b, err := boltstore.Open(filepath.Join(dir, "tafel.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sealedstore.OpenFileKeys(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sealedstore.New(t.Context(), b, sealedstore.Options{Keys: keys, Master: master(t, keyA),
		CaseOf: func(bucket, key string) string {
			if c, ok := strings.CutPrefix(bucket, "case-members:"); ok {
				return c
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestConformance: the sealed store keeps both store contracts (over bbolt).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		dir := t.TempDir()
		return func() hub.Store { return openSealed(t, dir) }
	})
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		dir := t.TempDir()
		return func() kv.Store { return openSealed(t, dir) }
	})
}

func TestParseMasterKeys(t *testing.T) {
	keyB := strings.Repeat("ab", 32)
	m := master(t, "# Tafel master keys\n"+keyB+"\n\n"+keyA+"\n")
	if ids := m.IDs(); len(ids) != 2 || ids[0] != m.ID() {
		t.Fatalf("IDs = %v, want two, the current (%s) first", ids, m.ID())
	}
	if m2 := master(t, keyB+","+keyA); m2.ID() != m.ID() {
		t.Fatal("the comma-separated form names another current key")
	}
	for name, text := range map[string]string{"empty": "\n# nothing\n", "short": "abcd", "not hex": strings.Repeat("zz", 32)} {
		if _, err := sealedstore.ParseMasterKeys(text); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if err := sealedstore.GenerateMasterKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if err := sealedstore.GenerateMasterKeyFile(path); err == nil {
		t.Fatal("GenerateMasterKeyFile overwrote a key file")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v, %v", fi, err)
	}
	if _, err := sealedstore.LoadMasterKeyFile(path); err != nil {
		t.Fatal(err)
	}
	// A wrapped key opens only with its master key and for its own context.
	ctx := context.Background()
	w, _ := m.Wrap(ctx, []byte("case key"), []byte("case 1"))
	if _, err := m.Unwrap(ctx, m.ID(), w, []byte("case 2")); err == nil {
		t.Fatal("a wrapped key opened for another case")
	}
	if _, err := m.Unwrap(ctx, "unknown", w, []byte("case 1")); !errors.Is(err, sealedstore.ErrUnknownMasterKey) {
		t.Fatalf("Unwrap with an unknown key id: %v", err)
	}
}

// TestRecordsBoundToTheirPlace: a sealed record copied to another sequence or case does not
// open; data written before encryption is read as it is.
func TestRecordsBoundToTheirPlace(t *testing.T) {
	dir := t.TempDir()
	s := openSealed(t, dir)
	ctx := t.Context()
	if _, err := s.Append(ctx, "c1", 0, "cmd1", [][]byte{[]byte(`{"n":1}`), []byte(`{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Backend.Read(ctx, "c1", 0, 0)
	if err != nil || len(raw) != 2 || bytes.Contains(raw[0].Data, []byte(`"n"`)) {
		t.Fatalf("backend holds %v, %v; want ciphertext", raw, err)
	}
	// Replay record 1's ciphertext as record 3.
	if _, err := s.Backend.Append(ctx, "c1", 2, "cmd2", [][]byte{raw[0].Data}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, "c1", 2, 0); err == nil {
		t.Fatal("a record moved to another sequence opened")
	}
	// Plain JSON from before encryption passes through.
	if _, err := s.Backend.Append(ctx, "legacy", 0, "old", [][]byte{[]byte(`{"old":true}`)}); err != nil {
		t.Fatal(err)
	}
	if recs, err := s.Read(ctx, "legacy", 0, 0); err != nil || string(recs[0].Data) != `{"old":true}` {
		t.Fatalf("legacy record: %v, %v", recs, err)
	}
	// KV values of a case are sealed, others are not.
	if err := s.Put(ctx, "case-members:c1", "u1", []byte("Vera")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "accounts", "u1", []byte("Vera")); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Backend.Get(ctx, "case-members:c1", "u1"); bytes.Contains(v, []byte("Vera")) {
		t.Fatal("a case's KV value is stored in plain text")
	}
	if v, _ := s.Backend.Get(ctx, "accounts", "u1"); string(v) != "Vera" {
		t.Fatalf("a KV value outside cases is %q, want it as it is", v)
	}
	if v, err := s.Get(ctx, "case-members:c1", "u1"); err != nil || string(v) != "Vera" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	// The key file holds the case key wrapped, never in the clear; a reopened file has it.
	b, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil || !bytes.Contains(b, []byte(`"c1"`)) {
		t.Fatalf("keys.json = %s, %v", b, err)
	}
}
