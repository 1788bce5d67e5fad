package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// tool runs tafel <args> and returns its output.
func tool(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, args, func(k string) string { return env[k] }, &out, &out, nil)
	return out.String(), err
}

// TestVerifyLogFindsATamperedEntry: an instance writes its access log; with the instance
// stopped, one entry is changed in the file; `tafel verify-log` names that entry and exits
// with an error, and says the other logs are whole.
func TestVerifyLogFindsATamperedEntry(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--data", data, "--demo"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}, started)
	}()
	url := <-started
	for range 3 {
		get(t, url+"/api/me") // refused: nothing logged; the demo set-up logged entries already
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Add entries of a case, as a running instance would, then stop.
	st, err := boltstore.Open(filepath.Join(data, "tafel.db"))
	if err != nil {
		t.Fatal(err)
	}
	l := audit.New(st, audit.Options{})
	for i := range 6 {
		if err := l.Record(context.Background(), audit.Entry{PrincipalID: "u:1", Name: "Carla", Role: "chair", CaseID: server.DemoCaseID,
			Object: "case/view", Action: audit.ActionRead, Outcome: audit.OutcomeGranted, Authority: "case member (chair)", Addr: strings.Repeat("1", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close()

	out, err := tool(t, nil, "verify-log", "--data", data)
	if err != nil || !strings.Contains(out, "ok      audit:") || !strings.Contains(out, "ok      audit:case:janna: 6 entries") {
		t.Fatalf("verify-log on a whole log: %v\n%s", err, out)
	}
	// Someone with access to the file turns a read into something else.
	db, err := bolt.Open(filepath.Join(data, "tafel.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("logs")).Bucket([]byte(audit.CaseLog(server.DemoCaseID)))
		k := binary.BigEndian.AppendUint64(nil, 4)
		return b.Put(k, bytes.Replace(b.Get(k), []byte(`"action":"read"`), []byte(`"action":"list"`), 1))
	})
	_ = db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = tool(t, nil, "verify-log", "--data", data)
	if !errors.Is(err, errBroken) || !strings.Contains(out, "BROKEN  audit:case:janna: entry 4: content does not match its hash") {
		t.Fatalf("verify-log on a tampered log: %v\n%s", err, out)
	}
	if !strings.Contains(out, "ok      audit:") {
		t.Errorf("the untouched global log is not reported whole:\n%s", out)
	}
	out, err = tool(t, nil, "verify-log", "--data", data, "--log", audit.GlobalLog)
	if err != nil || strings.Contains(out, "janna") {
		t.Fatalf("verify-log --log audit: %v\n%s", err, out)
	}
}

// TestRotateMasterKeyOffline: after a new key is put first in the key file,
// rotate-master-key re-wraps every case key; then the old key leaves the file and the demo
// case still opens, while the data file never held its title in plain text.
func TestRotateMasterKeyOffline(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--data", data, "--demo"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}, started)
	}()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(data, "master.key")
	old, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("no generated master key: %v", err)
	}
	newKey := strings.Repeat("c3", 32)
	if err := os.WriteFile(keyFile, []byte(newKey+"\n"+string(old)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := tool(t, nil, "rotate-master-key", "--data", data)
	if err != nil || !strings.HasPrefix(out, "1 case keys re-wrapped") {
		t.Fatalf("rotate-master-key: %v\n%s", err, out)
	}
	if err := os.WriteFile(keyFile, []byte(newKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// With the new key alone the demo case reads, through the same wiring as an instance.
	cfg, err := server.ParseConfig([]string{"--data", data}, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	st, _, closeKeys, err := openSealed(context.Background(), cfg, slog.New(slog.DiscardHandler), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeKeys()
	defer st.Close()
	recs, err := st.Read(context.Background(), server.DemoCaseID, 0, 0)
	if err != nil || len(recs) == 0 || !bytes.Contains(recs[0].Data, []byte("Gezin van baby Janna")) {
		t.Fatalf("the demo case after rotation: %d records, %v", len(recs), err)
	}
	raw, _ := os.ReadFile(filepath.Join(data, "tafel.db"))
	if bytes.Contains(raw, []byte("Gezin van baby Janna")) {
		t.Fatal("the demo case's title is in the bbolt file in plain text")
	}
}
