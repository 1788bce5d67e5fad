package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// TestReopen closes the file and opens it again: the logs, the command ids, the KV entries and
// the KV logs are all still there.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tafel.db")
	open := opener(t, path)
	ctx := t.Context()

	s := open()
	if _, err := s.Append(ctx, "case-1", 0, "cmd-1", [][]byte{[]byte("e1"), []byte("e2")}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := s.Put(ctx, "accounts", "anna", []byte("A")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if ok, err := s.PutIfAbsent(ctx, "spent", "jti", []byte("1"), time.Hour); !ok || err != nil {
		t.Fatalf("PutIfAbsent = %v, %v", ok, err)
	}
	if _, err := s.AppendLog(ctx, "access", []byte("read case-1")); err != nil {
		t.Fatalf("AppendLog: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Head(ctx, "case-1"); !errors.Is(err, hub.ErrUnavailable) {
		t.Fatalf("Head after Close: got %v, want ErrUnavailable", err)
	}

	s = open()
	defer s.Close()
	recs, err := s.Read(ctx, "case-1", 0, 0)
	if err != nil || len(recs) != 2 || string(recs[0].Data) != "e1" || string(recs[1].Data) != "e2" || recs[1].Seq != 2 || recs[1].CommandID != "cmd-1" {
		t.Fatalf("Read after reopen = %+v, %v; want e1, e2 of cmd-1", recs, err)
	}
	res, err := s.Append(ctx, "case-1", 0, "cmd-1", [][]byte{[]byte("again")})
	if err != nil || res != (hub.AppendResult{First: 1, Last: 2, Duplicate: true}) {
		t.Fatalf("repeated command after reopen = %+v, %v; want the original result as a duplicate", res, err)
	}
	if v, err := s.Get(ctx, "accounts", "anna"); err != nil || string(v) != "A" {
		t.Fatalf("Get after reopen = %q, %v; want A", v, err)
	}
	if ok, err := s.PutIfAbsent(ctx, "spent", "jti", []byte("2"), time.Hour); ok || err != nil {
		t.Fatalf("PutIfAbsent of a spent key after reopen = %v, %v; want false", ok, err)
	}
	entries, err := s.ReadLog(ctx, "access", 0, 0)
	if err != nil || len(entries) != 1 || entries[0].Seq != 1 || string(entries[0].Data) != "read case-1" {
		t.Fatalf("ReadLog after reopen = %+v, %v", entries, err)
	}
}

// TestSharedHandle opens one path twice: both Stores work, and the file stays open until the
// last one is closed.
func TestSharedHandle(t *testing.T) {
	open := opener(t, filepath.Join(t.TempDir(), "tafel.db"))
	a, b := open(), open()
	ctx := context.Background()
	if err := a.Close(); err != nil {
		t.Fatalf("Close a: %v", err)
	}
	if _, err := b.Append(ctx, "case-1", 0, "cmd-1", [][]byte{[]byte("e")}); err != nil {
		t.Fatalf("Append on b after a closed: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close b: %v", err)
	}
	c := open()
	defer c.Close()
	if h, err := c.Head(ctx, "case-1"); err != nil || h != 1 {
		t.Fatalf("Head after reopening = %d, %v; want 1", h, err)
	}
}
