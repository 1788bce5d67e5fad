package boltstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openCommitter(t *testing.T) *committer {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "c.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newCommitter(db)
	t.Cleanup(func() {
		c.stop()
		_ = db.Close()
	})
	if err := c.update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

// queueBehind holds the committer in a first write until n more writes are queued, then lets
// them run; it returns each write's error and the transaction id it ran in (last run).
func queueBehind(t *testing.T, c *committer, fns []func(*bolt.Tx) error) ([]error, []int) {
	t.Helper()
	release, holding := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- c.update(func(*bolt.Tx) error { close(holding); <-release; return nil })
	}()
	<-holding
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	errs := make([]error, len(fns))
	txs := make([]int, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.update(func(tx *bolt.Tx) error { txs[i] = tx.ID(); return fn(tx) })
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); len(c.reqs) < len(fns); {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes queued", len(c.reqs), len(fns))
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	released = true
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	return errs, txs
}

func put(i int) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(fmt.Append(nil, i), []byte("v")) }
}

func TestCommitterGroupsQueuedWrites(t *testing.T) {
	c := openCommitter(t)
	var fns []func(*bolt.Tx) error
	for i := range 50 {
		fns = append(fns, put(i))
	}
	errs, txs := queueBehind(t, c, fns)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if txs[i] != txs[0] {
			t.Fatalf("write %d committed in transaction %d, write 0 in %d: not one group", i, txs[i], txs[0])
		}
	}
	_ = c.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket([]byte("b")).Stats().KeyN; n != 50 {
			t.Fatalf("%d keys stored, want 50", n)
		}
		return nil
	})
}

func TestCommitterFailureInGroupRunsEachAlone(t *testing.T) {
	c := openCommitter(t)
	bad := errors.New("refused")
	var fns []func(*bolt.Tx) error
	for i := range 10 {
		if i == 4 {
			fns = append(fns, func(tx *bolt.Tx) error {
				_ = tx.Bucket([]byte("b")).Put([]byte("half-done"), []byte("x")) // must be rolled back
				return bad
			})
			continue
		}
		fns = append(fns, put(i))
	}
	errs, _ := queueBehind(t, c, fns)
	for i, err := range errs {
		if want := error(nil); i == 4 {
			if !errors.Is(err, bad) {
				t.Fatalf("failing write got %v, want its own error", err)
			}
		} else if err != want {
			t.Fatalf("write %d failed with its neighbour: %v", i, err)
		}
	}
	_ = c.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b.Get([]byte("half-done")) != nil {
			t.Fatal("the failed write's change was committed")
		}
		if n := b.Stats().KeyN; n != 9 {
			t.Fatalf("%d keys stored, want the 9 good writes", n)
		}
		return nil
	})
}

func TestCommitterStopRefusesLaterWrites(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "c.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := newCommitter(db)
	c.stop()
	if err := c.update(func(*bolt.Tx) error { t.Error("ran after stop"); return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("update after stop: %v, want errClosed", err)
	}
}
