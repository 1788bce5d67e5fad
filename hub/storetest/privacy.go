package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Backing is one backend's data for RunPrivacy, with the ways to look at it from outside.
type Backing struct {
	// Open opens a new backend instance on the data (closed by the suite).
	Open func() sealedstore.Backend
	// Keys is where the case keys are kept: apart from the data, as in production.
	Keys sealedstore.KeyStore
	// Live returns every byte the data holds now, as an operator with file or Redis access
	// reads it: the bbolt file after compaction; Redis by SCAN and DUMP of every key. It is
	// called while no instance is open.
	Live func() []byte
	// Lingering returns what may still hold older data: the bbolt file as it is (freed pages
	// included); Redis's append-only file. It is called while no instance is open.
	Lingering func() []byte
	// Copy takes a copy of the data as it is now (a backup) and returns an opener of a
	// backend on the copy. It is called while no instance is open.
	Copy func() (open func() sealedstore.Backend)
}

// PrivacyFactory prepares fresh, empty backing data for one privacy test.
type PrivacyFactory func(t *testing.T) Backing

// RunPrivacy checks what encryption at rest (hub/sealedstore) and deletion promise on a
// backend: case content is never in the data as plain text; after a case is deleted nothing
// of it is in the live data and what lingers cannot be read, while other cases are untouched;
// a copy taken before the deletion cannot be read for that case; a master-key rotation keeps
// every case readable.
func RunPrivacy(t *testing.T, factory PrivacyFactory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backing)
	}{
		{"NoCanaryAfterDeletion", testNoCanaryAfterDeletion},
		{"CopyBeforeDeletionUnreadable", testCopyBeforeDeletion},
		{"MasterKeyRotation", testMasterKeyRotation},
		{"DeletionReachesEveryInstance", testDeletionReachesEveryInstance},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, factory(t)) })
	}
}

// caseOfTest is the suite's rule of which KV values belong to a case: the case index and the
// case's own buckets, as the server files them.
func caseOfTest(bucket, key string) string {
	if bucket == "cases" {
		return key
	}
	if c, ok := strings.CutPrefix(bucket, "case-data:"); ok {
		return c
	}
	return ""
}

func newMaster(t *testing.T, keys ...string) *sealedstore.FileMaster {
	t.Helper()
	m, err := sealedstore.ParseMasterKeys(strings.Join(keys, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sealed opens a sealed store on a new backend instance, closed at the end of the test (and
// by the caller when it wants the data at rest).
func sealed(t *testing.T, open func() sealedstore.Backend, keys sealedstore.KeyStore, master sealedstore.MasterKey) *sealedstore.Store {
	t.Helper()
	s, err := sealedstore.New(t.Context(), open(), sealedstore.Options{Keys: keys, Master: master, CaseOf: caseOfTest})
	if err != nil {
		t.Fatalf("sealedstore.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// caseContent is what the suite writes of one case, every piece holding the case's canary.
type caseContent struct {
	id, canary string
}

func newCase(id string) caseContent {
	return caseContent{id: id, canary: "KANARIE-" + id + "-" + randomHex(12)}
}

// write puts the case's content in every place a case has: its log, presence, its index
// entry, a bucket of its own, and a sealed name in a log of its own.
func (c caseContent) write(t *testing.T, s *sealedstore.Store) {
	t.Helper()
	ctx := t.Context()
	events := [][]byte{
		fmt.Appendf(nil, `{"type":"case.created","data":{"title":"Casus %s","subjects":[{"name":"Janna %s"}]}}`, c.canary, c.canary),
		fmt.Appendf(nil, `{"type":"fact.added","data":{"text":"Moeder %s vertelt dat"}}`, c.canary),
	}
	if _, err := s.Append(ctx, c.id, 0, "create-"+c.id, events); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := s.SetPresence(ctx, c.id, "conn-"+c.id, fmt.Appendf(nil, `{"name":"Moeder %s"}`, c.canary), time.Hour); err != nil {
		t.Fatalf("SetPresence: %v", err)
	}
	if err := s.Put(ctx, "cases", c.id, fmt.Appendf(nil, `{"title":"Casus %s"}`, c.canary)); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if _, err := s.PutIfAbsent(ctx, "case-data:"+c.id, "inv-1", fmt.Appendf(nil, `{"name":"Moeder %s"}`, c.canary), 0); err != nil {
		t.Fatalf("PutIfAbsent: %v", err)
	}
	// Presence is not durable everywhere (the embedded store keeps it in memory): checked now.
	if p, err := s.Presence(ctx, c.id); err != nil || !bytes.Contains(p["conn-"+c.id], []byte(c.canary)) {
		t.Fatalf("Presence(%s) = %q, %v", c.id, p, err)
	}
	name, err := s.SealText(ctx, c.id, "Moeder "+c.canary)
	if err != nil {
		t.Fatalf("SealText: %v", err)
	}
	if _, err := s.AppendLog(ctx, "audit:case:"+c.id, fmt.Appendf(nil, `{"name":%q}`, name)); err != nil {
		t.Fatalf("AppendLog: %v", err)
	}
}

// check reads the case back through s and requires its canary everywhere it was written.
func (c caseContent) check(t *testing.T, s *sealedstore.Store) {
	t.Helper()
	ctx := t.Context()
	recs, err := s.Read(ctx, c.id, 0, 0)
	if err != nil || len(recs) != 2 || !bytes.Contains(recs[1].Data, []byte(c.canary)) {
		t.Fatalf("Read(%s) = %d records, %v; want both, with the canary", c.id, len(recs), err)
	}
	if v, err := s.Get(ctx, "cases", c.id); err != nil || !bytes.Contains(v, []byte(c.canary)) {
		t.Fatalf("Get(cases, %s) = %q, %v", c.id, v, err)
	}
	if all, err := s.List(ctx, "case-data:"+c.id); err != nil || !bytes.Contains(all["inv-1"], []byte(c.canary)) {
		t.Fatalf("List(case-data:%s) = %q, %v", c.id, all, err)
	}
}

// ciphertexts returns the sealed bytes the backend holds for the case's records.
func (c caseContent) ciphertexts(t *testing.T, b sealedstore.Backend) [][]byte {
	t.Helper()
	recs, err := b.Read(t.Context(), c.id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, r := range recs {
		out = append(out, r.Data)
	}
	return out
}

// deleteCase deletes the case as the server does: its records and key, its buckets.
func (c caseContent) delete(t *testing.T, s *sealedstore.Store) {
	t.Helper()
	ctx := t.Context()
	if err := s.DeleteCase(ctx, c.id); err != nil {
		t.Fatalf("DeleteCase: %v", err)
	}
	if err := s.DeleteBucket(ctx, "case-data:"+c.id); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if err := s.Delete(ctx, "cases", c.id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func requireAbsent(t *testing.T, where string, data []byte, needles ...[]byte) {
	t.Helper()
	if len(data) == 0 {
		t.Fatalf("%s: nothing to look at", where)
	}
	for _, n := range needles {
		if bytes.Contains(data, n) {
			t.Fatalf("%s holds %q", where, truncate(n))
		}
	}
}

func requirePresent(t *testing.T, where string, data []byte, needles ...[]byte) {
	t.Helper()
	for _, n := range needles {
		if !bytes.Contains(data, n) {
			t.Fatalf("%s lacks %q (the check would not see it)", where, truncate(n))
		}
	}
}

func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

func testNoCanaryAfterDeletion(t *testing.T, b Backing) {
	master := newMaster(t, randomHex(32))
	gone, kept := newCase("weg"), newCase("blijft")
	// A plain value outside any case: the way of looking finds what is stored in plain text.
	control := "CONTROLE-" + randomHex(12)
	s := sealed(t, b.Open, b.Keys, master)
	gone.write(t, s)
	kept.write(t, s)
	if err := s.Put(t.Context(), "accounts", "a1", []byte(`{"name":"`+control+`"}`)); err != nil {
		t.Fatal(err)
	}
	gone.check(t, s)
	kept.check(t, s)
	goneSealed, keptSealed := gone.ciphertexts(t, s.Backend), kept.ciphertexts(t, s.Backend)
	_ = s.Close()

	// Before deletion: ciphertext only, wherever one looks.
	for where, data := range map[string][]byte{"live data": b.Live(), "lingering data": b.Lingering()} {
		requirePresent(t, where, data, []byte(control))
		requireAbsent(t, where+" before deletion", data, []byte(gone.canary), []byte(kept.canary))
	}
	requirePresent(t, "live data", b.Live(), goneSealed...)

	s = sealed(t, b.Open, b.Keys, master)
	gone.delete(t, s)
	kept.check(t, s)
	if recs, err := s.Read(t.Context(), gone.id, 0, 0); err != nil || len(recs) != 0 {
		t.Fatalf("Read of the deleted case = %d records, %v; want none", len(recs), err)
	}
	if _, err := s.Get(t.Context(), "cases", gone.id); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get of the deleted case's index entry: %v, want not found", err)
	}
	// No new key for a deleted case: nothing can be written to it again.
	if _, err := s.Append(t.Context(), gone.id, 0, "again", [][]byte{[]byte("{}")}); !errors.Is(err, sealedstore.ErrDestroyed) {
		t.Fatalf("Append to the deleted case: %v, want ErrDestroyed", err)
	}
	// What lingers (an audit entry with a sealed name) can no longer be opened.
	entries, err := s.ReadLog(t.Context(), "audit:case:"+gone.id, 0, 0)
	if err != nil || len(entries) != 1 {
		t.Fatalf("ReadLog: %v, %v", entries, err)
	}
	sealedName := strings.TrimSuffix(strings.TrimPrefix(string(entries[0].Data), `{"name":"`), `"}`)
	if _, err := s.OpenText(t.Context(), gone.id, sealedName); !errors.Is(err, sealedstore.ErrDestroyed) {
		t.Fatalf("OpenText of the deleted case's name: %v, want ErrDestroyed", err)
	}
	_ = s.Close()

	live, lingering := b.Live(), b.Lingering()
	requireAbsent(t, "live data after deletion", live, append(goneSealed, []byte(gone.canary))...)
	requirePresent(t, "live data after deletion", live, keptSealed...)
	requireAbsent(t, "lingering data after deletion", lingering, []byte(gone.canary), []byte(kept.canary))

	s = sealed(t, b.Open, b.Keys, master)
	kept.check(t, s)
}

func testCopyBeforeDeletion(t *testing.T, b Backing) {
	master := newMaster(t, randomHex(32))
	gone, kept := newCase("weg"), newCase("blijft")
	s := sealed(t, b.Open, b.Keys, master)
	gone.write(t, s)
	kept.write(t, s)
	_ = s.Close()
	backup := b.Copy()

	s = sealed(t, b.Open, b.Keys, master)
	gone.delete(t, s)
	_ = s.Close()

	// The backup, with the keys and the master key of today: the deleted case is unreadable,
	// the other case is whole.
	c := sealed(t, backup, b.Keys, master)
	ctx := t.Context()
	if recs, err := c.Backend.Read(ctx, gone.id, 0, 0); err != nil || len(recs) != 2 {
		t.Fatalf("the backup holds %d records of the deleted case (%v), want its 2", len(recs), err)
	}
	if _, err := c.Read(ctx, gone.id, 0, 0); !errors.Is(err, sealedstore.ErrDestroyed) {
		t.Fatalf("Read of the deleted case in the backup: %v, want ErrDestroyed", err)
	}
	if _, err := c.Presence(ctx, gone.id); err == nil {
		// Presence expires within seconds; a backup may or may not hold it.
		if p, _ := c.Backend.Presence(ctx, gone.id); len(p) > 0 {
			t.Fatal("Presence of the deleted case opened from the backup")
		}
	}
	if _, err := c.Get(ctx, "cases", gone.id); err == nil {
		t.Fatal("the deleted case's index entry opened from the backup")
	}
	if all, err := c.List(ctx, "case-data:"+gone.id); err != nil || len(all) != 0 {
		t.Fatalf("List of the deleted case's bucket in the backup = %q, %v; want nothing readable", all, err)
	}
	kept.check(t, c)
}

func testMasterKeyRotation(t *testing.T, b Backing) {
	oldKey, newKey := randomHex(32), randomHex(32)
	cases := []caseContent{newCase("een"), newCase("twee"), newCase("drie")}
	s := sealed(t, b.Open, b.Keys, newMaster(t, oldKey))
	for _, c := range cases {
		c.write(t, s)
	}
	_ = s.Close()

	// Only the new key: nothing is readable before the rotation.
	only := sealed(t, b.Open, b.Keys, newMaster(t, newKey))
	if _, err := only.Read(t.Context(), cases[0].id, 0, 0); !errors.Is(err, sealedstore.ErrUnknownMasterKey) {
		t.Fatalf("Read with only the new master key before rotation: %v, want ErrUnknownMasterKey", err)
	}
	_ = only.Close()

	// The new key first, the old one kept: rotate.
	both := sealed(t, b.Open, b.Keys, newMaster(t, newKey, oldKey))
	before := map[string][][]byte{}
	for _, c := range cases {
		before[c.id] = c.ciphertexts(t, both.Backend)
	}
	n, err := both.Keyring().Rotate(t.Context())
	if err != nil || n != len(cases) {
		t.Fatalf("Rotate = %d, %v; want %d", n, err, len(cases))
	}
	if n, err := both.Keyring().Rotate(t.Context()); err != nil || n != 0 {
		t.Fatalf("a second Rotate = %d, %v; want 0", n, err)
	}
	for _, c := range cases {
		c.check(t, both)
		// The data was not re-encrypted: the records are the very same bytes.
		after := c.ciphertexts(t, both.Backend)
		for i := range after {
			if !bytes.Equal(after[i], before[c.id][i]) {
				t.Fatalf("record %d of %s changed in the rotation", i+1, c.id)
			}
		}
	}
	_ = both.Close()

	// The old key leaves the file: every case is readable with the new one alone.
	s = sealed(t, b.Open, b.Keys, newMaster(t, newKey))
	for _, c := range cases {
		c.check(t, s)
	}
	cases = append(cases, newCase("vier"))
	cases[3].write(t, s)
	cases[3].check(t, s)
}

// testDeletionReachesEveryInstance: an instance that holds a case's key in memory drops it
// when another instance deletes the case.
func testDeletionReachesEveryInstance(t *testing.T, b Backing) {
	master := newMaster(t, randomHex(32))
	c := newCase("gedeeld")
	a := sealed(t, b.Open, b.Keys, master)
	other := sealed(t, b.Open, b.Keys, master)
	c.write(t, a)
	c.check(t, other) // other caches the key
	presence := func() error {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		return other.SetPresence(ctx, c.id, "conn-late", []byte("x"), time.Hour)
	}
	if err := presence(); err != nil {
		t.Fatal(err)
	}
	c.delete(t, a)
	eventually(t, "the other instance to forget the destroyed key", func() bool {
		return errors.Is(presence(), sealedstore.ErrDestroyed)
	})
	if recs, err := other.Read(t.Context(), c.id, 0, 0); err != nil || len(recs) != 0 {
		t.Fatalf("Read on the other instance = %d, %v", len(recs), err)
	}
}
